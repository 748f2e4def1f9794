"""What a school reads, judged as the reporter reads it on a phone at 17:00 on deadline day.

The same six-school collection as ``test_feedback`` (its fixture), with real files: the chat
texts written to ``feedback/``, the .eml drafts parsed back, the 请核对 letters for warnings, the
clerk's confirmations and remarks from the real ledger, and the phone page made by LibreOffice.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

import pytest
from openpyxl import load_workbook

import lo
from aggregator import clock
from aggregator.collection.clerk import overrule
from aggregator.collection.store.roster import School
from aggregator.collection.views.status import overview
from aggregator.outputs import phone as phone_module
from aggregator.outputs.chat import chat_text, reminder_list
from aggregator.outputs.feedback import STALE_FOLDER
from aggregator.outputs.letters import greeting
from aggregator.outputs.markup import FEEDBACK_SHEET

from test_feedback import (  # noqa: F401 - the fixture is used by name
    LAYOUT, S1, S3, S4, S6, TITLE, TODAY, col, feedback_of, findings_of, read_eml, record, return_values,
    workbook_bytes,
)

DEADLINE_DAY = datetime(2023, 11, 20, 17, 0)


def state_of(col, school):
    return next(s for s in overview(col).schools if s.school.name == school)


def chat_file(col, school: str, tag: str) -> str:
    raw = (col.root / "feedback" / f"{school}-{tag}.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # Notepad on any Windows shows it right
    return raw.decode("utf-8-sig").replace("\r\n", "\n").strip()


def with_warning_only(col, school: str = S3):
    """A school whose return passes, with one warning (a phone number that is not one)."""
    vals = return_values(school, phone="123")
    record(col, school, vals, workbook_bytes(vals), "三小.xlsx")


# --- the chat text -----------------------------------------------------------------------------


def test_chat_text_is_three_to_six_lines_with_the_deadline(col):
    feedback_of(col)
    for school, tag in ((S1, "退回修改"), (S6, "退回修改"), (S3, "催报")):
        text = chat_file(col, school, tag)
        lines = text.split("\n")
        assert 1 <= len(lines) <= 6, text
    # TODAY, Saturday 25 November, is after the deadline: three working days on is Wednesday the 29th
    assert chat_file(col, S1, "退回修改").split("\n")[-1] == "请在原表上改好后，于11月29日前重新发到群里。"
    assert "还没有收到贵校的报表，截止日期（11月20日）已过，请于11月29日前报送。" in chat_file(col, S3, "催报")
    s6 = chat_file(col, S6, "退回修改").split("\n")
    assert s6[0].startswith(f"【退回修改】{S6} @孙老师：")
    assert 3 <= len(s6) <= 6


def test_chat_text_gives_connected_findings_one_fix_once(col):
    feedback_of(col)
    text = chat_file(col, S6, "退回修改")
    rect = [f for f in findings_of(col, S6) if f.rule == "rectification"]
    assert len(rect) == 2 and rect[0].fix == rect[1].fix
    assert text.count(rect[0].fix) == 1  # said once, not once per finding
    assert "存在问题应为" not in text  # no rule's own fix contradicting the agreed one


def test_chat_text_never_longer_than_six_lines_with_many_problems_and_a_remark(col):
    overrule.remark(col, S1, "请王老师今天下班前发回")
    state = state_of(col, S1)
    many = tuple(replace(f, message=f"{f.message}{i}", link=0) for i in range(5) for f in state.findings)
    state = replace(state, findings=many)
    text = chat_text(col.form, col.settings, state, TODAY)
    lines = text.split("\n")
    assert len(lines) == 6, text
    assert lines[-1] == "区教育局：请王老师今天下班前发回"
    assert "另有" in text


def test_deadline_words_follow_the_day(col):
    state = state_of(col, S3)
    before = chat_text(col.form, col.settings, state, datetime(2023, 11, 18).date())
    on_the_day = chat_text(col.form, col.settings, state, DEADLINE_DAY.date())
    assert "请于11月20日前报送" in before
    assert "今天（11月20日）是截止日期" in on_the_day


def test_group_reminder_list_by_parent_unit(col):
    feedback_of(col)
    text = (col.root / "feedback" / "催报名单.txt").read_bytes().decode("utf-8-sig")
    assert "尚有 2 所学校未报送" in text and f"南郊中心学校：{S3}、{S4}" in text
    assert text == reminder_list(overview(col).schools, col.settings, col.form, TODAY).replace("\n", "\r\n") + "\r\n"


# --- e-mail --------------------------------------------------------------------------------------


def test_letter_is_from_the_bureau_to_the_contact_in_local_time(col):
    col.change_settings(mail_sender="jyj@zdedu.example", reporter="张三", phone="0722-1234567")
    with clock.pinned(DEADLINE_DAY):
        feedback_of(col, today=None)
    msg = read_eml(col.root / "feedback" / f"{S1}-退回修改.eml")
    assert msg["From"] == "曾都区教育局 <jyj@zdedu.example>"
    assert msg["Date"].endswith("+0800") and "20 Nov 2023 17:00:00" in msg["Date"]
    body = msg.get_body(("plain",)).get_content()
    assert body.startswith("王老师：")
    assert "现退回，请于11月23日前修改后重新报送。" in body  # deadline day, a Monday: Thursday the 23rd
    assert "联系人：张三  0722-1234567" in body and "2023年11月20日" in body.rsplit("联系人", 1)[1]
    assert not re.search(r"\[([A-Z]+\d+)[^\]]*\] \1", body)  # never "[F3] F3 …"


def test_without_a_sender_address_the_clerk_is_told_how_to_set_it(col):
    res = feedback_of(col)
    assert any("--mail-sender" in str(n) for n in res.notes)
    assert read_eml(col.root / "feedback" / f"{S1}-退回修改.eml")["From"] is None


@pytest.mark.parametrize("contact, expected", [
    ("黄伟", "黄老师："), ("欧阳明", "欧阳老师："), ("王主任", "王主任："), ("", "曾都区实验小学："),
    ("Li Ming", "曾都区实验小学："), ("张三、李四", "张老师："),
])
def test_greeting_from_the_roster_contact(contact, expected):
    assert greeting(School("S1", "曾都区实验小学", contact=contact)) == expected


def test_remark_goes_into_the_letter_the_workbook_and_the_chat(col):
    overrule.remark(col, S1, "表中第三行请按区里统一口径填写")
    feedback_of(col)
    body = read_eml(col.root / "feedback" / f"{S1}-退回修改.eml").get_body(("plain",)).get_content()
    assert "表中第三行请按区里统一口径填写" in body
    guide = load_workbook(col.root / "feedback" / f"{S1}-退回修改.xlsx")[FEEDBACK_SHEET]
    assert any("表中第三行请按区里统一口径填写" in str(c.value) for row in guide.iter_rows() for c in row)
    assert chat_file(col, S1, "退回修改").endswith("区教育局：表中第三行请按区里统一口径填写")


# --- warnings: 请核对 --------------------------------------------------------------------------------


def test_warnings_letters_only_when_asked(col):
    with_warning_only(col)
    res = feedback_of(col)
    assert res.checks == 0 and not (col.root / "feedback" / f"{S3}-请核对.xlsx").exists()
    res = feedback_of(col, warnings=True)
    assert res.checks == 1
    folder = col.root / "feedback"
    for suffix in (".xlsx", ".eml", ".txt"):
        assert (folder / f"{S3}-请核对{suffix}").is_file()
    msg = read_eml(folder / f"{S3}-请核对.eml")
    assert msg["Subject"] == f"【请核对】{TITLE}——{S3}"
    body = msg.get_body(("plain",)).get_content()
    assert "已通过校验并计入汇总" in body and "联系电话“123”" in body
    wb = load_workbook(folder / f"{S3}-请核对.xlsx")
    assert wb.sheetnames[0] == FEEDBACK_SHEET
    assert "核对说明" in wb[FEEDBACK_SHEET]["A1"].value
    ws = wb[wb.sheetnames[1]]
    assert ws[LAYOUT.cells["phone"]].fill.fgColor.rgb == "FFFFEB9C"  # yellow: look, do not necessarily change
    text = chat_file(col, S3, "请核对")
    assert text.startswith(f"【请核对】{S3} @张老师：") and "不用重新报送" in text


def test_a_confirmed_warning_is_not_asked_again(col):
    with_warning_only(col)
    feedback_of(col, warnings=True)
    rules = sorted({f.rule for f in findings_of(col, S3) if f.level == "warning"})
    assert "phone" in rules
    for rule in rules:
        decision = overrule.confirm(col, S3, rule, "电话打过去核实了，是分机号")
        assert decision.at and decision.note == "电话打过去核实了，是分机号"
    assert state_of(col, S3).status == "accepted"
    res = feedback_of(col, warnings=True)
    assert res.checks == 0
    assert not (col.root / "feedback" / f"{S3}-请核对.xlsx").exists()
    assert (col.root / "feedback" / STALE_FOLDER / f"{S3}-请核对.xlsx").exists()


def test_returned_school_with_warnings_gets_one_letter(col):
    feedback_of(col, warnings=True)
    assert not (col.root / "feedback" / f"{S1}-请核对.eml").exists()  # its warnings are in the 退回 letter
    body = read_eml(col.root / "feedback" / f"{S1}-退回修改.eml").get_body(("plain",)).get_content()
    assert "请核对（1 处，附件表格中标黄的单元格，确认无误可以不改）：" in body


# --- the phone page ------------------------------------------------------------------------------


def test_without_libreoffice_the_clerk_is_told_and_gets_the_xlsx(col, monkeypatch):
    monkeypatch.setattr(phone_module, "soffice", lambda: None)
    res = feedback_of(col, phone=True)
    assert any("没有找到 LibreOffice" in str(n) for n in res.notes)
    assert not list((col.root / "feedback").glob("*.pdf"))
    assert (col.root / "feedback" / f"{S1}-退回修改.xlsx").is_file()


@pytest.mark.libreoffice
@pytest.mark.skipif(bool(lo.missing(pdf=True)), reason=lo.missing(pdf=True) or "-")
def test_phone_page_is_one_pdf_page_with_the_items(col):
    res = feedback_of(col, phone=True)
    pdfs = sorted((col.root / "feedback").glob("*-手机查看.pdf"))
    assert [p.name for p in pdfs] == sorted(f"{s}-退回修改-手机查看.pdf" for s in (S1, "曾都区第五中学", S6))
    assert all(p in res.files for p in pdfs)
    for pdf in pdfs:
        assert lo.pdf_pages(pdf) == 1, pdf.name
        width, height = lo.pdf_page_size(pdf)
        assert width < height  # portrait: a phone holds it upright
    text = "".join(lo.pdf_text(col.root / "feedback" / f"{S6}-退回修改-手机查看.pdf").split())
    fix = next(f.fix for f in findings_of(col, S6) if f.rule == "rectification")
    assert "".join(fix.split()) in text
    assert TITLE in text
    # the heading counts what it lists: one item to change, one to check, each under its own head
    assert f"{S6}：有1处需要修改，另有1处请核对" in text
    assert "需要修改（1处，标红的格）：1." in text and "请核对（1处，标黄的格，确认无误可以不改）：2." in text
    assert "请于11月29日前修改后重新报送。" in text
