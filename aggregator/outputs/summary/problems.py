"""主要问题归纳: the schools' problems grouped (``similar``), a sheet the clerk edits, and the lines
on the form that come from its first rows.

The engine picks the district's three lines by counting similar texts, which no clerk should
send upward unread. So the grouping is laid out for her: each group's wording (editable), how
many schools and which, and every wording schools used; the first rows are what the working
form shows, through formulas (``=T(INDEX(…,3))``), so rewording a group or moving a row changes
it at once. Every formula is saved with its value, so a reader that does not calculate still sees
the text. Two hidden columns keep what the engine wrote, so the next ``consolidate`` can carry
her edits over (``review``); the upward form gets the lines as plain values (``upward_lines``).
"""

from __future__ import annotations

from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from ...form.declaration import Section
from ...form.layout import layout_of
from ...form.layout import col_letter
from ..xlstyle import CENTRE, GRID, WRAP_TOP, fill, font, LINE_PT, print_wide, set_text, set_widths, text_height, wrapped_height
from .cells import head, put
from .plan import Plan
from .review import ENGINE_TEXT, ENGINE_WEIGHT, FIRST
from .similar import ProblemGroup

HEAD = ("序号", "问题（可修改）", "学校数", "学校", "各校的写法", "填入汇总表的文字")
HIDDEN_HEAD = ("程序归纳的文字", "程序统计的学校数")  # columns G and H, hidden (``review``)
_WIDTHS = (5, 30, 6, 34, 36, 30)
_PICKED = fill("FFE2EFDA")  # light green: these rows go onto the form
_MAX_NAMES = 40


def write_groups(ws: Worksheet, plan: Plan, section: Section) -> dict[str, Any]:
    """The sheet; returns the present values of its formulas by cell (``bulk_rows.fill_cached``)."""
    groups: list[ProblemGroup] = plan.problems.get(section.id, [])
    n = len(section.rows)
    intro = (f"前 {n} 行（绿色）填入“{plan.form.sheet}”的“{section.label}”。这是程序按各校所填的文字自动归纳的，"
             "报送前请核对：可以直接修改“问题”的文字和“学校数”，也可以调整行的顺序；保存后再汇总一次，上报版即用改后的文字。")
    set_text(ws.cell(1, 1), intro)
    ws.cell(1, 1).font, ws.cell(1, 1).alignment = font(bold=True), WRAP_TOP
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEAD))
    ws.row_dimensions[1].height = text_height(intro, sum(_WIDTHS))
    for i, label in enumerate(HEAD + HIDDEN_HEAD, start=1):
        head(put(ws, 2, i, label))
    cached: dict[str, Any] = {}
    heights = []
    for i, g in enumerate(groups):
        row = FIRST + i
        names = list(g.schools)
        shown = "、".join(names[:_MAX_NAMES]) + (f" 等 {len(names)} 所" if len(names) > _MAX_NAMES else "")
        values = (i + 1, g.text, g.weight, shown, "；".join(g.wordings))
        for col, value in enumerate(values, start=1):
            cell = put(ws, row, col, value)
            cell.alignment = CENTRE if col in (1, 3) else WRAP_TOP
        ws.cell(row, 6).value = f'=IF(B{row}="","",B{row}&IF(C{row}>1,"（"&C{row}&"校）",""))'
        ws.cell(row, 6).alignment = WRAP_TOP
        cached[f"F{row}"] = g.line()
        engine_text, engine_weight = g.grouped or (g.text, g.weight)
        put(ws, row, ENGINE_TEXT, engine_text)
        put(ws, row, ENGINE_WEIGHT, engine_weight)
        texts = ((g.text, _WIDTHS[1]), (shown, _WIDTHS[3]), (values[4], _WIDTHS[4]), (g.line(), _WIDTHS[5]))
        heights.append(wrapped_height(texts) + LINE_PT / 2)  # school names break at their 、 only: a margin
        ws.row_dimensions[row].height = heights[-1]
        for col in range(1, len(HEAD) + 1):
            ws.cell(row, col).border = GRID
        if i < n:
            for col in range(1, len(HEAD) + 1):
                ws.cell(row, col).fill = _PICKED
    set_widths(ws, _WIDTHS)
    for col in (ENGINE_TEXT, ENGINE_WEIGHT):
        ws.column_dimensions[col_letter(col)].hidden = True
    ws.freeze_panes = "C3"
    print_wide(ws, _WIDTHS, title_cols=2, title_rows="2:2", groups=(3, 4, 5, 6), body=heights)
    ws.print_area = f"A1:{col_letter(len(HEAD))}{max(FIRST + len(groups) - 1, 2)}"
    return cached


def upward_lines(plan: Plan, section: Section) -> dict[str, str]:
    """The form's line cells as plain text: the first groups' lines, in the clerk's words once she
    reviewed them. The upward form must stand alone: no formula into a sheet it does not carry."""
    cells = layout_of(plan.form).cells
    groups = plan.problems.get(section.id, [])
    return {cells[row.id]: groups[i].line() if i < len(groups) else "" for i, row in enumerate(section.rows)}


def form_lines(plan: Plan, section: Section, sheet: str) -> tuple[dict[str, str], dict[str, Any]]:
    """The form's line cells as formulas over the sheet's first rows, and their present values."""
    cells = layout_of(plan.form).cells
    groups = plan.problems.get(section.id, [])
    quoted = "'" + sheet.replace("'", "''") + "'"
    formulas, cached = {}, {}
    for i, row in enumerate(section.rows):
        ref = cells[row.id]
        formulas[ref] = f"=T(INDEX({quoted}!$F:$F,{FIRST + i}))"
        cached[ref] = groups[i].line() if i < len(groups) else ""
    return formulas, cached
