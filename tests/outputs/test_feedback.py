"""``dudao feedback``: what a school that was sent back, or is late, actually receives.

Real files throughout: a collection folder, return workbooks built from the issued template and
recorded in the ledger with the validator's findings, the feedback workbooks and .eml drafts
read back, and a real SMTP server on 127.0.0.1 for sending.
"""

from __future__ import annotations

import csv
import email
import email.policy
import hashlib
import io
import socket
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from aggregator.collection.store.folder import CollectionError, init_collection
from aggregator.outputs.feedback import GROUP_LIST, INDEX_CSV, STALE_FOLDER, feedback
from aggregator.session import Session
from aggregator.collection.store.ledger import FileRecord, ReturnRecord
from aggregator.form.layout import layout_of
from aggregator.outputs.markup import AUTHOR, FEEDBACK_SHEET
from aggregator.messages import render
from aggregator.progress import Cancel, Cancelled, Progress, run
from aggregator.reading.submission import Submission
from aggregator.outputs.template import build_template
from aggregator.checks.validate import Context, validate

from builders import rewrite_package
from optional import require
from forms_helpers import FORM, values

LAYOUT = layout_of(FORM)
TITLE = FORM.title("曾都区")
TODAY = date(2023, 11, 25)  # after the deadline

HYPERLINK = '=HYPERLINK("http://evil.example/x","点我")'

ROSTER = """学校名称,学段,所属单位,联系人,联系电话,邮箱
曾都区实验小学,九年一贯制,区直学校,王老师,13872345678,shiyan@example.com
曾都区第二中学,九年一贯制,区直学校,李老师,13872345679,erzhong@example.com
曾都区第三小学,小学,南郊中心学校,张老师,13872345670,sanxiao@example.com
曾都区第四小学,小学,南郊中心学校,赵老师,13872345671,
曾都区第五中学,九年一贯制,区直学校,钱老师,13872345672,
曾都区第六小学,九年一贯制,区直学校,孙老师,13872345673,liuxiao@example.com；bad-address
"""

S1, S2, S3, S4, S5, S6 = (
    "曾都区实验小学", "曾都区第二中学", "曾都区第三小学", "曾都区第四小学", "曾都区第五中学", "曾都区第六小学",
)


# --- building a collection ------------------------------------------------------------------


def return_values(school: str, **changes) -> dict:
    vals = values(**changes)
    vals["unit"] = school
    return vals


def workbook_bytes(vals: dict, sheet_title: str | None = None, sheet_before: str | None = None) -> bytes:
    """The issued form filled with ``vals``; its sheet renamed ``sheet_title``, and a visible sheet
    ``sheet_before`` of the school's own (with text in the cells the form uses) put first."""
    wb = build_template(FORM, district="曾都区", unit=vals["unit"], values=vals)
    if sheet_title:
        wb[FORM.sheet].title = sheet_title
    if sheet_before:
        notes = wb.create_sheet(sheet_before, 0)
        for ref in ("A1", "B3", "C8", "D8", "E8"):
            notes[ref] = "本校填表说明"
        wb.active = 0
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def record(col, school: str, vals: dict, data: bytes, name: str, received_at: str = "2023-11-18T10:00:00"):
    """Archive a returned file and insert its ledger rows with the validator's findings."""
    sid = next(s.id for s in col.schools() if s.name == school)
    stage = next(s.stage for s in col.schools() if s.name == school)
    sha = hashlib.sha256(data).hexdigest()
    rel = Path("archive") / "2023-11-18" / f"{sha[:12]}-{name}"
    (col.root / rel).parent.mkdir(parents=True, exist_ok=True)
    (col.root / rel).write_bytes(data)
    sub = Submission(FORM.id, FORM.version, vals, LAYOUT.cells, sheet=FORM.sheet)
    report = validate(FORM, sub, Context(in_roster=True, stage=stage))
    with col.ledger.transaction():
        col.ledger.add_file(FileRecord(sha, name, "inbox", rel.as_posix(), len(data), received_at,
                                       "2023-11-19T09:00:00", "return"))
        sub = Submission(FORM.id, FORM.version, vals, dict(LAYOUT.cells), sheet=FORM.sheet)
        col.ledger.add_return(ReturnRecord(sub, sha, sid, "unit", None, received_at, report.findings))
    return report


