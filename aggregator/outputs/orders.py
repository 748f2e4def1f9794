"""Issuing 督办单: one per school for its items not yet issued, numbered on from the last one,
each a .docx in Annex 4's layout (``order_sheet``) and a chat text in ``supervision/``, recorded as
a draft that went out. The number, its items and the record are written in one transaction, after
the files are in place (atomically).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .. import clock
from ..atomic import write_atomic
from ..collection.store.folder import Collection
from ..collection.views.decisions import clerk
from ..filenames import safe_file_name
from ..supervision.order import OrderForm, load_order
from ..supervision.records import Sheet
from ..supervision.store import Store
from .letters import shown_date
from .order_sheet import OrderItem, OrderSheet, order_chat, order_docx

FOLDER = "supervision"  # in the collection folder: the 督办单 issued and their chat texts
TOLD_KIND = "supervise"  # what went out, among the school's feedback records


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


def issue(col: Collection, prefix: str | None = None) -> IssueResult:
    """One 督办单 per school for its items not yet issued, numbered on from the last one; each
    as a .docx and a chat text in ``supervision/``, recorded as a draft that went out."""
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
            sheet = sheet_text(order, col, number, school.name, today, waiting[school_id])
            stem = safe_file_name(f"{number}-{school.name}-督办单", fallback="督办单")
            docx, chat = folder / f"{stem}.docx", folder / f"{stem}.txt"
            write_atomic(docx, order_docx(sheet))
            write_atomic(chat, _chat_bytes(order_chat(sheet, school.contact, col.settings.reporting_unit)))
            store.add_sheet(Sheet(number, seq, school_id, at, by, docx.relative_to(col.root).as_posix()),
                            [i.id for i in waiting[school_id]])
            told.append((school_id, TOLD_KIND, "draft", "", at, by, f"{docx.name}、{chat.name}"))
            result.sheets.append(Issued(number, school.name, tuple(i.id for i in waiting[school_id]), docx, chat))
            seq += 1
        col.ledger.add_told(told)
    return result


def sheet_text(order: OrderForm, col: Collection, number: str, school: str, day: date, items: list) -> OrderSheet:
    """A 督办单's every text, worded from the declaration."""
    lines = tuple(OrderItem(order.item_problem.format(i=n, problem=i.problem),
                            order.item_requirement.format(requirement=i.requirement or "限期整改",
                                                          due=shown_date(date.fromisoformat(i.due))))
                  for n, i in enumerate(items, start=1))
    return OrderSheet(order.title(col.settings.name), number, school, shown_date(day), lines,
                      order.closing.format(unit=col.settings.reporting_unit), order.labels)


def _chat_bytes(text: str) -> bytes:
    """As feedback writes its chat texts: UTF-8 with a BOM and CRLF, for Notepad on any Windows."""
    return ("\ufeff" + text.replace("\n", "\r\n") + "\r\n").encode("utf-8")
