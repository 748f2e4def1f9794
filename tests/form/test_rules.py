"""Each rule of domain.md: a return that passes it and one that fails it, with the cells named."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.form.expr import ExprError, compile_expr, phone_like, to_excel
from aggregator.checks.validate import Context, check_values, render, short_label, validate

from forms_helpers import FORM, flat, submission
from xl_eval import Sheet

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


# Every row and column a repeated rule is declared for (``for_each``), broken alone: a row dropped
# from the declaration is a check that silently stops. Where one change must break two rules,
# both are named.
P = pytest.param
REPEATED = [
    P({"inspectors__total": 4}, [("C8", "row-sum", "error")], id="row-sum-inspectors"),
    P({"schools_visited__total": 5}, [("C9", "row-sum", "error")], id="row-sum-schools_visited"),
    P({"notices__total": 3}, [("C10", "row-sum", "error")], id="row-sum-notices"),
    P({"problem_schools__total": 3}, [("C15", "row-sum", "error")], id="row-sum-problem_schools"),
    P({"rectified_schools__total": 0}, [("C16", "row-sum", "error")], id="row-sum-rectified_schools"),
    # the three rows of 存在问题 = 已完成 + 正在整改 break that rule too, in the 合计 column
    P({"problems__total": 7}, [("C17", "rectification", "error"), ("C17", "row-sum", "error")],
      id="row-sum-problems"),
    P({"problems_rectified__total": 5}, [("C17", "rectification", "error"), ("C18", "row-sum", "error")],
      id="row-sum-problems_rectified"),
    P({"problems_in_progress__total": 3}, [("C17", "rectification", "error"), ("C19", "row-sum", "error")],
      id="row-sum-problems_in_progress"),
    P({"problems_rectified__primary": 2, "problems_rectified__total": 3},
      [("C17", "rectification", "error"), ("D17", "rectification", "error")], id="rectification-primary"),
    P({"problems_in_progress__junior": 3, "problems_in_progress__total": 3},
      [("C17", "rectification", "error"), ("E17", "rectification", "error")], id="rectification-junior"),
    # 2 of 2 schools completed (合计) while 2 problems are in progress: that is wrong too
    P({"rectified_schools__primary": 2, "rectified_schools__total": 2},
      [("C19", "rectification-done", "error"), ("D16", "subset", "error")], id="subset-rectified-primary"),
    # 2 初中 schools completed, 1 初中 problem completed: each finished at least one
    P({"rectified_schools__junior": 2, "rectified_schools__total": 3},
      [("C16", "subset", "error"), ("E16", "subset", "error"), ("E18", "rectified-problems", "error")],
      id="subset-rectified-junior"),
    # 其中：区教育督导部门 ≤ 合计, on each of the four rows of 问责情况
    P({"orders__bureau": 3}, [("D21", "subset", "error")], id="subset-orders"),
    P({"circulars__bureau": 2}, [("D22", "subset", "error")], id="subset-circulars"),
    P({"interviews__bureau": 4}, [("D23", "subset", "error")], id="subset-interviews"),
    P({"accountabilities__bureau": 1}, [("D24", "subset", "error")], id="subset-accountabilities"),
    # more schools than problems: then some school that has not completed has no problem in progress
    P({"problem_schools__primary": 4, "problem_schools__total": 5, "schools_visited__primary": 4,
       "schools_visited__total": 5}, [("C19", "rectification-open", "error"), ("D15", "schools-vs-problems", "error"),
                                      ("D19", "rectification-open", "error")], id="schools-vs-problems-primary"),
    P({"problem_schools__junior": 4, "problem_schools__total": 5, "schools_visited__junior": 4,
       "schools_visited__total": 7}, [("C19", "rectification-open", "error"), ("E15", "schools-vs-problems", "error"),
                                      ("E19", "rectification-open", "error")], id="schools-vs-problems-junior"),
    P({"problem_schools__primary": 0, "problem_schools__total": 1, "rectified_schools__primary": 0,
       "rectified_schools__total": 0}, [("D17", "schools-vs-problems", "error")], id="problems-without-schools-primary"),
    # and the 合计 column now says its one problem school completed, with 2 problems in progress
    P({"problem_schools__junior": 0, "problem_schools__total": 1},
      [("C19", "rectification-done", "error"), ("E17", "schools-vs-problems", "error")],
      id="problems-without-schools-junior"),
    P({"schools_visited__primary": 0, "schools_visited__total": 1},
      [("C15", "visited-vs-problems", "warning"), ("D15", "visited-vs-problems", "warning")],
      id="visited-vs-problems-primary"),
    P({"schools_visited__junior": 0, "schools_visited__total": 3}, [("E15", "visited-vs-problems", "warning")],
      id="visited-vs-problems-junior"),
]


@pytest.mark.parametrize("changes, found", REPEATED)
def test_each_row_and_column_of_a_repeated_rule(changes, found):
    assert check(**changes) == found


def test_row_sum_message():
    (f,) = validate(FORM, submission(inspectors__total=12, inspectors__primary=5, inspectors__junior=6), ROSTER).findings
    assert f.message.startswith("派出责任督学数（人）：C8 合计(12) ≠ 小学(5) + 初中(6)")
    assert f.cells == ("C8", "D8", "E8")


def test_subset_rectified_schools_total_column():
    assert ("C16", "subset", "error") in check(rectified_schools__total=3, rectified_schools__primary=2,
                                                rectified_schools__junior=1)


def test_schools_vs_problems_more_schools_than_problems_total_column():
    found = check(problem_schools__total=7, problem_schools__primary=4, problem_schools__junior=3,
                  schools_visited__total=7, schools_visited__primary=4, schools_visited__junior=3)
    assert ("C15", "schools-vs-problems", "error") in found


def test_schools_vs_problems_problems_without_schools_total_column():
    found = check(problem_schools__total=0, problem_schools__primary=0, problem_schools__junior=0,
                  rectified_schools__total=0, rectified_schools__primary=0)
    assert ("C17", "schools-vs-problems", "error") in found


@pytest.mark.parametrize("field,cell", [("unit", "B3"), ("reporter", "D3"), ("phone", "F3")])
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
    assert to_excel("implies(a.total > 0, a.primary >= 1)", cells.__getitem__) == "IF($C$8>0,$D$8>=1,TRUE)"


# --- the expression language in Excel: to_excel against the engine, construct by construct ---------

# Three counts and a choice in a sheet, read as the template reads them: a count as (C1+0), the
# choice as IF(C4="",NA(),C4) (blank: not known yet), and present() looking at the plain cell.
_FIELDS = {"a.total": "C1", "a.primary": "C2", "a.junior": "C3", "note": "C4"}
_COUNT = st.sampled_from(["a.total", "a.primary", "a.junior"])
_number = st.recursive(
    _COUNT | st.integers(0, 3).map(str),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        inner.map(lambda x: f"-({x})"),
    ), max_leaves=4)
_CMP = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])
_condition = st.recursive(
    st.one_of(
        st.tuples(_number, _CMP, _number).map(" ".join),
        st.tuples(_number, _CMP, _number, _CMP, _number).map(" ".join),  # chained: a <= b < c
        st.just("present(note)"),
        st.sampled_from(["'是'", "'x\"y'", "''"]).map(lambda s: f"note == {s}"),
    ),
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda t: f"({t[0]} and {t[1]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} or {t[1]} or {t[2]})"),
        inner.map(lambda x: f"not ({x})"),
        st.tuples(inner, inner).map(lambda t: f"implies({t[0]}, {t[1]})"),
    ), max_leaves=5)


@settings(max_examples=400, deadline=None)
@given(source=_condition, counts=st.tuples(*[st.integers(0, 3)] * 3), note=st.sampled_from(["是", 'x"y', "否", ""]))
def test_every_construct_means_in_excel_what_it_means_to_the_engine(source, counts, note):
    """Whatever the rule, the live check (the formula, a value not known yet skipping it as the
    template's IFERROR(…,TRUE) does) holds exactly when the validator does not find it broken."""
    typed = dict(zip(["a.total", "a.primary", "a.junior"], counts)) | {"note": note.strip() or None}
    engine = compile_expr(source, _FIELDS.__contains__, frozenset()).run(typed, {})
    formula = to_excel(source, lambda f: f"({_FIELDS[f]}+0)" if f != "note" else 'IF(C4="",NA(),C4)',
                       _FIELDS.__getitem__)
    sheet = Sheet({_FIELDS[f]: v for f, v in typed.items() if v is not None})
    assert sheet.formula(f"IFERROR({formula},TRUE)") is (engine is not False), (source, typed, formula)


@pytest.mark.parametrize("source, engine", [
    ("present(note)", False),
    ("note == '是'", None),
    ("implies(note == '否', a.total > 0)", None),
    ("note == '是' or a.total > 0", None),
    ("implies(a.total > 0, note == '是')", True),
    # A known part decides beside the blank one: the live check must not stay silent here.
    ("a.total > 0 and note == '是'", False),
    ("note == '是' and a.total > 0", False),
    ("not (a.total == 0 or note == '是')", False),
    ("not implies(a.total > 0, note == '是')", False),
])
def test_a_blank_choice_is_not_known_yet_to_both(source, engine):
    """present() sees the blank cell; a rule that needs the blank choice to be decided is
    undecided, and the live check skips it; a rule that a known part decides (a false part of an
    ``and``, a true part of an ``or``, a false premise) is decided in Excel as by the engine.
    Bug caught: ``p and q`` with p false and q a blank choice was False to the engine but #N/A
    (silent) in the issued workbook."""
    typed = {"a.total": 0, "a.primary": 0, "a.junior": 0, "note": None}
    assert compile_expr(source, _FIELDS.__contains__, frozenset()).run(typed, {}) is engine
    formula = to_excel(source, lambda f: f"({_FIELDS[f]}+0)" if f != "note" else 'IF(C4="",NA(),C4)',
                       _FIELDS.__getitem__)
    assert Sheet({"C1": 0, "C2": 0, "C3": 0}).formula(f"IFERROR({formula},TRUE)") is (engine is not False)


def test_a_field_without_a_cell_cannot_be_checked_in_excel():
    with pytest.raises(ExprError, match="no cell"):
        to_excel("a.total == 1", {}.__getitem__)


@pytest.mark.parametrize("source", ["d == date('2024-13-01')", "d == date(2024, 3, 1)", "d == date()",
                                    "d == date('1 March')", "d == date(a.total)"])
def test_a_date_is_written_one_way(source):
    with pytest.raises(ExprError, match="date"):
        compile_expr(source, {"d", "a.total"}.__contains__, frozenset())


def test_a_date_compares_as_a_date():
    import datetime as dt

    rule = compile_expr("d >= date('2023-09-01')", {"d"}.__contains__, frozenset())
    assert [rule.run({"d": d}, {}) for d in (dt.date(2023, 8, 31), dt.date(2023, 9, 1), None)] == [False, True, None]
    assert to_excel("d >= date('2023-09-01')", lambda f: "$C$1") == "$C$1>=DATE(2023,9,1)"


# --- messages: what each placeholder of a declared message becomes --------------------------------


@pytest.mark.parametrize("template, shown", [
    ("{inspectors.total}", "3"),
    ("{inspectors.junior}", "（无法识别）"),  # a value the reader could not take is said so, not "None"
    ("{cell:inspectors.total}", "C8"),
    ("{cell:phone}", ""),  # a field without a cell in this workbook
    ("{label:inspectors}", "派出责任督学数（人）"),
    ("{col:primary}", "小学栏"),
    ("{=inspectors.primary + 1}", "3"),
    ("{=inspectors.junior + 1}", "（无法识别）"),
    ("{=stage == '小学'}", "True"),
])
def test_message_placeholders(template, shown):
    values = {"inspectors.total": 3, "inspectors.primary": 2, "inspectors.junior": None}
    assert render(FORM, template, values, {"inspectors.total": "C8"}, {"stage": "小学"}) == shown


def test_a_long_row_label_is_cut_in_a_message():
    assert short_label("一" * 20) == "一" * 20
    assert short_label("一" * 21) == "一" * 18 + "…"


def test_a_summary_is_checked_only_by_the_rules_that_hold_for_a_sum():
    """after_school's 'why-needed' is about one school's answers (scope = return): a summary,
    whose 否 is a count of schools, is not held to it; every other rule still applies."""
    from pathlib import Path

    from aggregator.form.parse import load_form
    from aggregator.form.layout import layout_of

    form = load_form(Path(__file__).resolve().parents[1] / "forms" / "after_school.toml")
    vals = {f.id: None for f in form.fields} | {"voluntary.ok": "否", "covered": "否", "pupils.all": 5,
                                                "pupils.low": 1, "pupils.mid": 0, "pupils.high": 0}
    cells = layout_of(form).cells
    broken = {f.rule for f in check_values(form, vals, cells)}
    assert {"why-needed", "coverage-explained", "grade-sum"} <= broken
    assert {f.rule for f in check_values(form, vals, cells, scope="all")} == broken - {"why-needed",
                                                                                          "coverage-explained"}
