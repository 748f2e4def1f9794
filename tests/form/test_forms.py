"""Any statistics form by declaration alone.

- The declaration's mistakes: ``dudao check-form`` names every one, each with its line.
- The field types: what people type into a number, a date or a choice cell.
- The whole cycle through the CLI for each bundled form and for a test-only form the code has
  never seen (``tests/forms/after_school.toml``): init --form, distribute, fill by labels,
  collect, status --json, consolidate, feedback; the summary's sums, counts and lists read back.
- Collections carry their form: a copy in the folder, the form on every return, another form's
  workbook named as such, and collections made before all this still open.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

import lo
from aggregator.collection.store.folder import open_collection
from aggregator.demo import SAMPLE_ROSTER
from aggregator.demo.generic import typed_values
from aggregator.form.declaration import FormError
from aggregator.form.parse import load_form
from aggregator.form.layout import layout_of
from aggregator.form.parse import parse_text
from aggregator.form.values import normalise_choice, normalise_date, normalise_number
from aggregator.reading.normalise import label_key

from cli_helpers import dudao, put, status_json

FORMS = Path(__file__).resolve().parents[1] / "forms"
THIRD = FORMS / "after_school.toml"

# ================================================================================================
# check-form: every kind of mistake, with where it is
# ================================================================================================

BASE = """\
[form]
id = "mini"
version = "1"
title = "{district}小表"
sheet = "表"

[[header]]
id = "unit"
label = "填报单位"
role = "unit"

[[sections]]
id = "counts"
label = "数量"
kind = "grid"
head = "项目"
columns = [
  { id = "total", label = "合计" },
  { id = "a", label = "甲" },
  { id = "b", label = "乙" },
]
rows = [
  { id = "people", label = "人数" },
]

[[sections]]
id = "more"
kind = "inline"
rows = [
  { id = "answer", label = "是否完成", type = "choice", choices = ["是", "否"] },
  { id = "fee", label = "收费", type = "number", decimals = 2 },
]

