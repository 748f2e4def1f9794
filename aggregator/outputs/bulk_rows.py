"""Long sheets written as a stream of rows into a workbook openpyxl has saved.

openpyxl keeps an object per cell: a province's summary (10,000 schools × 50 columns) is half a
million of them, about 300 MB and ten seconds to build and save. So a long sheet is saved by
openpyxl with its header rows and every sheet-level setting (widths, merges, frozen panes,
filter, print titles), and its body rows are written here, straight into the saved package, as
openpyxl itself writes a cell: numbers as numbers, dates as Excel serial numbers, every string as
an inline string (never a formula; a leading "=" gets Excel's quote prefix, as ``set_text``
does), characters XML cannot carry removed, styles by the workbook's own style ids.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable, Iterator, Sequence

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Fill, Font
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.worksheet import Worksheet

from ..form.layout import col_letter
from ..reading.xlsx_parts import escape, sheet_parts

_FORMULA_START = ("=", "+", "-", "@")  # as template.set_text: such text gets the quote prefix
_SHEET_DATA_END = re.compile(rb"</(?:\w+:)?sheetData>|<(?:\w+:)?sheetData\s*/>")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[^"]*"\s*/>')

Cell = tuple[Any, int]  # (value, style id)


@dataclass(frozen=True)
class Formula:
    """A formula written with the value it has now (``cached``): Excel and WPS recalculate it,
    and a reader that does not calculate (a city's tool, a phone's viewer) still sees the value."""

    text: str  # without the leading "="
    cached: Any


def _cached_xml(value: Any) -> tuple[str, str]:
    """(type attribute, <v> content) of a formula's saved result."""
    if isinstance(value, bool):
        return ' t="b"', str(int(value))
    if isinstance(value, (int, float)):
        return "", f"{value:.16g}"
    return ' t="str"', escape(ILLEGAL_CHARACTERS_RE.sub("", str(value or "")))


class Styles:
    """Style ids of one workbook, registered from openpyxl style objects before it is saved (its
    style sheet is written then). Each style comes with a quote-prefixed twin (``quoted``), for
    text that starts like a formula."""

    def __init__(self, ws: Worksheet) -> None:
        self._ws = ws
        self._ids: dict[tuple, int] = {}
        self.quoted: dict[int, int] = {}
        self.frozen = False  # set once the workbook is saved: a new style then would be lost

    def id(self, *, font: Font | None = None, fill: Fill | None = None, alignment: Alignment | None = None,
           number_format: str | None = None, border: Border | None = None) -> int:
        plain = self._id(font, fill, alignment, number_format, border, False)
        self.quoted[plain] = self._id(font, fill, alignment, number_format, border, True)
        return plain

    def _id(self, font: Font | None, fill: Fill | None, alignment: Alignment | None, number_format: str | None,
            border: Border | None, quote: bool) -> int:
        key = (font, fill, alignment, number_format, border, quote)
        if key not in self._ids:
            if self.frozen:
                raise RuntimeError("a style registered after the workbook was saved")
            cell = WriteOnlyCell(self._ws)  # never added to the sheet: it only registers the style
            if font is not None:
                cell.font = font
            if fill is not None:
                cell.fill = fill
            if alignment is not None:
                cell.alignment = alignment
            if number_format is not None:
                cell.number_format = number_format
            if border is not None:
                cell.border = border
            if quote:
                cell.quotePrefix = True
            self._ids[key] = cell.style_id
        return self._ids[key]


class Tall(list):
    """A row of cells with its own height in points: wrapped text that LibreOffice (and Excel, for
    rows written this way) would otherwise print one line high."""

    def __init__(self, cells: Iterable[Cell], height: float) -> None:
        super().__init__(cells)
        self.height = height


@dataclass
class SheetRows:
    """Body rows for the sheet ``title``, numbered from ``first_row``; ``last_row`` and ``n_cols``
    give the sheet's new dimension. Each row is a sequence of (value, style id), from column A;
    ``quoted`` maps a style id to its quote-prefixed twin, used for text that looks like a formula."""

    title: str
    first_row: int
    last_row: int
    n_cols: int
    rows: Iterable[Sequence[Cell]]
    quoted: dict[int, int]


