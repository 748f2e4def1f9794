"""汇总说明: what was summed, what is still missing, and what to do before handing it in.

Every next step is named as the window and the command line both say it (the catalogue's
``book`` wording, ``messages.ACTIONS``): a clerk reads this sheet in Excel, not in a terminal, so
it holds no shell command, and it names only sheets and screens that exist.
"""

from __future__ import annotations

from typing import Sequence

from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from ...collection.views.status import SchoolState
from ...messages import BOOK, Note
from ..xlstyle import RED, WRAP_TOP, font, page_setup, set_widths, text_height
from .cells import BOLD, names, put
from .coverage import warned_names
from .plan import INCLUDE_TEXT, Plan
from .review import sheet_label

DRAFT_NOTE = "含未通过校验的学校数据，仅供参考"
_VALUE_WIDTH = 76  # with the label column, a portrait page at about 75 %
_TITLE = font(16, bold=True)
_ALERT = font(bold=True, color=RED)


def write_cover(ws: Worksheet, plan: Plan, sheets: Sequence[tuple[str, str]], upward_name: str = "", *,
                coverage: str = "", blocked: Note | None = None, upward_detail: bool = False) -> None:
    """``sheets``: (name, what it holds) of every other sheet, in order; ``blocked``: why no
    upward version was written."""
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
    ]
    if coverage:
        rows.append(("表上写明", coverage, None))
    rows += [
        ("逾期报送", _count_and_names(late), None),
        ("未报送", _count_and_names(by_status["missing"]) + ("（已过截止日期）" if plan.overdue and by_status["missing"]
                                                             else ""), None),
        ("退回修改", _count_and_names(by_status["returned"]), None),
        ("待人工确认", _count_and_names(by_status["needs_review"]), None),
    ]
    if plan.unidentified or plan.unreadable:
        rows.append(("其他文件", _book("cover-other-files", unidentified=plan.unidentified,
                                   unreadable=plan.unreadable), None))
    warned = plan.warned
    rows.append(("未核实的提示", _book("cover-unconfirmed", n=len(warned), schools=warned_names(plan)) if warned
                 else "无（已计入汇总的学校没有尚未核实的提示）", _ALERT if warned else None))
    check = "；".join(f.message for f in plan.summary_findings) or "各项合计符合表内校验规则"
    rows.append(("汇总数据校验", check, _ALERT if plan.summary_findings else None))
    for section in form.sections:
        if section.id in plan.problems:
            rows.append((section.label, _book("cover-problems", form_sheet=form.sheet, label=section.label,
                                              n=len(plan.problems[section.id]), sheet=sheet_label(section)), _ALERT))
    if upward_name:
        key = "cover-upward-detail" if upward_detail else "cover-upward"
        rows.append(("报送上级", _book(key, name=upward_name, form_sheet=form.sheet), BOLD))
    elif blocked is not None:
        rows.append(("报送上级", blocked.render(BOOK), _ALERT))
    r = 3
    for label, value, look in rows:
        head = put(ws, r, 1, label)
        head.font, head.alignment = BOLD, WRAP_TOP  # beside its value's first line
        cell = put(ws, r, 2, value)
        cell.alignment = WRAP_TOP
        if look is not None:
            cell.font = look
        ws.row_dimensions[r].height = text_height(value, _VALUE_WIDTH)  # LibreOffice does not grow them
        r += 1
    r += 1
    put(ws, r, 1, "工作表").font = BOLD
    put(ws, r, 2, "内容").font = BOLD
    for name, what in sheets:
        r += 1
        put(ws, r, 1, name).alignment = WRAP_TOP
        put(ws, r, 2, what).alignment = WRAP_TOP
        ws.row_dimensions[r].height = text_height(what, _VALUE_WIDTH)
    set_widths(ws, (16, _VALUE_WIDTH))
    ws.sheet_view.showGridLines = False
    page_setup(ws)


def _book(key: str, **values) -> str:
    """A catalogue message as a workbook says it (no shell command: the window's words and the CLI's)."""
    return Note.of(key, **values).render(BOOK)


def _count_and_names(states: Sequence[SchoolState]) -> str:
    return f"{len(states)} 所" + (f"：{names(states)}" if states else "")