[[rules]]
id = "sum"
level = "error"
check = "people.total == people.a + people.b"
hint = "合计不对"
message = "{cell:people.total} 合计({people.total}) ≠ {=people.a + people.b}"
"""


def problems(text: str) -> list:
    with pytest.raises(FormError) as caught:
        parse_text(text, source="mini.toml")
    return caught.value.problems


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_base_declaration_is_valid():
    form = parse_text(BASE, source="mini.toml")
    assert [f.id for f in form.fields] == ["unit", "people.total", "people.a", "people.b", "answer", "fee"]
    assert form.unit.id == "unit"


# (kind, what is changed, the text on the line the problem must point at)
MISTAKES = [
    ("syntax", ('label = "人数" },', 'label = "人数" '), 'label = "人数"'),
    ("unknown-key", ('id = "people", label', 'id = "people", lable = "x", label'), 'id = "people"'),
    ("missing-key", ('sheet = "表"\n', ""), "[form]"),
    ("unknown-kind", ('kind = "inline"', 'kind = "table"'), 'kind = "table"'),
    ("unknown-type", ('type = "number"', 'type = "money"'), 'id = "fee"'),
    ("duplicate-id", ('{ id = "fee"', '{ id = "answer"'), 'id = "answer"'),
    ("role", ('role = "unit"', 'role = "reporter"'), "[[header]]"),
    ("role", ('role = "unit"', 'role = "school"'), "[[header]]"),
    ("columns", ('  { id = "b", label = "乙" },\n  { id = "a", label = "甲" },\n', ""), "columns = ["),
    ("rule-name", ("people.a + people.b\"", "people.a + people.c\""), 'check = "people.total'),
    ("rule-syntax", ("people.total == people.a + people.b\"", "people.total == __import__('os')\""),
     'check = "people.total'),
    ("hint", ("people.total == people.a + people.b\"", "people.total == people.a + people.b and in_roster\""),
     'hint = "合计不对"'),
    ("choices", ('choices = ["是", "否"]', "choices = []"), 'id = "answer"'),
    ("decimals", ('label = "甲" }', 'label = "甲", decimals = 2 }'), 'id = "a"'),
    ("level", ('level = "error"', 'level = "fatal"'), 'level = "fatal"'),
    ("message", ("{=people.a + people.b}", "{=people.a + people.x}"), "message ="),
    ("summary", ('kind = "inline"', 'kind = "inline"\nsummary = "average"'), 'summary = "average"'),
    ("widths", ('sheet = "表"', 'sheet = "表"\nwidths = [10, 20]'), "widths ="),
]


@pytest.mark.parametrize("kind,change,where", MISTAKES, ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(MISTAKES)])
def test_check_form_names_each_kind_of_mistake_and_its_line(kind, change, where):
    old, new = change
    if kind == "columns":  # a grid needs two to eight value columns: leave it one
        text = BASE.replace('  { id = "a", label = "甲" },\n  { id = "b", label = "乙" },\n', "")
        text = text.replace("check = \"people.total == people.a + people.b\"", "check = \"people.total >= 0\"")
        text = text.replace("{=people.a + people.b}", "")
    else:
        assert old in BASE
        text = BASE.replace(old, new)
    found = problems(text)
    assert kind in {p.kind for p in found}, [str(p) for p in found]
    problem = next(p for p in found if p.kind == kind)
    assert problem.line == line_of(text, where), str(problem)
    assert problem.message and str(problem).startswith(f"mini.toml:{problem.line}: ")


def test_a_missing_grid_column_is_explained():
    text = BASE.replace("people.a + people.b\"", "people.a + people.b + people.junior\"")
    (problem,) = [p for p in problems(text) if p.kind == "rule-name"]
    assert "people.junior" in problem.message and "没有 id 为“junior”的列" in problem.message


@pytest.mark.parametrize("check, said", [
    ("people.total == (people.a + people.b", "无法解析“people.total == (people.a + people.b”：“(”没有配对的“)”"),
    ("people.total == people.a + people.b)", "无法解析“people.total == people.a + people.b)”：多了一个“)”"),
    ("present(people.a, people.b)", "present(x) 只能有 1 个参数"),
    ("implies(people.a > 0)", "implies(p, q) 需要 2 个参数"),
    ("present(x=people.a)", "present() 的参数不能写成“名称=值”"),
    ("max(people.a, people.b) >= 0", "规则中不能使用“max(people.a, people.b)”"),
])
def test_a_broken_rule_is_explained_in_chinese(check, said):
    """The form's author reads check-form: the parser's and the engine's English turned into words."""
    text = BASE.replace('check = "people.total == people.a + people.b"', f"check = '{check}'")
    (problem,) = [p for p in problems(text) if p.kind == "rule-syntax"]
    assert problem.message == f"表达式无法使用：{said}"


def test_a_choice_compared_with_something_it_cannot_be():
    text = BASE + '\n[[rules]]\nid = "x"\nlevel = "warning"\nscope = "return"\ncheck = "answer != \'完成\'"\nmessage = "x"\n'
    assert {p.kind for p in problems(text)} == {"rule-choice"}


def test_a_counted_field_in_a_rule_the_summary_would_check():
    text = BASE + '\n[[rules]]\nid = "x"\nlevel = "warning"\ncheck = "answer == \'是\'"\nmessage = "x"\n'
    assert {p.kind for p in problems(text)} == {"scope"}


def test_every_problem_comes_in_one_run():
    text = BASE.replace('kind = "inline"', 'kind = "table"').replace('level = "error"', 'level = "fatal"')
    text = text.replace('id = "unit"\nlabel = "填报单位"\nrole = "unit"', 'id = "school"\nlabel = "填报单位"')
    assert {p.kind for p in problems(text)} >= {"unknown-kind", "level", "role"}


def test_a_declaration_of_before_roles_names_its_unit_by_id():
    form = parse_text(BASE.replace('role = "unit"\n', ""), source="mini.toml")
    assert form.unit.id == "unit"