def cell_xml(ref: str, value: Any, style: int, quoted: dict[int, int]) -> str:
    if isinstance(value, Formula):
        kind, cached = _cached_xml(value.cached)
        return f'<c r="{ref}" s="{style}"{kind}><f>{escape(value.text)}</f><v>{cached}</v></c>'
    if value is None or value == "":
        return f'<c r="{ref}" s="{style}"/>' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}" s="{style}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            return f'<c r="{ref}" s="{style}"/>' if style else ""
        return f'<c r="{ref}" s="{style}" t="n"><v>{value:.16g}</v></c>'
    if isinstance(value, (datetime, date)):
        return f'<c r="{ref}" s="{style}" t="n"><v>{to_excel(value):.16g}</v></c>'
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if not text:
        return f'<c r="{ref}" s="{style}"/>' if style else ""
    if text.startswith(_FORMULA_START):
        style = quoted.get(style, style)
    stripped = text.strip()
    space = ' xml:space="preserve"' if stripped and stripped != text else ""
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def rows_xml(sheet: SheetRows) -> Iterator[str]:
    """Each row's XML, every cell exactly as ``cell_xml`` writes it. A province's summary has
    600,000 cells: whole numbers (most of them) and texts seen before (states, units, 是/否)
    take a short way here; everything else goes through ``cell_xml``."""
    letters = [col_letter(i) for i in range(1, sheet.n_cols + 1)]
    quoted = sheet.quoted
    texts: dict[str, str | None] = {}  # text -> its escaped XML, None when it needs cell_xml
    for r, cells in enumerate(sheet.rows, start=sheet.first_row):
        body = []
        add = body.append
        for i, (v, s) in enumerate(cells):
            kind = type(v)
            if kind is int and -_EXACT < v < _EXACT:  # "%.16g" of such an int is its digits
                add(f'<c r="{letters[i]}{r}" s="{s}" t="n"><v>{v}</v></c>')
                continue
            if kind is str:
                xml = texts.get(v, "")
                if xml == "":
                    xml = texts[v] = _plain_text(v)
                if xml is not None:
                    add(f'<c r="{letters[i]}{r}" s="{s}" t="inlineStr"><is><t>{xml}</t></is></c>')
                    continue
            add(cell_xml(f"{letters[i]}{r}", v, s, quoted))
        height = getattr(cells, "height", None)
        tall = f' ht="{height:.1f}" customHeight="1"' if height else ""
        yield f'<row r="{r}"{tall}>{"".join(body)}</row>'


_EXACT = 10 ** 16


def _plain_text(text: str) -> str | None:
    """The escaped text of a cell ``cell_xml`` writes as it is: not empty, nothing to remove,
    no formula's first character, no space to preserve; None for any other text."""
    if not text or text.startswith(_FORMULA_START) or text.strip() != text or ILLEGAL_CHARACTERS_RE.search(text):
        return None
    return escape(text)


def add_rows(package: bytes, sheets: Sequence[SheetRows], out: io.BufferedIOBase,
             cached: dict[str, dict[str, Any]] | None = None) -> None:
    """Write ``package`` (a saved .xlsx) to ``out`` with each sheet's rows after its header rows,
    and the saved results of formulas openpyxl wrote (``fill_cached``), in one pass."""
    with zipfile.ZipFile(io.BytesIO(package)) as src:
        parts = sheet_parts({n: src.read(n) for n in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")})
        by_part = {parts[s.title]: s for s in sheets}
        results = {parts[title]: cells for title, cells in (cached or {}).items() if title in parts}
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                data = src.read(info)
                if results.get(info.filename):
                    cells = results[info.filename]
                    data = _FORMULA_CELL.sub(lambda m: _with_value(m, cells), data)
                sheet = by_part.get(info.filename)
                if sheet is None:
                    dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
                    continue
                _write_sheet(dst, info, data, sheet)


def fill_cached(package: bytes, cached: dict[str, dict[str, Any]]) -> bytes:
    """Saved results for formula cells openpyxl wrote (it writes ``<v />``): sheet title ->
    cell -> value. Cells not listed, and sheets not listed, are copied as they are."""
    if not cached:
        return package
    out = io.BytesIO()
    add_rows(package, (), out, cached)
    return out.getvalue()


_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*)>(<f>.*?</f>)<v\s*/>(</c>)')


def _with_value(m: re.Match, cells: dict[str, Any]) -> bytes:
    ref = m.group(1).decode()
    if ref not in cells:
        return m.group(0)
    kind, cached = _cached_xml(cells[ref])
    attrs = re.sub(rb'\s+t="[^"]*"', b"", m.group(2))
    return b'<c r="' + m.group(1) + b'"' + attrs + kind.encode() + b">" + m.group(3) + b"<v>" + cached.encode("utf-8") \
        + b"</v>" + m.group(4)


def _write_sheet(dst: zipfile.ZipFile, info: zipfile.ZipInfo, xml: bytes, sheet: SheetRows) -> None:
    end = _SHEET_DATA_END.search(xml)
    if end is None:
        raise ValueError(f"{info.filename}: no sheetData")
    head, tail = xml[: end.start()], xml[end.end():]
    if end.group(0).endswith(b"/>"):  # an empty <sheetData/>: open it
        head += b"<sheetData>"
    last = max(sheet.last_row, sheet.first_row - 1)
    head = _DIMENSION.sub(f'<dimension ref="A1:{col_letter(max(sheet.n_cols, 1))}{max(last, 1)}"/>'.encode(),
                          head, count=1)
    fresh = zipfile.ZipInfo(info.filename, info.date_time)
    fresh.external_attr = info.external_attr
    fresh.compress_type = zipfile.ZIP_DEFLATED
    with dst.open(fresh, "w") as fh:
        fh.write(head)
        buf: list[str] = []
        size = 0
        for row in rows_xml(sheet):
            buf.append(row)
            size += len(row)
            if size > 1 << 20:  # about a megabyte at a time: the sheet is never whole in memory
                fh.write(_utf8(buf))
                buf, size = [], 0
        fh.write(_utf8(buf))
        fh.write(b"</sheetData>" + tail)


def _utf8(rows: list[str]) -> bytes:
    """A stray surrogate (from an undecodable file name) becomes "?" rather than stopping the save."""
    return "".join(rows).encode("utf-8", "replace")