@pytest.fixture
def col(tmp_path):
    roster = tmp_path / "名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    c = init_collection(tmp_path / "收集", roster, name="曾都区", deadline="2023-11-20")
    # 1: row-sum error in C8, a formula-like reporter, a phone warning
    v1 = return_values(S1, inspectors__total=12, reporter=HYPERLINK, phone="123")
    record(c, S1, v1, workbook_bytes(v1), "附件5(1).xlsx")
    # 2: passes
    v2 = return_values(S2)
    record(c, S2, v2, workbook_bytes(v2), "二中.xlsx")
    # 5: sent as .xls: cannot be edited, rebuilt from the values
    v5 = return_values(S5, problems__total=9)
    record(c, S5, v5, b"\xd0\xcf\x11\xe0 not really an xls", "五中统计表.xls")
    # 6: sheet renamed, rectification error, blank problem lines (a warning on merged C11:F11)
    v6 = return_values(S6, problem_1="", problem_2="", problems_rectified__primary=1,
                       problems_rectified__total=2, problems_in_progress__total=2, problems_in_progress__primary=1)
    v6["problems.primary"] = 3  # 3 != 1 + 1 in D17, and the total 5 != 2 + 2 in C17
    v6["problems.total"] = 5
    # the rest of the rectification rows written out, whatever the sample return holds: 2 = 1 + 1
    v6.update({"problems.junior": 2, "problems_rectified.junior": 1, "problems_in_progress.junior": 1,
               "problem_schools.total": 2, "problem_schools.primary": 1, "problem_schools.junior": 1,
               "rectified_schools.total": 0, "rectified_schools.primary": 0, "rectified_schools.junior": 0})
    record(c, S6, v6, workbook_bytes(v6, sheet_title="Sheet1"), "六小.xlsx")
    yield c
    c.close()


def feedback_of(col, **kw):
    """Feedback as of TODAY; without the phone PDFs (LibreOffice) unless a test asks for them."""
    kw.setdefault("phone", False)
    kw.setdefault("today", TODAY)
    return run(Session(col).feedback(**kw))  # through the front door: what went out is kept


def findings_of(col, school):
    from aggregator.collection.views.status import overview

    return next(s for s in overview(col).schools if s.school.name == school).findings


def read_eml(path: Path):
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


# --- the workbook sent back -------------------------------------------------------------------


def test_files_only_for_returned_and_missing_schools(col):
    res = feedback_of(col)
    folder = col.root / "feedback"
    assert res.folder == folder
    assert (res.returned, res.reminders) == (3, 2)
    names = sorted(p.name for p in folder.iterdir() if p.is_file())
    assert names == sorted([
        f"{S1}-退回修改.xlsx", f"{S1}-退回修改.eml", f"{S1}-退回修改.txt",
        f"{S5}-退回修改.xlsx", f"{S5}-退回修改.eml", f"{S5}-退回修改.txt",
        f"{S6}-退回修改.xlsx", f"{S6}-退回修改.eml", f"{S6}-退回修改.txt",
        f"{S3}-催报.eml", f"{S3}-催报.txt", f"{S4}-催报.eml", f"{S4}-催报.txt",
        INDEX_CSV, GROUP_LIST,
    ])
    assert sorted(p.name for p in res.files) == names
    assert not any(S2 in n for n in names)


def test_first_sheet_lists_every_finding_and_is_active(col):
    feedback_of(col)
    wb = load_workbook(col.root / "feedback" / f"{S1}-退回修改.xlsx")
    assert wb.sheetnames[0] == FEEDBACK_SHEET
    assert wb.active.title == FEEDBACK_SHEET
    assert [ws.sheet_view.tabSelected for ws in wb.worksheets].count(True) == 1
    ws = wb[FEEDBACK_SHEET]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert S1 in text and "退回" in text
    assert "请于11月29日前修改后重新报送。" in text  # 25 Nov is a Saturday: three working days on
    assert ["序号", "单元格", "问题（及改法）"] in [[c.value for c in row[:3]] for row in ws.iter_rows()]
    found = findings_of(col, S1)
    assert {f.level for f in found} == {"error", "warning"}
    for f in found:
        assert f.message in text
    # errors come before warnings
    first_warning = next(f for f in found if f.level == "warning").message
    first_error = next(f for f in found if f.level == "error").message
    assert text.index(first_error) < text.index(first_warning)
    assert ws.column_dimensions["C"].width >= 60
    assert ws["C1"].alignment.wrap_text or ws["A1"].alignment.wrap_text


