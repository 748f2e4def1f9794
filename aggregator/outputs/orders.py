"""A 督办单 as its school receives it: a .docx in Annex 4's layout (``order_sheet``) and the chat
text that goes with it, every word from the declaration (``supervision.order``) and the settings.
Which items, which number, and the record of what went out are the clerk's verb
(``collection.clerk.supervise.issue``), which asks this module for the files' bytes.
"""

from __future__ import annotations

from datetime import date

from ..collection.store.roster import School
from ..collection.store.settings import Settings
from ..collection.supervision.order import OrderForm, load_order
from ..collection.supervision.records import Item
from .letters import shown_date
from .order_sheet import OrderItem, OrderSheet, order_chat, order_docx


def order_files(settings: Settings, number: str, school: School, day: date, items: list[Item]
                ) -> tuple[bytes, bytes]:
    """The .docx and the chat text of one 督办单: what ``issue`` writes for ``school``."""
    order = load_order()
    sheet = sheet_text(order, settings, number, school.name, day, items)
    return order_docx(sheet), _chat_bytes(order_chat(sheet, school.contact, settings.reporting_unit))


def sheet_text(order: OrderForm, settings: Settings, number: str, school: str, day: date, items: list) -> OrderSheet:
    """A 督办单's every text, worded from the declaration."""
    lines = tuple(OrderItem(order.item_problem.format(i=n, problem=i.problem),
                            order.item_requirement.format(requirement=i.requirement or "限期整改",
                                                          due=shown_date(date.fromisoformat(i.due))))
                  for n, i in enumerate(items, start=1))
    return OrderSheet(order.title(settings.name), number, school, shown_date(day), lines,
                      order.closing.format(unit=settings.reporting_unit), order.labels)


def _chat_bytes(text: str) -> bytes:
    """As feedback writes its chat texts: UTF-8 with a BOM and CRLF, for Notepad on any Windows."""
    return ("\ufeff" + text.replace("\n", "\r\n") + "\r\n").encode("utf-8")
