"""The issued workbook's 情况说明 sheet (issue 23, phase B point 1).

- It follows the form's explain rules (Annex 5: the outlier, and the comparison with last period
  only when the collection names one), protected except its 说明 cells, printed on one A4 page.
- Its live check counts an explanation as the engine does, and for a declared explain rule asks
  for one exactly when the engine would (LibreOffice types and recalculates the real file).
- The reader takes back what a school wrote in it, from our file and from one LibreOffice saved
  (with the live check's texts cached beside the 说明: never taken for the school's words).
"""

from __future__ import annotations

import io
import json

import openpyxl
import pytest

import lo
import xl_eval
from aggregator.checks.validate import Context, check_values
from aggregator.findings import is_explanation
from aggregator.form.explanations import CHECK_TEXTS, SHEET, explanation_layout
from aggregator.form.layout import layout_of
from aggregator.form.parse import parse_text
from aggregator.outputs.explain_sheet import explanation_checks, rule_condition
from aggregator.outputs.personalise import personalise, template_bytes
from aggregator.outputs.template import META_SHEET, SCHOOL_KEYS, build_template
from aggregator.outputs.xlstyle import LIGHT_RED, ORANGE
from aggregator.reading import read_return
from forms_helpers import FORM
from test_explain import COUNTED, EXPLAIN_RULE
from test_forms import BASE

RULED = parse_text((BASE + EXPLAIN_RULE).replace('id = "mini"', 'id = "mini-explain"'), source="mini.toml")
SCHOOL = {k: f"⟨{k}⟩" for k in SCHOOL_KEYS} | {"school_name": "曾都区实验小学"}
needs_uno = pytest.mark.skipif(bool(lo.missing(uno=True)), reason=lo.missing(uno=True) or "-")
needs_pdf = pytest.mark.skipif(bool(lo.missing(pdf=True)), reason=lo.missing(pdf=True) or "-")


def issued(form=FORM, previous: bool = True) -> openpyxl.Workbook:
    data = personalise(template_bytes(form, district="曾都区", previous=previous), SCHOOL)
    return openpyxl.load_workbook(io.BytesIO(data))


def test_the_issued_workbook_has_the_sheet_after_the_form_as_its_layout_says():
    wb = issued()
    assert wb.sheetnames == [FORM.sheet, SHEET, META_SHEET] and wb.active.title == FORM.sheet
    ws = wb[SHEET]
    rows = [[c.value for c in row][:4] for row in ws.iter_rows(min_row=3, max_row=5)]
    assert rows == [["序号", "核实项目", "检查内容", "说明"],
                    [1, "数字明显偏大", "某项数字远高于同学段的其他学校", None],
                    [2, "与上期相比变化过大", explanation_layout(FORM).rows[1].about, None]]
    # without a last period, no row asks about it
    assert [r[1].value for r in issued(previous=False)[SHEET].iter_rows(min_row=4)] == ["数字明显偏大"]
    assert build_template(FORM).sheetnames == [FORM.sheet, META_SHEET]  # the summary's form: no sheet


def test_only_the_explanations_can_be_typed_and_the_sheet_prints_on_one_a4_page():
    ws = issued()[SHEET]
    assert ws.protection.sheet and not ws.protection.password
    unlocked = {c.coordinate for row in ws.iter_rows(min_row=1, max_row=8, max_col=6) for c in row
                if not c.protection.locked}
    assert unlocked == {"D4", "D5"}
    assert ws.print_area == "'情况说明'!$A$1:$D$15"  # the live check is for the screen; last period's block
    assert issued(previous=False)[SHEET].print_area == "'情况说明'!$A$1:$D$4"
    setup = ws.page_setup
    assert (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight) == (9, "landscape", 1, 1)
    assert ws.row_dimensions[4].height >= 54  # room to write


def test_a_needed_explanation_is_orange_as_in_every_letter():
    ws = issued()[SHEET]
    rules = {str(cf.sqref): cf.rules[0] for cf in ws.conditional_formatting}
    assert set(rules) == {"D4", "D5"}
    assert rules["D4"].dxf.fill.fgColor.rgb == ORANGE
    assert CHECK_TEXTS["needed"] in rules["D4"].formula[0] and CHECK_TEXTS["short"] in rules["D4"].formula[0]


