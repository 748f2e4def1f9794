"""What goes up tells the truth and stands alone (issue 20, point 1): the coverage line a city
reads, no unconfirmed warning summed upward in silence, the clerk's reviewed 主要问题 as values,
and a cover that names the next step without a shell command.

The five schools of ``test_consolidate.standard``: 城南小学 accepted, 城南初中 accepted with a
phone warning nobody confirmed, 城北小学 returned, 实验中学 waiting for the clerk, 城北初中 missing.
"""

from __future__ import annotations

import shutil

import openpyxl
import pytest

import lo
from aggregator.cli import main
from aggregator.collection.clerk import overrule
from aggregator.messages import CLI, WINDOW, render
from aggregator.outputs.consolidate import consolidate
from aggregator.outputs.summary.similar import group_problems, top_problems
from aggregator.progress import run

from ledger_helpers import add
from test_consolidate import (
    COVERAGE, FORM, GROUPED, LAYOUT, confirmed, make_collection, rows, scaled, standard, with_our_own,
)

UNCONFIRMED = "城南初中（联系电话格式）"


def cover_text(path) -> str:
    return "\n".join(str(v) for r in rows(path, "汇总说明") for v in r if v)


def test_a_summed_warning_nobody_confirmed_stops_the_upward_version_and_says_what_to_confirm(tmp_path):
    with with_our_own(standard(tmp_path)) as col:
        res = run(consolidate(col))
    assert res.upward is None and not list(res.path.parent.glob("*上报*"))
    assert res.path.exists()  # the working summary is always written
    (blocked,) = [n for n in res.notes if "未生成上报版" in render(n)]
    assert render(blocked, CLI) == (
        f"未生成上报版：已计入汇总的 1 所学校有尚未核实的提示（{UNCONFIRMED}）。请与学校核实，核实后逐条记录"
        f"（dudao confirm {tmp_path / 'col'} 学校名称 提示名称 --note 核实情况），再汇总一次；"
        "核实后数据无误、来不及逐条记录的，可加 --despite-warnings 照样生成（表上会注明）")
    assert render(blocked, WINDOW) == (
        f"未生成上报版：已计入汇总的 1 所学校有尚未核实的提示（{UNCONFIRMED}）。请与学校核实，"
        "核实后在学校详情中确认这条提示（写明核实情况），再点“汇总”")
    cover = {r[0]: r[1] for r in rows(res.path, "汇总说明") if r[0]}
    assert cover["报送上级"].startswith(f"未生成上报版：已计入汇总的 1 所学校有尚未核实的提示（{UNCONFIRMED}）")
    assert cover["表上写明"] == COVERAGE == res.coverage


def test_despite_warnings_writes_it_and_the_coverage_line_says_so(tmp_path):
    with with_our_own(standard(tmp_path)) as col:
        res = run(consolidate(col, despite_warnings=True))
    said = COVERAGE + "，含 1 所学校未经核实的提示数据"
    assert res.coverage == said
    ws = openpyxl.load_workbook(res.upward)[FORM.sheet]
    assert ws.cell(LAYOUT.last_row, 1).value == said
    assert ws.print_area.endswith(f"$F${LAYOUT.last_row + 1}")  # the line prints, above 填报日期
    assert any(render(n) == f"上报版含 1 所学校未经核实的提示数据（{UNCONFIRMED}），表上已注明" for n in res.notes)


