"""The issued form's live checks, computed from the formulas in the saved workbook, say what the
validator says: the same rules broken on the same rows, the same cells red, the same count under
the table. No spreadsheet application here: ``xl_eval`` computes the formulas as Excel does, so
this runs in the fast suite; ``test_libreoffice.py`` types the same cases into LibreOffice.

A school sees these checks before it sends anything. A formula that disagrees with the engine
either cries wolf on a correct return (a blank form opening full of red) or stays silent on a
mistake the district will send back a week later.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.checks.validate import Context, check_values
from aggregator.form.declaration import Form
from aggregator.form.parse import load_form
from aggregator.form.layout import coord, layout_of, split_coord
from aggregator.outputs.live_checks import summary_ok, live_rules
from aggregator.outputs.template import build_template
from aggregator.outputs.xlstyle import LIGHT_RED, YELLOW

from forms_helpers import FORM, values
from live_cases import GUARD, GUARDED_ROWS, LAYOUT, LIVE_CASES, PASTED, hints_in, typed_cells, validator_hints
from xl_eval import NotUnderstood, Sheet, evaluate, to_bool

UNSEEN = load_form(Path(__file__).resolve().parents[1] / "forms" / "after_school.toml")  # dates, choices, decimals, a checklist
COUNTS = [f.id for f in FORM.count_fields]


def cells_of(rng: str) -> list[str]:
    first, _, last = rng.partition(":")
    (r1, c1), (r2, c2) = split_coord(first), split_coord(last or first)
    return [coord(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


class Issued:
    """The formulas of a form's workbook as we issue it, read back from the saved file: the check
    column, the line under the table and the conditional formatting that turns cells red."""

    def __init__(self, form: Form, path: Path) -> None:
        build_template(form, unit="曾都区实验小学").save(path)
        ws = openpyxl.load_workbook(path)[form.sheet]
        self.form, self.layout = form, layout_of(form)
        self.formulas = {c.coordinate: c.value for row in ws.iter_rows() for c in row
                         if isinstance(c.value, str) and c.value.startswith("=")}
        # (cells, formula, fill) of each conditional format, in priority order: the first to hold wins
        self.coloured = sorted(((cells, f, rule.dxf.fill.fgColor.rgb, rule.priority)
                                for cf in ws.conditional_formatting for rule in cf.rules for f in rule.formula
                                for cells in [[c for rng in str(cf.sqref).split() for c in cells_of(rng)]]),
                               key=lambda x: x[3])

    def open(self, typed: dict) -> "Shown":
        """The sheet as a spreadsheet shows it once ``typed`` (field id -> what was typed) is in."""
        return Shown(self, Sheet(typed_cells(typed, self.form), self.formulas))

    # --- what the engine says of the same cells ---

    def engine(self, typed: dict):
        """The findings of every rule over the cells each read as its type reads them, and the
        numbers the engine refused."""
        read = {f.id: f.kind.read(typed.get(f.id), f) for f in self.form.fields}
        refused = {f.id for f in self.form.numeric_fields if read[f.id].problem}
        values = {fid: r.value for fid, r in read.items()}
        return check_values(self.form, values, self.layout.cells, Context()), refused

    def expected_hints(self, findings, refused: set[str]) -> dict[str, set[str]]:
        """Check cell -> the hints of the rules broken on its row, and the row's number guard
        where a number there was refused."""
        expected = validator_hints(findings, self.form)
        for fid in refused:
            row = self.form.field(fid).row
            guarded = [f for f in self.form.numeric_fields if f.row == row and f.kind.excel_guard]
            hint = next((f.kind.guard_hint for f in guarded if f.is_count), guarded[0].kind.guard_hint)
            expected.setdefault(self.layout.check_cells[row], set()).add(hint.rstrip("；"))
        return expected

    def expected_colours(self, findings, refused: set[str]) -> dict[str, str]:
        """Cell -> its colour: red where an error rule (or a number guard) fails, else yellow where
        a warning rule does, as every message we send colours them."""
        hinted = {(r.rule.id, r.fields) for r in live_rules(self.form)}
        out = {}
        for level, colour in (("warning", YELLOW), ("error", LIGHT_RED)):
            fields = {fid for f in findings if f.level == level and (f.rule, f.fields) in hinted for fid in f.fields}
            fields |= refused if level == "error" else set()
            out |= {c: colour for fid in fields for c in cells_of(self.layout.value_spans.get(fid, self.layout.cells[fid]))}
        return out


class Shown:
    def __init__(self, issued: Issued, sheet: Sheet) -> None:
        cells = sorted(issued.layout.check_cells.values(), key=split_coord)
        self.checks = {c: sheet[c] for c in cells if sheet[c]}  # check cell -> its text, if any
        self.summary = sheet[issued.layout.summary_cell]
        self.colours: dict[str, str] = {}
        for cells, f, colour, _ in issued.coloured:
            if to_bool(sheet.formula(f)) is True:
                for c in cells:
                    self.colours.setdefault(c, colour)  # a format of higher priority already holds
        self.red = {c for c, colour in self.colours.items() if colour == LIGHT_RED}

    def hints(self) -> dict[str, set[str]]:
        return {cell: hints_in(text) for cell, text in self.checks.items()}


@pytest.fixture(scope="module")
def issued(tmp_path_factory) -> Issued:
    return Issued(FORM, tmp_path_factory.mktemp("issued") / "附件5-曾都区实验小学.xlsx")


@pytest.fixture(scope="module")
def unseen(tmp_path_factory) -> Issued:
    return Issued(UNSEEN, tmp_path_factory.mktemp("issued") / "课后服务.xlsx")


def assert_agrees(issued: Issued, typed: dict) -> None:
    """Every check cell shows exactly the hints of the rules the validator finds broken on its
    row, and the number guard where a number is refused; the cells of those rules are red; the
    line under the table counts the rows (blank while nothing is typed in the table)."""
    shown = issued.open(typed)
    findings, refused = issued.engine(typed)
    assert shown.hints() == issued.expected_hints(findings, refused)
    for text in shown.checks.values():  # each hint once, each ending in "；"
        assert text.endswith("；") and text.count("；") == len(hints_in(text))
    assert shown.colours == issued.expected_colours(findings, refused)
    if shown.checks:
        assert f"有 {len(shown.checks)} 处问题" in shown.summary, shown.summary
    elif any(v not in ("", None) for fid, v in typed.items() if issued.form.field(fid).section != "header"):
        assert shown.summary == summary_ok(issued.form)
    else:
        assert shown.summary == ""


# --- the cases a school types (LibreOffice types the same ones) ------------------------------------


def test_blank_issued_form_opens_without_a_single_hint(issued):
    shown = issued.open({})
    assert shown.checks == {} and shown.red == set()
    assert shown.summary == ""


def test_a_correct_return_shows_no_hint(issued):
    shown = issued.open(values())
    assert shown.checks == {} and shown.red == set()
    assert shown.summary == summary_ok(issued.form)


def test_the_cases_break_every_hinted_rule(issued):
    """Else agreement on them would prove little."""
    broken = set()
    for typed in LIVE_CASES.values():
        findings, _ = issued.engine(typed)
        broken |= {h for hints in validator_hints(findings).values() for h in hints}
    assert broken == {r.rule.hint for r in live_rules(FORM)}


@pytest.mark.parametrize("name", list(LIVE_CASES))
def test_live_checks_flag_what_the_validator_flags(issued, name):
    assert issued.engine(LIVE_CASES[name])[1] == set()  # nothing refused: the rules alone speak
    assert_agrees(issued, LIVE_CASES[name])


def test_row_sum_of_inspectors_shows_on_its_own_row_and_reddens_the_row(issued):
    shown = issued.open(values(inspectors__total=4))
    assert shown.checks == {"G8": "合计≠小学+初中；"}
    assert shown.red == {"C8", "D8", "E8", "F8"}  # 初中 is E8:F8, one merged cell
    assert shown.summary == "自动校验：有 1 处问题，请看右侧“自动校验”列（标红的格必须修改，标黄的格请核对）"


def test_a_warning_is_yellow_while_the_school_types_as_in_every_letter(issued):
    """有问题但未填写主要问题 is a warning (请核对): its cells are yellow, never red; an error on a
    cell it shares stays red."""
    shown = issued.open(values(problem_1="", problem_2=""))
    total, line = LAYOUT.cells["problems.total"], LAYOUT.cells["problem_1"]
    assert list(shown.checks.values()) == ["有问题但未填写主要问题；"]
    lines = {c for fid in ("problem_1", "problem_2", "problem_3")
             for c in cells_of(LAYOUT.value_spans.get(fid, LAYOUT.cells[fid]))}
    assert shown.colours == dict.fromkeys(lines | {total}, YELLOW)
    both = issued.open(values(problem_1="", problem_2="", problems__total=7))  # 7 ≠ 3 + 3 as well
    assert both.colours[total] == LIGHT_RED and both.colours[line] == YELLOW


def test_pasted_values_ask_for_a_number_where_the_engine_had_to_guess_or_refuse(issued):
    shown = issued.open(PASTED)
    guarded = {cell for cell, hints in shown.hints().items() if GUARD in hints}
    assert guarded == {LAYOUT.check_cells[r] for r in GUARDED_ROWS}
    # A spreadsheet still adds up a pasted -1 or 1.5: their row's sum hint shows beside the guard.
    assert shown.hints()["G8"] == shown.hints()["G9"] == {GUARD, "合计≠小学+初中"}
    assert f"有 {len(shown.checks)} 处问题" in shown.summary


# --- any values, any form -------------------------------------------------------------------------

# What gets into a count cell: whole numbers >= 0 (all data validation lets through; small, so
# sums hold about as often as not), and what a paste brings: digits as text, junk text.
typable = st.one_of(st.none(), st.integers(0, 3), st.integers(0, 3).map(str), st.just("x"))
# What a paste can bring besides: negatives, fractions.
pastable = st.one_of(typable, st.integers(-3, -1), st.sampled_from([0.5, 1.5, 2.25]))
problem_text = st.sampled_from([None, "作业公示不及时", " ", "课后服务单一"])


@settings(max_examples=300, deadline=None)
@given(counts=st.fixed_dictionaries({f: typable for f in COUNTS}),
       problems=st.fixed_dictionaries({f"problem_{i}": problem_text for i in (1, 2, 3)}))
def test_live_checks_agree_with_the_validator_on_any_return(issued, counts, problems):
    assert_agrees(issued, values() | counts | problems)


@settings(max_examples=200, deadline=None)
@given(counts=st.fixed_dictionaries({f: pastable for f in COUNTS}))
def test_the_number_guard_shows_exactly_where_the_engine_refuses_a_count(issued, counts):
    typed = values() | counts
    shown = issued.open(typed)
    _, refused = issued.engine(typed)
    guarded = {cell for cell, hints in shown.hints().items() if GUARD in hints}
    assert guarded == {LAYOUT.check_cells[FORM.field(fid).row] for fid in refused}
    for fid in COUNTS:
        assert (LAYOUT.cells[fid] in shown.red) >= (fid in refused), fid  # a refused count is red


def typed_by_type(field) -> st.SearchStrategy:
    """What a school can get into a cell of this type: what its validation lets through, and
    digits as text or junk where a paste gets past it."""
    by_type = {
        "count": typable,
        "number": st.sampled_from([None, 0, 150.5, 300, 300.01, 301, "120", "x", -5]),
        "date": st.sampled_from([None, dt.date(2023, 8, 31), dt.date(2023, 9, 1), dt.date(2023, 12, 1)]),
        "choice": st.sampled_from([None, *field.choices]),
        "text": st.sampled_from([None, " ", "课后服务场地不足"]),
        "phone": st.sampled_from([None, "13872345678"]),
    }
    return by_type[field.kind.name]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_live_checks_agree_with_the_validator_on_a_form_of_every_type(unseen, data):
    """A declaration the code has never seen: dates against date('2023-09-01'), choices compared
    as text, numbers with decimals against a cap, a checklist's 否 without a 说明."""
    typed = data.draw(st.fixed_dictionaries({f.id: typed_by_type(f) for f in UNSEEN.fields}))
    assert_agrees(unseen, typed)


