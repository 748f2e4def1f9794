"""How every workbook we write looks and prints: fonts, fills, text cells, row heights, pages, tabs.

One place, because the issued form, the summary and the marked feedback copy must look like one
office's documents, and because each of these is a trap worth solving once: school text that
must never become a formula, Chinese labels Excel will not wrap in merged cells, two selected
tabs that open a workbook in "group" editing, a page that prints at 25 %.
"""

from __future__ import annotations

import math
import unicodedata
from functools import cache
from typing import Any, Sequence

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.workbook import Workbook
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ..form.layout import col_letter

FONT_NAME = "宋体"  # ships with every Chinese Windows; WPS and LibreOffice map it too
BODY_SIZE = 11
RED = "FFC00000"
LINK_BLUE = "FF0563C1"
_FORMULA_START = ("=", "+", "-", "@")


@cache
def font(size: float = BODY_SIZE, *, bold: bool = False, color: str | None = None, underline: str | None = None) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold, color=color, underline=underline)


@cache
def fill(rgb: str) -> PatternFill:
    return PatternFill(fill_type="solid", start_color=rgb, end_color=rgb)


LIGHT_RED = "FFFFC7CE"  # Excel's own "light red fill"
YELLOW = "FFFFEB9C"  # Excel's own "yellow fill"
ORANGE = "FFF4B183"  # 需要说明: Excel's "orange, lighter 40 %", apart from the red and the yellow
DARK_ORANGE = "FFC55A11"  # its text colour (需要说明 headings)
HEAD_BLUE = "FFD9E1F2"
TOTAL_GREY = "FFEDEDED"

CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center", shrink_to_fit=True)
PLAIN = Alignment(horizontal="left", vertical="center")
WRAP_TOP = Alignment(horizontal="left", vertical="top", wrap_text=True)
THIN = Side(style="thin")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
UNDERLINE = Border(bottom=THIN)


def set_text(cell: Cell, value: Any) -> None:
    """Write ``value`` as literal text, never as a formula.

    School names, problem descriptions and meta values come from people; "=HYPERLINK(...)" or
    "-3 所" must stay what was typed. openpyxl would turn a leading "=" into a formula, and refuses
    control characters outright, so strip those and force the string type. ``quotePrefix`` makes
    Excel keep it as text even when someone edits the cell later. ``None`` clears the cell.
    """
    if value is None:
        cell.value = None
        return
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell.value = text
    cell.data_type = "s"
    if text.startswith(_FORMULA_START):
        cell.quotePrefix = True


def display_width(text: str) -> float:
    """Width in Excel column units at 11 pt: a Chinese character takes about two. (Each
    character's width is looked up once a process: a province's summary measures a million.)"""
    return sum(map(_WIDTHS.__getitem__, text))


class _Widths(dict):
    def __missing__(self, ch: str) -> float:
        width = self[ch] = 2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.1
        return width


_WIDTHS = _Widths()


def text_height(text: str, width: float, size: float = BODY_SIZE, max_lines: int = 99) -> float:
    """Points needed to show ``text`` wrapped in ``width`` column units: Excel does not grow
    rows of merged cells, and guesses short for Chinese text in others."""
    capacity = max(width - 1.5, 2.0) * BODY_SIZE / size
    lines = sum(max(1, math.ceil(display_width(p) / capacity)) for p in str(text).split("\n"))
    return min(lines, max_lines) * size * 1.4 + 6


def set_widths(ws: Worksheet, widths: Sequence[float], first: int = 1) -> None:
    for i, w in enumerate(widths, start=first):
        ws.column_dimensions[col_letter(i)].width = w


