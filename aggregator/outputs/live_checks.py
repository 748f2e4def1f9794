"""The issued workbook checks itself while a school types: the form's hinted rules as formulas.

Each hinted rule is translated by ``expr.to_excel`` from the very expression the validator runs,
so the workbook and the engine agree by construction; each cell is read as its type says
(``types.excel_ref``), so text in a number cell or a blank choice is "not known yet" in Excel
as in the engine. Plain formulas and conditional formatting only: no macro warning, and they work
in Excel, WPS and LibreOffice alike. A failing rule colours its cells by its level, as every
message we send does: red must change, orange is to explain or change (an explain rule, 需要说明:
the 情况说明 sheet, ``explain_sheet``, says whether the explanation is written), yellow is to
check (a warning, 请核对).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from openpyxl.formatting.rule import FormulaRule
from openpyxl.worksheet.worksheet import Worksheet

from ..form.declaration import CONTEXT_NAMES, Form, FormError, RuleSpec
from ..form.expr import ExprError, compile_expr, to_excel
from ..form.layout import Layout, col_letter, layout_of, split_coord
from ..findings import ERROR, EXPLAIN
from ..form.explanations import SHEET as EXPLAIN_SHEET
from .xlstyle import LEFT, LIGHT_RED, ORANGE, PLAIN, RED, YELLOW, fill, font

NOT_A_NUMBER = "请填写0或正整数；"  # the count guard's hint (``types``), kept here for tests
SUMMARY_OK = "自动校验：未发现问题"
# A form that also compares a school with its peers says that this is still to come: a school
# told "未发现问题" and then asked to explain its outlier would take the workbook for a liar.
SUMMARY_OK_PEERS = "自动校验：未发现问题（与同类学校的比较在报送后进行）"
SUMMARY_PROBLEMS = "自动校验：有 {n} 处问题，请看右侧“{column}”列（标红的格必须修改，{explain}标黄的格请核对）"
SUMMARY_EXPLAIN = "标橙的格请改正或在“{sheet}”表说明原因，"
_CHECK_FONT = font(10, color=RED)
_SUMMARY_FONT = font(bold=True, color=RED)


@dataclass(frozen=True)
class LiveRule:
    """A hinted rule as the template checks it: where its hint shows and its Excel condition."""

    rule: RuleSpec
    fields: tuple[str, ...]
    check_cell: str  # the live-check cell of the row of the rule's first field
    condition: str  # Excel boolean expression (no leading "="), TRUE when the rule holds


def absolute(ref: str) -> str:
    row, col = split_coord(ref)
    return f"${col_letter(col)}${row}"


def field_range(layout: Layout, field_id: str) -> str:
    """The cell, or the merged range, a value occupies."""
    return layout.value_spans.get(field_id, layout.cells[field_id])


def _excel_ref(form: Form, layout: Layout, field_id: str) -> str:
    return form.field(field_id).kind.excel_ref(absolute(layout.cells[field_id]))


@cache
def live_rules(form: Form) -> tuple[LiveRule, ...]:
    """Every rule with a hint, translated. The declaration checker refuses a hint that cannot be
    checked in the workbook (``problems``); a form built in memory is held to the same here."""
    layout = layout_of(form)
    out = []
    for rule in form.rules:
        if not rule.hint:
            continue
        try:
            compiled = compile_expr(rule.check, form.has_field, CONTEXT_NAMES)
            condition = to_excel(rule.check, lambda fid: _excel_ref(form, layout, fid),
                                 lambda fid: absolute(layout.cells[fid]))
        except ExprError as exc:
            raise FormError(f"{form.source}: rule {rule.id} has a hint but no live check: {exc}") from None
        row = form.field(compiled.fields[0]).row if compiled.fields else ""
        if row not in layout.check_cells:
            raise FormError(f"{form.source}: rule {rule.id} has a hint but no check cell")
        out.append(LiveRule(rule, compiled.fields, layout.check_cells[row], condition))
    return tuple(out)


def _xl_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _guard(form: Form, layout: Layout, row_id: str) -> str:
    """'' while every number of the row is a value of its type (blank is 0), else the fix-it hint."""
    fields = [f for f in form.numeric_fields if f.row == row_id and f.kind.excel_guard]
    if not fields:
        return ""
    tests = ",".join(f.kind.excel_guard(absolute(layout.cells[f.id])) for f in fields)
    hint = next((f.kind.guard_hint for f in fields if f.is_count), fields[0].kind.guard_hint)
    return f'IF(IFERROR(AND({tests}),FALSE),"",{_xl_string(hint)})'


def _hint_term(hint: str, conditions: list[str]) -> str:
    """'' while the rules hold, else the hint. A rule over a cell that is not a value yet is
    skipped (IFERROR -> TRUE), as the engine skips a rule over an unreadable value; the guard of
    that cell's own row says what to fix. Rules sharing a hint show it once."""
    held = [f"IFERROR({c},TRUE)" for c in conditions]
    test = held[0] if len(held) == 1 else f"AND({','.join(held)})"
    return f'IF({test},"",{_xl_string(hint + "；")})'