def test_the_unseen_form_has_a_live_check_of_every_kind():
    assert {r.rule.id for r in live_rules(UNSEEN)} == {"grade-sum", "fee-cap", "date-in-term", "why-needed"}


# --- the evaluator itself: Excel's answers to the constructs the template uses ------------------------


@pytest.mark.parametrize("formula, cells, value", [
    ('=IF(C7="",NA(),C7+0)<DATE(2024,3,1)', {"C7": dt.date(2024, 2, 29)}, True),
    ("=IFERROR(IF(C7=\"\",NA(),C7+0)>0,TRUE)", {"C7": None}, True),  # a blank date is not known yet
    ("=DATE(2024,3,1)", {}, 45352.0),
    ("=COUNTA(C10:E10,C7)", {"C10": "x", "E10": 0}, 2.0),
    ("=$C$7+0", {"C7": None}, 0.0),  # blank is 0 in arithmetic
    ("=C7+0", {"C7": "3"}, 3.0),  # digits as text are converted
    ("=IFERROR(C7+0,TRUE)", {"C7": "3个"}, True),  # other text is #VALUE!
    ("=C7>D7", {"C7": "a", "D7": 99}, True),  # text is greater than any number
    ("=C7<=D7", {"C7": 2, "D7": 2}, True),
    ("=C7<D7", {"C7": 2, "D7": 2}, False),
    ("=C7=D7", {"C7": None, "D7": 0}, True),
    ("=C7=\"\"", {"C7": None}, True),
    ("=OR(NOT(C7>0),D7>=1)", {"C7": 0, "D7": 0}, True),
    ("=LEN(TRIM(C10))>0", {"C10": "  "}, False),
    ("=INT(C7+0)=C7+0", {"C7": 1.5}, False),
    ('=IF(AND(C7=1,D7=1),"","a"&"b；")', {"C7": 1, "D7": 2}, "ab；"),
    ("=IF(1,2)", {}, 2.0),
])
def test_evaluator_answers_as_excel(formula, cells, value):
    assert evaluate(formula, cells.get) == value


def test_evaluator_refuses_what_it_does_not_model():
    with pytest.raises(NotUnderstood):
        evaluate("=SUMPRODUCT(C7:C9)", {}.get)


def test_all_clear_says_what_the_workbook_cannot_check_yet():
    """Annex 5 also compares a school with its peers, which no school's copy can: its all-clear
    says that comparison is still to come; a form without one says only that all is clear."""
    from aggregator.form.parse import load_form
    from aggregator.outputs.live_checks import summary_formula

    assert summary_ok(load_form("annex5_2023")) == "自动校验：未发现问题（与同类学校的比较在报送后进行）"
    assert summary_ok(load_form("annex3_checklist_2023")) == "自动校验：未发现问题"
    assert '"自动校验：未发现问题（与同类学校的比较在报送后进行）"' in summary_formula(load_form("annex5_2023"))
