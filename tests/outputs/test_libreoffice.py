"""A real spreadsheet application in the loop: LibreOffice opens, prints, recalculates, types into
and saves the workbooks we write, and the engine reads what it saved.

Our users open our files in Excel and WPS; neither runs here, LibreOffice does, and it is an
independent reader and writer of .xlsx, .xls and .ods. What must hold:

1. every workbook the tool writes (template, summary, feedback) prints to PDF; the template on
   exactly one A5 page;
2. the template's live checks, recalculated by LibreOffice, flag exactly what the validator flags;
3. a template typed into and saved by LibreOffice as .xlsx, .xls and .ods reads back to the same
   ``Submission`` as one filled by openpyxl, and is identified in a collection;
4. protection, unlocked input cells, data validation, the metadata sheet and Chinese text survive
   LibreOffice's save as .xlsx and .xls.

soffice starts twice for the whole module: once for the PDFs (``lo.convert_all``) and once for
everything typed through the UNO bridge (the ``typed`` fixture runs one script over every file).
All of it is marked ``libreoffice``: ``pytest -m "not libreoffice"`` is the fast suite.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import openpyxl
import pytest
import xlrd

import lo
from aggregator.cli import main
from aggregator.collection.intake.collect import collect
from aggregator.collection.store.folder import Collection, init_collection
from aggregator.demo import SAMPLE_ROSTER, fill_workbook, sample_values
from aggregator.outputs.distribute import distribute
from aggregator.form.parse import load_form
from aggregator.form.layout import layout_of, split_coord
from aggregator.progress import run
from aggregator.reading import read_return
from aggregator.collection.store.roster import School
from aggregator.collection.views.status import overview
from aggregator.reading.submission import BY_LAYOUT, Submission
from aggregator.outputs.live_checks import summary_ok, live_checks
from aggregator.outputs.template import META_SHEET
from aggregator.checks.validate import validate

from live_cases import GUARD, GUARDED_ROWS, LIVE_CASES, PASTED, hints_in, typed_cells, validator_hints

FORM = load_form()
LAYOUT = layout_of(FORM)
CHECK_CELLS = list(live_checks(FORM))

pytestmark = pytest.mark.libreoffice
needs_pdf = pytest.mark.skipif(bool(lo.missing(pdf=True)), reason=lo.missing(pdf=True) or "-")
needs_uno = pytest.mark.skipif(bool(lo.missing(uno=True)), reason=lo.missing(uno=True) or "-")

A5 = (595.3, 841.9)  # points, portrait


def is_a4(size: tuple[float, float]) -> bool:
    return all(abs(a - b) < 1 for a, b in zip(sorted(size), A5))


def cells_of(rng: str) -> list[str]:
    first, _, last = rng.partition(":")
    (r1, c1), (r2, c2) = split_coord(first), split_coord(last or first)
    return [f"{openpyxl.utils.get_column_letter(c)}{r}" for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


INPUT_CELLS = {c for fid in LAYOUT.cells for c in cells_of(LAYOUT.value_spans.get(fid, LAYOUT.cells[fid]))}
COUNT_CELLS = {c for f in FORM.count_fields for c in cells_of(LAYOUT.value_spans.get(f.id, LAYOUT.cells[f.id]))}
LABELS = {t.cell: t.text for t in LAYOUT.texts if t.kind != "title"}  # the title names the district
# Cells that must stay locked: every label and every live check.
LOCKED_CELLS = set(LABELS) | set(CHECK_CELLS) | {LAYOUT.summary_cell}


# ================================================================================================
# 1. Everything we write prints
# ================================================================================================


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The bundled demo run end to end: issued workbooks, a summary and feedback workbooks."""
    root = tmp_path_factory.mktemp("demo") / "演示"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["demo", str(root)]) == 0
    return root


