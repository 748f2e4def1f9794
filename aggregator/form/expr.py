"""A small, safe expression language for rules: parsed once, compiled to closures, never ``eval``-ed.

A rule's ``check`` is written like ``staff.total == staff.full_time + staff.part_time``.
Python's own parser reads it (``ast.parse``); only the node types listed here are accepted, so a
declaration cannot call anything but the few functions below. Evaluation is three-valued: a value
the reader could not interpret is ``None``, and anything that depends on it is ``None`` too, so
the rule is skipped rather than reported on a guess (the reader has already reported the cell).

The same tree translates to an Excel formula, which is how the template's live checks agree with
the engine by construction.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping

from .functions import ExprError, date_constant, function_of, phone_like, present

Values = Mapping[str, Any]
Evaluator = Callable[[Values, Mapping[str, Any]], Any]
__all__ = ["Compiled", "ExprError", "compile_expr", "compared_constants", "date_constant", "phone_like", "present",
           "ref_name", "to_excel"]


@dataclass(frozen=True)
class Compiled:
    source: str
    fields: tuple[str, ...]  # field ids in order of first appearance
    context: tuple[str, ...]  # context names used
    run: Evaluator


def _equal(a: Any, b: Any) -> bool:
    """Numbers are equal as Excel shows them: 0.1 + 0.2 is 0.3 (decimal fields are summed)."""
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


_CMP = {
    ast.Eq: _equal,
    ast.NotEq: lambda a, b: not _equal(a, b),
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}
_CMP_XL = {ast.Eq: "=", ast.NotEq: "<>", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_BIN = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
}
_BIN_XL = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}
def ref_name(node: ast.AST) -> str | None:
    """``row.total`` -> 'row.total'; ``unit`` -> 'unit'; else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return None


def compile_expr(source: str, is_field: Callable[[str], bool], context_names: frozenset[str]) -> Compiled:
    try:
        tree = ast.parse(source.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ExprError(f"cannot parse {source!r}: {exc.msg}") from None
    fields: list[str] = []
    ctx: list[str] = []

    def build(node: ast.AST) -> Evaluator:
        ref = ref_name(node)
        if ref is not None:
            if is_field(ref):
                if ref not in fields:
                    fields.append(ref)
                return lambda v, c, k=ref: v.get(k)
            if ref in context_names:
                if ref not in ctx:
                    ctx.append(ref)
                return lambda v, c, k=ref: c.get(k)
            raise ExprError(f"{source!r}: unknown name {ref!r}")
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str)):
            return lambda v, c, k=node.value: k
        if isinstance(node, ast.BinOp) and type(node.op) in _BIN:
            op, left, right = _BIN[type(node.op)], build(node.left), build(node.right)

            def binop(v, c):
                a, b = left(v, c), right(v, c)
                return None if a is None or b is None else op(a, b)

            return binop
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = build(node.operand)
            return lambda v, c: None if (x := inner(v, c)) is None else -x
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = build(node.operand)
            return lambda v, c: None if (x := inner(v, c)) is None else not x
        if isinstance(node, ast.Compare) and all(type(o) in _CMP for o in node.ops):
            parts = [build(node.left)] + [build(n) for n in node.comparators]
            ops = [_CMP[type(o)] for o in node.ops]
            if len(ops) == 1:  # nearly every rule: ``compare`` below without its lists and generator
                (left, right), op = parts, ops[0]

                def compare_two(v, c):
                    a, b = left(v, c), right(v, c)
                    if a is None or b is None:
                        return None
                    try:
                        return bool(op(a, b))
                    except TypeError:
                        return None

                return compare_two

            def compare(v, c):
                vals = [p(v, c) for p in parts]
                if any(x is None for x in vals):
                    return None
                try:
                    return all(op(vals[i], vals[i + 1]) for i, op in enumerate(ops))
                except TypeError:  # text against a number: nothing a school can be told about
                    return None

            return compare
        if isinstance(node, ast.BoolOp):
            items = [build(n) for n in node.values]
            is_and = isinstance(node.op, ast.And)

            def boolop(v, c):
                unknown = False
                for item in items:
                    x = item(v, c)
                    if x is None:
                        unknown = True
                    elif bool(x) != is_and:  # False in `and`, True in `or` decides
                        return not is_and
                return None if unknown else is_and

            return boolop
        fn = function_of(node)
        if fn is not None:
            if node.keywords:
                raise ExprError(f"{source!r}: {fn.name}() takes no keywords")
            try:
                if fn.constant:
                    return fn.evaluate([], node)
                if len(node.args) != fn.arity:
                    raise ExprError(f"{fn.usage} takes {'one argument' if fn.arity == 1 else f'{fn.arity} arguments'}")
                return fn.evaluate([build(a) for a in node.args], node)
            except ExprError as exc:
                raise ExprError(f"{source!r}: {exc}") from None
        raise ExprError(f"{source!r}: {ast.unparse(node)!r} is not allowed in a rule")

    run = build(tree)
    return Compiled(source, tuple(fields), tuple(ctx), run)


