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

from aggregator.checks.findings import ERROR
from aggregator.checks.validate import Context, failing, validate
from aggregator.form.declaration import load_form
from aggregator.form.layout import layout_of
from aggregator.reading.submission import Submission

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
