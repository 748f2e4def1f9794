"""The district summary: what a clerk hands in, and what the level above reads back.

Collections are real folders in tmp_path; returns go straight into the ledger, with findings
from the validator (or made up, to put a school in a given state).
"""

from __future__ import annotations

import errno
import zipfile
from collections import Counter
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from aggregator import atomic, clock
from aggregator.collection.clerk import overrule
from aggregator.collection.store.folder import CollectionError
from aggregator.form.parse import load_form
from aggregator.outputs.summary.figures import add_up, choice_counts, share
from aggregator.outputs.consolidate import (
    DETAIL, DRAFT_NOTE, FINDINGS, PROBLEMS, RETURNS, STATE_FILLS, SUBTOTALS, consolidate, summary_values,
    top_problems,
)
from aggregator.findings import Finding
from aggregator.messages import render
from aggregator.form.layout import layout_of
from aggregator.progress import Cancel, Cancelled, run
from aggregator.reading import read_return
from aggregator.collection.views.status import STATE_LABELS
from aggregator.outputs.template import META_SHEET
from aggregator.checks.validate import Context, check_values
from aggregator.outputs.xlstyle import MIN_SCALE, WIDE_SCALE, display_width

import ledger_helpers
from forms_helpers import FORM, VALID, values
from ledger_helpers import add

LAYOUT = layout_of(FORM)
COUNTS = [f.id for f in FORM.count_fields]
SUMMARY_NAME = "曾都区附件5汇总表.xlsx"
GROUPED = "主要问题归纳"
EVIL = '=HYPERLINK("http://evil.example","点我")小学'

# name, 学段, 所属单位
ROSTER = [
    ("城南小学", "小学", "城南中心学校"),
    ("城南初中", "初中", "城南中心学校"),
    ("城北小学", "小学", "城北中心学校"),
    ("实验中学", "九年一贯制", ""),
    ("城北初中", "初中", "城北中心学校"),
]


# --- helpers ------------------------------------------------------------------------------------


def make_collection(tmp_path: Path, roster=ROSTER, name: str = "曾都区", folder: str = "col"):
    return ledger_helpers.make_collection(tmp_path, roster, name=name, folder=folder)


def scaled(k: int, **changes) -> dict:
    """VALID with every count times k: still passes every rule, and sums are easy to predict."""
    return {fid: (v * k if fid in COUNTS else v) for fid, v in values(**changes).items()}


ROW_SUM_ERROR = Finding("row-sum", "error", "C8 合计(9) ≠ 小学(2) + 初中(1)，合计应为 3，请核对后改正",
                        ("inspectors.total",), ("C8",), (9,))


def standard(tmp_path):
    """城南小学 accepted ×1, 城南初中 with a warning ×2, 城北小学 returned ×3, 实验中学 waiting ×4,
    城北初中 missing (and late returns are late)."""
    col = make_collection(tmp_path)
    add(col, "城南小学", scaled(1))
    add(col, "城南初中", scaled(2, phone="12345"), received_at="2023-11-21T09:00:00")  # bad phone: a warning
    add(col, "城北小学", scaled(3), findings=[ROW_SUM_ERROR])
    add(col, "实验中学", scaled(4), findings=(), review="填报单位与文件名不一致")
    return col


def form_values(path: Path) -> dict:
    """The form's values as a reader that does not calculate sees them: the saved results."""
    wb = openpyxl.load_workbook(path, data_only=True)
    ws = wb[FORM.sheet]
    return {fid: ws[cell].value for fid, cell in LAYOUT.cells.items()}


def rows(path: Path, sheet: str) -> list[tuple]:
    return list(openpyxl.load_workbook(path, data_only=True)[sheet].iter_rows(values_only=True))


def expected_counts(*ks: int) -> dict:
    return {fid: VALID[fid] * sum(ks) for fid in COUNTS}


# --- the form's totals --------------------------------------------------------------------------


def test_totals_are_sums_of_accepted_schools_only(tmp_path):
    with standard(tmp_path) as col:
        res = run(consolidate(col))
    assert (res.included, res.expected) == (2, 5)
    assert res.path == tmp_path / "col" / "summary" / SUMMARY_NAME
    got = form_values(res.path)
    assert {fid: got[fid] for fid in COUNTS} == expected_counts(1, 2)
    assert got["unit"] == "曾都区教育局"  # the collection's own 填报单位 (本级名称 + 教育局 unless set)
    assert got["reporter"] is None and got["phone"] is None  # not set at init: left blank, the cover says


