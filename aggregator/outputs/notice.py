"""What a school must do now: one description, made once, that every channel lays out.

The marked workbook's first sheet, the e-mail, the chat text, the phone page and the window's
details are five ways of telling a school one thing. Each used to work it out for itself, and
they drifted apart: a chat text said "还缺：优秀督导干部推荐" where the e-mail did not, a phone page
said "请修改以下 1 处" and listed two. So the engine says it once here, as plain data (``Notice``:
the items to change, each once; the items to explain or correct (an explain rule's figure the
school may keep if it explains it on the 情况说明 sheet: 需要说明, orange, never counted as an
error); the items to check, the documents' included; what the school still owes, each material
with its own deadline; the files it sent that could not be opened; the date to send again; and
for a school that sent a new version and is still wrong, what that version put right and what
it did not, ``since``) and each channel only lays it out, with the phrases below.

Errors are numbered first, then what to explain, then what to check (``numbered``), in every
channel the same, so "第 2 处" means one thing whichever the school reads.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Iterable

from ..checks.focus import cells_to_change
from ..filenames import display_name
from ..collection.store.ledger import ReturnRecord
from ..collection.views.materials import MaterialState, owed_documents
from ..collection.store.settings import Settings
from ..collection.views.changes import Resubmission
from ..collection.views.status import SchoolState
from ..findings import ERROR, EXPLAIN, WARNING, Finding
from ..form.declaration import Form
from ..form.explanations import SHEET as EXPLAIN_SHEET
from ..messages import for_school
from .dates import deadline_words, form_deadline, material_words, month_day, resubmit_date
from .items import Item, items_of

RETURNED, CHECK, REMINDER, DOCUMENTS, SUPERVISE = "returned", "check", "reminder", "documents", "supervise"
KINDS = (RETURNED, CHECK, REMINDER, DOCUMENTS, SUPERVISE)
# What a school does about an item to explain, under 需要说明 in every channel.
EXPLAIN_HEAD = f"请在“{EXPLAIN_SHEET}”表写明原因，或改正数字"
# The register's items a school is reminded of (its 督办单's problems near or past their 整改时限).
DUE_HEAD = "贵校以下整改事项临近或超过整改时限，请抓紧落实，并把整改报告、照片等材料报送（文件名写上督办单编号）："


@dataclass(frozen=True)
class Owed:
    """A material the school still owes, with its own deadline; ``again``: why it was sent back."""

    label: str
    deadline: date | None
    again: str = ""


@dataclass(frozen=True)
class Unopened:
    """A file the school sent that could not be opened, and how to send it again (its words)."""

    name: str
    received_at: str
    reason: str


@dataclass(frozen=True)
class Since:
    """A school's new version against the one before (``views.changes.Resubmission``), counted in
    items as the school reads them: what it corrected, what it explained, what is still there,
    and what is new."""

    version: int
    corrected: int
    explained: int
    still: int
    new: int = 0

    def words(self) -> str:
        """"贵校第 2 版：已改正 1 处，仍有 1 处"."""
        done = f"已改正 {self.corrected} 处" + (f"、已说明 {self.explained} 处" if self.explained else "")
        return (f"贵校第 {self.version} 版：{done}，仍有 {self.still} 处"
                + (f"，另有 {self.new} 处新问题" if self.new else ""))


@dataclass(frozen=True)
class Notice:
    school_name: str
    kind: str  # returned | check | reminder | documents
    title: str  # the form's
    today: date
    by: date  # the date to send again (``dates.resubmit_date``)
    deadline: date | None  # the form's
    file_name: str = ""  # the return it is about
    received_at: str = ""
    errors: tuple[Item, ...] = ()
    explain: tuple[Item, ...] = ()  # explain findings not explained: to explain (情况说明) or correct
    warnings: tuple[Item, ...] = ()  # the form's items to check
    documents: tuple[Item, ...] = ()  # warnings about documents received (too short, …)
    owed: tuple[Owed, ...] = ()
    unopened: tuple[Unopened, ...] = ()
    remark: str = ""  # the clerk's own words for this school
    due: tuple[str, ...] = ()  # its rectification items near or past their deadline, a line each
    since: Since | None = None  # a returned school's new version against its last

    @property
    def to_check(self) -> tuple[Item, ...]:
        return self.warnings + self.documents

    def numbered(self) -> list[tuple[int, Item]]:
        """Every item with its number: errors first, then what to explain, then what to check."""
        return list(enumerate(self.errors + self.explain + self.to_check, start=1))

    # --- the phrases every channel uses --------------------------------------------------------

    def counts(self) -> str:
        """"有 1 处需要修改，1 处需要说明，另有 1 处请核对" / "有 2 处请核对"."""
        n, e, m = len(self.errors), len(self.explain), len(self.to_check)
        if self.kind == RETURNED:
            parts = ([f"{n} 处需要修改"] if n or not e else []) + ([f"{e} 处需要说明"] if e else [])
            return "有 " + "，".join(parts) + (f"，另有 {m} 处请核对" if m else "")
        return f"有 {m} 处请核对" if m else ""

    def since_words(self) -> str:
        """What a resubmitting school's new version put right and did not, first in every
        channel ("贵校第 2 版：已改正 1 处，仍有 1 处"); "" for a first version."""
        return self.since.words() if self.since is not None else ""

    def head_words(self) -> str:
        """The notice's first words: what the new version put right, then the counts."""
        return "；".join(x for x in (self.since_words(), self.counts()) if x)

    def by_words(self) -> str:
        """By when, as the last sentence of any channel says it; "" when nothing is to be sent."""
        if self.kind == RETURNED:
            return f"请于{month_day(self.by)}前修改后重新报送"
        if self.kind == REMINDER:
            return f"请于{month_day(self.by)}前重新发送" if self.unopened else deadline_words(self.deadline, self.today, self.by)
        return ""

    def owed_words(self) -> str:
        """"还缺：督导工作落实情况报告（11月20日前）", each material by its own deadline; "" when none."""
        if not self.owed:
            return ""
        return "还缺：" + "、".join(self._owed(o) for o in self.owed)

    def _owed(self, o: Owed) -> str:
        if o.again:
            due = o.deadline if o.deadline is not None and self.today <= o.deadline else self.by
            return f"{o.label}（{month_day(due)}前重交：{o.again}）"
        return f"{o.label}（{material_words(o.deadline, self.today, self.by)}）"

    def due_words(self) -> list[str]:
        """The register's items under their heading, numbered; [] when none."""
        return [DUE_HEAD] + [f"{n}. {line}" for n, line in enumerate(self.due, start=1)] if self.due else []

    def unopened_words(self) -> list[str]:
        """"贵校发来的文件“附件5.xlsx”（11月19日 21:00 收到）无法打开：文件已损坏，请用 Excel/WPS …"."""
        return [f"贵校发来的文件“{u.name}”{_when(u.received_at)}无法打开：{u.reason}" for u in self.unopened]


