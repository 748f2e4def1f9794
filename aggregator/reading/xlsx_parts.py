"""What calamine does not tell about an .xlsx/.xlsm sheet: formulas without a saved result, and
saved error values (calamine shows both as a blank cell, which would read as a silent 0).

Works on the XML parts ``sniff`` already unpacked and checked (no DOCTYPE, sizes capped), with
regular expressions over just the one sheet part: no openpyxl on the fast path, and only done
when a located count cell came back blank.
"""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache
from typing import Mapping

from ..form.layout import col_letter

_NS = rb"(?:[\w.-]+:)?"  # some writers prefix SpreadsheetML elements ("x:c")
_SHEET = re.compile(rb"<" + _NS + rb"sheet\b([^>]*)/?>")
_REL = re.compile(rb"<" + _NS + rb"Relationship\b([^>]*)/?>")
_ATTR = re.compile(rb'(?:^|\s)([\w:.-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_CELL = re.compile(rb"<" + _NS + rb"c\b([^>]*?)(?:/>|>(.*?)</" + _NS + rb"c>)", re.S)
_FORMULA = re.compile(rb"<" + _NS + rb"f\b([^>]*?)(?:/>|>(.*?)</" + _NS + rb"f>)", re.S)
_VALUE = re.compile(rb"<" + _NS + rb"v\b[^>]*?(?:/>|>(.*?)</" + _NS + rb"v>)", re.S)
_CELL_START = re.compile(rb"<((?:[\w.-]+:)?)c\b([^>]*?)(/?)>")
_R_ATTR = re.compile(rb"\sr\s*=\s*[\"']([A-Za-z]{1,3}\d+)[\"']")
_ERROR_TYPE = re.compile(rb"\st\s*=\s*[\"']e[\"']")
_ROW_NUMBER = re.compile(rb"<" + _NS + rb"row\b[^>]*?\sr\s*=\s*[\"'](\d+)")
_ROW_OR_VALUED_CELL = re.compile(rb"<" + _NS + rb"(?:row\b([^>]*)>|c\b([^>]*?)(?<!/)>\s*<" + _NS + rb"(?:v|is|f)\b)")
_ROW_ATTR = re.compile(rb"\sr\s*=\s*[\"'](\d+)")
_ROW_PLAIN = re.compile(rb'<row\b[^>]*?\sr="(\d+)"')
_WIDE_REF = re.compile(rb' r="[A-Z]{3}\d')
_ROW_WORD = re.compile(rb"row")  # found by the regular expression engine twice as fast as bytes.count
_TWO_LETTERS = 26 * 27  # columns up to ZZ
_REF = re.compile(r"(\$?)([A-Z]{1,3})(\$?)(\d+)(?![\w(!])")
_COORD = re.compile(r"([A-Z]{1,3})(\d+)")

_ENTITIES = {"&quot;": '"', "&apos;": "'"}


def unescape(text: str, entities: Mapping[str, str] | None = None) -> str:
    """``xml.sax.saxutils.unescape``, whose module imports urllib, http, ssl and e-mail: a
    tenth of a reading process's start for three string replacements."""
    text = text.replace("&lt;", "<").replace("&gt;", ">")
    for entity, char in (entities or {}).items():
        text = text.replace(entity, char)
    return text.replace("&amp;", "&")


def escape(text: str) -> str:
    """``xml.sax.saxutils.escape`` without its module's imports (see ``unescape``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attrs(raw: bytes) -> dict[str, str]:
    out = {}
    for m in _ATTR.finditer(raw):
        name = m.group(1).decode("utf-8", "replace").split(":")[-1]
        value = m.group(2) if m.group(2) is not None else m.group(3)
        out.setdefault(name, unescape(value.decode("utf-8", "replace"), _ENTITIES))
    return out


def sheet_parts(parts: Mapping[str, bytes]) -> dict[str, str]:
    """Sheet name -> zip member of its XML, from xl/workbook.xml and its relationships."""
    return dict(_sheet_parts(parts.get("xl/workbook.xml", b""), parts.get("xl/_rels/workbook.xml.rels", b"")))


@lru_cache(maxsize=64)  # returns of one template share these two parts byte for byte
def _sheet_parts(workbook: bytes, rels: bytes) -> tuple[tuple[str, str], ...]:
    targets = {}
    for m in _REL.finditer(rels):
        a = _attrs(m.group(1))
        if "Id" in a and "Target" in a:
            targets[a["Id"]] = a["Target"]
    out = {}
    for m in _SHEET.finditer(workbook):
        a = _attrs(m.group(1))
        target = targets.get(a.get("id", ""))
        if "name" in a and target:
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            out[a["name"]] = path
    return tuple(out.items())


def extent(xml: bytes, max_rows: int, max_cells: int) -> tuple[int, int]:
    """(rows, cells) of the block calamine would build for this sheet (from A1 to the last row
    and column holding a value), or an upper bound of it when that bound is within the limits.
    Checked before calamine opens a sheet: a stray value in XFD1048576 makes it allocate billions
    of cells and abort the process. Cheap in the usual case (no column past ZZ, a few hundred
    rows). Past the limits it is exact and counts only cells holding a value: a sheet saved with
    formatted empty rows down to row 1048576 (LibreOffice does that) is a sheet of forty rows."""
    elements = len(_ROW_WORD.findall(xml))  # every row element, plain or prefixed ("<x:row"), and a few words more
    if elements > max_rows:
        return _valued_extent(xml, max_rows, max_cells)
    numbers = _ROW_PLAIN.findall(xml) or _ROW_NUMBER.findall(xml)  # the plain form is 4x faster
    rows = max(max(map(int, numbers), default=0), elements)
    if rows <= max_rows and not _WIDE_REF.search(xml) and rows * _TWO_LETTERS <= max_cells:
        return rows, rows * _TWO_LETTERS
    return _valued_extent(xml, max_rows, max_cells)


def _valued_extent(xml: bytes, max_rows: int, max_cells: int) -> tuple[int, int]:
    """The last row and column holding a value, read element by element; stops past a limit."""
    row = max_row = max_col = 0
    for m in _ROW_OR_VALUED_CELL.finditer(xml):
        if m.group(1) is not None:  # a row: its number, or the one after the previous row
            number = _ROW_ATTR.search(m.group(1))
            row = int(number.group(1)) if number else row + 1
            continue
        ref = _R_ATTR.search(m.group(2))
        r, col = _split(ref.group(1).decode().upper()) if ref else (row, 0)
        max_row, max_col = max(max_row, r or row), max(max_col, col)
        if max_row > max_rows or max_row * max_col > max_cells:
            break
    return max_row, max_row * max_col


class SavedFormulas(Mapping[str, str]):
    """Cells whose saved value is missing: "C7" -> "=D7+E7" (no result saved) or "#DIV/0!"
    (the saved result is an error value). Cells with a saved result are not listed.

    Lazy: the sheet is scanned only for where formulas and error values are (a dozen places in
    our template, found at C speed), and a cell is parsed only when asked for. A return saved by
    Excel has a result for every formula, and the reader asks only about blank count cells.
    """

    def __init__(self, xml: bytes) -> None:
        self._xml = xml
        self._raw: dict[str, tuple[bytes, bytes]] | None = None  # ref -> (start tag, content), once scanned
        self._parsed: dict[str, str | None] = {}
        self._masters: dict[str, tuple[str, str]] | None = None

    def _scanned(self) -> dict[str, tuple[bytes, bytes]]:
        """Every cell with a formula or an error value, in document order (scanned once)."""
        if self._raw is None:
            xml, raw = self._xml, {}
            for pos in _marks(xml):
                start = xml.rfind(b"<", 0, pos)  # the cell's start tag precedes <f> and holds t="e"
                cell = _cell_at(xml, start) if start >= 0 else None
                if cell is None:
                    raw = _every_cell(xml)  # an unusual writer: fall back to reading every cell
                    break
                ref = _R_ATTR.search(cell[0])
                if ref:
                    raw.setdefault(ref.group(1).decode().upper(), cell)
            self._raw = raw
        return self._raw

    def _cell(self, ref: str) -> tuple[bytes, bytes] | None:
        """The cell asked about, found by its reference where that is unambiguous (the reader
        asks about a few blank count cells, not the template's 90 live-check formulas), else
        from the scan of every formula."""
        if self._raw is None:
            found = _only_cell(self._xml, ref)
            if found is not _UNSURE:
                return found if _holds_formula(found) else None
        return self._scanned().get(ref)

    def _value(self, ref: str) -> str | None:
        if ref not in self._parsed:
            raw = self._cell(ref)
            self._parsed[ref] = self._parse(ref, *raw) if raw else None
        return self._parsed[ref]

    def _parse(self, ref: str, head: bytes, body: bytes) -> str | None:
        v = _VALUE.search(body)
        cached = unescape((v.group(1) or b"").decode("utf-8", "replace")).strip() if v else ""
        if _ERROR_TYPE.search(head) and cached:
            return cached
        f = _FORMULA.search(body)
        if not f or cached:
            return None
        fattrs = _attrs(f.group(1))
        text = unescape((f.group(2) or b"").decode("utf-8", "replace"), _ENTITIES).strip()
        if not text and fattrs.get("t") == "shared":
            anchor, master = self._shared().get(fattrs.get("si", ""), ("", ""))
            text = _shift(master, anchor, ref) if master else ""
        return "=" + text if text else None

    def _shared(self) -> dict[str, tuple[str, str]]:
        """si -> (anchor cell, formula text) of the sheet's shared formulas."""
        if self._masters is None:
            self._masters = {}
            for ref, (_, body) in self._scanned().items():
                f = _FORMULA.search(body)
                if f and f.group(2):
                    a = _attrs(f.group(1))
                    if a.get("t") == "shared" and "si" in a:
                        self._masters.setdefault(a["si"], (ref, unescape(f.group(2).decode("utf-8", "replace"),
                                                                          _ENTITIES).strip()))
        return self._masters

    def __getitem__(self, ref: str) -> str:
        value = self._value(ref)
        if value is None:
            raise KeyError(ref)
        return value

    def __contains__(self, ref: object) -> bool:
        return isinstance(ref, str) and self._value(ref) is not None

    def __iter__(self):
        return (ref for ref in list(self._scanned()) if self._value(ref) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


_UNSURE = object()


def _only_cell(xml: bytes, ref: str) -> tuple[bytes, bytes] | object:
    """The one cell element whose start tag says ``r="REF"`` (written so, upper case, double
    quotes, as Excel, WPS, LibreOffice and openpyxl write it): its (start tag, content).
    ``_UNSURE`` when it is not there so written (a cell never written, or written otherwise),
    when the text found is not plainly one cell's own start tag, or is there twice: the scan of
    every formula then decides, as before."""
    needle = b' r="' + ref.encode("ascii", "replace") + b'"'
    at = xml.find(needle)
    if at < 0 or xml.find(needle, at + 1) >= 0:
        return _UNSURE
    start = xml.rfind(b"<", 0, at)
    m = _CELL_START.match(xml, start) if start >= 0 else None
    if m is None or m.end() <= at:  # not inside that cell's own start tag
        return _UNSURE
    return _cell_at(xml, start) or _UNSURE


def _holds_formula(cell: tuple[bytes, bytes]) -> bool:
    """What the scan would have listed: a cell with an <f> element or an error value."""
    head, body = cell
    return bool(_F_PLAIN.search(body) or _F_PREFIXED.search(body) or _ERROR_MARK.search(head))


_F_PLAIN = re.compile(rb"<f(?=[ >/])")
_F_PREFIXED = re.compile(rb":f(?=[ >/])")
_ERROR_MARK = re.compile(rb't="e"')


def _marks(xml: bytes) -> list[int]:
    """Where formulas and error values are, as positions just inside a cell: the "<" of its
    <f> (or <x:f>) element, or its t="e" attribute. One search per kind, each for a literal
    that the regular expression engine finds at C speed (a pattern with alternatives would be
    matched character by character); most of the cost of a read otherwise."""
    out = [m.start() for m in _F_PLAIN.finditer(xml)]
    out += [xml.rfind(b"<", 0, m.start()) for m in _F_PREFIXED.finditer(xml)]
    out += [m.start() for m in _ERROR_MARK.finditer(xml)]
    return sorted(out)


def _cell_at(xml: bytes, start: int) -> tuple[bytes, bytes] | None:
    """(start tag attributes, content) of the cell element starting at ``start``."""
    m = _CELL_START.match(xml, start)
    if not m:
        return None
    if m.group(3):
        return m.group(2), b""
    end = xml.find(b"</" + m.group(1) + b"c>", m.end())
    return (m.group(2), xml[m.end() : end]) if end >= 0 else None


def _every_cell(xml: bytes) -> dict[str, tuple[bytes, bytes]]:
    out = {}
    for cell in _CELL.finditer(xml):
        ref = _R_ATTR.search(cell.group(1))
        if ref:
            out.setdefault(ref.group(1).decode().upper(), (cell.group(1), cell.group(2) or b""))
    return out


# A row of two plain inline texts in A and B, as our template's metadata sheet is written.
_TEXT_ROW = re.compile(rb'<row r="(\d+)"><c r="A\1" t="inlineStr"><is><t>([^<&]+)</t></is></c>'
                       rb'<c r="B\1" t="inlineStr"><is><t>([^<&]+)</t></is></c></row>')
_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_|[\r\n\t]")


def text_rows(xml: bytes) -> tuple[tuple[bytes, bytes], list[list[str]]] | None:
    """A sheet that is nothing but rows 1, 2, 3… of two plain texts in A and B (no entity, no
    escape, no white space at either end): its grid as calamine builds it, and what surrounds
    its rows (the rest of the sheet). None for any other sheet."""
    start, end = xml.find(b"<sheetData>"), xml.rfind(b"</sheetData>")
    if start < 0 or end < start:
        return None
    rows: list[list[str]] = []
    at = start + len(b"<sheetData>")
    while at < end:  # each row where the last ended: any other sheet is given up at its first row
        m = _TEXT_ROW.match(xml, at, end)
        if m is None or int(m.group(1)) != len(rows) + 1:
            return None
        try:
            key, value = m.group(2).decode("utf-8"), m.group(3).decode("utf-8")
        except UnicodeDecodeError:
            return None
        if key != key.strip() or value != value.strip() or _ESCAPE.search(key) or _ESCAPE.search(value):
            return None
        rows.append([key, value])
        at = m.end()
    if at != end or not rows:
        return None
    return (xml[:start], xml[end:]), rows


def saved_formulas(xml: bytes) -> Mapping[str, str]:
    """The cells of a sheet part whose saved value is missing (see ``SavedFormulas``)."""
    return SavedFormulas(xml)


def _split(ref: str) -> tuple[int, int]:
    m = _COORD.fullmatch(ref)
    if not m:
        return 0, 0
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def _shift(formula: str, anchor: str, target: str) -> str:
    """A shared formula as it reads in ``target``: relative references move with the cell."""
    (ar, ac), (tr, tc) = _split(anchor), _split(target)
    dr, dc = tr - ar, tc - ac

    def move(m: re.Match) -> str:
        col_abs, letters, row_abs, digits = m.groups()
        row = int(digits) if row_abs else int(digits) + dr
        col = _split(f"{letters}1")[1]
        col = col if col_abs else col + dc
        return f"{col_abs}{col_letter(max(col, 1))}{row_abs}{max(row, 1)}"

    return _REF.sub(move, formula)
