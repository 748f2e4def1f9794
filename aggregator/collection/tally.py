"""The overview a clerk reads at a glance: progress per 所属单位 and the district's main totals.

Both are counted from an ``Overview`` (no extra trip to the ledger), so the desktop can redraw
them each time a return arrives. The totals are those of the summary: summed fields over the
returns that pass, as ``consolidate`` counts them by default.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..form.declaration import Field, Form
from .status import Overview

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


def main_fields(form: Form, limit: int = MAIN_TOTALS) -> list[Field]:
    """The form's main summed figures: one per row (its first column, the 合计), first rows first."""
    seen, main = set(), []
    for f in form.fields_summed("sum"):
        if f.row not in seen:
            seen.add(f.row)
            main.append(f)
    return main[:limit]


def totals(form: Form, ov: Overview, limit: int = MAIN_TOTALS) -> list[Total]:
    """The district's main totals over the returns that pass."""
    fields = main_fields(form, limit)
    sums = {f.id: 0.0 for f in fields}
    for s in ov.schools:
        if not s.accepted or s.current is None:
            continue
        values = s.current.values
        for f in fields:
            v = values.get(f.id)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                sums[f.id] += v
    return [Total(f, sums[f.id]) for f in fields]
