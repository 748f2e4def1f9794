"""Where every school stands, derived from the ledger each time it is asked.

The states are ``state``'s. The current return of a school is its newest by the file's own
time; older ones stay as history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..checks.findings import Finding, Report
from ..checks.outliers import Peer, outlier_findings
from ..form.declaration import Form
from ..form.values import shown_text
from ..messages import message, render
from ..reading.submission import Normalisation
from .folder import Collection
from .ledger import DocumentRecord, FileRecord, ReturnRecord
from .materials import MaterialState, material_states
from .roster import School
from .decisions import Decision, decisions, verdicts
from .state import DOCUMENT_LABELS, STATE_LABELS, STATES, open_findings, state_of

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
    findings: tuple[Finding, ...]
    form: Form | None = None
    decisions: tuple[Decision, ...] = ()  # the clerk's, in force for this school and its return
    files: tuple[FileRecord, ...] = ()  # files that are no return, which the clerk said it sent
    materials: tuple[MaterialState, ...] = ()  # per material the school owes, the form's included

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
                 "suggest": f.suggested} for f in self.findings
            ],
            "notes": self.notes,
            "decisions": [d.to_dict() for d in self.decisions],
            "files": [{"file": f.original_name, "reason": f.reason} for f in self.files],
            "materials": [m.to_dict() for m in self.materials],
        }


@dataclass(frozen=True)
class Overview:
    schools: tuple[SchoolState, ...]
    unreadable: tuple[FileRecord, ...]
    unidentified: tuple[ReturnRecord, ...]
    unit_field: str = "unit"  # the form's field whose role is unit: shown for unidentified returns
    ignored: tuple[FileRecord, ...] = ()  # unreadable files the clerk set aside (still archived)
    documents_waiting: tuple[DocumentRecord, ...] = ()  # documents whose school or material is in doubt

    def count(self, *states: str) -> int:
        return sum(1 for s in self.schools if s.status in states)

    @property
    def expected(self) -> int:
        """Schools that must report: the roster, less those exempted (免报)."""
        return len(self.schools) - self.count("exempt")

    @property
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
    stage = {s.id: s.stage for s in schools}
    peers = [
        Peer(sid, stage.get(sid, ""), r.values, r.cells)
        for sid, r in current.items()
        if not r.review and Report(r.findings).ok
    ]
    extra = outlier_findings(form, peers)
    decided = decisions(col)
    set_aside = {d.sha256 for d in decided if d.kind == "ignore"}
    tied = {d.sha256: d.school_id for d in decided if d.kind == "tie"}
    unreadable = [f for f in col.ledger.files("unreadable") if f.sha256 not in set_aside]

    plan = col.plan
    documents = col.ledger.documents()
    settled = [d for d in documents if d.school_id and d.material and not d.review]
    states = []
    for s in schools:
        cur = current.get(s.id)
        v = verdicts(decided, s.id, cur)
        files = tuple(f for f in unreadable if tied.get(f.sha256) == s.id)
        mine = extra.get(s.id, ())
        status = state_of(cur, mine, v)
        late = bool(cur) and col.is_late(cur.received_at)
        form_state = MaterialState(plan.form_material, status, late, cur.original_name if cur else "",
                                   cur.received_at if cur else "", len(by_school.get(s.id, ()))) \
            if plan.form_material else None
        owed = material_states(plan, s, form_state, (d for d in settled if d.school_id == s.id), col.is_late_for)
        if cur is None:
            states.append(SchoolState(s, status, False, None, 0, (), form, v.all(), files, owed))
            continue
        findings = open_findings(tuple(cur.findings) + tuple(mine), v)
        states.append(SchoolState(s, status, late, cur, len(by_school[s.id]), findings, form, v.all(), files, owed))
    waiting = tuple(d for d in documents if not (d.school_id and d.material) or d.review)
    ignored = tuple(f for f in col.ledger.files("unreadable") if f.sha256 in set_aside)
    return Overview(tuple(states), tuple(unreadable), tuple(unidentified), form.unit.id, ignored, waiting)
