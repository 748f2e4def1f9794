"""What people type, value by value: every branch of ``form.values`` with its whole outcome.

The reader quotes ``shown`` back to the school ("你填的是“3.5”") and turns ``note`` into the
line the clerk reads, so each case pins all four parts of the ``Outcome``, not the value alone.
The expectations are written from what a school typed and what the clerk must be told, case by
case; none is computed by the code under test.
"""

from __future__ import annotations

import datetime as dt

import pytest

from aggregator.form.values import (
    FormulaCell, Outcome, choice_key, date_text, formula_text, normalise_choice, normalise_count, normalise_date,
    normalise_number, normalise_text, number_text, shown_text,
)

D = dt.date(2024, 3, 5)


def parts(out: Outcome) -> tuple:
    return out.value, out.note, out.problem, out.shown


# ================================================================================================
# Counts: whole numbers >= 0
# ================================================================================================


@pytest.mark.parametrize("raw,expected", [
    (0, (0, "", "", 0)),
    (7, (7, "", "", 7)),
    (999, (999, "", "", 999)),  # the last of the counts made once
    (1000, (1000, "", "", 1000)),  # the first worked out
    (123456, (123456, "", "", 123456)),
    (-1, (None, "", "negative", -1)),
    (True, (None, "", "not-a-number", "TRUE")),  # a checkbox's TRUE in a number cell
    (False, (None, "", "not-a-number", "FALSE")),
    (None, (0, "blank-as-zero", "", "")),
    ("", (0, "blank-as-zero", "", "")),
    ("  ", (0, "blank-as-zero", "", "  ")),
    (3.0, (3, "whole-float", "", "3")),
    (3.0000000000000004, (3, "whole-float", "", "3")),  # Excel shows 3
    (3000000.0000000005, (3000000, "whole-float", "", "3000000")),  # float dust is relative to the size
    (1.0000000015, (None, "", "not-whole", "1.0000000015")),  # beyond the dust: a fraction typed
    (-0.0, (0, "whole-float", "", "0")),
    (3.5, (None, "", "not-whole", "3.5")),
    (-2.0, (None, "", "negative", "-2")),
    (float("nan"), (None, "", "not-a-number", "nan")),
    (float("inf"), (None, "", "not-a-number", "inf")),
    ("3", (3, "text-number", "", "3")),
    ("3个", (3, "unit-suffix", "", "3个")),
    ("3 人次", (3, "unit-suffix", "", "3 人次")),
    ("３", (3, "full-width", "", "３")),
    (" 3 ", (3, "trimmed", "", " 3 ")),
    ("1,200", (1200, "text-number", "", "1,200")),
    ("3.0", (3, "text-number", "", "3.0")),
    ("3.5", (None, "", "not-whole", "3.5")),
    ("-3", (None, "", "negative", "-3")),
    ("\u22123", (None, "", "negative", "\u22123")),  # a typographic minus
    ("-0", (0, "text-number", "", "-0")),
    ("无", (0, "unit-suffix", "", "无")),
    ("——", (0, "unit-suffix", "", "——")),
    ("#DIV/0!", (None, "", "formula-error", "#DIV/0!")),
    (" #N/A ", (None, "", "formula-error", "#N/A")),
    ("约十个", (None, "", "not-a-number", "约十个")),
    ("3元", (None, "", "not-a-number", "3元")),  # a count has no money unit
    (dt.date(2023, 3, 5), (None, "", "not-a-number", "2023-03-05")),  # "3-5" typed, Excel made a date
    (dt.time(3, 5), (None, "", "not-a-number", "03:05:00")),
    (complex(1, 2), (None, "", "not-a-number", "(1+2j)")),
])
def test_a_count_as_typed(raw, expected):
    assert parts(normalise_count(raw)) == expected


@pytest.mark.parametrize("cell,expected", [
    (FormulaCell("=A1+B1", 5), (5, "formula-computed", "", "=A1+B1")),
    (FormulaCell("", 7), (7, "formula-computed", "", 7)),  # a result without its formula
    (FormulaCell("", "#DIV/0!"), (None, "", "formula-error", "#DIV/0!")),
    (FormulaCell("=FOO(A1)", None, supported=False), (None, "", "formula-unsupported", "=FOO(A1)")),
    (FormulaCell("=A1-B1", -2), (None, "", "negative", -2)),
    (FormulaCell("=A1/2", 2.5), (None, "", "not-whole", "2.5")),
    (FormulaCell("=A1", "3个"), (3, "formula-computed", "", "=A1")),  # a formula pointing at typed text
])
def test_a_count_from_a_formula(cell, expected):
    assert parts(normalise_count(cell)) == expected


# ================================================================================================
# Numbers with decimals
# ================================================================================================


