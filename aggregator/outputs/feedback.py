"""``feedback``: tell each school exactly what is wrong, and chase the ones that are late.

Why it is done this way:

- A returned school gets its own workbook marked (see ``markup``), an e-mail listing every
  item with its fix (``letters``), a short text for the WeChat/QQ group (``chat``) and a page
  to read on a phone (``phone``), so it is told everything in one round, wherever it reads.
- With ``warnings=True`` a school whose accepted return still has warnings nobody confirmed is
  asked to check them (请核对): the same files, the cells yellow, nothing sent back.
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
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable

from .. import clock
from ..findings import ERROR, EXPLAIN, WARNING
from ..collection.store.folder import Collection, CollectionError
from ..filenames import display_name
from ..collection.views.materials import owed_documents
from ..collection.store.roster import School
from ..collection.views.status import STATE_LABELS, SchoolState, overview
from ..collection.views.told import tell
from ..filenames import safe_file_name
from ..form.declaration import Form
from ..messages import Note
from ..progress import Cancel, Job, Progress
from .chat import chat_text, owed_line, reminder_list
from .distribute import issued_name
from .free_name import MAX_COPIES, open_elsewhere, write_free
from .items import items_of
from .letters import check_body, deadline_sentence, documents_body, reminder_body, returned_body, sender
from .mail import Attachment, build_message, parse_addresses, smtp_settings, to_bytes
from .markup import CHECK, RETURNED, marked_workbook, workbook_bytes
from .phone import PHONE_TAG, phone_workbook, to_pdf
from .sending import Draft, send_all, sent_record
from .template import build_template

INDEX_CSV = "反馈清单.csv"
GROUP_LIST = "催报名单.txt"  # the schools still owed, to paste into the group
STALE_FOLDER = "已作废"
RETURNED_TAG = "退回修改"
CHECK_TAG = "请核对"
REMINDER_TAG = "催报"
TAGS = {RETURNED: RETURNED_TAG, CHECK: CHECK_TAG, "reminder": REMINDER_TAG}
__all__ = ["CHECK_TAG", "GROUP_LIST", "INDEX_CSV", "REMINDER_TAG", "RETURNED_TAG", "STALE_FOLDER",
           "FeedbackResult", "feedback", "needs_check", "sent_record"]


@dataclass
class FeedbackResult:
    folder: Path
    returned: int
    reminders: int
    notes: list[Note | str]
    files: list[Path]
    sent: int = 0
    checks: int = 0  # schools asked to check warnings (``warnings=True``)
    documents: int = 0  # schools whose form is done but whose documents (a case, a report) are not


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


def feedback(col: Collection, send: bool = False, cancel: Cancel | None = None, *,
             today: date | None = None, warnings: bool = False, phone: bool = True) -> Job[FeedbackResult]:
    """Generator: yields ``Progress`` per school (then per message sent), returns the result.

    Returned schools get their marked workbook, a draft, a chat text and a phone page; missing
    schools a reminder draft with their blank workbook and a chat text; with ``warnings``,
    accepted schools with unconfirmed warnings a 请核对 letter. ``today`` defaults to the clock.
    """
    smtp = smtp_settings(col.mail()) if send else None  # refuse bad settings before any work
    today = today or clock.today()
    form = col.form
    folder = col.folder("feedback")
    states = overview(col).schools
    todo = [s for s in states if s.status in ("returned", "missing") or (warnings and needs_check(s))
            or owes_documents(s)]
    result = FeedbackResult(folder, 0, 0, [], [])
    rows = {s.school.id: _Row(s) for s in states}
    plan_title = col.plan.title or form.title(col.settings.name)  # what document reminders are about
    drafts: list[Draft] = []
    pages: dict[Path, bytes] = {}
    owner: dict[Path, str] = {}  # phone page -> school id

    review = [s.school.name for s in states if s.status == "needs_review"]
    if review:
        result.notes.append(Note.of("feedback-waiting", schools="、".join(review)))
    if todo and not sender(col.settings):
        result.notes.append("邮件草稿没有发件人：请用 dudao settings 文件夹 --mail-sender 邮箱地址 设置发件邮箱"
                            "（用 Outlook、Foxmail 打开草稿时也可以手动选择）")

    for done, state in enumerate(todo, start=1):
        if cancel is not None:
            cancel.check()
        yield Progress(done, len(todo), state.school.name, "生成反馈")
        if state.status == "missing":
            files, draft = _reminder(col, form, state, today, result.notes)
            result.reminders += 1
        elif state.status != "returned" and not (warnings and needs_check(state)):  # the form done, documents not
            files, draft = [], _documents_reminder(col, state, plan_title, today, result.notes)
            files.append((draft.path, to_bytes(draft.message)))
            result.documents += 1
        else:
            kind = RETURNED if state.status == "returned" else CHECK
            files, draft, page = _marked(col, form, state, today, kind, result.notes)
            if page is not None and phone:
                target = _named(folder, state.school, kind, f"-{PHONE_TAG}.pdf")
                pages[target], owner[target] = page, state.school.id
            if kind == RETURNED:
                result.returned += 1
            else:
                result.checks += 1
        files.append((_named(folder, state.school, draft.kind, ".txt"),
                       _chat_file(chat_text(form, col.settings, state, today))))
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
    tell(col, [(d.school.id, d.kind, "draft", d.sha256, d.path.name) for d in drafts])  # for the 反馈 column

    if smtp is not None:
        sending = {sid: "" for sid in rows}
        result.sent = yield from send_all(col, smtp, drafts, sending, result.notes, cancel)
        for sid, said in sending.items():
            rows[sid].sending = said
        _write_index(index, rows.values(), result.notes, sending=True)
    return result


def _save(path: Path, data: bytes, notes: list) -> Path:
    """``path``, or its "(2)" name when the clerk has it open in Excel (``free_name``); the clerk is told."""
    saved = write_free(path, data)
    if saved is None:
        raise CollectionError(f"无法保存反馈文件 {path.name}：它和 {MAX_COPIES - 1} 个备用文件名都被占用或没有写入权限，"
                              "请关闭打开的 Excel/WPS 表格后重新生成反馈")
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


def _remark(state: SchoolState) -> str:
    return next((d.note for d in state.decisions if d.kind == "remark" and d.note), "")


def _marked(col: Collection, form: Form, state: SchoolState, today: date, kind: str,
            notes: list) -> tuple[list[tuple[Path, bytes]], Draft, bytes | None]:
    """A returned school's (or one asked to check) marked workbook, draft and phone page."""
    school, ret = state.school, state.current
    assert ret is not None  # "returned" and accepted states always have a current return
    levels = (ERROR, WARNING, EXPLAIN) if kind == RETURNED else (WARNING,)
    items = items_of(f for f in state.findings if f.level in levels)
    title = form.title(col.settings.name)
    deadline = deadline_sentence(col.settings, today, reminder=False)
    remark = _remark(state)
    marked = marked_workbook(col.root / ret.archived, form, ret, [i.as_finding() for i in items], school=school.name,
                             district=col.settings.name, meta=_meta(col, school, "feedback"), title=title,
                             deadline=deadline, kind=kind, remark=remark)
    if marked.rebuilt:
        notes.append(f"{school.name}：报送的文件“{display_name(ret.original_name)}”{marked.rebuilt}，无法在原表上标注，"
                     "已按读到的数据重新生成一份表并标注")
    xlsx = _named(col.folder("feedback"), school, kind, ".xlsx")
    to = _recipients(school, notes)
    name = display_name(ret.original_name)
    if kind == RETURNED:
        subject = f"【请修改后重报】{title}——{school.name}"
        body = returned_body(col.settings, school, title, name, items, deadline, today, remark)
        heading = f"{school.name}：请修改以下 {sum(1 for i in items if i.level == ERROR)} 处（标红的格）"
        closing = f"改好后把这个表重新发回。{deadline}"
    else:
        subject = f"【请核对】{title}——{school.name}"
        body = check_body(col.settings, school, title, name, items, today, remark)
        heading = f"{school.name}：报表已通过，以下 {len(items)} 处请核对（标黄的格）"
        closing = "确认无误回复即可，不用重新报送；如需修改，改好后重新报送。"
    msg = build_message(to=to, sender=sender(col.settings), subject=subject, body=body,
                        attachments=[Attachment(xlsx.name, marked.data)])
    eml = xlsx.with_suffix(".eml")
    page = phone_workbook(marked.data, marked.table, heading, items, closing) if marked.table else None
    return [(xlsx, marked.data), (eml, to_bytes(msg))], Draft(school, kind, eml, msg, to, ret.sha256), page


