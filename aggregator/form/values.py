"""Every rule for what people type, in one place: one function per field type.

Schools type ``3个`` or full-width ``３``, write ``无`` for nothing, leave cells blank, paste
numbers stored as text, write dates as ``2024.3.5`` or ``2024年3月5日``, pick a choice and add a
space to it; Excel itself turns ``3-5`` into a date and stores every number as a double. Each
function here takes one raw value and says what it is worth and what was done to get there, as
plain data. Nothing here knows files, sheets or cells: the reader turns an ``Outcome`` into a
note or a finding with the cell and the label, so a rule changes here or nowhere. The field type
registry (``types``) says which function reads which type.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

# Excel's error values, as a cached result or as text some readers hand back for one.
EXCEL_ERRORS = frozenset(
    {"#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#N/A", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA"}
)

# Measure words a count is typed with ("3个", "3 所", "3人次").
_UNITS = "人次|个|所|人|件|次|套|例|家|名|项|条|份|位|起|处|间"
# What people write for "none" in a number cell.
_NOTHING = frozenset({"无", "暂无", "没有", "-", "--", "—", "——", "–", "―", "/", "\\", "、"})
_NUMBER = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\ufe63": "-"})  # minus signs NFKC keeps
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_WHOLE_TOLERANCE = 1e-9  # Excel shows 15 significant digits: 3.0000000000000004 *is* 3 on screen
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's 1900 leap-year bug included)
_MAX_SERIAL = 2958465  # 9999-12-31
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_DATE_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")
_CHOICE_NOISE = re.compile(r"[\s。，,；;：:、.!！]+")


@dataclass(frozen=True)
class FormulaCell:
    """A cell whose saved value was missing: its formula, and what the reader made of it.

    ``result`` is a number, an ``EXCEL_ERRORS`` code, or None when the formula uses something the
    reader's small evaluator does not do. A saved error value (the file had one) comes with an
    empty ``formula``.
    """

    formula: str
    result: Any = None
    supported: bool = True


@dataclass(frozen=True)
class Outcome:
    """What one raw value is worth.

    ``value`` is an int for counts, an int or float for numbers, a str for text and choices, a
    ``date`` for dates; None when the cell cannot be taken (then ``problem`` is a finding rule
    id) or, for dates and choices, when it was left blank. ``note`` is a Normalisation kind when
    the value was changed to get there. ``shown`` is what to quote back to the school ("3个",
    "=D7+E7", "#DIV/0!").
    """

    value: Any
    note: str = ""
    problem: str = ""
    shown: Any = None


# ================================================================================================
# Counts and numbers
# ================================================================================================


def normalise_count(raw: Any) -> Outcome:
    """A whole number >= 0, or None and the reason; never a silent 0 (a blank is noted)."""
    if raw.__class__ is int and 0 <= raw < len(_WHOLE):
        return _WHOLE[raw]
    return _numeric(raw, decimals=None, units=_UNITS)


def normalise_number(raw: Any, decimals: int = 2, suffix: str = "") -> Outcome:
    """A number >= 0 kept to ``decimals`` places (more are rounded, and noted); the field's own
    unit ("元") may follow it, as measure words may follow a count."""
    units = f"{re.escape(suffix)}|{_UNITS}" if suffix else _UNITS
    return _numeric(raw, decimals=decimals, units=units)


# The usual counts, made once: a return has forty of them and a province 10,000 returns.
_WHOLE = tuple(Outcome(n, shown=n) for n in range(1000))


def _numeric(raw: Any, *, decimals: int | None, units: str) -> Outcome:
    """``decimals`` None: a count (whole numbers only); else a number rounded to that many places."""
    if isinstance(raw, FormulaCell):
        return _formula(raw, decimals=decimals, units=units)
    if raw is None or raw == "":
        return Outcome(0, note="blank-as-zero", shown="")
    if isinstance(raw, bool):  # before int: bool is an int in Python, never in a number cell
        return Outcome(None, problem="not-a-number", shown="TRUE" if raw else "FALSE")
    if isinstance(raw, int):
        return Outcome(None, problem="negative", shown=raw) if raw < 0 else Outcome(raw, shown=raw)
    if isinstance(raw, float):
        return _float(raw, decimals)
    if isinstance(raw, str):
        return _text_number(raw, decimals, units)
    if isinstance(raw, (dt.date, dt.time, dt.timedelta)):  # "3-5" typed, Excel made it a date
        return Outcome(None, problem="not-a-number", shown=date_text(raw))
    return Outcome(None, problem="not-a-number", shown=str(raw))


def _float(x: float, decimals: int | None, note: str = "") -> Outcome:
    shown = number_text(x)
    if not math.isfinite(x):
        return Outcome(None, problem="not-a-number", shown=str(x))
    if x < 0 and round(x, decimals or 0) != 0:
        return Outcome(None, problem="negative", shown=shown)
    places = decimals or 0
    nearest = round(x, places)
    close = abs(x - nearest) <= _WHOLE_TOLERANCE * max(1.0, abs(x))
    if decimals is None and not close:
        return Outcome(None, problem="not-whole", shown=shown)
    value = _tidy(abs(nearest))
    if not close:
        return Outcome(value, note="rounded", shown=shown)
    if decimals is None or (note and value != x):
        return Outcome(value, note=note or "whole-float", shown=shown)
    return Outcome(value, note=note, shown=shown)


def _tidy(x: float) -> int | float:
    """A whole float as an int (3.0 is 3 on screen and in the ledger), else the float."""
    return int(x) if float(x).is_integer() else x


def _text_number(raw: str, decimals: int | None, units: str) -> Outcome:
    stripped = _strip(raw)
    if not stripped:
        return Outcome(0, note="blank-as-zero", shown=raw)
    if stripped in EXCEL_ERRORS:
        return Outcome(None, problem="formula-error", shown=stripped)
    halfwidth = unicodedata.normalize("NFKC", stripped).translate(_MINUS)
    if halfwidth in _NOTHING:
        return Outcome(0, note="unit-suffix", shown=raw)
    body = re.sub(rf"\s*(?:{units})$", "", halfwidth) if units else halfwidth
    m = _NUMBER.fullmatch(body)
    if not m:
        return Outcome(None, problem="not-a-number", shown=raw)
    sign, digits, fraction = m.groups()
    number = float(f"{digits.replace(',', '')}.{fraction or 0}")
    if sign == "-" and number:
        return Outcome(None, problem="negative", shown=raw)
    if body != halfwidth:
        note = "unit-suffix"
    elif halfwidth != stripped:
        note = "full-width"
    elif stripped != raw:
        note = "trimmed"
    else:
        note = "text-number"
    if decimals is None:
        if fraction and fraction.strip("0"):
            return Outcome(None, problem="not-whole", shown=raw)
        return Outcome(int(digits.replace(",", "")), note=note, shown=raw)
    out = _float(number, decimals, note)
    return Outcome(out.value, note=out.note, problem=out.problem, shown=raw)


def _formula(cell: FormulaCell, *, decimals: int | None, units: str) -> Outcome:
    shown = cell.formula or cell.result
    if not cell.supported:
        return Outcome(None, problem="formula-unsupported", shown=cell.formula)
    if isinstance(cell.result, str) and cell.result in EXCEL_ERRORS:
        return Outcome(None, problem="formula-error", shown=cell.result)
    inner = _numeric(cell.result, decimals=decimals, units=units)
    if inner.problem:
        return inner
    return Outcome(inner.value, note="formula-computed", shown=shown)


# ================================================================================================
# Text
# ================================================================================================


_HYPERLINK = re.compile(r'^=\s*HYPERLINK\(\s*"((?:[^"]|"")*)"\s*(?:[,;]\s*"((?:[^"]|"")*)"\s*)?\)\s*$', re.I)
_LITERAL = re.compile(r'^=\s*"((?:[^"]|"")*)"\s*$')


def formula_text(formula: str) -> str:
    """What a person sees in a text cell holding ``formula`` when no result was saved: a
    HYPERLINK's display text (or its address), a quoted text as itself, else the formula."""
    m = _HYPERLINK.match(formula)
    if m:
        return (m.group(2) if m.group(2) is not None else m.group(1)).replace('""', '"')
    m = _LITERAL.match(formula)
    if m:
        return m.group(1).replace('""', '"')
    return formula


