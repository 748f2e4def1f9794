"""Values-level helpers: a valid Annex 5 return as a dict, and findings flattened for asserts.

Tests of a rule read like the form: start from a return that passes, change the figures the
rule is about, and compare the flattened findings.
"""

from __future__ import annotations

from aggregator.form.parse import load_form
from aggregator.form.layout import layout_of
from aggregator.reading.submission import Submission

FORM = load_form()

VALID = {
    "unit": "曾都区实验小学",
    "reporter": "王老师",
    "phone": "13872345678",
    "training_orgs.total": 5, "training_orgs.subject": 3, "training_orgs.non_subject": 2,
    "inspectors.total": 3, "inspectors.primary": 2, "inspectors.junior": 1,
    "schools_visited.total": 4, "schools_visited.primary": 3, "schools_visited.junior": 1,
    "notices.total": 2, "notices.primary": 1, "notices.junior": 1,
    "problem_1": "作业公示不及时", "problem_2": "课后服务内容单一", "problem_3": "",
    "problem_schools.total": 2, "problem_schools.primary": 1, "problem_schools.junior": 1,
    "rectified_schools.total": 1, "rectified_schools.primary": 1, "rectified_schools.junior": 0,
    "problems.total": 6, "problems.primary": 3, "problems.junior": 3,
    "problems_rectified.total": 4, "problems_rectified.primary": 3, "problems_rectified.junior": 1,
    "problems_in_progress.total": 2, "problems_in_progress.primary": 0, "problems_in_progress.junior": 2,
    "orders.total": 2, "orders.bureau": 1,
    "circulars.total": 1, "circulars.bureau": 0,
    "interviews.total": 3, "interviews.bureau": 1,
    "accountabilities.total": 0, "accountabilities.bureau": 0,
    "typical_cases": 1,
}


def values(**changes) -> dict:
    """VALID with some fields changed; keyword names use __ for the dot: inspectors__total=9."""
    out = dict(VALID)
    for key, value in changes.items():
        out[key.replace("__", ".")] = value
    return out


def submission(vals: dict | None = None, **changes) -> Submission:
    vals = dict(vals or values(**changes))
    return Submission(FORM.id, FORM.version, vals, layout_of(FORM).cells, sheet=FORM.sheet)


def flat(report_or_findings, *, level: str | None = None) -> list[tuple[str, str, str]]:
    """[(first cell, rule, level)] sorted: what a school would see, in one glance."""
    findings = getattr(report_or_findings, "findings", report_or_findings)
    return sorted(
        (f.cells[0] if f.cells else "", f.rule, f.level)
        for f in findings
        if level is None or f.level == level
    )
