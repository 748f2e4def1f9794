"""What each school was told, which way and when: every piece of feedback is a record.

A clerk tells a school in several ways: the tool sends the letter over SMTP (``mail``), she
pastes the chat text into the WeChat/QQ group (``chat``: 复制退回意见, 复制催报消息, 复制催报名单),
she phones or hands over a letter (``other``, in her words), or 生成反馈 writes the letter and
the chat text into ``feedback/`` for her to send by hand (``draft``: written, not known to be
sent). Each is a ``Told`` in the ledger, so the desktop's 反馈 column and ``status`` say what
went out and when, whichever way it went.

A record is about what the school must do (``kind``): send a corrected return (``returned``,
about that return, by its hash), check the warnings of one (``check``), or report at all
(``reminder``). Telling a school about an older version does not count for its new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from ... import clock
from .decisions import clerk
from ..store.folder import Collection

KINDS = ("returned", "check", "reminder", "supervise")  # supervise: a 督办单 went out (outputs.orders)
# channel -> how the window and status say it
CHANNELS = {"mail": "邮件", "chat": "群消息", "other": "其他方式", "draft": "草稿"}
SENT = ("mail", "chat", "other")  # the school was told; a draft was only written
NEEDS = {"returned": "returned", "missing": "reminder", "accepted_with_warnings": "check"}  # state -> kind


@dataclass(frozen=True)
class Told:
    school_id: str
    kind: str  # returned | check | reminder
    channel: str  # mail | chat | other | draft
    at: str
    sha256: str = ""  # the return it was about ("" for a reminder)
    by: str = ""
    detail: str = ""  # to whom (mail), the clerk's words (other), the files written (draft)

    @property
    def label(self) -> str:
        return CHANNELS[self.channel]

    @property
    def sent(self) -> bool:
        return self.channel in SENT

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "channel": self.channel, "label": self.label, "at": self.at,
                "by": self.by, "detail": self.detail}


@dataclass(frozen=True)
class Feedback:
    """Where a school stands on being told: what it must be told now (``need``: a kind, or ""
    when nothing), and the latest of what went out about that (``sent``) or was only written
    (``drafted``)."""

    need: str = ""
    sent: Told | None = None
    drafted: Told | None = None
    records: tuple[Told, ...] = ()  # every record about what it needs now, oldest first

    @property
    def unsent(self) -> bool:
        """Must be sent back or reminded, and nothing went out about it yet."""
        return self.need in ("returned", "reminder") and self.sent is None


NOTHING = Feedback()


def feedback_of(status: str, current_sha: str, records: Iterable[Told]) -> Feedback:
    """What counts of a school's records for where it stands now (``status``, its current return)."""
    need = NEEDS.get(status, "")
    if not need:
        return NOTHING
    mine = tuple(t for t in records if t.kind == need and (need == "reminder" or t.sha256 == current_sha))
    sent = next((t for t in reversed(mine) if t.sent), None)
    drafted = next((t for t in reversed(mine) if not t.sent), None)
    return Feedback(need, sent, drafted, mine)


def tell(col: Collection, records: Iterable[tuple[str, str, str, str, str]], now: datetime | None = None
         ) -> list[Told]:
    """Record what went out: (school id, kind, channel, sha256, detail) each, in one transaction."""
    at, by = (now or clock.now()).isoformat(timespec="seconds"), clerk()
    told = [Told(sid, kind, channel, at, sha, by, detail) for sid, kind, channel, sha, detail in records]
    for t in told:
        if t.kind not in KINDS or t.channel not in CHANNELS:
            raise ValueError(f"{t.kind}/{t.channel}")
    if told:
        with col.ledger.transaction():
            col.ledger.add_told([(t.school_id, t.kind, t.channel, t.sha256, t.at, t.by, t.detail) for t in told])
    return told


def told_by_school(col: Collection) -> dict[str, tuple[Told, ...]]:
    """Every record, by school, oldest first."""
    out: dict[str, list[Told]] = {}
    for row in col.ledger.told():
        out.setdefault(row[0], []).append(Told(*row))
    return {sid: tuple(ts) for sid, ts in out.items()}
