"""Where every school stands, derived from the ledger each time it is asked.

The states are ``state``'s. The current return of a school is its newest by the file's own
time; older ones stay as history.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from collections.abc import Iterator, Mapping
from typing import Any

from ... import clock
from ...findings import Finding
from ...checks.outliers import Peer, figure_row, outlier_findings
from ...deferred import Deferred, Later, building, settled
from ...form.declaration import Form
from ...form.values import shown_text
from ...messages import message, render
from ...reading.submission import Normalisation
from ..store.folder import Collection
from ..store.ledger import DocumentRecord, FileRecord, ReturnRecord
from .changes import NONE as FIRST_VERSION, Resubmission, resubmission
from .materials import MaterialState, material_states
from .previous import kept_findings, period_findings, with_explanations
from ..store.roster import School
from ...filenames import issued_name
from ..store.names import NameIndex, school_by_file_name
from .decisions import NONE, Decision, decisions, verdicts
from .state import DOCUMENT_LABELS, STATE_LABELS, STATES, open_findings, state_of
from .told import Feedback, Told, feedback_of, told_by_school
from ..supervision.checks import register_findings

__all__ = ["STATES", "STATE_LABELS", "DOCUMENT_LABELS", "SchoolState", "Overview", "overview", "note_message"]


def note_message(form: Form | None, note: Normalisation) -> str:
    """What the reader changed to read a value (a blank read as 0, "3个" as 3), in words."""
    label = form.field(note.field).display if form is not None and form.has_field(note.field) else note.field
    return message(note.kind, cell=note.cell, label=label, raw=shown_text(note.raw), value=shown_text(note.value))


@dataclass(frozen=True)
class SchoolState:
    school: School
    status: str
    late: bool
    current: ReturnRecord | None
    versions: int
    findings: tuple[Finding, ...] = Deferred()  # worked out when first read (``deferred``)
    form: Form | None = None
    decisions: tuple[Decision, ...] = ()  # the clerk's, in force for this school and its return
    files: tuple[FileRecord, ...] = ()  # files that are no return, which the clerk said it sent
    materials: tuple[MaterialState, ...] = Deferred(())  # per material the school owes, the form's included
    told: tuple[Told, ...] = ()  # what went out to the school, any way, oldest first
    # The current version against the one before it (a school with one version: nothing changed).
    resubmission: Resubmission = Deferred(FIRST_VERSION)

    @property
    def feedback(self) -> Feedback:
        """What the school must be told now, and what went out about it (``told``)."""
        return feedback_of(self.status, self.current.sha256 if self.current else "", self.told)

    def __getstate__(self) -> dict[str, Any]:
        return settled(self)

    @property
    def notes(self) -> list[str]:
        """What the reader changed to read the current return (a blank read as 0, "3个" as 3)."""
        if self.current is None:
            return []
        return [note_message(self.form, n) for n in self.current.notes]

    @property
    def accepted(self) -> bool:
        return self.status in ("accepted", "accepted_with_warnings")

    def to_dict(self) -> dict[str, Any]:
        cur = self.current
        return {
            "id": self.school.id,
            "name": self.school.name,
            "status": self.status,
            "status_label": STATE_LABELS[self.status],
            "late": self.late,
            "file": cur.original_name if cur else None,
            "archived": cur.archived if cur else None,
            "received_at": cur.received_at if cur else None,
            "version": self.versions,
            "review": render(cur.review) if cur and cur.review else None,
            "stage": self.school.stage,
            "parent": self.school.parent,
            "contact": self.school.contact,
            "phone": self.school.phone,
            "email": self.school.email,
            "findings": [
                {"rule": f.rule, "level": f.level, "cells": list(f.cells), "message": f.message,
                 "suggest": f.suggested, "explanation": f.explanation or None,
                 "explained_by": f.explained_by or None} for f in self.findings
            ],
            "notes": self.notes,
            "decisions": [d.to_dict() for d in self.decisions],
            "files": [{"file": f.original_name, "reason": f.reason} for f in self.files],
            "materials": [m.to_dict() for m in self.materials],
            "feedback": [t.to_dict() for t in self.told],
            **self.resubmission.to_json(),
        }


@dataclass(frozen=True)
class Overview:
    schools: tuple[SchoolState, ...]
    unreadable: tuple[FileRecord, ...]
    unidentified: tuple[ReturnRecord, ...]
    unit_field: str = ""  # the id of the form's field whose role is unit: shown for unidentified returns
    ignored: tuple[FileRecord, ...] = ()  # unreadable files and documents the clerk set aside (still archived)
    documents_waiting: tuple[DocumentRecord, ...] = ()  # documents whose school or material is in doubt

    @cached_property
    def counts(self) -> dict[str, int]:
        """How many schools are in each state (every state, 0 included)."""
        n = dict.fromkeys(STATES, 0)
        for s in self.schools:
            n[s.status] += 1
        return n

    def count(self, *states: str) -> int:
        return sum(self.counts[state] for state in states)

    @property
    def expected(self) -> int:
        """Schools that must report: the roster, less those exempted (免报)."""
        return len(self.schools) - self.count("exempt")

    @cached_property
    def late(self) -> int:
        return sum(1 for s in self.schools if s.late)

    def to_json(self) -> dict[str, Any]:
        tied = {f.sha256: s.school.name for s in self.schools for f in s.files}
        return {
            "schools": [s.to_dict() for s in self.schools],
            "unreadable": [{"file": f.original_name, "reason": f.reason, "kind": f.reason_kind,
                            "archived": f.archived, "school": tied.get(f.sha256)} for f in self.unreadable],
            "unidentified": [{"file": r.original_name, "reason": render(r.review) if r.review else "",
                              "archived": r.archived, "unit": r.values.get(self.unit_field)}
                             for r in self.unidentified],
            "documents_waiting": [{"file": d.original_name, "reason": render(d.review), "title": d.title,
                                   "archived": d.archived} for d in self.documents_waiting],
            "counts": {state: self.count(state) for state in STATES} | {"late": self.late,
                                                                        "expected": self.expected},
        }


def overview(col: Collection) -> Overview:
    with building():
        return _overview(col)


def _overview(col: Collection) -> Overview:
    revision = col.ledger.revision()  # before the returns: a change made meanwhile is seen next time
    schools = col.schools()
    form = col.form
    by_school: dict[str, list[ReturnRecord]] = {}
    unidentified = []
    for r in col.ledger.returns(form):  # ordered by received_at, id
        if r.school_id is None:
            unidentified.append(r)
        else:
            by_school.setdefault(r.school_id, []).append(r)

    current = {sid: rs[-1] for sid, rs in by_school.items()}
    extra = outliers(col, form, schools, current, revision)
    for sha, found in register_findings(col, form, current).items():  # Annex 5 against the 整改台账
        extra[sha] = tuple(extra.get(sha, ())) + found
    period = period_findings(col, form, schools, by_school, revision)
    if period:
        extra = {sha: extra.get(sha, ()) + period.get(sha, ()) for sha in {*extra, *period}}
    decided: dict[str, list[Decision]] = {}
    set_aside, tied, picked = set(), {}, {}
    for d in decisions(col):
        decided.setdefault(d.school_id, []).append(d)
        if d.kind == "pick":  # a document recommended upward (``picks``): rule is the material
            picked.setdefault(d.school_id, set()).add(d.rule)
        elif d.kind == "ignore":
            set_aside.add(d.sha256)
        elif d.kind == "tie":
            tied[d.sha256] = d.school_id
    unreadable = [f for f in col.ledger.files("unreadable") if f.sha256 not in set_aside]
    loose = [f for f in unreadable if f.sha256 not in tied]
    if loose:  # a file named after one school is that school's, even when it cannot be opened
        tied |= tied_by_name(col, schools, loose)
    files: dict[str, list[FileRecord]] = {}
    for f in unreadable:
        if f.sha256 in tied:
            files.setdefault(tied[f.sha256], []).append(f)

    told = told_by_school(col)
    plan = col.plan
    form_material = plan.form_material
    documents = col.ledger.documents()
    settled: dict[str, list[DocumentRecord]] = {}
    for d in documents:
        if not d.waiting:
            settled.setdefault(d.school_id, []).append(d)
    states, now = [], clock.stamp()
    for s in schools:
        cur = current.get(s.id)
        v = verdicts(decided[s.id], s.id, cur) if s.id in decided else NONE
        mine = extra.get(cur.sha256, ()) if cur else ()
        status = state_of(cur, mine, v)
        late = bool(cur) and col.is_late(cur.received_at)
        versions = len(by_school[s.id]) if cur else 0
        # Read by the school and by its form's material (``status --json``), decoded once: ``cache``.
        found = Later(cache(lambda cur=cur, mine=mine, v=v: open_findings(tuple(cur.findings) + tuple(mine), v))) \
            if cur else ()
        owed = Later(lambda s=s, status=status, late=late, cur=cur, versions=versions, found=found: material_states(
            plan, s, MaterialState(form_material, status, late, cur.original_name if cur else "",
                                   cur.received_at if cur else "", versions) if form_material else None,
            settled.get(s.id, ()), col.is_late_for, now, Later(found.make) if found else (),
            frozenset(picked.get(s.id, ()))))
        since = FIRST_VERSION
        if versions > 1:  # what changed since the version before: worked out when asked for
            earlier = by_school[s.id][-2]
            since = Later(lambda cur=cur, mine=mine, v=v, earlier=earlier, n=versions: resubmission(
                form, earlier, cur, open_findings(tuple(cur.findings) + tuple(mine), v), extra.get(earlier.sha256, ()),
                n))
        states.append(SchoolState(s, status, late, cur, versions, found, form, v.all() if v is not NONE else (),
                                  tuple(files.get(s.id, ())), owed, told.get(s.id, ()), since))
    waiting = tuple(d for d in documents if d.waiting and d.sha256 not in set_aside)
    ignored = tuple(f for f in col.ledger.files("unreadable") + col.ledger.files("document")
                    if f.sha256 in set_aside)
    return Overview(tuple(states), tuple(unreadable), tuple(unidentified), form.unit.id, ignored, waiting)


def tied_by_name(col: Collection, schools: list[School], files: list[FileRecord]) -> dict[str, str]:
    """File hash -> school id, for the ``files`` whose own name is a workbook issued to a school
    (附件5-某某镇中心小学.xlsx) or names one roster school; the clerk's ``tie`` overrides it."""
    index, issued = _names(tuple((s.id, s.name) for s in schools), col.settings.levels, col.form.annex)
    found = {f.sha256: school_by_file_name(f.original_name, index, issued) for f in files}
    return {sha: sid for sha, sid in found.items() if sid}