def test_summary_reads_back_as_a_return_for_the_level_above(tmp_path):
    with standard(tmp_path) as col:
        res = run(consolidate(col))
    sub = read_return(res.path, FORM)
    assert {fid: sub.values[fid] for fid in COUNTS} == expected_counts(1, 2)
    assert sub.values["unit"] == "曾都区教育局"
    assert sub.meta.get("kind") == "summary"
    assert sub.meta.get("school_name") == "曾都区教育局"


def test_summary_totals_pass_the_forms_rules(tmp_path):
    roster = [(f"第{i}小学", "小学", "中心学校") for i in range(1, 9)]
    with make_collection(tmp_path, roster) as col:
        for i, (name, _, _) in enumerate(roster, start=1):
            vals = scaled(i, problem_1=f"问题{i % 3}", problem_2="作业 公示不及时", unit=name)
            assert check_values(FORM, vals, LAYOUT.cells, Context(in_roster=True)) == []
            add(col, name, vals)
        res = run(consolidate(col))
    got = form_values(res.path)
    errors = [f for f in check_values(FORM, got, LAYOUT.cells) if f.level == "error"]
    # Only what the cover asks the clerk to fill in before handing it in.
    assert sorted(f.fields for f in errors) == [("phone",), ("reporter",)]
    got.update(reporter="张三", phone="0722-1234567")
    assert check_values(FORM, got, LAYOUT.cells) == []
    assert got["problem_1"] == "作业公示不及时（8校）"


def test_two_levels_up_sum_of_summaries_equals_summary_of_all(tmp_path):
    schools = [
        ("甲1小学", scaled(1, problem_1="作业公示不及时", problem_2="课后服务单一")),
        ("甲2小学", scaled(2, problem_1="作业 公示不及时。", problem_2="", problem_3="")),
        ("甲3小学", scaled(5, problem_1="睡眠管理不到位", problem_2="", problem_3="")),
        ("乙1小学", scaled(3, problem_1="作业公示不及时", problem_2="体育活动不足")),
        ("乙2小学", scaled(7, problem_1="体育活动不足", problem_2="", problem_3="")),
    ]
    summaries = []
    for district, members in (("甲区", schools[:3]), ("乙区", schools[3:])):
        roster = [(name, "小学", "") for name, _ in members]
        with make_collection(tmp_path, roster, name=district, folder=district) as col:
            for name, vals in members:
                add(col, name, vals)
            summaries.append(form_values(run(consolidate(col)).path))
    city = summary_values(FORM, summaries, unit="随州市")
    # every count: the sum over the five schools, scaled 1+2+5+3+7 = 18 times one valid return
    assert {fid: city[fid] for fid in COUNTS} == expected_counts(1, 2, 5, 3, 7)
    assert (city["unit"], city["reporter"], city["phone"]) == ("随州市", "", "")
    # the problems: counted once per school across both districts, not once per district summary
    assert [city[f"problem_{i}"] for i in (1, 2, 3)] == ["作业公示不及时（3校）", "体育活动不足（2校）", "课后服务单一"]


# --- summary_values -----------------------------------------------------------------------------


def test_summary_values_counts_blank_as_zero_and_fills_text():
    a = scaled(1)
    b = {**scaled(2), "inspectors.total": None}
    del b["typical_cases"]
    got = summary_values(FORM, [a, b], unit="曾都区")
    assert got["inspectors.total"] == VALID["inspectors.total"]
    assert got["typical_cases"] == VALID["typical_cases"]
    assert got["notices.total"] == VALID["notices.total"] * 3
    assert (got["unit"], got["reporter"], got["phone"]) == ("曾都区", "", "")
    assert set(got) == {f.id for f in FORM.fields}


def test_summary_values_of_nothing_is_zeros():
    got = summary_values(FORM, [])
    assert all(got[fid] == 0 for fid in COUNTS)
    assert got["problem_1"] == ""


def test_a_sum_of_decimals_shows_as_typed_without_float_dust():
    """0.1 + 0.2 元 is 0.3 on the district's form, not 0.30000000000000004; whole sums are whole
    numbers; a blank, text the reader refused, or TRUE adds nothing."""
    fee = load_form(Path(__file__).resolve().parents[1] / "forms" / "after_school.toml").field("fee")
    assert add_up(fee, [0.1, 0.2, None, "x", True]) == 0.3
    assert repr(add_up(fee, [0.125, 0.125])) == "0.25"
    whole = add_up(fee, [150.5, 149.5])
    assert whole == 300 and isinstance(whole, int)
    assert add_up(fee, [1, 2]) == 3 and add_up(fee, []) == 0


