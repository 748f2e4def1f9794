"""The narrow port every workbook adapter implements, and what it promises.

Locating and normalising know nothing of calamine or openpyxl: they see sheet names, whether a
sheet is visible, and a grid of raw values with absolute coordinates. One contract test suite
runs over every adapter, so a return reads the same whichever library opened it.
"""

from __future__ import annotations

from typing import Any, Mapping, Protocol

Grid = list[list[Any]]

# A sheet with more cells than this (a stray value in XFD1048576) is not read: building the
# grid would take gigabytes. A real return has a few hundred cells.
MAX_CELLS = 2_000_000
# Nor a sheet of more rows than this (a column pasted down to row 1048576): a real return has
# about forty, and a million rows of Python values take half a gigabyte.
MAX_ROWS = 100_000


class SheetTooLarge(Exception):
    """One sheet is beyond ``MAX_CELLS`` cells or ``MAX_ROWS`` rows; the locator skips it."""

    def __init__(self, sheet: str, cells: int, rows: int = 0) -> None:
        super().__init__(f"{sheet}: {cells} cells, {rows} rows")
        self.sheet = sheet
        self.cells = cells
        self.rows = rows


def check_size(sheet: str, rows: int, cells: int) -> None:
    """``SheetTooLarge`` for a sheet beyond either bound; checked before a grid is built."""
    if rows > MAX_ROWS or cells > MAX_CELLS:
        raise SheetTooLarge(sheet, cells, rows)


class RawWorkbook(Protocol):
    """What the reader needs from an opened workbook.

    ``grid(sheet)[r - 1][c - 1]`` is the value of the cell at row ``r``, column ``c`` (so a table
    that starts at C5 still has its coordinates); rows may be ragged and a blank is ``""`` or
    ``None``. Numbers are ``int`` when whole (a spreadsheet stores every number as a double, and
    3 typed is 3, not "3.0"), else ``float``; text is ``str`` as stored; dates are ``datetime``
    values; booleans ``bool``. Merged cells hold their value in the top-left cell only.

    ``formulas(sheet)`` lists cells the grid shows blank although the file holds more: "C7" ->
    "=D7+E7" (a formula without a saved result) or "#DIV/0!" (a saved error value). Adapters
    that cannot tell return ``{}``. The mapping may be lazy: ask for the cells you need.
    """

    format: str

    def sheet_names(self) -> list[str]: ...

    def is_visible(self, sheet: str) -> bool: ...

    def grid(self, sheet: str) -> Grid: ...

    def formulas(self, sheet: str) -> Mapping[str, str]: ...

    def close(self) -> None: ...


def whole_numbers(rows: Grid) -> Grid:
    """Whole doubles to ``int``, in place: the port's promise, shared by the adapters."""
    for row in rows:
        for i, v in enumerate(row):
            if v.__class__ is float and v.is_integer():
                row[i] = int(v)
    return rows


def value_at(grid: Grid, row: int, col: int) -> Any:
    """The value at 1-based ``row``/``col``; blank outside the grid."""
    if 0 < row <= len(grid):
        line = grid[row - 1]
        if 0 < col <= len(line):
            return line[col - 1]
    return None