def normalise_text(raw: Any) -> Outcome:
    """Text as typed, without surrounding spaces; numbers as Excel shows them.

    A phone number typed into a cell is stored by Excel as the double 13800000000.0: shown back
    as "13800000000", never with ".0" or in scientific notation. A formula without a saved
    result keeps the text a person would see (``formula_text``), and says so.
    """
    if isinstance(raw, FormulaCell):
        text = _strip(str(raw.result if isinstance(raw.result, str) else raw.formula or ""))
        return Outcome(text, note="formula-text" if text else "", shown=raw.formula)
    if raw is None:
        return Outcome("", shown="")
    if isinstance(raw, bool):
        return Outcome("TRUE" if raw else "FALSE", shown=raw)
    if isinstance(raw, (int, float)):
        return Outcome(number_text(raw), shown=raw)
    if isinstance(raw, (dt.date, dt.time, dt.timedelta)):
        return Outcome(date_text(raw), shown=raw)
    return Outcome(_strip(str(raw)), shown=raw)


def _strip(text: str) -> str:
    """Surrounding spaces of every width (full-width U+3000, no-break) and zero-width marks."""
    return (text if text.isascii() else text.translate(INVISIBLE)).strip()


def number_text(x: int | float) -> str:
    if isinstance(x, float) and math.isfinite(x) and x.is_integer():
        return str(int(x))
    if isinstance(x, float):
        return f"{x:.15g}"
    return str(x)


