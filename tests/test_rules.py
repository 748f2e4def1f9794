"""Each rule of domain.md: a return that passes it and one that fails it, with the cells named."""

import pytest

from aggregator.form.expr import ExprError, compile_expr, phone_like, to_excel
from aggregator.checks.validate import Context, validate

from forms_helpers import FORM, flat, submission, values

ROSTER = Context(in_roster=True, stage="九年一贯制")


def check(ctx=ROSTER, **changes):
    return flat(validate(FORM, submission(**changes), ctx))


def test_valid_return_has_no_findings():
    report = validate(FORM, submission(), ROSTER)
    assert report.findings == ()
    assert report.status == "accepted"


def test_total_parts():
    assert check(training_orgs__total=6) == [("C6", "total-parts", "error")]


def test_total_parts_message_has_real_numbers_and_fix():
    (f,) = validate(FORM, submission(training_orgs__total=6), ROSTER).findings
    assert "C6 合计(6) ≠ 学科类(3) + 非学科类(2)" in f.message
    assert "合计应为 5" in f.message
    assert f.values == (6, 3, 2)


@pytest.mark.parametrize("row,line", [
    ("inspectors", 8), ("schools_visited", 9), ("notices", 10), ("problem_schools", 15),
    ("rectified_schools", 16), ("problems", 17), ("problems_rectified", 18), ("problems_in_progress", 19),
])
def test_row_sum_each_row(row, line):
    vals = values()
    vals[f"{row}.primary"] += 1  # total no longer equals primary + junior
    found = flat(validate(FORM, submission(vals), ROSTER))
    assert (f"C{line}", "row-sum", "error") in found


def test_row_sum_message():
    (f,) = validate(FORM, submission(inspectors__total=12, inspectors__primary=5, inspectors__junior=6), ROSTER).findings
    assert f.message.startswith("派出责任督学数（人）：C8 合计(12) ≠ 小学(5) + 初中(6)")
    assert f.cells == ("C8", "D8", "E8")


def test_rectification_each_column():
    # 存在问题 5 = 3 + 2 broken in the total column only, row sums kept
    found = check(problems_in_progress__total=1, problems_in_progress__primary=0, problems_in_progress__junior=1,
                  problems_rectified__total=3)
    assert ("C17", "rectification", "error") in found
    assert ("D17", "rectification", "error") in found


def test_subset_rectified_schools():
    assert ("C16", "subset", "error") in check(rectified_schools__total=3, rectified_schools__primary=2,
                                                rectified_schools__junior=1)


def test_subset_bureau_not_more_than_total():
    assert check(orders__bureau=3) == [("D21", "subset", "error")]


def test_schools_vs_problems_more_schools_than_problems():
    found = check(problem_schools__total=6, problem_schools__primary=3, problem_schools__junior=3,
                  schools_visited__total=6, schools_visited__primary=3, schools_visited__junior=3)
    assert ("C15", "schools-vs-problems", "error") in found


def test_schools_vs_problems_problems_without_schools():
    found = check(problem_schools__total=0, problem_schools__primary=0, problem_schools__junior=0,
                  rectified_schools__total=0, rectified_schools__primary=0)
    assert ("C17", "schools-vs-problems", "error") in found


@pytest.mark.parametrize("field,cell", [("unit", "B3"), ("reporter", "D3"), ("phone", "B4")])
def test_required_fields(field, cell):
    assert (cell, "required", "error") in check(**{field: ""})


def test_required_unit_on_roster():
    assert check(Context(in_roster=False, stage="")) == [("B3", "required", "error")]


def test_required_roster_check_skipped_without_roster():
    assert check(Context()) == []


@pytest.mark.parametrize("phone,ok", [
    ("13872345678", True), ("0722-3261234", True), ("(0722)3261234", True), ("3261234", True),
    ("+86 138 7234 5678", True), ("138", False), ("电话", False), ("12345678901", False),
])
def test_phone(phone, ok):
    assert phone_like(phone) is ok
    assert (check(phone=phone) == []) is ok


def test_school_type_primary_reporting_junior():
    assert ("E8", "school-type", "warning") in check(Context(True, "小学"))


def test_school_type_junior_reporting_primary():
    assert ("D8", "school-type", "warning") in check(Context(True, "初中"))


def test_school_type_passes_for_nine_year_school():
    assert check(Context(True, "九年一贯制")) == []


def test_visited_vs_problems():
    found = check(schools_visited__total=1, schools_visited__primary=1, schools_visited__junior=0)
    assert ("C15", "visited-vs-problems", "warning") in found


def test_problems_text():
    assert check(problem_1="", problem_2=" ") == [("C17", "problems-text", "warning")]


def test_warnings_only_is_accepted_with_warnings():
    report = validate(FORM, submission(phone="138"), ROSTER)
    assert report.ok and report.status == "accepted_with_warnings"


def test_unreadable_value_skips_its_rules():
    # None means the reader could not read the cell: no guessing at sums that involve it.
    assert check(inspectors__primary=None) == []


def test_all_findings_in_one_pass():
    found = check(training_orgs__total=9, orders__bureau=5, reporter="", phone="1")
    assert {r for _, r, _ in found} == {"total-parts", "subset", "required", "phone"}


def test_expression_language_refuses_anything_else():
    for bad in ["__import__('os')", "inspectors.total.__class__", "open('x')", "[1][0]", "lambda: 1"]:
        with pytest.raises(ExprError):
            compile_expr(bad, FORM.has_field, frozenset())


def test_expression_unknown_field_is_a_declaration_error():
    with pytest.raises(ExprError):
        compile_expr("inspectors.totl == 1", FORM.has_field, frozenset())


def test_to_excel():
    cells = {"a.total": "$C$8", "a.primary": "$D$8", "a.junior": "$E$8"}
    assert to_excel("a.total == a.primary + a.junior", cells.__getitem__) == "$C$8=($D$8+$E$8)"
    assert to_excel("implies(a.total > 0, a.primary >= 1)", cells.__getitem__) == "OR(NOT($C$8>0),$D$8>=1)"
