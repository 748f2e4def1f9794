"""What calamine does not tell about an .ods sheet: saved error values and unsaved formulas.

LibreOffice saves =1/0 as a cell of value type "error" showing "#DIV/0!", which calamine reads
as blank (a silent 0 but for the blank-as-zero note). A program may also write a formula with no
saved value. Only asked for when a located count cell came back blank, and the walk over
content.xml (already unpacked and checked by ``sniff``) is skipped unless the file holds such
cells at all.
"""

from __future__ import annotations

import io
import re
from typing import Mapping
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from ..form.layout import coord

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
_TABLE_TAG = f"{{{_TABLE}}}table"
_ROW_TAG = f"{{{_TABLE}}}table-row"
_CELLS = (f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell")
_NAME = f"{{{_TABLE}}}name"
_ROWS_REPEATED = f"{{{_TABLE}}}number-rows-repeated"
_COLS_REPEATED = f"{{{_TABLE}}}number-columns-repeated"
_MAX_REPEAT = 1024  # repeated formula cells beyond this are not expanded (nothing real does that)

# [.D7]  [.D8:.E8]  [Sheet2.A1]  [$'表 2'.A1:.B2]
_BRACKET_REF = re.compile(r"\[\$?('?)([^\].']*)\1\.(\$?[A-Z]+\$?\d+)(?::\$?(?:'?[^\].']*'?)?\.(\$?[A-Z]+\$?\d+))?\]")


def to_excel_formula(formula: str) -> str:
    """"of:=SUM([.D8:.E8];[.C7])" -> "=SUM(D8:E8,C7)": OpenFormula to the syntax ``evaluate``
    reads. References to other sheets ("[Sheet2.A1]") are kept qualified, so they stay refused."""
    text = formula.split(":", 1)[1] if formula.startswith(("of:", "msoxl:")) else formula

    def ref(m: re.Match) -> str:
        sheet, first, last = m.group(2), m.group(3), m.group(4)
        cells = f"{first}:{last}" if last else first
        return f"'{sheet}'!{cells}" if sheet else cells

    return _BRACKET_REF.sub(ref, text).replace(";", ",")


def saved_formulas(content: bytes, sheet: str) -> Mapping[str, str]:
    """"C9" -> "#DIV/0!" (a saved error) or "=D7+E7" (a formula with no saved value), for one
    sheet of an .ods content.xml; {} when the file has no such cells."""
    if b'value-type="error"' not in content and b"table:formula=" not in content:
        return {}
    out: dict[str, str] = {}
    row = col = 0
    active = False
    try:
        for event, el in iterparse(io.BytesIO(content), events=("start", "end"), forbid_dtd=True):
            tag = el.tag
            if tag == _TABLE_TAG:
                if event == "start":
                    active, row = el.get(_NAME) == sheet, 0
                elif active:
                    break
                else:
                    el.clear()
            elif not active:
                continue
            elif tag == _ROW_TAG:
                if event == "start":
                    col = 0
                else:
                    row += int(el.get(_ROWS_REPEATED, "1"))
                    el.clear()
            elif tag in _CELLS and event == "end":
                repeat = int(el.get(_COLS_REPEATED, "1"))
                found = _cell(el)
                for i in range(min(repeat, _MAX_REPEAT) if found else 0):
                    out[coord(row + 1, col + i + 1)] = found
                col += repeat
    except (ParseError, DefusedXmlException, ValueError):
        return out
    return out


def _cell(el) -> str | None:
    """A saved error's text, or an unsaved formula (no value type: nothing was computed)."""
    if el.get(f"{{{_CALCEXT}}}value-type") == "error":
        return "".join(el.itertext()).strip() or "#VALUE!"
    formula = el.get(f"{{{_TABLE}}}formula")
    if formula and el.get(f"{{{_OFFICE}}}value-type") is None:
        return "=" + to_excel_formula(formula).lstrip("=")
    return None