def test_check_form_command(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(BASE.replace('level = "error"', 'level = "fatal"').replace('type = "number"', 'type = "money"'),
                   encoding="utf-8")
    code, out, err = dudao(capsys, "check-form", bad)
    assert code == 2 and "bad.toml:31:" in err and "fatal" in err and "money" in err and "共 2 处问题" in err
    for path in [*sorted(Path(load_form().path).parent.glob("*.toml")), THIRD]:
        code, out, _ = dudao(capsys, "check-form", path)
        assert code == 0 and "没有发现问题" in out, path


def test_forms_lists_the_bundled_forms(capsys):
    code, out, _ = dudao(capsys, "forms")
    assert code == 0
    assert "annex5_2023" in out and "附件5 2023年“双减”督导有关情况统计表" in out  # no district of its own
    assert "广水市2023年“双减”督导有关情况统计表" in dudao(capsys, "forms", "--name", "广水市")[1]
    assert "annex3_checklist_2023" in out and "重点内容自查表" in out


def test_init_refuses_a_broken_or_unknown_form_before_writing_anything(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(BASE.replace('role = "unit"', 'role = "head"'), encoding="utf-8")
    code, _, err = dudao(capsys, "init", tmp_path / "c", "--name", "曾都区", "--roster", SAMPLE_ROSTER, "--form", bad)
    assert code == 2 and "角色“head”" in err and not (tmp_path / "c").exists()
    code, _, err = dudao(capsys, "init", tmp_path / "c", "--name", "曾都区", "--roster", SAMPLE_ROSTER, "--form", "annex9")
    assert code == 2 and "annex9" in err and "annex5_2023" in err


# ================================================================================================
# What people type, by field type
# ================================================================================================


@pytest.mark.parametrize("raw,value,note,problem", [
    (dt.datetime(2024, 3, 5), dt.date(2024, 3, 5), "", ""),
    (45356, dt.date(2024, 3, 5), "date-serial", ""),
    ("2024.3.5", dt.date(2024, 3, 5), "date-text", ""),
    ("2024年3月5日", dt.date(2024, 3, 5), "date-text", ""),
    ("２０２４－０３－０５", dt.date(2024, 3, 5), "date-text", ""),
    ("2024/3/5", dt.date(2024, 3, 5), "date-text", ""),
    ("20240305", dt.date(2024, 3, 5), "date-text", ""),
    ("2024-02-30", None, "", "not-a-date"),
    ("下周一", None, "", "not-a-date"),
    ("", None, "", ""),
])
def test_dates_as_people_write_them(raw, value, note, problem):
    out = normalise_date(raw)
    assert (out.value, out.note, out.problem) == (value, note, problem)


CHOICES = ("已落实", "部分落实", "未落实")


@pytest.mark.parametrize("raw,value,note,problem", [
    ("已落实", "已落实", "", ""),
    (" 已 落实 ", "已落实", "choice-typed", ""),
    ("未落实。", "未落实", "choice-typed", ""),
    ("部分落实（正在整改）", "部分落实", "choice-typed", ""),
    ("落实了", None, "", "not-a-choice"),
    (None, None, "", ""),
])
def test_choices_as_people_type_them(raw, value, note, problem):
    out = normalise_choice(raw, CHOICES)
    assert (out.value, out.note, out.problem) == (value, note, problem)


@pytest.mark.parametrize("raw,value,note,problem", [
    (12.5, 12.5, "", ""),
    (12.345, 12.35, "rounded", ""),
    ("１２.５元", 12.5, "unit-suffix", ""),
    ("1,200.50", 1200.5, "text-number", ""),
    (-3.5, None, "", "negative"),
    ("约十元", None, "", "not-a-number"),
    (None, 0, "blank-as-zero", ""),
])
def test_numbers_with_decimals(raw, value, note, problem):
    out = normalise_number(raw, decimals=2, suffix="元")
    assert (out.value, out.note, out.problem) == (value, note, problem)


# ================================================================================================
# The whole cycle, per form, through the CLI
# ================================================================================================


def fill_by_labels(issued: Path, form, values: dict) -> bytes:
    """What a school does: find each item by the words printed on the form, type the value in
    the cell the words point to. Independent of the engine's layout on purpose."""
    import io

    wb = openpyxl.load_workbook(issued)
    ws = wb[form.sheet]
    texts = {(c.row, c.column): label_key(c.value) for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value}

    def at(key: str, *, after_row: int = 0, col: int | None = None) -> tuple[int, int]:
        for (r, c), text in sorted(texts.items()):
            if r > after_row and (col is None or c == col) and (text == key or text.endswith(key)):
                return r, c
        raise AssertionError(f"{key} not printed on the form")

    def head(row: int, key: str) -> int:
        for r in range(row - 1, 0, -1):
            for (rr, c), text in texts.items():
                if rr == r and text == key:
                    return c
        raise AssertionError(f"no head {key} above row {row}")

    for f in form.fields:
        if f.id not in values or values[f.id] in ("", None):
            continue
        if f.section == "header":
            r, c = at(label_key(f.label + "："))
            cell = ws.cell(r, c + 1)
        else:
            section = next(s for s in form.sections if s.id == f.section)
            start = at(label_key(section.label))[0] if section.label else 0
            if section.has_table:
                r, _ = at(label_key(next(x.label for x in section.rows if x.id == f.row)), after_row=start - 1)
                cell = ws.cell(r, head(r, label_key(f.column_label)))
            elif section.kind == "lines":
                r, c = at(label_key(next(x.label for x in section.rows if x.id == f.row)), after_row=start - 1, col=2)
                cell = ws.cell(r, c + 1)
            else:
                r, c = at(label_key(f.label), after_row=start - 1)
                cell = ws.cell(r, c + 1)
        cell.value = values[f.id]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def blunder(form) -> tuple[str, object, str]:
    """One mistake this form can suffer, and the rule id it must be reported under."""
    if form.numeric_fields:
        return form.numeric_fields[-1].id, "三", "not-a-number"
    choice = next(f for f in form.fields if f.choices and f.section != "header")
    return choice.id, "也许", "not-a-choice"


@pytest.fixture(params=["annex5_2023", "annex3_checklist_2023", str(THIRD)], ids=["annex5", "annex3", "unseen"])
def cycle(request, tmp_path, capsys):
    """A collection of the sample district for one form, through the CLI: issued, 8 schools
    filled in by labels (one with a mistake), collected, consolidated, sent back."""
    form_ref = request.param
    folder = tmp_path / "收集"
    assert dudao(capsys, "init", folder, "--name", "曾都区", "--roster", SAMPLE_ROSTER, "--form", form_ref,
                 "--deadline", "2023-11-20")[0] == 0
    assert dudao(capsys, "distribute", folder)[0] == 0
    with open_collection(folder) as col:
        form, schools = col.form, col.schools()[:8]
    rng = random.Random(9)
    sent = {}
    inbox = tmp_path / "下载"
    for i, school in enumerate(schools):
        values = typed_values(form, school, rng)
        if i == 0:
            field_id, wrong, _ = blunder(form)
            values[field_id] = wrong
        sent[school.name] = values
        issued = next(p for p in (folder / "outbox").iterdir() if school.name in p.name)
        put(inbox / f"{school.name}.xlsx", fill_by_labels(issued, form, values), f"2023-11-1{i}T10:00:00")
    assert dudao(capsys, "collect", folder, inbox)[0] == 0
    status = status_json(capsys, folder)
    code, out, _ = dudao(capsys, "consolidate", folder)
    assert code == 0
    summary = Path(out.strip().splitlines()[-1])
    assert dudao(capsys, "feedback", folder)[0] == 0
    return form, schools, sent, status, summary, folder


def test_cycle_reads_every_value_typed_by_labels(cycle):
    form, schools, sent, status, _, folder = cycle
    with open_collection(folder) as col:
        returns = {r.school_id: r for r in col.ledger.returns(col.form)}
        by_name = {s.name: s.id for s in col.schools()}
    for school in schools[1:]:
        got = returns[by_name[school.name]]
        assert got.located_by == "layout"
        for f in form.fields:
            typed = sent[school.name][f.id]
            assert got.values[f.id] == (typed if typed != "" or not f.numeric else 0), (school.name, f.id)


def test_cycle_status_carries_the_declared_rule_ids(cycle):
    form, schools, _, status, _, _ = cycle
    states = {s["name"]: s for s in status["schools"]}
    wrong = states[schools[0].name]
    assert wrong["status"] == "returned"
    assert blunder(form)[2] in {f["rule"] for f in wrong["findings"]}
    declared = {r.id for r in form.rules} | {"outlier"}
    for school in schools[1:]:
        s = states[school.name]
        assert s["status"] in ("accepted", "accepted_with_warnings"), s
        assert {f["rule"] for f in s["findings"]} <= declared
    assert {s["status"] for s in status["schools"][8:]} == {"missing"}
    assert set(status["counts"]) >= {"missing", "accepted", "accepted_with_warnings", "returned", "needs_review"}


def test_cycle_summary_sums_counts_and_lists(cycle):
    form, schools, sent, status, summary, _ = cycle
    accepted = [sent[s["name"]] for s in status["schools"] if s["status"] in ("accepted", "accepted_with_warnings")]
    assert len(accepted) == 7
    wb = openpyxl.load_workbook(summary, data_only=True)  # the form follows 分校明细 by formulas, saved with values
    sheet = wb[form.sheet]
    cells = layout_of(form).cells
    for f in form.fields_summed("sum"):
        expected = sum(v[f.id] or 0 for v in accepted)
        assert sheet[cells[f.id]].value == pytest.approx(expected), f.id
    counted = form.fields_summed("count")
    if counted:
        rows = list(wb["选项统计"].iter_rows(min_row=2, values_only=True))
        head = [c.value for c in wb["选项统计"][1]]
        for f, row in zip(counted, rows):
            counts = Counter(v[f.id] for v in accepted)
            for choice in f.choices:
                assert row[head.index(choice)] == counts[choice], (f.id, choice)
            given = sum(counts[c] for c in f.choices)  # 未填: no choice, or one not on the list
            assert (row[head.index("未填")], row[head.index("合计")]) == (len(accepted) - given, len(accepted)), f.id
            share = row[head.index(f"{f.choices[0]}比例")]  # 已落实比例 among those that chose
            assert share == (pytest.approx(counts[f.choices[0]] / given) if given else None), f.id
        matrix = {r[1]: r for r in wb["分校选项"].iter_rows(min_row=2, values_only=True)}
        assert set(matrix) == {s["name"] for s in status["schools"] if s["name"] in
                               {n for n, v in sent.items() if v in accepted}}
    listed = [f for f in form.fields if f.summary == "list" and f.type == "text" and f.section != "header"]
    if listed:
        texts = {str(c) for ws in wb.worksheets if ws.title not in (form.sheet, "分校明细")
                 for row in ws.iter_rows(values_only=True) for c in row if c}
        for values in accepted:
            for f in listed:
                if values[f.id]:
                    assert values[f.id] in texts, f.id


def test_cycle_summary_is_itself_a_return_of_the_form(cycle):
    """The district's summary is read by the same reader as a school's return: the level above
    collects it as it is (its rules that hold for a sum hold)."""
    from aggregator.reading import read_return

    form, _, _, _, summary, _ = cycle
    sub = read_return(summary, form)
    assert sub.located_by == "layout" and not sub.findings
    assert sub.values[form.unit.id] == "曾都区教育局"  # the collection's own 填报单位 (issue 11)


def test_cycle_feedback_goes_to_the_returned_school(cycle):
    _, schools, _, _, _, folder = cycle
    marked = [p.name for p in (folder / "feedback").glob("*.xlsx")]
    assert any(schools[0].name in name for name in marked), marked


# ================================================================================================
# Collections carry their form
# ================================================================================================


def test_collection_keeps_a_copy_of_its_form(tmp_path, capsys):
    form_file = tmp_path / "我的表.toml"
    form_file.write_text(THIRD.read_text(encoding="utf-8"), encoding="utf-8")
    folder = tmp_path / "c"
    assert dudao(capsys, "init", folder, "--name", "曾都区", "--roster", SAMPLE_ROSTER, "--form", form_file)[0] == 0
    form_file.write_text("broken", encoding="utf-8")  # the original changes, or moves away
    assert dudao(capsys, "distribute", folder)[0] == 0
    with open_collection(folder) as col:
        assert col.form.id == "test-after-school"


def test_every_return_records_its_form_and_version(tmp_path, capsys):
    folder = tmp_path / "c"
    assert dudao(capsys, "init", folder, "--name", "曾都区", "--roster", SAMPLE_ROSTER, "--form", THIRD)[0] == 0
    assert dudao(capsys, "distribute", folder)[0] == 0
    with open_collection(folder) as col:
        school = col.schools()[0]
        form = col.form
    issued = next(p for p in (folder / "outbox").iterdir() if school.name in p.name)
    put(tmp_path / "in" / "x.xlsx", fill_by_labels(issued, form, typed_values(form, school, random.Random(1))))
    assert dudao(capsys, "collect", folder, tmp_path / "in")[0] == 0
    db = sqlite3.connect(folder / "ledger.sqlite")
    assert db.execute("SELECT form_id, form_version FROM returns").fetchall() == [("test-after-school", "1")]


def test_a_workbook_of_another_form_is_named_as_such(tmp_path, capsys):
    annex5 = tmp_path / "a5"
    annex3 = tmp_path / "a3"
    for folder, form in ((annex5, "annex5_2023"), (annex3, "annex3_checklist_2023")):
        assert dudao(capsys, "init", folder, "--name", "曾都区", "--roster", SAMPLE_ROSTER, "--form", form)[0] == 0
        assert dudao(capsys, "distribute", folder)[0] == 0
    stray = next((annex5 / "outbox").iterdir())
    put(tmp_path / "in" / stray.name, stray.read_bytes())
    assert dudao(capsys, "collect", annex3, tmp_path / "in")[0] == 0
    (unreadable,) = status_json(capsys, annex3)["unreadable"]
    assert unreadable["reason"].startswith("这是《曾都区2023年“双减”督导有关情况统计表》，不是本次收集的《曾都区“双减”教育督导重点内容自查表》")


V1_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE schools (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, name TEXT NOT NULL UNIQUE, stage TEXT,
    parent TEXT, contact TEXT, phone TEXT, email TEXT);
CREATE TABLE files (sha256 TEXT PRIMARY KEY, original_name TEXT NOT NULL, source TEXT NOT NULL,
    archived TEXT NOT NULL, size INTEGER NOT NULL, received_at TEXT NOT NULL, collected_at TEXT NOT NULL,
    outcome TEXT NOT NULL, reason_kind TEXT, reason TEXT);
CREATE TABLE returns (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE REFERENCES files(sha256),
    school_id TEXT REFERENCES schools(id), identified_by TEXT, review TEXT, received_at TEXT NOT NULL,
    located_by TEXT, meta_json TEXT NOT NULL, values_json TEXT NOT NULL, cells_json TEXT NOT NULL,
    notes_json TEXT NOT NULL, findings_json TEXT NOT NULL);
"""


def test_a_collection_made_before_forms_were_copied_still_opens(tmp_path, capsys):
    """The first release's folder: settings without form_file, no form.toml, a ledger of
    schema 1 with a return whose review is a plain sentence."""
    folder = tmp_path / "旧"
    folder.mkdir()
    (folder / "收集设置.toml").write_text('id = "20231101-abc123"\nname = "曾都区"\nform = "annex5_2023"\n'
                                       'deadline = "2023-11-20"\n', encoding="utf-8")
    db = sqlite3.connect(folder / "ledger.sqlite")
    db.executescript(V1_SCHEMA)
    db.execute("INSERT INTO meta VALUES ('schema', '1')")
    db.execute("INSERT INTO schools VALUES ('S0001', 0, '曾都区实验小学', '小学', '区直学校', '王丽', '', '')")
    db.execute("INSERT INTO files VALUES ('ab', 'x.xlsx', 'inbox', 'archive/x.xlsx', 1, '2023-11-15T10:00:00',"
               " '2023-11-15T10:00:00', 'unidentified', '', '')")
    db.execute("INSERT INTO returns VALUES (1, 'ab', NULL, '', '没有填写填报单位，文件名也看不出是哪所学校，请指定学校（dudao assign）',"
               " '2023-11-15T10:00:00', 'layout', '{}', '{\"inspectors.total\": 3}', '{}', '[]', '[]')")
    db.commit()
    db.close()
    status = status_json(capsys, folder)
    assert status["unidentified"][0]["reason"].endswith("请指定学校（dudao assign）")
    assert [s["status"] for s in status["schools"]] == ["missing"]
    assert dudao(capsys, "assign", folder, "x.xlsx", "曾都区实验小学")[0] == 0
    assert status_json(capsys, folder)["schools"][0]["status"] != "missing"


def test_status_json_keys_for_annex5_are_unchanged(col_dir, capsys):
    """The contract users' scripts depend on: every key of the first release is still there."""
    status = status_json(capsys, col_dir)
    assert set(status) >= {"schools", "unreadable", "unidentified", "counts"}
    school_keys = {"id", "name", "status", "status_label", "late", "file", "archived", "received_at", "version",
                   "review", "stage", "parent", "contact", "phone", "email", "findings", "notes"}
    assert all(school_keys <= set(s) for s in status["schools"])
    assert set(status["counts"]) >= {"missing", "accepted", "accepted_with_warnings", "returned", "needs_review",
                                     "late", "expected"}
    json.dumps(status)  # everything in it is JSON


# ================================================================================================
# The unseen form in a real spreadsheet program: it prints, and its live checks agree
# ================================================================================================

needs_lo = pytest.mark.skipif(bool(lo.missing(uno=True, pdf=True)), reason=lo.missing(uno=True, pdf=True) or "-")

# Returns as a school types them in LibreOffice, each breaking hinted rules of the unseen form.
LIVE = {
    "valid": {},
    "grade-sum": {"pupils.all": 99},
    "fee-and-date": {"fee": 320.5, "started": dt.date(2023, 8, 1)},
    "checklist": {"voluntary.ok": "否", "voluntary.why": "", "public_fees.ok": "否", "public_fees.why": "已公示"},
}


def _typed_cells(form, values: dict) -> dict:
    """Cells to type: text as text, numbers as numbers, dates as the serial a date cell holds."""
    cells = layout_of(form).cells
    out = {}
    for fid, value in values.items():
        if value in ("", None):
            continue
        if isinstance(value, dt.date):
            value = (value - dt.date(1899, 12, 30)).days
        out[cells[fid]] = value
    return out


@pytest.mark.libreoffice
@needs_lo
def test_unseen_form_prints_on_one_a4_page_and_its_live_checks_agree(tmp_path, capsys):
    from aggregator.checks.validate import validate
    from aggregator.outputs.live_checks import live_rules
    from aggregator.reading import read_return

    folder = tmp_path / "c"
    assert dudao(capsys, "init", folder, "--name", "曾都区", "--roster", SAMPLE_ROSTER, "--form", THIRD)[0] == 0
    assert dudao(capsys, "distribute", folder)[0] == 0
    with open_collection(folder) as col:
        form, school = col.form, col.schools()[0]
    layout = layout_of(form)
    issued = next(p for p in (folder / "outbox").iterdir() if school.name in p.name)
    blank_pdf = lo.convert(issued, "pdf", tmp_path / "pdf")
    assert lo.pdf_pages(blank_pdf) == 1
    assert all(abs(a - b) < 1 for a, b in zip(sorted(lo.pdf_page_size(blank_pdf)), (595.3, 841.9)))
    assert "课后服务开展情况统计表" in "".join(lo.pdf_text(blank_pdf).split())

    base = typed_values(form, school, random.Random(3))
    base.update({"fee": 120.0, "started": dt.date(2023, 9, 4)})
    cases = {name: {**base, **changes} for name, changes in LIVE.items()}
    saved = {name: tmp_path / f"{name}.xlsx" for name in cases}
    job = {
        "sheet": form.sheet,
        "read": sorted(layout.check_cells.values()),
        "type": [{"src": str(issued), "values": _typed_cells(form, v), "save": [str(saved[n])]} for n, v in cases.items()],
        "inspect": [],
        "cells": [],
    }
    (tmp_path / "job.json").write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
    shown = json.loads(lo.uno_script(lo.TYPE_AND_SAVE, tmp_path / "job.json"))["typed"]
    hints = {(r.rule.id, r.fields): r.rule.hint for r in live_rules(form)}
    broke = set()
    for (name, path), cells in zip(saved.items(), shown):
        sub = read_return(path, form)
        assert sub.located_by == "layout" and not sub.findings, name
        expected: dict[str, set[str]] = {}
        for f in validate(form, sub).findings:
            hint = hints.get((f.rule, f.fields))
            if hint:
                expected.setdefault(layout.check_cells[form.field(f.fields[0]).row], set()).add(hint)
                broke.add(hint)
        got = {cell: {h for h in text.split("；") if h} for cell, text in cells.items() if text}
        assert got == expected, name
    assert broke == {r.rule.hint for r in live_rules(form)}  # every live check was put to the test
