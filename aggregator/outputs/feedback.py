"""``feedback``: tell each school exactly what is wrong, and chase the ones that are late.

Why it is done this way:

- A returned school gets its own workbook marked (see ``markup``), an e-mail listing every
  item with its fix (``letters``), a short text for the WeChat/QQ group (``chat``) and a page
  to read on a phone (``phone``), so it is told everything in one round, wherever it reads.
- Every file for one school says the same thing: what it must do is worked out once
  (``notice``) and each file lays it out. A returned school reads its errors as 需要修改 and its
  warnings as 请核对, the materials it still owes with their own deadlines, and the date to send
  again (``dates``) in the workbook, the letter, the chat text and the phone page alike.
- With ``warnings=True`` a school whose accepted return still has warnings nobody confirmed, or
  whose documents drew one (too short, blank), is asked to check them (请核对): the same files,
  the cells yellow, nothing sent back.
- A school whose only file could not be opened is told so, and how to save it again, never
  that nothing arrived.
- Every output is a plain file in ``feedback/``: a clerk without SMTP settings opens the .eml
  drafts in Outlook or Foxmail and sends them; ``反馈清单.csv`` is the checklist. Files for
  schools that no longer need them move to ``已作废/`` so a stale draft is never sent by mistake.
- A late school gets a reminder with the very workbook it was issued, so it can still report.
- The drafts go out over SMTP with ``send_drafts``; a return already sent back is not sent
  twice (nor a reminder twice on one day), so re-running after a failure only retries failures.
- Nothing here writes the ledger: what went out (the drafts, each mail sent) is handed back
  (``FeedbackResult.told``, ``keep``) and the session records it.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable

from .. import clock
from ..findings import ERROR, WARNING
from ..collection.store.folder import Collection, CollectionError
from ..filenames import display_name
from ..collection.views.materials import owed_documents
from ..collection.views.previous import last_figures
from ..collection.store.roster import School
from ..collection.views.status import STATE_LABELS, SchoolState, overview
from ..filenames import safe_file_name
from ..form.declaration import Form
from ..messages import Note
from ..progress import Cancel, Job, Progress
from .chat import addressee, chat_of, reminder_list
from .dates import resubmit_date
from .distribute import issued_name
from .free_name import open_elsewhere, write_free
from .letters import check_body, documents_body, reminder_body, returned_body, sender, supervise_body
from .mail import Attachment, SmtpSettings, build_message, parse_addresses, to_bytes
from .markup import marked_workbook, workbook_bytes
from .notice import CHECK, REMINDER, RETURNED, SUPERVISE, Notice, kind_of, notice_of
from .phone import PHONE_TAG, phone_workbook, to_pdf
from .sending import Draft, Keep, send_all, sent_record
from .template import build_template
from ..collection.supervision.reminders import due_lines

INDEX_CSV = "反馈清单.csv"
GROUP_LIST = "催报名单.txt"  # the schools still owed, to paste into the group
STALE_FOLDER = "已作废"
RETURNED_TAG = "退回修改"
CHECK_TAG = "请核对"
REMINDER_TAG = "催报"
SUPERVISE_TAG = "整改督办"
TAGS = {RETURNED: RETURNED_TAG, CHECK: CHECK_TAG, REMINDER: REMINDER_TAG, SUPERVISE: SUPERVISE_TAG}
__all__ = ["CHECK_TAG", "GROUP_LIST", "INDEX_CSV", "REMINDER_TAG", "RETURNED_TAG", "STALE_FOLDER",
           "FeedbackResult", "feedback", "needs_check", "send_drafts", "sent_record"]


@dataclass
class FeedbackResult:
    folder: Path
    returned: int
    reminders: int
    notes: list[Note]
    files: list[Path]
    sent: int = 0
    checks: int = 0  # schools asked to check warnings (``warnings=True``)
    documents: int = 0  # schools whose form is done but whose documents (a case, a report) are not
    supervised: int = 0  # schools told nothing else but their rectification items (整改督办)
    drafts: list[Draft] = field(default_factory=list)
    told: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # what to keep: the drafts
    index: Path | None = None  # 反馈清单.csv
    rows: dict = field(default_factory=dict, repr=False)  # school id -> its line of the checklist


@dataclass
class _Row:
    """One line of 反馈清单.csv."""

    state: SchoolState
    files: list[Path] = field(default_factory=list)
    sending: str = ""


def needs_check(state: SchoolState) -> bool:
    """Accepted, with warnings the clerk has not confirmed (``state.findings`` leaves those out)."""
    return state.accepted and any(f.level == WARNING for f in state.findings)


# ================================================================================================
# The job
# ================================================================================================


def feedback(col: Collection, cancel: Cancel | None = None, *,
             today: date | None = None, warnings: bool = False, phone: bool = True) -> Job[FeedbackResult]:
    """Generator: yields ``Progress`` per school, returns the result with the drafts to keep.

    Returned schools get their marked workbook, a draft, a chat text and a phone page; missing
    schools a reminder draft with their blank workbook and a chat text; with ``warnings``,
    accepted schools with unconfirmed warnings a 请核对 letter. ``today`` defaults to the clock.
    """
    today = today or clock.today()
    form = col.form
    folder = col.folder("feedback")
    states = overview(col).schools
    due = due_lines(col, today)  # the register's items each school is reminded of
    kinds = {s.school.id: kind_of(s, warnings) or (SUPERVISE if s.school.id in due else "") for s in states}
    todo = [s for s in states if kinds[s.school.id]]
    result = FeedbackResult(folder, 0, 0, [], [])
    rows = {s.school.id: _Row(s) for s in states}
    plan_title = col.plan.title or form.title(col.settings.name)  # what document reminders are about
    again = resubmit_date(col.settings, today)
    drafts: list[Draft] = []
    pages: dict[Path, bytes] = {}
    owner: dict[Path, str] = {}  # phone page -> school id

    review = [s.school.name for s in states if s.status == "needs_review"]
    if review:
        result.notes.append(Note.of("feedback-waiting", schools="、".join(review)))
    if again.note is not None and any(kinds[s.school.id] in (RETURNED, REMINDER) for s in todo):
        result.notes.append(again.note)
    if todo and not sender(col.settings):
        result.notes.append(Note.of("no-sender"))

    for done, state in enumerate(todo, start=1):
        if cancel is not None:
            cancel.check()
        yield Progress(done, len(todo), state.school.name, "生成反馈")
        kind = kinds[state.school.id]
        notice = notice_of(form, col.settings, state, today, kind, due.get(state.school.id, ()))
        if kind == REMINDER:
            files, draft = _reminder(col, form, state, notice, result.notes)
            result.reminders += 1
        elif kind == RETURNED or (kind == CHECK and notice.warnings):
            files, draft, page = _marked(col, form, state, notice, result.notes)
            if page is not None and phone:
                target = _named(folder, state.school, kind, f"-{PHONE_TAG}.pdf")
                pages[target], owner[target] = page, state.school.id
            if kind == RETURNED:
                result.returned += 1
            else:
                result.checks += 1
        elif kind == SUPERVISE:  # told nothing else: its rectification items alone
            draft = _supervise_letter(col, state, notice, result.notes)
            files = [(draft.path, to_bytes(draft.message))]
            result.supervised += 1
        else:  # the form is done; its documents are owed, or one of them is to check
            draft = _documents_letter(col, state, plan_title, notice, result.notes)
            files = [(draft.path, to_bytes(draft.message))]
            if kind == CHECK:
                result.checks += 1
            else:
                result.documents += 1
        files.append((_named(folder, state.school, draft.kind, ".txt"), _chat_file(chat_of(notice, addressee(state)))))
        for path, data in files:
            path = _save(path, data, result.notes)
            result.files.append(path)
            rows[state.school.id].files.append(path)
        drafts.append(draft)

    if pages:
        yield Progress(len(todo), len(todo), "", "生成手机查看的 PDF")
        made = to_pdf(pages)
        result.notes.extend(made.notes)
        for target, path in made.saved.items():
            if path != target:
                result.notes.append(Note.of("feedback-locked", name=target.name, new=path.name))
            result.files.append(path)
            rows[owner[target]].files.append(path)
    if any(s.status == "missing" or owes_documents(s) for s in states):
        group = _save(folder / GROUP_LIST, _chat_file(reminder_list(states, col.settings, form, today)), result.notes)
        result.files.append(group)

    _retire_stale(folder, states, set(result.files), result.notes)
    index = _write_index(folder / INDEX_CSV, rows.values(), result.notes, sending=False)
    result.files.append(index)
    result.drafts, result.index, result.rows = drafts, index, rows
    result.told = [(d.school.id, d.kind, "draft", d.sha256, d.path.name) for d in drafts]  # for the 反馈 column
    return result


def send_drafts(col: Collection, result: FeedbackResult, smtp: SmtpSettings, keep: Keep,
                cancel: Cancel | None = None) -> Job[int]:
    """Send ``result``'s drafts over SMTP (``sending``), handing each mail sent to ``keep``, and
    add how each went to 反馈清单.csv. Returns how many went out."""
    sending = {sid: "" for sid in result.rows}
    result.sent = yield from send_all(col, smtp, result.drafts, sending, result.notes, cancel, keep)
    for sid, said in sending.items():
        result.rows[sid].sending = said
    if result.index is not None:
        _write_index(result.index, result.rows.values(), result.notes, sending=True)
    return result.sent


def _save(path: Path, data: bytes, notes: list) -> Path:
    """``path``, or its "(2)" name when the clerk has it open in Excel (``free_name``); the clerk is told."""
    saved = write_free(path, data)
    if saved is None:
        raise CollectionError(Note.of("file-busy", name=path.name, program="Excel/WPS 表格", again="重新生成反馈"))
    if saved != path:
        notes.append(Note.of("feedback-locked", name=path.name, new=saved.name))
    return saved


def _stem(school: School) -> str:
    return safe_file_name(school.name, fallback="学校")


def _named(folder: Path, school: School, kind: str, suffix: str) -> Path:
    return folder / f"{_stem(school)}-{TAGS[kind]}{suffix}"


def _chat_file(text: str) -> bytes:
    """UTF-8 with a BOM and CRLF: Notepad on any Windows shows it right, and it pastes as is."""
    return ("\ufeff" + text.replace("\r\n", "\n").replace("\n", "\r\n") + "\r\n").encode("utf-8")


def _marked(col: Collection, form: Form, state: SchoolState, notice: Notice,
            notes: list) -> tuple[list[tuple[Path, bytes]], Draft, bytes | None]:
    """A returned school's (or one asked to check) marked workbook, draft and phone page."""
    school, ret, kind = state.school, state.current, notice.kind
    assert ret is not None  # "returned" and accepted states always have a current return
    marked = marked_workbook(col.root / ret.archived, form, ret, notice, district=col.settings.name,
                             meta=_meta(col, school, "feedback"))
    if marked.rebuilt:
        notes.append(Note.of("marked-rebuilt", school=school.name, file=display_name(ret.original_name),
                             why=marked.rebuilt))
    xlsx = _named(col.folder("feedback"), school, kind, ".xlsx")
    to = _recipients(school, notes)
    if kind == RETURNED:
        subject = f"【请修改后重报】{notice.title}——{school.name}"
        body = returned_body(col.settings, school, notice)
    else:
        subject = f"【请核对】{notice.title}——{school.name}"
        body = check_body(col.settings, school, notice)
    msg = build_message(to=to, sender=sender(col.settings), subject=subject, body=body,
                        attachments=[Attachment(xlsx.name, marked.data)])
    eml = xlsx.with_suffix(".eml")
    page = phone_workbook(marked.data, marked.table, notice) if marked.table else None
    return [(xlsx, marked.data), (eml, to_bytes(msg))], Draft(school, kind, eml, msg, to, ret.sha256), page