def _reminder(col: Collection, form: Form, state: SchoolState, today: date,
              notes: list) -> tuple[list[tuple[Path, bytes]], Draft]:
    school = state.school
    title = form.title(col.settings.name)
    name, blank = _blank_workbook(col, form, school)
    to = _recipients(school, notes)
    unreadable = "；".join(f"发来的文件“{display_name(f.original_name)}”无法读取：{f.reason}" for f in state.files)
    msg = build_message(
        to=to, sender=sender(col.settings), subject=f"【催报】{title}——{school.name}",
        body=reminder_body(col.settings, school, title, name, deadline_sentence(col.settings, today, reminder=True),
                           today, _remark(state), unreadable),
        attachments=[Attachment(name, blank)],
    )
    eml = _named(col.folder("feedback"), school, "reminder", ".eml")
    return [(eml, to_bytes(msg))], Draft(school, "reminder", eml, msg, to)


def owes_documents(state: SchoolState) -> bool:
    """Documents (a case, a report) still owed, while the form itself needs no letter."""
    return state.status != "exempt" and bool(owed_documents(state.materials))


def _documents_reminder(col: Collection, state: SchoolState, title: str, today: date, notes: list) -> Draft:
    school = state.school
    to = _recipients(school, notes)
    msg = build_message(
        to=to, sender=sender(col.settings), subject=f"【催交材料】{title}——{school.name}",
        body=documents_body(col.settings, school, title, owed_line(state, col.settings, today), today, _remark(state)),
    )
    return Draft(school, "reminder", _named(col.folder("feedback"), school, "reminder", ".eml"), msg, to)


def _recipients(school: School, notes: list) -> list[str]:
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
    wb = build_template(form, district=col.settings.name, meta=_meta(col, school, "template"), unit=school.name)
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
        notes.append(f"已将 {moved} 个不再需要的旧反馈文件移到 {folder / STALE_FOLDER}")


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
