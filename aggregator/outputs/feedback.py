"""``feedback``: tell each school exactly what is wrong, and chase the ones that are late.

Why it is done this way:

- A returned school gets its own workbook marked (see ``markup``) and an e-mail listing every
  problem with its fix, so it is told everything in one round.
- Every output is a plain file in ``feedback/``: a clerk without SMTP settings opens the .eml
  drafts in Outlook or Foxmail and sends them; ``反馈清单.csv`` is the checklist. Files for
  schools that no longer need them move to ``已作废/`` so a stale draft is never sent by mistake.
- A late school gets a reminder with the very workbook it was issued, so it can still report.
- With ``send=True`` the same drafts go out over SMTP; a return already sent back is not sent
  twice (nor a reminder twice on one day), so re-running after a failure only retries failures.
"""

from __future__ import annotations

import csv
import io
import json
import os
import smtplib
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Iterable

from ..atomic import write_atomic
from ..filenames import safe_file_name
from ..collection.folder import Collection
from .distribute import issued_name
from ..checks.findings import ERROR, WARNING
from ..form.declaration import Form
from ..collection.intake import display_name
from ..collection.ledger import ReturnRecord
from .mail import (
    Attachment, Mailer, MailError, SmtpSettings, build_message, describe_failure, for_sending, parse_addresses,
    smtp_settings, to_bytes,
)
from ..messages import Note
from ..progress import Cancel, Job, Progress
from ..collection.roster import School
from .markup import Problem, marked_workbook, workbook_bytes
from ..collection.status import STATE_LABELS, SchoolState, overview
from .template import build_template

INDEX_CSV = "反馈清单.csv"
STALE_FOLDER = "已作废"
RETURNED_TAG = "退回修改"
REMINDER_TAG = "催报"
SENT_KEY = "feedback-sent:"  # ledger meta key prefix, one per school




@dataclass
class FeedbackResult:
    folder: Path
    returned: int
    reminders: int
    notes: list[Note | str]
    files: list[Path]
    sent: int = 0


@dataclass
class _Draft:
    school: School
    kind: str  # returned | reminder
    path: Path
    message: EmailMessage
    to: list[str]
    sha256: str = ""


@dataclass
class _Row:
    """One line of 反馈清单.csv."""

    state: SchoolState
    files: list[Path] = field(default_factory=list)
    sending: str = ""


# ================================================================================================
# The job
# ================================================================================================


def feedback(col: Collection, send: bool = False, cancel: Cancel | None = None, *,
             today: date | None = None) -> Job[FeedbackResult]:
    """Generator: yields ``Progress`` per school (then per message sent), returns the result.

    Returned schools get their marked workbook and a draft; missing schools get a reminder
    draft with their blank workbook. ``today`` is for tests (deadline wording).
    """
    smtp = smtp_settings(col.mail()) if send else None  # refuse bad settings before any work
    today = today or date.today()
    form = col.form
    folder = col.folder("feedback")
    states = overview(col).schools
    todo = [s for s in states if s.status in ("returned", "missing")]
    result = FeedbackResult(folder, 0, 0, [], [])
    rows = {s.school.id: _Row(s) for s in states}
    drafts: list[_Draft] = []

    review = [s.school.name for s in states if s.status == "needs_review"]
    if review:
        result.notes.append(Note.of("feedback-waiting", schools="、".join(review)))

    for done, state in enumerate(todo, start=1):
        if cancel is not None:
            cancel.check()
        yield Progress(done, len(todo), state.school.name, "生成反馈")
        if state.status == "returned":
            files, draft = _returned(col, form, state, today, result.notes)
            result.returned += 1
        else:
            files, draft = _reminder(col, form, state.school, today, result.notes)
            result.reminders += 1
        for path, data in files:
            write_atomic(path, data)
            result.files.append(path)
            rows[state.school.id].files.append(path)
        drafts.append(draft)

    _retire_stale(folder, states, set(result.files), result.notes)
    index = folder / INDEX_CSV
    _write_index(index, rows.values(), sending=False)
    result.files.append(index)

    if smtp is not None:
        yield from _send_all(col, smtp, drafts, rows, result, cancel)
        _write_index(index, rows.values(), sending=True)
    return result


def _returned(col: Collection, form: Form, state: SchoolState, today: date,
              notes: list[str]) -> tuple[list[tuple[Path, bytes]], _Draft]:
    school, ret = state.school, state.current
    assert ret is not None  # "returned" always has a current return
    findings = sorted((f for f in state.findings if f.level in (ERROR, WARNING)), key=lambda f: f.level != ERROR)
    title = form.title(col.settings.name)
    deadline = _deadline_sentence(col, today, reminder=False)
    marked = marked_workbook(col.root / ret.archived, form, ret, findings, school=school.name,
                             district=col.settings.name, meta=_meta(col, school, "feedback"), title=title,
                             deadline=deadline)
    data, problems = marked.data, marked.problems
    if marked.rebuilt:
        notes.append(f"{school.name}：报送的文件“{display_name(ret.original_name)}”{marked.rebuilt}，无法在原表上标注，"
                     "已按读到的数据重新生成一份表并标注")
    stem = f"{safe_file_name(school.name, fallback='学校')}-{RETURNED_TAG}"
    xlsx = col.folder("feedback") / f"{stem}.xlsx"
    to = _recipients(school, notes)
    body = _returned_body(col, school, ret, title, problems, deadline, today)
    msg = build_message(
        to=to, sender=str(col.settings.mail.get("sender") or "").strip(),
        subject=f"【请修改后重报】{title}——{school.name}", body=body,
        attachments=[Attachment(xlsx.name, data)],
    )
    eml = xlsx.with_suffix(".eml")
    return [(xlsx, data), (eml, to_bytes(msg))], _Draft(school, "returned", eml, msg, to, ret.sha256)


