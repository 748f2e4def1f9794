"""What people type: every rule of normalise.py, through a real workbook (the value and the record kept of it)."""

import datetime as dt

import pytest

from aggregator.reading import read_return
from aggregator.form.values import FormulaCell, normalise_count, normalise_text
from aggregator.reading.normalise import label_key

from optional import require
from builders import (
    FORM,
    sample_values,
    save_results,
    write_return,
)

from reader_helpers import ENGINES, ODFPY, XLWT, flat, noted, one, read


# ================================================================================================
# What people type: every rule of normalise.py, through a real workbook (value AND record)
# ================================================================================================


def test_int_stays_int_without_note(tmp_path):
    sub = one(tmp_path, "inspectors.total", 3)
    assert sub.values["inspectors.total"] == 3
    assert sub.notes == () and sub.findings == ()


def test_whole_float_is_int_with_note(tmp_path):
    # =0.1*30 is 3.0000000000000004 in a double; Excel shows 3.
    path = write_return(tmp_path / "r.xlsx", sample_values(inspectors__total="=0.1*30"))
    save_results(path, {"C8": "3.0000000000000004"})
    sub = read_return(path, FORM)
    assert sub.values["inspectors.total"] == 3
    assert noted(sub) == [("C8", "whole-float", 3.0000000000000004, 3)]


def test_text_number(tmp_path):
    sub = one(tmp_path, "inspectors.total", "3")
    assert sub.values["inspectors.total"] == 3
    assert noted(sub) == [("C8", "text-number", "3", 3)]


def test_full_width_digits(tmp_path):
    sub = one(tmp_path, "inspectors.total", "３")
    assert sub.values["inspectors.total"] == 3
    assert noted(sub) == [("C8", "full-width", "３", 3)]


@pytest.mark.parametrize("raw", ["3个", "3 所", "3人", "3人次", "3件", "3次", "3套", "3例", "３个"])
def test_unit_suffix(tmp_path, raw):
    sub = one(tmp_path, "inspectors.total", raw)
    assert sub.values["inspectors.total"] == 3
    assert noted(sub) == [("C8", "unit-suffix", raw, 3)]


@pytest.mark.parametrize("raw", [" 3 ", "\u30003\u3000", "3\xa0"])
def test_surrounding_spaces_trimmed(tmp_path, raw):
    sub = one(tmp_path, "inspectors.total", raw)
    assert sub.values["inspectors.total"] == 3
    assert noted(sub) == [("C8", "trimmed", raw, 3)]


def test_blank_is_zero_with_note_not_finding(tmp_path):
    sub = one(tmp_path, "inspectors.total", None)
    assert sub.values["inspectors.total"] == 0
    assert noted(sub) == [("C8", "blank-as-zero", None, 0)]
    assert sub.findings == ()


@pytest.mark.parametrize("raw", ["无", "-", "—", "/", "－"])
def test_nothing_words_are_zero(tmp_path, raw):
    sub = one(tmp_path, "inspectors.total", raw)
    assert sub.values["inspectors.total"] == 0
    assert noted(sub) == [("C8", "unit-suffix", raw, 0)]


@pytest.mark.parametrize(
    "raw, rule",
    [
        ("3.5", "not-whole"),
        (3.5, "not-whole"),
        ("-2", "negative"),
        (-2, "negative"),
        ("abc", "not-a-number"),
        ("三", "not-a-number"),
        (True, "not-a-number"),
        (dt.datetime(2023, 3, 5), "not-a-number"),
    ],
)
def test_values_that_cannot_be_taken(tmp_path, raw, rule):
    sub = one(tmp_path, "inspectors.total", raw)
    assert sub.values["inspectors.total"] is None  # never a silent 0
    (f,) = sub.findings
    assert (f.rule, f.level, f.fields, f.cells) == (rule, "error", ("inspectors.total",), ("C8",))
    assert f.values[0] == raw or isinstance(raw, dt.datetime)
    assert f.message.startswith("C8 派出责任督学数（人）·合计")
    assert sub.notes == ()


# A minus typed in any of the ways people type it, read by every adapter: never its size.
MINUS_ONE = [-1, -1.0, "-1", " -1 ", "－1", "−1", "-1人", FormulaCell("=D8-E8-C8", -1.0)]
MINUS_ONE_IDS = ["int", "float", "text", "spaces", "full-width", "minus-sign", "unit", "formula"]


@pytest.mark.parametrize("raw", MINUS_ONE[:-1], ids=MINUS_ONE_IDS[:-1])
@pytest.mark.parametrize("engine", ENGINES)
def test_typed_minus_one_is_refused_never_read_as_one(tmp_path, engine, raw):
    sub = one(tmp_path, "inspectors.junior", raw, engine=engine)
    assert sub.values["inspectors.junior"] is None
    assert flat(sub) == [("E8", "negative", "error")]
    assert "-1" in sub.findings[0].message.translate(str.maketrans("－−", "--"))


