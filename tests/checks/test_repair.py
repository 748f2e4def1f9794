"""One consistent fix per return (``checks.repair``): connected findings agree with each other.

The property: for random returns, every value the engine proposes agrees with every other
proposal for the same cell, applying them all settles the findings that carried them and breaks
no rule that held, and a return whose every error carries a proposal passes once they are
applied. Then the stories a school meets, one by one, in the words it reads.
"""

from __future__ import annotations

import random
from typing import Any

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from aggregator.findings import ERROR
from aggregator.checks.validate import Context, failing, validate
from aggregator.demo import fill_workbook
from aggregator.form.parse import load_form
from aggregator.form.layout import layout_of
from aggregator.reading.submission import Submission

from cli_helpers import dudao, issued, put, status_json
from forms_helpers import FORM, VALID, values

AFTER_SCHOOL = load_form("tests/forms/after_school.toml")
STAGES = ["小学", "初中", "九年一贯制", ""]


def validated(form, vals: dict, stage: str = "九年一贯制"):
    cells = layout_of(form).cells
    sub = Submission(form.id, form.version, vals, cells, sheet=form.sheet)
    return validate(form, sub, Context(in_roster=True, stage=stage)).findings


def applied(form, vals: dict, findings) -> dict:
    """The return with every proposed value typed in."""
    out = dict(vals)
    for f in findings:
        for fid, _, value in f.suggest:
            out[fid] = value
    return out


def error_keys(form, vals: dict, stage: str) -> set:
    return failing(form, vals, Context(in_roster=True, stage=stage))


def assert_consistent(form, vals: dict, stage: str) -> None:
    findings = validated(form, vals, stage)
    proposed: dict[str, Any] = {}
    for f in findings:
        for fid, cell, value in f.suggest:
            assert proposed.setdefault(cell, value) == value, (cell, proposed[cell], value)
    before = error_keys(form, vals, stage)
    after = error_keys(form, applied(form, vals, findings), stage)
    assert not after - before, f"applying the proposals broke {after - before}"
    for f in findings:
        if f.suggest:
            assert (f.rule, f.fields) not in after, f"{f.rule} {f.cells} still fails after its own proposal"
    errors = [f for f in findings if f.level == ERROR]
    if errors and all(f.suggest for f in errors):
        assert not after


# --- what schools type ---------------------------------------------------------------------------

ANNEX5_COUNTS = [f.id for f in FORM.count_fields]


@st.composite
def annex5_returns(draw) -> tuple[dict, str]:
    """A consistent return with a few figures changed, or every figure at random. One seed draws
    them all (a draw per figure would cost more than the check itself); ``note`` shows the case."""
    stage = draw(st.sampled_from(STAGES))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    vals = dict(VALID)
    if rng.random() < 0.5:
        vals.update({f: rng.randint(0, 4) for f in ANNEX5_COUNTS})
    else:
        for f in rng.sample(ANNEX5_COUNTS, rng.randint(1, 5)):
            vals[f] = rng.choice((0, 0, rng.randint(0, 9)))
    if rng.random() < 0.2:  # a figure the reader could not take ("三"): its rules are undecided
        vals[rng.choice(ANNEX5_COUNTS)] = None
    note(f"stage={stage!r} values={vals!r}")
    return vals, stage


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(annex5_returns())
def test_proposals_never_contradict_and_mend_what_they_claim(case):
    vals, stage = case
    assert_consistent(FORM, vals, stage)


AFTER_COUNTS = [f.id for f in AFTER_SCHOOL.numeric_fields]


@st.composite
def after_school_returns(draw) -> dict:
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    vals = {f.id: None if f.type == "date" else "" for f in AFTER_SCHOOL.fields}
    vals.update({f: rng.randint(0, 6) for f in AFTER_COUNTS})
    for f in AFTER_SCHOOL.header:
        vals[f.id] = {"unit": "曾都区实验小学", "reporter": "王老师", "phone": "13872345678"}.get(f.role, vals[f.id])
    note(f"values={vals!r}")
    return vals


@settings(max_examples=300, deadline=None)
@given(after_school_returns())
def test_proposals_agree_on_another_form_too(vals):
    assert_consistent(AFTER_SCHOOL, vals, "小学")


# --- the stories ---------------------------------------------------------------------------------


