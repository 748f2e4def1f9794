"""What the clerk pastes into a WeChat or QQ group: short, readable on a phone, one school at a time.

Schools mostly talk to the bureau in groups, not by e-mail. A letter's worth of findings does not
fit a chat bubble; three to six lines do: whose return, what to fix (the first few, the rest in
the marked workbook), by when. The 催报名单 lists the schools still owed, one line per 所属单位.
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

from ..checks.findings import ERROR, WARNING
from ..collection.settings import Settings
from ..collection.status import SchoolState
from ..form.declaration import Form

MAX_LINES = 3  # problems named in the text; the marked workbook lists every one


def deadline_words(settings: Settings, today: date) -> str:
    if not settings.deadline:
        return "请尽快报送"
    end = date.fromisoformat(settings.deadline)
    if today > end:
        return f"截止日期（{end.month}月{end.day}日）已过，请尽快报送"
    if today == end:
        return "今天是截止日期，请在今天内报送"
    return f"请于{end.month}月{end.day}日前报送"


def chat_text(form: Form, settings: Settings, state: SchoolState, today: date) -> str:
    """The school's news in a few lines: sent back and why, or a friendly check, or a reminder."""
    title = form.title(settings.name)
    name = state.school.name
    remark = next((d.note for d in state.decisions if d.kind == "remark"), "")
    if state.status == "missing":
        lines = [f"【催报】{name}：《{title}》还没有收到贵校的报表，{deadline_words(settings, today)}。"]
    else:
        errors = [f for f in state.findings if f.level == ERROR]
        warnings = [f for f in state.findings if f.level == WARNING]
        shown = errors or warnings
        head = "【退回修改】" if state.status == "returned" else "【请核对】"
        count = f"{len(errors)} 处需要修改" if errors else f"{len(warnings)} 处请核对"
        lines = [f"{head}{name}：《{title}》有 {count}："]
        lines += [f"{i}. {f.message}" for i, f in enumerate(shown[:MAX_LINES], start=1)]
        if len(shown) > MAX_LINES:
            lines.append(f"……另有 {len(shown) - MAX_LINES} 处，见标注好的表。")
        lines.append(f"请在原表上改好后重新发送，{deadline_words(settings, today)}。")
    if remark:
        lines.append(f"区教育局：{remark}")
    return "\n".join(lines)


def reminder_list(states: Sequence[SchoolState], settings: Settings, form: Form, today: date) -> str:
    """催报名单: the schools still owed, one line per 所属单位, for the group."""
    owed: dict[str, list[str]] = {}
    for s in states:
        if s.status == "missing":
            owed.setdefault(s.school.parent.strip() or "其他", []).append(s.school.name)
    if not owed:
        return f"《{form.title(settings.name)}》各校均已报送，谢谢！"
    total = sum(len(v) for v in owed.values())
    lines = [f"【催报】《{form.title(settings.name)}》尚有 {total} 所学校未报送，{deadline_words(settings, today)}："]
    lines += [f"{parent}：{'、'.join(names)}" for parent, names in owed.items()]
    return "\n".join(lines)
