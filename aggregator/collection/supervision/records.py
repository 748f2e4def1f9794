"""The register's records: items as kept, the 督办单 they went out on, the clerk's close/reopen
records, the documents that answered them, and each item's state worked out from those.

States are not stored, as a school's are not: an item is ``closed`` (已销号) when the clerk's last
record about it closes it; else ``answered`` (已反馈待核) when a document answering its 督办单
came after the last reopening; else ``open`` (未整改). An item not closed after its deadline is
overdue, on the engine's clock, whatever its state; one due within a few days is near.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

from ...filenames import display_name
from ..store.roster import School

OPEN, ANSWERED, CLOSED = "open", "answered", "closed"
STATES = (OPEN, ANSWERED, CLOSED)
STATE_LABELS = {OPEN: "未整改", ANSWERED: "已反馈待核", CLOSED: "已销号"}
CLOSE, REOPEN = "close", "reopen"
EVENT_LABELS = {CLOSE: "销号", REOPEN: "撤销销号"}
ANSWER_BY = {"number": "按编号", "keywords": "按学校和关键词", "clerk": "人工指定"}


@dataclass(frozen=True)
class Item:
    """One problem found at one school, as the ledger keeps it."""

    id: int
    school_id: str
    problem: str
    requirement: str
    due: str  # YYYY-MM-DD
    created_at: str
    created_by: str = ""
    source: str = ""  # "clerk", or the inspectors' list and its row: "问题清单.xlsx 第 3 行"
    sheet: str = ""  # the 编号 of the 督办单 it went out on; "" until issued


@dataclass(frozen=True)
class Sheet:
    """A 督办单 issued: its 编号, running number, school, when, by whom, the file written."""

    number: str
    seq: int
    school_id: str
    issued_at: str
    by: str = ""
    file: str = ""


@dataclass(frozen=True)
class Event:
    """The clerk closed an item (销号) or reopened it, and why."""

    id: int
    item_id: int
    kind: str  # close | reopen
    note: str
    at: str
    by: str = ""

    @property
    def label(self) -> str:
        return EVENT_LABELS[self.kind]


@dataclass(frozen=True)
class Answer:
    """A received document that answers a 督办单 (its evidence), and how it was recognised."""

    sha256: str
    sheet: str
    by: str  # number | keywords | clerk
    at: str  # when it was collected
    original_name: str = ""
    archived: str = ""

    @property
    def name(self) -> str:
        """The file's name as the clerk recognises it (no download folder in front)."""
        return display_name(self.original_name)


@dataclass(frozen=True)
class NewItem:
    """An item before it is stored: what the clerk typed or a row of the inspectors' list."""

    school_id: str
    problem: str
    requirement: str
    due: str
    source: str = "clerk"


@dataclass(frozen=True)
class ItemState:
    """One row of the register: the item, whose it is, and where it stands today."""

    item: Item
    school: School
    sheet: Sheet | None
    state: str
    overdue: bool
    near: bool  # not closed, and due within ``near_days``
    days_left: int  # until the deadline (negative: days overdue)
    answers: tuple[Answer, ...] = ()
    events: tuple[Event, ...] = ()

    @property
    def closed_at(self) -> str:
        return self.events[-1].at if self.state == CLOSED else ""

    @property
    def note(self) -> str:
        """The clerk's words on the last close or reopen."""
        return self.events[-1].note if self.events else ""

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def time_left(self) -> str:
        """"已逾期 3 天", "今天到期" or "还有 5 天" ("" once closed): its deadline, as the school's
        reminder and the clerk's window both say it."""
        if self.state == CLOSED:
            return ""
        if self.overdue:
            return f"已逾期 {-self.days_left} 天"
        return "今天到期" if self.days_left == 0 else f"还有 {self.days_left} 天"

    @property
    def colour(self) -> str:
        """closed (green), overdue (red), near (yellow) or "": how the register marks the row."""
        return "closed" if self.state == CLOSED else "overdue" if self.overdue else "near" if self.near else ""

    def to_json(self) -> dict[str, Any]:
        """``supervise list --json``: these keys, and no others (a stable contract)."""
        i = self.item
        return {"id": i.id, "sheet": i.sheet or None, "school": self.school.name, "unit": self.school.parent,
                "problem": i.problem, "requirement": i.requirement, "due": i.due,
                "issued_at": self.sheet.issued_at if self.sheet else None, "state": self.state,
                "overdue": self.overdue, "evidence": [a.name for a in self.answers],
                "closed_at": self.closed_at or None, "note": self.note or None}


def item_states(items: Iterable[Item], schools: dict[str, School], sheets: Iterable[Sheet],
                events: Iterable[Event], answers: Iterable[Answer], today: date, near_days: int
                ) -> list[ItemState]:
    """Every item's state on ``today``, in the order given (the ledger's: by id)."""
    by_number = {s.number: s for s in sheets}
    mine: dict[int, list[Event]] = {}
    for e in sorted(events, key=lambda e: e.id):
        mine.setdefault(e.item_id, []).append(e)
    answered: dict[str, list[Answer]] = {}
    for a in answers:
        answered.setdefault(a.sheet, []).append(a)
    out = []
    for item in items:
        school = schools.get(item.school_id) or School(item.school_id, item.school_id)
        history = tuple(mine.get(item.id, ()))
        got = tuple(answered.get(item.sheet, ())) if item.sheet else ()
        last = history[-1] if history else None
        if last is not None and last.kind == CLOSE:
            state = CLOSED
        else:
            since = last.at if last is not None else ""  # reopened: only what came after counts
            state = ANSWERED if any(a.at > since for a in got) else OPEN
        left = (date.fromisoformat(item.due) - today).days
        live = state != CLOSED
        out.append(ItemState(item, school, by_number.get(item.sheet), state, live and left < 0,
                             live and 0 <= left <= near_days, left, got, history))
    return out