def _when(stamp: str) -> str:
    """2023-11-19T21:00:00 -> "（11月19日 21:00 收到）"; "" when the time is not known."""
    try:
        at = datetime.fromisoformat(stamp)
    except ValueError:
        return ""
    return f"（{at.month}月{at.day}日 {at:%H:%M} 收到）"


def notice_of(form: Form, settings: Settings, state: SchoolState, today: date, kind: str = "",
              due: tuple[str, ...] = ()) -> Notice:
    """What ``state``'s school must be told today. ``kind`` defaults to what its state needs:
    sent back, reminded, asked to check its warnings, or asked for its documents; ``due``: its
    rectification items to remind it of (``supervision.reminders.due_lines``), told in whatever
    it is told, or alone (``SUPERVISE``) when it is told nothing else."""
    kind = kind or kind_of(state) or (SUPERVISE if due else "")
    ret = state.current
    errors: tuple[Item, ...] = ()
    explain: tuple[Item, ...] = ()
    warnings: tuple[Item, ...] = ()
    resent = None
    if ret is not None and kind in (RETURNED, CHECK):
        # A returned school is told its explain findings it has not explained too (to explain or
        # correct); one it explained stands. One asked to check: its warnings alone.
        levels = (ERROR, WARNING, EXPLAIN) if kind == RETURNED else (WARNING,)
        errors, explain, warnings = sorted_items(form, ret, (f for f in state.findings if f.level in levels
                                                             and not f.explained))
        if kind == RETURNED and state.versions > 1:
            resent = since_of(state.resubmission, errors + explain + warnings)
    since = ret.received_at if ret is not None else ""  # a broken file the current return replaced is no news
    unopened = tuple(Unopened(display_name(f.original_name), f.received_at, for_school(f.reason_kind, f.reason))
                     for f in state.files if f.received_at > since)
    exempt = state.status == "exempt"
    return Notice(
        school_name=state.school.name, kind=kind, title=form.title(settings.name), today=today,
        by=resubmit_date(settings, today).by, deadline=form_deadline(settings),
        file_name=display_name(ret.original_name) if ret else "", received_at=ret.received_at if ret else "",
        errors=errors, explain=explain, warnings=warnings, documents=() if exempt else document_checks(state.materials),
        owed=() if exempt else owed_of(state.materials, settings), unopened=unopened, remark=remark_of(state),
        due=tuple(due), since=resent)