def date_text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.strftime("%Y-%m-%d")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def shown_text(value: Any) -> str:
    """A raw value quoted back in a message: numbers without '.0', dates as dates."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number_text(value)
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return date_text(value)
    return str(value)


# ================================================================================================
# Dates
# ================================================================================================


def normalise_date(raw: Any) -> Outcome:
    """A calendar date from a date cell, an Excel serial number (a date cell formatted as a
    number), or text as people write it: 2024-03-05, 2024.3.5, 2024/3/5, 2024年3月5日, 20240305."""
    if raw is None or raw == "":
        return Outcome(None, shown="")
    if isinstance(raw, FormulaCell):
        if not raw.supported or (isinstance(raw.result, str) and raw.result in EXCEL_ERRORS):
            return Outcome(None, problem="formula-unsupported" if not raw.supported else "formula-error",
                           shown=raw.formula or raw.result)
        inner = normalise_date(raw.result)
        return inner if inner.problem else Outcome(inner.value, note="formula-computed", shown=raw.formula)
    if isinstance(raw, dt.datetime):
        return Outcome(raw.date(), shown=raw)
    if isinstance(raw, dt.date):
        return Outcome(raw, shown=raw)
    if isinstance(raw, bool):
        return Outcome(None, problem="not-a-date", shown="TRUE" if raw else "FALSE")
    if isinstance(raw, (int, float)):
        if 1 <= raw <= _MAX_SERIAL and float(raw).is_integer():
            return Outcome(_EXCEL_EPOCH + dt.timedelta(days=int(raw)), note="date-serial", shown=number_text(raw))
        return Outcome(None, problem="not-a-date", shown=number_text(raw))
    text = unicodedata.normalize("NFKC", _strip(str(raw)))
    if not text:
        return Outcome(None, shown=raw)
    m = _DATE_TEXT.fullmatch(text) or _DATE_DIGITS.fullmatch(text)
    if m:
        try:
            return Outcome(dt.date(int(m[1]), int(m[2]), int(m[3])), note="date-text", shown=raw)
        except ValueError:
            pass
    return Outcome(None, problem="not-a-date", shown=raw)


# ================================================================================================
# Choices
# ================================================================================================


def choice_key(text: Any) -> str:
    """A choice as compared: half width, no spaces or trailing punctuation ("已 落实。" = "已落实")."""
    return _CHOICE_NOISE.sub("", unicodedata.normalize("NFKC", str(text)).translate(INVISIBLE)).lower()


def normalise_choice(raw: Any, choices: tuple[str, ...]) -> Outcome:
    """One of ``choices`` exactly as declared. A typed variant (spaces, full width, punctuation)
    is taken with a note; so is a longer text naming exactly one choice ("未落实（正在整改）")."""
    if isinstance(raw, FormulaCell):
        raw = raw.result if raw.supported and raw.result not in EXCEL_ERRORS else None
    if raw is None or (isinstance(raw, str) and not _strip(raw)):
        return Outcome(None, shown="")
    text = shown_text(raw)
    if text in choices:
        return Outcome(text, shown=raw)
    key = choice_key(text)
    keys = {choice_key(c): c for c in choices}
    if key in keys:
        return Outcome(keys[key], note="choice-typed", shown=raw)
    inside = {c for k, c in keys.items() if k and k in key}
    # "部分落实" contains no other choice, but choices may nest ("落实" in "未落实"): the longest wins
    longest = [c for c in inside if not any(c != o and choice_key(c) in choice_key(o) for o in inside)]
    if len(longest) == 1:
        return Outcome(longest[0], note="choice-typed", shown=raw)
    return Outcome(None, problem="not-a-choice", shown=raw)
