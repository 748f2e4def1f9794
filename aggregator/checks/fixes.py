"""The agreed correction of a group of connected findings, in words a school reporter follows.

Three shapes, after how far the engine could determine the answer (a ``Group``'s status):

- one answer: "请把 C17（存在问题（个）·合计）改为 4， D17（…·小学）改为 2";
- several: what stays (the figures typed that the correction keeps) and the conditions on the
  cells to fill in, merged across columns that say the same: "存在问题（个）填的是 2（C17、E17），
  以此为准；请补填已完成整改问题数与正在整改问题数之和应为 2（C18+C19、E18+E19）；…";
- none: which cells to check together, and the rules they must meet at once.

Labels come from the declaration (row and column labels), numbers as a school typed them, cells
as they are in the school's own workbook; the sentences themselves live in ``messages``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from ..form.declaration import Form
from ..form.values import shown_text
from ..messages import message
from .linear import EQ, GE, LE, Comparison, Constraint
from .solve import NONE, ONE

_SYMBOL = {EQ: "=", LE: "≤", GE: "≥"}
_MAX_BASIS = 3


@dataclass(frozen=True)
class Group:
    """Connected findings and the one correction they share (worked out by ``repair``)."""

    violated: tuple[Constraint, ...]
    opened: frozenset[str]
    status: str  # one | many | unknown | none (solve's outcome)
    changes: dict[str, Any]  # field -> value, when exactly one correction fits
    expanded: bool  # cells beyond the findings' own natural fix had to be reopened
    system: tuple[Constraint, ...] = ()


def fix_text(form: Form, g: Group, values: Mapping[str, Any], cells: Mapping[str, str]) -> str:
    if g.status == ONE and g.changes:
        items = [message("fix-set-item", cell=cells.get(f, ""), label=form.field(f).display, value=shown_text(v))
                 for f, v in sorted(g.changes.items(), key=lambda kv: cells.get(kv[0], "~"))]
        return message("fix-set", changes="，".join(items))
    if g.status == NONE:
        return _together(form, g, cells)
    return _conditions(form, g, values, cells)


# --- several answers: what stays, and the conditions ------------------------------------------------


def _conditions(form: Form, g: Group, values: Mapping[str, Any], cells: Mapping[str, str]) -> str:
    """What stays, then each condition on the reopened cells; the same condition in several
    columns is said once, with each column's bound and cells."""
    phrases: dict[tuple, dict[str, list[str]]] = {}
    for c in g.violated:
        for comp in c.then:
            residual = _residual(comp, values, g.opened)
            if residual is None:
                continue
            pos, neg, op, const = residual
            what = _names(form, pos)
            if len(pos) > 1:
                what = message("fix-sum", what=what)
            bound = _bound(form, neg, const)
            where = "+".join(cells.get(f, "?") for f in pos + neg)
            phrases.setdefault((what, op, bool(neg)), {}).setdefault(bound, []).append(where)
    if not phrases:
        return _together(form, g, cells)
    items = []
    for (what, op, _), bounds in phrases.items():
        said = "、".join(f"{bound}（{'、'.join(dict.fromkeys(where))}）" for bound, where in bounds.items())
        items.append(message({EQ: "fix-eq", LE: "fix-le", GE: "fix-ge"}[op], what=what, bounds=said))
    verb = "fix-fill" if not any(values[f] for f in g.opened) else "fix-change"
    text = message(verb, items="；".join(items))
    basis = _basis(form, g, values, cells)
    return message("fix-trust", basis=basis) + text if basis else text


def _residual(comp: Comparison, values: Mapping[str, Any], opened: frozenset[str]):
    """The comparison over the reopened cells only, the others' values moved to a constant:
    (fields with +1, fields with -1, op, constant) meaning Σpos - Σneg op constant."""
    coefs, const = comp.normal()
    pos, neg = [], []
    for f, c in coefs.items():
        if f in opened:
            if c == 1:
                pos.append(f)
            elif c == -1:
                neg.append(f)
            else:
                return None
        else:
            const += c * values[f]
    if not pos and not neg:
        return None
    op = comp.op
    if not pos:  # -Σneg + k op 0  ->  Σneg op' k
        return neg, [], {EQ: EQ, LE: GE, GE: LE}[op], const
    return pos, neg, op, -const


