"""Last period (issue 23, point 2) and what changed between versions (point 4).

- ``--previous`` names an earlier collection of the same form (refused, in words that say the
  fix, when it is none, of another form, or this one); ``--previous-names`` maps renamed schools
  (refused whole with the row numbers of every bad row).
- A figure beyond its declared bound from the school's own last period is an explain finding,
  ``vs-previous``, quoting both values; the district's totals against last period's, computed
  by hand here; a school's last-period values for the window.
- A second version: the cells it changed, the findings it put right and those still there.
"""

from __future__ import annotations

import tomllib

import openpyxl
import pytest

from aggregator.checks.periods import moves, total_changes
from aggregator.collection.store.folder import open_collection
from aggregator.collection.store.previous import parse_renames
from aggregator.collection.store.roster import RosterError
from aggregator.collection.views.previous import period_comparison, previous_period
from aggregator.collection.views.status import overview
from aggregator.demo import fill_workbook
from aggregator.form.layout import layout_of
from aggregator.session import open_session
from cli_helpers import ROSTER, dudao, issued, put, status_json
from forms_helpers import FORM

CELLS = layout_of(FORM).cells
def cell_of(field: str) -> str:
    """$C$8 without its first dollar: the absolute reference the block writes after the sheet."""
    return CELLS[field][0] + "$" + CELLS[field][1:]


RENAMED = ROSTER.replace("万店镇中心小学", "万店镇第一小学")


@pytest.fixture
def last_period(col_dir, capsys, school_values):
    """The six schools' returns of last period, collected: 实验小学 sent 2 督学, 万店镇中心小学 4."""
    old = {name: dict(v) for name, v in school_values.items()}
    old["曾都区实验小学"].update({"inspectors.primary": 2, "inspectors.junior": 0, "inspectors.total": 2})
    old["万店镇中心小学"].update({"inspectors.primary": 4, "inspectors.junior": 0, "inspectors.total": 4})
    for name, v in old.items():
        put(col_dir / "inbox" / f"{name}.xlsx", fill_workbook(issued(col_dir, name), FORM, v))
    assert dudao(capsys, "collect", col_dir)[0] == 0
    assert all(s["status"].startswith("accepted") for s in status_json(capsys, col_dir)["schools"])
    return col_dir, old


def _new(tmp_path, capsys, previous, *extra, roster: str = RENAMED):
    path = tmp_path / "本期名单.csv"
    path.write_text(roster, encoding="utf-8")
    folder = tmp_path / "本期"
    return folder, dudao(capsys, "init", folder, "--name", "曾都区", "--roster", path, *(("--previous", previous)
                                                                                       if previous else ()), *extra)


def _mapping(tmp_path, text: str, encoding: str = "gbk"):
    path = tmp_path / "对照.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_init_refuses_a_last_period_that_is_no_collection_or_of_another_form(tmp_path, capsys, col_dir):
    folder, (code, _, err) = _new(tmp_path, capsys, tmp_path / "没有这个文件夹")
    assert code == 2 and "不是收集文件夹" in err and "请选择上一期用本程序建立的、同一张表的收集文件夹" in err
    assert not folder.exists()  # nothing written
    roster = tmp_path / "r.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    other = tmp_path / "自查"
    assert dudao(capsys, "init", other, "--name", "曾都区", "--roster", roster, "--form", "annex3_checklist_2023")[0] == 0
    folder, (code, _, err) = _new(tmp_path, capsys, other)
    assert code == 2 and "收集的是《曾都区“双减”教育督导重点内容自查表》，不是同一张表" in err and not folder.exists()
    folder, (code, _, err) = _new(tmp_path, capsys, "", "--previous-names", _mapping(tmp_path, "上期名称,本期名称\n"))
    assert code == 2 and "还没有指定上期的收集文件夹" in err and "--previous 上期文件夹" in err and not folder.exists()
    code, _, err = dudao(capsys, "settings", col_dir, "--previous", col_dir)
    assert code == 2 and "就是本次收集，不能与自己比较" in err


def test_a_mapping_is_refused_whole_with_the_row_of_every_bad_row():
    rows = [["上期名称", "本期名称"], ["甲小学", "甲校"], ["乙小学", ""], ["", ""], ["甲小学", "丙校"], ["", "丁校"]]
    with pytest.raises(RosterError) as caught:
        parse_renames(rows, "对照.csv")
    assert str(caught.value) == ("对照.csv 有问题，请改正后重新导入：第 3 行没有填本期名称；第 2 行与第 5 行的上期名称重复（甲小学）；"
                                 "第 6 行没有填上期名称")
    assert parse_renames([["说明：改名的学校"], ["本期名称", "上期名称"], ["新", "旧"]]) == [(3, "旧", "新")]


