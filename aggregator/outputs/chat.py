"""What the clerk pastes into a WeChat or QQ group: short, readable on a phone, one school at a time.

Schools mostly talk to the bureau in groups, not by e-mail. A letter's worth of findings does not
fit a chat bubble; three to six lines do: whom it is for (an @ the reporter sees), what to fix
(connected findings as one item with one fix, the first few; the rest are in the marked
workbook and the phone page), by when, and the clerk's own words if she added some. The same
deadline wording everywhere: "请于11月20日前", "今天是截止日期", "截止日期（11月20日）已过".
The 催报名单 lists the schools still owed, one line per 所属单位.
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

from ..findings import ERROR, EXPLAIN, WARNING
from ..filenames import display_name
from ..collection.views.materials import owed_documents
from ..collection.store.settings import Settings
from ..collection.views.status import SchoolState
from ..form.declaration import Form
from .items import items_of

MAX_LINES = 6  # a phone screen's worth, the marked workbook lists every item
MIN_LINES = 3


def deadline_words(settings: Settings, today: date, *, again: bool = False) -> str:
    """By when, in a few words; ``again``: for a return that must be sent once more."""
    verb = "重新报送" if again else "报送"
    if not settings.deadline:
        return f"请尽快{verb}"
    end = date.fromisoformat(settings.deadline)
    if today > end:
        return f"截止日期（{end.month}月{end.day}日）已过，请尽快{verb}"
    if today == end:
        return f"今天（{end.month}月{end.day}日）是截止日期，请在今天内{verb}"
    return f"请于{end.month}月{end.day}日前{verb}"


def owed_line(state: SchoolState, settings: Settings, today: date) -> str:
    """"还缺：督导工作落实情况报告（11月20日前）": the documents a school still owes beside the
    form (whose own state every text already tells), each with its own deadline; "" when none."""
    owed = owed_documents(state.materials)
    if not owed or state.status == "exempt":
        return ""

    def when(deadline: str) -> str:
        if not deadline:
            return "请尽快报送"
        end = date.fromisoformat(deadline)
        return f"{end.month}月{end.day}日前" if today <= end else f"{end.month}月{end.day}日已截止，请尽快补交"

    parts = [f"{m.material.label}（{'需重交，' if m.status == 'returned' else ''}"
             f"{when(m.material.deadline or settings.deadline)}）" for m in owed]
    return "还缺：" + "、".join(parts)


def _who(state: SchoolState) -> str:
    """"曾都区实验中学 @黄伟": the school, and the reporter the group notifies."""
    contact = (state.school.contact or "").strip()
    return f"{state.school.name} @{contact}" if contact else state.school.name


def chat_text(form: Form, settings: Settings, state: SchoolState, today: date, *, max_lines: int = MAX_LINES) -> str:
    """The school's news in three to six lines: sent back and why, asked to check, or reminded."""
    max_lines = max(MIN_LINES, max_lines)
    title = form.title(settings.name)
    remark = next((d.note for d in state.decisions if d.kind == "remark" and d.note), "")
    owes = owed_line(state, settings, today)
    tail = ([owes] if owes else []) + ([f"区教育局：{remark}"] if remark else [])
    if state.status == "missing":
        head = f"【催报】{_who(state)}：《{title}》还没有收到贵校的报表，{deadline_words(settings, today)}。"
        lines = [head]
        for f in state.files[:1]:
            lines.append(f"贵校发来的文件“{display_name(f.original_name)}”无法打开：{f.reason}")
        lines.append("表格在群文件/邮件附件中，填好后直接发到群里即可。")
        return "\n".join(lines + tail)
    if state.status == "exempt":
        return "\n".join([f"{_who(state)}：《{title}》本次免报，不用报送。"] + tail)
    if state.status == "needs_review":
        return "\n".join([f"【已收到】{_who(state)}：《{title}》的文件已收到，正在核对，稍后告知结果。"] + tail)
    returned = state.status == "returned"
    if not returned and not any(f.level == WARNING for f in state.findings):
        if owes:  # the form is done; the documents are not
            return "\n".join([f"【催交材料】{_who(state)}：《{title}》已收到并通过，谢谢！", owes,
                              "材料请直接发到群里，文件名写上学校名称和材料名称。"] + tail[1:])
        return "\n".join([f"【已通过】{_who(state)}：《{title}》已收到，已通过校验，谢谢！"] + tail)
    items = items_of(f for f in state.findings if f.level in ((ERROR, WARNING, EXPLAIN) if returned else (WARNING,)))
    if returned:
        errors = [i for i in items if i.level == ERROR]
        shown = errors or items
        head = f"【退回修改】{_who(state)}：《{title}》有 {len(errors)} 处需要修改："
        last = f"请在原表上改好后重新发到群里，{deadline_words(settings, today, again=True)}。"
    else:
        shown = items
        head = f"【请核对】{_who(state)}：《{title}》已收到并通过，有 {len(items)} 处请核对："
        last = "确认无误回复“无误”即可，不用重新报送；如需修改，改好后重新发来。"
    room = max_lines - 2 - len(tail)
    listed = shown if len(shown) <= room else shown[: max(room - 1, 1)]
    lines = [head] + [f"{i}. {item.short}" for i, item in enumerate(listed, start=1)]
    if len(shown) > len(listed):
        lines.append(f"……另有 {len(shown) - len(listed)} 处，见标注好的表。")
    return "\n".join(lines + [last] + tail)


def reminder_list(states: Sequence[SchoolState], settings: Settings, form: Form, today: date) -> str:
    """催报名单: the schools whose form is still owed, one line per 所属单位, for the group; then,
    where the collection asks for documents too, the schools that still owe some, and which."""
    title = form.title(settings.name)
    missing: dict[str, list[str]] = {}
    lacking: dict[str, list[str]] = {}
    for s in states:
        parent = s.school.parent.strip() or "其他"
        if s.status == "missing":
            missing.setdefault(parent, []).append(s.school.name)
        documents = [m.material.label for m in owed_documents(s.materials)]
        if documents and s.status != "exempt":
            lacking.setdefault(parent, []).append(f"{s.school.name}（{'、'.join(documents)}）")
    if not missing and not lacking:
        return f"《{title}》各校均已报送，谢谢！"
    lines = []
    if missing:
        total = sum(len(v) for v in missing.values())
        lines += [f"【催报】《{title}》尚有 {total} 所学校未报送，{deadline_words(settings, today)}："]
        lines += [f"{parent}：{'、'.join(names)}" for parent, names in missing.items()]
    if lacking:
        total = sum(len(v) for v in lacking.values())
        lines += ([""] if lines else []) + [f"【催交材料】尚有 {total} 所学校的材料未交齐（括号内为还缺的材料），请尽快补交："]
        lines += [f"{parent}：{'、'.join(names)}" for parent, names in lacking.items()]
    return "\n".join(lines)