def junior_school_with_two_problems_only() -> dict:
    """曾都区实验中学 in the demo: 2 problems typed in 初中 and 合计, nothing else of the block."""
    vals = dict(VALID)
    for row in ("problem_schools", "rectified_schools", "problems", "problems_rectified", "problems_in_progress"):
        for col in ("total", "primary", "junior"):
            vals[f"{row}.{col}"] = 0
    vals["problems.total"] = vals["problems.junior"] = 2
    return vals


def test_connected_findings_get_one_fix_that_keeps_the_problems_typed():
    findings = [f for f in validated(FORM, junior_school_with_two_problems_only(), "初中") if f.level == ERROR]
    assert sorted((f.rule, f.cells[0]) for f in findings) == [
        ("rectification", "C17"), ("rectification", "E17"), ("schools-vs-problems", "C17"),
        ("schools-vs-problems", "E17")]
    assert len({f.link for f in findings}) == 1 and findings[0].link
    fix = findings[0].fix
    assert all(f.fix == fix and f.message.endswith(fix) for f in findings)
    assert "存在问题（个）填的是 2（C17、E17），以此为准" in fix
    assert "已完成整改问题数与正在整改问题数之和应为 2（C18+C19、E18+E19）" in fix
    assert "存在问题学校（所）至少为 1（C15、E15）" in fix
    assert "应为 0" not in " ".join(f.message for f in findings)  # no rule's own fix against the others
    assert not any(f.suggest for f in findings)  # the school must choose: no value is proposed


def test_a_wrong_total_is_recomputed_and_proposed():
    (f,) = [f for f in validated(FORM, values(inspectors__total=9)) if f.level == ERROR]
    assert f.message == "派出责任督学数（人）：C8 合计(9) ≠ 小学(2) + 初中(1)，合计应为 3，请核对后改正"
    assert f.suggested == {"C8": 3} and not f.link


def test_two_connected_errors_share_one_proposal():
    vals = values(problems_rectified__junior=0, problems_rectified__total=3, problems_in_progress__junior=1,
                  problems_in_progress__total=1)
    errors = [f for f in validated(FORM, vals) if f.level == ERROR]
    assert [f.rule for f in errors] == ["rectification", "rectification"]
    assert all(f.suggested == {"C17": 4, "E17": 1} for f in errors)
    assert "请把 C17（存在问题（个）·合计）改为 4，E17（存在问题（个）·初中）改为 1" in errors[0].message


def test_a_part_larger_than_its_total_names_the_bound():
    (f,) = [f for f in validated(FORM, values(orders__bureau=5)) if f.level == ERROR]
    assert f.message.endswith("“其中”不能多于合计，请核对后改正") and not f.suggest


def test_a_form_without_fixes_of_its_own_gets_the_engine_s_words():
    vals = {f.id: None if f.type == "date" else "" for f in AFTER_SCHOOL.fields}
    vals.update({f.id: 1 for f in AFTER_SCHOOL.numeric_fields})
    vals.update({"school": "曾都区实验小学", "reporter": "王老师", "tel": "13872345678", "pupils.all": 9,
                 "teachers.all": 3})
    (f,) = [f for f in validated(AFTER_SCHOOL, vals, "小学") if f.level == ERROR]
    cell = layout_of(AFTER_SCHOOL).cells["pupils.all"]
    assert f.rule == "grade-sum" and f.suggested == {cell: 3}
    assert f.message.endswith(f"请把 {cell}（参与学生数（人）·合计）改为 3")


def test_status_json_carries_the_proposal(col_dir, capsys, school_values):
    name = "曾都区实验小学"
    vals = {**school_values[name], "inspectors.total": school_values[name]["inspectors.total"] + 5}
    put(col_dir / "inbox" / "实验小学.xlsx", fill_workbook(issued(col_dir, name), FORM, vals))
    assert dudao(capsys, "collect", col_dir)[0] == 0
    school = next(s for s in status_json(capsys, col_dir)["schools"] if s["name"] == name)
    (row_sum,) = [f for f in school["findings"] if f["rule"] == "row-sum"]
    assert row_sum["suggest"] == {"C8": school_values[name]["inspectors.total"]}
    assert all(set(f) >= {"rule", "level", "cells", "message", "suggest"} for f in school["findings"])


# --- which cell a fix doubts (issue 20: a mutant that doubted the other side of `a <= b` survived) ---


def _constraint(rule: str, first_field: str):
    from aggregator.checks.linear import linear_rules

    return next(c for c in linear_rules(FORM) if c.rule == rule and c.fields[0] == first_field)