def test_choice_counts_put_a_blank_or_unknown_answer_under_none_given_and_out_of_the_rate():
    """选项统计 of a checklist: a school that chose nothing, or wrote something not on the list,
    counts under 未填 and not in 已落实比例; a share with no answer at all is blank, not 0 %."""
    annex3 = load_form("annex3_checklist_2023")
    counted = annex3.fields_summed("count")
    first = counted[0].id
    answers = [{first: "已落实"}, {first: "已落实"}, {first: "未落实"}, {first: None}, {first: "乱写"}]
    counts = choice_counts(annex3, answers)
    assert set(counts) == {f.id for f in counted}
    assert counts[first] == Counter({"已落实": 2, "部分落实": 0, "未落实": 1, "": 2})
    assert counts[counted[1].id] == Counter({"已落实": 0, "部分落实": 0, "未落实": 0, "": 5})
    assert share(counts[first], "已落实") == pytest.approx(2 / 3)
    assert share(counts[first], "部分落实") == 0
    assert share(counts[counted[1].id], "已落实") is None


def test_top_problems_normalise_and_count_each_school_once():
    got = top_problems(
        [["作业公示不及时", " 作业公示 不及时 ", "课后服务单一"],  # the same problem twice: one school
         ["课后服务单一；", "", None],
         ["课后服务单一", "睡眠管理（4校）", ""],
         ["作业公示不及时", "体育", ""]],
        3,
    )
    assert got == ["睡眠管理（4校）", "课后服务单一（3校）", "作业公示不及时（2校）"]


# --- include modes ------------------------------------------------------------------------------


def test_returned_and_waiting_schools_are_left_out_by_default(tmp_path):
    with standard(tmp_path) as col:
        res = run(consolidate(col))
    names = [r[1] for r in rows(res.path, DETAIL)[2:-1]]
    assert names == ["城南小学", "城南初中"]
    assert {r[0] for r in rows(res.path, PROBLEMS)[1:]} == {"城南小学", "城南初中"}
    cover = "\n".join(str(v) for r in rows(res.path, "汇总说明") for v in r if v)
    assert DRAFT_NOTE not in cover
    assert "已汇总 2 / 应报 5" in cover
    assert "未生成上报版：请先设置本级填报人、联系电话" in cover  # no reporter, no phone given at init
    assert res.upward is None and any("未生成上报版" in n for n in map(render, res.notes))
    assert not any(DRAFT_NOTE in n for n in map(render, res.notes))


def test_include_all_sums_everything_received_and_marks_it_everywhere(tmp_path):
    with standard(tmp_path) as col:
        res = run(consolidate(col, include="all"))
    assert res.included == 4
    got = form_values(res.path)
    assert {fid: got[fid] for fid in COUNTS} == expected_counts(1, 2, 3, 4)
    wb = openpyxl.load_workbook(res.path)

    cover = "\n".join(str(c.value) for r in wb["汇总说明"].iter_rows() for c in r if c.value)
    assert DRAFT_NOTE in cover
    form_text = "\n".join(str(c.value) for r in wb[FORM.sheet].iter_rows() for c in r if c.value)
    assert DRAFT_NOTE in form_text
    assert any(DRAFT_NOTE in n for n in map(render, res.notes))

    detail = wb[DETAIL]
    status_col = 5  # 状态
    by_name = {detail.cell(r, 2).value: detail.cell(r, status_col) for r in range(3, detail.max_row)}
    assert by_name["城北小学"].value == STATE_LABELS["returned"]
    assert by_name["城北小学"].fill.fgColor.rgb == STATE_FILLS["returned"].fgColor.rgb
    assert by_name["实验中学"].value == STATE_LABELS["needs_review"]
    assert by_name["城南小学"].value == STATE_LABELS["accepted"]

    sub_items = [c.value for c in wb[SUBTOTALS]["A"]]
    assert "其中未通过校验" in sub_items
    assert [c.value for c in wb[PROBLEMS][1]][-1] == "状态"
    problem_states = {r[0]: r[3] for r in wb[PROBLEMS].iter_rows(min_row=2, values_only=True)}
    assert problem_states["城北小学"] == STATE_LABELS["returned"]


def test_unknown_include_mode_is_a_clerk_error(tmp_path):
    with make_collection(tmp_path) as col:
        with pytest.raises(CollectionError):
            run(consolidate(col, include="everything"))


# --- the other sheets ---------------------------------------------------------------------------