def test_a_mapping_may_be_a_workbook(tmp_path):
    from aggregator.collection.store.previous import read_renames

    wb = openpyxl.Workbook()
    wb.active.append(["上期名称", "本期名称"])
    wb.active.append(["万店镇中心小学", "万店镇第一小学"])
    wb.active.append([None, None])
    wb.active.append(["何店镇白龙小学", "何店镇白龙学校"])
    wb.save(tmp_path / "对照.xlsx")
    assert read_renames(tmp_path / "对照.xlsx") == [(2, "万店镇中心小学", "万店镇第一小学"), (4, "何店镇白龙小学", "何店镇白龙学校")]
    (tmp_path / "对照.docx").write_bytes(b"PK")
    with pytest.raises(RosterError, match="不是表格文件"):
        read_renames(tmp_path / "对照.docx")
    with pytest.raises(RosterError, match="找不到“上期名称”和“本期名称”两列"):
        parse_renames([["学校", "新名"]])


def test_names_the_mapping_gives_must_be_on_both_rosters(tmp_path, capsys, last_period):
    old, _ = last_period
    bad = _mapping(tmp_path, "上期名称,本期名称\n万店镇中心小学,万店镇第一小学\n万店镇中学,万店镇第二小学\n")
    folder, (code, _, err) = _new(tmp_path, capsys, old, "--previous-names", bad)
    assert code == 2 and not folder.exists()
    assert "第 3 行的上期名称“万店镇中学”不在上期的学校名单中；第 3 行的本期名称“万店镇第二小学”不在本次的学校名单中" in err