def test_in_a_less_or_equal_the_larger_figure_is_doubted_unless_the_other_was_left_empty():
    from aggregator.checks.repair import natural_open

    subset = _constraint("subset", "rectified_schools.primary")  # 已完成整改学校数 <= 存在问题学校
    assert natural_open(subset, values(rectified_schools__primary=2)) == {"rectified_schools.primary"}
    left_empty = values(rectified_schools__primary=1, problem_schools__primary=0)
    assert natural_open(subset, left_empty) == {"problem_schools.primary"}  # 0 there: forgotten
    at_least = _constraint("rectified-problems", "problems_rectified.junior")  # 已完成整改问题数 >= 已完成整改学校数
    assert natural_open(at_least, values(rectified_schools__junior=1, problems_rectified__junior=0)) == {
        "problems_rectified.junior"}
    assert natural_open(at_least, values(rectified_schools__junior=2)) == {"rectified_schools.junior"}


def test_a_fix_for_more_completed_schools_than_problem_schools_names_the_completed_ones():
    errors = [f for f in validated(FORM, values(rectified_schools__primary=2, rectified_schools__total=2))
              if f.level == ERROR]
    assert [(f.rule, f.cells[0]) for f in errors] == [("subset", "D16"), ("rectification-done", "C19")]
    assert all(f.suggested == {"C16": 1, "D16": 1} for f in errors)
    assert errors[0].message == ("小学栏：D16 已完成整改学校数(2) 大于 D15 存在问题学校(1)，"
                                 "请把 C16（已完成整改学校数·合计）改为 1，D16（已完成整改学校数·小学）改为 1")


def test_a_school_completed_with_every_problem_in_progress_is_told_to_change_the_school_count():
    """文峰学校 (issue 20): 存在问题学校 1 = 已完成整改学校数 1, yet 已完成整改问题数 0 and every problem
    正在整改. The two problem counts agree with each other; the one school count is what to change."""
    vals = values(rectified_schools__junior=1, rectified_schools__total=2, problems_rectified__junior=0,
                  problems_rectified__total=3, problems_in_progress__junior=3, problems_in_progress__total=3)
    errors = [f for f in validated(FORM, vals) if f.level == ERROR]
    assert [(f.rule, f.cells[0]) for f in errors] == [
        ("rectified-problems", "E18"), ("rectification-done", "C19"), ("rectification-done", "E19")]
    assert len({f.link for f in errors}) == 1 and errors[0].link
    assert all(f.suggested == {"C16": 1, "E16": 0} for f in errors)
    assert errors[1].message == (
        "合计栏：C16 已完成整改学校数(2) 等于存在问题学校(2所)，即学校都已完成整改，但 C19 正在整改问题数为 3，"
        "请把 C16（已完成整改学校数·合计）改为 1，E16（已完成整改学校数·初中）改为 0")


def test_a_school_not_completed_must_have_a_problem_in_progress():
    vals = values(problems_rectified__junior=3, problems_rectified__total=6, problems_in_progress__junior=0,
                  problems_in_progress__total=0)  # 初中: 1 problem school, not completed, nothing in progress
    errors = [f for f in validated(FORM, vals) if f.level == ERROR]
    assert [(f.rule, f.cells[0]) for f in errors] == [("rectification-open", "C19"), ("rectification-open", "E19")]
    assert all(f.suggested == {"C16": 2, "E16": 1} for f in errors)  # every problem done: the school completed


def test_a_doubted_part_takes_its_total_along():
    """The demo's 文峰学校 as sent: 小学 1 problem school "completed" with 2 problems in progress and
    none completed; the 合计 column follows. The 合计 of 已完成整改学校数 is reopened with its 小学
    figure, while 存在问题 and its split (typed, agreeing) stay: one proposal, two cells."""
    vals = values()
    for row, figures in {"schools_visited": (2, 1, 1), "problem_schools": (2, 1, 1), "rectified_schools": (1, 1, 0),
                         "problems": (3, 2, 1), "problems_rectified": (0, 0, 0),
                         "problems_in_progress": (3, 2, 1)}.items():
        vals.update({f"{row}.{col}": n for col, n in zip(("total", "primary", "junior"), figures)})
    errors = [f for f in validated(FORM, vals) if f.level == ERROR]
    assert [(f.rule, f.cells[0]) for f in errors] == [
        ("rectified-problems", "C18"), ("rectified-problems", "D18"), ("rectification-done", "D19")]
    assert all(f.suggested == {"C16": 0, "D16": 0} for f in errors)
    assert errors[0].fix == "请把 C16（已完成整改学校数·合计）改为 0，D16（已完成整改学校数·小学）改为 0"