def _reminder(col: Collection, form: Form, state: SchoolState, notice: Notice,
              notes: list) -> tuple[list[tuple[Path, bytes]], Draft]:
    school = state.school
    name, blank = _blank_workbook(col, form, school)
    to = _recipients(school, notes)
    tag = "【请重新发送】" if notice.unopened else "【催报】"
    msg = build_message(
        to=to, sender=sender(col.settings), subject=f"{tag}{notice.title}——{school.name}",
        body=reminder_body(col.settings, school, notice, name),
        attachments=[Attachment(name, blank)],
    )
    eml = _named(col.folder("feedback"), school, REMINDER, ".eml")
    return [(eml, to_bytes(msg))], Draft(school, REMINDER, eml, msg, to)


def owes_documents(state: SchoolState) -> bool:
    """Documents (a case, a report) still owed, while the form itself needs no letter."""
    return state.status != "exempt" and bool(owed_documents(state.materials))


def _documents_letter(col: Collection, state: SchoolState, title: str, notice: Notice, notes: list) -> Draft:
    """To a school whose form is done: the documents it still owes, or one of them to check."""
    school = state.school
    to = _recipients(school, notes)
    if notice.kind == CHECK:
        subject = f"【请核对】{title}——{school.name}"
        body = check_body(col.settings, school, notice)
        kind, sha = CHECK, state.current.sha256 if state.current else ""
    else:
        subject = f"【催交材料】{title}——{school.name}"
        body = documents_body(col.settings, school, title, notice)
        kind, sha = REMINDER, ""
    msg = build_message(to=to, sender=sender(col.settings), subject=subject, body=body)
    return Draft(school, kind, _named(col.folder("feedback"), school, kind, ".eml"), msg, to, sha)