def to_excel(source: str, cell_of: Callable[[str], str], raw_of: Callable[[str], str] | None = None) -> str:
    """The expression as an Excel formula body (no leading '='), with fields as cell refs.

    ``cell_of`` gives a field as the rules compare it (the template reads a count as ``C7+0``);
    ``raw_of``, the plain cell, is what ``present()`` looks at. Raises ``ExprError`` for anything
    Excel cannot see (context names such as the roster). Blank cells count as 0 in Excel
    arithmetic, as they do in the engine.
    """
    tree = ast.parse(source.strip(), mode="eval").body

    def xl(node: ast.AST, raw: bool = False) -> str:
        ref = ref_name(node)
        if ref is not None:
            try:
                return (raw_of or cell_of)(ref) if raw else cell_of(ref)
            except KeyError:
                raise ExprError(f"{source!r}: {ref!r} has no cell in the workbook") from None
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return '"' + node.value.replace('"', '""') + '"'
            return repr(node.value)
        if isinstance(node, ast.BinOp) and type(node.op) in _BIN_XL:
            return f"({xl(node.left)}{_BIN_XL[type(node.op)]}{xl(node.right)})"
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return f"(-{xl(node.operand)})"
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return f"NOT({xl(node.operand)})"
        if isinstance(node, ast.Compare):
            items = [node.left] + list(node.comparators)
            terms = [f"{xl(items[i])}{_CMP_XL[type(op)]}{xl(items[i + 1])}" for i, op in enumerate(node.ops)]
            return terms[0] if len(terms) == 1 else f"AND({','.join(terms)})"
        if isinstance(node, ast.BoolOp):
            # As the engine: one false part decides an `and` (one true part an `or`) even beside a
            # part not known yet; Excel's AND(FALSE,#N/A) alone would be #N/A, the rule skipped.
            items = [xl(n) for n in node.values]
            if isinstance(node.op, ast.And):
                decided = ",".join(f"IFERROR(NOT({i}),FALSE)" for i in items)
                return f"IF(OR({decided}),FALSE,AND({','.join(items)}))"
            decided = ",".join(f"IFERROR({i},FALSE)" for i in items)
            return f"IF(OR({decided}),TRUE,OR({','.join(items)}))"
        fn = function_of(node)
        if fn is not None and fn.excel is not None:
            args = [] if fn.constant else [xl(a, fn.raw_args) for a in node.args]
            return fn.excel(args, node)
        raise ExprError(f"{source!r}: {ast.unparse(node)!r} has no Excel form")

    return xl(tree)


def compared_constants(source: str) -> Iterator[tuple[str, Any]]:
    """(field or name, constant) for every comparison of a name with a literal in ``source``:
    lets the declaration checker see ``status == '已落实'`` against the field's choices."""
    tree = ast.parse(source.strip(), mode="eval")
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            items = [node.left, *node.comparators]
            for a, b in zip(items, items[1:]):
                for ref_node, const in ((a, b), (b, a)):
                    ref = ref_name(ref_node)
                    if ref is not None and isinstance(const, ast.Constant):
                        yield ref, const.value
