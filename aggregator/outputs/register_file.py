"""Save the register as ``summary/整改台账.xlsx`` (by ``consolidate`` and ``supervise register``):
atomically, and beside a copy the clerk has open in Excel ("(2)") rather than over it."""

from __future__ import annotations

from pathlib import Path

from .. import clock
from ..collection.store.folder import Collection, CollectionError
from .free_name import write_free
from .register_book import register_workbook
from ..collection.supervision.order import load_order
from ..collection.supervision.register import register
from ..messages import Note

FILE = "整改台账.xlsx"


def write_if_any(col: Collection) -> Path | None:
    """What ``consolidate`` calls: the register beside the summary, when there is one."""
    return write_register(col) if register(col) else None


def write_register(col: Collection) -> Path:
    """The register as it stands today; ``CollectionError`` when there is no item yet."""
    items = register(col)
    if not items:
        raise CollectionError("整改台账中还没有任何问题：先用 dudao supervise 文件夹 add 或 import 登记问题")
    order = load_order()
    data = register_workbook(items, order.register_title(col.settings.name), clock.today(), order.near_days)
    target = col.folder("summary") / FILE
    saved = write_free(target, data)
    if saved is None:
        raise CollectionError(Note.of("file-busy", name=FILE, program="Excel/WPS 表格", again="重试"))
    return saved
