"""What ``feedback`` tells a school about its items: those not closed that are overdue or due
within the declared few days, one line each, worded once here and placed in the same letter and
chat text as everything else the school owes (or in a letter of their own when it owes nothing
else). Only items that went out on a 督办单 are reminded: the school has not seen the others.
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

from ..collection.folder import Collection
from ..collection.roster import School
from ..collection.settings import Settings
from .records import CLOSED
from .register import register

HEAD = "贵校以下整改事项临近或超过整改时限，请抓紧落实，并把整改报告、照片等材料报送（文件名写上督办单编号）："


def due_lines(col: Collection, today: date) -> dict[str, tuple[str, ...]]:
    """School id -> one line per item to remind it of, in the register's order."""
    out: dict[str, list[str]] = {}
    for i in register(col, today):
        if i.state == CLOSED or not i.item.sheet or not (i.overdue or i.near):
            continue
        due = date.fromisoformat(i.item.due)
        left = "已逾期 {} 天".format(-i.days_left) if i.overdue else "今天到期" if i.days_left == 0 \
            else f"还有 {i.days_left} 天"
        out.setdefault(i.school.id, []).append(f"{i.item.problem}（{i.item.sheet}，整改时限 {due.month}月{due.day}日，{left}）")
    return {sid: tuple(lines) for sid, lines in out.items()}


def due_block(lines: Sequence[str]) -> str:
    """The lines under one heading, numbered: what a letter or a chat text carries."""
    return "\n".join([HEAD] + [f"{n}. {line}" for n, line in enumerate(lines, start=1)]) if lines else ""


def due_chat(school: School, lines: Sequence[str]) -> str:
    """The chat text of a school that owes nothing but its items."""
    who = f"{school.name} @{school.contact.strip()}" if school.contact.strip() else school.name
    return f"【整改督办】{who}：{due_block(lines)}"


def due_letter(settings: Settings, school: School, lines: Sequence[str], today: date) -> str:
    from ..outputs.letters import greeting, signature

    return "\n".join([greeting(school), "", f"您好！{due_block(lines)}", "",
                      "整改完成后，请将填好的督办单和整改报告、佐证材料回复到本邮件或发到工作群。",
                      signature(settings, today)])
