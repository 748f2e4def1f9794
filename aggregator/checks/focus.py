"""Which cells a school must change to put a finding right, and which only explain it.

"C8 合计(3) ≠ 小学(2) + 初中(0)" names three cells, but the school changes one: the total. Marking
all three red tells it to change three. What to change comes from the fix the school reads, in
this order: the cells a proposal changes (``Finding.suggest``); the cells the engine reopened for
a group of connected errors (``repair.plan``); the cells a rule's own arithmetic doubts
(``repair.natural_open``, for a warning such as ``a <= b``); in ``implies(p, q)`` the fields of
``q`` (the condition is the evidence, as ``repair`` reads it). Anything else (a phone number, a
required field) names only the cells to change already.
"""

from __future__ import annotations

import ast
from functools import cache
from typing import Any, Iterable, Mapping

from ..findings import Finding
from ..form.declaration import Form
from ..form.expr import ref_name
from .linear import linear_rules
from .repair import natural_open, plan
from .rules import compiled_rules


def cells_to_change(form: Form, values: Mapping[str, Any], cells: Mapping[str, str],
                    findings: Iterable[Finding]) -> tuple[str, ...]:
    """The cells of ``findings`` (one item: a lone finding, or connected ones sharing a fix) the
    school must change, in the findings' order; every cell they name when that cannot be told.

    ``values`` and ``cells``: the return's values and where each field sits in the school's file."""
    findings = tuple(findings)
    named = tuple(dict.fromkeys(c for f in findings for c in f.cells))
    proposed = {cell for f in findings for _, cell, _ in f.suggest if cell}
    if proposed:
        chosen = proposed
    else:
        fields = _fields_to_change(form, values, findings)
        chosen = {cells[fid] for fid in fields if fid in cells}
    kept = tuple(c for c in named if c in chosen)
    return kept or named


def _fields_to_change(form: Form, values: Mapping[str, Any], findings: tuple[Finding, ...]) -> set[str]:
    keys = {(f.rule, f.fields) for f in findings}
    for group in plan(form, values):
        if keys & {c.key for c in group.violated}:
            return set(group.opened)
    out: set[str] = set()
    for c in linear_rules(form):
        if c.key in keys and c.holds(values) is False:
            out |= natural_open(c, values)
    if out:
        return out
    for f in findings:
        out |= set(_consequence(form, f.rule, f.fields))
    return out


def _consequence(form: Form, rule: str, fields: tuple[str, ...]) -> tuple[str, ...]:
    """The fields of ``q`` in the rule ``implies(p, q)`` whose finding names ``fields``."""
    return _consequences(form).get((rule, fields), ())


@cache
def _consequences(form: Form) -> dict[tuple[str, tuple[str, ...]], tuple[str, ...]]:
    out = {}
    for compiled in compiled_rules(form):
        try:
            node = ast.parse(compiled.spec.check.strip(), mode="eval").body
        except SyntaxError:
            continue
        if isinstance(node, ast.Call) and ref_name(node.func) == "implies" and len(node.args) == 2:
            refs = (ref_name(n) for n in ast.walk(node.args[1]))
            q = tuple(dict.fromkeys(r for r in refs if r and form.has_field(r)))
            out[(compiled.spec.id, compiled.check.fields)] = q
    return out