def test_sheets_in_order_cover_first_metadata_hidden(tmp_path):
    with standard(tmp_path) as col:
        res = run(consolidate(col))
    wb = openpyxl.load_workbook(res.path)
    assert wb.sheetnames == ["汇总说明", FORM.sheet, GROUPED, DETAIL, SUBTOTALS, RETURNS, PROBLEMS, FINDINGS,
                             META_SHEET]
    assert wb[META_SHEET].sheet_state == "veryHidden"
    assert wb.active.title == "汇总说明"
    meta = {r[0]: r[1] for r in wb[META_SHEET].iter_rows(values_only=True)}
    assert meta["kind"] == "summary" and meta["school_name"] == "曾都区教育局" and meta["collection_id"]
    with zipfile.ZipFile(res.path) as z:
        names = z.namelist()
    assert not any("vbaProject" in n or "externalLink" in n for n in names)


def test_detail_has_two_header_rows_numbers_and_a_total_row(tmp_path):
    with standard(tmp_path) as col:
        res = run(consolidate(col))
    ws = openpyxl.load_workbook(res.path, data_only=True)[DETAIL]
    head1, head2 = [c.value for c in ws[1]], [c.value for c in ws[2]]
    assert head1[:7] == ["序号", "学校名称", "学段", "所属单位", "状态", "报送时间", "是否逾期"]
    i = head1.index("派出责任督学数（人）")
    assert head2[i:i + 3] == ["合计", "小学", "初中"]
    assert f"{ws.cell(1, i + 1).coordinate}:{ws.cell(1, i + 3).coordinate}" in {str(m) for m in ws.merged_cells.ranges}
    assert ws.freeze_panes == "C3"
    assert ws.auto_filter.ref.startswith("A2:")
    assert ws.auto_filter.ref.endswith("4")  # the two schools; the total row stays out of the filter
    assert ws.cell(3, i + 1).value == VALID["inspectors.total"] and ws.cell(3, i + 1).data_type == "n"
    late = {ws.cell(r, 2).value: ws.cell(r, 7).value for r in (3, 4)}
    assert late == {"城南小学": "否", "城南初中": "是"}
    assert ws.cell(5, 2).value == "合计"
    assert ws.cell(5, i + 1).value == VALID["inspectors.total"] * 3  # the SUM's saved result
    assert ws.page_setup.orientation == "landscape"
    formulas = openpyxl.load_workbook(res.path)[DETAIL]
    letter = openpyxl.utils.get_column_letter(i + 1)
    assert formulas.cell(5, i + 1).value == f"=SUM({letter}3:{letter}4)"  # still right after the clerk edits


def test_subtotals_per_parent_unit_and_district_total(tmp_path):
    with make_collection(tmp_path) as col:
        add(col, "城南小学", scaled(1))
        add(col, "城南初中", scaled(2))
        add(col, "城北小学", scaled(4))
        add(col, "实验中学", scaled(8))
        add(col, "城北初中", scaled(16), findings=[ROW_SUM_ERROR])  # returned: not summed
        res = run(consolidate(col))
    ws = openpyxl.load_workbook(res.path, data_only=True)[SUBTOTALS]
    units = [c.value for c in ws[1]]
    assert units == ["项目", "栏目", "城南中心学校", "城北中心学校", "未填所属单位", "全区合计"]
    by_item = {}
    for row in ws.iter_rows(min_row=2, values_only=True):
        item = row[0] if row[0] is not None else item  # merged down over its 合计/小学/初中
        by_item[(item, row[1])] = row[2:]
    p = VALID["problems.total"]
    assert by_item[("应报学校数", None)] == (2, 2, 1, 5)
    assert by_item[("已汇总学校数", None)] == (2, 1, 1, 4)
    assert by_item[("存在问题（个）", "合计")] == (3 * p, 4 * p, 8 * p, 15 * p)
    assert form_values(res.path)["problems.total"] == 15 * p
    formulas = openpyxl.load_workbook(res.path)[SUBTOTALS]
    assert formulas["F2"].value == "=SUM(C2:E2)"  # the district's column adds the units' up
    assert ws.page_setup.orientation == "portrait" and not ws.row_breaks.brk and not ws.col_breaks.brk