@lru_cache(maxsize=2)
def _names(schools: tuple[tuple[str, str], ...], levels: tuple[str, ...], annex: str
           ) -> tuple[NameIndex, dict[str, str]]:
    """The roster's names looked up by file name, made once per roster (90 ms at 10,000 schools):
    the window asks for an overview after every job."""
    return NameIndex(dict(schools), levels), {issued_name(annex, name): sid for sid, name in schools}


OUTLIERS_KEY = "outliers"  # ledger meta: the outlier findings as of a revision of the ledger
OUTLIERS_WORDING = 2  # moved on when the findings are made otherwise (2: a total and its part, one finding)


def outliers(col: Collection, form: Form, schools: list[School], current: dict[str, ReturnRecord],
             revision: int) -> dict[str, tuple[Finding, ...]]:
    """The ``outlier`` findings of the current returns, by return (sha256); and of earlier
    versions as they were judged while current (what a new version put right, ``changes``).

    They need the figures of every return, so they are worked out once per revision of the
    ledger (any change to the returns or the roster moves it on) and kept in it: opening a
    province's collection decodes no return's figures."""
    judged = {sid: r for sid, r in current.items() if not r.review and not r.levels.errors}

    def work() -> dict[str, tuple[Finding, ...]]:
        stage = {s.id: s.stage for s in schools}
        rows = figure_rows(col, form, list(judged.values()))  # only returns new since are decoded
        cells = _Cells(col, [r.id for r in judged.values()])
        peers = [Peer(r.sha256, stage.get(sid, ""), rows[r.id], cells.of(r.id)) for sid, r in judged.items()]
        found = {sha: tuple(fs) for sha, fs in outlier_findings(form, peers).items()}
        return with_explanations(col, form, found, {r.sha256: r.id for r in judged.values()})

    return kept_findings(col, OUTLIERS_KEY, f"{revision} {form.id} {form.version} {OUTLIERS_WORDING}", work,
                         [r.sha256 for r in current.values()])