@pytest.mark.parametrize("fmt, engine", [("xls", "xlrd"), ("xls", "calamine"), ("ods", "calamine")])
def test_typed_minus_one_is_refused_in_xls_and_ods(tmp_path, fmt, engine):
    require("xlwt" if fmt == "xls" else "odf", XLWT if fmt == "xls" else ODFPY)
    sub = one(tmp_path, "inspectors.junior", -1, fmt=fmt, engine=engine)
    assert sub.values["inspectors.junior"] is None
    assert flat(sub) == [("E8", "negative", "error")]


@pytest.mark.parametrize("raw", MINUS_ONE, ids=MINUS_ONE_IDS)
def test_normalise_count_refuses_minus_one(raw):
    out = normalise_count(raw)
    assert (out.value, out.note, out.problem) == (None, "", "negative")


def test_message_quotes_what_was_typed(tmp_path):
    (f,) = one(tmp_path, "schools_visited.junior", "三").findings
    assert f.message == "E9 实地督导学校数量（所）·初中填的是“三”，不是数字，请只填写阿拉伯数字（如 3）"


def test_date_in_count_cell_is_quoted_as_date(tmp_path):
    (f,) = one(tmp_path, "inspectors.total", dt.datetime(2023, 3, 5)).findings
    assert "2023-03-05" in f.message


def test_phone_typed_as_number_keeps_its_digits(tmp_path):
    sub = one(tmp_path, "phone", 13872345678)
    assert sub.values["phone"] == "13872345678"


def test_text_fields_are_stripped(tmp_path):
    sub = read(tmp_path, sample_values(reporter="  王老师\u3000", problem_1=" 作业多 "))
    assert sub.values["reporter"] == "王老师"
    assert sub.values["problem_1"] == "作业多"
    assert sub.notes == ()


def test_blank_text_is_empty_string_not_none(tmp_path):
    sub = read(tmp_path, sample_values(reporter=None), unit=None)
    assert sub.values["reporter"] == ""
    assert sub.cells["reporter"] == "D3"
    assert sub.findings == ()


@pytest.mark.parametrize(
    "raw, value, note, problem",
    [
        (3, 3, "", ""),
        (3.0, 3, "whole-float", ""),
        (3.0000000000000004, 3, "whole-float", ""),
        ("3", 3, "text-number", ""),
        ("3.0", 3, "text-number", ""),
        ("1,234", 1234, "text-number", ""),
        ("３", 3, "full-width", ""),
        ("3 所", 3, "unit-suffix", ""),
        (" 3 ", 3, "trimmed", ""),
        (None, 0, "blank-as-zero", ""),
        ("", 0, "blank-as-zero", ""),
        ("  ", 0, "blank-as-zero", ""),
        ("无", 0, "unit-suffix", ""),
        ("-0", 0, "text-number", ""),
        ("3.5", None, "", "not-whole"),
        (-0.5, None, "", "not-whole"),
        ("−2", None, "", "negative"),
        (-2.0, None, "", "negative"),
        ("abc", None, "", "not-a-number"),
        ("三", None, "", "not-a-number"),
        ("3%", None, "", "not-a-number"),
        (False, None, "", "not-a-number"),
        (dt.date(2023, 3, 5), None, "", "not-a-number"),
        (dt.time(3, 5), None, "", "not-a-number"),
        (float("nan"), None, "", "not-a-number"),
        ("#DIV/0!", None, "", "formula-error"),
        (FormulaCell("=D8+E8", 3.0), 3, "formula-computed", ""),
        (FormulaCell("=D8-E8", -1.0), None, "", "negative"),
        (FormulaCell("=1/0", "#DIV/0!"), None, "", "formula-error"),
        (FormulaCell("", "#N/A"), None, "", "formula-error"),
        (FormulaCell("=VLOOKUP(A1,B:C,2)", None, supported=False), None, "", "formula-unsupported"),
    ],
)
def test_normalise_count_table(raw, value, note, problem):
    out = normalise_count(raw)
    assert (out.value, out.note, out.problem) == (value, note, problem)


@pytest.mark.parametrize(
    "raw, text",
    [(13800000000, "13800000000"), (13800000000.0, "13800000000"), (" 0722-1234567 ", "0722-1234567"),
     (None, ""), (3.25, "3.25"), (dt.date(2023, 11, 20), "2023-11-20")],
)
def test_normalise_text_table(raw, text):
    assert normalise_text(raw).value == text


@pytest.mark.parametrize(
    "typed, key",
    [("填报单位：", "填报单位"), ("派出责任督学数 (人)", "派出责任督学数(人)"), ("　合　计　", "合计"),
     ("其中：区教育督导部门", "其中:区教育督导部门"), (1, "1"), (None, "")],
)
def test_label_key(typed, key):
    assert label_key(typed) == key