@pytest.mark.parametrize("raw,expected", [
    (12.5, (12.5, "", "", "12.5")),
    (12.0, (12, "", "", "12")),
    (12, (12, "", "", 12)),
    (0, (0, "", "", 0)),
    (0.5, (0.5, "", "", "0.5")),
    (2.0000000000000004, (2, "", "", "2")),  # float dust: nothing was changed that anyone could see
    (12.345, (12.35, "rounded", "", "12.345")),
    (-3.5, (None, "", "negative", "-3.5")),
    (-0.4, (None, "", "negative", "-0.4")),
    (-0.001, (0, "rounded", "", "-0.001")),  # nothing once rounded: not a negative amount
    ("１２.５元", (12.5, "unit-suffix", "", "１２.５元")),
    ("1,200.50", (1200.5, "text-number", "", "1,200.50")),
    ("12.345", (12.35, "rounded", "", "12.345")),
    ("12.50", (12.5, "text-number", "", "12.50")),
    (" 12 ", (12, "trimmed", "", " 12 ")),
    ("-1.5", (None, "", "negative", "-1.5")),
    ("约十元", (None, "", "not-a-number", "约十元")),
    (None, (0, "blank-as-zero", "", "")),
    (FormulaCell("=A1*0.5", 2.5), (2.5, "formula-computed", "", "=A1*0.5")),
])
def test_a_number_as_typed(raw, expected):
    assert parts(normalise_number(raw, decimals=2, suffix="元")) == expected


def test_a_whole_number_is_kept_as_an_int():  # 12, not 12.0, in the ledger and the summary
    assert [type(normalise_number(x).value) for x in (12.0, "12.00", 12.5)] == [int, int, float]
    assert type(normalise_count(3.0).value) is int


def test_a_number_keeps_two_places_unless_told():
    assert parts(normalise_number(1.234)) == (1.23, "rounded", "", "1.234")
    assert parts(normalise_number(1.5, decimals=0)) == (2, "rounded", "", "1.5")
    assert parts(normalise_number("5元")) == (None, "", "not-a-number", "5元")  # no unit declared: not a number
    assert parts(normalise_number("5个")) == (5, "unit-suffix", "", "5个")  # measure words still go


# ================================================================================================
# Text
# ================================================================================================


@pytest.mark.parametrize("raw,expected", [
    (None, ("", "", "", "")),
    ("张三", ("张三", "", "", "张三")),
    (" 张三\u3000", ("张三", "", "", " 张三\u3000")),
    ("\u200b李四", ("李四", "", "", "\u200b李四")),
    ("\ufeff王五\xa0", ("王五", "", "", "\ufeff王五\xa0")),
    (True, ("TRUE", "", "", True)),
    (False, ("FALSE", "", "", False)),
    (13800000000.0, ("13800000000", "", "", 13800000000.0)),  # a phone number Excel stored as a double
    (3, ("3", "", "", 3)),
    (1.5, ("1.5", "", "", 1.5)),
    (0.1 + 0.2, ("0.3", "", "", 0.1 + 0.2)),
    (1e20, ("100000000000000000000", "", "", 1e20)),
    (dt.datetime(2024, 3, 5, 8, 30), ("2024-03-05 08:30", "", "", dt.datetime(2024, 3, 5, 8, 30))),
    (dt.datetime(2024, 3, 5), ("2024-03-05", "", "", dt.datetime(2024, 3, 5))),
    (D, ("2024-03-05", "", "", D)),
    (FormulaCell("=A1&B1", "张三"), ("张三", "formula-text", "", "=A1&B1")),
    (FormulaCell("=MYFUNC(A1)", None), ("=MYFUNC(A1)", "formula-text", "", "=MYFUNC(A1)")),
    (FormulaCell("", None), ("", "", "", "")),
])
def test_text_as_typed(raw, expected):
    assert parts(normalise_text(raw)) == expected


@pytest.mark.parametrize("value,text", [
    (dt.datetime(2024, 3, 5, 8, 30), "2024-03-05 08:30"),
    (dt.datetime(2024, 3, 5, 8, 0), "2024-03-05 08:00"),  # on the hour
    (dt.datetime(2024, 3, 5, 0, 30), "2024-03-05 00:30"),  # half past midnight
    (dt.datetime(2024, 3, 5), "2024-03-05"),
    (D, "2024-03-05"),
    (dt.time(8, 30), "08:30:00"),
    (dt.timedelta(hours=1), "1:00:00"),
])
def test_dates_and_times_are_quoted_as_people_read_them(value, text):
    assert date_text(value) == text


