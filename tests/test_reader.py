"""The reader: whatever a school sends back becomes a Submission, or an UnreadableFile with a reason.

Grouped as the reader is: what people type (normalise), where the table is (layouts), which
file formats, formulas, files that cannot be read at all, and the adapters' shared contract.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.form.layout import layout_of
from aggregator.messages import MESSAGES
from aggregator.reading import UnreadableFile, read_return
from aggregator.reading import ods_parts
from aggregator.reading.evaluate import ExcelError, Unsupported, evaluate
from aggregator.form.values import FormulaCell, normalise_count, normalise_text
from aggregator.reading.normalise import label_key
from aggregator.reading.port import value_at
from aggregator.reading.reader import open_workbook
from aggregator.reading.sniff import sniff
from aggregator.reading.xlsx_parts import saved_formulas
from aggregator.reading.submission import BY_LABELS, BY_LAYOUT

import lo
from optional import require
from builders import (
    FORM,
    docx,
    ole_file,
    patch_zip,
    sample_values,
    save_results,
    sheet_member,
    write_return,
    zip_bomb,
)

ENGINES = ("calamine", "openpyxl")
# Test-only writers of the .xls and .ods fixtures (the ``test`` extra): a skip without them, never in CI.
XLWT = "xlwt (test-only) writes the .xls fixture: pip install xlwt"
ODFPY = "odfpy (test-only) writes the .ods fixture: pip install odfpy"


def read(tmp_path: Path, values: dict | None = None, *, engine: str = "calamine", name: str = "附件5", **kw):
    fmt = kw.get("fmt", "xlsx")
    path = write_return(tmp_path / f"{name}.{fmt}", sample_values() if values is None else values, **kw)
    return read_return(path, FORM, engine=engine)


def one(tmp_path: Path, field: str, raw, **kw):
    """A complete return with one field typed as ``raw``."""
    return read(tmp_path, sample_values(**{field.replace(".", "__"): raw}), **kw)


def flat(sub) -> list[tuple[str, str, str]]:
    return sorted((f.cells[0] if f.cells else "", f.rule, f.level) for f in sub.findings)


def noted(sub) -> list[tuple[str, str, object, object]]:
    return [(n.cell, n.kind, n.raw, n.value) for n in sub.notes]


def assert_values(sub, expected: dict) -> None:
    wrong = {k: (sub.values.get(k), v) for k, v in expected.items() if sub.values.get(k) != v}
    assert not wrong, f"(read, expected): {wrong}"


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


# ================================================================================================
# Where the table is: layouts schools make
# ================================================================================================

VALID = sample_values()


def test_the_template_we_issue_is_read_by_layout(tmp_path):
    from aggregator.outputs.template import build_template

    wb = build_template(FORM, meta={"school_id": "S042"}, unit="曾都区实验小学",
                        values={k: v for k, v in VALID.items() if k not in ("unit", "inspectors.junior")})
    path = tmp_path / "附件5.xlsx"
    wb.save(path)
    sub = read_return(path, FORM)
    assert (sub.located_by, sub.meta["school_id"]) == (BY_LAYOUT, "S042")
    assert_values(sub, sample_values(inspectors__junior=0))
    assert noted(sub) == [("E8", "blank-as-zero", None, 0)]  # live-check formulas nearby are not values
    assert sub.findings == ()


def test_issued_layout_is_read_by_layout(tmp_path):
    sub = read(tmp_path)
    assert sub.located_by == BY_LAYOUT
    assert sub.sheet == FORM.sheet
    assert_values(sub, VALID)
    assert sub.cells["inspectors.total"] == "C8" and sub.cells["unit"] == "B3"
    assert sub.findings == () and sub.notes == ()
    assert sub.meta["school_id"] == "S042" and sub.source == "附件5.xlsx"


def test_every_field_has_a_value_and_a_cell(tmp_path):
    sub = read(tmp_path)
    assert set(sub.values) == {f.id for f in FORM.fields}
    assert set(sub.cells) == {f.id for f in FORM.fields}


def test_rows_inserted(tmp_path):
    sub = read(tmp_path, insert_rows_at=7, insert_rows=2)
    assert sub.located_by == BY_LABELS
    assert_values(sub, VALID)
    assert sub.cells["inspectors.total"] == "C10"
    assert sub.cells["training_orgs.total"] == "C6"
    assert sub.findings == ()


def test_rows_inserted_above_everything(tmp_path):
    sub = read(tmp_path, insert_rows_at=1, insert_rows=3)
    assert_values(sub, VALID)
    assert sub.cells["unit"] == "B6"


def test_column_inserted_between_total_and_parts(tmp_path):
    sub = read(tmp_path, insert_cols_at=4)
    assert_values(sub, VALID)
    assert (sub.cells["inspectors.total"], sub.cells["inspectors.primary"], sub.cells["inspectors.junior"]) == (
        "C8", "E8", "F8")
    assert sub.cells["orders.bureau"] == "E21"
    assert sub.findings == ()


def test_column_inserted_between_labels_and_values(tmp_path):
    sub = read(tmp_path, insert_cols_at=3)
    assert_values(sub, VALID)
    assert (sub.cells["problem_1"], sub.cells["typical_cases"], sub.cells["inspectors.total"]) == ("D11", "D25", "D8")


def test_column_inserted_between_labels_and_blank_values(tmp_path):
    sub = read(tmp_path, sample_values(typical_cases=None, problem_1=None), insert_cols_at=3)
    assert (sub.values["typical_cases"], sub.values["problem_1"]) == (0, "")
    # the suffix "例（附相关材料）" two cells right is not taken for the value
    assert [(n.field, n.kind) for n in sub.notes] == [("typical_cases", "blank-as-zero")]
    # and the blank is noted at the cell where the school would have typed it, before the suffix
    assert sub.cells["typical_cases"] == "D25"


@pytest.mark.parametrize("inserted,cell", [(3, "D25"), (4, "C25"), (5, "C25")])
def test_blank_inline_value_after_an_inserted_column_without_metadata(tmp_path, inserted, cell):
    """Found by the property test: nothing filled in, a column inserted, no metadata."""
    sub = read(tmp_path, {f.id: None for f in FORM.fields}, insert_cols_at=inserted, meta=False, unit=None)
    assert sub.cells["typical_cases"] == cell


def test_a_template_issued_before_the_one_line_header_is_still_read():
    """Issued on 1 November 2023, before 联系电话 joined 填报单位 and 填报人 on one line (issue 20):
    its 联系电话 is at B4, its live check in column F. Found by its labels, every value read."""
    old = Path(__file__).parent / "forms" / "annex5-issued-2023-11-01-filled.xlsx"
    sub = read_return(old, FORM)
    assert sub.located_by == BY_LABELS and not sub.findings
    assert dict(sub.values) == VALID
    assert (sub.cells["phone"], sub.cells["unit"], sub.cells["inspectors.total"]) == ("B4", "B3", "C8")
    assert layout_of(FORM).cells["phone"] == "F3"  # where today's template has it


def test_column_inserted_before_the_check_column_keeps_the_phone(tmp_path):
    """Found by the property test: only the check column moves; the metadata is still there,
    so the fast path must notice the move (its heads pin the layout) and read every value."""
    sub = read(tmp_path, sample_values(phone="13872345678"), insert_cols_at=7)  # before G, the check column
    assert sub.values["phone"] == "13872345678" and sub.cells["phone"] == "F3"
    assert sub.located_by == BY_LABELS


def test_column_inserted_before_the_table(tmp_path):
    sub = read(tmp_path, insert_cols_at=1, insert_cols=2)
    assert_values(sub, VALID)
    assert sub.cells["inspectors.total"] == "E8"


def test_row_deleted_is_not_found_once(tmp_path):
    sub = read(tmp_path, drop_rows=("circulars",))
    assert sub.values["circulars.total"] is None and sub.values["circulars.bureau"] is None
    (f,) = sub.findings
    assert (f.rule, f.level, f.fields) == ("not-found", "error", ("circulars.total", "circulars.bureau"))
    assert "通报（次）" in f.message
    rest = {k: v for k, v in VALID.items() if not k.startswith("circulars.")}
    assert_values(sub, rest)


def test_several_rows_deleted(tmp_path):
    sub = read(tmp_path, drop_rows=("problems", "interviews", "problem_2"))
    assert sorted(f.fields[0] for f in sub.findings) == ["interviews.total", "problem_2", "problems.total"]
    # "存在问题（个）" is gone: "存在问题学校（所）" must not be taken for it.
    assert sub.values["problem_schools.total"] == VALID["problem_schools.total"]
    assert sub.values["problems_rectified.total"] == VALID["problems_rectified.total"]


def test_sheet_renamed(tmp_path):
    sub = read(tmp_path, sheet_name="附件5统计表")
    assert (sub.sheet, sub.located_by) == ("附件5统计表", BY_LAYOUT)
    assert_values(sub, VALID)


def test_sheet_moved_after_other_sheets(tmp_path):
    sub = read(tmp_path, extra_sheets_before=2, sheet_name="填报")
    assert sub.sheet == "填报"
    assert_values(sub, VALID)


def test_pasted_into_another_workbook_at_an_offset(tmp_path):
    sub = read(tmp_path, meta=False, offset=(6, 2), extra_sheets_before=1, extra_sheets_after=1, sheet_name="Sheet2")
    assert (sub.sheet, sub.located_by, sub.meta) == ("Sheet2", BY_LABELS, {})
    assert_values(sub, VALID)
    assert sub.cells["inspectors.total"] == "E14"
    assert sub.findings == ()


def test_no_metadata(tmp_path):
    sub = read(tmp_path, meta=False)
    assert sub.located_by == BY_LABELS
    assert_values(sub, VALID)
    assert sub.cells == {fid: ref for fid, ref in layout_of(FORM).cells.items()}


def test_retyped_by_hand_with_columns_in_another_order(tmp_path):
    sub = read(tmp_path, style="reordered", meta=False)
    assert_values(sub, VALID)
    assert sub.findings == ()
    assert sub.cells["inspectors.junior"] == "B8"  # 初中 typed first


def test_retyped_like_the_word_original(tmp_path):
    sub = read(tmp_path, style="word", meta=False)
    assert_values(sub, VALID)
    assert sub.findings == ()
    assert sub.cells["unit"] == "A2"  # "填报单位：... 填报人：... 联系电话：..." in one cell


def test_word_layout_with_blanks_and_units(tmp_path):
    vals = sample_values(training_orgs__subject="3个", unit="", typical_cases=None)
    sub = read(tmp_path, vals, style="word", meta=False)
    assert sub.values["training_orgs.subject"] == 3
    assert sub.values["unit"] == ""
    assert sub.values["typical_cases"] == 0


def test_header_typed_with_value_in_the_label_cell(tmp_path):
    path = write_return(tmp_path / "r.xlsx", sample_values(unit=None), unit=None)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb[FORM.sheet]["A3"] = "填报单位：曾都区实验小学"
    wb.save(path)
    sub = read_return(path, FORM)
    assert (sub.values["unit"], sub.cells["unit"]) == ("曾都区实验小学", "A3")


def test_metadata_of_another_form_is_wrong_form(tmp_path):
    sub = read(tmp_path, meta={"form_id": "annex3-checklist"})
    assert flat(sub) == [("", "wrong-form", "error")]
    assert "annex3-checklist" in sub.findings[0].message
    assert all(v is None for v in sub.values.values())


def test_no_table_on_any_sheet_is_form_not_found(tmp_path):
    path = tmp_path / "other.xlsx"
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "学生名单"
    wb.active["A2"] = "派出责任督学数（人）"  # one label is not a table
    wb.save(path)
    sub = read_return(path, FORM)
    assert flat(sub) == [("", "form-not-found", "error")]
    assert "曾都区2023年“双减”督导有关情况统计表" in sub.findings[0].message
    assert all(v is None for v in sub.values.values())


def test_best_sheet_wins_over_a_partial_copy(tmp_path):
    path = write_return(tmp_path / "r.xlsx", VALID, meta=False, extra_sheets_before=1)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    decoy = wb["填表说明"]
    decoy["A21"], decoy["B21"] = "派出责任督学数（人）", 99
    decoy["A22"], decoy["B22"] = "通报（次）", 99
    wb.save(path)
    sub = read_return(path, FORM)
    assert sub.sheet == FORM.sheet
    assert_values(sub, VALID)


def test_table_on_a_hidden_sheet_is_still_found(tmp_path):
    path = write_return(tmp_path / "r.xlsx", VALID, meta=False, extra_sheets_before=1)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb[FORM.sheet].sheet_state = "hidden"
    wb.save(path)
    assert_values(read_return(path, FORM), VALID)


def test_chart_sheet_before_the_table(tmp_path):
    from openpyxl import load_workbook
    from openpyxl.chart import BarChart, Reference

    path = write_return(tmp_path / "r.xlsx", VALID, meta=False)
    wb = load_workbook(path)
    chart = BarChart()
    chart.add_data(Reference(wb[FORM.sheet], min_col=3, min_row=7, max_row=9))
    wb.create_chartsheet("图表", 0).add_chart(chart)
    wb.save(path)
    sub = read_return(path, FORM)
    assert sub.sheet == FORM.sheet
    assert_values(sub, VALID)


def test_merged_section_labels_do_not_confuse_the_search(tmp_path):
    # 问责情况 is a section label (merged A20:A24) and a head (B20); 问责（人次） is a row.
    sub = read(tmp_path, meta=False, insert_rows_at=20)
    assert sub.cells["accountabilities.total"] == "C25"
    assert sub.cells["orders.bureau"] == "D22"


# ================================================================================================
# File formats (the extension never matters)
# ================================================================================================


def test_xlsm(tmp_path):
    sub = read(tmp_path, fmt="xlsm")
    assert sniff(tmp_path / "附件5.xlsm").format == "xlsm"
    assert_values(sub, VALID)


def test_xls(tmp_path):
    require("xlwt", XLWT)
    sub = read(tmp_path, fmt="xls")
    assert sniff(tmp_path / "附件5.xls").format == "xls"
    assert (sub.located_by, sub.sheet) == (BY_LAYOUT, FORM.sheet)
    assert_values(sub, VALID)


def test_xls_with_problems_and_moved_rows(tmp_path):
    require("xlwt", XLWT)
    sub = read(tmp_path, sample_values(inspectors__total="3个", notices__junior="x"), fmt="xls", insert_rows_at=8)
    assert sub.values["inspectors.total"] == 3
    assert flat(sub) == [("E11", "not-a-number", "error")]


def test_ods(tmp_path):
    require("odf", ODFPY)
    sub = read(tmp_path, fmt="ods")
    assert sniff(tmp_path / "附件5.ods").format == "ods"
    assert_values(sub, VALID)
    assert sub.meta["form_id"] == FORM.id


def test_ods_formula_without_saved_value_is_computed(tmp_path):
    require("odf", ODFPY)
    sub = read(tmp_path, sample_values(inspectors__total="=SUM(D8:E8)", notices__total="=1/0"), fmt="ods")
    assert sub.values["inspectors.total"] == 3
    assert noted(sub) == [("C8", "formula-computed", "=SUM(D8:E8)", 3)]
    assert flat(sub) == [("C10", "formula-error", "error")]


def test_ods_saved_errors_and_formulas_are_found_by_position():
    t = 'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    o = 'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    x = 'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"'
    p = 'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    content = f"""<office:document-content {t} {o} {x} {p}><office:body><office:spreadsheet>
      <table:table table:name="其他"><table:table-row><table:table-cell calcext:value-type="error"/>
      </table:table-row></table:table>
      <table:table table:name="统计表">
        <table:table-row table:number-rows-repeated="2"><table:table-cell/></table:table-row>
        <table:table-row><table:table-cell table:number-columns-repeated="2"/><table:covered-table-cell/>
          <table:table-cell table:formula="of:=1/0" office:value-type="string" calcext:value-type="error">
            <text:p>#DIV/0!</text:p></table:table-cell>
          <table:table-cell table:formula="of:=[.D3]+[.$A$1]"/>
          <table:table-cell table:formula="of:=1+1" office:value-type="float" office:value="2"/>
        </table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"""
    assert ods_parts.saved_formulas(content.encode(), "统计表") == {"D3": "#DIV/0!", "E3": "=D3+$A$1"}
    assert ods_parts.saved_formulas(b"<a/>", "统计表") == {}


def test_xls_readers_agree(tmp_path):
    require("xlwt", XLWT)
    vals = sample_values(inspectors__total="3个", notices__junior="x", phone=13872345678, typical_cases=None)
    path = write_return(tmp_path / "r.xls", vals, fmt="xls", insert_cols_at=4)
    first, second = (read_return(path, FORM, engine=e) for e in ("xlrd", "calamine"))
    assert (first.values, first.cells, first.notes, first.findings) == (
        second.values, second.cells, second.notes, second.findings)


def test_xls_named_xlsx_is_read_as_xls(tmp_path):
    require("xlwt", XLWT)
    path = write_return(tmp_path / "r.xls", VALID, fmt="xls")
    renamed = path.rename(tmp_path / "附件5(1).xlsx")
    assert_values(read_return(renamed, FORM), VALID)


@pytest.mark.libreoffice
@pytest.mark.skipif(not lo.soffice_available(), reason=lo.missing() or "-")
def test_saved_by_libreoffice_in_every_format(tmp_path):
    """Files as an office suite writes them: real .xls/.ods/.xlsx with saved formula results.
    (Typed into and saved through LibreOffice as a school would: test_libreoffice.py.)"""
    vals = sample_values(inspectors__total="=D8+E8", schools_visited__total="=SUM(D9:E9)", notices__total="=1/0")
    src = write_return(tmp_path / "src.xlsx", vals)
    for fmt in ("xls", "ods", "xlsx"):
        sub = read_return(lo.convert(src, fmt, tmp_path / "out"), FORM)
        assert sub.located_by == BY_LAYOUT, fmt
        assert_values(sub, sample_values(notices__total=None))
        assert flat(sub) == [("C10", "formula-error", "error")], fmt
        assert sub.notes == (), fmt  # saved results are plain values


# ================================================================================================
# Formulas
# ================================================================================================


@pytest.mark.parametrize("engine", ENGINES)
def test_formula_with_saved_result_is_its_value(tmp_path, engine):
    path = write_return(tmp_path / "r.xlsx", sample_values(inspectors__total="=D8+E8"))
    save_results(path, {"C8": "3"})
    sub = read_return(path, FORM, engine=engine)
    assert sub.values["inspectors.total"] == 3
    assert sub.notes == () and sub.findings == ()


@pytest.mark.parametrize("engine", ENGINES)
def test_formula_with_saved_error_is_formula_error(tmp_path, engine):
    path = write_return(tmp_path / "r.xlsx", sample_values(inspectors__total="=D8/0"))
    save_results(path, {"C8": "#DIV/0!"})
    sub = read_return(path, FORM, engine=engine)
    assert sub.values["inspectors.total"] is None
    assert flat(sub) == [("C8", "formula-error", "error")]
    assert "#DIV/0!" in sub.findings[0].message


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("formula", ["=D8+E8", "=SUM(D8:E8)", "=sum(D8,E8)", "=$D$8+E8", "=(D8*2+E8*2)/2"])
def test_formula_without_saved_result_is_computed(tmp_path, engine, formula):
    sub = read(tmp_path, sample_values(inspectors__total=formula), engine=engine)
    assert sub.values["inspectors.total"] == 3
    assert noted(sub) == [("C8", "formula-computed", formula, 3)]


@pytest.mark.parametrize("engine", ENGINES)
def test_formula_chain_without_saved_results(tmp_path, engine):
    vals = sample_values(inspectors__total="=D8+E8", inspectors__primary="=1+1")
    sub = read(tmp_path, vals, engine=engine)
    assert (sub.values["inspectors.total"], sub.values["inspectors.primary"]) == (3, 2)


@pytest.mark.parametrize("engine", ENGINES)
def test_formula_dividing_by_zero_is_formula_error(tmp_path, engine):
    sub = read(tmp_path, sample_values(inspectors__total="=1/0"), engine=engine)
    assert sub.values["inspectors.total"] is None
    assert flat(sub) == [("C8", "formula-error", "error")]
    assert "“#DIV/0!”" in sub.findings[0].message


@pytest.mark.parametrize("engine", ENGINES)
def test_unsupported_formula(tmp_path, engine):
    formula = '=VLOOKUP("小学",A1:E31,3,FALSE)'
    sub = read(tmp_path, sample_values(inspectors__total=formula), engine=engine)
    assert sub.values["inspectors.total"] is None
    assert flat(sub) == [("C8", "formula-unsupported", "error")]
    assert sub.findings[0].values == (formula,)


def test_formula_on_another_sheet_is_unsupported(tmp_path):
    sub = read(tmp_path, sample_values(inspectors__total="=Sheet9!D8"))
    assert flat(sub) == [("C8", "formula-unsupported", "error")]


def test_circular_formula_is_unsupported(tmp_path):
    sub = read(tmp_path, sample_values(inspectors__total="=D8+E8", inspectors__primary="=C8"))
    assert ("C8", "formula-unsupported", "error") in flat(sub)


def test_saved_error_value_without_formula(tmp_path):
    path = write_return(tmp_path / "r.xlsx", sample_values(inspectors__total="=NA()"))
    save_results(path, {"C8": "#N/A"})
    patch_zip(path, sheet_member(path), lambda x: x.replace(b"<f>NA()</f>", b""))
    sub = read_return(path, FORM)
    assert flat(sub) == [("C8", "formula-error", "error")]


@pytest.mark.parametrize(
    "formula, value",
    [("=1+2*3", 7.0), ("=-(1+2)", -3.0), ("=SUM(A1:B2)", 10.0), ("=SUM(A1:B2,5,A1)", 16.0), ("=A1/B1", 0.5),
     ("=SUM()", 0.0), ("=$A$1+A$2+$B1", 6.0), ("=A1+C10", 1.0), ("=统计表!A1*2", 2.0), ("='统计表'!B2", 4.0),
     ("=A1/0", "#DIV/0!"), ("=A1+D1", "#VALUE!"), ("=SUM(A1:D1)", 3.0), ("=#REF!+1", "#REF!")],
)
def test_evaluator(formula, value):
    grid = {(1, 1): 1, (1, 2): 2, (2, 1): 3, (2, 2): 4, (1, 4): "abc"}
    result = evaluate(formula, lambda r, c: grid.get((r, c)), "统计表")
    assert result == value
    assert isinstance(result, ExcelError) == isinstance(value, str)


@pytest.mark.parametrize("formula", ["=IF(A1>0,1,0)", '="a"&"b"', "=A1^2", "=A:A", "=Other!A1", "=1+", "=(1", "=A1>2",
                                     "=SUM(A1:ZZ9999)", "=__import__('os')"])
def test_evaluator_refuses(formula):
    with pytest.raises(Unsupported):
        evaluate(formula, lambda r, c: 1, "统计表")


# Sums as schools write them: numbers, references (with $), + - *, parentheses, SUM; the value
# each must have is worked out alongside, independently of the evaluator.
_GRID = {(1, 1): 1, (1, 2): 2, (2, 1): 3, (2, 2): 4}
_REFS = {"A1": 1, "B1": 2, "A2": 3, "B2": 4, "$A$1": 1, "B$2": 4, "$A2": 3}
_operand = st.integers(0, 99).map(lambda n: (str(n), n)) | st.sampled_from(sorted(_REFS.items()))
_sums = st.recursive(_operand, lambda inner: st.one_of(
    st.tuples(inner, st.sampled_from("+-*"), inner).map(
        lambda t: (f"({t[0][0]}){t[1]}({t[2][0]})",
                   {"+": t[0][1] + t[2][1], "-": t[0][1] - t[2][1], "*": t[0][1] * t[2][1]}[t[1]])),
    inner.map(lambda a: (f"-({a[0]})", -a[1])),
    st.lists(inner, min_size=1, max_size=3).map(
        lambda xs: ("SUM(" + ",".join(x[0] for x in xs) + ")", sum(x[1] for x in xs))),
), max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(_sums)
def test_evaluator_computes_what_a_sum_is_worth(case):
    text, value = case
    assert evaluate("=" + text, lambda r, c: _GRID.get((r, c)), "统计表") == value


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ABCDE12345$:!+-*/(),.SUMsum #/0'统计表 ", max_size=40))
def test_evaluator_answers_a_number_or_an_excel_error_or_refuses(text):
    try:
        result = evaluate("=" + text, lambda r, c: (r * c) % 7 or None, "统计表")
    except Unsupported:
        return
    assert type(result) is float or isinstance(result, ExcelError), result


# A sheet part as a program writes it: each cell a value, a formula with or without its saved
# result, or an error value; the probe must list exactly the cells whose result is missing.
_FORMULAS = {"D7+E7": "=D7+E7", "SUM(A1:B2)": "=SUM(A1:B2)", 'IF(A1&lt;2,"a"&amp;"b",0)': '=IF(A1<2,"a"&"b",0)'}
_CELL_XML = {
    "value": lambda f: ("<v>3</v>", None),
    "formula+value": lambda f: (f"<f>{f}</f><v>3</v>", None),
    "formula": lambda f: (f"<f>{f}</f>", _FORMULAS[f]),
    "formula+empty-value": lambda f: (f"<f>{f}</f><v></v>", _FORMULAS[f]),
}


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.tuples(st.integers(1, 30), st.integers(1, 6)),
                       st.tuples(st.sampled_from(sorted(_CELL_XML) + ["error", "formula+error"]),
                                 st.sampled_from(sorted(_FORMULAS))), max_size=25))
def test_formula_probe_lists_exactly_the_cells_without_a_saved_result(cells):
    rows: dict[int, list[str]] = {}
    expected = {}
    for (r, c), (kind, formula) in sorted(cells.items()):
        ref = f"{'ABCDEF'[c - 1]}{r}"
        if kind in ("error", "formula+error"):
            body = (f"<f>{formula}</f>" if kind == "formula+error" else "") + "<v>#DIV/0!</v>"
            rows.setdefault(r, []).append(f'<c r="{ref}" t="e">{body}</c>')
            expected[ref] = "#DIV/0!"
            continue
        body, missing = _CELL_XML[kind](formula)
        rows.setdefault(r, []).append(f'<c r="{ref}">{body}</c>')
        if missing:
            expected[ref] = missing
    xml = "<worksheet><sheetData>" + "".join(
        f'<row r="{r}">{"".join(cs)}</row>' for r, cs in rows.items()) + "</sheetData></worksheet>"
    assert dict(saved_formulas(xml.encode())) == expected


def test_shared_formulas_are_moved_to_their_cell():
    xml = (b'<sheetData><row r="7"><c r="C8"><f t="shared" ref="C8:C10" si="0">D8+E8</f><v></v></c></row>'
           b'<row r="8"><c r="C9"><f t="shared" si="0"/></c><c r="D9" t="e"><v>#REF!</v></c>'
           b'<c r="E9"><f>1+1</f><v>2</v></c></row></sheetData>')
    assert saved_formulas(xml) == {"C8": "=D8+E8", "C9": "=D9+E9", "D9": "#REF!"}


# ================================================================================================
# Files that cannot be read at all: one UnreadableFile with the reason (how fast: test_hostile.py, benchmarks/)
# ================================================================================================


def unreadable(path: Path) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as info:
        read_return(path, FORM)
    exc = info.value
    assert exc.kind in MESSAGES and exc.message == str(exc) and exc.message
    return exc


def test_empty_file(tmp_path):
    path = tmp_path / "附件5.xlsx"
    path.write_bytes(b"")
    assert unreadable(path).kind == "empty-file"


def test_random_bytes(tmp_path):
    path = tmp_path / "附件5.xlsx"
    path.write_bytes(os.urandom(5000))
    assert unreadable(path).kind == "corrupt"


def test_truncated_xlsx(tmp_path):
    full = write_return(tmp_path / "full.xlsx", VALID).read_bytes()
    path = tmp_path / "附件5.xlsx"
    path.write_bytes(full[: len(full) // 2])
    exc = unreadable(path)
    assert exc.kind == "corrupt"
    assert exc.message.startswith("文件已损坏")


def test_zip_member_damaged(tmp_path):
    full = bytearray(write_return(tmp_path / "full.xlsx", VALID).read_bytes())
    with zipfile.ZipFile(tmp_path / "full.xlsx") as z:
        info = z.getinfo(sheet_member(tmp_path / "full.xlsx"))
    start = info.header_offset + 30 + len(info.filename.encode()) + 40
    full[start : start + 20] = b"\x00" * 20
    path = tmp_path / "附件5.xlsx"
    path.write_bytes(bytes(full))
    assert unreadable(path).kind == "corrupt"


def test_word_document_renamed(tmp_path):
    exc = unreadable(docx(tmp_path / "附件5.xlsx"))
    assert exc.kind == "not-spreadsheet" and "Word" in exc.message


def test_old_word_document_renamed(tmp_path):
    path = tmp_path / "附件5.xls"
    path.write_bytes(ole_file(["WordDocument", "1Table"]))
    assert unreadable(path).kind == "not-spreadsheet"


def test_pdf(tmp_path):
    path = tmp_path / "附件5.xlsx"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + os.urandom(200))
    exc = unreadable(path)
    assert exc.kind == "not-spreadsheet" and "PDF" in exc.message


def test_csv_renamed(tmp_path):
    path = tmp_path / "附件5.xlsx"
    path.write_text("填报单位,填报人,联系电话\n曾都区实验小学,王老师,13872345678\n", encoding="gbk")
    exc = unreadable(path)
    assert exc.kind == "not-spreadsheet" and "CSV" in exc.message


def test_one_long_run_of_characters_is_corrupt(tmp_path):
    path = tmp_path / "附件5.xlsx"
    path.write_bytes(b"D" * 3000)
    assert unreadable(path).kind == "corrupt"


def test_utf16_text_is_text(tmp_path):
    path = tmp_path / "附件5.xls"
    path.write_bytes("项目\t合计\r\n派出责任督学数\t3\r\n".encode("utf-16"))
    exc = unreadable(path)
    assert exc.kind == "not-spreadsheet" and "文本" in exc.message


def test_html_saved_as_xls(tmp_path):
    path = tmp_path / "附件5.xls"
    path.write_text("<html><body><table><tr><td>派出责任督学数</td><td>3</td></tr></table></body></html>")
    assert unreadable(path).kind == "not-spreadsheet"


def test_password_protected_xlsx(tmp_path):
    path = tmp_path / "附件5.xlsx"
    path.write_bytes(ole_file(["\x06DataSpaces", "EncryptionInfo", "EncryptedPackage"]))
    exc = unreadable(path)
    assert exc.kind == "encrypted" and "密码" in exc.message


def test_stream_name_inside_cell_text_is_not_a_directory_entry(tmp_path):
    data = bytearray(ole_file(["Workbook"]))
    data += b"\x01" + "EncryptedPackage".encode("utf-16-le") + b"\x00\x00"  # misaligned: cell text
    path = tmp_path / "r.xls"
    path.write_bytes(bytes(data))
    assert unreadable(path).kind == "corrupt"  # an .xls (not encrypted), damaged: our crafted file


def test_zip_bomb(tmp_path):
    exc = unreadable(zip_bomb(tmp_path / "附件5.xlsx", megabytes=100))
    assert exc.kind == "zip-bomb" and "100.0 MB" in exc.message


def test_one_member_compressed_too_well(tmp_path):
    path = write_return(tmp_path / "附件5.xlsx", VALID)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/blank.bin", b"\x00" * (6 * 1024 * 1024))
    assert unreadable(path).kind == "zip-bomb"


def test_oversized_file(tmp_path):
    path = tmp_path / "附件5.xlsx"
    with path.open("wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.truncate(21 * 1024 * 1024)
    exc = unreadable(path)
    assert exc.kind == "oversized" and "21.0 MB" in exc.message


@pytest.mark.parametrize(
    "declaration",
    [b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>', b'<!ENTITY x SYSTEM "file:///etc/passwd">',
     b"<!doctype worksheet>"],
)
def test_doctype_or_entity_is_unsafe(tmp_path, declaration):
    path = write_return(tmp_path / "附件5.xlsx", VALID)
    patch_zip(path, sheet_member(path), lambda x: x.replace(b"<worksheet", declaration + b"<worksheet", 1))
    assert unreadable(path).kind == "unsafe-xml"


def test_doctype_hidden_in_utf16_is_unsafe(tmp_path):
    path = write_return(tmp_path / "附件5.xlsx", VALID)
    patch_zip(path, "xl/workbook.xml", lambda x: (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w [<!ENTITY a "b">]>'.encode("utf-16")))
    assert unreadable(path).kind == "unsafe-xml"


def test_absurd_shared_string_count_is_refused(tmp_path):
    # calamine reserves memory for the declared count first: this would abort the process.
    path = write_return(tmp_path / "附件5.xlsx", VALID)
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/sharedStrings.xml", b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                                           b'count="4000000000" uniqueCount="4000000000"><si><t>a</t></si></sst>')
    assert unreadable(path).kind == "too-many-cells"


def test_too_many_cells_when_the_only_sheet_is_huge(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "派出责任督学数（人）"
    wb.active["XFD1048576"] = 1
    path = tmp_path / "附件5.xlsx"
    wb.save(path)
    assert unreadable(path).kind == "too-many-cells"


def test_huge_other_sheet_is_skipped(tmp_path):
    path = write_return(tmp_path / "附件5.xlsx", VALID, meta=False, extra_sheets_before=1)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb["填表说明"]["XFD1048576"] = 1
    wb.save(path)
    assert_values(read_return(path, FORM), VALID)


def test_mangled_files_are_refused_or_read_unchanged(tmp_path):
    """Flip bytes all over a real return: an UnreadableFile, or (the flips missed the data, which
    the zip's checksums guard) the very values written. Never a changed number, nor a crash."""
    original = write_return(tmp_path / "full.xlsx", VALID).read_bytes()
    rnd = __import__("random").Random(20231120)
    path = tmp_path / "附件5.xlsx"
    for _ in range(60):
        data = bytearray(original)
        for _ in range(rnd.randint(1, 8)):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
        path.write_bytes(bytes(data))
        try:
            sub = read_return(path, FORM)
        except UnreadableFile as exc:
            assert exc.kind in ("corrupt", "unsafe-xml", "zip-bomb", "not-spreadsheet", "encrypted")
        else:
            assert_values(sub, VALID)


def test_a_flipped_bit_is_harmless_in_a_timestamp_and_refused_in_the_sheet(tmp_path):
    """Both outcomes of the test above, each on purpose."""
    original = write_return(tmp_path / "full.xlsx", VALID)
    with zipfile.ZipFile(original) as z:
        info = z.getinfo(sheet_member(original))
    data_start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    path = tmp_path / "附件5.xlsx"
    for at in (info.header_offset + 10, data_start + info.compress_size // 2):  # mod time; the sheet
        data = bytearray(original.read_bytes())
        data[at] ^= 0x01
        path.write_bytes(bytes(data))
        if at < data_start:
            assert_values(read_return(path, FORM), VALID)
        else:
            assert unreadable(path).kind == "corrupt"


# ================================================================================================
# Adapters: one contract, same answers
# ================================================================================================

LAYOUTS = {
    "issued": {},
    "rows": {"insert_rows_at": 9},
    "cols": {"insert_cols_at": 4},
    "offset": {"meta": False, "offset": (3, 1)},
    "reordered": {"style": "reordered", "meta": False},
    "word": {"style": "word", "meta": False},
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_adapters_agree(tmp_path, layout):
    vals = sample_values(inspectors__total="3个", notices__junior="x", phone=13872345678, typical_cases=None)
    path = write_return(tmp_path / "r.xlsx", vals, **LAYOUTS[layout])
    subs = [read_return(path, FORM, engine=e) for e in ENGINES]
    first, second = subs
    assert (first.values, first.cells, first.notes, first.findings, first.sheet, first.located_by) == (
        second.values, second.cells, second.notes, second.findings, second.sheet, second.located_by)


ADAPTERS = [("xlsx", "calamine"), ("xlsx", "openpyxl"), ("xls", "calamine"), ("xls", "xlrd"), ("ods", "calamine")]


@pytest.mark.parametrize("fmt, engine", ADAPTERS)
def test_port_contract(tmp_path, fmt, engine):
    """Absolute coordinates, whole numbers as int, text as typed, sheets in order with visibility."""
    if fmt == "xls":
        require("xlwt", XLWT)
    if fmt == "ods":
        require("odf", ODFPY)
    from builders import WRITERS, SheetSpec

    path = tmp_path / f"contract.{fmt}"
    WRITERS[fmt](path, [SheetSpec("一", {(5, 3): 3, (6, 4): " 3个 ", (7, 5): 2.5, (9, 2): 13872345678}),
                        SheetSpec("二", {(1, 1): "x"}, state="hidden" if fmt != "ods" else "visible")])
    wb = open_workbook(sniff(path), engine)
    try:
        assert wb.sheet_names() == ["一", "二"]
        assert wb.is_visible("一") and (fmt == "ods" or not wb.is_visible("二"))
        grid = wb.grid("一")
        assert value_at(grid, 5, 3) == 3 and type(value_at(grid, 5, 3)) is int
        assert value_at(grid, 6, 4) == " 3个 "
        assert value_at(grid, 7, 5) == 2.5
        assert value_at(grid, 9, 2) == 13872345678
        assert value_at(grid, 1, 1) in ("", None) and value_at(grid, 99, 99) is None
        assert wb.formulas("一") == {}
    finally:
        wb.close()


def test_fast_path_does_not_load_openpyxl(tmp_path):
    path = write_return(tmp_path / "r.xlsx", sample_values(inspectors__total="=D8+E8"))
    code = (
        "import sys; from aggregator.form.declaration import load_form; from aggregator.reading import read_return; "
        f"s = read_return({str(path)!r}, load_form()); assert s.values['inspectors.total'] == 3; "
        "assert 'openpyxl' not in sys.modules, 'openpyxl loaded'; assert 'xlrd' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
