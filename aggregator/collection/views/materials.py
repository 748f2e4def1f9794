"""Where each school stands on each material it owes: the form's state, and each document's.

A document is received or missing, late against its own material's deadline, and sent back
when a light check failed (empty, much too short, the very file we sent). The form keeps the
states it always had. ``status`` shows them per school; a reminder lists what is still owed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

from ...deferred import Deferred, Later, settled
from ...findings import Finding, Report
from ..store.ledger import DocumentRecord
from ..store.plan import Material, Plan
from ..store.roster import School


@dataclass(frozen=True)
class MaterialState:
    material: Material
    status: str  # the states of ``state``: missing, accepted, accepted_with_warnings, returned, …
    late: bool
    file: str = ""
    received_at: str = ""
    version: int = 0
    title: str = ""  # a document's title
    # A document's findings; the form's are its return's (those ``SchoolState.findings`` holds,
    # worked out once for both, when first read: ``deferred``).
    findings: tuple[Finding, ...] = Deferred(())
    overdue: bool = False  # not received, and its deadline has passed (``late`` is for what came)
    picked: bool = False  # the clerk recommends it upward (``picks``)

    def __getstate__(self) -> dict[str, Any]:
        return settled(self)

    @property
    def received(self) -> bool:
        return self.status not in ("missing", "exempt")

    def to_dict(self) -> dict[str, Any]:
        m = self.material
        return {"id": m.id, "label": m.label, "kind": m.kind, "status": self.status, "late": self.late,
                "file": self.file or None, "received_at": self.received_at or None, "version": self.version,
                "deadline": m.deadline or None, "title": self.title or None,
                "findings": [{"rule": f.rule, "level": f.level, "message": f.message, "cells": list(f.cells)}
                             for f in self.findings],
                "overdue": self.overdue, "picked": self.picked}


def material_states(plan: Plan, school: School, form_state: MaterialState, documents: Iterable[DocumentRecord],
                    is_late: Callable[[Material, str], bool], now: str = "",
                    form_findings: tuple[Finding, ...] | Later = (),
                    picked: frozenset[str] = frozenset()) -> tuple[MaterialState, ...]:
    """Per material the school owes, in the plan's order; ``form_state``: its form's, as status
    worked it out; ``documents``: this school's identified documents, oldest first; ``now``: the
    time against which a material not received is overdue ("" = never); ``form_findings``: its
    return's open findings, or a ``Later`` that gives them; ``picked``: the ids of the materials
    the clerk recommends."""
    by_material: dict[str, list[DocumentRecord]] = {}
    for d in documents:
        by_material.setdefault(d.material, []).append(d)
    out = []
    for m in plan.owed_by(school):
        if m.is_form:
            out.append(MaterialState(m, form_state.status, form_state.late, form_state.file, form_state.received_at,
                                     form_state.version, findings=form_findings,
                                     overdue=form_state.status == "missing" and bool(now) and is_late(m, now)))
            continue
        mine = by_material.get(m.id, [])
        if not mine:
            out.append(MaterialState(m, "missing", False, overdue=bool(now) and is_late(m, now)))
            continue
        cur = mine[-1]
        out.append(MaterialState(m, Report(cur.findings).status, is_late(m, cur.received_at), cur.original_name,
                                 cur.received_at, len(mine), cur.title, cur.findings, picked=m.id in picked))
    return tuple(out)


def owed(states: Iterable[MaterialState]) -> tuple[MaterialState, ...]:
    """What a school still owes: materials not received, or sent back."""
    return tuple(s for s in states if s.status in ("missing", "returned"))


# A material's state in a word or two, for a table with a column per material.
SHORT_LABELS = {"missing": "未交", "accepted": "已交", "accepted_with_warnings": "请核对", "returned": "退回",
                "needs_review": "待确认", "exempt": "免报"}


def short_label(state: MaterialState, overdue: bool = False) -> str:
    """已交, 已交（逾期）, 请核对 (received, with warnings: a case much too short), 未交, 逾期未交 (its
    deadline has passed: ``overdue``), 退回, 待确认, 免报."""
    if state.status == "missing":
        return "逾期未交" if overdue else "未交"
    text = SHORT_LABELS.get(state.status, state.status)
    if state.status == "accepted_with_warnings":  # what to do first; its lateness is in its tooltip
        return text
    return f"{text}（逾期）" if state.late and state.received else text


def owed_documents(states: Iterable[MaterialState]) -> tuple[MaterialState, ...]:
    """The documents (a case, a report) a school still owes; its form has letters of its own."""
    return tuple(s for s in owed(states) if not s.material.is_form)