@pytest.mark.parametrize("text, n", COUNTED)
def test_the_live_check_says_written_exactly_when_the_engine_takes_the_explanation(text, n):
    """The outlier cannot be checked in a school's copy (its peers are not there): it says when
    to write until an explanation counts, and says it counts exactly when the engine takes it.
    The comparison with last period asks only when a figure of its block moved (none here)."""
    checks = explanation_checks(FORM, previous=True)
    sheet = xl_eval.Sheet({"D4": text or None, "D5": text or None} | {f"E{r}": "" for r in range(9, 16)}, checks)
    expected = "done" if is_explanation(text) else "short" if text else None
    assert sheet["E4"] == CHECK_TEXTS[expected or "outlier"]
    assert sheet["E5"] == (CHECK_TEXTS[expected] if expected else "")


def test_a_declared_rule_is_checked_over_the_form_sheet():
    cell = layout_of(RULED).cells["people.total"]
    assert rule_condition(RULED, "many") == f"IFERROR(('表'!${cell[0]}${cell[1:]}+0)<=100,TRUE)"
    assert rule_condition(FORM, "outlier") == ""  # peers are not in the workbook


# ================================================================================================
# LibreOffice: the real file, typed into and recalculated
# ================================================================================================

TYPE_BOTH = r"""
import json
job = json.loads(open(args[0], encoding="utf-8").read())
out = []
for case in job["cases"]:
    doc = open_doc(job["src"])
    for sheet_name, values in case["values"].items():
        sheet = doc.Sheets.getByName(sheet_name)
        for ref, value in values.items():
            cell = sheet.getCellRangeByName(ref)
            if isinstance(value, str):
                cell.setString(value)
            else:
                cell.setValue(value)
    doc.calculateAll()
    sheet = doc.Sheets.getByName(job["sheet"])
    out.append({ref: sheet.getCellRangeByName(ref).getString() for ref in job["read"]})
    if case.get("save"):
        store(doc, case["save"])
    close(doc)
print(json.dumps(out, ensure_ascii=False))
"""


def _type(tmp_path, src, cases: list[dict], read: list[str]) -> list[dict[str, str]]:
    job = {"src": str(src), "sheet": SHEET, "read": read, "cases": cases}
    (tmp_path / "job.json").write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
    return json.loads(lo.uno_script(TYPE_BOTH, tmp_path / "job.json"))


# (人数 typed, its parts, the 说明 typed)
RULE_CASES = [(150, (100, 50), ""), (150, (100, 50), "有，多。"), (150, (100, 50), "本校含两个校区，人数合并统计"),
              (50, (20, 30), ""), (50, (20, 30), "本校含两个校区")]


@pytest.mark.libreoffice
@needs_uno
def test_libreoffice_asks_for_an_explanation_exactly_when_the_engine_does(tmp_path):
    src = tmp_path / "mini.xlsx"
    build_template(RULED, unit="甲校", explain=False).save(src)
    cells = layout_of(RULED).cells
    row = explanation_layout(RULED).row_of("many")
    cases = [{"values": {"表": {cells["people.total"]: total, cells["people.a"]: a, cells["people.b"]: b},
                         SHEET: {row.text_cell: said} if said else {}}} for total, (a, b), said in RULE_CASES]
    shown = [s[row.check_cell] for s in _type(tmp_path, src, cases, [row.check_cell])]
    engine = []
    for total, (a, b), said in RULE_CASES:
        vals = {"unit": "甲校", "people.total": total, "people.a": a, "people.b": b, "answer": "是", "fee": 1.0}
        found = check_values(RULED, vals, {"people.total": cells["people.total"]}, Context(in_roster=True),
                             explanations={"many": said})
        engine.append(found[0] if found else None)
    assert shown == [CHECK_TEXTS["needed"], CHECK_TEXTS["short"], CHECK_TEXTS["done"], "", CHECK_TEXTS["done"]]
    # the workbook asks (needed, short) exactly where the engine would send the return back
    asks = [s in (CHECK_TEXTS["needed"], CHECK_TEXTS["short"]) for s in shown]
    assert asks == [f is not None and f.blocking for f in engine]


