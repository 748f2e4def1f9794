"""How every Word document we write looks: A4, 宋体 body, 黑体 headings, Chinese fonts set where
Word, WPS and LibreOffice each look for them.

python-docx sets a run's Latin font only; Word takes a Chinese character's font from the
``eastAsia`` attribute, which it leaves out, so without it a Chinese document opens in the
default (Calibri with a fallback) and looks foreign. One place sets both.
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

BODY = "宋体"
HEADING = "黑体"
BODY_PT = 12
HIGHLIGHT = 7  # WD_COLOR_INDEX.YELLOW: the clerk's own words go here


def new_document(title: str = "") -> DocumentType:
    """An empty A4 document with our body font, and ``title`` as its document title."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.left_margin = section.right_margin = Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = BODY
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY)
    doc.core_properties.title = title
    doc.core_properties.author = ""
    return doc


def font(run: Run, name: str = BODY, size: float = BODY_PT, *, bold: bool = False,
         colour: RGBColor | None = None) -> Run:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if colour is not None:
        run.font.color.rgb = colour
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    return run


def para(doc_or_cell, text: str = "", *, size: float = BODY_PT, name: str = BODY, bold: bool = False,
         align: str = "left", before: float = 0, after: float = 0, indent: bool = False,
         line: float = 1.5) -> Paragraph:
    """A paragraph of ``text`` (a document's or a table cell's)."""
    p = doc_or_cell.add_paragraph()
    p.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "centre": WD_ALIGN_PARAGRAPH.CENTER,
                   "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    f = p.paragraph_format
    f.space_before, f.space_after, f.line_spacing = Pt(before), Pt(after), line
    if indent:
        f.first_line_indent = Pt(size * 2)  # two characters, as Chinese prose is set
    if text:
        font(p.add_run(text), name, size, bold=bold)
    return p


def docx_bytes(doc: DocumentType) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
