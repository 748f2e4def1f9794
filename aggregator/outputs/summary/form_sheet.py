"""The summary's form sheet: the form itself with the district's totals, filled in as the level
above expects a return: 填报单位, 填报人, 联系电话 and the date from the collection's own settings.

It is drawn by the template builder from the same declaration, so a city collects district
summaries exactly as a district collects school returns. Under its 说明, inside the print area,
a line says what it covers ("本表汇总 31 所学校（应报 40 所；…）", ``coverage``), then, for a form
without a date field, "填报日期". The live-check line under the table is left empty (the cover says
whether the totals pass), so nothing red prints on a summary. The upward form carries no live
check at all: it is values only, a form the level above can copy anywhere.
"""

from __future__ import annotations

from typing import Mapping

from openpyxl import Workbook
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.worksheet.worksheet import Worksheet

from ...form.declaration import Form
from ...form.layout import col_letter, layout_of
from ..letters import shown_date
from ..template import build_template
from ..xlstyle import LEFT, RED, RIGHT, font, page_setup, set_text, text_height
from .plan import Plan

DRAFT_FORM_NOTE = "注意：本表含未通过校验的学校数据，仅供参考，不能作为正式汇总报送。"


def summary_form(plan: Plan, collection_id: str, *, upward: bool = False, coverage: str = "") -> Workbook:
    """A workbook holding the form sheet (and the hidden metadata sheet) with the totals, and
    ``coverage`` on the line under the 说明."""
    form = plan.form
    meta = {
        "kind": "summary-upward" if upward else "summary",
        "collection_id": collection_id,
        "school_name": plan.reporting.unit or plan.district,
        "generated_at": plan.generated.isoformat(),
        "include": plan.include,
    }
    values = {k: v for k, v in plan.totals.items() if v not in ("", None)}
    wb = build_template(form, district=plan.district, meta=meta, unit=plan.reporting.unit or plan.district,
                        values=values)
    ws = wb[form.sheet]
    layout = layout_of(form)
    ws[layout.summary_cell].value = None
    if upward:
        _without_live_checks(ws, layout)
    last = layout.note_row
    if coverage:  # on the live-check line, which a summary leaves empty: within the printed width
        last = layout.last_row
        ws.unmerge_cells(f"{layout.summary_cell}:{col_letter(layout.n_cols)}{last}")
        cell = ws.cell(last, 1)
        set_text(cell, coverage)
        cell.font, cell.alignment = font(bold=True), LEFT
        ws.merge_cells(start_row=last, start_column=1, end_row=last, end_column=layout.printed_cols)
        ws.row_dimensions[last].height = text_height(coverage, sum(layout.widths[:layout.printed_cols]))
    if form.role("date") is None and plan.reporting.on is not None:
        last = layout.last_row + 1
        cell = ws.cell(last, 1)
        set_text(cell, f"填报日期：{shown_date(plan.reporting.on)}")
        cell.font, cell.alignment = font(), RIGHT
        ws.merge_cells(start_row=last, start_column=1, end_row=last, end_column=layout.printed_cols)
    ws.print_area = f"A1:{col_letter(layout.printed_cols)}{last}"
    page_setup(ws, fit_height=1, centred=True)  # as issued, and numbered like every other page
    if plan.draft:
        mark_form_draft(ws, form, last + 1)
    return wb


def _without_live_checks(ws: Worksheet, layout) -> None:
    """The live-check column's formulas and the colours they drive, gone: the upward form holds
    values only (the heads stay, so the level above still reads it as the issued layout)."""
    for ref in layout.check_cells.values():
        ws[ref].value = None
    ws.conditional_formatting = ConditionalFormattingList()


def set_formulas(ws: Worksheet, formulas: Mapping[str, str]) -> None:
    """Our own formulas into the form's cells (never a school's text: that goes through set_text)."""
    for ref, formula in formulas.items():
        cell = ws[ref]
        cell.value = formula
        cell.quotePrefix = False


def mark_form_draft(ws: Worksheet, form: Form, row: int | None = None) -> None:
    """A red line under the form's table: the figures include returns that failed the checks."""
    layout = layout_of(form)
    row = row or layout.last_row + 2
    cell = ws.cell(row, 1)
    set_text(cell, DRAFT_FORM_NOTE)
    cell.font = font(bold=True, color=RED)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=layout.printed_cols)
    ws.print_area = f"A1:{col_letter(layout.printed_cols)}{row}"
