"""The third level, explain (核实性): a figure may stay if the school explains it (issue 23).

- What counts as an explanation: six characters a person would count, in the engine and in the
  workbook's own formula (``length_formula``), which agree.
- The declaration: ``level = "explain"`` on rules, outliers (their default) and changes, and what
  ``check-form`` says about each mistake, with its line.
- The 情况说明 sheet's layout, and the reader taking each 说明 from workbooks built here in that
  layout, as schools leave them (rows added, the explanation one cell off, the sheet renamed).
- The checks: without an explanation the return goes back asking for exactly it; with one it is
  accepted and the explanation kept; the clerk's confirm note counts as hers.
"""

from __future__ import annotations

import io
import json

import openpyxl
import pytest

import lo
import xl_eval
from aggregator.checks.validate import Context, check_values, validate
from aggregator.collection.store.folder import open_collection
from aggregator.collection.views.status import overview
from aggregator.findings import EXPLAIN, Levels, explanation_length, is_explanation
from aggregator.form.parse import load_form
from aggregator.form.explanations import (CHECK_TEXTS, HEADS, SHEET, explain_rules, explanation_layout,
                                          explained_formula, length_formula)
from aggregator.form.parse import parse_text
from aggregator.reading import read_return
from aggregator.reading.explanations import explanations_in
from cli_helpers import dudao
from forms_helpers import FORM, values
from ledger_helpers import LAYOUT, add, make_collection
from test_forms import BASE, line_of, problems

# ================================================================================================
# What counts: six characters a person would count
# ================================================================================================

COUNTED = [
    ("", 0), ("无", 1), ("电话核实无误", 6), ("电话 核实 无误", 6), ("。。。。。。。。", 0), ("1 2 3 4 5 6", 6),
    ("对，对，对！", 3), ("  今年新增\n两所分校  ", 8), ("ok...ok", 4), ("“是的”（确认）", 4), ("a\tb\tc", 3),
]


@pytest.mark.parametrize("text, n", COUNTED)
def test_an_explanation_counts_what_a_person_would_count(text, n):
    assert explanation_length(text) == n
    assert is_explanation(text) == (n >= 6)


@pytest.mark.parametrize("text, n", COUNTED)
def test_the_workbooks_formula_counts_as_the_engine_does(text, n):
    sheet = xl_eval.Sheet({"D4": text or None}, {"E4": "=" + length_formula("D4"), "F4": "=" + explained_formula("D4")})
    assert (sheet["E4"], sheet["F4"]) == (float(n), n >= 6)


needs_uno = pytest.mark.skipif(bool(lo.missing(uno=True)), reason=lo.missing(uno=True) or "-")