@pytest.mark.libreoffice
@needs_uno
def test_libreoffice_counts_the_issued_sheets_explanations_as_the_engine_and_the_reader_reads_them_back(tmp_path):
    src = tmp_path / "issued.xlsx"
    src.write_bytes(personalise(template_bytes(FORM, district="曾都区", previous=True), SCHOOL))
    cases = [{"values": {SHEET: {"D4": text}} if text else {}} for text, _ in COUNTED]
    cases[2]["save"] = str(tmp_path / "saved.xlsx")  # "电话 核实 无误", saved as a school saves it
    shown = _type(tmp_path, src, cases, ["E4", "E5"])
    assert [s["E4"] for s in shown] == [CHECK_TEXTS["done" if n >= 6 else "short" if t else "outlier"]
                                        for t, n in COUNTED]
    assert {s["E5"] for s in shown} == {""}  # no figure of last period: nothing moved, nothing to ask
    saved = openpyxl.load_workbook(tmp_path / "saved.xlsx", data_only=True)[SHEET]
    assert saved["E4"].value == "已填写说明" and saved["E5"].value in ("", None)  # cached
    for engine in ("calamine", "openpyxl"):
        sub = read_return(tmp_path / "saved.xlsx", FORM, engine=engine)
        assert [(e.rule, e.text, e.cell) for e in sub.explanations] == [("outlier", "电话核实无误", "情况说明!D4")]  # as read: spaces between Chinese dropped


# Last period's figures of one school (as distribute fills them in), and this period's typed.
THEN = {"inspectors.total": 27, "notices.total": 8, "training_orgs.total": 2, "problems.total": 6}
NOW_CASES = [
    ({"inspectors.total": 30, "notices.total": 8}, ""),  # within every bound
    ({"inspectors.total": 90, "notices.total": 8}, ""),  # 27 -> 90: more than 3 times
    ({"inspectors.total": 30, "notices.total": 2}, ""),  # 8 -> 2: less than a third
    ({"inspectors.total": 30, "notices.total": 0}, ""),  # 0 now: no ratio to judge
    ({"training_orgs.total": 7}, ""),  # 2 -> 7: 3.5 times, and 7 reaches the floor of 5
    ({"training_orgs.total": 4, "problems.total": 19}, ""),  # 2 -> 4 below the floor; 6 -> 19
    ({"inspectors.total": 90}, "区里新配了兼职督学，人数随之增加"),  # moved, and explained
    ({"inspectors.total": 90}, "新增"),  # moved, and the 说明 too short
]


@pytest.mark.libreoffice
@needs_uno
def test_libreoffice_compares_with_last_period_exactly_as_the_engine_does(tmp_path):
    """The copy holds the school's figures last period: its block flags each figure the engine's
    ``vs-previous`` would, and the comparison's row asks for a 说明 exactly then."""
    from aggregator.checks.periods import moves

    layout = explanation_layout(FORM)
    keys = {r.field: r.key for r in layout.previous}
    src = tmp_path / "issued.xlsx"
    src.write_bytes(personalise(template_bytes(FORM, district="曾都区", previous=True),
                                SCHOOL | {keys[f]: v for f, v in THEN.items()}))
    cells = layout_of(FORM).cells
    row = layout.row_of("vs-previous")
    cases = [{"values": {FORM.sheet: {cells[f]: v for f, v in now.items()},
                         SHEET: {row.text_cell: said} if said else {}}} for now, said in NOW_CASES]
    read = [row.check_cell] + [r.cell(5) for r in layout.previous] + [r.cell(3) for r in layout.previous]
    shown = _type(tmp_path, src, cases, read)
    for (now, said), got in zip(NOW_CASES, shown):
        moved = {m.field for m in moves(FORM, THEN, now)}
        flagged = {r.field for r in layout.previous if got[r.cell(5)] == CHECK_TEXTS["moved"]}
        assert flagged == moved, now
        assert {r.field: got[r.cell(3)] for r in layout.previous if got[r.cell(3)]} == \
               {f: str(v) for f, v in THEN.items()}  # last period's figures, as the school sees them
        expected = "done" if is_explanation(said) else "short" if said else "needed" if moved else None
        assert got[row.check_cell] == (CHECK_TEXTS[expected] if expected else ""), now
    assert [bool(moves(FORM, THEN, now)) for now, _ in NOW_CASES] == [False, True, True, False, True, True, True, True]