@pytest.mark.parametrize("value,text", [
    (None, ""), (3.0, "3"), (2.5, "2.5"), (7, "7"), (True, "True"), (D, "2024-03-05"),
    (dt.timedelta(days=2), "2 days, 0:00:00"), ("3个", "3个"),
    (dt.datetime(2024, 3, 5, 8, 30), "2024-03-05 08:30"),
])
def test_a_value_quoted_back_in_a_message(value, text):
    assert shown_text(value) == text


def test_numbers_are_shown_as_excel_shows_them():
    assert [number_text(x) for x in (3, 3.0, -2.0, 0.5, 1 / 3, float("inf"))] == [
        "3", "3", "-2", "0.5", "0.333333333333333", "inf"]


# ================================================================================================
# Dates
# ================================================================================================


@pytest.mark.parametrize("raw,expected", [
    (None, (None, "", "", "")),
    ("", (None, "", "", "")),
    ("  ", (None, "", "", "  ")),
    (dt.datetime(2024, 3, 5, 10, 0), (D, "", "", dt.datetime(2024, 3, 5, 10, 0))),
    (D, (D, "", "", D)),
    (True, (None, "", "not-a-date", "TRUE")),
    (False, (None, "", "not-a-date", "FALSE")),
    (45356, (D, "date-serial", "", "45356")),
    (45356.0, (D, "date-serial", "", "45356")),
    (45356.5, (None, "", "not-a-date", "45356.5")),
    (1, (dt.date(1899, 12, 31), "date-serial", "", "1")),
    (0, (None, "", "not-a-date", "0")),
    (2958465, (dt.date(9999, 12, 31), "date-serial", "", "2958465")),
    (2958466, (None, "", "not-a-date", "2958466")),
    ("2024.3.5", (D, "date-text", "", "2024.3.5")),
    ("2024 年 3 月 5 日", (D, "date-text", "", "2024 年 3 月 5 日")),
    ("2024-3-5号", (D, "date-text", "", "2024-3-5号")),
    ("２０２４－０３－０５", (D, "date-text", "", "２０２４－０３－０５")),
    ("20240305", (D, "date-text", "", "20240305")),
    ("2024-02-30", (None, "", "not-a-date", "2024-02-30")),
    ("下周一", (None, "", "not-a-date", "下周一")),
    (FormulaCell("=DATE(2024,3,5)", 45356), (D, "formula-computed", "", "=DATE(2024,3,5)")),
    (FormulaCell("=TODAY()", None, supported=False), (None, "", "formula-unsupported", "=TODAY()")),
    (FormulaCell("", "#VALUE!"), (None, "", "formula-error", "#VALUE!")),
    (FormulaCell("=A1", "下周"), (None, "", "not-a-date", "下周")),
])
def test_a_date_as_written(raw, expected):
    assert parts(normalise_date(raw)) == expected


# ================================================================================================
# Choices
# ================================================================================================

CHOICES = ("已落实", "部分落实", "未落实")


@pytest.mark.parametrize("raw,choices,expected", [
    ("已落实", CHOICES, ("已落实", "", "", "已落实")),
    (" 已 落实 ", CHOICES, ("已落实", "choice-typed", "", " 已 落实 ")),
    ("部分落实（正在整改）", CHOICES, ("部分落实", "choice-typed", "", "部分落实（正在整改）")),
    ("未落实情况", ("落实", "未落实"), ("未落实", "choice-typed", "", "未落实情况")),  # the longest nested one
    ("已落实和未落实", CHOICES, (None, "", "not-a-choice", "已落实和未落实")),  # two: no guess
    ("落实了", CHOICES, (None, "", "not-a-choice", "落实了")),
    ("ＹＥＳ", ("yes", "no"), ("yes", "choice-typed", "", "ＹＥＳ")),
    (1, ("1", "2"), ("1", "", "", 1)),
    (None, CHOICES, (None, "", "", "")),
    ("  ", CHOICES, (None, "", "", "")),
    (FormulaCell("=A1", "未落实"), CHOICES, ("未落实", "", "", "未落实")),
    (FormulaCell("=A1", "#N/A"), CHOICES, (None, "", "", "")),
    (FormulaCell("=X(A1)", "已落实", supported=False), CHOICES, (None, "", "", "")),
])
def test_a_choice_as_typed(raw, choices, expected):
    assert parts(normalise_choice(raw, choices)) == expected


def test_choices_compare_without_spaces_width_punctuation_or_case():
    assert [choice_key(t) for t in ("已 落实。", "Ｙｅｓ！", "a,b；c", "\u200b是")] == ["已落实", "yes", "abc", "是"]


def test_a_quoted_text_formula_reads_as_its_text():
    assert formula_text('="他说""好"""') == '他说"好"'
    assert formula_text('= "已落实" ') == "已落实"
    assert formula_text("=A1&B1") == "=A1&B1"