def test_a_figure_beyond_its_bound_from_last_period_is_to_be_explained(tmp_path, capsys, last_period):
    old_dir, old = last_period
    mapping = _mapping(tmp_path, "上期名称,本期名称\n万店镇中心小学,万店镇第一小学\n")  # GBK, as Excel saves it
    folder, (code, out, _) = _new(tmp_path, capsys, old_dir, "--previous-names", mapping)
    assert code == 0 and "与上期比较：已读取《曾都区2023年“双减”督导有关情况统计表》" in out
    assert "中 6 所学校的数字，其中 1 所按名称对照表对应" in out
    settings = tomllib.loads((folder / "收集设置.toml").read_text(encoding="utf-8"))
    assert settings["previous"] == str(old_dir.resolve()) and settings["previous_names"] == "roster/对照.csv"
    assert dudao(capsys, "distribute", folder)[0] == 0
    # Each copy carries the school's own figures last period (the renamed one's by the mapping),
    # beside a formula over this period's, for its live check (提取上期数).
    from aggregator.form.explanations import SHEET as EXPLAIN, explanation_layout
    row = next(r for r in explanation_layout(FORM).previous if r.field == "inspectors.total")
    for name, figure in (("曾都区实验小学", 2), ("万店镇第一小学", 4)):
        ws = openpyxl.load_workbook(issued(folder, name))[EXPLAIN]
        assert (ws[row.cell(2)].value, ws[row.cell(3)].value) == ("派出责任督学数（人）·合计", figure), name
        assert ws[row.cell(4)].value == f'=IFERROR(IF(\'统计表\'!${cell_of("inspectors.total")}="","",' \
                                        f'\'统计表\'!${cell_of("inspectors.total")}+0),"")'
    new = {name: dict(v) for name, v in old.items()}
    new["万店镇第一小学"] = dict(new.pop("万店镇中心小学"), unit="万店镇第一小学")
    new["曾都区实验小学"].update({"inspectors.primary": 8, "inspectors.total": 8})  # 4 times last period's
    new["万店镇第一小学"].update({"inspectors.primary": 1, "inspectors.total": 1})  # a quarter of it
    for name, v in new.items():
        put(folder / "inbox" / f"{name}.xlsx", fill_workbook(issued(folder, name), FORM, v))
    assert dudao(capsys, "collect", folder)[0] == 0
    schools = {s["name"]: s for s in status_json(capsys, folder)["schools"]}
    cell = CELLS["inspectors.total"]
    ask = "，如确实无误，请在“情况说明”表“与上期相比变化过大”一行的说明栏写明原因（不少于 6 个字）；如填错了，请改正"
    up, down = schools["曾都区实验小学"], schools["万店镇第一小学"]
    assert up["status"] == down["status"] == "returned"
    assert [(f["rule"], f["level"], f["cells"], f["message"]) for f in up["findings"]] == [
        ("vs-previous", "explain", [cell], f"{cell} 派出责任督学数（人）·合计本期填 8，上期为 2，是上期的 4 倍（超过 3 倍），请核对{ask}")]
    assert [f["message"] for f in down["findings"]] == [
        f"{cell} 派出责任督学数（人）·合计本期填 1，上期为 4，不到上期的 1/3，请核对{ask}"]
    assert all(not s["findings"] or s["name"] in ("曾都区实验小学", "万店镇第一小学") or
               all(f["rule"] != "vs-previous" for f in s["findings"]) for s in schools.values())

    # The window's details: last period's figure beside this one's.
    with open_session(folder) as session:
        shown = {v.field: v for v in session.previous_values("曾都区实验小学")}
        renamed = {v.field: v for v in session.previous_values("万店镇第一小学")}
        assert session.previous_values("曾都区实验中学")[0].previous == old["曾都区实验中学"][FORM.numeric_fields[0].id]
    assert (shown["inspectors.total"].previous, shown["inspectors.total"].current, shown["inspectors.total"].factor,
            shown["inspectors.total"].moved) == (2, 8, 3.0, True)
    assert (shown["inspectors.primary"].factor, shown["inspectors.primary"].moved) == (None, False)
    assert (renamed["inspectors.total"].previous, renamed["inspectors.total"].moved) == (4, True)

    # The summary's 与上期比较, from plain values: computed here by hand.
    with open_collection(folder) as col:
        period = previous_period(col)
        states = [s for s in overview(col).schools if s.current is not None]
    summed = [f.id for f in FORM.fields_summed("sum")]
    before = {f: sum(v[f] for v in old.values()) for f in summed}
    now = {f: sum(v[f] for v in new.values()) for f in summed}
    assert dict(period.totals) == pytest.approx(before)
    comparison = period_comparison(FORM, period, [(s.school, s.current.values) for s in states], now)
    line = next(t for t in comparison.totals if t.field == "inspectors.total")
    assert (line.label, line.previous, line.current, line.change) == (
        "派出责任督学数（人）·合计", before["inspectors.total"], now["inspectors.total"], 3)
    assert line.percent == round(3 / before["inspectors.total"] * 100, 1)
    assert [t.field for t in comparison.totals] == summed
    assert [(m.school.name, m.previous_name, [(x.field, x.previous, x.current) for x in m.moves])
            for m in comparison.schools] == [("曾都区实验小学", "曾都区实验小学", [("inspectors.total", 2, 8)]),
                                             ("万店镇第一小学", "万店镇中心小学", [("inspectors.total", 4, 1)])]

    # Explained in the workbook: accepted with it. Without the mapping, the renamed school is new.
    from test_explain import explanation_sheet

    wb = openpyxl.load_workbook(folder / "inbox" / "曾都区实验小学.xlsx")
    explanation_sheet(wb, said={"vs-previous": "今年按区里要求配齐了督学"})
    wb.save(folder / "inbox" / "曾都区实验小学(1).xlsx")
    assert dudao(capsys, "collect", folder)[0] == 0
    assert dudao(capsys, "settings", folder, "--previous", old_dir, "--previous-names", _mapping(
        tmp_path, "上期名称,本期名称\n", "utf-8"))[0] == 0
    schools = {s["name"]: s for s in status_json(capsys, folder)["schools"]}
    assert schools["曾都区实验小学"]["status"] == "accepted_with_warnings"
    assert schools["曾都区实验小学"]["findings"][0]["explanation"] == "今年按区里要求配齐了督学"
    assert schools["万店镇第一小学"]["findings"] == []  # not found last period without the mapping: nothing compared
    code, out, _ = dudao(capsys, "settings", folder, "--previous", "")
    assert code == 0 and "已取消与上期比较" in out
    assert status_json(capsys, folder)["schools"][0]["findings"] == []