@needs_pdf
def test_every_workbook_we_write_prints_to_pdf(demo, tmp_path):
    template = next((demo / "outbox").glob("*.xlsx"))
    summary = next((demo / "summary").glob("*.xlsx"))
    feedback = sorted((demo / "feedback").glob("*.xlsx"))
    assert feedback, "the demo sends some returns back"
    sources = {"template": template, "summary": summary} | {f"feedback{i}": p for i, p in enumerate(feedback)}
    staged = tmp_path / "in"  # distinct ASCII stems: one output file per source
    staged.mkdir()
    for name, path in sources.items():
        shutil.copy(path, staged / f"{name}.xlsx")
    pdfs = lo.convert_all(sorted(staged.iterdir()), "pdf", tmp_path / "pdf")
    for pdf in pdfs:
        assert lo.pdf_pages(pdf) >= 1, pdf.name
        assert is_a4(lo.pdf_page_size(pdf)), (pdf.name, lo.pdf_page_size(pdf))

    printed = tmp_path / "pdf" / "template.pdf"
    assert lo.pdf_pages(printed) == 2  # the form, then its 情况说明 sheet (issue 23)
    width, height = lo.pdf_page_size(printed)
    assert width < height, "portrait"
    text = "".join(lo.pdf_text(printed).split())  # a label wrapped in its cell is one label
    assert FORM.title("曾都区") in text
    assert all(row.label in text for s in FORM.sections if s.kind == "grid" for row in s.rows)


@needs_pdf
@needs_uno
def test_a_filled_return_still_prints_on_one_a4_page(typed):
    pdf = typed.saved["pdf"]
    # the form on one page, its 情况说明 sheet on a second (issue 23)
    assert (lo.pdf_pages(pdf), is_a4(lo.pdf_page_size(pdf))) == (2, True)
    first, second = lo.pdf_text(pdf).split("\f")[:2]
    assert typed.values["problem_1"] in first and "情况说明" in second


# ================================================================================================
# The UNO session: every file typed into, recalculated and saved by LibreOffice, in one run
# (``lo.TYPE_AND_SAVE``)
# ================================================================================================


@dataclass
class Case:
    """One return typed into the issued workbook: its values, and what LibreOffice showed."""

    values: dict[str, Any]
    saved: Path = Path()  # .xlsx as LibreOffice saved it after typing
    shown: dict[str, str] | None = None  # check cell / summary cell -> text after recalculation


@dataclass
class Typed:
    school: School
    collection: Collection
    values: dict[str, Any]  # what the school typed
    original: Path  # the same values filled by openpyxl (fill_workbook), as the demo does
    saved: dict[str, Path]  # format -> the file LibreOffice saved after typing (and its PDF)
    live: dict[str, Case]
    inspected: dict[str, dict]  # format -> what LibreOffice sees in the file it saved


@pytest.fixture(scope="module")
def typed(tmp_path_factory) -> Iterator[Typed]:
    """A collection issues its workbooks; LibreOffice types one school's return into its copy
    and saves it as .xlsx, .xls and .ods, types each live-check case and saves it, then reopens
    the files it saved and reports their protection, validation and sheets."""
    if lo.missing(uno=True):
        pytest.skip(lo.missing(uno=True))
    tmp = tmp_path_factory.mktemp("uno")
    col = init_collection(tmp / "收集", SAMPLE_ROSTER, name="曾都区", deadline="2099-12-31")
    run(distribute(col))
    school = next(s for s in col.schools() if s.stage == "小学")
    issued = col.folder("outbox") / f"{FORM.annex}-{school.name}.xlsx"
    values = sample_values(random.Random(5), school.stage, school.name, school.contact, "0722-3261001")
    values["problem_1"] = "作业公示不及时"  # Chinese typed into a merged text cell
    original = tmp / "openpyxl.xlsx"
    original.write_bytes(fill_workbook(issued, FORM, values))

    out = tmp / "libreoffice"
    out.mkdir()
    saved = {fmt: out / f"{FORM.annex}-{school.name}.{fmt}" for fmt in ("xlsx", "xls", "ods", "pdf")}
    live = {name: Case(v, out / f"live-{name}.xlsx") for name, v in {**LIVE_CASES, "pasted": PASTED}.items()}
    job = {
        "sheet": FORM.sheet,
        "read": CHECK_CELLS + [LAYOUT.summary_cell],
        "type": [{"src": str(issued), "values": typed_cells(values), "save": [str(p) for p in saved.values()]}]
        + [{"src": str(issued), "values": typed_cells(c.values), "save": [str(c.saved)]} for c in live.values()],
        "inspect": [str(p) for fmt, p in saved.items() if fmt != "pdf"],
        "cells": sorted(INPUT_CELLS | LOCKED_CELLS),
    }
    (tmp / "job.json").write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
    result = json.loads(lo.uno_script(lo.TYPE_AND_SAVE, tmp / "job.json"))
    for case, shown in zip(live.values(), result["typed"][1:]):
        case.shown = shown
    inspected = {fmt: result["inspected"][str(p)] for fmt, p in saved.items() if fmt != "pdf"}
    with col:
        yield Typed(school, col, values, original, saved, live, inspected)


