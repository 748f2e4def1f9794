"""与上期比较: the district's summed figures against last period's, and the schools whose own
figures moved beyond the form's bounds (``views.previous.period_comparison``).

Laid out like 分单位小计, a row per figure (项目 over its 合计/小学/初中 rows): last period's total,
this one's, the change and the change in per cent. Under it, each school whose figure moved, in a
sentence a clerk can read out on the phone, with what the school (or the clerk) said about it.

Two totals are only comparable over the same schools: the sheet says how many schools each sums,
so a drop that is only four schools not yet summed is not read as a fall.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from ...checks.periods import shown
from ...collection.views.previous import PeriodComparison
from ...form.declaration import PERIOD_RULE
from ..xlstyle import CENTRE, GRID, LEFT, ROW_PT, WRAP_TOP, font, print_wide, set_widths, wrapped_height
from .cells import BOLD, head, put
from .plan import Plan
from .tables import field_columns

HEAD = ("项目", "栏目", "上期", "本期", "增减", "增减（%）")
WIDTHS = (24.0, 9.0, 9.0, 9.0, 9.0, 10.0)


@dataclass(frozen=True)
class Comparison:
    """What the sheet shows: the comparison, and how many schools each period sums."""

    data: PeriodComparison
    schools_before: int  # last period's returns summed
    folder: str = ""  # its folder's name: two periods of one form may have one title


def _signed(value: float | None) -> str:
    if value is None:
        return "—"
    return f"+{shown(value)}" if value > 0 else shown(value)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{'+' if value > 0 else ''}{value:g}%"


def _said(plan: Plan, school_id: str, field: str) -> str:
    """What the school (or the clerk) said about its figure's move: its vs-previous finding's
    explanation, "尚未说明" when there is none."""
    state = next((s for s in plan.included if s.school.id == school_id), None)
    found = next((f for f in (state.findings if state else ()) if f.rule == PERIOD_RULE and field in f.fields), None)
    if found is None or not found.explanation:
        return "尚未说明"
    return f"{'区教育局核实' if found.explained_by == 'clerk' else '学校说明'}：{found.explanation}"


def move_line(plan: Plan, n: int, school_id: str, name: str, parent: str, m: Any) -> str:
    """"1. 淅河镇三里岗小学（淅河镇中心学校）：…·合计 本期 2，上期 8，不到上期的 1/3。学校说明：…"."""
    how = f"是上期的 {shown(round(m.ratio, 1))} 倍" if m.up else f"不到上期的 1/{shown(m.factor)}"
    unit = f"（{parent}）" if parent else ""
    return f"{n}. {name}{unit}：{m.label} 本期 {shown(m.current)}，上期 {shown(m.previous)}，{how}。{_said(plan, school_id, m.field)}"


def write_comparison(ws: Worksheet, plan: Plan, comparison: Comparison) -> None:
    """The sheet: a line saying what is compared, the table of totals, the schools that moved."""
    data, form = comparison.data, plan.form
    n = len(HEAD)
    width = sum(WIDTHS)
    put(ws, 1, 1, "与上期比较").font = font(14, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
    ws.cell(1, 1).alignment = CENTRE
    ws.row_dimensions[1].height = 24
    what = (f"上期：{data.title}（{comparison.folder}），汇总 {comparison.schools_before} 所学校；"
            f"本期：汇总 {len(plan.included)} 所学校。"
            "两期汇总的学校不同时，合计数不完全可比。")
    put(ws, 2, 1, what).alignment = WRAP_TOP
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=n)
    ws.row_dimensions[2].height = wrapped_height([(what, width)])
    head_row = 3
    for c, label in enumerate(HEAD, start=1):
        head(put(ws, head_row, c, label))
    columns = {c.field.id: c for c in field_columns(form, form.fields_summed("sum"))}
    heights, spans = [], {}
    row = head_row
    for t in data.totals:
        row += 1
        col = columns[t.field]
        values = (col.group, col.label, t.previous, t.current, _signed(t.change), _percent(t.percent))
        for c, value in enumerate(values, start=1):
            cell = put(ws, row, c, value)
            cell.border, cell.alignment = GRID, LEFT if c <= 2 else CENTRE
        spans.setdefault(col.group, []).append(row)
        heights.append(wrapped_height([(col.label, WIDTHS[1])] if col.label else [(col.group, WIDTHS[0] + WIDTHS[1])]))
        ws.row_dimensions[row].height = heights[-1] if heights[-1] > ROW_PT else None
    for rows in spans.values():
        if len(rows) > 1:
            ws.merge_cells(start_row=rows[0], start_column=1, end_row=rows[-1], end_column=1)
        elif not ws.cell(rows[0], 2).value:
            ws.merge_cells(start_row=rows[0], start_column=1, end_row=rows[0], end_column=2)
    row += 2
    heading = f"本校数字与上期相比变化超过规定范围的学校（{len(data.schools)} 所）" if data.schools else \
        "没有学校的数字与上期相比变化超过规定范围。"
    put(ws, row, 1, heading).font = BOLD
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n)
    heights += [ROW_PT, ROW_PT]
    number = 0
    for moved in data.schools:
        for m in moved.moves:
            number += 1
            row += 1
            text = move_line(plan, number, moved.school.id, moved.school.name, moved.school.parent, m)
            put(ws, row, 1, text).alignment = WRAP_TOP
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n)
            heights.append(wrapped_height([(text, width)]))
            ws.row_dimensions[row].height = heights[-1]
    set_widths(ws, WIDTHS)
    print_wide(ws, WIDTHS, title_cols=0, title_rows=f"{head_row}:{head_row}", landscape=False, body=heights)
    ws.print_area = f"A1:F{row}"


__all__ = ["Comparison", "HEAD", "move_line", "write_comparison"]
