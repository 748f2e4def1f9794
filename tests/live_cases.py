"""The template's live checks: the returns typed to try them, and the validator's verdict on them.

Shared by the two clients that recalculate the issued workbook: the formula engine of
``test_live_checks.py`` (fast, random values) and LibreOffice in ``test_libreoffice.py`` (the real
application, a few cases). Both compare what the check column shows with ``validator_hints``.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Iterable

from aggregator.findings import Finding
from aggregator.checks.rules import compiled_rules
from aggregator.form.declaration import Form
from aggregator.form.layout import layout_of
from aggregator.outputs.live_checks import NOT_A_NUMBER

from forms_helpers import FORM
from forms_helpers import values as valid_values

LAYOUT = layout_of(FORM)
GUARD = NOT_A_NUMBER.rstrip("；")  # what a row's check says when a count there is not a whole number

# Returns as a school can type them: data validation lets only whole numbers >= 0 into counts.
LIVE_CASES = {
    "blank": {},
    "valid": valid_values(),
    "row-sum": valid_values(inspectors__total=4),
    "several-mistakes": valid_values(
        training_orgs__total=6, problems__primary=4, problems__total=6, orders__bureau=3,
        problem_schools__junior=4, problem_schools__total=5, problem_1="", problem_2=""),
    # 文峰学校 in issue 20: its one problem school "completed", yet no problem completed, all in progress
    "completed-but-in-progress": valid_values(
        rectified_schools__junior=1, rectified_schools__total=2, problems_rectified__junior=0,
        problems_rectified__total=3, problems_in_progress__junior=3, problems_in_progress__total=3),
    "problems-without-schools": valid_values(
        problem_schools__primary=0, problem_schools__junior=0, problem_schools__total=0,
        rectified_schools__primary=0, rectified_schools__total=0),
    "only-a-few-cells": {
        "orders.total": 1, "orders.bureau": 3, "rectified_schools.junior": 1, "rectified_schools.total": 1,
        "typical_cases": 2},
}
# What a paste brings past data validation: every count below sits on a row of its own.
PASTED = valid_values(
    training_orgs__total="5个",  # engine: 5 (unit-suffix note)
    inspectors__junior=-1,  # engine: negative
    schools_visited__junior=1.5,  # engine: not-whole
    notices__total="２",  # engine: 2 (full-width note)
    problem_schools__total="2",  # engine: 2 (text-number note); a spreadsheet computes with it too
    rectified_schools__junior=" 0 ",  # engine: 0 (trimmed note); so does a spreadsheet
    orders__bureau="x",  # engine: not-a-number
    accountabilities__bureau="无",  # engine: 0 (a word for nothing)
)
GUARDED_ROWS = {"training_orgs", "inspectors", "schools_visited", "notices", "orders", "accountabilities"}

@cache
def _hints(form: Form) -> dict[tuple[str, tuple[str, ...]], str]:
    return {(r.spec.id, r.check.fields): r.spec.hint for r in compiled_rules(form)}


def typed_cells(values: dict[str, Any], form: Form = FORM) -> dict[str, Any]:
    """Field values as the cells a school types them in ("" and None left blank)."""
    cells = layout_of(form).cells
    return {cells[fid]: v for fid, v in values.items() if v != "" and v is not None}


def hints_in(text: str) -> set[str]:
    """The hints a check cell shows (each ends with "；")."""
    return {h for h in text.split("；") if h}


def validator_hints(findings: Iterable[Finding], form: Form = FORM) -> dict[str, set[str]]:
    """Check cell -> hints of the hinted rules broken in ``findings``, on the row of each rule's
    first field (where the declaration says its hint shows)."""
    out: dict[str, set[str]] = {}
    check_cells = layout_of(form).check_cells
    for f in findings:
        hint = _hints(form).get((f.rule, f.fields))
        if hint:
            out.setdefault(check_cells[form.field(f.fields[0]).row], set()).add(hint)
    return out
