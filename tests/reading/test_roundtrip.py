"""The engine's round trip: build the template, fill it as a school would, read, validate."""

import pytest

from aggregator.demo import fill_workbook
from aggregator.reading import read_return
from aggregator.reading.submission import BY_LAYOUT
from aggregator.outputs.personalise import personalise, template_bytes
from aggregator.checks.validate import Context, validate

from forms_helpers import FORM, VALID, flat, values

ROSTER = Context(in_roster=True, stage="九年一贯制")
SCHOOL = {"collection_id": "c1", "school_id": "S0001", "school_name": "曾都区实验小学", "issued_at": "2023-11-01T09:00:00"}


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    path = tmp_path_factory.mktemp("outbox") / "附件5-曾都区实验小学.xlsx"
    path.write_bytes(personalise(template_bytes(FORM), SCHOOL))
    return path


def returned(tmp_path, issued, vals, raw=None):
    path = tmp_path / "附件5(1).xlsx"
    path.write_bytes(fill_workbook(issued, FORM, vals, raw))
    return read_return(path, FORM)


def test_correct_return_reads_back_exactly_and_passes(tmp_path, issued):
    sub = returned(tmp_path, issued, VALID)
    assert sub.located_by == BY_LAYOUT
    assert dict(sub.values) == VALID
    assert sub.meta["school_id"] == "S0001" and sub.meta["collection_id"] == "c1"
    assert validate(FORM, sub, ROSTER).status == "accepted"


def test_return_with_mistakes_is_sent_back_with_every_cell_named(tmp_path, issued):
    sub = returned(tmp_path, issued, values(inspectors__total=9, orders__bureau=5, phone=""))
    report = validate(FORM, sub, ROSTER)
    assert report.status == "returned"
    assert flat(report) == [("C8", "row-sum", "error"), ("D21", "subset", "error"), ("F3", "required", "error")]


def test_what_people_type_is_normalised_and_noted(tmp_path, issued):
    raw = {"inspectors.primary": "2人", "inspectors.junior": "１", "typical_cases": " 1 "}
    sub = returned(tmp_path, issued, VALID, raw)
    assert sub.values["inspectors.primary"] == 2 and sub.values["inspectors.junior"] == 1
    assert {n.kind for n in sub.notes} >= {"unit-suffix", "full-width"}
    assert validate(FORM, sub, ROSTER).status == "accepted"


def test_text_that_is_not_a_number_is_a_finding_not_a_zero(tmp_path, issued):
    sub = returned(tmp_path, issued, VALID, {"notices.primary": "若干"})
    assert sub.values["notices.primary"] is None
    assert flat(validate(FORM, sub, ROSTER)) == [("D10", "not-a-number", "error")]
