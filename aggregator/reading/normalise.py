"""Every rule for what people type, in one place.

Schools type ``3个`` or full-width ``３``, write ``无`` for nothing, leave cells blank, paste
numbers stored as text; Excel itself turns ``3-5`` into a date and stores every number as a
double. Each function here takes one raw value and says what it is worth and what was done to
get there, as plain data. Nothing here knows files, sheets or forms: the reader turns an
``Outcome`` into a note or a finding with the cell and the label, so a rule changes here or
nowhere. Labels are compared through ``label_key`` for the same reason.
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
# What people write for "none" in a count cell.
_NOTHING = frozenset({"无", "暂无", "没有", "-", "--", "—", "——", "–", "―", "/", "\\", "、"})
_NUMBER = re.compile(rf"([+-]?)(\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.(\d+))?\s*(?:{_UNITS})?")
_HAS_UNIT = re.compile(rf"(?:{_UNITS})$")
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\ufe63": "-"})  # minus signs NFKC keeps
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_WHOLE_TOLERANCE = 1e-9  # Excel shows 15 significant digits: 3.0000000000000004 *is* 3 on screen


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

    ``value`` is an int for counts, a str for text, None when the cell cannot be taken (then
    ``problem`` is a finding rule id). ``note`` is a Normalisation kind when the value was changed
    to get there. ``shown`` is what to quote back to the school ("3个", "=D7+E7", "#DIV/0!").
    """

    value: Any
    note: str = ""
    problem: str = ""
    shown: Any = None


# ================================================================================================
# Counts
# ================================================================================================


def normalise_count(raw: Any) -> Outcome:
    """A whole number >= 0, or None and the reason; never a silent 0 (a blank is noted)."""
    if isinstance(raw, FormulaCell):
        return _formula(raw)
    if raw is None or raw == "":
        return Outcome(0, note="blank-as-zero", shown="")
    if isinstance(raw, bool):  # before int: bool is an int in Python, never in a count cell
        return Outcome(None, problem="not-a-number", shown="TRUE" if raw else "FALSE")
    if isinstance(raw, int):
        if raw.__class__ is int and 0 <= raw < len(_WHOLE):
            return _WHOLE[raw]
        return Outcome(None, problem="negative", shown=raw) if raw < 0 else Outcome(raw, shown=raw)
    if isinstance(raw, float):
        return _float(raw)
    if isinstance(raw, str):
        return _text_count(raw)
    if isinstance(raw, (dt.date, dt.time, dt.timedelta)):  # "3-5" typed, Excel made it a date
        return Outcome(None, problem="not-a-number", shown=_date_text(raw))
    return Outcome(None, problem="not-a-number", shown=str(raw))


# The usual counts, made once: a return has forty of them and a province 10,000 returns.
_WHOLE = tuple(Outcome(n, shown=n) for n in range(1000))


def _float(x: float) -> Outcome:
    if not math.isfinite(x):
        return Outcome(None, problem="not-a-number", shown=str(x))
    if x < 0 and round(x) != 0:
        return Outcome(None, problem="negative", shown=_number_text(x))
    nearest = round(x)
    if abs(x - nearest) <= _WHOLE_TOLERANCE * max(1.0, abs(x)):
        return Outcome(int(nearest), note="whole-float", shown=_number_text(x))
    return Outcome(None, problem="not-whole", shown=_number_text(x))


def _text_count(raw: str) -> Outcome:
    stripped = _strip(raw)
    if not stripped:
        return Outcome(0, note="blank-as-zero", shown=raw)
    if stripped in EXCEL_ERRORS:
        return Outcome(None, problem="formula-error", shown=stripped)
    halfwidth = unicodedata.normalize("NFKC", stripped).translate(_MINUS)
    if halfwidth in _NOTHING:
        return Outcome(0, note="unit-suffix", shown=raw)
    m = _NUMBER.fullmatch(halfwidth)
    if not m:
        return Outcome(None, problem="not-a-number", shown=raw)
    sign, digits, fraction = m.groups()
    whole = int(digits.replace(",", ""))
    if sign == "-" and (whole or (fraction or "").strip("0")):
        return Outcome(None, problem="negative", shown=raw)
    if fraction and fraction.strip("0"):
        return Outcome(None, problem="not-whole", shown=raw)
    if _HAS_UNIT.search(halfwidth):
        note = "unit-suffix"
    elif halfwidth != stripped:
        note = "full-width"
    elif stripped != raw:
        note = "trimmed"
    else:
        note = "text-number"
    return Outcome(whole, note=note, shown=raw)


def _formula(cell: FormulaCell) -> Outcome:
    shown = cell.formula or cell.result
    if not cell.supported:
        return Outcome(None, problem="formula-unsupported", shown=cell.formula)
    if isinstance(cell.result, str) and cell.result in EXCEL_ERRORS:
        return Outcome(None, problem="formula-error", shown=cell.result)
    inner = normalise_count(cell.result)
    if inner.problem:
        return inner
    return Outcome(inner.value, note="formula-computed", shown=shown)


# ================================================================================================
# Text
# ================================================================================================


def normalise_text(raw: Any) -> Outcome:
    """Text as typed, without surrounding spaces; numbers as Excel shows them.

    A phone number typed into a cell is stored by Excel as the double 13800000000.0: shown back
    as "13800000000", never with ".0" or in scientific notation.
    """
    if raw is None or isinstance(raw, FormulaCell):
        return Outcome("", shown="")
    if isinstance(raw, bool):
        return Outcome("TRUE" if raw else "FALSE", shown=raw)
    if isinstance(raw, (int, float)):
        return Outcome(_number_text(raw), shown=raw)
    if isinstance(raw, (dt.date, dt.time, dt.timedelta)):
        return Outcome(_date_text(raw), shown=raw)
    return Outcome(_strip(str(raw)), shown=raw)


def _strip(text: str) -> str:
    """Surrounding spaces of every width (full-width U+3000, no-break) and zero-width marks."""
    return text.translate(_INVISIBLE).strip()


def _number_text(x: int | float) -> str:
    if isinstance(x, float) and math.isfinite(x) and x.is_integer():
        return str(int(x))
    if isinstance(x, float):
        return f"{x:.15g}"
    return str(x)


def _date_text(value: Any) -> str:
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
        return _number_text(value)
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return _date_text(value)
    return str(value)


# ================================================================================================
# Labels
# ================================================================================================

_SPACES = re.compile(r"\s+")
_UNIT_TAIL = re.compile(r"\([^()]*\)$")
_ENUMERATION = re.compile(r"^(?:\(?[0-9一二三四五六七八九十]{1,2}[).、.:]|\([0-9一二三四五六七八九十]{1,2}\))")


def label_key(value: Any) -> str:
    """A label as compared: full-width to half-width (digits, letters, brackets, colons), no
    whitespace of any width, no trailing colon or blank to fill in ("填报单位：", "数量___")."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, (int, float)):
        return _number_text(value)
    if not isinstance(value, str):
        return ""
    text = unicodedata.normalize("NFKC", value.translate(_INVISIBLE))
    text = _SPACES.sub("", text)
    return text.rstrip(":_")


def core_key(key: str) -> str:
    """A label key without its bracketed unit: "派出责任督学数(人)" -> "派出责任督学数"."""
    return _UNIT_TAIL.sub("", key)


def without_enumeration(key: str) -> str:
    """"1.派出责任督学数" / "(一)派出责任督学数" / "一、..." -> the label itself."""
    return _ENUMERATION.sub("", key, count=1)