def _supervise_letter(col: Collection, state: SchoolState, notice: Notice, notes: list) -> Draft:
    school = state.school
    to = _recipients(school, notes)
    msg = build_message(to=to, sender=sender(col.settings), subject=f"【整改督办】{school.name}",
                        body=supervise_body(col.settings, school, notice))
    return Draft(school, SUPERVISE, _named(col.folder("feedback"), school, SUPERVISE, ".eml"), msg, to)


def _recipients(school: School, notes: list) -> list[str]:
    good, bad = parse_addresses(school.email)
    if bad:
        notes.append(Note.of("bad-email", school=school.name, bad="、".join(bad)))
    if not good and not bad:
        notes.append(Note.of("no-email", school=school.name))
    return good


def _meta(col: Collection, school: School, kind: str) -> dict[str, str]:
    """What identifies a workbook we build for a school, as distribute writes it."""
    return {
        "kind": kind,
        "collection_id": col.settings.id,
        "school_id": school.id,
        "school_name": school.name,
        "issued_at": clock.stamp(),
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
    wb = build_template(form, district=col.settings.name, meta=_meta(col, school, "template"), unit=school.name,
                        explain=bool(col.settings.previous), previous=last_figures(col, [school]).get(school.id))
    return name, workbook_bytes(wb)


# ================================================================================================
# The checklist and stale files
# ================================================================================================


def _csv_text(value: str) -> str:
    """Excel runs a CSV cell starting with = + - @ as a formula; a leading apostrophe stops it."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _write_index(path: Path, rows: Iterable[_Row], notes: list, *, sending: bool) -> Path:
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
    return _save(path, ("\ufeff" + buf.getvalue()).encode("utf-8"), notes)  # the BOM tells Excel it is UTF-8


def _retire_stale(folder: Path, states: Iterable[SchoolState], written: set[Path], notes: list) -> None:
    """Move our files for schools that no longer need them out of sight, never delete them."""
    moved = 0
    names = [f"-{tag}{suffix}" for tag in TAGS.values() for suffix in (".xlsx", ".eml", ".txt", f"-{PHONE_TAG}.pdf")]
    for s in states:
        stem = _stem(s.school)
        for name in (stem + n for n in names):
            moved += _retire(folder, name, written)
    moved += _retire(folder, GROUP_LIST, written)
    if moved:
        notes.append(Note.of("stale-moved", count=moved, folder=folder / STALE_FOLDER))


def _retire(folder: Path, name: str, written: set[Path]) -> int:
    """Move one file out of sight (1), unless it was written now, is gone, or is open in Excel
    (a Windows lock: it stays where it is, 0)."""
    path = folder / name
    if path in written or not path.is_file() or open_elsewhere(path):
        return 0
    (folder / STALE_FOLDER).mkdir(exist_ok=True)
    try:
        os.replace(path, folder / STALE_FOLDER / name)
    except PermissionError:
        return 0
    return 1
