"""A reading process remembers what it read (checked zip parts, metadata shapes, grids of sheets
whose every part it saw before, the keys of printed texts): the benchmark's returns, every kind of
them, read and checked one after another in one process give exactly what each gives read alone
by a process that has read nothing, findings and values alike.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from aggregator.checks.validate import validate
from aggregator.demo import fill_workbook, retyped_workbook
from aggregator.form.parse import load_form
from aggregator.form.explanations import explanation_layout
from aggregator.reading import UnreadableFile, calamine_adapter, read_return, zipguard
from aggregator.reading.explanations import _remembered, _text_key

from builders import patch_zip, save_results

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from workload import Filler, inserted_row  # noqa: E402 - the benchmarks' returns

FORM = load_form()


def _forget() -> None:
    zipguard._KNOWN.cache_clear()
    calamine_adapter._TEXT_SHEETS.cache_clear()
    calamine_adapter._SAME_PARTS.cache_clear()
    _text_key.cache_clear()
    _remembered.cache_clear()


def _outcome(path: Path):
    try:
        sub = read_return(path, FORM)
    except UnreadableFile as exc:
        return exc.kind, exc.message
    return sub, validate(FORM, sub)


@pytest.fixture
def returns(tmp_path, col_dir, school_values) -> list[Path]:
    """Each school's return as the benchmark makes it, in every variant, and a few broken ones."""
    rng = random.Random(5)
    filler = Filler(FORM)
    rule = explanation_layout(FORM).rows[0].rule
    out = []
    for i, (name, values) in enumerate(school_values.items()):
        issued = col_dir / "outbox" / f"附件5-{name}.xlsx"
        data = issued.read_bytes()
        typed = {**values, "inspectors.primary": f"{values['inspectors.primary']}人"}
        wrong = {**values, "inspectors.total": values["inspectors.total"] + 1}
        blank = {k: v for k, v in values.items() if k != "schools_visited.total"}
        kinds = {"plain": filler.fill(data, values), "again": filler.fill(data, values),
                 "typed": filler.fill(data, typed), "wrong-sum": filler.fill(data, wrong),
                 "blank": filler.fill(data, blank), "inserted-row": inserted_row(data, FORM, values, rng),
                 "retyped": retyped_workbook(FORM, values),
                 "explained": fill_workbook(issued, FORM, values, explanations={rule: f"第{i}校已核实，属实无误。"}),
                 "excel-like": fill_workbook(issued, FORM, values)}
        for kind, content in kinds.items():
            path = tmp_path / "returns" / f"{i}-{kind}.xlsx"
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(content)
            out.append(path)
        # the 说明 typed into the benchmark's copy: its 情况说明 sheet alone differs from the others'
        written = tmp_path / "returns" / f"{i}-explained-alone.xlsx"
        written.write_bytes(kinds["plain"])
        patch_zip(written, "xl/worksheets/sheet2.xml", lambda x, i=i: x.replace(
            b'<c r="D4" s="13" t="n" />', f'<c r="D4" s="13" t="inlineStr"><is><t>第{i}校数字属实，已核实。</t></is></c>'.encode()))
        out.append(written)
        if i == 0:  # a result saved for a formula, a cut download, an unsafe part
            save_results(out[-1], {"G6": "合计≠学科类+非学科类；"})
            cut = tmp_path / "returns" / "cut.xlsx"
            cut.write_bytes(kinds["plain"][: len(kinds["plain"]) // 2])
            hostile = tmp_path / "returns" / "hostile.xlsx"
            hostile.write_bytes(kinds["plain"])
            patch_zip(hostile, "xl/styles.xml", lambda x: b'<!DOCTYPE x [<!ENTITY e "e">]>' + x)
            out += [cut, hostile]
    return out


def test_every_return_reads_and_checks_alike_remembered_or_afresh(returns):
    _forget()
    remembered = [_outcome(p) for _ in range(2) for p in returns]  # the second round from memory
    afresh = []
    for p in returns:
        _forget()
        afresh.append(_outcome(p))
    assert remembered == afresh + afresh
    kinds = [o[0] if isinstance(o[0], str) else o[0].located_by for o in afresh]
    assert kinds.count("corrupt") == 1 and kinds.count("unsafe-xml") == 1 and kinds.count("labels") >= 12
    assert sum(1 for o in afresh if not isinstance(o[0], str) and o[0].explanations) == 12
    assert sum(1 for o in afresh if not isinstance(o[0], str) and o[1].findings) >= 12  # typed, wrong sums


def test_a_true_written_as_an_explanation_is_not_taken_for_a_1(tmp_path, col_dir, school_values):
    """Python holds True == 1: the 情况说明 sheets remembered by their values keep their types."""
    name, values = next(iter(school_values.items()))
    plain = Filler(FORM).fill((col_dir / "outbox" / f"附件5-{name}.xlsx").read_bytes(), values)
    read = []
    for kind, cell in (("number", b'<c r="D4" s="13" t="n"><v>1</v></c>'), ("boolean", b'<c r="D4" s="13" t="b"><v>1</v></c>')):
        path = tmp_path / f"{kind}.xlsx"
        path.write_bytes(plain)
        patch_zip(path, "xl/worksheets/sheet2.xml", lambda x, cell=cell: x.replace(b'<c r="D4" s="13" t="n" />', cell))
        read.append([e.text for e in read_return(path, FORM).explanations])
    assert read == [["1"], ["TRUE"]]
