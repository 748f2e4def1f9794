"""The clerk decides, and says why: every overrule is a record in the ledger.

The tool advises; the clerk decides. Accepting a return despite its errors (she knows the missing
phone number), sending a passed one back, exempting a school (免报), confirming a warning she
checked with the school, setting aside a junk file or saying which school sent it, changing the
roster: each is a ``Decision`` with who, when and why, shown in ``status`` and in the summary.
Nothing is deleted: undoing a decision revokes it, and the record stays.

A decision about a return names the return (its file's hash): a school that sends a new version
is judged afresh, as the clerk would want.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from ... import clock
from ...messages import Note
from ..store.folder import Collection, CollectionError
from ..store.ledger import ReturnRecord

# kind -> how a person says it
KINDS = {
    "accept": "仍然通过",
    "send_back": "退回",
    "exempt": "免报",
    "confirm": "已核实提示",
    "ignore": "忽略文件",
    "tie": "文件属于",
    "remark": "区教育局说明",  # the clerk's own words, added to the school's next letter
    "corrected": "由区教育局修改",  # the clerk corrected the school's workbook herself and collected it
    "pick": "推荐",  # a school's document recommended upward (rule: the material's id; picks)
    "school_add": "增加学校",
    "school_edit": "修改学校",
    "school_remove": "移除学校",
}
ON_RETURN = ("accept", "send_back", "confirm", "corrected")  # about one return (a file) of a school
ON_FILE = ("ignore", "tie")  # about a received file that is no return


@dataclass(frozen=True)
class Decision:
    id: int
    kind: str
    school_id: str  # "" when about a file alone
    sha256: str  # the return's or the file's; "" for a school-wide decision
    rule: str  # the warning confirmed ("confirm")
    note: str  # why, in the clerk's words
    at: str
    by: str
    revoked_at: str = ""

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "label": self.label, "rule": self.rule, "note": self.note, "at": self.at,
                "by": self.by}


def clerk() -> str:
    """Who decided: the Windows (or other) account name; the ledger may be shared in an office."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment (a service account)
        return ""


def decide(col: Collection, kind: str, *, school_id: str = "", sha256: str = "", rule: str = "",
           note: str = "", now: datetime | None = None) -> Decision:
    if kind not in KINDS:
        raise ValueError(kind)
    at = (now or clock.now()).isoformat(timespec="seconds")
    with col.ledger.transaction():
        rid = col.ledger.add_decision(kind, school_id, sha256, rule, note.strip(), at, clerk())
    return Decision(rid, kind, school_id, sha256, rule, note.strip(), at, clerk())


def revoke(col: Collection, decision: Decision, now: datetime | None = None) -> None:
    with col.ledger.transaction():
        col.ledger.revoke_decision(decision.id, (now or clock.now()).isoformat(timespec="seconds"))


def decisions(col: Collection) -> list[Decision]:
    """Every decision in force, oldest first."""
    return [Decision(*row) for row in col.ledger.decisions()]


@dataclass(frozen=True)
class Verdicts:
    """What the decisions in force say about one school and its current return."""

    accepted: Decision | None = None  # 仍然通过
    sent_back: Decision | None = None  # 退回
    exempt: Decision | None = None  # 免报
    confirmed: tuple[Decision, ...] = ()  # warnings confirmed, by rule
    remark: Decision | None = None  # the clerk's words for the school's next letter
    corrected: Decision | None = None  # the current return is the clerk's corrected copy

    @property
    def confirmed_rules(self) -> frozenset[str]:
        return frozenset(d.rule for d in self.confirmed)

    def all(self) -> tuple[Decision, ...]:
        shown = (self.accepted, self.sent_back, self.exempt, self.remark, self.corrected)
        return tuple(d for d in shown if d) + self.confirmed


NONE = Verdicts()


def verdicts(found: Iterable[Decision], school_id: str, current: ReturnRecord | None) -> Verdicts:
    """The decisions about ``school_id`` that apply now: school-wide ones, and those about its
    current return (a decision about an older version no longer applies)."""
    sha = current.sha256 if current else ""
    mine = [d for d in found if d.school_id == school_id and (d.kind not in ON_RETURN or d.sha256 == sha)]
    if not mine:  # most schools, most of the time
        return NONE
    last = {kind: next((d for d in reversed(mine) if d.kind == kind), None)
            for kind in ("accept", "send_back", "exempt", "remark", "corrected")}
    accepted, sent_back = last["accept"], last["send_back"]
    if accepted and sent_back:  # the later of the two stands
        if accepted.id > sent_back.id:
            sent_back = None
        else:
            accepted = None
    return Verdicts(accepted, sent_back, last["exempt"], tuple(d for d in mine if d.kind == "confirm"),
                    last["remark"], last["corrected"])


def find_school(col: Collection, name: str):
    """A roster school by the name the clerk typed (small differences forgiven)."""
    from ..store.names import NameIndex

    schools = col.schools()
    sid = NameIndex({s.id: s.name for s in schools}, col.settings.levels).match(name)
    if sid is None:
        raise CollectionError(Note.of("unknown-school", school=name))
    return next(s for s in schools if s.id == sid)