# ================================================================================================
# 2. The live checks, recalculated by LibreOffice, flag what the validator flags
# ================================================================================================

def hints_shown(case: Case) -> dict[str, set[str]]:
    """Check cell -> the hints it shows after LibreOffice recalculated it."""
    return {cell: hints_in(case.shown[cell]) for cell in CHECK_CELLS if case.shown[cell]}


@needs_uno
@pytest.mark.parametrize("name", list(LIVE_CASES))
def test_live_checks_flag_what_the_validator_flags(typed, name):
    case = typed.live[name]
    sub = read_return(case.saved, FORM)  # the very file the school saved after seeing the checks
    assert sub.located_by == BY_LAYOUT and not sub.findings
    expected = validator_hints(validate(FORM, sub).findings)
    assert hints_shown(case) == expected
    summary = case.shown[LAYOUT.summary_cell]
    if expected:
        assert f"有 {len(expected)} 处" in summary
    elif name == "blank":  # nothing typed yet: a blank form opens and prints clean
        assert summary == ""
    else:
        assert summary == summary_ok(FORM)


@needs_uno
def test_live_checks_ask_for_a_number_where_the_engine_had_to_guess_or_refuse(typed):
    """Pasted values get past data validation. The row's check asks for a whole number exactly
    where the engine refused the value or read it by more than spreadsheet arithmetic ("5个",
    full-width digits, "无"); "2" as text and " 0 " are numbers to both. Rules over text the
    spreadsheet cannot compute with are skipped, as the engine skips them."""
    case = typed.live["pasted"]
    sub = read_return(case.saved, FORM)
    guessed = {n.field for n in sub.notes if n.kind in ("unit-suffix", "full-width")}
    refused = {f for finding in sub.findings for f in finding.fields}
    engine_rows = {LAYOUT.check_cells[FORM.field(f).row] for f in guessed | refused}
    shown = hints_shown(case)
    guarded = {cell for cell, hints in shown.items() if GUARD in hints}
    assert guarded == engine_rows == {LAYOUT.check_cells[r] for r in GUARDED_ROWS}
    # Rows without a guarded cell: the same hints as the validator.
    assert {c: h for c, h in shown.items() if c not in guarded} == {
        c: h for c, h in validator_hints(validate(FORM, sub).findings).items() if c not in guarded}
    # The one difference: a spreadsheet still adds up a pasted -1 or 1.5, so their row's sum
    # hint shows beside the guard, where the engine skips a rule over a value it refused.
    assert shown["G8"] == shown["G9"] == {GUARD, "合计≠小学+初中"}
    assert {"G8", "G9"}.isdisjoint(validator_hints(validate(FORM, sub).findings))
    assert f"有 {len(shown)} 处" in case.shown[LAYOUT.summary_cell]


# ================================================================================================
# 3. Typed and saved by LibreOffice in every format: the same return
# ================================================================================================


def comparable(sub: Submission) -> tuple:
    return sub.values, sub.cells, sub.sheet, sub.notes, sub.findings


@needs_uno
def test_original_filled_by_openpyxl_reads_as_typed(typed):
    sub = read_return(typed.original, FORM)
    assert sub.located_by == BY_LAYOUT
    assert {k: v for k, v in sub.values.items()} == {f.id: typed.values[f.id] for f in FORM.fields}
    assert sub.findings == ()


