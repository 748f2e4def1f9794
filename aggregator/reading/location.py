"""Where a return's values are: the plain result of locating, before any value is read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True)
class Location:
    """The table's sheet and the (row, column) of every field found on it.

    ``embedded`` holds values typed inside a label cell ("填报单位：XX小学", "1.作业多"): for
    those fields the cell is the label cell and the value is the part after the label.
    A field in neither mapping was not found.
    """

    sheet: str
    located_by: str
    cells: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    embedded: Mapping[str, Any] = field(default_factory=dict)
    rows_found: int = 0  # grid and inline row labels matched (how sure we are it is the table)
    table_found: bool = True
