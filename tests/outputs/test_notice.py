"""What a school reads is one notice, whichever way it reads it.

A collection of the seed plan (a case article and a supervisor's recommendation by 11月10日, a
report and the form by 11月20日), driven through the CLI as a clerk drives it at 17:00 on deadline
day (Monday 20 November 2023), with real files: the .eml drafts parsed back, the chat texts, the
marked workbook's first sheet and the lines of the phone page. Each test pins what the teacher
reads: the count in the heading, the items under 需要修改 and under 请核对, each owed material with
its own deadline, and the date to send again.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from aggregator.collection.store.folder import open_collection
from aggregator.collection.views.materials import short_label
from aggregator.collection.store.settings import Settings
from aggregator.collection.views.status import overview
from aggregator.demo import fill_workbook, sample_values
from aggregator.demo.files import put_received
from aggregator.form.parse import load_form
from aggregator.messages import FOR_SCHOOL, MESSAGES
from aggregator.outputs.dates import resubmit_date, working_days_after
from aggregator.outputs.guide import FEEDBACK_SHEET
from aggregator.outputs.notice import notice_lines, notice_of
from aggregator.outputs.phone import page_lines
from cli_helpers import dudao, status_json
from documents_builders import article
from test_feedback import read_eml

ROSTER = """学校名称,学段,所属单位,联系人,联系电话,邮箱,学校类型
曾都区东城小学,小学,区直学校,陈静,13872301002,dcxx@zdedu.example,区直学校
万店镇中心小学,小学,万店镇中心学校,朱红,13872302001,wdzx@zdedu.example,中心学校
万店镇牛王小学,小学,万店镇中心学校,李明,13872302005,nwxx@zdedu.example,其他
万店镇泉水小学,小学,万店镇中心学校,何欣,13872302006,wdqs@zdedu.example,其他
"""
EVENING = "2023-11-20T17:00:00+08:00"  # deadline day, a Monday
CASE = "“双减”督导优秀工作案例"
CADRE = "优秀督导干部推荐（附简要工作事例）"
REPORT = "督导工作落实情况报告"


def put(folder: Path, name: str, data: bytes, when: str) -> None:
    put_received(folder / "inbox" / name, data, when)


def workbook(folder: Path, school: str, seed: int, **changes) -> bytes:
    vals = sample_values(random.Random(seed), "小学", school, "某老师", "13872302001")
    vals.update(changes)
    return fill_workbook(folder / "outbox" / f"附件5-{school}.xlsx", load_form(), vals)


@pytest.fixture
def plan_col(tmp_path, capsys, monkeypatch):
    """东城小学 returned (合计≠小学+初中 in C8, and a phone number to check), its case and report
    in, its recommendation not; 万店镇中心小学's form passes, its case has 42 characters (title included); 牛王小学
    (学校类型 其他: no recommendation asked) sent nothing; 泉水小学 sent its workbook broken."""
    roster = tmp_path / "名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    folder = tmp_path / "双减材料"
    assert dudao(capsys, "init", folder, "--name", "曾都区", "--roster", roster, "--plan", "shuangjian-2023",
                 "--deadline", "2023-11-20")[0] == 0
    assert dudao(capsys, "distribute", folder)[0] == 0
    dongcheng = workbook(folder, "曾都区东城小学", 1, phone="123")
    wb = load_workbook(__import__("io").BytesIO(dongcheng))
    ws = wb[load_form().sheet]
    ws["C8"] = (ws["D8"].value or 0) + (ws["E8"].value or 0) + 1  # 合计 one more than 小学 + 初中
    buf = __import__("io").BytesIO()
    wb.save(buf)
    put(folder, "附件5-曾都区东城小学.xlsx", buf.getvalue(), "2023-11-16T10:12:00")
    put(folder, "东城小学案例.docx", article("曾都区东城小学"), "2023-11-08T09:00:00")
    put(folder, "东城小学落实情况报告.docx", article("曾都区东城小学", kind=REPORT), "2023-11-18T09:00:00")
    put(folder, "附件5-万店镇中心小学.xlsx", workbook(folder, "万店镇中心小学", 2), "2023-11-15T11:03:00")
    put(folder, "万店镇中心小学案例.docx", article("万店镇中心小学", chars=23), "2023-11-09T09:00:00")
    put(folder, "万店镇中心小学推荐.docx", article("万店镇中心小学", kind="优秀督导干部推荐"), "2023-11-09T09:00:00")
    put(folder, "万店镇中心小学落实情况报告.docx", article("万店镇中心小学", kind=REPORT), "2023-11-18T09:00:00")
    put(folder, "附件5-万店镇泉水小学.xlsx", workbook(folder, "万店镇泉水小学", 3)[:3000], "2023-11-19T21:00:00")
    monkeypatch.setenv("DUDAO_NOW", EVENING)
    assert dudao(capsys, "collect", folder)[0] == 0
    return folder


def feedback(capsys, folder: Path, *extra: str) -> str:
    code, out, err = dudao(capsys, "feedback", folder, "--warnings", "--no-pdf", *extra)
    assert code == 0, err
    return out


def body(folder: Path, name: str) -> str:
    return read_eml(folder / "feedback" / name).get_body(("plain",)).get_content().replace("\r\n", "\n")


def chat(folder: Path, name: str) -> str:
    return (folder / "feedback" / name).read_bytes().decode("utf-8-sig").replace("\r\n", "\n").strip()


def section(text: str, head: str) -> list[str]:
    """The numbered lines under a heading of a letter, up to the next blank line."""
    lines = text.split(head, 1)[1].split("\n\n", 1)[0].split("\n")[1:]
    return [line for line in lines if line[:1].isdigit()]


def notice(folder: Path, school: str, today: date = date(2023, 11, 20)):
    with open_collection(folder) as col:
        state = next(s for s in overview(col).schools if s.school.name == school)
        return notice_of(col.form, col.settings, state, today), state


# --- the date to send again --------------------------------------------------------------------


@pytest.mark.parametrize("today, days, expected", [
    (date(2023, 11, 20), 3, date(2023, 11, 23)),  # Monday -> Thursday
    (date(2023, 11, 24), 3, date(2023, 11, 29)),  # Friday -> the next Wednesday
    (date(2023, 11, 25), 1, date(2023, 11, 27)),  # Saturday -> Monday
])
def test_working_days_skip_the_weekend(today, days, expected):
    assert working_days_after(today, days) == expected


def test_sent_back_early_a_school_keeps_its_time_until_the_deadline():
    s = Settings("x", "曾都区", deadline="2023-11-20")
    assert resubmit_date(s, date(2023, 11, 6)).by == date(2023, 11, 20)
    assert resubmit_date(s, date(2023, 11, 20)).by == date(2023, 11, 23)


def test_every_message_to_a_returned_school_names_the_date_to_send_again(plan_col, capsys):
    feedback(capsys, plan_col)
    expected = "11月23日前"  # three working days after Monday the 20th
    assert "现退回，请于11月23日前修改后重新报送。" in body(plan_col, "曾都区东城小学-退回修改.eml")
    assert chat(plan_col, "曾都区东城小学-退回修改.txt").split("\n")[-2] == f"请在原表上改好后，于{expected}重新发到群里。"
    guide = load_workbook(plan_col / "feedback" / "曾都区东城小学-退回修改.xlsx")[FEEDBACK_SHEET]
    assert guide["A3"].value == "请于11月23日前修改后重新报送。"
    n, _ = notice(plan_col, "曾都区东城小学")
    assert page_lines(n)[-1] == ("closing", "改好后把这个表重新发回，请于11月23日前修改后重新报送。")
    assert "今天内" not in body(plan_col, "曾都区东城小学-退回修改.eml")


def test_the_clerks_date_is_set_from_the_command_line_and_named_everywhere(plan_col, capsys):
    code, out, err = dudao(capsys, "settings", plan_col, "--resubmit-by", "2023年11月24日")
    assert code == 0, err
    assert "重新报送日期：2023-11-24" in out
    assert 'resubmit_by = "2023-11-24"' in (plan_col / "收集设置.toml").read_text(encoding="utf-8")
    feedback(capsys, plan_col)
    assert "请于11月24日前修改后重新报送" in body(plan_col, "曾都区东城小学-退回修改.eml")
    assert "于11月24日前重新发到群里" in chat(plan_col, "曾都区东城小学-退回修改.txt")
    assert dudao(capsys, "settings", plan_col, "--resubmit-by", "", "--resubmit-days", "5")[0] == 0
    feedback(capsys, plan_col)
    assert "请于11月27日前修改后重新报送" in body(plan_col, "曾都区东城小学-退回修改.eml")  # five working days
    code, _, err = dudao(capsys, "settings", plan_col, "--resubmit-days", "0")
    assert code == 2 and "应为 1 到 30 的整数" in err


def test_a_date_already_past_is_not_written_and_the_clerk_is_told(plan_col, capsys):
    assert dudao(capsys, "settings", plan_col, "--resubmit-by", "2023-11-17")[0] == 0
    out = feedback(capsys, plan_col)
    assert "设置的重新报送日期（11月17日）已过，本次反馈写的是 11月23日" in out
    assert "请于11月23日前修改后重新报送" in body(plan_col, "曾都区东城小学-退回修改.eml")


# --- every channel says the same ----------------------------------------------------------------


def test_a_warning_is_never_listed_as_something_to_fix(plan_col, capsys):
    """东城小学: one error (C8), one warning (the phone). 需要修改 counts and lists the error alone;
    the warning is under 请核对, numbered after it, in the letter, the chat text, the first sheet
    and the phone page alike."""
    feedback(capsys, plan_col)
    letter = body(plan_col, "曾都区东城小学-退回修改.eml")
    assert "经校验，有 1 处需要修改，另有 1 处请核对，现退回" in letter
    fix = section(letter, "需要修改（1 处，附件表格中标红的单元格）：")
    check = section(letter, "请核对（1 处，附件表格中标黄的单元格，确认无误可以不改）：")
    assert len(fix) == 1 and fix[0].startswith("1. 派出责任督学数（人）：C8 合计")
    assert len(check) == 1 and check[0].startswith("2. F3 联系电话“123”")
    text = chat(plan_col, "曾都区东城小学-退回修改.txt").split("\n")
    assert text[0].endswith("有 1 处需要修改，另有 1 处请核对：")
    assert text[1].startswith("1. 派出责任督学数") and text[2].startswith("2. （请核对）F3 联系电话")
    guide = [r for r in load_workbook(plan_col / "feedback" / "曾都区东城小学-退回修改.xlsx")[FEEDBACK_SHEET]
             .iter_rows(values_only=True) if any(r)]
    heads = [r[0] for r in guide if isinstance(r[0], str) and r[0][:2] in ("一、", "二、")]
    assert heads == ["一、需要修改（共 1 处，标红的单元格）", "二、请核对（共 1 处，标黄的单元格，确认无误可以不改）"]
    assert [(r[0], r[1]) for r in guide if isinstance(r[0], int)] == [(1, "C8"), (2, "F3")]
    n, _ = notice(plan_col, "曾都区东城小学")
    page = page_lines(n)
    assert page[0] == ("head", "曾都区东城小学：有 1 处需要修改，另有 1 处请核对")
    assert [style for style, _ in page[1:5]] == ["section", "error", "section", "warning"]
    assert page[1][1] == "需要修改（1 处，标红的格）："
    window = notice_lines(n)  # what the window's details show, line by line
    assert [style for style, _ in window] == ["head", "error", "warning", "owed"]
    assert window[0] == ("head", "退回修改：有 1 处需要修改，另有 1 处请核对，请于11月23日前修改后重新报送")
    assert window[1][1].startswith("1. 派出责任督学数（人）：C8") and window[2][1].startswith("2. F3 联系电话")


def test_what_a_school_still_owes_is_said_in_every_channel_each_by_its_own_deadline(plan_col, capsys):
    """The recommendation was due 11月10日 (passed), not the form's 11月20日; the letter says it as
    the chat text does."""
    feedback(capsys, plan_col)
    owed = f"还缺：{CADRE}（11月10日已截止，请于11月23日前补交）"
    assert chat(plan_col, "曾都区东城小学-退回修改.txt").split("\n")[-1] == owed
    assert f"{owed}。材料请直接回复本邮件或发到工作群" in body(plan_col, "曾都区东城小学-退回修改.eml")
    guide = load_workbook(plan_col / "feedback" / "曾都区东城小学-退回修改.xlsx")[FEEDBACK_SHEET]
    assert any(str(c.value).startswith(owed) for row in guide.iter_rows() for c in row if c.value)
    n, _ = notice(plan_col, "曾都区东城小学")
    assert ("owed", owed) in notice_lines(n) and ("closing", owed) in page_lines(n)


def test_a_reminder_lists_exactly_the_materials_the_schools_kind_owes(plan_col, capsys):
    """The recommendation is asked of 中心学校 and 区直学校 only (``who = { kind = [...] }``):
    牛王小学 (其他) owes the case and the report; 东城小学 (区直学校) owes the recommendation."""
    feedback(capsys, plan_col)
    niuwang = chat(plan_col, "万店镇牛王小学-催报.txt").split("\n")
    assert niuwang[-1] == f"还缺：{CASE}（11月10日已截止，请于11月23日前补交）、{REPORT}（11月20日前）"
    assert f"还缺：{CASE}（11月10日已截止，请于11月23日前补交）、{REPORT}（11月20日前）。" in body(
        plan_col, "万店镇牛王小学-催报.eml")
    assert "推荐" not in "\n".join(niuwang)
    group = chat(plan_col, "催报名单.txt")
    assert f"万店镇牛王小学（{CASE}、{REPORT}）" in group and f"曾都区东城小学（{CADRE}）" in group


# --- a damaged file reaches its school ------------------------------------------------------------


def test_a_broken_workbook_under_its_issued_name_is_its_schools_without_a_tie(plan_col, capsys):
    data = status_json(capsys, plan_col)
    (broken,) = [u for u in data["unreadable"] if u["file"].endswith("附件5-万店镇泉水小学.xlsx")]
    assert broken["school"] == "万店镇泉水小学" and broken["kind"] == "corrupt"
    feedback(capsys, plan_col)
    said = ("贵校发来的文件“附件5-万店镇泉水小学.xlsx”（11月19日 21:00 收到）无法打开："
            "文件已损坏，请用 Excel/WPS 打开后重新保存再发送")
    letter = body(plan_col, "万店镇泉水小学-催报.eml")
    text = chat(plan_col, "万店镇泉水小学-催报.txt")
    for words in (letter, text):
        assert said in words
        assert "没有收到" not in words and "让学校" not in words
    assert "请于11月23日前重新发送。" in letter and text.split("\n")[1] == "请于11月23日前重新发到群里。"
    assert read_eml(plan_col / "feedback" / "万店镇泉水小学-催报.eml")["Subject"].startswith("【请重新发送】")
    # The group's list names it among those not yet in, with why: it did send something.
    group = chat(plan_col, "催报名单.txt").split("\n")
    assert group[1] == "万店镇中心学校：万店镇牛王小学、万店镇泉水小学（发来的文件打不开，请重新发送）"


def test_tie_answers_in_a_sentence(plan_col, capsys):
    code, out, err = dudao(capsys, "tie", plan_col, "附件5-万店镇泉水小学.xlsx", "万店镇泉水小学")
    assert code == 0, err
    assert out.strip() == ("已记录：“附件5-万店镇泉水小学.xlsx”是万店镇泉水小学发来的文件。"
                           "给万店镇泉水小学的反馈会说明这份文件无法打开、请重新保存后发送。")


def test_a_file_tied_by_the_clerk_is_told_as_unopened_never_as_nothing_received(plan_col, capsys):
    put(plan_col, "新建 Microsoft Excel 工作表.xlsx", b"", "2023-11-19T22:00:00")  # names no school
    assert dudao(capsys, "collect", plan_col)[0] == 0
    (empty,) = [u for u in status_json(capsys, plan_col)["unreadable"] if u["kind"] == "empty-file"]
    assert empty["school"] is None
    assert dudao(capsys, "tie", plan_col, "新建 Microsoft Excel 工作表.xlsx", "万店镇牛王小学")[0] == 0
    feedback(capsys, plan_col)
    text = chat(plan_col, "万店镇牛王小学-催报.txt")
    assert text.split("\n")[0] == ("【请重新发送】万店镇牛王小学 @李明：关于《曾都区2023年“双减”督导有关情况统计表》，"
                                   "贵校发来的文件“新建 Microsoft Excel 工作表.xlsx”（11月19日 22:00 收到）无法打开："
                                   "文件是空的（0 字节），可能没有发送完整，请重新发送。")
    for words in (text, body(plan_col, "万店镇牛王小学-催报.eml")):
        assert "没有收到" not in words and "让学校" not in words and "下载" not in words


def test_no_reason_a_school_reads_asks_it_to_make_itself_do_something():
    """The clerk's reasons say "请让学校…"; what a school reads never does."""
    for kind, words in FOR_SCHOOL.items():
        assert kind in MESSAGES and "学校" not in words, kind