def test_returns_sheet_lists_every_school_with_labels_and_fills(tmp_path):
    with standard(tmp_path) as col:
        res = run(consolidate(col))
    ws = openpyxl.load_workbook(res.path)[RETURNS]
    head = [c.value for c in ws[1]]
    for label in ("序号", "学校", "学段", "所属单位", "状态", "是否逾期", "报送时间", "版本", "文件", "联系人",
                  "联系电话", "邮箱", "校验问题摘要"):
        assert label in head
    col = {label: i + 1 for i, label in enumerate(head)}
    got = {ws.cell(r, col["学校"]).value: r for r in range(2, ws.max_row + 1)}
    assert list(got) == [name for name, _, _ in ROSTER]
    expect = {
        "城南小学": ("accepted", None),
        "城南初中": ("accepted_with_warnings", None),
        "城北小学": ("returned", STATE_FILLS["returned"]),
        "实验中学": ("needs_review", STATE_FILLS["needs_review"]),
        "城北初中": ("missing", STATE_FILLS["missing"]),
    }
    for name, (state, fill) in expect.items():
        r = got[name]
        assert ws.cell(r, col["状态"]).value == STATE_LABELS[state]
        rgb = ws.cell(r, col["学校"]).fill.fgColor.rgb if ws.cell(r, col["学校"]).fill.fill_type else None
        assert rgb == (fill.fgColor.rgb if fill else None), name
    assert ws.cell(got["城北小学"], col["校验问题摘要"]).value == "错误：合计=小学+初中（C8）"  # in full on 校验问题
    assert "填报单位与文件名不一致" in ws.cell(got["实验中学"], col["校验问题摘要"]).value
    assert ws.cell(got["城南初中"], col["是否逾期"]).value == "是"
    assert ws.cell(got["城北初中"], col["报送时间"]).value is None
    assert ws.cell(got["城南小学"], col["联系人"]).value == "李老师"
    assert ws.freeze_panes and ws.auto_filter.ref


def test_problem_and_finding_sheets(tmp_path):
    with standard(tmp_path) as col:
        res = run(consolidate(col))
    problems = rows(res.path, PROBLEMS)
    assert problems[0] == ("学校", "序号", "主要问题")
    assert ("城南小学", 1, VALID["problem_1"]) in problems
    assert ("城南小学", 2, VALID["problem_2"]) in problems
    assert not any(r[0] == "城南小学" and r[1] == 3 for r in problems)  # blank line 3: no row
    findings = rows(res.path, FINDINGS)
    # the state under the school's name; beside each finding its 说明 (issue 23: none here)
    assert findings[0] == ("学校（状态）", "级别", "规则", "单元格", "问题", "说明")
    # not summed, listed; rules by their Chinese names (ids are for JSON only)
    assert ("城北小学\n（退回修改）", "错误", "合计=小学+初中", "C8", ROW_SUM_ERROR.message, None) in findings
    assert any(r[0] == "城南初中\n（通过（有提示））" and r[1] == "提示" and r[2] == "联系电话格式" for r in findings)
    assert ("实验中学\n（待人工确认）", "待确认", None, None, "填报单位与文件名不一致", None) in findings


def test_formula_like_school_texts_are_written_as_text(tmp_path):
    roster = [(EVIL, "小学", "=1+1"), ("城南小学", "小学", "")]
    with make_collection(tmp_path, roster) as col:
        add(col, EVIL, scaled(1, problem_1="=SUM(1,2)", problem_2="", problem_3="", unit=EVIL))
        add(col, "城南小学", scaled(1, problem_1="=SUM(1,2)", problem_2="", problem_3=""))
        res = run(consolidate(col))
    wb = openpyxl.load_workbook(res.path, data_only=True)
    texts = [
        wb[DETAIL]["B3"], wb[DETAIL]["D3"], wb[RETURNS]["B2"], wb[PROBLEMS]["A2"], wb[PROBLEMS]["C2"],
        wb[SUBTOTALS]["C1"], wb[FORM.sheet][LAYOUT.cells["problem_1"]],
    ]
    assert [c.value for c in texts] == [EVIL, "=1+1", EVIL, EVIL, "=SUM(1,2)", "=1+1", "=SUM(1,2)（2校）"]
    assert all(c.data_type == "s" for c in texts)


# --- saving -------------------------------------------------------------------------------------


def test_written_atomically_and_replaced_in_place(tmp_path):
    with standard(tmp_path) as col:
        first = run(consolidate(col))
        second = run(consolidate(col))
    assert first.path == second.path
    assert [p.name for p in first.path.parent.iterdir()] == [SUMMARY_NAME]  # no .tmp left, no copy
    assert not any("打开" in render(n) for n in second.notes)