def comments_of(ws) -> dict[str, str]:
    return {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment is not None}


def test_only_the_cell_to_change_is_red_with_the_one_comment_of_its_item(col):
    """C8 合计(12) ≠ 小学(2) + 初中(1): the school changes C8. D8 and E8 explain it: no colour, a
    line pointing to C8. The warning's cell is yellow."""
    feedback_of(col)
    wb = load_workbook(col.root / "feedback" / f"{S1}-退回修改.xlsx")
    ws = wb[FORM.sheet]
    found = findings_of(col, S1)
    row_sum = next(f for f in found if f.rule == "row-sum")
    assert row_sum.cells == ("C8", "D8", "E8")
    assert [ws[ref].fill.fgColor.rgb if ws[ref].fill.fill_type else None for ref in row_sum.cells] == [
        "FFFFC7CE", None, None]
    comments = comments_of(ws)
    assert {ref: text for ref, text in comments.items() if row_sum.message in text} == {
        "C8": f"{AUTHOR}：\n{row_sum.message}"}  # the whole text once, on the cell to change
    assert comments["D8"] == comments["E8"] == f"{AUTHOR}：\n这一格与问题有关，供参考，见 C8 的批注"
    phone = next(f for f in found if f.rule == "phone")
    cell = ws[phone.cells[0]]
    assert cell.fill.fgColor.rgb == "FFFFEB9C"
    assert phone.message in cell.comment.text
    assert len(comments) == 4  # B4, C8 and the two pointers
    # a cell without a problem is left alone
    assert ws["C9"].comment is None and ws["C9"].fill.fill_type is None


def test_original_values_untouched_and_school_text_never_a_formula(col):
    feedback_of(col)
    path = col.root / "feedback" / f"{S1}-退回修改.xlsx"
    wb = load_workbook(path)
    ws = wb[FORM.sheet]
    expected = return_values(S1, inspectors__total=12, reporter=HYPERLINK, phone="123")
    for fid, ref in LAYOUT.cells.items():
        want = expected[fid]
        assert ws[ref].value == (want if want != "" else None), fid
    reporter = ws[LAYOUT.cells["reporter"]]
    assert reporter.value == HYPERLINK and reporter.data_type == "s"
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert b"<f>HYPERLINK" not in zf.read(name)
        assert not any(n.endswith("vbaProject.bin") for n in zf.namelist())
    # the hidden metadata sheet is kept: a resubmitted copy is still recognised
    assert "dudao_meta" in wb.sheetnames


def test_renamed_sheet_and_merged_cells_are_marked(col):
    feedback_of(col)
    wb = load_workbook(col.root / "feedback" / f"{S6}-退回修改.xlsx")
    assert wb.sheetnames[:2] == [FEEDBACK_SHEET, "Sheet1"]
    ws = wb["Sheet1"]
    found = findings_of(col, S6)
    rect = [f for f in found if f.rule == "rectification"]
    assert rect
    assert len({f.link for f in rect}) == 1 and rect[0].link  # connected: one item, one fix
    # one item, one fix: C17 and D17 change (5 -> 4, 3 -> 2); the figures they are summed from do not
    assert rect[0].suggested == {"C17": 4, "D17": 2}
    fills = {ref: ws[ref].fill.fgColor.rgb if ws[ref].fill.fill_type else None
             for ref in ("C17", "D17", "E17", "C18", "D18", "C19", "D19")}
    assert fills == {"C17": "FFFFC7CE", "D17": "FFFFC7CE", "E17": None, "C18": None, "D18": None, "C19": None,
                     "D19": None}
    comments = comments_of(ws)
    assert [ref for ref, text in comments.items() if rect[0].fix in text] == ["C17"]
    assert comments["D17"] == f"{AUTHOR}：\n这一格也需要修改，见 C17 的批注"
    assert comments["C18"] == f"{AUTHOR}：\n这一格与问题有关，供参考，见 C17 的批注"
    text_warning = next(f for f in found if f.rule == "problems-text")
    anchor = ws[LAYOUT.cells["problem_1"]]  # C11, merged over C11:F11
    assert anchor.coordinate in text_warning.cells and "C11:F11" in {str(r) for r in ws.merged_cells.ranges}
    assert text_warning.message in anchor.comment.text
    assert anchor.fill.fgColor.rgb == "FFFFEB9C"  # Excel paints a merge with its top-left cell's fill
    # C17 has the error and explains the warning: red, the error's text first, then a line to C11
    assert comments["C17"].split("\n")[1].startswith("1. 【须修改】")
    assert comments["C17"].split("\n")[-1] == "2. 这一格与问题有关，供参考，见 C11 的批注"
    guide = "\n".join(str(c.value) for row in wb[FEEDBACK_SHEET].iter_rows() for c in row if c.value)
    assert "“Sheet1”工作表" in guide