# --- a document's warning reaches its school ------------------------------------------------------


def test_a_case_much_too_short_is_told_to_the_school_as_a_check(plan_col, capsys):
    feedback(capsys, plan_col)
    said = ("1. 文件“万店镇中心小学案例.docx”：这份“双减”督导优秀工作案例正文只有 42 个字，不像完整的材料"
            "（一般应有 200 字以上），请核对是否发错了文件")
    text = chat(plan_col, "万店镇中心小学-请核对.txt").split("\n")
    assert text[0] == "【请核对】万店镇中心小学 @朱红：贵校发来的材料有 1 处请核对：" and text[1] == said
    letter = body(plan_col, "万店镇中心小学-请核对.eml")
    assert section(letter, "请核对（1 处，确认无误可以不改）：") == [said]
    assert not (plan_col / "feedback" / "万店镇中心小学-请核对.xlsx").exists()  # nothing to mark in its form
    _, state = notice(plan_col, "万店镇中心小学")
    case = next(m for m in state.materials if m.material.id == "case")
    assert short_label(case) == "请核对"  # what the window's column shows: what to do first


def test_a_blank_document_is_owed_again_with_its_reason_and_the_date(plan_col, capsys):
    from documents_builders import docx

    put(plan_col, "万店镇牛王小学案例.docx", docx(["", ""]), "2023-11-09T09:00:00")
    assert dudao(capsys, "collect", plan_col)[0] == 0
    feedback(capsys, plan_col)
    assert chat(plan_col, "万店镇牛王小学-催报.txt").split("\n")[-1] == (
        f"还缺：{CASE}（11月23日前重交：这份{CASE}中没有文字内容，请确认发送的是写好的材料，重新发送）、{REPORT}（11月20日前）")
