"""The clerk's verbs on the rectification register: add an item, import the inspectors' list,
close (销号) or reopen one. Each takes an open collection and plain arguments and returns plain
records; nothing here prints or renders (issuing the 督办单 is an output: ``outputs.orders``).

Every write is one ledger transaction: an imported list is all in or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from ... import clock
from ...messages import Note
from ..supervision.listing import check_item, read_list
from ..supervision.order import load_order
from ...atomic import write_atomic
from ...filenames import safe_file_name
from ..supervision.records import CLOSE, CLOSED, REOPEN, Item, ItemState, Sheet
from ..supervision.register import register
from ..supervision.store import Store
from ..store.folder import Collection, CollectionError
from ..store.names import NameIndex
from ..store.roster import School
from ..store.settings import Settings
from ..views.decisions import clerk

FOLDER = "supervision"  # in the collection folder: the 督办单 issued and their chat texts
TOLD_KIND = "supervise"  # what went out, among the school's feedback records
# One 督办单's files: (settings, its number, the school, the day, its items) -> (.docx, chat text) bytes.
Render = Callable[[Settings, str, School, date, list[Item]], tuple[bytes, bytes]]


def item(col: Collection, item_id: int | str) -> ItemState:
    found = next((i for i in register(col) if str(i.item.id) == str(item_id).strip().lstrip("#")), None)
    if found is None:
        raise CollectionError(Note.of("no-such-item", item=item_id))
    return found


def add_item(col: Collection, school: str, problem: str, requirement: str, due: str) -> ItemState:
    """One item the clerk found; refused with every reason at once."""
    order = load_order()
    schools = col.schools()
    new, wrong = check_item(order, NameIndex({s.id: s.name for s in schools}, col.settings.levels), school.strip(),
                            problem.strip(), requirement.strip(), due.strip())
    if new is None:
        raise CollectionError("；".join(wrong))
    store = Store(col.ledger)
    with col.ledger.transaction():
        (new_id,) = store.add_items([new], clock.stamp(), clerk())
    return item(col, new_id)


def import_list(col: Collection, path: str | Path) -> list[ItemState]:
    """The inspectors' list, whole (``listing.ImportRefused`` names every bad row)."""
    store = Store(col.ledger)
    new = read_list(Path(path), load_order(), col.schools(), col.settings.levels, store.items())
    with col.ledger.transaction():
        ids = set(store.add_items(new, clock.stamp(), clerk()))
    return [i for i in register(col) if i.item.id in ids]


def close(col: Collection, item_id: int | str, note: str) -> ItemState:
    """销号: the item is rectified, as the clerk verified (``note``: on what grounds)."""
    return _event(col, item_id, CLOSE, note)


def reopen(col: Collection, item_id: int | str, note: str) -> ItemState:
    """Undo a 销号 (the rectification did not hold): the item is open again, and only
    documents received from now on answer it."""
    return _event(col, item_id, REOPEN, note)


def _event(col: Collection, item_id: int | str, kind: str, note: str) -> ItemState:
    found = item(col, item_id)
    if kind == CLOSE and found.state == CLOSED:
        raise CollectionError(Note.of("item-closed-already", item=found.item.id, at=found.closed_at.replace("T", " ")[:16]))
    if kind == REOPEN and found.state != CLOSED:
        raise CollectionError(Note.of("item-not-closed", item=found.item.id))
    if not note.strip():
        what = "销号的依据（如：已查看整改报告和照片，问题已整改到位）" if kind == CLOSE else "撤销销号的原因"
        raise CollectionError(Note.of("item-note-required", what=what))
    with col.ledger.transaction():
        Store(col.ledger).add_event(found.item.id, kind, note.strip(), clock.stamp(), clerk())
    return item(col, found.item.id)


@dataclass(frozen=True)
class Issued:
    number: str
    school: str
    items: tuple[int, ...]
    docx: Path
    chat: Path


@dataclass
class IssueResult:
    folder: Path
    sheets: list[Issued] = field(default_factory=list)


def issue(col: Collection, files: Render, prefix: str | None = None) -> IssueResult:
    """One 督办单 per school for its items not yet issued, numbered on from the last one; each
    as a .docx and a chat text in ``supervision/`` (``files`` makes their bytes: an output, given
    by the session), recorded as a draft that went out. The number, its items and the record are
    written in one transaction, after the files are in place (atomically)."""
    if prefix is not None and prefix.strip() != col.settings.order_prefix:
        col.change_settings(order_prefix=prefix.strip())
    order = load_order()
    store = Store(col.ledger)
    folder = col.folder(FOLDER)
    result = IssueResult(folder)
    today = clock.today()
    by, at = clerk(), clock.stamp()
    waiting: dict[str, list] = {}
    for i in store.items():
        if not i.sheet:
            waiting.setdefault(i.school_id, []).append(i)
    if not waiting:
        return result
    schools = {s.id: s for s in col.ledger.schools(removed=True)}
    order_by = {s.id: n for n, s in enumerate(col.schools())}
    head = order.prefix(col.settings.order_prefix, today.year)
    with col.ledger.transaction():
        seq = store.next_seq()
        told = []
        for school_id in sorted(waiting, key=lambda sid: order_by.get(sid, len(order_by))):
            school = schools[school_id]
            number = order.number(head, seq)
            docx_bytes, chat_bytes = files(col.settings, number, school, today, waiting[school_id])
            stem = safe_file_name(f"{number}-{school.name}-督办单", fallback="督办单")
            docx, chat = folder / f"{stem}.docx", folder / f"{stem}.txt"
            write_atomic(docx, docx_bytes)
            write_atomic(chat, chat_bytes)
            store.add_sheet(Sheet(number, seq, school_id, at, by, docx.relative_to(col.root).as_posix()),
                            [i.id for i in waiting[school_id]])
            told.append((school_id, TOLD_KIND, "draft", "", at, by, f"{docx.name}、{chat.name}"))
            result.sheets.append(Issued(number, school.name, tuple(i.id for i in waiting[school_id]), docx, chat))
            seq += 1
        col.ledger.add_told(told)
    return result