def test_renamed_sheet_behind_another_visible_sheet_gets_the_marks(col):
    """The school renamed the form's sheet and put a sheet of its own before it: the marks go on
    the sheet the values were read from, never on the first visible one."""
    v3 = return_values(S3, inspectors__total=12)
    record(col, S3, v3, workbook_bytes(v3, sheet_title="填报", sheet_before="填表说明"), "三小.xlsx")
    feedback_of(col)
    wb = load_workbook(col.root / "feedback" / f"{S3}-退回修改.xlsx")
    assert wb.sheetnames == [FEEDBACK_SHEET, "填表说明", "填报", "dudao_meta"]
    (row_sum,) = [f for f in findings_of(col, S3) if f.rule == "row-sum"]
    assert wb["填报"]["C8"].fill.fgColor.rgb == "FFFFC7CE" and row_sum.message in wb["填报"]["C8"].comment.text
    notes = wb["填表说明"]
    assert all(c.comment is None and c.fill.fill_type is None for row in notes.iter_rows() for c in row)
    guide = wb[FEEDBACK_SHEET]
    assert "“填报”工作表" in "\n".join(str(c.value) for row in guide.iter_rows() for c in row if c.value)
    links = {c.hyperlink.location for row in guide.iter_rows() for c in row if c.hyperlink}
    assert "'填报'!C8" in links and all(link.startswith("'填报'!") for link in links)


def test_xls_return_is_rebuilt_from_its_values(col):
    res = feedback_of(col)
    wb = load_workbook(col.root / "feedback" / f"{S5}-退回修改.xlsx")
    assert wb.sheetnames[:2] == [FEEDBACK_SHEET, FORM.sheet]
    ws = wb[FORM.sheet]
    assert ws[LAYOUT.cells["unit"]].value == S5
    assert ws[LAYOUT.cells["problems.total"]].value == 9
    cell = ws[LAYOUT.cells["problems.total"]]
    assert cell.fill.fgColor.rgb == "FFFFC7CE" and cell.comment is not None
    guide = "\n".join(str(c.value) for row in wb[FEEDBACK_SHEET].iter_rows() for c in row if c.value)
    assert "无法在原表上标注" in guide
    assert any(S5 in n and "xls" in n for n in map(render, res.notes))


def test_resubmitted_feedback_copy_is_marked_afresh(col):
    """A school sends back our marked copy with C8 fixed but a new mistake: last round's red goes."""
    feedback_of(col)
    first = (col.root / "feedback" / f"{S1}-退回修改.xlsx").read_bytes()
    wb = load_workbook(io.BytesIO(first))
    ws = wb[FORM.sheet]
    ws["C8"].value = 3  # fixed
    ws[LAYOUT.cells["notices.total"]].value = 7  # new mistake in C10
    buf = io.BytesIO()
    wb.save(buf)
    vals = return_values(S1, notices__total=7, reporter=HYPERLINK, phone="123")
    record(col, S1, vals, buf.getvalue(), f"{S1}-退回修改.xlsx", received_at="2023-11-21T08:00:00")
    feedback_of(col)
    wb = load_workbook(col.root / "feedback" / f"{S1}-退回修改.xlsx")
    assert wb.sheetnames.count(FEEDBACK_SHEET) == 1 and wb.sheetnames[0] == FEEDBACK_SHEET
    ws = wb[FORM.sheet]
    assert ws["C8"].comment is None and ws["C8"].fill.fill_type is None
    assert ws["C10"].fill.fgColor.rgb == "FFFFC7CE" and "C10" in ws["C10"].comment.text


