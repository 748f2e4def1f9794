"""Where the table is: the layouts schools make (rows and columns inserted, sheets renamed, retyped by hand)."""


from pathlib import Path

import pytest

from aggregator.form.layout import layout_of
from aggregator.reading import read_return
from aggregator.reading.submission import BY_LABELS, BY_LAYOUT

from builders import (
    FORM,
    sample_values,
    write_return,
)

from reader_helpers import assert_values, flat, noted, read


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
    old = Path(__file__).resolve().parents[1] / "forms" / "annex5-issued-2023-11-01-filled.xlsx"
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
    assert "《2023年“双减”督导有关情况统计表》" in sub.findings[0].message  # no district: the file names none
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
