"""The issued workbook's 情况说明 sheet: where a school explains a figure instead of changing it.

Its layout is ``form.explanations``' (a row per explain rule: 序号, 核实项目, 检查内容, 说明, 自动校验);
this module draws it and writes its live check. Why it is made so:

- Only the 说明 cells are unlocked, and the sheet is protected without a password, like the form:
  the rows the reader finds by their names stay as printed, yet a school that must insert a row
  to write more can unprotect it.
- The live check (column E) counts an explanation exactly as the engine does
  (``explained_formula``: six characters without spaces and punctuation), so "已填写说明" in the
  workbook means the engine will take it. For a declared explain rule it also evaluates the
  rule's own condition over the form sheet (``expr.to_excel``, as the form's live checks do), and
  asks for an explanation exactly when the engine would. An outlier is judged against the other
  schools, who are not in a school's copy, so its row says honestly when to write
  (``CHECK_TEXTS["outlier"]``), never that all is well.
- A change from last period is judged in the copy itself: the block of last period under the
  rules holds the school's own figures then (``figures``, filled in per school at issue) beside
  this period's, each row's check is the engine's bound (``checks.periods.moves``: both figures
  above 0, the larger at least the floor, one more than ``factor`` times the other), and the
  comparison's row asks for a 说明 while any figure is beyond its bound.
- A 说明 still needed is orange, the colour of 需要说明 in every letter, marked copy and guide.
- It prints on one A4 page, landscape, without the live-check column (that is for the screen).

Drawing only: which rules are explain rules, and what counts as an explanation, are decided in
``form.explanations`` and ``findings``.
"""

from __future__ import annotations

from typing import Any, Mapping

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Protection
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.worksheet.page import PageMargins

from ..form.declaration import CONTEXT_NAMES, Form
from ..form.explanations import (CHECK_COL, CHECK_TEXTS, CURRENT_COL, HEADS, NAME_COL, PREVIOUS_COL, PREVIOUS_HEADS,
                                 TEXT_COL, ExplanationLayout, PreviousRow, explain_rules, explained_formula,
                                 explanation_layout)
from ..form.expr import ExprError, compile_expr, to_excel
from ..form.layout import col_letter, layout_of
from .live_checks import absolute
from .xlstyle import CENTRE, GRID, LEFT, ORANGE, RED, WRAP_TOP, fill, font, page_setup, set_text, set_widths, text_height

_ROW_MIN = 54.0  # a 说明 cell with room for three lines of handwriting-length text
_UNLOCKED = Protection(locked=False)


def _xl_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def rule_condition(form: Form, rule_id: str) -> str:
    """The Excel condition (no "="), TRUE while every instance of the declared rule ``rule_id``
    holds, over the form sheet's cells; "" when the workbook cannot check it (a rule over the
    roster, an outlier, a change from last period)."""
    layout = layout_of(form)
    sheet = "'" + form.sheet.replace("'", "''") + "'!"
    terms = []
    for rule in form.rules:
        if rule.id != rule_id:
            continue
        try:
            compile_expr(rule.check, form.has_field, CONTEXT_NAMES)
            cond = to_excel(rule.check, lambda fid: form.field(fid).kind.excel_ref(sheet + absolute(layout.cells[fid])),
                            lambda fid: sheet + absolute(layout.cells[fid]))
        except (ExprError, KeyError):
            return ""
        terms.append(f"IFERROR({cond},TRUE)")  # a cell not a value yet: as the engine, undecided
    if not terms:
        return ""
    return terms[0] if len(terms) == 1 else f"AND({','.join(terms)})"


def moved_condition(row: PreviousRow) -> str:
    """TRUE when the block's figure moved beyond its bound, as ``checks.periods.moves`` judges:
    both numbers above 0 (nested IFs: Excel's AND would divide by an empty cell), the larger at
    least the floor, one more than ``factor`` times the other."""
    before, now = row.cell(PREVIOUS_COL), row.cell(CURRENT_COL)
    f = f"{row.factor:g}"
    return (f"IF(AND(ISNUMBER({before}),ISNUMBER({now})),IF(AND({before}>0,{now}>0),"
            f"AND(MAX({before},{now})>={row.floor:g},OR({now}/{before}>{f},{before}/{now}>{f})),FALSE),FALSE)")


def _period_condition(layout: ExplanationLayout) -> str:
    """TRUE while no figure of the block moved beyond its bound ("" without a block)."""
    if not layout.previous:
        return ""
    return "AND(" + ",".join(r.cell(CHECK_COL) + '=""' for r in layout.previous) + ")"


def check_formula(form: Form, layout: ExplanationLayout, rule_id: str, kind: str) -> str:
    """Column E of one rule's row (with "="): 已填写说明 once the 说明 counts; 说明太短 when written
    but too short; else, for a rule the workbook can check, 请填写说明 while the rule fails and
    nothing while it holds; for one it cannot, when to write."""
    row = layout.row_of(rule_id)
    text = absolute(row.text_cell)
    if kind == "rule":
        condition = rule_condition(form, rule_id)
    elif kind == "changes":
        condition = _period_condition(layout)
    else:
        condition = ""
    if condition:
        otherwise = f'IF({condition},"",{_xl_string(CHECK_TEXTS["needed"])})'
    else:
        otherwise = _xl_string(CHECK_TEXTS.get(kind, CHECK_TEXTS["outlier"]))
    return (f"=IF({explained_formula(text)},{_xl_string(CHECK_TEXTS['done'])},"
            f"IF(LEN({text})>0,{_xl_string(CHECK_TEXTS['short'])},{otherwise}))")


