"""The register as the rest of the tool reads it: every item's state on the engine's clock, the
督办单 a reading worker may see answered, and (``checks``, ``reminders``) what the register says
about a school's own figures and letters.

Light on purpose: ``collect`` and ``status`` read it, so it writes no file and imports no writer.
"""

from __future__ import annotations

from datetime import date

from ... import clock
from ..store.folder import Collection
from .answers import IssuedSheet
from .order import load_order
from .records import CLOSED, ItemState, item_states
from .store import Store


def register(col: Collection, today: date | None = None) -> list[ItemState]:
    """Every item and where it stands on ``today`` (the engine's clock), oldest first."""
    store = Store(col.ledger)
    items = store.items()
    if not items:
        return []
    schools = {s.id: s for s in col.ledger.schools(removed=True)}
    return item_states(items, schools, store.sheets(), store.events(), store.answers(),
                       today or clock.today(), load_order().near_days)


def issued_sheets(col: Collection) -> tuple[IssuedSheet, ...]:
    """The 督办单 issued, as a reading worker recognises their answers (``answers``)."""
    store = Store(col.ledger)
    sheets = store.sheets()
    if not sheets:
        return ()
    live = {i.item.sheet for i in register(col) if i.state != CLOSED and i.item.sheet}
    return tuple(IssuedSheet(s.number, s.school_id, s.number in live) for s in sheets)
