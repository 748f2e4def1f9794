"""The validator: a ``Submission`` in, a ``Report`` of every finding out, in one pass.

Rules come from the form's declaration, compiled once per form by ``expr``. A rule whose inputs
could not be read is skipped (the reader already reported the cell), so a school is never told a
sum is wrong because of a value we failed to understand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Mapping

from ..form.declaration import CONTEXT_NAMES, Form
from ..form.explanations import SHEET
from ..form.expr import Compiled, compile_expr
from ..form.values import shown_text
from ..reading.submission import Submission
from ..findings import EXPLAIN, MIN_EXPLANATION, Finding, Report, is_explanation
from ..messages import message, rule_name
from .repair import repaired
from .rules import compiled_rules, with_fix


@dataclass(frozen=True)
class Context:
    """What the collection knows about the school, beyond its return."""

    in_roster: bool | None = None  # None: no roster to check against
    stage: str = ""  # the roster's 学段: 小学 / 初中 / 九年一贯制 / ...

    def as_mapping(self) -> dict[str, Any]:
        return {"in_roster": self.in_roster, "stage": self.stage or None}


_PLACEHOLDER = re.compile(r"\{(=|cell:|label:|col:)?([^{}]+)\}")


@cache
def _compiled_snippet(form: Form, source: str) -> Compiled:
    return compile_expr(source, form.has_field, CONTEXT_NAMES)


def short_label(label: str, limit: int = 20) -> str:
    """A row's label in a message: a checklist item's whole sentence would bury the fix."""
    return label if len(label) <= limit else label[: limit - 2] + "…"


def _show(value: Any) -> str:
    if value is None:
        return "（无法识别）"
    return shown_text(value)


def render(form: Form, template: str, values: Mapping[str, Any], cells: Mapping[str, str], ctx: Mapping[str, Any]) -> str:
    """Fill a declared message: {field}, {cell:field}, {label:row}, {col:column}, {=expr}."""

    def sub(m: re.Match) -> str:
        kind, name = m.group(1), m.group(2).strip()
        if kind == "=":
            return _show(_compiled_snippet(form, name).run(values, ctx))
        if kind == "cell:":
            return cells.get(name, "")
        if kind == "label:":
            return short_label(form.row_label(name))
        if kind == "col:":
            return f"{form.column_label(name)}栏"
        return _show(values.get(name))

    return _PLACEHOLDER.sub(sub, template)


def check_values(
    form: Form, values: Mapping[str, Any], cells: Mapping[str, str], context: Context | None = None,
    *, scope: str = "return", explanations: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Run the form's rules over one set of values: every rule for a return (``scope`` "return"),
    only those that hold for a sum for a summary (``scope`` "all"). ``explanations``: what the
    school wrote per explain rule (its 情况说明 sheet), given to each explain finding."""
    ctx = (context or Context()).as_mapping()
    out: list[Finding] = []
    for rule in compiled_rules(form):
        if scope == "all" and rule.spec.scope == "return":
            continue
        if rule.check.run(values, ctx) is not False:  # True, or None: not decidable
            continue
        fields = rule.check.fields
        fix = render(form, rule.spec.fix, values, cells, ctx) if rule.spec.fix else ""
        out.append(
            Finding(
                rule=rule.spec.id,
                level=rule.spec.level,
                message=with_fix(render(form, rule.spec.message, values, cells, ctx), fix),
                fields=fields,
                cells=tuple(cells[f] for f in fields if f in cells),
                values=tuple(values.get(f) for f in fields),
                fix=fix,
            )
        )
        if rule.spec.level == EXPLAIN:
            out[-1] = explain(form, out[-1], (explanations or {}).get(rule.spec.id, ""))
    return out


def explain(form: Form, finding: Finding, text: str) -> Finding:
    """An explain finding with what the school wrote for its rule: kept when it counts as an
    explanation; else the finding asks for exactly that (in which sheet, which row, how long)."""
    if finding.level != EXPLAIN:
        return finding
    text = (text or "").strip()
    if is_explanation(text):
        return replace(finding, explanation=text, explained_by="school")
    ask = message("explain-short" if text else "explain-needed", sheet=SHEET, name=rule_name(finding.rule, form),
                  text=text, min=MIN_EXPLANATION)
    fix = with_fix(finding.fix, ask) if finding.fix else ask
    return replace(finding, message=with_fix(finding.problem, fix), fix=fix, explanation=text)


def failing(form: Form, values: Mapping[str, Any], context: Context | None = None,
            level: str = "error") -> set[tuple[str, tuple[str, ...]]]:
    """(rule id, fields) of every rule of ``level`` that fails: ``check_values`` without words."""
    ctx = (context or Context()).as_mapping()
    return {(r.spec.id, r.check.fields) for r in compiled_rules(form)
            if r.spec.level == level and r.check.run(values, ctx) is False}


def validate(form: Form, submission: Submission, context: Context | None = None) -> Report:
    """Everything wrong with one return: what the reader could not read, then every rule, with
    one agreed correction for findings that touch connected cells (``repair``)."""
    values, cells = submission.values, submission.cells
    found = check_values(form, values, cells, context, explanations={e.rule: e.text for e in submission.explanations})
    if any(f.level == "error" for f in found):
        found = repaired(form, values, cells, found, lambda changed: failing(form, changed, context))
    return Report(tuple(submission.findings) + tuple(found))
