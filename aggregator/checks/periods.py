"""A return against the same school's last period (提取上期数), and the district's totals against
last period's: pure functions of plain values, for the read model, the summary and the window.

The form bounds how far a figure may move (``[[changes]]``: ``form.changes``): more than
``factor`` times last period's, or less than 1/``factor`` of it, when both are non-zero numbers
and the larger is at least ``floor``. A figure beyond its bound is a ``Move``, and in a return
a finding of rule ``vs-previous`` (explain by default) quoting both values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from ..findings import Finding
from ..form.declaration import PERIOD_RULE, Form
from ..messages import message


def _figure(value: Any) -> float | None:
    return value if type(value) in (int, float) else None  # exactly: true/false are no figures


def shown(value: float | None) -> str:
    """A figure as a person writes it: 3, 2.5 (no 3.0), "—" for none."""
    if value is None:
        return "—"
    return f"{round(value, 2):g}"


@dataclass(frozen=True)
class Move:
    """A school's figure beyond its declared bound."""

    field: str  # field id
    label: str  # the field as a clerk reads it (row·column)
    cell: str  # in this period's workbook ("" when unknown)
    previous: float
    current: float
    factor: float  # the bound it went beyond
    level: str  # the bound's level: explain, warning or error

    @property
    def up(self) -> bool:
        return self.current > self.previous

    @property
    def ratio(self) -> float:
        """This period's figure over last period's."""
        return self.current / self.previous

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "label": self.label, "cell": self.cell, "previous": self.previous,
                "current": self.current, "factor": self.factor, "ratio": round(self.ratio, 2)}


def moves(form: Form, previous: Mapping[str, Any], current: Mapping[str, Any],
          cells: Mapping[str, str] | None = None) -> list[Move]:
    """The figures of ``current`` that moved beyond their bounds from ``previous`` (one school's
    values, last period's and this one's, by field id), in the form's field order."""
    out = []
    for f in form.fields:
        bound = form.change_bound(f.id)
        if bound is None:
            continue
        before, now = _figure(previous.get(f.id)), _figure(current.get(f.id))
        if not before or not now or before < 0 or now < 0 or max(before, now) < bound.floor:
            continue
        if now / before > bound.factor or before / now > bound.factor:
            out.append(Move(f.id, f.display, (cells or {}).get(f.id, ""), before, now, bound.factor, bound.level))
    return out


def period_findings(form: Form, previous: Mapping[str, Any], current: Mapping[str, Any],
                    cells: Mapping[str, str]) -> list[Finding]:
    """The ``vs-previous`` findings of one return: each quotes last period's value and this one's."""
    out = []
    for m in moves(form, previous, current, cells):
        text = message("vs-previous-up" if m.up else "vs-previous-down", cell=m.cell, label=m.label,
                       value=shown(m.current), previous=shown(m.previous), ratio=shown(round(m.ratio, 1)),
                       factor=shown(m.factor))
        out.append(Finding(PERIOD_RULE, m.level, text.strip(), (m.field,), (m.cell,) if m.cell else (),
                           (m.current, m.previous)))
    return out


@dataclass(frozen=True)
class TotalChange:
    """A summed figure of the district, last period and this one (the 与上期比较 sheet's line)."""

    field: str
    label: str
    previous: float | None  # None: last period had no figure for it
    current: float | None
    change: float | None  # current - previous
    percent: float | None  # the change in per cent of last period's; None when that was 0 or none

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "label": self.label, "previous": self.previous, "current": self.current,
                "change": self.change, "percent": self.percent}


def summed(form: Form, rows: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """Every summed figure of ``form`` added up over ``rows`` (one school's values each): the
    totals of a chosen set of schools, as the summary sums them (what is no figure counts 0)."""
    fields = form.fields_summed("sum")
    out = {f.id: 0 for f in fields}
    for values in rows:
        for f in fields:
            value = _figure(values.get(f.id))
            if value is not None:
                out[f.id] += value
    return out


def total_changes(form: Form, previous: Mapping[str, Any], current: Mapping[str, Any]) -> list[TotalChange]:
    """For every summed figure of ``form``: last period's district total, this one's, the change
    and the change in per cent (rounded to one decimal), in the form's order."""
    out = []
    for f in form.fields_summed("sum"):
        before, now = _figure(previous.get(f.id)), _figure(current.get(f.id))
        change = now - before if before is not None and now is not None else None
        percent = round(change / before * 100, 1) if change is not None and before else None
        out.append(TotalChange(f.id, f.display, before, now, change, percent))
    return out
