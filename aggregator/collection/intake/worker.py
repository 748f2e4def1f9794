"""What a reading worker does with one archived file: a return, a document, or a reason why not.

A school answers the plan with whatever it has: the issued workbook, the form's Word table
filled in Word, a case article, a scanned page. A file that is not a workbook is first tried as
the form filled in Word or Writer (its table read by its labels, ``located_by == "docx"``), and
only then taken as a document, identified by its name and title and lightly checked. A document
is never called "unreadable" for not being Excel when the plan asks for documents; an old-format
``.doc``/``.wps`` that carries the form's table is asked for again as ``.docx`` or as the
workbook, because that is the one thing the school can do about it.

Everything here runs in a worker process (``pool``): it gets what it needs once (``Roster``),
and returns plain, picklable outcomes for the parent to record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ... import stages
from ...checks.documents import check_document
from ...checks.validate import Context, validate
from ...form.declaration import Form
from ...form.parse import load_form
from ...messages import message
from ...reading import UnreadableFile, read_return
from ...reading.documents import Document, document_format, read_document
from ...reading.reader import read_word_return
from ..supervision.answers import MATERIAL as ANSWER, IssuedSheet, recognise
from .identify import Identity, identify
from .identify_documents import identify_document
from ..store.ledger import DocumentRecord, ReturnRecord
from ..store.names import NameIndex
from ..store.plan import Plan
from ..store.roster import School

# A workbook without our table is no return: it must not supersede a school's real one.
NOT_THIS_FORM = ("form-not-found", "wrong-form")
WORD_TABLES = ("docx", "odt")  # documents whose tables we can read as the form
OLD_WORD = ("doc", "wps")
_SPACE = re.compile(r"\s+")
_UNIT = re.compile(r"[（(][^）)]*[）)]")  # "派出责任督学数（人）": the unit is often left out in Word


@dataclass(frozen=True)
class ReadJob:
    path: str  # the archived copy
    name: str  # as received: the file name identifies a school when nothing else does
    sha256: str
    received_at: str


@dataclass(frozen=True)
class Template:
    """A document the collection sent out (a 推荐表 to fill in): sent back as it was, it is no answer."""

    material: str
    sha256: str
    text: str  # its text without spaces: a copy saved again unchanged has the same


@dataclass(frozen=True)
class Roster:
    """What reading, identifying and checking a file needs; sent once to each worker."""

    form: str  # the declaration's name or path
    schools: tuple[School, ...]
    levels: tuple[str, ...]  # our own name and the levels above: prefixes schools may write
    collection_id: str
    plan: Plan | None = None  # documents are taken only when the plan asks for some
    templates: tuple[Template, ...] = ()
    sheets: tuple[IssuedSheet, ...] = ()  # the 督办单 issued: a document may answer one (``answers``)
    answer_words: tuple[str, ...] = ()  # with a school's name, the words that make a document an answer


class Reader:
    """Read, identify and check one archived file: ("unreadable", kind, reason),
    ("return", ReturnRecord) or ("document", DocumentRecord)."""

    def __init__(self, roster: Roster) -> None:
        self.form = load_form(roster.form)
        self.by_id = {s.id: s for s in roster.schools}
        self.index = NameIndex({s.id: s.name for s in roster.schools}, roster.levels)
        self.collection_id = roster.collection_id
        self.plan = roster.plan
        self.templates = roster.templates
        self.sheets, self.answer_words = roster.sheets, roster.answer_words

    def __call__(self, job: ReadJob) -> tuple:
        try:
            sub = read_return(job.path, self.form)
        except UnreadableFile as exc:
            stages.lap("read")
            if exc.kind != "not-spreadsheet":
                return ("unreadable", exc.kind, exc.message)
            return self._not_a_workbook(job, exc)
        stages.lap("read")
        not_ours = next((f for f in sub.findings if f.rule in NOT_THIS_FORM), None)
        if not_ours is not None:  # another workbook (a case report, last year's form): not a return
            return ("unreadable", not_ours.rule, not_ours.message)
        return self._return(sub, job)

    def _return(self, sub, job: ReadJob) -> tuple:
        ident = identify(sub, job.name, self.index, self.by_id, self.collection_id, self.form.unit)
        stages.lap("identify")
        return ("return", record(self.form, sub, ident, self.by_id, self.index, job.sha256, job.received_at))

    def _not_a_workbook(self, job: ReadJob, refused: UnreadableFile) -> tuple:
        path = Path(job.path)
        fmt = document_format(path)
        if not fmt:
            return ("unreadable", refused.kind, refused.message)
        # A collection of the form alone asks for nothing but the form: a document that is not
        # the form, or that cannot be read, gets the answer it always got ("send the workbook").
        wanted = self.plan is not None and bool(self.plan.documents)
        as_before = ("unreadable", refused.kind, refused.message)
        try:
            if fmt in WORD_TABLES:  # the form's table filled in Word or Writer
                sub = read_word_return(path, self.form, fmt)
                if not any(f.rule in NOT_THIS_FORM for f in sub.findings):
                    return self._return(sub, job)
            doc = read_document(path, fmt)
        except UnreadableFile as exc:
            return ("unreadable", exc.kind, exc.message) if wanted or self.sheets else as_before
        answer = recognise(job.name, doc.title, doc.text, self.sheets, self.index, self.answer_words)
        if answer is not None:  # a school's answer to a 督办单: its evidence, whatever else it names
            return ("document", DocumentRecord(job.sha256, answer.school_id, ANSWER, answer.by, None, job.received_at,
                                               fmt, doc.title, doc.chars, ()), answer)
        if fmt in OLD_WORD and looks_like_form(doc.text, self.form):
            return ("unreadable", "word-form-old", message("word-form-old", label=self.form.sheet))
        return ("document", self._document(job, fmt, doc)) if wanted else as_before

    def _document(self, job: ReadJob, fmt: str, doc: Document) -> DocumentRecord:
        assert self.plan is not None
        ident = identify_document(job.name, doc, self.index, self.by_id, self.plan)
        material = self.plan.material(ident.material) if ident.material else None
        unchanged = any(t.sha256 == job.sha256 or (t.text and t.text == _SPACE.sub("", doc.text))
                        for t in self.templates if material is None or t.material == material.id)
        findings = check_document(doc, min_chars=material.min_chars if material else 0,
                                  label=material.label if material else "", unchanged=unchanged)
        return DocumentRecord(job.sha256, ident.school_id, ident.material, ident.by, ident.review, job.received_at,
                              fmt, doc.title, doc.chars, findings)


def looks_like_form(text: str, form: Form) -> bool:
    """Does a Word file's text carry the form's table? Most of the labels of its tables' rows
    are there (a case article names one or two of them at most)."""
    flat = _SPACE.sub("", text)
    stems = (_UNIT.sub("", _SPACE.sub("", r.label)) for s in form.sections if s.has_table for r in s.rows)
    labels = {stem for stem in stems if len(stem) >= 4}  # "通报", "约谈" are in any article
    if not labels or not flat:
        return False
    return sum(1 for label in labels if label in flat) >= max(3, (len(labels) + 1) // 2)


def template_of(material: str, path: Path, sha256: str) -> Template:
    """A sent-out document as ``Reader`` compares with it (its text "" when it has none we read)."""
    try:
        text = _SPACE.sub("", read_document(path).text)
    except UnreadableFile:
        text = ""
    return Template(material, sha256, text)


def context_for(school: School | None, unit: object, index: NameIndex) -> Context:
    return Context(in_roster=index.match(str(unit or "")) is not None, stage=school.stage if school else "")


def record(form: Form, sub, ident: Identity, by_id: dict[str, School], index: NameIndex, sha: str,
           received_at: str) -> ReturnRecord:
    school = by_id.get(ident.school_id) if ident.school_id else None
    report = validate(form, sub, context_for(school, sub.values.get(form.unit.id), index))
    stages.lap("check")
    return ReturnRecord(sub, sha256=sha, school_id=ident.school_id, identified_by=ident.by, review=ident.review,
                        received_at=received_at, findings=report.findings)
