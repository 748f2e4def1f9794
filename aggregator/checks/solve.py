"""A very small solver: which values of a few cells make a set of linear constraints hold?

The repair (``repair``) keeps what a school typed in most cells and asks, for the few cells it
opens, whether exactly one set of values satisfies every rule, several do, or none. Forms are
small and a correction touches a handful of cells, so bounds propagation and a capped depth-first
search are enough: every figure is a number ≥ 0, whole numbers are searched value by value, and
the search stops at the second solution (two answers mean "tell the school the condition, not a
number"). A search that runs past its cap says "unknown", which the repair treats as "many".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from .linear import EQ, GE, LE, Comparison, Constraint

NONE, ONE, MANY, UNKNOWN = "none", "one", "many", "unknown"
INF = math.inf
_TOL = 1e-9


@dataclass(frozen=True)
class _Lin:
    """``Σ coef·x + const op 0`` over the open cells only (closed ones folded into ``const``)."""

    coefs: tuple[tuple[str, float], ...]
    const: float
    op: str


@dataclass(frozen=True)
class _Rule:
    when: tuple[_Lin, ...]
    then: tuple[_Lin, ...]


@dataclass
class Outcome:
    status: str  # none | one | many | unknown
    values: dict[str, float] = field(default_factory=dict)  # the one solution


def solve(constraints: Iterable[Constraint], values: Mapping[str, Any], open_cells: Iterable[str], *,
          whole: set[str], cap: int = 300) -> Outcome:
    """Values for ``open_cells`` (all others as in ``values``) under which every constraint holds."""
    opened = set(open_cells)
    rules = [_Rule(tuple(_fold(c, values, opened) for c in k.when), tuple(_fold(c, values, opened) for c in k.then))
             for k in constraints]
    bounds = {v: (0.0, INF) for v in opened}
    search = _Search(rules, whole, cap)
    search.run(bounds)
    if search.exhausted:
        return Outcome(UNKNOWN)
    if not search.found:
        return Outcome(NONE)
    if len(search.found) > 1:
        return Outcome(MANY)
    return Outcome(ONE, search.found[0])


def _fold(c: Comparison, values: Mapping[str, Any], opened: set[str]) -> _Lin:
    coefs, const = c.normal()
    kept = []
    for fid, coef in coefs.items():
        if fid in opened:
            kept.append((fid, float(coef)))
        else:
            const += coef * values[fid]
    return _Lin(tuple(kept), float(const), c.op)


class _Search:
    def __init__(self, rules: list[_Rule], whole: set[str], cap: int) -> None:
        self.rules = rules
        self.whole = whole
        self.cap = cap
        self.nodes = 0
        self.found: list[dict[str, float]] = []
        self.exhausted = False

    def run(self, bounds: dict[str, tuple[float, float]]) -> None:
        if len(self.found) > 1 or self.exhausted:
            return
        self.nodes += 1
        if self.nodes > self.cap:
            self.exhausted = True
            return
        bounds = _propagate(self.rules, bounds, self.whole)
        if bounds is None:
            return
        free = [v for v, (lo, hi) in bounds.items() if hi - lo > _TOL]
        if not free:
            point = {v: lo for v, (lo, _) in bounds.items()}
            if all(_rule_holds(r, point) for r in self.rules):
                self.found.append(point)
            return
        searchable = [v for v in free if v in self.whole]
        if len(searchable) < len(free):  # a decimal cell left open: more than one value fits
            self.exhausted = True
            return
        var = min(searchable, key=lambda v: bounds[v][1] - bounds[v][0])
        lo, hi = bounds[var]
        value = lo
        while value <= hi + _TOL and len(self.found) < 2 and not self.exhausted:
            self.run({**bounds, var: (value, value)})
            value += 1


def _propagate(rules: list[_Rule], bounds: dict[str, tuple[float, float]],
               whole: set[str]) -> dict[str, tuple[float, float]] | None:
    """Tighten every cell's bounds until nothing changes; None when some rule cannot hold.

    A worklist: only the rules over a cell whose bounds just moved are looked at again."""
    bounds = dict(bounds)
    users: dict[str, list[int]] = {}
    for i, rule in enumerate(rules):
        for lin in rule.when + rule.then:
            for v, _ in lin.coefs:
                users.setdefault(v, []).append(i)
    todo = list(range(len(rules)))
    queued = set(todo)
    steps = 0
    while todo:
        steps += 1
        if steps > 50 * max(len(rules), 1):
            break
        i = todo.pop()
        queued.discard(i)
        rule = rules[i]
        if rule.when and _decided(rule.when, bounds) is not True:
            continue  # the condition fails, or depends on open cells not yet known
        for lin in rule.then:
            sides = [] if lin.op == GE else [(lin.coefs, lin.const)]
            if lin.op != LE:
                sides.append((_neg(lin.coefs), -lin.const))
            for coefs, const in sides:  # Σ coef·x + const <= 0
                moved = _tighten(coefs, const, bounds, whole)
                if moved is None:
                    return None
                for v in moved:
                    for j in users.get(v, ()):
                        if j not in queued:
                            queued.add(j)
                            todo.append(j)
    return bounds


def _neg(coefs: tuple[tuple[str, float], ...]) -> tuple[tuple[str, float], ...]:
    return tuple((v, -c) for v, c in coefs)


def _tighten(coefs, const: float, bounds: dict[str, tuple[float, float]], whole: set[str]) -> list[str] | None:
    """Apply ``Σ coef·x + const <= 0`` to the bounds; the cells whose bounds moved, or None if
    it cannot hold."""
    mins = [c * (bounds[v][0] if c > 0 else bounds[v][1]) for v, c in coefs]
    if not coefs:
        return None if const > _TOL else []
    finite = [m for m in mins if m != -INF]
    infinite = len(mins) - len(finite)
    floor_sum = sum(finite) + const
    if infinite == 0 and floor_sum > _TOL * max(1.0, abs(const)):
        return None
    moved = []
    for (v, c), m in zip(coefs, mins):
        if infinite > 1 or (infinite == 1 and m != -INF):
            continue
        rest = floor_sum - (m if m != -INF else 0)
        limit = -rest / c  # c·x <= -rest
        lo, hi = bounds[v]
        if c > 0:
            new = math.floor(limit + _TOL) if v in whole else limit
            if new < hi - _TOL:
                hi = new
                moved.append(v)
        else:
            new = math.ceil(limit - _TOL) if v in whole else limit
            if new > lo + _TOL:
                lo = new
                moved.append(v)
        if lo > hi + _TOL:
            return None
        bounds[v] = (lo, hi)
    return moved


def _decided(lins: tuple[_Lin, ...], bounds: dict[str, tuple[float, float]]) -> bool | None:
    """Whether every comparison of a condition surely holds (True), surely fails for one (False)."""
    unknown = False
    for lin in lins:
        lo = lin.const + sum(c * (bounds[v][0] if c > 0 else bounds[v][1]) for v, c in lin.coefs)
        hi = lin.const + sum(c * (bounds[v][1] if c > 0 else bounds[v][0]) for v, c in lin.coefs)
        if lin.op == LE:
            sure, fails = hi <= _TOL, lo > _TOL
        elif lin.op == GE:
            sure, fails = lo >= -_TOL, hi < -_TOL
        else:
            sure, fails = abs(lo) <= _TOL and abs(hi) <= _TOL, lo > _TOL or hi < -_TOL
        if fails:
            return False
        if not sure:
            unknown = True
    return None if unknown else True


def _value(lin: _Lin, point: Mapping[str, float]) -> float:
    return lin.const + sum(c * point[v] for v, c in lin.coefs)


def _lin_holds(lin: _Lin, point: Mapping[str, float]) -> bool:
    x = _value(lin, point)
    tol = _TOL * max(1.0, abs(lin.const))
    return abs(x) <= tol if lin.op == EQ else (x <= tol if lin.op == LE else x >= -tol)


def _rule_holds(rule: _Rule, point: Mapping[str, float]) -> bool:
    if rule.when and not all(_lin_holds(w, point) for w in rule.when):
        return True
    return all(_lin_holds(t, point) for t in rule.then)


__all__ = ["GE", "INF", "MANY", "NONE", "ONE", "UNKNOWN", "Outcome", "solve"]
