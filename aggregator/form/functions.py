"""The functions a rule may call: each one is one entry here, and knows everything about itself.

How the engine evaluates it (three-valued: ``None`` where an argument is not known), how the
issued workbook's live check writes it in Excel, and how the arithmetic of connected findings
reads it (``checks/linear``): a new function is a new entry, never an ``if name == ...`` in the
evaluator, the Excel writer and the solver apart (as a field type is one entry of ``types``).
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

Values = Mapping[str, Any]
Evaluator = Callable[[Values, Mapping[str, Any]], Any]

_PHONE = re.compile(
    r"^(?:\+?86[- ]?)?(?:1[3-9]\d{9}|0\d{2,3}[- ]?\d{7,8}(?:[- ]?\d{1,4})?|\d{7,8})$"
)


class ExprError(ValueError):
    """The expression in a declaration uses something the language does not have."""


def phone_like(text: Any) -> bool:
    """A mainland mobile (11 digits from 13x) or a landline with or without area code."""
    if text is None:
        return False
    s = re.sub(r"[\s()（）]", "", str(text))
    s = s.replace("—", "-").replace("－", "-")
    return bool(_PHONE.match(s))


def present(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def date_constant(node: ast.AST) -> dt.date:
    """``date('2024-03-01')``: the one way a rule writes a date, checked when it is compiled."""
    if len(getattr(node, "args", ())) != 1 or not isinstance(node.args[0], ast.Constant) \
            or not isinstance(node.args[0].value, str):
        raise ExprError("date() takes one text argument: date('2024-03-01')")
    try:
        return dt.date.fromisoformat(node.args[0].value)
    except ValueError:
        raise ExprError(f"date({node.args[0].value!r}): write the date as 'YYYY-MM-DD'") from None


@dataclass(frozen=True)
class RuleFunction:
    """One function of the rule language.

    ``evaluate(args, node)`` builds the engine's evaluator from the compiled arguments (the call's
    node for what is fixed when compiled, such as a date); ``excel(args, node)`` writes the live
    check's formula from the arguments' Excel forms; ``raw_args``: Excel reads the plain cells (a
    text check), not the cells as numbers. ``premise``: for a conditional, (the premise, the rule
    that holds under it), which the arithmetic of connected findings reads as a constraint with a
    condition; None where the function is no arithmetic."""

    name: str
    arity: int
    usage: str  # how to call it, for the declaration's author
    evaluate: Callable[[list[Evaluator], ast.Call], Evaluator]
    excel: Callable[[list[str], ast.Call], str] | None  # None: no Excel form (the engine alone checks it)
    raw_args: bool = False
    constant: bool = False  # its argument is a literal read when compiled, not a value of the return
    premise: Callable[[ast.Call], tuple[ast.AST, ast.AST]] | None = None


def _implies(args: list[Evaluator], node: ast.Call) -> Evaluator:
    p, q = args

    def implies(v, c):
        x = p(v, c)
        if x is None:
            return None
        return True if not x else q(v, c)

    return implies


def _date(args: list[Evaluator], node: ast.Call) -> Evaluator:
    day = date_constant(node)
    return lambda v, c: day


def _xl_date(args: list[str], node: ast.Call) -> str:
    day = date_constant(node)
    return f"DATE({day.year},{day.month},{day.day})"


def _one(test: Callable[[Any], bool]) -> Callable[[list[Evaluator], ast.Call], Evaluator]:
    def build(args: list[Evaluator], node: ast.Call) -> Evaluator:
        (arg,) = args
        return lambda v, c: test(arg(v, c))

    return build


FUNCTIONS: dict[str, RuleFunction] = {
    f.name: f
    for f in (
        # implies(p, q): q must hold where p does; a false premise holds whatever q is, known or not.
        RuleFunction("implies", 2, "implies(p, q)", _implies, lambda a, n: f"IF({a[0]},{a[1]},TRUE)",
                     premise=lambda node: (node.args[0], node.args[1])),
        RuleFunction("present", 1, "present(x)", _one(present), lambda a, n: f"LEN(TRIM({a[0]}))>0", raw_args=True),
        RuleFunction("phone_like", 1, "phone_like(x)", _one(phone_like), None),
        RuleFunction("date", 1, "date('2024-03-01')", _date, _xl_date, constant=True),
    )
}


def function_of(node: ast.AST) -> RuleFunction | None:
    """The registered function ``node`` calls, or None when it is no call of one."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return FUNCTIONS.get(node.func.id)
    return None
