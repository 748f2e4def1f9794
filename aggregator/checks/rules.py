"""The form's rules, compiled once per form, and the one sentence a finding makes of its problem
and its fix: what the validator (``validate``), the arithmetic reading of the rules (``linear``),
the agreed correction (``repair``) and the cells to colour (``focus``) all start from, so that
each names the same fields and words its findings alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ..form.declaration import CONTEXT_NAMES, Form, RuleSpec
from ..form.expr import Compiled, compile_expr


@dataclass(frozen=True)
class CompiledRule:
    spec: RuleSpec
    check: Compiled


@cache
def compiled_rules(form: Form) -> tuple[CompiledRule, ...]:
    return tuple(
        CompiledRule(spec, compile_expr(spec.check, form.has_field, CONTEXT_NAMES)) for spec in form.rules
    )


def with_fix(problem: str, fix: str) -> str:
    """One sentence: what is wrong, then how to put it right."""
    return f"{problem.rstrip('，,；;。 ')}，{fix}" if fix else problem