def explanation_checks(form: Form, *, previous: bool) -> dict[str, str]:
    """Check cell -> its formula, for every row of the 情况说明 sheet ({} when the form has none)."""
    layout = explanation_layout(form, previous=previous)
    if layout is None:
        return {}
    return {layout.row_of(r.id).check_cell: check_formula(form, layout, r.id, r.kind)
            for r in explain_rules(form, previous=previous)}


def add_explanation_sheet(wb: Workbook, form: Form, *, previous: bool, figures: Mapping[str, Any] | None = None) -> str:
    """Append the 情况说明 sheet to ``wb`` (the issued template); its title, or "" when the form
    has no explain rule. ``previous``: the collection names a last period (its row is listed,
    with the block of last period's figures: ``figures`` by field id, a number, None, or the
    placeholder ``personalise`` fills in per school)."""
    layout = explanation_layout(form, previous=previous)
    if layout is None:
        return ""
    ws = wb.create_sheet(layout.sheet)
    n = len(layout.heads)
    set_widths(ws, layout.widths)
    for rng in layout.merges:
        ws.merge_cells(rng)
    set_text(ws["A1"], layout.title)
    ws["A1"].font, ws["A1"].alignment = font(16, bold=True), CENTRE
    set_text(ws["A2"], layout.intro)
    ws["A2"].font, ws["A2"].alignment = font(), LEFT
    ws.row_dimensions[1].height = 30
    ws.row_dimensions[2].height = text_height(layout.intro, sum(layout.widths[:TEXT_COL]))
    head_row = layout.rows[0].row - 1
    for c, head in enumerate(layout.heads, start=1):
        cell = ws.cell(head_row, c)
        set_text(cell, head)
        cell.font, cell.alignment, cell.border = font(bold=True), CENTRE, GRID
    ws.row_dimensions[head_row].height = 22
    checks = explanation_checks(form, previous=previous)
    for r in layout.rows:
        values = (r.number, r.name, r.about, None)
        for c, value in enumerate(values, start=1):
            cell = ws.cell(r.row, c)
            if value is not None:
                if isinstance(value, int):
                    cell.value = value
                else:
                    set_text(cell, value)
            cell.border, cell.font = GRID, font()
            cell.alignment = CENTRE if c == 1 else LEFT
        said = ws[r.text_cell]
        said.protection, said.alignment = _UNLOCKED, WRAP_TOP
        check = ws[r.check_cell]
        check.value = checks[r.check_cell]
        check.font, check.alignment, check.border = font(10, color=RED), LEFT, GRID
        ws.row_dimensions[r.row].height = max(_ROW_MIN, text_height(r.about, layout.widths[2]))
        needed = f'OR(${col_letter(n)}{r.row}={_xl_string(CHECK_TEXTS["needed"])},' \
                 f'${col_letter(n)}{r.row}={_xl_string(CHECK_TEXTS["short"])})'
        ws.conditional_formatting.add(r.text_cell, FormulaRule(formula=[needed], fill=fill(ORANGE)))
    if layout.previous:
        _draw_previous(ws, form, layout, figures or {})
    ws.print_area = f"A1:{col_letter(TEXT_COL)}{layout.last_row}"
    page_setup(ws, landscape=True, fit_width=1, fit_height=1, centred=True, footer=False,
               margins=PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6, header=0.3, footer=0.3))
    ws.sheet_view.showGridLines = False
    p = ws.protection
    p.sheet = True
    p.formatColumns = p.formatRows = False
    p.selectLockedCells = p.selectUnlockedCells = False
    return ws.title


def _draw_previous(ws: Worksheet, form: Form, layout: ExplanationLayout, figures: Mapping[str, Any]) -> None:
    """The block of last period: its line, its heads, a row per bounded figure."""
    top = layout.previous_title_row
    ws.merge_cells(f"A{top}:{col_letter(TEXT_COL)}{top}")
    set_text(ws.cell(top, 1), layout.previous_title)
    ws.cell(top, 1).font, ws.cell(top, 1).alignment = font(bold=True), LEFT
    ws.row_dimensions[top].height = text_height(layout.previous_title, sum(layout.widths[:TEXT_COL]))
    for c, head in enumerate(PREVIOUS_HEADS, start=1):
        cell = ws.cell(top + 1, c)
        if head:
            set_text(cell, head)
        cell.font, cell.alignment, cell.border = font(bold=True), CENTRE, GRID
    sheet = "'" + form.sheet.replace("'", "''") + "'!"
    cells = layout_of(form).cells
    for r in layout.previous:
        ws.cell(r.row, NAME_COL - 1).border = GRID
        set_text(ws.cell(r.row, NAME_COL), r.label)
        before = ws.cell(r.row, PREVIOUS_COL)
        value = figures.get(r.field)
        if isinstance(value, str):
            set_text(before, value)  # a placeholder, filled in per school
        elif type(value) in (int, float):
            before.value = value
        ref = sheet + absolute(cells[r.field])
        ws.cell(r.row, CURRENT_COL).value = f'=IFERROR(IF({ref}="","",{ref}+0),"")'
        check = ws.cell(r.row, CHECK_COL)
        check.value = f'=IF({moved_condition(r)},{_xl_string(CHECK_TEXTS["moved"])},"")'
        for c in range(NAME_COL, CHECK_COL + 1):
            cell = ws.cell(r.row, c)
            cell.border = GRID
            cell.font = font(10, color=RED) if c == CHECK_COL else font()
            cell.alignment = LEFT if c in (NAME_COL, CHECK_COL) else CENTRE
        ws.row_dimensions[r.row].height = text_height(r.label, layout.widths[NAME_COL - 1])


__all__ = ["HEADS", "add_explanation_sheet", "check_formula", "explanation_checks", "rule_condition"]
