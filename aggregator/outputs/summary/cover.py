"""汇总说明: what was summed, what is still missing, and what to do before handing it in."""

from __future__ import annotations

from typing import Sequence

from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from ...collection.status import SchoolState
from ..xlstyle import RED, WRAP_TOP, font, page_setup, set_widths
from .cells import BOLD, names, put
from .plan import INCLUDE_TEXT, Plan

DRAFT_NOTE = "含未通过校验的学校数据，仅供参考"
_TITLE = font(16, bold=True)
_ALERT = font(bold=True, color=RED)


def hand_in(plan: Plan) -> str:
    """What the clerk must still fill in on the form before it goes up: the form's own reporter
    and phone fields, whatever the form calls them."""
    missing = [f.label for f in (plan.form.role("reporter"), plan.form.role("phone")) if f is not None]
    if not missing:
        return ""
    return f"报送上级前请在“{plan.form.sheet}”中填写{'和'.join(missing)}"


def write_cover(ws: Worksheet, plan: Plan, sheets: Sequence[tuple[str, str]]) -> None:
    """``sheets``: (name, what it holds) of every other sheet, in order."""
    form, states = plan.form, plan.states
    late = [s for s in states if s.late]
    by_status = {k: [s for s in states if s.status == k] for k in ("missing", "returned", "needs_review")}
    title = ws.cell(1, 1)
    put(ws, 1, 1, f"{form.title(plan.district)}（汇总）")
    title.font = _TITLE
    ws.merge_cells("A1:B1")
    rows: list[tuple[str, str, Font | None]] = []
    if plan.draft:
        rows.append(("注意", f"本汇总{DRAFT_NOTE}，不能作为正式汇总报送", _ALERT))
    rows += [
        ("汇总单位", plan.district, None),
        ("报表", f"{form.annex} {form.title(plan.district)}".strip(), None),
        ("生成时间", plan.generated.strftime("%Y-%m-%d %H:%M"), None),
        ("截止日期", plan.deadline or "未设置", None),
        ("汇总范围", INCLUDE_TEXT[plan.include], _ALERT if plan.draft else None),
        ("完成情况", f"已汇总 {len(plan.included)} / 应报 {len(states)}", BOLD),
        ("逾期报送", _count_and_names(late), None),
        ("未报送", _count_and_names(by_status["missing"]), None),
        ("退回修改", _count_and_names(by_status["returned"]), None),
        ("待人工确认", _count_and_names(by_status["needs_review"]), None),
    ]
    if plan.unidentified or plan.unreadable:
        rows.append(("其他文件", f"收到的文件中另有 {plan.unidentified} 份未能确定是哪所学校、{plan.unreadable} 个无法读取，"
                                "均未计入汇总（详见收取文件的列表）", None))
    check = "；".join(f.message for f in plan.summary_findings) or "各项合计符合表内校验规则"
    rows.append(("汇总数据校验", check, _ALERT if plan.summary_findings else None))
    r = 3
    for label, value, look in rows:
        put(ws, r, 1, label).font = BOLD
        cell = put(ws, r, 2, value)
        cell.alignment = WRAP_TOP
        if look is not None:
            cell.font = look
        r += 1
    todo = hand_in(plan)
    if todo:
        r += 1
        put(ws, r, 1, todo).font = _ALERT
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
    r += 2
    put(ws, r, 1, "工作表").font = BOLD
    put(ws, r, 2, "内容").font = BOLD
    for name, what in sheets:
        r += 1
        put(ws, r, 1, name)
        put(ws, r, 2, what)
    set_widths(ws, (16, 90))
    ws.sheet_view.showGridLines = False
    page_setup(ws)


def _count_and_names(states: Sequence[SchoolState]) -> str:
    return f"{len(states)} 所" + (f"：{names(states)}" if states else "")
