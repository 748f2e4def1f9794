"""The ``outlier`` rule: a figure far above those of its peers (schools of the same 学段).

It is the one rule that needs every return, so it runs over the current returns of the
collection, not inside one. Tukey's upper fence (Q3 + k·IQR) is robust to the outliers it looks
for; a floor keeps small numbers (3 where peers have 0 or 1) from being called far off. One typo
is one warning: a 合计 far off only because its 小学 is (30 typed for 3 in both) is told with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from ..findings import Finding
from ..form.declaration import Field, Form, OutlierSpec
from .linear import linear_rules


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


@dataclass(frozen=True)
class _Hit:
    """A figure above its peers' fence, before it is worded."""

    field: Field
    cell: str
    value: Any
    peers: int
    fence: float


def outlier_findings(form: Form, peers: list[Peer]) -> dict[Any, list[Finding]]:
    out: dict[Any, list[Finding]] = {}
    groups: dict[str, list[Peer]] = {}
    for p in peers:
        groups.setdefault(p.group or "", []).append(p)
    fields = form.numeric_fields
    for spec in form.outliers:
        hits: dict[Any, list[_Hit]] = {}
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
                        hits.setdefault(p.key, []).append(_Hit(f, p.cells.get(f.id, ""), x, len(nums), fence))
        for key, found in hits.items():
            out.setdefault(key, []).extend(_worded(spec, group) for group in _one_per_figure(form, found))
    return out


def _one_per_figure(form: Form, hits: list[_Hit]) -> list[list[_Hit]]:
    """One typo is one warning: a total (``total == a + b``) far above its peers only because one
    of its parts is, with the same figure (合计 30 = 小学 30 + 初中 0), goes with that part."""
    by_field = {h.field.id: h for h in hits}
    joined: dict[str, str] = {}  # a total's field -> the part it goes with (each part once)
    for rule in linear_rules(form):
        total = by_field.get(rule.total or "")
        if total is None or total.field.id in joined:
            continue
        part = next((p for p in rule.parts if p in by_field and by_field[p].value == total.value
                     and p not in joined.values()), None)
        if part is not None:
            joined[total.field.id] = part
    groups = []
    for h in hits:
        if h.field.id in joined.values():
            continue  # told with its total
        group = [h]
        while group[-1].field.id in joined and len(group) <= len(hits):
            group.append(by_field[joined[group[-1].field.id]])
        groups.append(group)
    return groups


def _worded(spec: OutlierSpec, group: list[_Hit]) -> Finding:
    """One finding for the figures of ``group`` (a part and the total it made far too big, or one
    figure), told by the part's peers."""
    figure = group[-1]
    if len(group) == 1:
        label = figure.field.display
    elif len({h.field.label for h in group}) == 1 and all(h.field.column_label for h in group):
        label = f"{figure.field.label}·" + "与".join(h.field.column_label for h in group)
    else:
        label = "与".join(h.field.display for h in group)
    cells = tuple(h.cell for h in group if h.cell)
    return Finding(rule=spec.id, level=spec.level,
                   message=spec.message.format(cell="、".join(cells), label=label, value=figure.value,
                                               peers=figure.peers, fence=int(figure.fence)),
                   fields=tuple(h.field.id for h in group), cells=cells, values=tuple(h.value for h in group))
