"""The field types: each one is one entry here, and knows everything about itself.

How the issued template validates a cell as it is typed, how the reader takes what was typed,
whether rules do arithmetic on it, how the summary aggregates it and how it is kept in the
ledger: a new type is a new entry, never an ``if type == ...`` somewhere else (as a Table
Schema field type, or an XLSForm ``select_one`` pointing at its choices).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

from .values import (
    Outcome, normalise_choice, normalise_count, normalise_date, normalise_number, normalise_text,
)

SUMMARIES = ("sum", "count", "list")


def same(value: Any) -> Any:
    """A value kept in JSON as it is (numbers, text): nothing to turn back."""
    return value


@dataclass(frozen=True)
class Validation:
    """What the template checks while a school types: a plain description that the template
    builder turns into Excel data validation (Excel, WPS and LibreOffice all honour it).

    ``kind`` is Excel's: whole, decimal, date, list, or "" for a prompt only."""

    kind: str
    prompt_title: str
    prompt: str
    operator: str = ""
    formula1: str = ""
    error_title: str = ""
    error: str = ""


@dataclass(frozen=True)
class FieldType:
    name: str
    label: str  # what a clerk calls it
    numeric: bool  # added up, compared as numbers; a live check reads the cell as cell+0
    summary: str  # how the summary aggregates it unless its section says otherwise
    read: Callable[[Any, Any], Outcome]  # (raw cell value, field) -> Outcome
    validation: Callable[[Any], Validation]  # field -> the template's typing rule
    number_format: Callable[[Any], str] = lambda field: ""  # the input cell's format ("" = General)
    # How a live check in the issued workbook reads the cell (an absolute ref such as $C$7) so
    # that Excel compares it as the engine does: text in a number cell is an error (the rule is
    # skipped, as the engine skips a value it could not read), a blank date or choice is unknown.
    excel_ref: Callable[[str], str] = lambda ref: ref
    # The live check's guard on the cell: an Excel condition TRUE while what is typed is a value
    # of this type (blank counts as 0), and the hint shown otherwise. None: the drop-down list or
    # date validation is guard enough.
    excel_guard: Callable[[str], str] | None = None
    guard_hint: str = ""
    from_json: Callable[[Any], Any] = same  # the ledger's JSON back to a value

    @staticmethod
    def to_json(value: Any) -> Any:
        return value.isoformat() if isinstance(value, dt.date) else value


def _date_from_json(value: Any) -> Any:
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return value


def _decimals_format(field: Any) -> str:
    return "0." + "0" * field.decimals if field.decimals else ""


def _as_number(ref: str) -> str:
    return f"({ref}+0)"


def _title(field: Any) -> str:
    return str(field.label)[:32]  # Excel caps prompt titles at 32 characters


def _count_rule(field: Any) -> Validation:
    return Validation("whole", "填写整数", "请填写大于或等于 0 的整数，没有请填 0", "greaterThanOrEqual", "0",
                      "只能填写整数", "请填写大于或等于 0 的整数，没有请填 0（不要填写单位或文字）")


def _number_rule(field: Any) -> Validation:
    places = f"，最多 {field.decimals} 位小数" if field.decimals else ""
    unit = f"（单位：{field.suffix}）" if field.suffix else ""
    return Validation("decimal", _title(field), f"请填写大于或等于 0 的数字{places}{unit}", "greaterThanOrEqual",
                      "0", "只能填写数字", f"请填写大于或等于 0 的数字{places}，不要填写单位或文字")


def _text_rule(field: Any) -> Validation:
    return Validation("", _title(field), f"请填写{field.label}"[:255])


def _phone_rule(field: Any) -> Validation:
    return Validation("", _title(field), "请填写手机号（11位）或座机号（如 0722-1234567）")


def _date_rule(field: Any) -> Validation:
    # Between 1900-01-01 and 9999-12-31: any real date; Excel then offers its date entry.
    return Validation("date", _title(field), "请填写日期，如 2024-03-05", "between", "1",
                      "只能填写日期", "请按 2024-03-05 的格式填写日期")


def _choice_rule(field: Any) -> Validation:
    listed = "、".join(field.choices)
    return Validation("list", _title(field), f"请从下拉列表中选择：{listed}"[:255], "",
                      '"' + ",".join(field.choices) + '"', "请从列表中选择", f"只能选择：{listed}"[:255])


TYPES: dict[str, FieldType] = {
    t.name: t
    for t in (
        # Whole, as the engine wants: a pasted 1.5 gets past data validation and the engine refuses it.
        FieldType("count", "整数", True, "sum", lambda raw, f: normalise_count(raw), _count_rule,
                  excel_ref=_as_number, excel_guard=lambda ref: f"AND({ref}+0>=0,INT({ref}+0)={ref}+0)",
                  guard_hint="请填写0或正整数；"),
        FieldType("number", "数字", True, "sum", lambda raw, f: normalise_number(raw, f.decimals, f.suffix),
                  _number_rule, number_format=_decimals_format, excel_ref=_as_number,
                  excel_guard=lambda ref: f"{ref}+0>=0",
                  guard_hint="请填写0或正数；"),
        FieldType("text", "文字", False, "list", lambda raw, f: normalise_text(raw), _text_rule),
        FieldType("phone", "电话", False, "list", lambda raw, f: normalise_text(raw), _phone_rule),
        FieldType("date", "日期", False, "list", lambda raw, f: normalise_date(raw), _date_rule,
                  number_format=lambda f: "yyyy-mm-dd", from_json=_date_from_json,
                  excel_ref=lambda ref: f'IF({ref}="",NA(),{ref}+0)'),
        FieldType("choice", "选项", False, "count", lambda raw, f: normalise_choice(raw, f.choices), _choice_rule,
                  excel_ref=lambda ref: f'IF({ref}="",NA(),{ref})'),
    )
}