# --- the drafts -------------------------------------------------------------------------------


def test_returned_draft_parses_back(col):
    feedback_of(col)
    folder = col.root / "feedback"
    raw = (folder / f"{S1}-退回修改.eml").read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    msg = read_eml(folder / f"{S1}-退回修改.eml")
    assert msg["To"] == "shiyan@example.com"
    assert msg["Subject"] == f"【请修改后重报】{TITLE}——{S1}"
    assert msg["X-Unsent"] == "1" and msg["Date"] and msg["Message-ID"]
    body = msg.get_body(("plain",)).get_content()
    assert "王老师：" in body  # the roster's 联系人, not the school
    assert "C8 合计(12) ≠ 小学(2) + 初中(1)" in body and "[C8" not in body  # the cell named once
    assert "请在附件表格中按批注修改标红的单元格，改好后保存，于11月29日前用这个表重新报送" in body
    (att,) = list(msg.iter_attachments())
    assert att.get_filename() == f"{S1}-退回修改.xlsx"
    assert att.get_content() == (folder / f"{S1}-退回修改.xlsx").read_bytes()
    assert att.get_content_type() == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    # Outlook reads the RFC 2047 name in Content-Type
    assert 'name="=?utf-8?' in str(raw.decode("ascii"))


def test_reminders_carry_the_blank_workbook(col):
    outbox = col.root / "outbox"
    blank = build_template(FORM, district="曾都区", unit=S3)
    blank.save(outbox / f"附件5-{S3}.xlsx")
    feedback_of(col)
    msg = read_eml(col.root / "feedback" / f"{S3}-催报.eml")
    assert msg["To"] == "sanxiao@example.com"
    assert msg["Subject"] == f"【催报】{TITLE}——{S3}"
    body = msg.get_body(("plain",)).get_content()
    assert "截止日期（11月20日）已过，请于11月29日前报送。" in body
    (att,) = list(msg.iter_attachments())
    assert att.get_filename() == f"附件5-{S3}.xlsx"
    assert att.get_content() == (outbox / f"附件5-{S3}.xlsx").read_bytes()
    # no outbox copy: the same form is built, named for the school
    msg4 = read_eml(col.root / "feedback" / f"{S4}-催报.eml")
    (att4,) = list(msg4.iter_attachments())
    assert att4.get_filename() == f"附件5-{S4}.xlsx"
    wb = load_workbook(io.BytesIO(att4.get_content()))
    assert wb[FORM.sheet][LAYOUT.cells["unit"]].value == S4


def test_deadline_not_yet_past(col):
    run(feedback(col, today=date(2023, 11, 15)))
    body = read_eml(col.root / "feedback" / f"{S3}-催报.eml").get_body(("plain",)).get_content()
    assert "请于11月20日前报送（还有 5 天）。" in body and "已过" not in body


def test_school_without_email_gets_draft_without_to_and_a_note(col):
    res = feedback_of(col)
    msg = read_eml(col.root / "feedback" / f"{S4}-催报.eml")
    assert msg["To"] is None
    assert any(S4 in n and "没有邮箱" in n for n in map(render, res.notes))
    assert any(S6 in n and "bad-address" in n for n in map(render, res.notes))
    assert read_eml(col.root / "feedback" / f"{S6}-退回修改.eml")["To"] == "liuxiao@example.com"