def _reminder(col: Collection, form: Form, school: School, today: date,
              notes: list[str]) -> tuple[list[tuple[Path, bytes]], _Draft]:
    title = form.title(col.settings.name)
    name, blank = _blank_workbook(col, form, school)
    to = _recipients(school, notes)
    msg = build_message(
        to=to, sender=str(col.settings.mail.get("sender") or "").strip(),
        subject=f"【催报】{title}——{school.name}",
        body=_reminder_body(col, school, title, name, _deadline_sentence(col, today, reminder=True), today),
        attachments=[Attachment(name, blank)],
    )
    eml = col.folder("feedback") / f"{safe_file_name(school.name, fallback='学校')}-{REMINDER_TAG}.eml"
    return [(eml, to_bytes(msg))], _Draft(school, "reminder", eml, msg, to)


def _recipients(school: School, notes: list[str]) -> list[str]:
    good, bad = parse_addresses(school.email)
    if bad:
        notes.append(f"{school.name}：名单中的邮箱“{'、'.join(bad)}”格式不对，邮件草稿中未填写，请核对名单")
    if not good and not bad:
        notes.append(f"{school.name}：名单中没有邮箱，邮件草稿未填写收件人，请手动填写或用其他方式发给学校")
    return good


def _meta(col: Collection, school: School, kind: str) -> dict[str, str]:
    """What identifies a workbook we build for a school, as distribute writes it."""
    return {
        "kind": kind,
        "collection_id": col.settings.id,
        "school_id": school.id,
        "school_name": school.name,
        "issued_at": datetime.now().isoformat(timespec="seconds"),
    }


# ================================================================================================
# The blank workbook for reminders
# ================================================================================================


def _blank_workbook(col: Collection, form: Form, school: School) -> tuple[str, bytes]:
    """The copy issued to the school (outbox: its metadata names the school), else the same
    form built now, so a late school can always report."""
    name = issued_name(form.annex, school.name)
    path = col.folder("outbox") / name
    if path.is_file():
        return name, path.read_bytes()
    wb = build_template(form, district=col.settings.name, meta=_meta(col, school, "template"), unit=school.name)
    return name, workbook_bytes(wb)


# ================================================================================================
# Texts
# ================================================================================================


