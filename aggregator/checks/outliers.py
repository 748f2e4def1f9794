"""The ``outlier`` rule: a figure far above those of its peers (schools of the same 学段).

It is the one rule that needs every return, so it runs over the current returns of the
collection, not inside one. Tukey's upper fence (Q3 + k·IQR) is robust to the outliers it looks
for; a floor keeps small numbers (3 where peers have 0 or 1) from being called far off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from ..findings import Finding
from ..form.declaration import Form


@dataclass(frozen=True)
class Peer:
    key: Any  # whatever the caller uses to find the return again
    group: str  # 学段
    values: Mapping[str, Any] | Sequence[Any]  # by field id, or a ``figure_row``
    cells: Mapping[str, str]


def figure_row(form: Form, values: Mapping[str, Any]) -> list[Any]:
    """A return's figures in the order of ``form.numeric_fields``: what the rule compares, kept
    compact (a province's rows are kept in the ledger between two collects)."""
    return [values.get(f.id) for f in form.numeric_fields]


def _quartiles(xs: list[int]) -> tuple[float, float]:
    xs = sorted(xs)
    n = len(xs)

    def q(p: float) -> float:
        pos = (n - 1) * p
        lo = int(pos)
        hi = min(lo + 1, n - 1)
        return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)

    return q(0.25), q(0.75)


_NUMBERS = (int, float)  # exactly: true/false are no figures


def outlier_findings(form: Form, peers: list[Peer]) -> dict[Any, list[Finding]]:
    out: dict[Any, list[Finding]] = {}
    groups: dict[str, list[Peer]] = {}
    for p in peers:
        groups.setdefault(p.group or "", []).append(p)
    fields = form.numeric_fields
    for spec in form.outliers:
        for members in groups.values():
            if len(members) < spec.min_peers:
                continue
            rows = (figure_row(form, p.values) if isinstance(p.values, Mapping) else p.values for p in members)
            for f, xs in zip(fields, zip(*rows)):  # a column per field: one pass over the returns
                nums = [x for x in xs if type(x) in _NUMBERS]
                if len(nums) < spec.min_peers:
                    continue
                q1, q3 = _quartiles(nums)
                fence = max(q3 + spec.factor * (q3 - q1), spec.floor - 1)
                if max(nums) <= fence:  # nobody above it: most figures of most groups
                    continue
                for p, x in zip(members, xs):
                    if type(x) in _NUMBERS and x > fence and x >= spec.floor:
                        cell = p.cells.get(f.id, "")
                        out.setdefault(p.key, []).append(
                            Finding(
                                rule=spec.id,
                                level=spec.level,
                                message=spec.message.format(
                                    cell=cell, label=f.display, value=x, peers=len(nums), fence=int(fence)
                                ),
                                fields=(f.id,),
                                cells=(cell,) if cell else (),
                                values=(x,),
                            )
                        )
    return out