def live_checks(form: Form) -> dict[str, str]:
    """Check cell -> its formula (with the leading "="), for every row that checks something.

    A row's formula is empty text while all is well. It starts with a guard on the row's own
    numbers ("请填写0或正整数；"), then one term per distinct hint of the rules whose first field
    is on that row."""
    return dict(_live_checks(form))


@cache
def _live_checks(form: Form) -> dict[str, str]:
    layout = layout_of(form)
    by_cell: dict[str, dict[str, list[str]]] = {}
    for rule in live_rules(form):
        by_cell.setdefault(rule.check_cell, {}).setdefault(rule.rule.hint, []).append(rule.condition)
    out = {}
    for row_id, cell in layout.check_cells.items():
        guard = _guard(form, layout, row_id)
        terms = [guard] if guard else []
        terms += [_hint_term(hint, conds) for hint, conds in by_cell.get(cell, {}).items()]
        if terms:
            out[cell] = "=" + "&".join(terms)
    return out


def summary_ok(form: Form) -> str:
    """The line when the workbook finds nothing: with what it cannot check, when there is that."""
    return SUMMARY_OK_PEERS if form.outliers else SUMMARY_OK


def summary_formula(form: Form) -> str:
    """The line under the table: blank while nothing is typed in the table (a blank form prints
    and opens clean), then all clear, or how many rows need a look."""
    layout = layout_of(form)
    n = "+".join(f"IF(LEN({absolute(c)})>0,1,0)" for c in live_checks(form)) or "0"
    inputs = [field_range(layout, f.id) for f in form.fields if f.section != "header"]
    typed = "+".join(f"COUNTA({','.join(inputs[i:i + 200])})" for i in range(0, len(inputs), 200)) or "1"
    explain = SUMMARY_EXPLAIN.format(sheet=EXPLAIN_SHEET) if any(r.rule.level == EXPLAIN for r in live_rules(form)) else ""
    problems = SUMMARY_PROBLEMS.format(n="{n}", column=form.check_label, explain=explain)
    before, _, after = problems.partition("{n}")
    return (f'=IF(({typed})=0,"",IF(({n})=0,{_xl_string(summary_ok(form))},'
            f"{_xl_string(before)}&({n})&{_xl_string(after)}))")


def add_live_checks(ws: Worksheet, form: Form, layout: Layout) -> None:
    """Formulas in the check column, the cells of a failing rule coloured by its level, and the summary."""
    red = fill(LIGHT_RED)
    for cell, formula in live_checks(form).items():
        ws[cell].value = formula
    for ref in layout.check_cells.values():
        ws[ref].font, ws[ref].alignment = _CHECK_FONT, LEFT
    errors = [r for r in live_rules(form) if r.rule.level == ERROR]
    explains = [r for r in live_rules(form) if r.rule.level == EXPLAIN]
    warnings = [r for r in live_rules(form) if r.rule.level not in (ERROR, EXPLAIN)]
    for rule in errors:  # added first: where an error and a warning meet, red wins
        _colour(ws, layout, rule, red)
    for f in form.numeric_fields:  # text, a negative or a fraction in a number cell (as the guard)
        if f.kind.excel_guard:
            wrong = f"IFERROR(NOT({f.kind.excel_guard(absolute(layout.cells[f.id]))}),TRUE)"
            ws.conditional_formatting.add(field_range(layout, f.id), FormulaRule(formula=[wrong], fill=red))
    for rule in explains:  # to explain or change: orange, before the yellow of a mere warning
        _colour(ws, layout, rule, fill(ORANGE))
    for rule in warnings:
        _colour(ws, layout, rule, fill(YELLOW))
    summary = ws[layout.summary_cell]
    summary.value = summary_formula(form)
    summary.font, summary.alignment = _SUMMARY_FONT, PLAIN


def _colour(ws: Worksheet, layout: Layout, rule: LiveRule, colour) -> None:
    ranges = " ".join(field_range(layout, fid) for fid in rule.fields)
    ws.conditional_formatting.add(ranges, FormulaRule(formula=[f"NOT(IFERROR({rule.condition},TRUE))"], fill=colour))