def test_a_full_disk_is_told_in_chinese_naming_the_summary_and_the_old_one_stays(tmp_path, monkeypatch, capsys):
    """The CLI says what the window says (``messages.file_error``): the file the clerk asked for,
    not our temporary one beside it, the reason in Chinese, and what to check; no traceback."""
    from aggregator.cli import main

    with standard(tmp_path) as col:
        before = run(consolidate(col)).path.read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("aggregator.atomic.os.fsync", full)
    assert main(["consolidate", str(tmp_path / "col")]) == 2
    err = capsys.readouterr().err
    summary = tmp_path / "col" / "summary" / SUMMARY_NAME
    assert err.startswith(f"错误：无法读写文件“{summary}”（磁盘已满）。请腾出磁盘空间") and "Traceback" not in err
    assert summary.read_bytes() == before
    assert [p.name for p in summary.parent.iterdir()] == [SUMMARY_NAME]  # no temporary file left


@pytest.mark.parametrize("lock", ["~$" + SUMMARY_NAME, ".~lock." + SUMMARY_NAME + "#"])
def test_open_summary_is_not_overwritten(tmp_path, lock):
    with standard(tmp_path) as col:
        first = run(consolidate(col))
        before = first.path.read_bytes()
        (first.path.parent / lock).write_bytes(b"owner")
        second = run(consolidate(col))
    assert first.path.read_bytes() == before
    assert second.path.name == "曾都区附件5汇总表(2).xlsx"
    assert f"汇总表 {SUMMARY_NAME} 正在被其他程序打开，本次保存为 {second.path.name}" in map(render, second.notes)
    assert form_values(second.path)["inspectors.total"] == VALID["inspectors.total"] * 3


def test_windows_lock_on_replace_moves_to_next_name(tmp_path, monkeypatch):
    with standard(tmp_path) as col:
        first = run(consolidate(col))
        before = first.path.read_bytes()
        real_replace = atomic.os.replace

        def locked(src, dst):
            if Path(dst) == first.path:
                raise PermissionError(13, "The process cannot access the file")
            return real_replace(src, dst)

        monkeypatch.setattr(atomic.os, "replace", locked)
        second = run(consolidate(col))
    assert first.path.read_bytes() == before
    assert second.path.name == "曾都区附件5汇总表(2).xlsx"
    assert second.notes and "正在被其他程序打开" in render(second.notes[0])
    assert sorted(p.name for p in first.path.parent.iterdir()) == sorted([SUMMARY_NAME, second.path.name])


def test_out_path_is_honoured(tmp_path):
    with standard(tmp_path) as col:
        res = run(consolidate(col, out=tmp_path / "上报" / "汇总"))
    assert res.path == tmp_path / "上报" / "汇总.xlsx"
    assert res.path.exists()


# --- the job ------------------------------------------------------------------------------------


def test_progress_per_school_then_saved(tmp_path):
    with standard(tmp_path) as col:
        job = consolidate(col)
        events = []
        while True:
            try:
                events.append(next(job))
            except StopIteration as stop:
                res = stop.value
                break
    assert [e.current for e in events[:5]] == [name for name, _, _ in ROSTER]
    assert events[-1].done == events[-1].total
    assert res.path.exists()


def test_cancel_writes_nothing(tmp_path):
    cancel = Cancel()
    cancel.set()
    with standard(tmp_path) as col:
        with pytest.raises(Cancelled):
            run(consolidate(col, cancel=cancel))
        assert list(col.folder("summary").iterdir()) == []


# --- the version for the level above --------------------------------------------------------------


def with_our_own(col, **more):
    col.change_settings(reporter="张三", phone="0722-1234567", **more)
    return col


def package_text(path: Path) -> str:
    """Every XML part of the workbook, as text: what any program could read out of it."""
    with zipfile.ZipFile(path) as z:
        return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))


def confirmed(col):
    """城南初中's phone warning checked with the school: nothing stands in the way of the upward version."""
    overrule.confirm(col, "城南初中", "phone", "打电话核实过，是分机号")
    return col


COVERAGE = "本表汇总 2 所学校（应报 5 所；未报 1 所，退回修改中 1 所，待确认 1 所）"