def page_setup(ws: Worksheet, *, landscape: bool = False, fit_width: int = 1, fit_height: int = 0,
               title_rows: str = "", centred: bool = False, margins: PageMargins | None = None,
               footer: bool = True) -> None:
    """A4, fitted to ``fit_width`` pages across (``fit_height`` 0: as many pages down as needed),
    titles repeated on every page, and "第 N 页 共 M 页" at the foot of each."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = fit_width
    ws.page_setup.fitToHeight = fit_height
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows
    if centred:
        ws.print_options.horizontalCentered = True
    if margins is not None:
        ws.page_margins = margins
    if footer:
        ws.oddFooter.center.text = "第 &P 页 共 &N 页"
        ws.oddFooter.center.font = f"{FONT_NAME},Regular"
        ws.oddFooter.center.size = 9


# What fits across an A4 page at 100 %, in screen pixels of column width: the page less openpyxl's
# default 0.75-inch margins (1 pixel is 0.2646 mm). Excel draws a width of w characters as 7w + 5
# pixels; LibreOffice, measured on its PDFs, as about 9w + 5: planned for the wider, a page
# printed by either holds what was planned for it.
_ACROSS_PX = {True: round((297 - 38.1) / 0.2646), False: round((210 - 38.1) / 0.2646)}
MIN_SCALE = 60  # below this a printed table is not readable
FIT_SCALE = 70  # a table fitted to one page across must keep this (estimates are rough: a margin)
WIDE_SCALE = 75  # the scale wide tables print at, in column groups


def _px(width: float) -> float:
    return 9 * width + 5


# What fits down an A4 page at 100 %, in points: the page less openpyxl's default 1-inch margins.
_DOWN_PT = {True: (210 - 50.8) / 25.4 * 72, False: (297 - 50.8) / 25.4 * 72}
ROW_PT = 15.0  # a row of 11 pt text one line high, as Excel and LibreOffice draw it
LINE_PT = ROW_PT - 0.6  # each further line of wrapped text


def wrapped_height(texts: Sequence[tuple[Any, float]], least: float = ROW_PT) -> float:
    """Points a row needs for (text, column width) pairs wrapped in their columns."""
    lines = 1
    for text, width in texts:
        if text not in (None, ""):
            capacity = max(width - 1.5, 2.0) * 0.9  # LibreOffice wraps a little before the edge
            lines = max(lines, sum(max(1, math.ceil(display_width(p) / capacity)) for p in str(text).split("\n")))
    return max(least, ROW_PT + (lines - 1) * LINE_PT)


def print_wide(ws: Worksheet, widths: Sequence[float], *, title_cols: int, title_rows: str,
               groups: Sequence[int] = (), landscape: bool = True, body: Sequence[float] = ()) -> list[int]:
    """Print a table readably however wide and long it is: one page across if that keeps the
    scale at ``FIT_SCALE`` or more, else in pages of whole column groups (``groups``: the first
    column of each, 1-based), at the scale that fits every row on one page down (between
    ``MIN_SCALE`` and ``WIDE_SCALE``) where there is one; the first ``title_cols`` columns and
    ``title_rows`` repeated on every page, "第 N 页 共 M 页" at the foot. ``body``: the heights
    of the rows under the titles, in points: pages down are balanced so none holds a lone row.
    Returns the columns each page ends at."""
    page_setup(ws, landscape=landscape, title_rows=title_rows)
    across = _ACROSS_PX[landscape]
    total = sum(_px(w) for w in widths)
    first, last = (int(x) for x in title_rows.replace("$", "").split(":")) if title_rows else (0, 0)
    head = sum(_row_pt(ws, r) for r in range(1, last + 1))
    down = _DOWN_PT[landscape] * 0.97
    tall = head + sum(body)
    one_down = 100 * down / tall if tall else 100.0
    width_fit = 100 * across * 0.97 / total
    if width_fit >= FIT_SCALE:
        scale = int(min(100, width_fit, max(one_down, MIN_SCALE + 2)))
        _manual(ws, scale)
        _row_breaks(ws, last, body, head, down * 100 / scale)
        return []
    scale = int(min(WIDE_SCALE, max(one_down, MIN_SCALE + 2)))
    _manual(ws, scale)
    _row_breaks(ws, last, body, head, down * 100 / scale)
    capacity = across * 100 / scale * 0.97 - sum(_px(w) for w in widths[:title_cols])
    starts = sorted(set(groups) | {title_cols + 1})
    breaks: list[int] = []
    used = 0.0
    col = title_cols + 1
    while col <= len(widths):
        end = next((g for g in starts if g > col), len(widths) + 1) - 1  # the group's last column
        width = sum(_px(w) for w in widths[col - 1:end])
        if used and used + width > capacity:  # the group starts a new page
            breaks.append(col - 1)
            used = 0.0
        if width > capacity:  # a group wider than a page: split it where it must
            for c in range(col, end + 1):
                w = _px(widths[c - 1])
                if used and used + w > capacity:
                    breaks.append(c - 1)
                    used = 0.0
                used += w
        else:
            used += width
        col = end + 1
    if title_cols:
        ws.print_title_cols = f"A:{col_letter(title_cols)}"
    for b in breaks:
        ws.col_breaks.append(Break(id=b, max=1048575, man=True))
    return breaks


def _manual(ws: Worksheet, scale: int) -> None:
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_setup.scale = scale
    ws.page_setup.fitToWidth = ws.page_setup.fitToHeight = None


def _row_pt(ws: Worksheet, row: int) -> float:
    height = ws.row_dimensions[row].height if row in ws.row_dimensions else None
    return float(height or ROW_PT)


def _row_breaks(ws: Worksheet, last_title: int, body: Sequence[float], head: float, page: float) -> None:
    """Breaks that share the rows evenly among the pages they need (the titles repeat on each),
    so no page is left with a lone row."""
    room = page - head
    total = sum(body)
    if not body or total <= room or room <= max(body):
        return
    pages = math.ceil(total / room)
    while pages <= len(body):
        share = total / pages
        breaks, filled = [], 0.0
        for i, h in enumerate(body):
            if filled and (filled + h > room or (filled >= share and len(breaks) < pages - 1)):
                breaks.append(last_title + i)  # the row before this one ends a page
                filled = 0.0
            filled += h
        if filled <= room:
            for b in breaks:
                ws.row_breaks.append(Break(id=b, max=16383, man=True))
            return
        pages += 1


def select_only(wb: Workbook, ws: Worksheet) -> None:
    """Open on ``ws`` with exactly one selected tab: with two, Excel opens the workbook in
    "group" editing mode and a school's typing lands on every grouped sheet."""
    for other in wb.worksheets:
        other.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    index = wb.worksheets.index(ws)
    wb.active = index
    for view in wb.views:
        view.firstSheet = min(view.firstSheet or 0, index)