@pytest.mark.libreoffice
@needs_uno
def test_libreoffice_counts_an_explanation_as_the_engine_does(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表"
    for i, _ in enumerate(COUNTED, start=1):
        ws[f"B{i}"] = "=" + length_formula(f"A{i}")
    src = tmp_path / "count.xlsx"
    wb.save(src)
    job = {"type": [{"src": str(src), "values": {f"A{i}": text for i, (text, _) in enumerate(COUNTED, start=1) if text},
                     "save": []}],
           "sheet": "表", "read": [f"B{i}" for i in range(1, len(COUNTED) + 1)], "inspect": [], "cells": []}
    (tmp_path / "job.json").write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
    shown = json.loads(lo.uno_script(lo.TYPE_AND_SAVE, tmp_path / "job.json"))["typed"][0]
    assert [shown[f"B{i}"] for i in range(1, len(COUNTED) + 1)] == [str(n) for _, n in COUNTED]


# ================================================================================================
# The declaration
# ================================================================================================

EXPLAIN_RULE = """
[[rules]]
id = "many"
level = "explain"
name = "人数偏多"
about = "人数超过 100 人时请说明"
check = "people.total <= 100"
message = "{cell:people.total} 人数({people.total})超过 100"
"""


def test_a_rule_may_be_explain_and_the_sheet_lists_it_with_what_it_checks():
    form = parse_text(BASE + EXPLAIN_RULE, source="mini.toml")
    (rule,) = [r for r in form.rules if r.id == "many"]
    assert rule.level == "explain"
    assert explain_rules(form)[0] == explain_rules(form)[0].__class__("many", "人数偏多", "人数超过 100 人时请说明", "rule")
    assert explanation_layout(parse_text(BASE, source="mini.toml")) is None  # no explain rule: no sheet


@pytest.mark.parametrize("change, kind, where", [
    (('name = "人数偏多"\n', ""), "explain", 'level = "explain"'),  # an explain rule needs its name
    (('level = "explain"', 'level = "explained"'), "level", 'level = "explained"'),
    (('id = "many"', 'id = "sum"'), "explain", 'level = "error"'),  # one id, two levels
])
def test_check_form_names_explain_mistakes_with_their_line(change, kind, where):
    text = (BASE + EXPLAIN_RULE).replace(*change)
    found = [p for p in problems(text) if p.kind == kind]
    assert found, problems(text)
    assert found[0].line == line_of(text, where), str(found[0])
    if kind == "level":
        assert "explain（须说明）" in found[0].message


OUTLIER = """
[[outliers]]
id = "outlier"
factor = 3.0
floor = 10
min_peers = 5
message = "{cell} {label}为 {value}"
"""


def test_an_outlier_is_explain_unless_it_says_otherwise_and_annex5_says_explain():
    assert parse_text(BASE + OUTLIER, source="mini.toml").outliers[0].level == "explain"
    warned = OUTLIER.replace("factor", 'level = "warning"\nfactor')
    assert parse_text(BASE + warned, source="mini.toml").outliers[0].level == "warning"
    bad = OUTLIER.replace("factor", 'level = "hint"\nfactor')
    (p,) = [p for p in problems(BASE + bad) if p.kind == "level"]
    assert p.line == line_of(BASE + bad, 'level = "hint"')
    annex5 = load_form()
    assert [o.level for o in annex5.outliers] == ["explain"]
    assert [c.level for c in annex5.changes] == ["explain", "explain"]
    assert [r.level for r in annex5.rules if r.level == "explain"] == []  # its declared rules are unchanged


CHANGES = """
[[changes]]
fields = ["people.total", "fee"]
factor = 3
"""


def test_changes_name_fields_as_rules_do():
    form = parse_text(BASE + CHANGES, source="mini.toml")
    assert [(c.fields, c.factor, c.floor, c.level) for c in form.changes] == [(("people.total", "fee"), 3.0, 0, "explain")]
    stars = parse_text(BASE + CHANGES.replace('["people.total", "fee"]', '["people.*"]') + "floor = 5\n",
                       source="mini.toml")
    assert stars.changes[0].fields == ("people.total", "people.a", "people.b") and stars.changes[0].floor == 5
    each = parse_text(BASE + CHANGES.replace('fields = ["people.total", "fee"]',
                                             'for_each = ["total", "a"]\nfields = ["people.$"]'), source="mini.toml")
    assert each.changes[0].fields == ("people.total", "people.a")
    assert [r.id for r in explain_rules(each)] == ["vs-previous"]
    assert explain_rules(each, previous=False) == ()


@pytest.mark.parametrize("change, where, words", [
    (('factor = 3', 'factor = 1'), "factor = 1", "factor 应大于 1"),
    (('factor = 3', 'factor = "三倍"'), "factor =", "factor 应为数字"),
    (('factor = 3\n', ''), "[[changes]]", "缺少“factor”"),
    (('"fee"]', '"fees"]'), "fields =", "“fees”不是本表的字段"),
    (('"fee"]', '"answer"]'), "fields =", "answer（是否完成）不是数字"),
    (('factor = 3', 'factor = 3\nbound = 2'), "[[changes]]", "不认识的键“bound”"),
    (('factor = 3', 'factor = 3\nfloor = -1'), "floor = -1", "floor 不能是负数"),
    # the examples are the declared form's own field ids, never another form's
    (('fields = ["people.total", "fee"]\n', ''), "[[changes]]", '如 fields = ["people.total"]'),
    (('["people.total", "fee"]', '3'), "fields =", '应为字段 id 的列表，如 ["people.total", "*.total"]'),
])
def test_check_form_names_change_bound_mistakes_with_their_line(change, where, words):
    text = (BASE + CHANGES).replace(*change)
    found = [p for p in problems(text) if words in p.message]
    assert found, [str(p) for p in problems(text)]
    assert found[0].line == line_of(text, where) and str(found[0]).startswith(f"mini.toml:{found[0].line}: 上期比较 1")


def test_check_form_accepts_the_bundled_forms_with_their_new_declarations(tmp_path, capsys):
    path = tmp_path / "mini.toml"
    path.write_text(BASE + EXPLAIN_RULE + CHANGES + OUTLIER, encoding="utf-8")
    code, out, _ = dudao(capsys, "check-form", path)
    assert code == 0 and "没有发现问题" in out
    path.write_text(BASE + EXPLAIN_RULE.replace('name = "人数偏多"\n', "") + CHANGES.replace("3", "0.5"),
                    encoding="utf-8")
    code, _, err = dudao(capsys, "check-form", path)
    assert code == 2 and "需要 name" in err and "factor 应大于 1" in err and "共 2 处问题" in err


# ================================================================================================
# The 情况说明 sheet, and the reader
# ================================================================================================


def test_annex5s_sheet_lists_its_explain_checks_with_an_empty_cell_each():
    layout = explanation_layout(FORM)
    assert layout.sheet == SHEET == "情况说明" and layout.heads == HEADS
    assert [(r.rule, r.number, r.name, r.text_cell) for r in layout.rows] == [
        ("outlier", 1, "数字明显偏大", "D4"), ("vs-previous", 2, "与上期相比变化过大", "D5")]
    assert layout.rows[0].about == "某项数字远高于同学段的其他学校"
    assert layout.rows[1].about.startswith("派出责任督学数（人）、实地督导学校数量（所）") and "3 倍以上" in layout.rows[1].about
    assert layout.text_cells == {"outlier": "D4", "vs-previous": "D5"} and layout.merges == ("A1:D1", "A2:D2")
    assert "不少于 6 个字" in layout.intro


def explanation_sheet(wb: openpyxl.Workbook, form=FORM, said: dict[str, str] | None = None, *, name: str = SHEET,
                      rows_before: int = 0, off: dict[str, str] | None = None, more: dict[str, list[str]] | None = None,
                      check: str = "needed") -> None:
    """The 情况说明 sheet in ``explanation_layout(form)``, as a school leaves it: ``said`` in the
    说明 cells, ``off`` typed one cell to the right instead, ``more`` lines in rows it added below;
    ``rows_before`` rows inserted above the table; the live check column showing ``check``."""
    layout = explanation_layout(form)
    if name in wb.sheetnames and not (rows_before or off or more):  # the issued workbook's own sheet
        for r in layout.rows:
            if said and r.rule in said and wb[name].cell(r.row, 2).value == r.name:
                wb[name][r.text_cell] = said[r.rule]
        return
    ws = wb.create_sheet(name)
    ws["A1"], ws["A2"] = layout.title, layout.intro
    shift = rows_before
    for c, head in enumerate(layout.heads, start=1):
        ws.cell(3 + shift, c, head)
    for r in layout.rows:
        row = r.row + shift
        ws.cell(row, 1, r.number)
        ws.cell(row, 2, r.name)
        ws.cell(row, 3, r.about)
        ws.cell(row, 5, CHECK_TEXTS[check])
        if said and r.rule in said:
            ws.cell(row, 4, said[r.rule])
        if off and r.rule in off:
            ws.cell(row, 5, off[r.rule])
        for line in (more or {}).get(r.rule, ()):
            ws.insert_rows(row + 1)
            ws.cell(row + 1, 4, line)
            shift += 1


def read_sheet(**kw) -> dict[str, tuple[str, str]]:
    wb = openpyxl.Workbook()
    explanation_sheet(wb, **kw)
    grid = [list(row) for row in wb[kw.get("name", SHEET)].iter_rows(values_only=True)]
    return {e.rule: (e.text, e.cell) for e in explanations_in(grid, explanation_layout(FORM), kw.get("name", SHEET))}


def test_the_reader_takes_each_explanation_by_its_rules_name():
    assert read_sheet(said={"vs-previous": "今年新增两所分校，督学增加"}) == {
        "vs-previous": ("今年新增两所分校，督学增加", "情况说明!D5")}
    assert read_sheet(said={}) == {}  # nothing written, nothing taken (not the 检查内容, not the live check)


def test_the_reader_forgives_rows_added_and_an_explanation_one_cell_off():
    assert read_sheet(rows_before=2, said={"outlier": "本校督学含兼职督学"}) == {
        "outlier": ("本校督学含兼职督学", "情况说明!D6")}
    assert read_sheet(said={"outlier": "本校督学含兼职督学"}, more={"outlier": ["另有两名退休督学返聘"]}) == {
        "outlier": ("本校督学含兼职督学；另有两名退休督学返聘", "情况说明!D4")}
    assert read_sheet(more={"outlier": ["写在下一行的说明文字"]}) == {"outlier": ("写在下一行的说明文字", "情况说明!D5")}
    assert read_sheet(off={"vs-previous": "写在了右边一格的说明"}, check="done") == {
        "vs-previous": ("写在了右边一格的说明", "情况说明!E5")}


def test_the_reader_finds_the_sheet_renamed_with_a_space_and_the_rows_reordered():
    wb = openpyxl.Workbook()
    explanation_sheet(wb, said={"outlier": "本校督学含兼职督学", "vs-previous": "今年新增两所分校"}, name="情况说明 ")
    ws = wb["情况说明 "]
    for c in range(1, 6):  # the school swapped the two rows
        ws.cell(4, c).value, ws.cell(5, c).value = ws.cell(5, c).value, ws.cell(4, c).value
    ws.insert_cols(4)  # and inserted a column before 说明
    grid = [list(row) for row in ws.iter_rows(values_only=True)]
    found = {e.rule: (e.text, e.cell) for e in explanations_in(grid, explanation_layout(FORM), "情况说明 ")}
    assert found == {"vs-previous": ("今年新增两所分校", "情况说明 !E4"), "outlier": ("本校督学含兼职督学", "情况说明 !E5")}


def _issued(tmp_path, capsys):
    roster = tmp_path / "名单.csv"
    roster.write_text("学校名称,学段\n城南小学,小学\n", encoding="utf-8")
    folder = tmp_path / "c"
    assert dudao(capsys, "init", folder, "--name", "曾都区", "--roster", roster)[0] == 0
    assert dudao(capsys, "distribute", folder)[0] == 0
    return folder / "outbox" / "附件5-城南小学.xlsx"


def test_a_returned_workbook_carries_its_explanations_through_every_reader(tmp_path, capsys):
    """The issued workbook, a 情况说明 sheet added in the layout, read by calamine and by openpyxl."""
    wb = openpyxl.load_workbook(_issued(tmp_path, capsys))
    explanation_sheet(wb, said={"outlier": "本校督学含兼职督学 6 人"})
    path = tmp_path / "returned.xlsx"
    wb.save(path)
    for engine in ("calamine", "openpyxl"):
        sub = read_return(path, FORM, engine=engine)
        assert sub.located_by == "layout"
        assert [(e.rule, e.text, e.cell) for e in sub.explanations] == [("outlier", "本校督学含兼职督学 6 人", "情况说明!D4")]
    plain = tmp_path / "plain.xlsx"
    wb = openpyxl.load_workbook(path)
    del wb[SHEET]
    wb.save(plain)
    assert read_return(plain, FORM).explanations == ()  # an older template: nothing to read, nothing wrong


# ================================================================================================
# The checks
# ================================================================================================

RULED = parse_text((BASE + EXPLAIN_RULE).replace('id = "mini"', 'id = "mini-explain"'), source="mini.toml")


def _many(explanation: str = "") -> list:
    vals = {"unit": "甲校", "people.total": 150, "people.a": 100, "people.b": 50, "answer": "是", "fee": 1.0}
    cells = {"people.total": "C5"}
    return check_values(RULED, vals, cells, Context(in_roster=True), explanations={"many": explanation})


def test_an_unexplained_explain_finding_sends_the_return_back_asking_for_exactly_that():
    (f,) = _many()
    assert (f.rule, f.level, f.explained, f.blocking) == ("many", EXPLAIN, False, True)
    assert f.message == ("C5 人数(150)超过 100，如确实无误，请在“情况说明”表“人数偏多”一行的说明栏写明原因（不少于 6 个字）；"
                         "如填错了，请改正")
    assert Levels.of([f]).status == "returned" and Levels.of([f]).unexplained == {"many"}


def test_an_explanation_keeps_the_figure_and_the_return_is_accepted_with_it():
    (f,) = _many("本校含两个校区，人数合并统计")
    assert (f.explained, f.explanation, f.explained_by, f.message) == (True, "本校含两个校区，人数合并统计", "school",
                                                                      "C5 人数(150)超过 100")
    assert Levels.of([f]).status == "accepted_with_warnings" and Levels.of([f]).warnings == {"many"}
    (short,) = _many("有，多。")
    assert short.blocking and short.explanation == "有，多。" and "说明“有，多。”太短" in short.message


def test_validate_gives_each_explain_rule_what_the_workbook_said():
    from aggregator.reading.submission import Explanation, Submission

    sub = Submission(RULED.id, RULED.version, {"unit": "甲校", "people.total": 150, "people.a": 100, "people.b": 50,
                                                "answer": "是", "fee": 1.0}, {"people.total": "C5"},
                     explanations=(Explanation("many", "本校含两个校区，人数合并统计", "情况说明!D4"),))
    report = validate(RULED, sub, Context(in_roster=True))
    assert report.ok and report.status == "accepted_with_warnings" and report.explain[0].explained


def test_the_clerks_confirm_note_is_the_explanation_recorded_as_hers(tmp_path, capsys):
    roster = [(f"第{i}小学", "小学", "") for i in range(1, 8)]
    with make_collection(tmp_path, roster) as col:
        for i, (name, _, _) in enumerate(roster):
            add(col, name, values(typical_cases=200 if i == 0 else 1), findings=())
        folder = col.root
    code, _, err = dudao(capsys, "confirm", folder, "第1小学", "数字明显偏大")
    assert code == 2 and "没有说明“数字明显偏大”：请写明核实的情况（--note）（不少于 6 个字" in err
    code, _, err = dudao(capsys, "confirm", folder, "第1小学", "outlier", "--note", "核实")
    assert code == 2 and "不少于 6 个字" in err
    code, out, _ = dudao(capsys, "confirm", folder, "第1小学", "数字明显偏大", "--note", "电话核实：含两所分校的典型经验")
    assert code == 0 and "已记录" in out
    with open_collection(folder) as col:
        first = overview(col).schools[0]
    assert first.status == "accepted"  # she settled it
    (f,) = first.findings
    assert (f.explanation, f.explained_by) == ("电话核实：含两所分校的典型经验", "clerk")
    code, out, _ = dudao(capsys, "status", folder)
    assert "[已说明：数字明显偏大]" in out and "（区教育局说明：电话核实：含两所分校的典型经验）" in out
    data = json.loads(dudao(capsys, "status", folder, "--json")[1])
    found = data["schools"][0]["findings"][0]
    assert (found["level"], found["explanation"], found["explained_by"]) == ("explain", "电话核实：含两所分校的典型经验",
                                                                             "clerk")
    assert data["schools"][0]["decisions"][0]["note"] == "电话核实：含两所分校的典型经验"


def test_a_school_explained_figure_can_still_be_sent_back_by_the_clerk(tmp_path, capsys):
    roster = [(f"第{i}小学", "小学", "") for i in range(1, 8)]
    with make_collection(tmp_path, roster) as col:
        for i, (name, _, _) in enumerate(roster):
            add(col, name, values(typical_cases=200 if i == 0 else 1), findings=(),
                explanations={"outlier": "全镇典型经验都记在本校"} if i == 0 else None)
        folder = col.root
    assert json.loads(dudao(capsys, "status", folder, "--json")[1])["schools"][0]["status"] == "accepted_with_warnings"
    assert dudao(capsys, "send-back", folder, "第1小学", "--note", "典型经验应按学校分别统计")[0] == 0
    assert json.loads(dudao(capsys, "status", folder, "--json")[1])["schools"][0]["status"] == "returned"


def test_a_returned_workbook_with_its_explanation_is_accepted_end_to_end(tmp_path, capsys):
    """Seven schools; the first types 200 典型经验 among peers with 1: collected without a word it
    is sent back, with its 情况说明 filled in it is accepted, the explanation in status --json."""
    from aggregator.demo import fill_workbook, sample_values
    import random

    names = [f"第{i}小学" for i in range(1, 8)]
    roster = tmp_path / "名单.csv"
    roster.write_text("学校名称,学段\n" + "".join(f"{n},小学\n" for n in names), encoding="utf-8")
    folder = tmp_path / "c"
    assert dudao(capsys, "init", folder, "--name", "曾都区", "--roster", roster)[0] == 0
    assert dudao(capsys, "distribute", folder)[0] == 0
    rng = random.Random(3)
    for i, name in enumerate(names):
        v = dict(sample_values(rng, "小学", name, "李老师", "13800000000"), typical_cases=200 if i == 0 else 1)
        data = fill_workbook(folder / "outbox" / f"附件5-{name}.xlsx", FORM, v)
        (folder / "inbox" / f"{name}.xlsx").write_bytes(data)
        if i == 0:
            wb = openpyxl.load_workbook(io.BytesIO(data))
            explanation_sheet(wb, said={"outlier": "全镇的典型经验都由本校汇总上报"})
            buf = io.BytesIO()
            wb.save(buf)
            explained = buf.getvalue()
    assert dudao(capsys, "collect", folder)[0] == 0
    first = json.loads(dudao(capsys, "status", folder, "--json")[1])["schools"][0]
    assert first["status"] == "returned"
    assert [(f["rule"], f["level"], f["explanation"]) for f in first["findings"]] == [("outlier", "explain", None)]
    (folder / "inbox" / "第1小学(1).xlsx").write_bytes(explained)
    assert dudao(capsys, "collect", folder)[0] == 0
    first = json.loads(dudao(capsys, "status", folder, "--json")[1])["schools"][0]
    assert first["status"] == "accepted_with_warnings" and first["version"] == 2
    assert [(f["rule"], f["cells"], f["explanation"], f["explained_by"]) for f in first["findings"]] == [
        ("outlier", [LAYOUT.cells["typical_cases"]], "全镇的典型经验都由本校汇总上报", "school")]
    # what changed: the 说明 written, the finding put right by it
    assert first["changes"] == [{"cell": "情况说明!D4", "label": "情况说明·数字明显偏大", "old": None,
                                 "new": "全镇的典型经验都由本校汇总上报"}]
    assert [(f["rule"], f["explanation"]) for f in first["fixed"]] == [("outlier", "全镇的典型经验都由本校汇总上报")]
    assert first["still"] == []