def test_upward_version_is_the_form_filled_in_with_no_contacts_or_findings(tmp_path):
    with confirmed(with_our_own(standard(tmp_path))) as col:
        with clock.pinned(datetime(2023, 11, 22, 10, 30)):
            res = run(consolidate(col))
    assert res.upward == res.path.with_name("曾都区附件5汇总表(上报).xlsx")
    wb = openpyxl.load_workbook(res.upward, data_only=True)
    assert wb.sheetnames == [FORM.sheet, META_SHEET]  # the form alone
    assert wb.active.title == FORM.sheet and wb[FORM.sheet].sheet_view.tabSelected
    ws = wb[FORM.sheet]
    assert ws.cell(LAYOUT.last_row, 1).value == COVERAGE == res.coverage
    assert (ws[LAYOUT.cells["unit"]].value, ws[LAYOUT.cells["reporter"]].value, ws[LAYOUT.cells["phone"]].value) == (
        "曾都区教育局", "张三", "0722-1234567")
    dated = ws.cell(LAYOUT.last_row + 1, 1).value
    assert dated == "填报日期：2023年11月22日"
    assert ws.print_area == f"'{FORM.sheet}'!$A$1:$F${LAYOUT.last_row + 1}"
    assert ws[LAYOUT.summary_cell].value == COVERAGE  # what it covers, where a return has its live-check line
    assert {fid: form_values(res.upward)[fid] for fid in COUNTS} == expected_counts(1, 2)
    text = package_text(res.upward)
    for school in ROSTER:
        assert "13800000000" not in text and "x@example.com" not in text and "李老师" not in text, school
    assert "row-sum" not in text and ROW_SUM_ERROR.message not in text and "不像手机号" not in text
    assert not any(name in text for name, _, _ in ROSTER)  # no school's name
    assert "报送前请核对" not in text and "自动归纳" not in text  # no note meant for the clerk
    formulas = openpyxl.load_workbook(res.upward)[FORM.sheet]
    assert [c.coordinate for row in formulas.iter_rows() for c in row if c.data_type == "f"] == []
    assert formulas.oddFooter.center.text == "第 &P 页 共 &N 页" and not formulas.conditional_formatting
    # the working summary says which file to send
    cover = "\n".join(str(v) for r in rows(res.path, "汇总说明") for v in r if v)
    assert "曾都区附件5汇总表(上报).xlsx" in cover


def test_upward_detail_on_request_without_any_phone(tmp_path):
    with confirmed(with_our_own(standard(tmp_path))) as col:
        res = run(consolidate(col, upward_detail=True))
    wb = openpyxl.load_workbook(res.upward, data_only=True)
    assert wb.sheetnames == [FORM.sheet, DETAIL, SUBTOTALS, META_SHEET]
    head = [c.value for c in wb[DETAIL][1]]
    assert "填报单位" in head and "联系电话" not in head and "填报人" not in head
    assert "13872345678" not in package_text(res.upward)  # VALID's school phone, typed in each return


def test_no_upward_version_for_a_draft(tmp_path):
    with with_our_own(standard(tmp_path)) as col:
        res = run(consolidate(col, include="all"))
    assert res.upward is None
    assert any("不能上报" in render(n) for n in res.notes)
    assert not list(res.path.parent.glob("*上报*"))


def test_cover_lists_returns_with_unconfirmed_warnings_until_confirmed(tmp_path):
    with standard(tmp_path) as col:
        res = run(consolidate(col))
        cover = "\n".join(str(v) for r in rows(res.path, "汇总说明") for v in r if v)
        assert "1 所已计入汇总的学校有尚未核实的提示：城南初中" in cover
        assert "各项合计符合表内校验规则" in cover  # the totals themselves pass
        for rule in sorted({f.rule for f in check_values(FORM, scaled(2, phone="12345"), LAYOUT.cells,
                                                           Context(in_roster=True)) if f.level == "warning"}):
            overrule.confirm(col, "城南初中", rule, "打电话核实过，是分机号")
        res = run(consolidate(col))
    cover = "\n".join(str(v) for r in rows(res.path, "汇总说明") for v in r if v)
    assert "无（已计入汇总的学校没有尚未核实的提示）" in cover
    returns = rows(res.path, RETURNS)
    decided = next(r[11] for r in returns if r[1] == "城南初中")  # 区教育局处理
    assert "已核实提示（联系电话格式）：打电话核实过，是分机号" in decided


def test_missing_school_is_late_once_the_deadline_has_passed(tmp_path):
    with standard(tmp_path) as col:
        with clock.pinned(datetime(2023, 11, 20, 17, 0)):
            before = run(consolidate(col))
            late_before = {r[1]: r[6] for r in rows(before.path, RETURNS)[1:]}
        with clock.pinned(datetime(2023, 11, 21, 9, 0)):
            after = run(consolidate(col))
            late_after = {r[1]: r[6] for r in rows(after.path, RETURNS)[1:]}
    assert late_before["城北初中"] is None and late_after["城北初中"] == "是（未报）"
    assert late_after["城南初中"] == "是" and late_after["城南小学"] == "否"