def test_bounds_apply_beyond_the_factor_both_non_zero_and_from_the_floor():
    base = {"inspectors.total": 3, "problems.total": 2, "notices.total": 0, "typical_cases": 1}
    assert moves(FORM, base, {**base, "inspectors.total": 9}) == []  # exactly 3 times: not beyond
    assert [m.field for m in moves(FORM, base, {**base, "inspectors.total": 10})] == ["inspectors.total"]
    assert moves(FORM, base, {**base, "notices.total": 40}) == []  # from 0: no ratio to judge
    assert moves(FORM, base, {**base, "inspectors.total": 0}) == []  # to 0 neither
    assert moves(FORM, base, {**base, "typical_cases": 4}) == []  # 4 times, under the floor of 5
    assert [m.field for m in moves(FORM, base, {**base, "problems.total": 7})] == ["problems.total"]  # 3.5×, from 5 up
    assert moves(FORM, base, {**base, "inspectors.total": "三"}) == []  # not read as a figure: not judged
    (t,) = [t for t in total_changes(FORM, {"inspectors.total": 0}, {"inspectors.total": 5})
            if t.field == "inspectors.total"]
    assert (t.change, t.percent) == (5, None)  # from nothing there is no per cent


def test_a_second_version_says_what_it_changed_fixed_and_still_has(col_dir, capsys, school_values):
    v = dict(school_values["曾都区实验小学"])
    first = dict(v, **{"inspectors.total": v["inspectors.total"] + 1, "orders.bureau": v["orders.total"] + 1})
    second = dict(first, **{"inspectors.total": v["inspectors.total"], "reporter": "李明"})
    put(col_dir / "inbox" / "a.xlsx", fill_workbook(issued(col_dir, "曾都区实验小学"), FORM, first), "2023-11-14T09:00:00")
    assert dudao(capsys, "collect", col_dir)[0] == 0
    put(col_dir / "inbox" / "b.xlsx", fill_workbook(issued(col_dir, "曾都区实验小学"), FORM, second), "2023-11-15T09:00:00")
    assert dudao(capsys, "collect", col_dir)[0] == 0
    school = next(s for s in status_json(capsys, col_dir)["schools"] if s["name"] == "曾都区实验小学")
    assert school["version"] == 2 and school["status"] == "returned"
    assert school["changes"] == [
        {"cell": CELLS["reporter"], "label": "填报人", "old": v["reporter"], "new": "李明"},
        {"cell": CELLS["inspectors.total"], "label": "派出责任督学数（人）·合计", "old": v["inspectors.total"] + 1,
         "new": v["inspectors.total"]},
    ]
    assert [(f["rule"], f["cells"]) for f in school["fixed"]] == [("row-sum", [CELLS["inspectors.total"],
                                                                               CELLS["inspectors.primary"],
                                                                               CELLS["inspectors.junior"]])]
    assert [(f["rule"], f["cells"]) for f in school["still"]] == [("subset", [CELLS["orders.bureau"],
                                                                              CELLS["orders.total"]])]
    others = [s for s in status_json(capsys, col_dir)["schools"] if s["name"] != "曾都区实验小学"]
    assert all(s["changes"] == s["fixed"] == s["still"] == [] for s in others)
    with open_collection(col_dir) as col:
        since = next(s for s in overview(col).schools if s.school.name == "曾都区实验小学").resubmission
    assert since.version == 2 and [f.rule for f in since.fixed] == ["row-sum"] and since.explained == ()
    code, out, _ = dudao(capsys, "status", col_dir)
    assert "[第2版改动] " in out and "已改正 1 处，仍有 1 处" in out


def test_a_reminder_built_without_an_issued_copy_still_shows_last_periods_figures(tmp_path, capsys, last_period):
    """A school whose issued copy is not in outbox (issued by hand, or the folder tidied) gets the
    form built afresh with its reminder: with its own figures last period, as distribute's."""
    import email
    import io
    from email import policy

    from aggregator.form.explanations import SHEET as EXPLAIN, explanation_layout

    old_dir, old = last_period
    folder, (code, _, _) = _new(tmp_path, capsys, old_dir, roster=ROSTER)
    assert code == 0 and dudao(capsys, "feedback", folder)[0] == 0  # nothing issued, nothing returned
    eml = folder / "feedback" / "曾都区实验小学-催报.eml"
    (att,) = list(email.message_from_bytes(eml.read_bytes(), policy=policy.default).iter_attachments())
    ws = openpyxl.load_workbook(io.BytesIO(att.get_content()))[EXPLAIN]
    shown = {r.field: ws[r.cell(3)].value for r in explanation_layout(FORM).previous}
    assert shown == {f: old["曾都区实验小学"].get(f) for f in shown} and shown["inspectors.total"] == 2
