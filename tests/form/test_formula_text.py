"""Text in formula cells (point 7 of issue 11): nothing a school typed disappears.

A school that types ``=HYPERLINK("…","点我")`` into 主要问题 1 gets a formula cell; a file written
by a program rather than saved by Excel has no result stored for it, and the cell used to read as
blank. It now keeps the text a person would see, the clerk is told so, and the summary lists it,
as text.
"""

from __future__ import annotations

import openpyxl
import pytest

from aggregator.demo import fill_workbook
from aggregator.form.layout import layout_of
from aggregator.form.values import FormulaCell, formula_text, normalise_text
from aggregator.reading import read_return

from builders import FORM, sample_values, write_return
from cli_helpers import dudao, issued, put

LINK = '=HYPERLINK("http://evil.example/x","点我")'


@pytest.mark.parametrize("formula, shown", [
    (LINK, "点我"),
    ('=HYPERLINK("http://x.example")', "http://x.example"),
    ('=hyperlink( "http://x" ; "说""明""" )', '说"明"'),
    ('="作业公示不及时"', "作业公示不及时"),
    ("=A1&B1", "=A1&B1"),
])
def test_formula_text_is_what_a_person_sees(formula, shown):
    assert formula_text(formula) == shown
    out = normalise_text(FormulaCell(formula, formula_text(formula)))
    assert (out.value, out.note, out.shown) == (shown, "formula-text", formula)


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_text_in_a_formula_cell_without_a_saved_result_is_kept_and_noted(tmp_path, fmt):
    values = sample_values(problem_1=LINK, problem_2="=C8&C9")
    sub = read_return(write_return(tmp_path / f"r.{fmt}", values, fmt=fmt), FORM)
    assert sub.values["problem_1"] == "点我"
    assert sub.values["problem_2"] == "=C8&C9"
    noted = {n.field: n for n in sub.notes if n.kind == "formula-text"}
    assert set(noted) == {"problem_1", "problem_2"}
    assert noted["problem_1"].raw == LINK
    assert not [f for f in sub.findings if f.level == "error"]


def test_status_verbose_says_so_and_the_summary_lists_it_as_text(col_dir, capsys, school_values):
    name = "曾都区实验小学"
    path = put(col_dir / "inbox" / "实验小学.xlsx", fill_workbook(issued(col_dir, name), FORM, school_values[name]))
    wb = openpyxl.load_workbook(path)
    wb[FORM.sheet][layout_of(FORM).cells["problem_1"]] = LINK  # a formula: openpyxl saves no result
    wb.save(path)
    assert dudao(capsys, "collect", col_dir)[0] == 0
    code, out, _ = dudao(capsys, "status", col_dir, "--verbose")
    assert code == 0
    assert f"是公式“{LINK}”，文件中没有保存结果，按显示的文字“点我”记录" in out
    code, out, _ = dudao(capsys, "consolidate", col_dir, "--include", "all")
    summary = out.strip().splitlines()[-1]
    listed = [r[:3] for r in openpyxl.load_workbook(summary)["主要问题"].iter_rows(values_only=True) if r[0] == name]
    assert (name, 1, "点我") in listed
