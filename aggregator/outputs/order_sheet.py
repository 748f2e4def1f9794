"""The 督办单 as the school receives it: Annex 4's layout in a Word file, and the few lines for
the WeChat/QQ group that say it went out.

Takes a plain ``OrderSheet`` (every text already worded) and returns bytes, like the other
outputs: which items, which number and which labels are decided by ``orders``
from the declaration (``excel_templates/supervision/``). The layout follows the seed's Annex 4:
the title, 编号, a table of 督办对象, 督办时间, then 发现的问题、整改要求（含时限） with room
below the items for the school's 学校（单位） and date, and 联系人 / 联系电话 under the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
from docx.shared import Cm, Pt

from .docx_style import HEADING, docx_bytes, font, new_document, para

LABEL_WIDTH, VALUE_WIDTH = Cm(3.4), Cm(12.4)
ITEMS_HEIGHT = Cm(14)
SIGN_INDENT, DATE_INDENT = Cm(8), Cm(10.5)  # where the school signs and dates, as Annex 4 prints it  # the big cell: the items and the school's own lines fit on one page


@dataclass(frozen=True)
class OrderItem:
    problem: str  # "1. 发现的问题：…"
    requirement: str  # "整改要求：…（整改时限：2023年12月10日前）"


@dataclass(frozen=True)
class OrderSheet:
    """One 督办单, every text as it is printed."""

    title: str
    number: str
    school: str
    issued: str  # 2023年11月2日
    items: tuple[OrderItem, ...]
    closing: str
    labels: dict[str, str]  # number, target, issued, items, unit, date, contact, phone


def order_docx(sheet: OrderSheet) -> bytes:
    lab = sheet.labels
    doc = new_document(f"{sheet.title}（{sheet.number}）")
    para(doc, sheet.title, size=18, name=HEADING, align="centre", after=12, line=1.2)
    para(doc, f"{lab['number']}：{sheet.number}", after=6)
    table = doc.add_table(rows=4, cols=2)
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, (LABEL_WIDTH, VALUE_WIDTH)):
        column.width = width  # the grid, which LibreOffice and WPS follow
        for cell in column.cells:
            cell.width = width  # each cell, which Word follows
    for r, (label, value) in enumerate(((lab["target"], sheet.school), (lab["issued"], sheet.issued))):
        _cell(table.cell(r, 0), label, bold=True, align="centre")
        _cell(table.cell(r, 1), value)
        table.rows[r].height, table.rows[r].height_rule = Cm(1.2), WD_ROW_HEIGHT_RULE.AT_LEAST
    head = table.cell(2, 0).merge(table.cell(2, 1))
    _cell(head, lab["items"], bold=True, align="centre")
    table.rows[2].height, table.rows[2].height_rule = Cm(1.0), WD_ROW_HEIGHT_RULE.AT_LEAST
    body = table.cell(3, 0).merge(table.cell(3, 1))
    empty = body.paragraphs[0]._element  # a new cell's own empty paragraph: the items come first
    for item in sheet.items:
        para(body, item.problem, before=4, line=1.4)
        p = para(body, item.requirement, line=1.4)
        p.paragraph_format.left_indent = Pt(24)
    para(body, sheet.closing, before=10, line=1.4, indent=True)
    for _ in range(3):
        para(body, "")
    para(body, f"{lab['unit']}：", before=12).paragraph_format.left_indent = SIGN_INDENT
    para(body, lab["date"], before=6, after=6).paragraph_format.left_indent = DATE_INDENT
    empty.getparent().remove(empty)
    table.rows[3].height, table.rows[3].height_rule = ITEMS_HEIGHT, WD_ROW_HEIGHT_RULE.AT_LEAST
    body.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    para(doc, f"{lab['contact']}：" + "\u3000" * 8 + f"{lab['phone']}：", before=12)
    return docx_bytes(doc)


def order_chat(sheet: OrderSheet, contact: str, unit: str) -> str:
    """Three to six lines for the group: whom, which 督办单, what and by when, how to answer."""
    who = f"{sheet.school} @{contact}" if contact.strip() else sheet.school
    lines = [f"【整改督办】{who}：{unit}下发督办单（{sheet.number}），请按要求整改："]
    shown = sheet.items[:3]
    lines += [f"{item.problem}；{item.requirement}" for item in shown]
    if len(sheet.items) > len(shown):
        lines.append(f"……另有 {len(sheet.items) - len(shown)} 项，见督办单。")
    lines.append(f"整改完成后，请把填好的督办单和整改报告、照片发到群里，文件名写上“{sheet.number}”。")
    return "\n".join(lines)


def _cell(cell, text: str, *, bold: bool = False, align: str = "left") -> None:
    p = cell.paragraphs[0]
    p.alignment = {"left": 0, "centre": 1}[align]
    font(p.add_run(text), bold=bold)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER

