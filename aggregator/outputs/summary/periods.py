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

from openpyxl.utils import get_column_letter
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
# When the periods sum different schools: both totals as they are, then the change over the schools
# summed in both (同口径), as the statistics systems compare
HEAD_UNLIKE = ("项目", "栏目", "上期合计\n（{before} 所）", "本期合计\n（{now} 所）", "同口径上期\n（{both} 所）",
               "同口径本期\n（{both} 所）", "增减\n（同口径）", "增减%\n（同口径）")
WIDTHS_UNLIKE = (20.0, 8.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0)


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
    """One decimal always, so that the column reads down: +6.0%, -27.0%, 0.0%."""
    return "—" if value is None else f"{value:+.1f}%" if value else "0.0%"


def _lines(data: PeriodComparison) -> tuple[tuple[str, ...], tuple[float, ...], list[tuple[Any, ...]]]:
    """The table's head, widths and rows (without 项目/栏目): the totals as they are when both
    periods sum the same schools, else both totals and the like-for-like change."""
    if data.like_for_like or not data.same:
        return HEAD, WIDTHS, [(t.previous, t.current, _signed(t.change), _percent(t.percent)) for t in data.totals]
    head = tuple(h.format(before=data.before, now=data.now, both=data.both) for h in HEAD_UNLIKE)
    rows = [(t.previous, t.current, s.previous, s.current, _signed(s.change), _percent(s.percent))
            for t, s in zip(data.totals, data.same)]
    return head, WIDTHS_UNLIKE, rows


def _what(data: PeriodComparison, folder: str, title: str) -> str:
    """The line under the title: which last period, how many schools each sums, how they compare."""
    named = f"“{folder}”" if data.title == title or not data.title else f"{data.title}（{folder}）"
    line = f"上期：{named}，汇总 {data.before} 所学校；本期：汇总 {data.now} 所学校。"
    if data.like_for_like or not data.same:
        return line + "两期汇总的学校相同，合计数可以直接比较。"
    return line + (f"两期汇总的学校不同，增减按两期都汇总的 {data.both} 所学校计算（同口径），"
                   "不含只在一期汇总的学校。")


def _said(plan: Plan, school_id: str, field: str) -> str:
    """What the school (or the clerk) said about its figure's move: its vs-previous finding's
    explanation, "尚未说明" when there is none."""
    state = next((s for s in plan.included if s.school.id == school_id), None)
    found = next((f for f in (state.findings if state else ()) if f.rule == PERIOD_RULE and field in f.fields), None)
    if found is None or not found.explanation:
        return "尚未说明"
    return f"{'区教育局核实' if found.explained_by == 'clerk' else '学校说明'}：{found.explanation}"


def move_line(plan: Plan, n: int, school_id: str, name: str, parent: str, m: Any) -> str:
    """"1. 某某镇某某小学（某某镇中心学校）：…·合计 本期 2，上期 8，不到上期的 1/3。学校说明：…"."""
    how = f"是上期的 {shown(round(m.ratio, 1))} 倍" if m.up else f"不到上期的 1/{shown(m.factor)}"
    unit = f"（{parent}）" if parent else ""
    return f"{n}. {name}{unit}：{m.label} 本期 {shown(m.current)}，上期 {shown(m.previous)}，{how}。{_said(plan, school_id, m.field)}"


def write_comparison(ws: Worksheet, plan: Plan, comparison: Comparison) -> None:
    """The sheet: a line saying what is compared, the table of totals, the schools that moved."""
    data, form = comparison.data, plan.form
    head_texts, widths, lines = _lines(data)
    n = len(head_texts)
    width = sum(widths)
    put(ws, 1, 1, "与上期比较").font = font(14, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
    ws.cell(1, 1).alignment = CENTRE
    ws.row_dimensions[1].height = 24
    what = _what(data, comparison.folder, form.title(plan.district))
    put(ws, 2, 1, what).alignment = WRAP_TOP
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=n)
    ws.row_dimensions[2].height = wrapped_height([(what, width)])
    head_row = 3
    for c, label in enumerate(head_texts, start=1):
        head(put(ws, head_row, c, label))
    ws.row_dimensions[head_row].height = wrapped_height([(t, w) for t, w in zip(head_texts, widths)])
    columns = {c.field.id: c for c in field_columns(form, form.fields_summed("sum"))}
    heights, spans = [ws.row_dimensions[head_row].height], {}
    row = head_row
    for t, line in zip(data.totals, lines):
        row += 1
        col = columns[t.field]
        for c, value in enumerate((col.group, col.label, *line), start=1):
            cell = put(ws, row, c, value)
            cell.border, cell.alignment = GRID, LEFT if c <= 2 else CENTRE
        spans.setdefault(col.group, []).append(row)
        heights.append(wrapped_height([(col.label, widths[1])] if col.label else [(col.group, widths[0] + widths[1])]))
        ws.row_dimensions[row].height = heights[-1] if heights[-1] > ROW_PT else None
    for rows in spans.values():
        if len(rows) > 1:
            ws.merge_cells(start_row=rows[0], start_column=1, end_row=rows[-1], end_column=1)
        elif not ws.cell(rows[0], 2).value:
            ws.merge_cells(start_row=rows[0], start_column=1, end_row=rows[0], end_column=2)
    row += 2
    heading = f"数字与本校上期相比变化超过规定范围的学校（{len(data.schools)} 所）" if data.schools else \
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
    set_widths(ws, widths)
    print_wide(ws, widths, title_cols=0, title_rows=f"{head_row}:{head_row}", landscape=False, body=heights)
    ws.print_area = f"A1:{get_column_letter(n)}{row}"


__all__ = ["Comparison", "HEAD", "move_line", "write_comparison"]