def _bound(form: Form, neg: list[str], const: float) -> str:
    """The right-hand side of a condition: a number, or other reopened cells plus a number."""
    if not neg:
        return shown_text(_tidy(const))
    more = f"+{shown_text(_tidy(const))}" if const > 0 else f"-{shown_text(_tidy(-const))}" if const < 0 else ""
    return _names(form, neg) + more


def _basis(form: Form, g: Group, values: Mapping[str, Any], cells: Mapping[str, str]) -> str:
    """The figures typed that the correction keeps: closed, not 0, named by a broken rule."""
    kept: dict[str, dict[str, None]] = {}
    for c in g.violated:
        for f in c.fields:
            if f not in g.opened and values[f]:
                kept.setdefault(form.field(f).label, {})[f] = None
    items = []
    for label, fields in list(kept.items())[:_MAX_BASIS]:
        shown = {shown_text(values[f]) for f in fields}
        where = "、".join(cells.get(f, "?") for f in fields)
        if len(shown) == 1:
            said = f"{shown.pop()}（{where}）"
        else:
            said = "、".join(f"{shown_text(values[f])}（{cells.get(f, '?')}）" for f in fields)
        items.append(message("fix-basis", label=label, values=said))
    return "；".join(items)


# --- no answer: check these together -------------------------------------------------------------------


def _together(form: Form, g: Group, cells: Mapping[str, str]) -> str:
    fields = dict.fromkeys(f for c in g.violated for f in c.fields)
    where = "、".join(sorted({cells.get(f, "?") for f in fields}, key=_cell_order))
    rules = "、".join(dict.fromkeys(describe(form, c) for c in g.violated))
    return message("fix-together", cells=where, rules=rules)


def describe(form: Form, c: Constraint) -> str:
    """A rule as a formula in words: "存在问题（个）：合计 = 小学 + 初中"."""
    names = _short_names(form, c.fields)
    prefix, names = names

    def side(terms, const) -> str:
        parts = [("-" if coef < 0 else "") + names[f] for f, coef in terms]
        if const or not parts:
            parts.append(shown_text(_tidy(const)))
        return " + ".join(parts).replace("+ -", "- ")

    def comparison(comp: Comparison) -> str:
        return f"{side(comp.left.terms, comp.left.const)} {_SYMBOL[comp.op]} {side(comp.right.terms, comp.right.const)}"

    text = "、".join(comparison(x) for x in c.then)
    if c.when:
        text = f"{'、'.join(comparison(x) for x in c.when)} 时 {text}"
    return f"{prefix}{text}"


def _short_names(form: Form, fields: Iterable[str]) -> tuple[str, dict[str, str]]:
    fs = [form.field(f) for f in fields]
    if len(fs) > 1 and all(f.column_label for f in fs) and len({f.row for f in fs}) == 1:
        return f"{fs[0].label}：", {f.id: f.column_label for f in fs}
    if len(fs) > 1 and all(f.column_label for f in fs) and len({f.column for f in fs}) == 1:
        return f"{fs[0].column_label}栏：", {f.id: f.label for f in fs}
    return "", {f.id: f.display for f in fs}


def _names(form: Form, fields: list[str]) -> str:
    """Several fields in words: by their column within one row, else by their row labels."""
    fs = [form.field(f) for f in fields]
    if len(fs) > 1 and all(f.column_label for f in fs) and len({f.row for f in fs}) == 1:
        labels = [f.column_label for f in fs]
        return f"{fs[0].label}的{_join(labels)}"
    labels = list(dict.fromkeys(f.label for f in fs))
    return _join(labels)


def _join(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{'、'.join(labels[:-1])}与{labels[-1]}"


def _tidy(x: float) -> int | float:
    return int(x) if float(x).is_integer() else round(x, 6)


def _cell_order(ref: str) -> tuple:
    letters = "".join(ch for ch in ref if ch.isalpha())
    digits = "".join(ch for ch in ref if ch.isdigit())
    return (int(digits) if digits else 0, len(letters), letters)
