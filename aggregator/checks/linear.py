"""The form's arithmetic rules as linear constraints, so the engine can propose corrections.

A rule's ``check`` is an expression (``expr``); most rules of a statistics form are plain
arithmetic over number fields: ``total == primary + junior``, ``bureau <= total``,
``implies(problems > 0, schools >= 1)``. Read as linear constraints, they tell which
values would make a return consistent, and so what to tell a school to change. Anything else
(``present``, ``phone_like``, choices, the roster's ``stage``) is not arithmetic: those rules keep
their own declared fix, and the repair only checks that a proposal does not break them.

Pure data, built once per form from its declaration; nothing here knows Annex 5.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any, Mapping

from ..form.declaration import Form
from ..form.expr import ref_name
from ..form.functions import function_of
from .rules import compiled_rules  # the same compiled fields a finding names

EQ, LE, GE = "==", "<=", ">="
_OPS = {ast.Eq: EQ, ast.LtE: LE, ast.GtE: GE, ast.Lt: "<", ast.Gt: ">"}
_TOLERANCE = 1e-9

Terms = tuple[tuple[str, int | float], ...]  # (field id, coefficient)


class NotLinear(Exception):
    """The expression is not plain arithmetic over number fields."""


@dataclass(frozen=True)
class Side:
    terms: Terms
    const: int | float = 0

    def value(self, values: Mapping[str, Any]) -> float | None:
        total: float = self.const
        for fid, coef in self.terms:
            v = values.get(fid)
            if not _is_number(v):
                return None
            total += coef * v
        return total


@dataclass(frozen=True)
class Comparison:
    """``left op right`` as declared (kept for wording), read as ``left - right op 0``."""

    left: Side
    op: str  # == <= >=
    right: Side

    @cached_property
    def fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f for f, _ in self.left.terms + self.right.terms))

    def normal(self) -> tuple[dict[str, float], float]:
        """Coefficients and constant of ``Σ coef·x + const  op  0``."""
        coefs: dict[str, float] = {}
        for fid, c in self.left.terms:
            coefs[fid] = coefs.get(fid, 0) + c
        for fid, c in self.right.terms:
            coefs[fid] = coefs.get(fid, 0) - c
        return {f: c for f, c in coefs.items() if c}, self.left.const - self.right.const

    def holds(self, values: Mapping[str, Any]) -> bool | None:
        a, b = self.left.value(values), self.right.value(values)
        if a is None or b is None:
            return None
        if self.op == EQ:
            return abs(a - b) <= _TOLERANCE * max(1.0, abs(a), abs(b))
        return a <= b + _TOLERANCE if self.op == LE else a >= b - _TOLERANCE


@dataclass(frozen=True)
class Constraint:
    """One rule as arithmetic: ``then`` must hold whenever every comparison in ``when`` does."""

    rule: str  # the rule id
    level: str
    key: tuple[str, tuple[str, ...]]  # (rule id, the fields its finding names): matches a Finding
    when: tuple[Comparison, ...]
    then: tuple[Comparison, ...]

    @cached_property
    def fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f for c in self.when + self.then for f in c.fields))

    def holds(self, values: Mapping[str, Any]) -> bool | None:
        """True, False, or None when a value it needs could not be read."""
        for c in self.when:
            h = c.holds(values)
            if h is None:
                return None
            if not h:
                return True
        results = [c.holds(values) for c in self.then]
        if any(r is False for r in results):
            return False
        return None if any(r is None for r in results) else True

    @cached_property
    def total(self) -> str | None:
        """The field alone on one side of the one equality it states ("total" in ``total == a + b``):
        the figure a school derives from the others, so the one to recompute first."""
        if self.when or len(self.then) != 1 or self.then[0].op != EQ:
            return None
        c = self.then[0]
        for one, other in ((c.left, c.right), (c.right, c.left)):
            if len(one.terms) == 1 and one.terms[0][1] == 1 and not one.const and len(other.terms) >= 2:
                return one.terms[0][0]
        return None

    @cached_property
    def parts(self) -> tuple[str, ...]:
        total = self.total
        return tuple(f for f in self.fields if f != total) if total else ()


@cache
def linear_rules(form: Form) -> tuple[Constraint, ...]:
    """Every rule of ``form`` that is plain arithmetic, with ``$`` expanded, in declared order."""
    out = []
    for compiled in compiled_rules(form):
        spec = compiled.spec
        try:
            when, then = _constraint(ast.parse(spec.check.strip(), mode="eval").body, form)
        except (NotLinear, SyntaxError):
            continue
        out.append(Constraint(spec.id, spec.level, (spec.id, compiled.check.fields), when, then))
    return tuple(out)


def _constraint(node: ast.AST, form: Form) -> tuple[tuple[Comparison, ...], tuple[Comparison, ...]]:
    fn = function_of(node)
    if fn is not None:  # a conditional rule is a constraint under its premise; any other call, none
        if fn.premise is None or len(node.args) != fn.arity or node.keywords:
            raise NotLinear
        when, then = fn.premise(node)
        return _all(when, form), _all(then, form)
    return (), _all(node, form)


def _all(node: ast.AST, form: Form) -> tuple[Comparison, ...]:
    """A comparison, or several joined by ``and``."""
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        return tuple(c for v in node.values for c in _all(v, form))
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _OPS:
        left, right = _side(node.left, form), _side(node.comparators[0], form)
        op = _OPS[type(node.ops[0])]
        if op in ("<", ">"):  # strict: only over whole numbers, where a < b is a + 1 <= b
            if not _whole(left, form) or not _whole(right, form):
                raise NotLinear
            if op == "<":
                return (Comparison(Side(left.terms, left.const + 1), LE, right),)
            return (Comparison(left, GE, Side(right.terms, right.const + 1)),)
        return (Comparison(left, op, right),)
    raise NotLinear


def _side(node: ast.AST, form: Form) -> Side:
    terms: dict[str, int | float] = {}
    const: list[int | float] = [0]

    def walk(n: ast.AST, sign: int | float) -> None:
        ref = ref_name(n)
        if ref is not None:
            if not form.has_field(ref) or not form.field(ref).numeric:
                raise NotLinear
            terms[ref] = terms.get(ref, 0) + sign
        elif isinstance(n, ast.Constant) and _is_number(n.value):
            const[0] += sign * n.value
        elif isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Add, ast.Sub)):
            walk(n.left, sign)
            walk(n.right, sign if isinstance(n.op, ast.Add) else -sign)
        elif isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub):
            walk(n.operand, -sign)
        elif isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mult):
            for k, x in ((n.left, n.right), (n.right, n.left)):
                if isinstance(k, ast.Constant) and _is_number(k.value):
                    walk(x, sign * k.value)
                    return
            raise NotLinear
        else:
            raise NotLinear

    walk(node, 1)
    return Side(tuple((f, c) for f, c in terms.items() if c), const[0])


def _whole(side: Side, form: Form) -> bool:
    return float(side.const).is_integer() and all(
        form.field(f).is_count and float(c).is_integer() for f, c in side.terms)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)