def sorted_items(form: Form, ret: ReturnRecord, findings: Iterable[Finding]
                 ) -> tuple[tuple[Item, ...], tuple[Item, ...], tuple[Item, ...]]:
    """The errors, what to explain and the warnings of a return as items, each knowing the cells
    to change."""
    items = [replace(i, change=cells_to_change(form, ret.values, ret.cells, i.findings)) for i in items_of(findings)]
    return tuple(tuple(i for i in items if i.level == level) for level in (ERROR, EXPLAIN, WARNING))


def items_for(form: Form, ret: ReturnRecord, findings: Iterable[Finding]) -> tuple[tuple[Item, ...], tuple[Item, ...]]:
    """The errors and the warnings of a return as items, each knowing the cells to change."""
    errors, _, warnings = sorted_items(form, ret, findings)
    return errors, warnings


def _key(f: Finding) -> tuple:
    return (f.rule, f.fields or f.cells)  # as ``views.changes`` matches findings across versions


def since_of(resubmission: Resubmission, listed: tuple[Item, ...]) -> Since:
    """What the new version put right, counted in items (connected findings as one): corrected,
    explained, and of the items ``listed`` now, those the earlier version had too and those new."""
    explained = resubmission.explained
    corrected = [f for f in resubmission.fixed if f not in explained]
    before = {_key(f) for f in resubmission.still}
    still = sum(1 for item in listed if any(_key(f) in before for f in item.findings))
    return Since(resubmission.version, len(items_of(corrected)), len(items_of(explained)), still,
                 len(listed) - still)


def kind_of(state: SchoolState, warnings: bool = True) -> str:
    """What a school's state asks it to be told ("" : nothing): sent back, reminded, asked to
    check (its form's warnings or its documents'; only with ``warnings``), or asked for the
    documents it still owes."""
    if state.status == "missing":
        return REMINDER
    if state.status == "returned":
        return RETURNED
    if not state.accepted:  # exempt, or waiting for the clerk
        return ""
    if warnings and any(f.level == WARNING for f in state.findings):
        return CHECK
    if owed_documents(state.materials):
        return DOCUMENTS
    return CHECK if warnings and document_checks(state.materials) else ""


def document_checks(materials: Iterable[MaterialState]) -> tuple[Item, ...]:
    """The warnings about documents received (too short, …), each an item to check naming its file."""
    out = []
    for m in materials:
        if m.material.is_form or m.status == "returned":
            continue
        for f in m.findings:
            if f.level == WARNING:
                out.append(Item(WARNING, (replace(f, message=f"文件“{display_name(m.file)}”：{f.message}"),)))
    return tuple(out)


def owed_of(materials: Iterable[MaterialState], settings: Settings) -> tuple[Owed, ...]:
    """The documents still owed, each with its own deadline (the collection's when it has none)."""
    out = []
    for m in owed_documents(materials):
        deadline = m.material.deadline or settings.deadline
        again = "；".join(f.message for f in m.findings if f.level == ERROR) if m.status == "returned" else ""
        out.append(Owed(m.material.label, date.fromisoformat(deadline) if deadline else None, again))
    return tuple(out)


def remark_of(state: SchoolState) -> str:
    return next((d.note for d in state.decisions if d.kind == "remark" and d.note), "")


# --- the window's details --------------------------------------------------------------------------


def notice_lines(notice: Notice) -> list[tuple[str, str]]:
    """The notice as the window's details show it: (style, text) per line, style one of head,
    error, warning, owed, unopened, remark."""
    head = {RETURNED: "退回修改", CHECK: "请核对", REMINDER: "催报", DOCUMENTS: "催交材料",
            SUPERVISE: "整改督办"}.get(notice.kind, "")
    said = "，".join(x for x in (notice.head_words(), notice.by_words()) if x)
    lines = [("head", f"{head}：{said}" if said else head)]
    lines += [("unopened", t) for t in notice.unopened_words()]
    lines += [(item.level, f"{n}. {item.text}") for n, item in notice.numbered()]
    if notice.owed:
        lines.append(("owed", notice.owed_words()))
    if notice.remark:
        lines.append(("remark", f"区教育局说明：{notice.remark}"))
    lines += [("owed", t) for t in notice.due_words()]
    return lines


def notice_text(notice: Notice) -> str:
    """The same as plain text, a line each."""
    return "\n".join(text for _, text in notice_lines(notice))


__all__ = ["CHECK", "DOCUMENTS", "KINDS", "SUPERVISE", "DUE_HEAD", "EXPLAIN_HEAD", "Notice", "Owed", "REMINDER", "RETURNED", "Since",
           "Unopened", "document_checks", "items_for", "kind_of", "notice_lines", "notice_of", "notice_text", "owed_of",
           "remark_of", "since_of", "sorted_items"]