@needs_uno
@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_saved_by_libreoffice_reads_as_the_original(typed, fmt):
    original = read_return(typed.original, FORM)
    sub = read_return(typed.saved[fmt], FORM)
    assert comparable(sub) == comparable(original)
    # Observed: every format LibreOffice saves keeps the layout and the metadata, so the fast path
    # reads all three (the metadata sheet comes back hidden, not very hidden; the reader reads it
    # by name whatever its visibility).
    assert sub.located_by == BY_LAYOUT
    assert sub.meta == original.meta
    assert (sub.meta["collection_id"], sub.meta["school_id"]) == (typed.collection.settings.id, typed.school.id)


@needs_uno
def test_returns_saved_by_libreoffice_are_identified_in_the_collection(typed):
    inbox = typed.collection.folder("inbox") / "微信下载"
    inbox.mkdir()
    for i, fmt in enumerate(("xlsx", "xls", "ods")):
        shutil.copy(typed.saved[fmt], inbox / f"{i}-{typed.saved[fmt].name}")
    got = run(collect(typed.collection))
    assert got.unreadable == [] and got.review == [] and got.duplicates == 0
    assert [(school, status) for _, school, status in got.new_returns] == [(typed.school.name, "accepted")] * 3
    state = next(s for s in overview(typed.collection).schools if s.school.id == typed.school.id)
    assert (state.status, state.versions) == ("accepted", 3)
    assert state.current.located_by == BY_LAYOUT


# ================================================================================================
# 4. What survives LibreOffice's save as .xlsx and .xls
# ================================================================================================


@needs_uno
@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_protection_validation_and_sheets_survive_as_libreoffice_sees_them(typed, fmt):
    seen = typed.inspected[fmt]
    assert seen["protected"]
    assert seen["sheets"] == {FORM.sheet: True, "情况说明": True, META_SHEET: False}
    cells = seen["cells"]
    assert {ref for ref, c in cells.items() if not c["locked"]} == INPUT_CELLS
    assert {ref for ref, c in cells.items() if c["validation"] == "WHOLE"} >= COUNT_CELLS
    assert {ref: cells[ref]["text"] for ref in LABELS} == LABELS


@needs_uno
def test_saved_xlsx_keeps_protection_validation_and_the_metadata_sheet(typed):
    wb = openpyxl.load_workbook(typed.saved["xlsx"])
    ws = wb[FORM.sheet]
    assert ws.protection.sheet and not ws.protection.password
    assert {c.coordinate for row in ws.iter_rows() for c in row if c.protection.locked is False} == INPUT_CELLS
    assert all(ws[ref].protection.locked for ref in LOCKED_CELLS)
    whole = [dv for dv in ws.data_validations.dataValidation if dv.type == "whole"]
    assert len(whole) == 1 and (whole[0].operator, whole[0].formula1) == ("greaterThanOrEqual", "0")
    assert {c for rng in str(whole[0].sqref).split() for c in cells_of(rng)} == COUNT_CELLS
    assert ws.conditional_formatting, "the red fill on failing cells"
    assert all(str(ws[c].value).startswith("=") for c in CHECK_CELLS), "the live checks are still formulas"
    assert {ref: ws[ref].value for ref in LABELS} == LABELS
    # LibreOffice writes veryHidden back as hidden: the sheet shows in Unhide, and still does its job.
    assert wb[META_SHEET].sheet_state == "hidden"
    assert read_return(typed.saved["xlsx"], FORM).meta["school_id"] == typed.school.id


@needs_uno
def test_saved_xls_keeps_locked_cells_and_the_metadata_sheet(typed):
    book = xlrd.open_workbook(typed.saved["xls"], formatting_info=True)
    sheet = book.sheet_by_name(FORM.sheet)

    def locked(ref: str) -> bool:
        r, c = split_coord(ref)
        return bool(book.xf_list[sheet.cell_xf_index(r - 1, c - 1)].protection.cell_locked)

    assert not any(locked(ref) for ref in INPUT_CELLS)
    assert all(locked(ref) for ref in LOCKED_CELLS)
    assert {ref: sheet.cell_value(*(i - 1 for i in split_coord(ref))) for ref in LABELS} == LABELS
    assert book.sheet_by_name(META_SHEET).visibility == 1  # hidden (2 would be very hidden)
    assert read_return(typed.saved["xls"], FORM).meta["school_id"] == typed.school.id