def test_index_csv_opens_in_excel(col):
    feedback_of(col)
    raw = (col.root / "feedback" / INDEX_CSV).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:6] == ["学校", "状态", "错误", "提示", "邮箱", "生成的文件"]
    by_school = {r[0]: r for r in rows[1:]}
    assert set(by_school) == {S1, S2, S3, S4, S5, S6}
    assert by_school[S1][1] == "退回修改" and f"{S1}-退回修改.xlsx" in by_school[S1][5]
    assert by_school[S2][5] == ""
    assert by_school[S3][1].startswith("未报送") and by_school[S3][5] == f"{S3}-催报.eml；{S3}-催报.txt"


def test_stale_files_are_retired_not_deleted(col):
    feedback_of(col)
    # the school fixes its return: its old draft must not stay where the clerk sends from
    v1 = return_values(S1)
    record(col, S1, v1, workbook_bytes(v1), "附件5(2).xlsx", received_at="2023-11-22T08:00:00")
    res = feedback_of(col)
    folder = col.root / "feedback"
    assert not (folder / f"{S1}-退回修改.eml").exists()
    assert (folder / STALE_FOLDER / f"{S1}-退回修改.eml").exists()
    assert any(STALE_FOLDER in n for n in map(render, res.notes))


def test_progress_and_cancel(col):
    job = feedback(col, today=TODAY, phone=False)
    events = []
    while True:
        try:
            events.append(next(job))
        except StopIteration:
            break
    assert all(isinstance(e, Progress) for e in events)
    assert [e.done for e in events] == [1, 2, 3, 4, 5] and events[-1].total == 5
    cancel = Cancel()
    job = feedback(col, cancel=cancel, today=TODAY)
    next(job)
    cancel.set()
    with pytest.raises(Cancelled):
        next(job)


# --- sending ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Inbox:
    """An aiosmtpd handler that keeps what it receives and refuses one address."""

    def __init__(self, refuse: str = "") -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


@pytest.fixture
def smtp_server():
    controller_mod = require("aiosmtpd.controller", "aiosmtpd (test-only) is the SMTP server: pip install aiosmtpd")
    inbox = _Inbox(refuse="sanxiao@example.com")
    port = _free_port()
    controller = controller_mod.Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_ssl_to_a_plain_port_is_told_as_a_mismatch_of_port_and_encryption(col, smtp_server):
    _, port = smtp_server
    col.settings = replace(col.settings, mail={"smtp_host": "127.0.0.1", "smtp_port": port, "tls": "ssl",
                                               "sender": "jyj@example.com"})
    with pytest.raises(CollectionError) as refused:
        feedback_of(col, send=True)
    assert f"与邮件服务器 127.0.0.1:{port} 建立加密连接失败（端口与加密方式不匹配）：请检查 tls 与 smtp_port" \
        in str(refused.value)


def test_send_delivers_drafts_to_a_real_smtp_server(col, smtp_server):
    inbox, port = smtp_server
    col.settings = replace(col.settings, mail={"smtp_host": "127.0.0.1", "smtp_port": port, "tls": "none",
                                               "sender": "jyj@example.com"})
    res = feedback_of(col, send=True)
    # S1 and S6 have addresses; S3 is refused by the server; S4 and S5 have none
    assert res.sent == 2
    assert sorted(to for _, tos, _ in inbox.received for to in tos) == ["liuxiao@example.com", "shiyan@example.com"]
    assert any(S3 in n and "550" in n for n in map(render, res.notes))
    for mail_from, tos, content in inbox.received:
        assert mail_from == "jyj@example.com"
        msg = email.message_from_bytes(content, policy=email.policy.default)
        assert msg["X-Unsent"] is None and msg["From"] == "曾都区教育局 <jyj@example.com>"
        school = S1 if tos == ["shiyan@example.com"] else S6
        assert msg["Subject"] == f"【请修改后重报】{TITLE}——{school}"
        (att,) = list(msg.iter_attachments())
        assert att.get_filename() == f"{school}-退回修改.xlsx"
        assert att.get_content() == (col.root / "feedback" / f"{school}-退回修改.xlsx").read_bytes()
    rows = list(csv.reader(io.StringIO((col.root / "feedback" / INDEX_CSV).read_text(encoding="utf-8-sig"))))
    by_school = {r[0]: r for r in rows[1:]}
    assert by_school[S1][-1] == "已发送" and by_school[S3][-1].startswith("发送失败")
    assert by_school[S4][-1].startswith("未发送")

    # running again does not send the same return back twice; the failed one is retried
    again = feedback_of(col, send=True)
    assert again.sent == 0
    assert len(inbox.received) == 2
    assert any(S1 in n and "未重复发送" in n for n in map(render, again.notes))