def _shown(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _deadline_sentence(col: Collection, today: date, *, reminder: bool) -> str:
    if not col.settings.deadline:
        return "请尽快报送。" if reminder else "请尽快修改后重新报送。"
    end = date.fromisoformat(col.settings.deadline)
    shown = _shown(end)
    if today > end:
        late = (today - end).days
        return (f"报送截止日期（{shown}）已过 {late} 天，请尽快报送。" if reminder
                else f"报送截止日期（{shown}）已过，请尽快修改后重新报送。")
    if today == end:
        return (f"今天（{shown}）是报送截止日期，请在今天内报送。" if reminder
                else f"今天（{shown}）是报送截止日期，请在今天内修改后重新报送。")
    left = (end - today).days
    return (f"报送截止日期为 {shown}（还有 {left} 天），请按时报送。" if reminder
            else f"修改后的报表请于 {shown} 前重新报送。")


def _signature(col: Collection, today: date) -> str:
    return f"\n{col.settings.name}教育局\n{_shown(today)}\n"


def _returned_body(col: Collection, school: School, ret: ReturnRecord, title: str, problems: list[Problem],
                   deadline: str, today: date) -> str:
    errors = [p for p in problems if p.level == ERROR]
    warnings = [p for p in problems if p.level == WARNING]
    lines = [
        f"{school.name}：",
        "",
        f"您好！贵单位报送的《{title}》（文件“{display_name(ret.original_name)}”）经校验，发现 {len(errors)} 处错误，"
        "现退回，请修改后重新报送。",
        "",
        "需要修改的问题：",
    ]
    lines += [f"{i}. [{p.where}] {p.message}" for i, p in enumerate(errors, start=1)]
    if warnings:
        lines += ["", "请核对的地方（确认无误可以不改）："]
        lines += [f"{i}. [{p.where}] {p.message}" for i, p in enumerate(warnings, start=1)]
    lines += [
        "",
        "请在附件表格中按标红单元格的批注修改后重新报送。附件表格的第一页“请先看这里”列出了全部问题。",
        deadline,
        _signature(col, today),
    ]
    return "\n".join(lines)


def _reminder_body(col: Collection, school: School, title: str, attachment: str, deadline: str,
                   today: date) -> str:
    return "\n".join([
        f"{school.name}：",
        "",
        f"您好！《{title}》目前还没有收到贵单位的报表。{deadline}",
        "",
        f"请填写附件中的表格（{attachment}）后报送。如已报送，请回复本邮件告知，我们核对是否收到。",
        _signature(col, today),
    ])


# ================================================================================================
# The checklist and stale files
# ================================================================================================


def _csv_text(value: str) -> str:
    """Excel runs a CSV cell starting with = + - @ as a formula; a leading apostrophe stops it."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _write_index(path: Path, rows: Iterable[_Row], *, sending: bool) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    head = ["学校", "状态", "错误", "提示", "邮箱", "生成的文件"] + (["发送情况"] if sending else [])
    writer.writerow(head)
    for r in rows:
        s = r.state
        status = STATE_LABELS[s.status] + ("（逾期）" if s.late else "")
        line = [
            s.school.name, status,
            str(sum(1 for f in s.findings if f.level == ERROR)),
            str(sum(1 for f in s.findings if f.level == WARNING)),
            s.school.email, "；".join(p.name for p in r.files),
        ] + ([r.sending] if sending else [])
        writer.writerow([_csv_text(v) for v in line])
    write_atomic(path, ("\ufeff" + buf.getvalue()).encode("utf-8"))  # the BOM tells Excel it is UTF-8


def _retire_stale(folder: Path, states: Iterable[SchoolState], written: set[Path], notes: list[str]) -> None:
    """Move our files for schools that no longer need them out of sight, never delete them."""
    moved = 0
    for s in states:
        stem = safe_file_name(s.school.name, fallback="学校")
        for name in (f"{stem}-{RETURNED_TAG}.xlsx", f"{stem}-{RETURNED_TAG}.eml", f"{stem}-{REMINDER_TAG}.eml"):
            path = folder / name
            if path in written or not path.is_file():
                continue
            target = folder / STALE_FOLDER
            target.mkdir(exist_ok=True)
            os.replace(path, target / name)
            moved += 1
    if moved:
        notes.append(f"已将 {moved} 个不再需要的旧反馈文件移到 {folder / STALE_FOLDER}")


# ================================================================================================
# Sending
# ================================================================================================


def _send_all(col: Collection, smtp: SmtpSettings, drafts: list[_Draft], rows: dict[str, _Row], result: FeedbackResult,
              cancel: Cancel | None) -> Job[None]:
    today = date.today().isoformat()
    pending = []
    for d in drafts:
        row = rows[d.school.id]
        previous = sent_record(col, d.school.id)
        if not d.to:
            row.sending = "未发送：没有可用的邮箱"
        elif previous and previous.get("kind") == d.kind and (
            previous.get("sha256") == d.sha256 if d.kind == "returned" else previous.get("at", "")[:10] == today
        ):
            at = previous.get("at", "").replace("T", " ")
            row.sending = f"此前已发送（{at}）"
            result.notes.append(f"{d.school.name}：同样的邮件已于 {at} 发送过，本次未重复发送；"
                                f"如需再发，可用邮件程序打开 {d.path.name} 发送")
        else:
            pending.append(d)
    if not pending:
        return
    try:
        with Mailer(smtp) as mailer:
            for done, d in enumerate(pending, start=1):
                if cancel is not None:
                    cancel.check()
                yield Progress(done, len(pending), d.school.name, "发送邮件")
                row = rows[d.school.id]
                try:
                    refused = mailer.send(d.to, for_sending(d.message, smtp.sender))
                except (smtplib.SMTPException, OSError) as exc:
                    why = describe_failure(exc)
                    row.sending = f"发送失败：{why}"
                    result.notes.append(f"{d.school.name}：邮件未发出，{why}；草稿 {d.path.name} 可用邮件程序手动发送")
                    continue
                result.sent += 1
                row.sending = "已发送"
                if refused:
                    why = "；".join(f"{a}（{r}）" for a, r in refused.items())
                    row.sending = f"已发送，部分收件人被拒绝：{why}"
                    result.notes.append(f"{d.school.name}：部分收件人被拒绝：{why}")
                _record_sent(col, d)
    except MailError as exc:
        raise MailError(f"{exc}。已发出 {result.sent} 封；邮件草稿都已保存在 {result.folder}，"
                        "也可以用邮件程序打开后手动发送") from None
    result.notes.append(f"已发送 {result.sent} 封邮件")


def sent_record(col: Collection, school_id: str) -> dict:
    """What was last sent to the school by e-mail: {"kind": returned | reminder, "at", "to", "sha256"},
    or {} when nothing was."""
    raw = col.ledger.get(SENT_KEY + school_id)
    try:
        return json.loads(raw) if raw else {}
    except json.JSONDecodeError:
        return {}


def _record_sent(col: Collection, d: _Draft) -> None:
    value = {"kind": d.kind, "sha256": d.sha256, "at": datetime.now().isoformat(timespec="seconds"),
             "to": d.to}
    with col.ledger.transaction():
        col.ledger.put(SENT_KEY + d.school.id, json.dumps(value, ensure_ascii=False))
