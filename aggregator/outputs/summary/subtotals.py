"""分单位小计: every summed figure per parent unit (中心学校, 区直学校…), laid out like the form.

A row per figure (派出责任督学数 合计/小学/初中 …) and a column per unit, then the whole
district's: a district's eight units and its forty figures print on one page and read down like
the form itself, where a row per unit would run across four. The district column is a ``SUM`` of
the units' columns, saved with its value.
"""

from __future__ import annotations

from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from ...collection.views.status import SchoolState
from ...form.layout import col_letter
from ..xlstyle import CENTRE, GRID, LEFT, ROW_PT, TOTAL_GREY, display_width, fill, print_wide, set_widths, wrapped_height
from .cells import BOLD, head, parent, put, whole_district
from .figures import summary_values
from .plan import ACCEPTED, Plan
from .tables import field_columns, fit_head, fit_width

SUBTOTAL_DRAFT = "其中未通过校验"
HEAD = ("项目", "栏目")
_TOTAL = fill(TOTAL_GREY)


def write_subtotals(ws: Worksheet, plan: Plan) -> dict[str, Any]:
    """The sheet; returns the present values of its formulas by cell (``bulk_rows.fill_cached``)."""
    form = plan.form
    groups: dict[str, list[SchoolState]] = {}  # in roster order of first appearance
    for state in plan.states:
        groups.setdefault(parent(state), []).append(state)
    included = {id(s) for s in plan.included}
    summed = {unit: [s for s in members if id(s) in included] for unit, members in groups.items()}
    sums = plan.units or {unit: summary_values(form, [s.current.values for s in states])
                          for unit, states in summed.items()}
    units = list(groups)
    total_col = len(HEAD) + len(units) + 1
    labels = HEAD + tuple(units) + (whole_district(plan.district),)
    for c, label in enumerate(labels, start=1):
        head(put(ws, 1, c, label))
    counts: list[tuple[str, str, list[int]]] = [
        ("应报学校数", "", [len(groups[u]) for u in units]),
        ("已汇总学校数", "", [len(summed[u]) for u in units]),
    ]
    if plan.draft:
        counts.append((SUBTOTAL_DRAFT, "", [sum(1 for s in summed[u] if s.status not in ACCEPTED) for u in units]))
    columns = field_columns(form, form.fields_summed("sum"))
    figures = [(c.group, c.label, [sums[u][c.field.id] for u in units]) for c in columns]
    widths = (20, fit_width(6, (c.label for c in columns), 22), *(_unit_width(u) for u in units), 10)
    cached: dict[str, Any] = {}
    heights = []
    row = 1
    spans: dict[str, list[int]] = {}
    for label, column, values in counts + figures:
        row += 1
        put(ws, row, 1, label)
        put(ws, row, 2, column)
        spans.setdefault(label, []).append(row)
        for c, value in enumerate(values, start=len(HEAD) + 1):
            put(ws, row, c, value)
        last_unit = col_letter(total_col - 1)
        ws.cell(row, total_col).value = f"=SUM(C{row}:{last_unit}{row})"  # our own formula, never a school's text
        cached[f"{col_letter(total_col)}{row}"] = sum(v for v in values if isinstance(v, (int, float)))
        for c in range(1, total_col + 1):
            cell = ws.cell(row, c)
            cell.border, cell.alignment = GRID, LEFT if c <= len(HEAD) else CENTRE
        ws.cell(row, total_col).font, ws.cell(row, total_col).fill = BOLD, _TOTAL
        # a label over several rows (合计/小学/初中) has their height together; one alone spans 栏目 too
        heights.append(wrapped_height([(column, widths[1])] if column else [(label, widths[0] + widths[1])]))
        ws.row_dimensions[row].height = heights[-1] if heights[-1] > ROW_PT else None
    for label, rows in spans.items():
        if len(rows) > 1:
            ws.merge_cells(start_row=rows[0], start_column=1, end_row=rows[-1], end_column=1)
        elif not ws.cell(rows[0], 2).value:
            ws.merge_cells(start_row=rows[0], start_column=1, end_row=rows[0], end_column=2)
    set_widths(ws, widths)
    fit_head(ws, 1, labels, widths)
    ws.freeze_panes = "C2"
    print_wide(ws, widths, title_cols=2, title_rows="1:1", landscape=len(units) > 3,
               groups=list(range(len(HEAD) + 1, total_col + 1)), body=heights)
    return cached


def _unit_width(unit: str) -> float:
    """A unit's column: its name on two lines at most, never narrower than a count needs."""
    return max(8.0, min(12.0, display_width(unit) / 2 / 0.9 + 2))
