"""The body of a Word (.docx) or OpenDocument text (.odt) file, as paragraphs and tables.

Annex 5 went out with the plan as a Word table, and many schools fill it in Word; case articles
and reports arrive as Word files too. Both need the same thing: the document's blocks in order,
a paragraph as its text, a table as rows of cells with merged cells where Word puts them (the
text in the first cell of a merge, the others empty, as a spreadsheet keeps a merge).

The package is opened by ``zipguard`` (sizes and ratios checked, every XML part refused if it
declares a DOCTYPE or an ENTITY) before any XML is parsed, and parsed by defusedxml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from .errors import UnreadableFile
from .zipguard import open_zip, read_xml_parts

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_MAX_SPAN = 64  # a merge wider than this is damage, not a table


@dataclass
class Table:
    rows: list[list[str]] = field(default_factory=list)  # cells; a merged-over cell is ""


@dataclass
class Body:
    """A document's blocks in order: ``str`` for a paragraph, ``Table`` for a table."""

    blocks: list[str | Table]
    title: str = ""  # the document's own title property, if it has one

    def paragraphs(self) -> Iterator[str]:
        for b in self.blocks:
            if isinstance(b, str):
                yield b
            else:
                for row in b.rows:
                    yield from (c for c in row if c)

    @property
    def text(self) -> str:
        return "\n".join(p for p in self.paragraphs() if p)


def read_body(path: Path, fmt: str) -> Body:
    """``fmt`` is "docx" or "odt"; ``UnreadableFile`` when the package is damaged or unsafe."""
    zf = open_zip(path)
    try:
        parts = read_xml_parts(zf)
    finally:
        zf.close()
    try:
        if fmt == "docx":
            main = parts.get("word/document.xml")
            if main is None:
                raise UnreadableFile("corrupt-document", detail="Word 文件中没有正文")
            return Body(_docx_blocks(fromstring(main)), _core_title(parts.get("docProps/core.xml")))
        content = parts.get("content.xml")
        if content is None:
            raise UnreadableFile("corrupt-document", detail="文档中没有正文")
        return Body(_odt_blocks(fromstring(content)), _core_title(parts.get("meta.xml")))
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise UnreadableFile("corrupt-document", detail="文档内容无法解析") from exc


def _core_title(xml: bytes | None) -> str:
    if not xml:
        return ""
    try:
        root = fromstring(xml)
    except (ParseError, DefusedXmlException, ValueError):
        return ""
    node = root.find(f".//{_DC}title")
    return (node.text or "").strip() if node is not None else ""


# --- Word ---------------------------------------------------------------------------------------


def _docx_blocks(root: Element) -> list[str | Table]:
    body = root.find(f"{_W}body")
    if body is None:
        return []
    out: list[str | Table] = []
    for child in body:
        if child.tag == f"{_W}p":
            out.append(_w_text(child))
        elif child.tag == f"{_W}tbl":
            out.append(_w_table(child))
    return out


def _w_text(p: Element) -> str:
    """A paragraph's text: runs, tabs as spaces, line breaks as newlines."""
    parts = []
    for el in p.iter():
        if el.tag == f"{_W}t":
            parts.append(el.text or "")
        elif el.tag == f"{_W}tab":
            parts.append(" ")
        elif el.tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
    return "".join(parts)


def _w_table(tbl: Element) -> Table:
    table = Table()
    for tr in tbl.iter(f"{_W}tr"):
        row: list[str] = []
        for tc in tr.findall(f"{_W}tc"):
            props = tc.find(f"{_W}tcPr")
            span, continued = 1, False
            if props is not None:
                grid = props.find(f"{_W}gridSpan")
                if grid is not None:
                    span = _int(grid.get(f"{_W}val"), 1)
                merge = props.find(f"{_W}vMerge")
                continued = merge is not None and merge.get(f"{_W}val", "continue") != "restart"
            text = "" if continued else "\n".join(_w_text(p) for p in tc.findall(f"{_W}p")).strip()
            row.append(text)
            row.extend([""] * (min(span, _MAX_SPAN) - 1))
        table.rows.append(row)
    return table


# --- OpenDocument -------------------------------------------------------------------------------


def _odt_blocks(root: Element) -> list[str | Table]:
    text_root = next((el for el in root.iter("{urn:oasis:names:tc:opendocument:xmlns:office:1.0}text")), None)
    if text_root is None:
        return []
    out: list[str | Table] = []
    for child in text_root:
        if child.tag in (f"{_TEXT}p", f"{_TEXT}h"):
            out.append("".join(child.itertext()))
        elif child.tag == f"{_T}table":
            table = Table()
            for tr in child.iter(f"{_T}table-row"):
                row: list[str] = []
                spanned = 0  # covered cells that belong to the span just written
                for tc in tr:
                    if tc.tag == f"{_T}table-cell":
                        text = "\n".join("".join(p.itertext()) for p in tc.iter(f"{_TEXT}p")).strip()
                        span = min(_int(tc.get(f"{_T}number-columns-spanned"), 1), _MAX_SPAN)
                        row.append(text)
                        row.extend([""] * (span - 1))
                        spanned = span - 1
                    elif tc.tag == f"{_T}covered-table-cell":
                        if spanned:
                            spanned -= 1
                        else:  # under a cell merged from a row above
                            row.append("")
                table.rows.append(row)
            out.append(table)
        elif child.tag == f"{_TEXT}list":
            out.extend("".join(p.itertext()) for p in child.iter(f"{_TEXT}p"))
    return out


def _int(value: str | None, default: int) -> int:
    try:
        return max(int(value or default), 1)
    except ValueError:
        return default