def test_send_without_host_is_a_chinese_error(col):
    col.settings = replace(col.settings, mail={"smtp_host": "", "tls": "ssl"})
    with pytest.raises(CollectionError, match="smtp_host"):
        feedback_of(col, send=True)
    assert not list((col.root / "feedback").iterdir())  # refused before writing anything


def test_unreachable_server_says_drafts_are_saved(col):
    col.settings = replace(col.settings, mail={"smtp_host": "127.0.0.1", "smtp_port": _free_port(), "tls": "none",
                                               "sender": "jyj@example.com"})
    with pytest.raises(CollectionError, match="草稿") as refused:
        feedback_of(col, send=True)
    assert "（服务器拒绝连接）：请检查 smtp_host、smtp_port 和网络" in str(refused.value)  # not "[Errno 111] …"
    assert (col.root / "feedback" / f"{S1}-退回修改.eml").exists()


def test_a_mail_server_whose_name_does_not_resolve_is_named_as_such(col, monkeypatch):
    import socket

    def nowhere(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", nowhere)
    col.settings = replace(col.settings, mail={"smtp_host": "smtp.qq.cm", "smtp_port": 465, "tls": "ssl",
                                               "sender": "jyj@example.com"})
    with pytest.raises(CollectionError) as refused:
        feedback_of(col, send=True)
    assert "找不到邮件服务器 smtp.qq.cm（域名无法解析）：请检查 smtp_host 是否写对" in str(refused.value)


def _with_macro_part(xlsx: bytes) -> bytes:
    """The workbook as an .xlsm would carry it: a VBA project part declared in the manifest."""
    vba_type = b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>'
    return rewrite_package(xlsx, {"[Content_Types].xml": lambda d: d.replace(b"</Types>", vba_type)},
                           add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"})


def test_macros_never_travel_back(col):
    vals = return_values(S1, inspectors__total=12)
    record(col, S1, vals, _with_macro_part(workbook_bytes(vals)), "附件5.xlsm", received_at="2023-11-21T08:00:00")
    feedback_of(col)
    path = col.root / "feedback" / f"{S1}-退回修改.xlsx"
    with zipfile.ZipFile(path) as zf:
        assert not any("vba" in n.lower() for n in zf.namelist())
        assert b"macroEnabled" not in zf.read("[Content_Types].xml")
    assert load_workbook(path)[FORM.sheet]["C8"].comment is not None


def test_damaged_xlsx_is_rebuilt(col):
    vals = return_values(S1, inspectors__total=12)
    record(col, S1, vals, b"PK\x03\x04 damaged", "附件5.xlsx", received_at="2023-11-21T08:00:00")
    res = feedback_of(col)
    wb = load_workbook(col.root / "feedback" / f"{S1}-退回修改.xlsx")
    assert wb[FORM.sheet]["C8"].value == 12 and wb[FORM.sheet]["C8"].comment is not None
    assert any(S1 in n and "无法用程序直接编辑" in n for n in map(render, res.notes))


def test_corrected_feedback_copy_is_accepted_when_collected(col, tmp_path):
    """The school fixes the marked copy and sends it as it is: the reader takes its table, not
    the "请先看这里" sheet, and the return passes."""
    from aggregator.collection.intake.collect import collect
    from aggregator.collection.views.status import overview

    feedback_of(col)
    wb = load_workbook(col.root / "feedback" / f"{S1}-退回修改.xlsx")
    ws = wb[FORM.sheet]
    ws["C8"].value = 3
    ws[LAYOUT.cells["phone"]].value = "13872345678"
    drop = tmp_path / "微信"
    drop.mkdir()
    wb.save(drop / f"{S1}-退回修改.xlsx")
    run(collect(col, [drop]))
    state = next(s for s in overview(col).schools if s.school.name == S1)
    assert state.status == "accepted", [f.message for f in state.findings]
    assert state.versions == 2
