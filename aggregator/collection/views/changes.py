"""What changed between a school's versions: the cells it changed, the findings it put right
(corrected, or explained), and those still there.

Worked out only for a school that sent more than one version, when first asked for (``status
--json`` asks for every such school; the window for the one selected): two submissions and two
lists of findings, compared field by field. Findings are matched by rule and fields, so a
finding whose cells moved with an inserted row is still the same finding.

``Resubmission`` is what a letter to a resubmitting school starts from: what it corrected, what is
still wrong (phase B's letters read it through ``SchoolState.resubmission``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ...findings import EXPLAIN, INFO, Finding
from ...form.declaration import Form
from ...form.explanations import SHEET
from ...messages import rule_name
from ..store.ledger import ReturnRecord


@dataclass(frozen=True)
class Change:
    """One value the school changed between versions."""

    cell: str  # in the new version's workbook (the old one's when the new lacks it)
    label: str  # the field as a clerk reads it (row·column), or 情况说明·<rule>
    old: Any
    new: Any
    field: str = ""  # field id ("" for an explanation)

    def to_dict(self) -> dict[str, Any]:
        return {"cell": self.cell, "label": self.label, "old": _json(self.old), "new": _json(self.new)}


def _json(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value if value is None or isinstance(value, (int, float, str, bool)) else str(value)


def _finding_dict(f: Finding) -> dict[str, Any]:
    out = {"rule": f.rule, "level": f.level, "cells": list(f.cells), "message": f.message}
    if f.level == EXPLAIN:
        out["explanation"] = f.explanation or None
    return out


@dataclass(frozen=True)
class Resubmission:
    """A new version against the one before it."""

    version: int  # the new version's number (2 for the second)
    changes: tuple[Change, ...]
    fixed: tuple[Finding, ...]  # the earlier version's findings the new one no longer has, or explained
    still: tuple[Finding, ...]  # the new version's findings the earlier one had too (as they read now)

    @property
    def explained(self) -> tuple[Finding, ...]:
        """Of ``fixed``: those put right by an explanation rather than a changed figure."""
        return tuple(f for f in self.fixed if f.level == EXPLAIN and f.explained)

    def to_json(self) -> dict[str, list[dict[str, Any]]]:
        """The ``status --json`` keys: changes, fixed, still."""
        return {"changes": [c.to_dict() for c in self.changes], "fixed": [_finding_dict(f) for f in self.fixed],
                "still": [_finding_dict(f) for f in self.still]}


NONE = Resubmission(1, (), (), ())


def _key(f: Finding) -> tuple:
    return (f.rule, f.fields or f.cells)


def value_changes(form: Form, old: ReturnRecord, new: ReturnRecord) -> tuple[Change, ...]:
    """Every field whose value differs, in the form's order, then every 说明 that differs."""
    out = []
    ov, nv = old.values, new.values
    for f in form.fields:
        before, after = ov.get(f.id), nv.get(f.id)
        if before != after:  # 3 and 3.0 are the same figure
            out.append(Change(new.cells.get(f.id) or old.cells.get(f.id, ""), f.display, before, after, f.id))
    said_before = {e.rule: e for e in old.submission.explanations}
    said_now = {e.rule: e for e in new.submission.explanations}
    for rule in dict.fromkeys([*said_before, *said_now]):
        a, b = said_before.get(rule), said_now.get(rule)
        if (a.text if a else "") != (b.text if b else ""):
            cell = (b or a).cell
            out.append(Change(cell, f"{SHEET}·{rule_name(rule, form)}", a.text if a else None, b.text if b else None))
    return tuple(out)


def resubmission(form: Form, earlier: ReturnRecord | None, current: ReturnRecord | None,
                 open_now: tuple[Finding, ...], earlier_extra: tuple[Finding, ...] = (),
                 version: int = 2) -> Resubmission:
    """``current`` against ``earlier``: the cells changed; of the earlier version's findings (its
    own, and ``earlier_extra`` worked out across returns), those the new one has no more or has
    explained (``fixed``) and those still there (``still``, as ``open_now``, the new version's
    findings in force, says them now)."""
    if earlier is None or current is None:
        return NONE
    now = {}
    for f in open_now:
        if f.level != INFO:
            now.setdefault(_key(f), f)
    fixed, still = [], []
    seen = set()
    for f in (*earlier.findings, *earlier_extra):
        if f.level == INFO or _key(f) in seen:
            continue
        seen.add(_key(f))
        there = now.get(_key(f))
        if there is None:
            fixed.append(f)
        elif there.level == EXPLAIN and there.explained and not (f.level == EXPLAIN and f.explained):
            fixed.append(there)  # kept, and explained this time
        else:
            still.append(there)
    return Resubmission(version, value_changes(form, earlier, current), tuple(fixed), tuple(still))
