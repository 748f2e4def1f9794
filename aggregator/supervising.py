"""The rectification register's verbs behind the front door: ``Session.supervision``.

Items the clerk adds or imports, 督办单 issued, 销号 and its undoing, the register listed or written
as 整改台账.xlsx, and the documents picked to recommend upward. Each verb takes plain arguments and
returns plain records (``ItemState``, ``IssueResult``, ``Pick``); the faces print or draw them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .collection.clerk import picks as _picks, supervise as _verbs
from .collection.clerk.picks import Pick
from .collection.store.folder import Collection
from .collection.clerk.supervise import IssueResult
from .collection.supervision.records import ItemState
from .collection.supervision.register import register

__all__ = ["IssueResult", "ItemState", "Pick", "Supervision"]


class Supervision:
    """The register of one open collection."""

    def __init__(self, col: Collection) -> None:
        self._col = col

    def items(self, today: date | None = None) -> list[ItemState]:
        """Every item in the register's order, each with its state on the engine's clock."""
        return register(self._col, today)

    def item(self, item_id: int | str) -> ItemState:
        return _verbs.item(self._col, item_id)

    def add(self, school: str, problem: str, requirement: str, due: str) -> ItemState:
        return _verbs.add_item(self._col, school, problem, requirement, due)

    def import_list(self, path: str | Path) -> list[ItemState]:
        """The inspectors' list, all of it or nothing (every bad row named)."""
        return _verbs.import_list(self._col, path)

    def issue(self, prefix: str | None = None) -> IssueResult:
        from .outputs.orders import order_files  # python-docx: loaded when a 督办单 is written

        return _verbs.issue(self._col, order_files, prefix)

    def close(self, item_id: int | str, note: str) -> ItemState:
        return _verbs.close(self._col, item_id, note)

    def reopen(self, item_id: int | str, note: str) -> ItemState:
        return _verbs.reopen(self._col, item_id, note)

    def write_register(self) -> Path:
        """整改台账.xlsx in ``summary/``."""
        from .outputs.register_file import write_register

        return write_register(self._col)

    def pick(self, material: str, school: str, note: str = "", *, undo: bool = False) -> Pick:
        """Recommend (or stop recommending) a school's document upward."""
        return _picks.pick(self._col, material, school, note, undo=undo)

    def picks(self) -> list[Pick]:
        return _picks.picks(self._col)