def test_problems_grouped_in_an_editable_sheet_that_the_form_lines_come_from(tmp_path):
    roster = [(f"第{i}小学", "小学", "中心学校") for i in range(1, 6)]
    lines = [("作业公示不及时", "课后服务内容单一"), ("1、作业公示不够及时。", ""), ("作业 公示不及时", "睡眠管理不到位"),
             ("课后服务内容较单一", ""), ("", "")]
    with make_collection(tmp_path, roster) as col:
        for (name, _, _), (p1, p2) in zip(roster, lines):
            add(col, name, scaled(1, problem_1=p1, problem_2=p2, problem_3="", unit=name))
        res = run(consolidate(col))
    grouped = rows(res.path, GROUPED)
    assert grouped[1][:6] == ("序号", "问题（可修改）", "学校数", "学校", "各校的写法", "填入汇总表的文字")
    assert [grouped[r][6:8] for r in (2, 3)] == [("作业公示不及时", 3), ("课后服务内容单一", 2)]  # what the engine wrote
    hidden = openpyxl.load_workbook(res.path)[GROUPED].column_dimensions
    assert hidden["G"].hidden and hidden["H"].hidden and not hidden["F"].hidden
    assert grouped[2][1:4] == ("作业公示不及时", 3, "第1小学、第2小学、第3小学")
    assert "作业公示不够及时" in grouped[2][4]
    assert grouped[3][1:3] == ("课后服务内容单一", 2) and grouped[4][1:3] == ("睡眠管理不到位", 1)
    got = form_values(res.path)
    assert [got[f"problem_{i}"] for i in (1, 2, 3)] == ["作业公示不及时（3校）", "课后服务内容单一（2校）", "睡眠管理不到位"]
    formulas = openpyxl.load_workbook(res.path)
    assert formulas[FORM.sheet][LAYOUT.cells["problem_1"]].value == f"=T(INDEX('{GROUPED}'!$F:$F,3))"
    assert formulas[GROUPED]["F3"].value.startswith('=IF(B3=""')
    cover = "\n".join(str(v) for r in rows(res.path, "汇总说明") for v in r if v)
    assert "自动归纳" in cover and "报送前请核对" in cover


def test_stage_column_is_wide_enough_for_nine_year_schools(tmp_path):
    with standard(tmp_path) as col:
        res = run(consolidate(col))
    wb = openpyxl.load_workbook(res.path)
    for sheet in (DETAIL, RETURNS):
        assert wb[sheet].column_dimensions["C"].width >= display_width("九年一贯制") + 1


def test_wide_sheets_print_in_column_groups_with_titles_repeated(tmp_path):
    with standard(tmp_path) as col:
        res = run(consolidate(col))
    wb = openpyxl.load_workbook(res.path)
    ws = wb[DETAIL]
    assert MIN_SCALE < ws.page_setup.scale <= WIDE_SCALE and not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_cols == "$A:$B" and ws.print_title_rows == "$1:$2"
    assert len(ws.col_breaks.brk) >= 2
    assert "第 &P 页 共 &N 页" in ws.oddFooter.center.text
    # a break never splits a row's 合计/小学/初中 apart
    head1 = [c.value for c in ws[1]]
    for brk in ws.col_breaks.brk:
        assert head1[brk.id] is not None  # the next page starts where a group's head starts
    for sheet in (SUBTOTALS, RETURNS, FINDINGS, PROBLEMS, GROUPED):  # every other table: titles on every page
        assert wb[sheet].print_title_rows and wb[sheet].page_setup.scale >= MIN_SCALE, sheet


def test_clerk_is_asked_for_reporter_and_phone_before_the_first_upward_version(tmp_path, capsys, monkeypatch):
    from aggregator.cli import main

    with confirmed(standard(tmp_path)):
        pass
    answers = iter(["王五", "0722-3261234"])
    monkeypatch.setattr("sys.stdin", type("Keyboard", (), {"isatty": staticmethod(lambda: True)})())
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    assert main(["consolidate", str(tmp_path / "col")]) == 0
    out = capsys.readouterr().out
    assert "已保存到收集设置" in out and "上报版（直接报送上级）" in out
    upward = next((tmp_path / "col" / "summary").glob("*(上报).xlsx"))
    ws = openpyxl.load_workbook(upward)[FORM.sheet]
    assert (ws[LAYOUT.cells["reporter"]].value, ws[LAYOUT.cells["phone"]].value) == ("王五", "0722-3261234")
    monkeypatch.setattr("builtins.input", lambda prompt: pytest.fail("asked again"))
    assert main(["consolidate", str(tmp_path / "col")]) == 0  # saved: not asked a second time