def test_consolidate_ends_with_the_coverage_line_then_the_files(tmp_path, capsys):
    with with_our_own(standard(tmp_path)):
        pass
    assert main(["consolidate", str(tmp_path / "col"), "--despite-warnings"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-4:]
    summary = tmp_path / "col" / "summary"
    assert last == ["已汇总 2 / 应报 5 所学校。", f"表上写明：{COVERAGE}，含 1 所学校未经核实的提示数据",
                    f"上报版（直接报送上级）：{summary / '曾都区附件5汇总表(上报).xlsx'}",
                    str(summary / "曾都区附件5汇总表.xlsx")]
    assert main(["consolidate", str(tmp_path / "col")]) == 0  # without it: told, and no upward line
    out = capsys.readouterr().out
    assert "上报版（直接报送上级）" not in out and f"表上写明：{COVERAGE}\n" in out


def test_the_cover_names_next_steps_in_the_words_of_the_window_and_the_cli_and_no_shell_command(tmp_path):
    with standard(tmp_path) as col:  # no reporter or phone set, a warning unconfirmed, a file nobody could place
        add(col, None, scaled(1, unit=""), name="新建 Microsoft Excel 工作表.xlsx")
        res = run(consolidate(col))
    text = cover_text(res.path)
    assert "dudao" not in text and "--" not in text and "收取文件的列表" not in text
    cover = {r[0]: r[1] for r in rows(res.path, "汇总说明") if r[0]}
    assert cover["未核实的提示"] == (
        f"1 所已计入汇总的学校有尚未核实的提示：{UNCONFIRMED}。请与学校核实（在桌面程序中生成包括“请核对”的反馈，"
        "命令行为 feedback 命令），核实后在桌面程序的学校详情中确认这条提示（命令行为 confirm 命令），再汇总一次")
    assert cover["其他文件"].endswith("（见桌面程序的“待处理的文件”，命令行为 status 命令）")
    assert cover["报送上级"] == ("未生成上报版：请先设置本级填报人、联系电话（在桌面程序的“设置”中填写，命令行为 settings 命令），"
                              "再汇总一次")
    sheets = set(openpyxl.load_workbook(res.path).sheetnames)
    for name in ("主要问题归纳", "分校明细", "报送情况"):  # every sheet the cover names exists
        assert f"“{name}”" not in text or name in sheets


def test_the_clerk_s_reviewed_wording_goes_up_as_values_and_stays_in_the_next_summary(tmp_path):
    roster = [(f"第{i}小学", "小学", "中心学校") for i in range(1, 5)]
    lines = ["作业公示不及时", "1、作业公示不够及时。", "课后服务内容单一", "睡眠管理不到位"]
    with with_our_own(make_collection(tmp_path, roster)) as col:
        for (name, _, _), line in zip(roster, lines):
            add(col, name, scaled(1, problem_1=line, problem_2="", problem_3="", unit=name))
        first = run(consolidate(col))
        wb = openpyxl.load_workbook(first.path)  # the clerk rewords the first group and swaps the next two
        ws = wb[GROUPED]
        assert [ws[f"B{r}"].value for r in (3, 4, 5)] == ["作业公示不及时", "课后服务内容单一", "睡眠管理不到位"]
        ws["B3"] = "部分学校作业公示不及时"
        for col_letter in "ABCDEFGH":
            ws[f"{col_letter}4"].value, ws[f"{col_letter}5"].value = ws[f"{col_letter}5"].value, ws[f"{col_letter}4"].value
        wb.save(first.path)
        second = run(consolidate(col))
    up = openpyxl.load_workbook(second.upward)[FORM.sheet]
    assert [up[LAYOUT.cells[f"problem_{i}"]].value for i in (1, 2, 3)] == [
        "部分学校作业公示不及时（2校）", "睡眠管理不到位", "课后服务内容单一"]
    assert all(up[LAYOUT.cells[f"problem_{i}"]].data_type == "s" for i in (1, 2, 3))  # text, not formulas
    kept = openpyxl.load_workbook(second.path, data_only=True)[GROUPED]
    assert [(kept[f"B{r}"].value, kept[f"G{r}"].value) for r in (3, 4, 5)] == [
        ("部分学校作业公示不及时", "作业公示不及时"), ("睡眠管理不到位", "睡眠管理不到位"), ("课后服务内容单一", "课后服务内容单一")]
    assert "“主要问题归纳”中修改过的文字和顺序已沿用到本次汇总和上报版" in map(render, second.notes)


def test_a_review_of_other_data_is_not_applied_and_the_clerk_is_told(tmp_path):
    roster = [(f"第{i}小学", "小学", "中心学校") for i in range(1, 4)]
    with with_our_own(make_collection(tmp_path, roster)) as col:
        add(col, "第1小学", scaled(1, problem_1="作业公示不及时", problem_2="", problem_3="", unit="第1小学"))
        first = run(consolidate(col))
        wb = openpyxl.load_workbook(first.path)
        wb[GROUPED]["B3"] = "改过的文字"
        wb.save(first.path)
        add(col, "第2小学", scaled(1, problem_1="作业公示不及时", problem_2="", problem_3="", unit="第2小学"))
        second = run(consolidate(col))  # the group now has 2 schools: her review was of other figures
    up = openpyxl.load_workbook(second.upward)[FORM.sheet]
    assert up[LAYOUT.cells["problem_1"]].value == "作业公示不及时（2校）"
    assert any("原来修改的文字未沿用，请重新核对" in render(n) for n in second.notes)


def _reviewed_once(tmp_path):
    """A collection whose first summary the clerk has reworded (B3) and reordered (rows 4 and 5)."""
    roster = [(f"第{i}小学", "小学", "中心学校") for i in range(1, 5)]
    lines = ["作业公示不及时", "1、作业公示不够及时。", "课后服务内容单一", "睡眠管理不到位"]
    col = make_collection(tmp_path, roster)
    for (name, _, _), line in zip(roster, lines):
        add(col, name, scaled(1, problem_1=line, problem_2="", problem_3="", unit=name))
    first = run(consolidate(col))
    wb = openpyxl.load_workbook(first.path)
    ws = wb[GROUPED]
    ws["B3"] = "部分学校作业公示不及时"
    for letter in "ABCDEFGH":
        ws[f"{letter}4"].value, ws[f"{letter}5"].value = ws[f"{letter}5"].value, ws[f"{letter}4"].value
    wb.save(first.path)
    return col, first.path


@pytest.mark.libreoffice
@pytest.mark.skipif(bool(lo.missing()), reason=lo.missing() or "-")
def test_a_review_saved_again_by_a_spreadsheet_application_is_carried(tmp_path):
    """The clerk's edits as LibreOffice saves them (shared strings, its own styles and sheet XML):
    read back as the openpyxl-saved ones are."""
    col, path = _reviewed_once(tmp_path)
    with with_our_own(col):
        saved = lo.convert(path, "xlsx", tmp_path / "saved-by-lo")
        shutil.copyfile(saved, path)
        second = run(consolidate(col))
    up = openpyxl.load_workbook(second.upward)[FORM.sheet]
    assert [up[LAYOUT.cells[f"problem_{i}"]].value for i in (1, 2, 3)] == [
        "部分学校作业公示不及时（2校）", "睡眠管理不到位", "课后服务内容单一"]
    assert "“主要问题归纳”中修改过的文字和顺序已沿用到本次汇总和上报版" in map(render, second.notes)


@pytest.mark.parametrize("damage", ["not a workbook", "cut short", "sheet removed"])
def test_a_working_summary_that_cannot_be_read_carries_no_review_and_is_written_anew(tmp_path, damage):
    col, path = _reviewed_once(tmp_path)
    with with_our_own(col):
        if damage == "not a workbook":
            path.write_text("汇总表被另存成了文本", encoding="utf-8")
        elif damage == "cut short":
            path.write_bytes(path.read_bytes()[:4000])
        else:
            wb = openpyxl.load_workbook(path)
            del wb[GROUPED]
            wb.save(path)
        second = run(consolidate(col))
    up = openpyxl.load_workbook(second.upward)[FORM.sheet]
    assert up[LAYOUT.cells["problem_1"]].value == "作业公示不及时（2校）"  # the engine's own words
    assert not any("主要问题归纳" in render(n) for n in second.notes)
    assert GROUPED in openpyxl.load_workbook(second.path).sheetnames


# --- the （N校） count: a school that writes one problem twice is one school -------------------------


def test_a_school_writing_one_problem_twice_counts_once():
    groups = group_problems([("城南小学", ["作业公示不及时", "1、作业公示不够及时。", ""]),
                             ("城北小学", ["课后服务内容单一", "", ""])])
    assert [(g.text, g.weight, list(g.schools)) for g in groups] == [
        ("作业公示不及时", 1, ["城南小学"]), ("课后服务内容单一", 1, ["城北小学"])]
    assert groups[0].line() == "作业公示不及时"  # not "（2校）"
    assert top_problems([["作业公示不及时", "作业公示不及时。", ""], ["作业公示 不及时", "", ""]], 1) == [
        "作业公示不及时（2校）"]


def test_a_lower_summary_s_line_counts_its_schools_once_even_written_twice():
    groups = group_problems([("曾都区教育局", ["作业公示不及时（5校）", "作业公示不及时（5校）", ""]),
                             ("广水市教育局", ["作业公示不及时（2校）", "", ""])])
    assert [(g.text, g.weight) for g in groups] == [("作业公示不及时", 7)]
    assert groups[0].line() == "作业公示不及时（7校）"


@pytest.mark.parametrize("schools, expected", [(1, "作业公示不及时"), (3, "作业公示不及时（3校）")])
def test_the_count_on_the_form_is_the_number_of_schools(tmp_path, schools, expected):
    roster = [(f"第{i}小学", "小学", "中心学校") for i in range(1, 4)]
    with with_our_own(make_collection(tmp_path, roster)) as col:
        for name, _, _ in roster[:schools]:  # each writes it twice, in two wordings
            add(col, name, scaled(1, problem_1="作业公示不及时", problem_2="2、作业公示不够及时。", problem_3="",
                                  unit=name))
        res = run(consolidate(col))
    up = openpyxl.load_workbook(res.upward)[FORM.sheet]
    assert up[LAYOUT.cells["problem_1"]].value == expected
    assert up[LAYOUT.cells["problem_2"]].value is None


def test_an_earlier_upward_version_is_set_aside_when_none_can_be_written_now(tmp_path):
    with confirmed(with_our_own(standard(tmp_path))) as col:
        first = run(consolidate(col))
        overrule.confirm(col, "城南初中", "phone", undo=True)  # as a new return with a warning would
        second = run(consolidate(col))
    assert first.upward is not None and not first.upward.exists() and second.upward is None
    stale = first.upward.with_name("曾都区附件5汇总表(上报)（已过时，勿报送）.xlsx")
    assert stale.exists()  # kept, under a name nobody sends by mistake
    assert "上次生成的上报版已不是现在的数据，已改名为“曾都区附件5汇总表(上报)（已过时，勿报送）.xlsx”，请勿报送" in map(
        render, second.notes)
