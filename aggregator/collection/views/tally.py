"""The overview a clerk reads at a glance: progress per 所属单位 and the district's main totals.

Progress is counted from an ``Overview``; the totals are those of the summary (summed fields over
the returns that pass, as ``consolidate`` counts them by default), added up by the ledger in the
returns' JSON: a province's totals cost no decoding of 10,000 returns.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Sequence

from ...form.declaration import Field, Form
from ..store.ledger import Ledger
from ..store.folder import Collection
from .materials import MaterialState
from ..store.plan import Material
from .status import Overview, overview

OTHERS = "（未填所属单位）"
MAIN_TOTALS = 6  # how many totals the overview shows


@dataclass(frozen=True)
class UnitProgress:
    unit: str  # the schools' 所属单位 as the roster writes it ("" for none)
    reported: int  # schools with a return (any state but missing and exempt)
    expected: int  # roster schools less those exempted (免报)
    passed: int

    @property
    def label(self) -> str:
        return self.unit or OTHERS


@dataclass(frozen=True)
class Total:
    field: Field
    value: float

    @property
    def label(self) -> str:
        return self.field.label

    @property
    def shown(self) -> str:
        return f"{self.value:g}"


def by_unit(ov: Overview) -> list[UnitProgress]:
    """Progress per 所属单位, in roster order."""
    counts: dict[str, list[int]] = {}
    for s in ov.schools:
        c = counts.setdefault(s.school.parent.strip(), [0, 0, 0])
        if s.status == "exempt":
            continue
        c[1] += 1
        if s.status != "missing":
            c[0] += 1
        if s.accepted:
            c[2] += 1
    return [UnitProgress(unit, *c) for unit, c in counts.items()]


@dataclass(frozen=True)
class MaterialCount:
    """One material across the schools that owe it (those exempted left out)."""

    material: Material
    owed: int
    received: int  # in any state: passed, sent back or waiting for the clerk
    late: int  # received after its deadline
    returned: int  # to do again (sent back)
    missing: int
    overdue: int  # not received, and its deadline has passed


def by_material(ov: Overview, materials: Sequence[Material]) -> list[MaterialCount]:
    """Per material of the plan, in its order: how many schools owe it, sent it, sent it late…"""
    mine: dict[str, list[MaterialState]] = {m.id: [] for m in materials}
    for s in ov.schools:
        if s.status != "exempt":
            for m in s.materials:
                mine.setdefault(m.material.id, []).append(m)
    out = []
    for m in materials:
        states = mine[m.id]
        got = [x for x in states if x.received]
        out.append(MaterialCount(m, len(states), len(got), sum(x.late for x in got),
                                 sum(x.status == "returned" for x in states), len(states) - len(got),
                                 sum(x.overdue for x in states)))
    return out


def main_fields(form: Form, limit: int = MAIN_TOTALS) -> list[Field]:
    """The form's main summed figures: one per row (its first column, the 合计), first rows first."""
    seen, main = set(), []
    for f in form.fields_summed("sum"):
        if f.row not in seen:
            seen.add(f.row)
            main.append(f)
    return main[:limit]


TOTALS_KEY = "totals"  # ledger meta: the last totals, and over which returns


def totals(form: Form, ov: Overview, ledger: Ledger, limit: int = MAIN_TOTALS) -> list[Total]:
    """The district's main totals over the returns that pass. A return's figures never change
    once recorded, so the sums over the same returns are kept and not added up again; over
    returns that differ by a few, the few are added or taken off (``_moved``)."""
    fields = main_fields(form, limit)
    passed = [s.current.id for s in ov.schools if s.accepted and s.current is not None]
    ids = [f.id for f in fields]
    key = hashlib.sha256(json.dumps([passed, ids]).encode()).hexdigest()
    kept = json.loads(ledger.get(TOTALS_KEY) or "{}")
    if kept.get("key") == key:
        sums = kept["sums"]
    else:
        sums = _moved(kept, passed, ids, ledger) or ledger.sums(passed, ids)
        ledger.keep(TOTALS_KEY, json.dumps({"key": key, "sums": sums, "passed": passed, "ids": ids},
                                           ensure_ascii=False))
    return [Total(f, sums[f.id]) for f in fields]


def _moved(kept: dict, passed: list[int], ids: list[str], ledger: Ledger) -> dict[str, float] | None:
    """The kept sums with the returns that came and went since added and taken off; None when
    that is no cheaper (most returns moved) or could differ from adding them all up again (a
    figure with decimals: floating-point sums depend on their order; whole numbers do not)."""
    if kept.get("ids") != ids or "passed" not in kept:
        return None
    now, before = set(passed), set(kept["passed"])
    came, went = now - before, before - now
    if len(came) + len(went) > len(passed) // 2:
        return None
    plus, minus = ledger.sums(came, ids), ledger.sums(went, ids)
    sums = {f: kept["sums"][f] + plus[f] - minus[f] for f in ids}
    if not all(float(x).is_integer() and abs(x) < 2 ** 53 for part in (kept["sums"], plus, minus, sums)
               for x in part.values()):
        return None
    return sums


SUMS_KEY = "group-sums"  # ledger meta: the last sums per group of returns (a summary's units)


def kept_sums(ledger: Ledger, groups: dict[str, list[int]], field_ids: list[str]) -> dict[str, dict[str, int]] | None:
    """Each group's sum of each field, added up by the ledger and kept: a return's figures never
    change once recorded, so the same groups of the same returns (the next consolidate, its
    upward version) cost nothing. None where a sum is not a whole number: floating-point sums
    depend on their order, so those are added up by the caller in its own."""
    key = hashlib.sha256(json.dumps([groups, field_ids], ensure_ascii=False).encode()).hexdigest()
    kept = json.loads(ledger.get(SUMS_KEY) or "{}")
    if kept.get("key") == key:
        return kept["sums"]
    sums = ledger.group_sums(groups, field_ids)
    if not all(float(x).is_integer() and abs(x) < 2 ** 53 for part in sums.values() for x in part.values()):
        return None
    whole = {group: {f: int(x) for f, x in part.items()} for group, part in sums.items()}
    ledger.keep(SUMS_KEY, json.dumps({"key": key, "sums": whole}, ensure_ascii=False))
    return whole


def keep_views(col: Collection) -> Overview:
    """Work out what is worked out from every return (the outliers, the district's totals) and
    keep it in the ledger. Run at the end of a collect, while the clerk is waiting anyway: the
    next ``status`` or the window's next open then reads it instead (a province: 1.7 s less).
    Returns the overview it worked out, where every school now stands."""
    ov = overview(col)
    totals(col.form, ov, col.ledger)
    return ov
