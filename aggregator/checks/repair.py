"""One consistent correction per return: connected findings get one fix that agrees with itself.

Each rule words its own fix, and two rules about the same cells can contradict each other: "存在
问题应为 0" from one, "请填写存在问题的学校数" (so the 2 problems are real) from the next. A school
cannot tell which to follow. So before a return's findings are shown, the engine reads the
form's arithmetic rules as linear constraints (``linear``) and decides, for every group of
connected findings, which cells to trust and which to reopen:

- a figure a school typed (not 0, not blank) is evidence; a total is derived from its parts
  (``合计 = 小学 + 初中``: the total is recomputed), unless every part was left 0 or blank while
  the total was filled in: then the parts were forgotten, and the total stands;
- in ``a <= b`` the larger figure is doubted, unless ``b`` is 0 or blank (then it was forgotten);
  in ``implies(p, q)`` the condition is evidence and ``q`` is what to fix;
- when reopening those cells cannot satisfy the rules around them, the 合计 of their own rows (a
  total follows its parts), then every total next to them, then their blank cells, are reopened too.

The reopened cells are then solved for (``solve``). Exactly one answer: the findings carry it
(``Finding.suggest``, ``status --json``'s ``suggest``) and the fix names the values. Several
answers: the fix states the conditions the school must meet ("两者之和应为 2", "至少 1"). No answer:
the fix says which cells to check together. A proposal is kept only if applying it settles every
finding of its group and breaks no other rule, arithmetic or not.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Mapping, Sequence

from ..form.declaration import Form
from ..findings import ERROR, Finding
from .fixes import Group, fix_text
from .linear import EQ, GE, LE, Comparison, Constraint, linear_rules
from .solve import MANY, NONE, ONE, solve
from .rules import with_fix

Key = tuple[str, tuple[str, ...]]
Check = Callable[[Mapping[str, Any]], set[Key]]  # the error rules that fail for these values


def repaired(form: Form, values: Mapping[str, Any], cells: Mapping[str, str], findings: Sequence[Finding],
             check: Check) -> list[Finding]:
    """``findings`` with one agreed fix, and a proposal where there is exactly one, per group."""
    groups = plan(form, values)
    if not groups:
        return list(findings)
    groups = _verified(groups, values, findings, check)
    by_key: dict[Key, tuple[int, Group]] = {}
    for n, g in enumerate(groups, start=1):
        for c in g.violated:
            by_key.setdefault(c.key, (n, g))
    texts: dict[int, str] = {}
    out = []
    for f in findings:
        hit = by_key.get((f.rule, f.fields)) if f.level == ERROR else None
        if hit is None:
            out.append(f)
            continue
        n, g = hit
        suggest = tuple((fid, cells.get(fid, ""), v) for fid, v in sorted(g.changes.items(), key=_order(cells)))
        if _keeps_own_fix(g, f):
            out.append(replace(f, suggest=suggest, link=n if len(g.violated) > 1 else 0))
            continue
        if n not in texts:
            texts[n] = fix_text(form, g, values, cells)
        fix = texts[n]
        out.append(replace(f, message=with_fix(f.problem, fix), fix=fix, suggest=suggest, link=n))
    return out


def plan(form: Form, values: Mapping[str, Any]) -> list[Group]:
    """The groups of violated error rules of one return, each with the cells to reopen and how
    far they are determined."""
    whole = {f.id for f in form.numeric_fields if f.is_count}
    # Only rules whose every figure was read: a value the reader could not take is not ours to fix.
    active = [c for c in linear_rules(form) if c.level == ERROR and all(_read(values.get(f)) for f in c.fields)]
    violated = [c for c in active if c.holds(values) is False]
    if not violated:
        return []
    rows = {f.id: f.row for f in form.numeric_fields}
    groups = []
    for members in _components(violated, active, values):
        groups.append(_solve_group(members, active, values, whole, rows))
    return groups


def _components(violated: list[Constraint], active: list[Constraint],
                values: Mapping[str, Any]) -> list[list[Constraint]]:
    """Violated rules that share a reopened cell, directly or through a rule that holds."""
    opened = [natural_open(c, values) for c in violated]
    parent = list(range(len(violated)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    reach = [set(o) for o in opened]
    for c in active:  # a rule that holds links the violated rules whose reopened cells it touches
        fields = set(c.fields)
        for i, o in enumerate(reach):
            if fields & o:
                reach[i] = o | fields
    for i in range(len(violated)):
        for j in range(i + 1, len(violated)):
            if (reach[i] & opened[j] or reach[j] & opened[i]) and find(i) != find(j):
                parent[find(i)] = find(j)
    out: dict[int, list[Constraint]] = {}
    for i, c in enumerate(violated):
        out.setdefault(find(i), []).append(c)
    return list(out.values())


def natural_open(c: Constraint, values: Mapping[str, Any]) -> set[str]:
    """The cells a violated rule would have reopened on its own (see the module's doc)."""
    total = c.total
    if total is not None:
        parts = c.parts
        if values[total] and not any(values[p] for p in parts):
            return set(parts)
        return {total}
    out: set[str] = set()
    for comp in c.then:
        if comp.holds(values) is not False:
            continue
        left = [f for f, _ in comp.left.terms]
        right = [f for f, _ in comp.right.terms]
        if comp.op == EQ:
            zero = [f for f in comp.fields if not values[f]]
            out |= set(zero if zero and len(zero) < len(comp.fields) else comp.fields)
        elif comp.op == LE:  # left > right: the larger side is doubted, unless the other is empty
            out |= set(right if right and not any(values[f] for f in right) else left or right)
        else:  # GE, left < right
            out |= set(left if left and not any(values[f] for f in left) else right or left)
    return out


def _solve_group(members: list[Constraint], active: list[Constraint], values: Mapping[str, Any],
                 whole: set[str], rows: Mapping[str, str]) -> Group:
    opened: set[str] = set()
    for c in members:
        opened |= natural_open(c, values)
    expanded = False
    status, changes, system = NONE, {}, []
    step = 0
    while True:
        system = [c for c in active if opened & set(c.fields)]
        outcome = solve(system, values, opened, whole=whole)
        status = outcome.status
        if status != NONE:
            if status == ONE:
                changes = {f: _number(v) for f, v in outcome.values.items() if _number(v) != values[f]}
            break
        more = _widen(step, system, opened, values, rows)
        if not more and step == 0:  # no 合计 of their own rows to reopen: on to the other totals
            step += 1
            more = _widen(step, system, opened, values, rows)
        step += 1
        if not more:
            break
        opened |= more
        expanded = True
    return Group(tuple(members), frozenset(opened), status, changes, expanded, tuple(system))


def _widen(step: int, system: list[Constraint], opened: set[str], values: Mapping[str, Any],
           rows: Mapping[str, str]) -> set[str]:
    """More cells to reopen when the ones chosen cannot satisfy the rules around them: first the
    合计 of a reopened cell's own row (a total follows its parts: a doubted 小学 figure makes its
    合计 doubtful too, while the other rows' figures stay evidence), then the totals of those
    rules, then their blank cells, then every cell they name."""
    if step == 0:
        return {c.total for c in system if c.total and c.total not in opened and set(c.parts) & opened
                and {rows.get(f) for f in c.fields} == {rows.get(c.total)}}
    if step == 1:
        return {c.total for c in system if c.total and c.total not in opened}
    if step == 2:
        return {f for c in system for f in c.fields if f not in opened and not values[f]}
    if step == 3:
        return {f for c in system for f in c.fields if f not in opened}
    return set()


def _verified(groups: list[Group], values: Mapping[str, Any], findings: Sequence[Finding],
              check: Check) -> list[Group]:
    """Keep a proposal only if, applied, it settles its group and breaks nothing else."""
    before = {(f.rule, f.fields) for f in findings if f.level == ERROR}
    out = []
    for g in groups:
        if g.changes:
            after = check({**values, **g.changes})
            mine = {c.key for c in g.violated}
            if after & mine or after - before:
                g = replace(g, changes={}, status=MANY)
        out.append(g)
    if any(g.changes for g in out):  # every proposal at once: still nothing broken
        merged: dict[str, Any] = {}
        for g in out:
            merged.update(g.changes)
        after = check({**values, **merged})
        if after - before or any(after & {c.key for c in g.violated} for g in out if g.changes):
            out = [replace(g, changes={}, status=MANY) if g.changes else g for g in out]
    return out


def _keeps_own_fix(g: Group, f: Finding) -> bool:
    """A lone finding whose own declared fix already says what the engine would: keep its words."""
    if not f.fix or len(g.violated) != 1 or g.expanded:
        return False
    c = g.violated[0]
    if g.status == ONE:
        return set(g.changes) <= {c.total} if c.total else set(g.changes) <= set(c.fields)
    return g.opened <= set(c.fields) and not (c.total and g.opened != {c.total})


def _read(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _number(v: float) -> int | float:
    r = round(v, 6)
    return int(r) if float(r).is_integer() else r


def _order(cells: Mapping[str, str]):
    return lambda item: cells.get(item[0], "~")


__all__ = ["Comparison", "GE", "Group", "LE", "natural_open", "plan", "repaired"]
