"""What the clerk pastes into a WeChat or QQ group: short, readable on a phone, one school at a time.

Schools mostly talk to the bureau in groups, not by e-mail. A letter's worth of findings does not
fit a chat bubble; three to six lines do: whom it is for (an @ the reporter sees), what to fix
(connected findings as one item with one fix, the first few; the rest are in the marked
workbook and the phone page), by when, and the clerk's own words if she added some. The same
deadline wording everywhere: "请于11月20日前", "今天是截止日期", "截止日期（11月20日）已过，请于
11月23日前报送". What it says is the school's ``notice``, as every other channel says it.
The 催报名单 lists the schools still owed, one line per 所属单位.
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

from ..collection.views.materials import owed_documents
from ..collection.store.settings import Settings
from ..collection.views.status import SchoolState
from ..form.declaration import Form
from ..findings import EXPLAIN, WARNING
from .dates import deadline_words, form_deadline, month_day, resubmit_date
from .notice import DOCUMENTS, REMINDER, RETURNED, SUPERVISE, Notice, notice_of, remark_of

MAX_LINES = 6  # a phone screen's worth, the marked workbook lists every item
MIN_LINES = 3


def addressee(state: SchoolState) -> str:
    """"某某区实验中学 @黄伟": the school, and the reporter the group notifies."""
    contact = (state.school.contact or "").strip()
    return f"{state.school.name} @{contact}" if contact else state.school.name


def chat_text(form: Form, settings: Settings, state: SchoolState, today: date, *, max_lines: int = MAX_LINES,
              kind: str = "", due: tuple[str, ...] = ()) -> str:
    """The school's news in three to six lines: sent back and why, asked to check, or reminded.
    ``kind``: what to tell (``notice``'s kinds), by default what the school's state asks for;
    ``due``: its rectification items to remind it of, as in its letter."""
    title = form.title(settings.name)
    remark = remark_of(state)
    tail = [f"区教育局：{remark}"] if remark else []
    if state.status == "exempt":
        return "\n".join([f"{addressee(state)}：《{title}》本次免报，不用报送。"] + tail)
    if state.status == "needs_review":
        return "\n".join([f"【已收到】{addressee(state)}：《{title}》的文件已收到，正在核对，稍后告知结果。"] + tail)
    notice = notice_of(form, settings, state, today, kind, due)
    if not notice.kind:
        return "\n".join([f"【已通过】{addressee(state)}：《{title}》已收到，已通过校验，谢谢！"] + tail)
    return chat_of(notice, addressee(state), max_lines=max_lines)


def chat_of(notice: Notice, who: str, *, max_lines: int = MAX_LINES) -> str:
    """A notice as a chat text: its head, the items that fit (errors first), by when, what is
    still owed, the clerk's words."""
    max_lines = max(MIN_LINES, max_lines)
    title, by = notice.title, month_day(notice.by)
    tail = ([notice.owed_words()] if notice.owed else []) + ([f"区教育局：{notice.remark}"] if notice.remark else [])
    if notice.kind == SUPERVISE:
        words = notice.due_words()
        return "\n".join([f"【整改督办】{who}：{words[0]}"] + words[1:] + tail)
    tail += notice.due_words()
    if notice.kind != REMINDER:
        tail = [f"另：{t}" for t in notice.unopened_words()[:1]] + tail
    if notice.kind == REMINDER:
        if notice.unopened:
            lines = [f"【请重新发送】{who}：关于《{title}》，{notice.unopened_words()[0]}。",
                     f"请于{by}前重新发到群里。"]
        else:
            lines = [f"【催报】{who}：《{title}》还没有收到贵校的报表，{notice.by_words()}。",
                     "表格在群文件/邮件附件中，填好后直接发到群里即可。"]
        lines += [f"另请核对：{item.short}" for item in notice.documents[:1]]
        return "\n".join(lines + tail)
    if notice.kind == DOCUMENTS:
        lines = [f"【催交材料】{who}：《{title}》已收到并通过，谢谢！", notice.owed_words(),
                 "材料请直接发到群里，文件名写上学校名称和材料名称。"]
        return "\n".join(lines + [f"另请核对：{item.short}" for item in notice.documents[:1]]
                         + [t for t in tail if t != notice.owed_words()])
    if notice.kind == RETURNED:
        head = f"【退回修改】{who}：《{title}》{notice.head_words()}："
        if notice.errors or notice.warnings:
            explain = "（需要说明的，数字确实无误可在“情况说明”表写明原因）" if notice.explain else ""
            last = f"请在原表上改好{explain}后，于{by}前重新发到群里。"
        else:  # only figures to explain
            last = f"数字确实无误的，请在原表的“情况说明”表写明原因，填错了的请改正，于{by}前重新发到群里。"
    elif notice.warnings:
        head = f"【请核对】{who}：《{title}》已收到并通过，{notice.counts()}："
        last = "确认无误回复“无误”即可，不用重新报送；如需修改，改好后重新发来。"
    else:  # the form is fine; a document it sent is not
        head = f"【请核对】{who}：贵校发来的材料{notice.counts()}："
        last = "确认无误回复“无误”即可；如发错了文件，请重新发来。"
    shown = [(n, item) for n, item in notice.numbered()]
    room = max_lines - 2 - len(tail)
    listed = shown if len(shown) <= room else shown[: max(room - 1, 1)]
    tags = {WARNING: "（请核对）" if notice.errors or notice.explain else "", EXPLAIN: "（需要说明）"}
    lines = [head] + [f"{n}. {tags.get(item.level, '')}{item.short}" for n, item in listed]
    if len(shown) > len(listed):
        lines.append(f"……另有 {len(shown) - len(listed)} 处，见标注好的表。")
    return "\n".join(lines + [last] + tail)


UNOPENED_IN_LIST = "（发来的文件打不开，请重新发送）"


def reminder_list(states: Sequence[SchoolState], settings: Settings, form: Form, today: date) -> str:
    """催报名单: the schools whose form is still owed, one line per 所属单位, for the group; then,
    where the collection asks for documents too, the schools that still owe some, and which."""
    title = form.title(settings.name)
    missing: dict[str, list[str]] = {}
    lacking: dict[str, list[str]] = {}
    for s in states:
        parent = s.school.parent.strip() or "其他"
        if s.status == "missing":  # one that sent only files we cannot open is told so, not just named
            missing.setdefault(parent, []).append(s.school.name + (UNOPENED_IN_LIST if s.files else ""))
        documents = [m.material.label for m in owed_documents(s.materials)]
        if documents and s.status != "exempt":
            lacking.setdefault(parent, []).append(f"{s.school.name}（{'、'.join(documents)}）")
    if not missing and not lacking:
        return f"《{title}》各校均已报送，谢谢！"
    lines = []
    if missing:
        total = sum(len(v) for v in missing.values())
        by = deadline_words(form_deadline(settings), today, resubmit_date(settings, today).by)
        lines += [f"【催报】《{title}》尚有 {total} 所学校未报送，{by}："]
        lines += [f"{parent}：{'、'.join(names)}" for parent, names in missing.items()]
    if lacking:
        total = sum(len(v) for v in lacking.values())
        lines += ([""] if lines else []) + [f"【催交材料】尚有 {total} 所学校的材料未交齐（括号内为还缺的材料），请尽快补交："]
        lines += [f"{parent}：{'、'.join(names)}" for parent, names in lacking.items()]
    return "\n".join(lines)
