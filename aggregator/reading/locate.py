"""Find the sheet and the cell of every field of a return.

Fast path: the workbook is our template, unchanged where it matters (the metadata names this
form and every label, head and section text still sits at its cell in ``layout_of(form)``):
the layout's cells are used as they are. Otherwise the table is searched by its labels on every
visible sheet, then the hidden ones, and the sheet with the most row labels wins.
"""

from __future__ import annotations

from functools import cache
from types import MappingProxyType
from typing import Mapping

from ..form.declaration import Form
from ..form.layout import layout_of, split_coord
from .submission import BY_LABELS, BY_LAYOUT
from .errors import UnreadableFile
from .location import Location
from .meta import META_SHEET
from .normalise import label_key
from .port import MAX_ROWS, Grid, RawWorkbook, SheetTooLarge, value_at
from .search import search_sheet

# Texts whose cells pin the layout: if one moved, a row or column was inserted or deleted. The
# check column's heads count too: a column inserted before it moves 联系电话's value (F3) alone.
_PINNING_KINDS = ("header_label", "section", "head", "column_head", "check_head", "row_label", "line_label",
                  "suffix")


@cache
def _expected_texts(form: Form) -> tuple[tuple[int, int, str, str], ...]:
    return tuple(
        (*split_coord(t.cell), t.text, label_key(t.text))
        for t in layout_of(form).texts
        if t.kind in _PINNING_KINDS
    )


def matches_layout(grid: Grid, form: Form) -> bool:
    """Every pinning text of the issued layout is at its cell (compared as label keys; the
    exact text, the usual case, is checked first because it is cheaper)."""
    for r, c, text, key in _expected_texts(form):
        value = value_at(grid, r, c)
        if value != text and label_key(value) != key:
            return False
    return True


@cache
def _layout_cells(form: Form) -> tuple[Mapping[str, tuple[int, int]], int]:
    """The issued layout's cells as (row, col), and its number of row labels."""
    cells = MappingProxyType({fid: split_coord(ref) for fid, ref in layout_of(form).cells.items()})
    return cells, sum(len(s.rows) for s in form.sections if s.kind != "lines")


def sheet_order(wb: RawWorkbook, form: Form) -> list[str]:
    """The form's own sheet name first, then visible sheets, then hidden ones; never the metadata."""
    names = [n for n in wb.sheet_names() if n != META_SHEET]
    visible = [n for n in names if wb.is_visible(n)]
    hidden = [n for n in names if not wb.is_visible(n)]
    ordered = visible + hidden
    if form.sheet in ordered:
        ordered.remove(form.sheet)
        ordered.insert(0, form.sheet)
    return ordered


def locate(wb: RawWorkbook, form: Form, meta: dict[str, str]) -> Location:
    sheets = sheet_order(wb, form)
    too_large: list[SheetTooLarge] = []

    def grid_of(name: str) -> Grid | None:
        try:
            return wb.grid(name)
        except SheetTooLarge as exc:
            if exc not in too_large:
                too_large.append(exc)
            return None

    if meta.get("form_id") == form.id:
        for name in sheets:
            grid = grid_of(name)
            if grid is not None and matches_layout(grid, form):
                cells, rows = _layout_cells(form)
                return Location(name, BY_LAYOUT, cells, rows_found=rows)
    best: Location | None = None
    for name in sheets:  # visible first: a tie goes to the sheet a school sees
        grid = grid_of(name)
        if grid is None:
            continue
        found = search_sheet(grid, form, name)
        if best is None or found.rows_found > best.rows_found:
            best = found
    if best is not None and best.table_found:
        return best
    if too_large:
        biggest = max(too_large, key=lambda e: max(e.cells, e.rows))
        size = f"{biggest.rows} 行" if biggest.rows > MAX_ROWS else f"{biggest.cells} 个单元格"
        raise UnreadableFile("too-many-cells", detail=f"工作表“{biggest.sheet}”有 {size}")
    return Location(best.sheet if best else "", BY_LABELS, table_found=False)
