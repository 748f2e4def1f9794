"""Issue 22, part 3: the register (整改台账), reminders, and Annex 5 against the register.

``supervise register`` (and ``consolidate``) write ``summary/整改台账.xlsx``: a row per item,
green when closed, yellow when due within 3 days, red when overdue, counts per 所属单位, on A4.
``feedback`` reminds each school of its open items that are near or overdue, in the letter and
chat text it gets anyway (or in one of their own); a school whose Annex 5 disagrees with its
items gets a 请核对 warning quoting both.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy

import openpyxl
import pytest

import lo
from aggregator import clock
from aggregator.collection.store.folder import open_collection
from aggregator.collection.clerk import supervise as service
from aggregator.outputs.orders import order_files
from builders import write_return
from cli_helpers import dudao, status_json
from forms_helpers import VALID
from test_supervise import ISSUED

DAY = dt.datetime(2023, 11, 28, 17, 0)  # the register is written, the reminders go out
GREEN, YELLOW, RED = "FFC6EFCE", "FFFFEB9C", "FFFFC7CE"


def four_items(col_dir) -> None:
    """Closed, near (due in 2 days), overdue (2 days past), and plain (due in 3 weeks)."""
    with open_collection(col_dir) as col, clock.pinned(ISSUED):
        for school, problem, due in (("曾都区实验小学", "作业公示不及时", "2023-11-25"),
                                      ("曾都区实验小学", "课后服务单一", "2023-11-30"),
                                      ("万店镇中心小学", "期中考试排名", "2023-11-26"),
                                      ("何店镇白龙小学", "收费未公示", "2023-12-20")):
            service.add_item(col, school, problem, "整改", due)
        service.issue(col, order_files, "某督〔2023〕")
    with open_collection(col_dir) as col, clock.pinned(dt.datetime(2023, 11, 24, 9, 0)):
        service.close(col, 1, "已查看照片")


def fills(ws, first_row: int = 5) -> list[tuple]:
    return [(row[0].value, {c.fill.fgColor.rgb for c in row}) for row in ws.iter_rows(min_row=first_row)]


def test_the_register_rows_are_coloured_green_yellow_red(col_dir, capsys):
    four_items(col_dir)
    with clock.pinned(DAY):
        code, out, _ = dudao(capsys, "supervise", col_dir, "register")
    assert code == 0 and out.strip().endswith("整改台账.xlsx")
    wb = openpyxl.load_workbook(col_dir / "summary" / "整改台账.xlsx")
    ws = wb["整改台账"]
    assert [c.value for c in ws[4]] == ["序号", "督办单编号", "学校", "所属单位", "发现的问题", "整改要求", "整改时限",
                                        "状态", "整改材料", "销号时间", "销号说明"]
    assert fills(ws) == [(1, {GREEN}), (2, {YELLOW}), (3, {RED}), (4, {"00000000"})]
    assert [ws.cell(r, 8).value for r in range(5, 9)] == ["已销号", "未整改", "未整改（逾期）", "未整改"]
    assert (ws["J5"].value, ws["K5"].value) == ("11-24", "已查看照片")
    assert ws["B5"].value == "某督〔2023〕1号\n11-02 下发"
    assert ws["A2"].value == "截至 2023年11月28日：共 4 项问题（涉及 3 所学校），已销号 1 项，已反馈待核 0 项，未整改 3 项；其中逾期 1 项"
    units = {r[0]: r[1:] for r in wb["分单位统计"].iter_rows(min_row=4, values_only=True)}
    assert units == {"区直学校": (1, 2, 1, 0, 1, 0, "50%"), "万店镇中心学校": (1, 1, 0, 0, 1, 1, "0%"),
                     "何店镇中心学校": (1, 1, 0, 0, 1, 0, "0%"), "合计": (3, 4, 1, 0, 3, 1, "25%")}
    for sheet in wb.worksheets:
        assert (sheet.page_setup.paperSize, sheet.page_setup.fitToWidth) == (9, 1)
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$4:$4"


def test_consolidate_writes_the_register_before_the_summary(col_dir, capsys):
    dudao(capsys, "consolidate", col_dir)
    assert not (col_dir / "summary" / "整改台账.xlsx").exists()  # no item, no register
    four_items(col_dir)
    with clock.pinned(DAY):
        code, out, _ = dudao(capsys, "consolidate", col_dir)
    assert "整改台账：整改台账.xlsx" in out
    register = col_dir / "summary" / "整改台账.xlsx"
    summary = col_dir / "summary" / out.strip().splitlines()[-1].split("/")[-1]
    assert register.stat().st_mtime_ns <= summary.stat().st_mtime_ns


def test_supervise_register_without_items_says_what_to_do(col_dir, capsys):
    code, _, err = dudao(capsys, "supervise", col_dir, "register")
    assert code == 2 and "整改台账中还没有任何问题" in err


@pytest.mark.libreoffice
@pytest.mark.skipif(bool(lo.missing(pdf=True)), reason=lo.missing(pdf=True) or "-")
def test_the_register_prints_on_a4_its_head_on_every_page(col_dir, tmp_path):
    four_items(col_dir)
    with open_collection(col_dir) as col, clock.pinned(DAY):
        for n in range(20):  # a page's worth of rows
            service.add_item(col, "曾都区实验中学", f"第 {n} 个问题，写得比较长，需要换行才能放下的一段文字", "按要求整改",
                             "2023-12-30")
        from aggregator.outputs.register_file import write_register

        path = write_register(col)
    (pdf,) = lo.convert_all([path], "pdf", tmp_path)
    w, h = lo.pdf_page_size(pdf)
    assert (round(min(w, h)), round(max(w, h))) == (595, 842)
    assert lo.pdf_pages(pdf) == 4  # 24 items on three pages, the counts per unit on one
    printed = lo.pdf_text(pdf)
    assert printed.count("督办单编号") == 3 and "第4 页共4 页" in printed


# --- reminders ------------------------------------------------------------------------------


def text(path) -> str:
    return path.read_bytes().decode("utf-8-sig")


def body(path) -> str:
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return msg.get_body(("plain",)).get_content()


def test_feedback_reminds_of_near_and_overdue_items_in_the_letter_the_school_gets(col_dir, capsys):
    four_items(col_dir)
    with clock.pinned(DAY):
        assert dudao(capsys, "feedback", col_dir, "--no-pdf")[0] == 0
    fb = col_dir / "feedback"
    chat = text(fb / "曾都区实验小学-催报.txt")  # missing: its reminder carries its items
    assert chat.splitlines()[-2:] == [
        "贵校以下整改事项临近或超过整改时限，请抓紧落实，并把整改报告、照片等材料报送（文件名写上督办单编号）：",
        "1. 课后服务单一（某督〔2023〕1号，整改时限 11月30日，还有 2 天）"]
    assert "作业公示不及时" not in chat  # closed
    letter = body(fb / "万店镇中心小学-催报.eml")
    assert "1. 期中考试排名（某督〔2023〕2号，整改时限 11月26日，已逾期 2 天）" in letter
    assert "收费未公示" not in text(fb / "何店镇白龙小学-催报.txt")  # due in three weeks


def test_a_school_that_owes_nothing_else_gets_a_letter_of_its_items(col_dir, capsys, tmp_path):
    four_items(col_dir)
    write_return(col_dir / "inbox" / "实验小学.xlsx", PRIMARY)
    with clock.pinned(dt.datetime(2023, 11, 20, 9, 0)):
        dudao(capsys, "collect", col_dir)
    with clock.pinned(DAY):
        code, out, _ = dudao(capsys, "feedback", col_dir, "--no-pdf")
    fb = col_dir / "feedback"
    assert not (fb / "曾都区实验小学-催报.eml").exists()
    chat = text(fb / "曾都区实验小学-整改督办.txt")
    assert chat.splitlines() == [
        "【整改督办】曾都区实验小学 @王丽：贵校以下整改事项临近或超过整改时限，请抓紧落实，并把整改报告、照片等材料报送（文件名写上督办单编号）：",
        "1. 课后服务单一（某督〔2023〕1号，整改时限 11月30日，还有 2 天）"]
    letter = body(fb / "曾都区实验小学-整改督办.eml")
    assert letter.startswith("王老师：") and "1. 课后服务单一（某督〔2023〕1号" in letter
    told = [t for t in {s["name"]: s for s in status_json(capsys, col_dir)["schools"]}["曾都区实验小学"]["feedback"]
            if t["at"] == "2023-11-28T17:00:00"]
    assert [(t["kind"], t["channel"]) for t in told] == [("supervise", "draft")]


# --- Annex 5 against the register ------------------------------------------------------------


PRIMARY = VALID | {  # a primary school's return: no junior figures, 3 problems, 2 rectified, 1 in progress
    "inspectors.total": 2, "inspectors.junior": 0, "schools_visited.total": 3, "schools_visited.junior": 0,
    "notices.total": 1, "notices.junior": 0, "problem_schools.total": 1, "problem_schools.junior": 0,
    "rectified_schools.total": 0, "rectified_schools.primary": 0, "rectified_schools.junior": 0,
    "problem_schools.primary": 1, "problems.total": 3, "problems.primary": 3, "problems.junior": 0,
    "problems_rectified.total": 2, "problems_rectified.primary": 2, "problems_rectified.junior": 0,
    "problems_in_progress.total": 1, "problems_in_progress.primary": 1, "problems_in_progress.junior": 0}


def test_annex_5_figures_that_differ_from_the_register_are_a_warning_quoting_both(col_dir, capsys):
    with open_collection(col_dir) as col, clock.pinned(ISSUED):
        for n in range(3):
            service.add_item(col, "曾都区实验小学", f"问题{n}", "整改", "2023-12-31")
        for n in (1, 2):
            service.close(col, n, "已整改")
    write_return(col_dir / "inbox" / "实验小学.xlsx", PRIMARY)
    with clock.pinned(dt.datetime(2023, 11, 20, 9, 0)):
        dudao(capsys, "collect", col_dir)

    def school() -> dict:
        return {s["name"]: s for s in status_json(capsys, col_dir)["schools"]}["曾都区实验小学"]

    assert (school()["status"], school()["findings"]) == ("accepted", [])  # 2 closed, 1 open: as reported
    with open_collection(col_dir) as col:
        service.reopen(col, 2, "复查未到位")
    s = school()
    assert s["status"] == "accepted_with_warnings"
    (f,) = s["findings"]
    assert (f["rule"], f["level"], f["cells"]) == ("register-mismatch", "warning", ["C18", "C19"])
    assert f["message"] == ("C18 已完成整改问题数·合计填的是 2、C19 正在整改问题数·合计填的是 1，"
                            "而整改台账中贵校的 3 项问题已销号 1 项、未销号 2 项，请核对")
    code, out, _ = dudao(capsys, "status", col_dir)
    assert "[提示：与整改台账不符] C18 已完成整改问题数·合计填的是 2" in out
    assert dudao(capsys, "confirm", col_dir, "曾都区实验小学", "与整改台账不符", "--note", "台账未及时更新")[0] == 0
    assert school()["status"] == "accepted"


def test_a_school_without_items_is_not_compared(col_dir, capsys):
    with open_collection(col_dir) as col, clock.pinned(ISSUED):
        service.add_item(col, "曾都区实验中学", "问题", "整改", "2023-12-31")
    write_return(col_dir / "inbox" / "实验小学.xlsx", PRIMARY)
    with clock.pinned(dt.datetime(2023, 11, 20, 9, 0)):
        dudao(capsys, "collect", col_dir)
    assert {s["name"]: s for s in status_json(capsys, col_dir)["schools"]}["曾都区实验小学"]["findings"] == []
