"""The clerk's verbs on the rectification register: add an item, import the inspectors' list,
close (销号) or reopen one. Each takes an open collection and plain arguments and returns plain
records; nothing here prints or renders (issuing the 督办单 is an output: ``outputs.orders``).

Every write is one ledger transaction: an imported list is all in or not at all.
"""

from __future__ import annotations

from pathlib import Path

from ... import clock
from ...messages import Note
from ...supervision.listing import check_item, read_list
from ...supervision.order import load_order
from ...supervision.records import CLOSE, CLOSED, REOPEN, ItemState
from ...supervision.register import register
from ...supervision.store import Store
from ..store.folder import Collection, CollectionError
from ..store.names import NameIndex
from ..views.decisions import clerk

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
    new = read_list(Path(path), load_order(), col.schools(), col.settings.name, store.items())
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
        raise CollectionError(f"第 {found.item.id} 项已于 {found.closed_at.replace('T', ' ')[:16]} 销号")
    if kind == REOPEN and found.state != CLOSED:
        raise CollectionError(f"第 {found.item.id} 项还没有销号，不需要撤销")
    if not note.strip():
        what = "销号的依据（如：已查看整改报告和照片，问题已整改到位）" if kind == CLOSE else "撤销销号的原因"
        raise CollectionError(Note.of("item-note-required", what=what))
    with col.ledger.transaction():
        Store(col.ledger).add_event(found.item.id, kind, note.strip(), clock.stamp(), clerk())
    return item(col, found.item.id)