def test_a_copy_with_last_periods_block_reads_back_only_what_the_school_wrote(tmp_path):
    """The block under the rules is never taken for more of the comparison's 说明."""
    data = personalise(template_bytes(FORM, district="曾都区", previous=True),
                       SCHOOL | {explanation_layout(FORM).previous[1].key: 27})
    wb = openpyxl.load_workbook(io.BytesIO(data))
    wb[FORM.sheet][layout_of(FORM).cells["unit"]] = "曾都区实验小学"
    wb.save(tmp_path / "blank.xlsx")
    wb[SHEET]["D5"] = "今年新增两所分校，督学人数随之增加"
    wb.save(tmp_path / "said.xlsx")
    for engine in ("calamine", "openpyxl"):
        assert read_return(tmp_path / "blank.xlsx", FORM, engine=engine).explanations == ()
        sub = read_return(tmp_path / "said.xlsx", FORM, engine=engine)
        assert [(e.rule, e.text, e.cell) for e in sub.explanations] == [
            ("vs-previous", "今年新增两所分校，督学人数随之增加", "情况说明!D5")]


def test_the_reader_reads_back_an_issued_workbook_filled_in(tmp_path):
    """The round trip without LibreOffice: the issued copy, its 说明 typed, read by both engines."""
    wb = issued()
    wb[FORM.sheet][layout_of(FORM).cells["unit"]] = "曾都区实验小学"
    wb[SHEET]["D5"] = "今年新增两所分校，督学人数随之增加"
    wb.save(tmp_path / "filled.xlsx")
    for engine in ("calamine", "openpyxl"):
        sub = read_return(tmp_path / "filled.xlsx", FORM, engine=engine)
        assert [(e.rule, e.text, e.cell) for e in sub.explanations] == [
            ("vs-previous", "今年新增两所分校，督学人数随之增加", "情况说明!D5")]


@pytest.mark.libreoffice
@needs_pdf
def test_the_issued_workbook_prints_the_form_then_the_sheet_on_a_page_each(tmp_path):
    src = tmp_path / "issued.xlsx"
    src.write_bytes(personalise(template_bytes(FORM, district="曾都区", previous=True), SCHOOL))
    (pdf,) = lo.convert_all([src], "pdf", tmp_path / "pdf")
    assert lo.pdf_pages(pdf) == 2
    pages = lo.pdf_text(pdf).split("\f")
    assert "统计表" in pages[0] and "情况说明" not in pages[0]
    second = "".join(pages[1].split())
    assert "情况说明" in second and "与上期相比变化过大" in second and "自动校验" not in second


def test_a_hinted_explain_rule_turns_its_cells_orange_on_the_form_and_the_line_under_it_says_so():
    hinted = parse_text((BASE + EXPLAIN_RULE.replace('about =', 'hint = "人数偏多请说明"\nabout ='))
                        .replace('id = "mini"', 'id = "mini-hinted"'), source="mini.toml")
    ws = build_template(hinted, explain=False)[hinted.sheet]
    cell = layout_of(hinted).cells["people.total"]
    colours = {rule.dxf.fill.fgColor.rgb for cf in ws.conditional_formatting if cell in str(cf.sqref)
               for rule in cf.rules}
    assert colours == {ORANGE, LIGHT_RED}  # and the red of its sum rule and its number guard, never yellow
    assert "标橙的格请改正或在“情况说明”表说明原因" in ws[layout_of(hinted).summary_cell].value
    assert "标橙" not in build_template(FORM)[FORM.sheet][layout_of(FORM).summary_cell].value  # Annex 5: none
