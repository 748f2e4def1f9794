"""Each 说明 a school wrote in the workbook's 情况说明 sheet, by the explain rule's name.

The sheet is ``form.explanations``'s: a row per explain rule, its name under 核实项目, its 说明
cell to the right. Schools do to it what they do to the form: insert a row to write more, type
the explanation into the cell beside the 说明 one, renumber, rename the sheet with a space. So
each rule's row is found by its name wherever it is, the 说明 column by its head, and what the
school wrote is, in order of trust:

1. the 说明 cell of the rule's row, and of rows the school added below it (no name of their own);
2. failing that, any other cell of those rows that holds something we did not print there (not
   the rule's 检查内容, not a live-check text, not a head): the explanation typed one cell off.

A rule whose row holds nothing has no explanation. Pure over a grid (``explanations_in``);
``read_explanations`` only picks the sheet.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from ..form.declaration import Form
from ..form.explanations import (CHECK_TEXTS, HEADS, NAME_COL, TEXT_COL, ExplanationLayout, ExplanationRow,
                                 explanation_layout)
from ..form.layout import coord
from ..form.values import normalise_text
from .normalise import label_key, without_enumeration
from .port import Grid, RawWorkbook, SheetTooLarge
from .submission import Explanation

_JOIN = "；"


def read_explanations(wb: RawWorkbook, form: Form) -> tuple[Explanation, ...]:
    """The explanations of a returned workbook: () when the form has no explain rule or the
    workbook no 情况说明 sheet (an older template, a retyped table, a Word return)."""
    layout = explanation_layout(form)
    if layout is None:
        return ()
    sheet = _sheet(wb, layout.sheet)
    if sheet is None:
        return ()
    try:
        grid = wb.grid(sheet)
    except SheetTooLarge:
        return ()
    if (sum(map(len, grid)) > _REMEMBERED_CELLS
            or sum(len(v) for line in grid for v in line if isinstance(v, str)) > _REMEMBERED_TEXT):
        return explanations_in(grid, layout, sheet)
    # Each value with its type: True == 1 to Python, but the school wrote "TRUE", not "1".
    cells = tuple(tuple((v.__class__, v) for v in line) for line in grid)
    try:
        return _remembered(cells, layout, sheet)
    except TypeError:  # a value that cannot be a key (no adapter gives one): read afresh
        return explanations_in(grid, layout, sheet)


# A sheet as issued, or with a few 说明 written, is a few dozen cells and a thousand characters;
# a larger one is read afresh each time (a school may paste a whole report into it), never held.
_REMEMBERED_CELLS = 400
_REMEMBERED_TEXT = 4000


@lru_cache(maxsize=16)  # the sheet as issued, in return after return of one template
def _remembered(cells: tuple[tuple[tuple[type, Any], ...], ...], layout: ExplanationLayout,
                sheet: str) -> tuple[Explanation, ...]:
    return explanations_in([[v for _, v in line] for line in cells], layout, sheet)


def _sheet(wb: RawWorkbook, name: str) -> str | None:
    """The sheet by its name, or by its name as compared (a space, full-width letters)."""
    names = wb.sheet_names()
    if name in names:
        return name
    key = label_key(name)
    return next((n for n in names if label_key(n) == key), None)


def _key(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    return _text_key(value) if len(value) <= _REMEMBERED_KEY else without_enumeration(label_key(value))


_REMEMBERED_KEY = 200  # characters: a printed text is shorter, a school's pasted report is not held


@lru_cache(maxsize=2048)  # a sheet's printed texts recur in every return of one template
def _text_key(text: str) -> str:
    return without_enumeration(label_key(text))


@cache
def _by_name(layout: ExplanationLayout) -> dict[str, ExplanationRow]:
    return {_key(r.name): r for r in layout.rows}


@cache
def _printed(layout: ExplanationLayout, rule: str) -> frozenset[str]:
    """The keys of what the template prints on ``rule``'s row: never the school's words."""
    return frozenset({_key(layout.row_of(rule).about), *(_key(t) for t in CHECK_TEXTS.values()),
                      *(_key(h) for h in HEADS), ""})


def _text(value: Any) -> str:
    return normalise_text(value).value if value not in (None, "") else ""


def explanations_in(grid: Grid, layout: ExplanationLayout, sheet: str = "") -> tuple[Explanation, ...]:
    """What the school wrote for each rule of ``layout`` on a 情况说明 ``grid``."""
    by_name = _by_name(layout)
    keys = [[_key(value) for value in line] for line in grid]  # each cell's key, once
    found: dict[str, int] = {}  # rule id -> row (1-based)
    name_col = {}  # rule id -> the column its name was found in
    for prefer in (True, False):  # the 核实项目 column first: a name quoted in a 说明 is no row
        for r, line in enumerate(keys, start=1):
            for c, key in enumerate(line, start=1):
                if (c == NAME_COL) != prefer:
                    continue
                row = by_name.get(key)
                if row is not None and row.rule not in found:
                    found[row.rule], name_col[row.rule] = r, c
    if not found:
        return ()
    text_col = _text_column(grid, min(found.values()))
    starts = sorted(found.values())
    out = []
    for rule, r in found.items():
        block = _block(grid, r, starts, text_col)
        printed = _printed(layout, rule)
        taken = _cells(grid, block, lambda c: c == text_col, printed)
        if not taken:  # typed one cell off: anywhere right of the name that we did not print
            taken = _cells(grid, block, lambda c, r=rule: c > name_col[r] and c != text_col, printed)
        if taken:
            text = _JOIN.join(t for _, t in taken)
            first = taken[0][0]
            out.append(Explanation(rule, text, f"{sheet}!{first}" if sheet else first))
    order = {r.rule: i for i, r in enumerate(layout.rows)}
    return tuple(sorted(out, key=lambda e: order[e.rule]))


def _text_column(grid: Grid, first_rule_row: int) -> int:
    """Where 说明 is: by its head above the first rule (a school may have inserted a column),
    else where the layout puts it."""
    head = _key(HEADS[TEXT_COL - 1])
    for line in grid[: max(first_rule_row - 1, 0)]:
        for c, value in enumerate(line, start=1):
            if _key(value) == head:
                return c
    return TEXT_COL


def _block(grid: Grid, row: int, starts: list[int], text_col: int) -> list[int]:
    """The rule's row and the rows a school added under it to write more: up to the next rule,
    as long as nothing stands left of the 说明 column (a row of its own, a note under the table)."""
    rows = [row]
    later = [s for s in starts if s > row]
    end = min(later) if later else len(grid) + 1
    for r in range(row + 1, end):
        line = grid[r - 1] if r - 1 < len(grid) else []
        if any(_text(v) for v in line[: text_col - 1]):
            break
        rows.append(r)
    return rows


def _cells(grid: Grid, rows: list[int], wanted, printed: frozenset[str]) -> list[tuple[str, str]]:
    """(cell, text) of the non-blank cells of ``rows`` in the ``wanted`` columns, in reading
    order, leaving out what we printed."""
    out = []
    for r in rows:
        line = grid[r - 1] if r - 1 < len(grid) else []
        for c, value in enumerate(line, start=1):
            if not wanted(c):
                continue
            text = _text(value)
            if text and _key(text) not in printed:
                out.append((coord(r, c), text))
    return out
