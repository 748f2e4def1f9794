"""Which of a school's items ``feedback`` reminds it of: those not closed that are overdue or
due within the declared few days, one line each. They become part of the school's one notice
(``outputs.notice``: ``due``), told in the same letter and chat text as everything else it owes, or
alone when it owes nothing else. Only items that went out on a 督办单 are reminded: the school
has not seen the others.
"""

from __future__ import annotations

from datetime import date

from ..store.folder import Collection
from .records import CLOSED
from .register import register


def due_lines(col: Collection, today: date) -> dict[str, tuple[str, ...]]:
    """School id -> one line per item to remind it of, in the register's order."""
    out: dict[str, list[str]] = {}
    for i in register(col, today):
        if i.state == CLOSED or not i.item.sheet or not (i.overdue or i.near):
            continue
        due = date.fromisoformat(i.item.due)
        out.setdefault(i.school.id, []).append(
            f"{i.item.problem}（{i.item.sheet}，整改时限 {due.month}月{due.day}日，{i.time_left}）")
    return {sid: tuple(lines) for sid, lines in out.items()}
