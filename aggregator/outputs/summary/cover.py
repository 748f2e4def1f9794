"""汇总说明: what was summed, what is still missing, and what to do before handing it in."""

from __future__ import annotations

from typing import Sequence

from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from ...collection.views.status import SchoolState
from ..xlstyle import RED, WRAP_TOP, font, page_setup, set_widths, text_height
from .cells import BOLD, names, put
from .plan import INCLUDE_TEXT, Plan

DRAFT_NOTE = "含未通过校验的学校数据，仅供参考"
_VALUE_WIDTH = 76  # with the label column, a portrait page at about 75 %
_TITLE = font(16, bold=True)
_ALERT = font(bold=True, color=RED)


def hand_in(plan: Plan) -> str:
    """What the clerk must still do before the summary can go up: set our own reporter and phone
    (the upward version is written only then), whatever the form calls those fields."""
    missing = plan.unsigned
    if not missing:
        return ""
    return (f"未生成上报版：请先设置本级{'、'.join(missing)}（dudao settings 收集文件夹 --reporter 张三 "
            "--phone 0722-1234567，或在桌面程序的“设置”中填写），再汇总一次")


def write_cover(ws: Worksheet, plan: Plan, sheets: Sequence[tuple[str, str]], upward_name: str = "") -> None:
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
        ("未报送", _count_and_names(by_status["missing"]) + ("（已过截止日期）" if plan.overdue and by_status["missing"]
                                                             else ""), None),
        ("退回修改", _count_and_names(by_status["returned"]), None),
        ("待人工确认", _count_and_names(by_status["needs_review"]), None),
    ]
    if plan.unidentified or plan.unreadable:
        rows.append(("其他文件", f"收到的文件中另有 {plan.unidentified} 份未能确定是哪所学校、{plan.unreadable} 个无法读取，"
                                "均未计入汇总（详见收取文件的列表）", None))
    warned = plan.warned
    rows.append(("未核实的提示", (f"{len(warned)} 所已计入汇总的学校有尚未核实的提示：{names(warned)}。"
                                 "请与学校核实（dudao feedback --warnings 写“请核对”的反馈；核实后用 dudao confirm 记录）")
                 if warned else "无（已计入汇总的学校没有尚未核实的提示）", _ALERT if warned else None))
    check = "；".join(f.message for f in plan.summary_findings) or "各项合计符合表内校验规则"
    rows.append(("汇总数据校验", check, _ALERT if plan.summary_findings else None))
    for section, groups in plan.problems.items():
        label = next((s.label for s in form.sections if s.id == section), section)
        rows.append((label, f"“{form.sheet}”中的“{label}”是程序按各校所填的文字自动归纳的（共归纳为 {len(groups)} 类，"
                            f"见“{label}归纳”），报送前请核对，可在“{label}归纳”中直接修改", _ALERT))
    if upward_name:
        grouped = "".join(f"和“{s.label}归纳”" for s in form.sections if s.id in plan.problems)
        rows.append(("报送上级", f"请报送“{upward_name}”（与本文件在同一文件夹）：只含“{form.sheet}”{grouped}，"
                              "不含学校的联系方式和校验问题", BOLD))
    r = 3
    for label, value, look in rows:
        put(ws, r, 1, label).font = BOLD
        cell = put(ws, r, 2, value)
        cell.alignment = WRAP_TOP
        if look is not None:
            cell.font = look
        ws.row_dimensions[r].height = text_height(value, _VALUE_WIDTH)  # LibreOffice does not grow them
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
    set_widths(ws, (16, _VALUE_WIDTH))
    ws.sheet_view.showGridLines = False
    page_setup(ws)


def _count_and_names(states: Sequence[SchoolState]) -> str:
    return f"{len(states)} 所" + (f"：{names(states)}" if states else "")