FIGURES_KEY = "outlier-figures"  # ledger meta: the figure rows of the returns last judged for outliers


def figure_rows(col: Collection, form: Form, returns: list[ReturnRecord]) -> dict[int, list[Any]]:
    """The figures of ``returns`` as the outlier rule compares them (``figure_row``), by return id.

    A return's figures never change once recorded, so the rows of the returns judged last time
    are kept in the ledger and only the returns new since are decoded: a collect that brings a
    few returns into a province's collection reads a few, not 10,000 (a row carries its return's
    hash, so a row of another return, whatever happened to the ledger, is never taken for it)."""
    fields = [f.id for f in form.numeric_fields]
    shape = [form.id, form.version, fields]
    try:
        kept = json.loads(col.ledger.get(FIGURES_KEY) or "{}")
    except json.JSONDecodeError:
        kept = {}
    known = kept.get("rows", {}) if kept.get("shape") == shape else {}
    rows: dict[int, list[Any]] = {}
    missing = []
    for r in returns:
        row = known.get(str(r.id))
        if row is not None and row[0] == r.sha256:
            rows[r.id] = row[1:]
        else:
            missing.append(r)
    if missing:
        figures = col.ledger.figures(r.id for r in missing)
        rows.update((r.id, figure_row(form, figures.get(r.id, {}))) for r in missing)
    if missing or len(known) != len(rows):
        by_id = {r.id: r.sha256 for r in returns}
        col.ledger.keep(FIGURES_KEY, json.dumps({"shape": shape, "rows": {
            str(rid): [by_id[rid], *row] for rid, row in rows.items()}}, ensure_ascii=False, separators=(",", ":")))
    return rows


class _Cells:
    """The cell maps of the returns judged for outliers, read from the ledger only if one of their
    figures is far above its peers' (then all at once: most returns share one map)."""

    def __init__(self, col: Collection, return_ids: list[int]) -> None:
        self.col, self.ids = col, return_ids
        self.maps: dict[int, dict[str, str]] | None = None

    def of(self, return_id: int) -> Mapping[str, str]:
        return _CellsOf(self, return_id)

    def get(self, return_id: int) -> dict[str, str]:
        if self.maps is None:
            self.maps = self.col.ledger.cell_maps(self.ids)
        return self.maps.get(return_id, {})


class _CellsOf(Mapping):
    """One return's cell map, read when first looked into."""

    def __init__(self, cells: _Cells, return_id: int) -> None:
        self.cells, self.id = cells, return_id

    def __getitem__(self, field_id: str) -> str:
        return self.cells.get(self.id)[field_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self.cells.get(self.id))

    def __len__(self) -> int:
        return len(self.cells.get(self.id))
