"""The workbook we issue to schools, drawn from the form's declaration.

Why it looks and behaves the way it does:

- It is the printed form, laid out by ``layout_of(form)``, so a school recognises it; its print
  area stops at the table and its 说明 (the live-check column is for the screen), on one A4 page.
- Only value cells are unlocked and the sheet is protected without a password: the layout the
  reader's fast path expects survives ordinary use, yet a school that must change it can.
- Each cell validates what is typed as its field type says (``types``): whole numbers, decimals,
  dates, a drop-down of choices; and a live-check column applies the form's hinted rules
  (``live_checks``), so the school sees the engine's own rules before sending.
- A very hidden sheet records the form, its version, the layout fingerprint and who the copy was
  for, so a return can be matched even after it was renamed ``附件5(1).xlsx``.
- The district issues a thousand copies at once: see ``personalise``.

Drawing only: no rule is decided here, every rule comes from the declaration.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, Protection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from ..form.declaration import Form
from ..form.layout import Layout, coord, layout_of, split_coord
from .explain_sheet import add_explanation_sheet
from .live_checks import add_live_checks, field_range, live_rules
from .xlstyle import (
    BODY_SIZE, CENTRE, GRID, LEFT, PLAIN, RIGHT, UNDERLINE, font, page_setup, set_text, set_widths, text_height,
)

META_SHEET = "dudao_meta"
# What a per-school copy is personalised with (``personalise.template_bytes``).
SCHOOL_KEYS = ("collection_id", "school_id", "school_name", "issued_at")

_BODY, _BOLD = font(), font(bold=True)
_UNLOCKED = Protection(locked=False)
_TEXT_STYLE: dict[str, tuple[Font, Alignment]] = {
    "annex": (_BOLD, PLAIN),
    "title": (font(16, bold=True), CENTRE),
    "header_label": (_BODY, RIGHT),
    "section": (_BODY, CENTRE),
    "head": (_BOLD, CENTRE),
    "column_head": (_BOLD, CENTRE),
    "check_head": (_BOLD, CENTRE),
    "row_label": (_BODY, LEFT),
    "line_label": (_BODY, CENTRE),
    "suffix": (_BODY, LEFT),
    "note": (_BODY, LEFT),
}
_MIN_HEIGHT = {"annex": 18.0, "header": 26.0, "table": 24.0, "below": 22.0, "lines": 36.0}  # lines: two lines of text
_CHECK_LINES = 2  # rows grow for at most two lines of live-check hints; more would spoil the print


def build_template(
    form: Form,
    *,
    district: str = "",
    meta: Mapping[str, str] | None = None,
    unit: str = "",
    values: Mapping[str, Any] | None = None,
    explain: bool | None = None,
    previous: Mapping[str, Any] | None = None,
) -> Workbook:
    """The printed form as a workbook: one protected sheet plus the very hidden metadata sheet.

    ``unit`` prefills the field whose role is unit (填报单位); ``values`` (field id -> value) fills
    value cells, which is how the district summary reuses this same form with its totals.
    ``explain``: a workbook a school fills in also gets the 情况说明 sheet when the form has
    explain rules (``explain_sheet``), True listing the comparison with last period too, False
    without it; None (the summary) leaves it out. ``previous``: the school's figures last period
    (field id -> value), shown in the 情况说明 sheet's block of last period for its live check.
    """
    layout = layout_of(form)
    wb = Workbook()
    ws = wb.active
    ws.title = form.sheet
    _draw(ws, form, layout, district)
    _fill(ws, form, layout, unit, values or {})
    _mark_inputs(ws, form, layout)
    add_live_checks(ws, form, layout)
    _fit_rows(ws, form, layout, district, values or {})
    page_setup(ws, fit_height=1, centred=True, footer=False,
               margins=PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5, header=0.2, footer=0.2))
    ws.print_area = layout.print_area
    ws.sheet_view.showGridLines = False
    _protect(ws)
    if explain is not None:
        add_explanation_sheet(wb, form, previous=explain, figures=previous)
    _write_meta(wb, form, layout, district, meta or {})
    wb.calculation.fullCalcOnLoad = True  # the checks show their state as soon as it is opened
    return wb


def _draw(ws: Worksheet, form: Form, layout: Layout, district: str) -> None:
    """Labels, merges, borders and widths: everything a school reads but does not type."""
    set_widths(ws, layout.widths)
    for rng in layout.merges:
        ws.merge_cells(rng)
    first, last = layout.table_rows
    for row in ws.iter_rows(min_row=first, max_row=last, max_col=layout.n_cols):
        for cell in row:
            cell.border = GRID
            cell.font = _BODY
            cell.alignment = CENTRE
    for text in layout.texts:
        cell = ws[text.cell]
        set_text(cell, form.title(district) if text.kind == "title" else text.text)
        cell.font, cell.alignment = _TEXT_STYLE.get(text.kind, (_BODY, LEFT))
    for f in form.header:
        for ref in _cells_of(field_range(layout, f.id)):
            ws[ref].border = UNDERLINE
        ws[layout.cells[f.id]].font, ws[layout.cells[f.id]].alignment = _BODY, PLAIN
    for f in form.fields:
        if f.section == "header":
            continue
        if not f.numeric:
            ws[layout.cells[f.id]].alignment = LEFT
        fmt = f.kind.number_format(f)
        if fmt:
            ws[layout.cells[f.id]].number_format = fmt


def _fill(ws: Worksheet, form: Form, layout: Layout, unit: str, values: Mapping[str, Any]) -> None:
    """Prefill the unit and any given values; numbers and dates stay so, everything else is text."""
    unknown = [k for k in values if not form.has_field(k)]
    if unknown:
        raise ValueError(f"values for fields the form does not have: {unknown}")
    if unit:
        set_text(ws[layout.cells[form.unit.id]], unit)
    for field_id, value in values.items():
        cell = ws[layout.cells[field_id]]
        if isinstance(value, (int, float)) and not isinstance(value, bool) or hasattr(value, "isoformat"):
            cell.value = value
        else:
            set_text(cell, value)


def _cells_of(rng: str) -> Iterable[str]:
    first, _, last = rng.partition(":")
    r1, c1 = split_coord(first)
    r2, c2 = split_coord(last or first)
    return (coord(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))


def _mark_inputs(ws: Worksheet, form: Form, layout: Layout) -> None:
    """Unlock value cells and attach each type's typing rule, one validation per distinct rule."""
    rules: dict[tuple, DataValidation] = {}
    for f in form.fields:
        rng = field_range(layout, f.id)
        for ref in _cells_of(rng):
            ws[ref].protection = _UNLOCKED
        v = f.kind.validation(f)
        key = (v.kind, v.operator, v.formula1, v.prompt_title, v.prompt, v.error)
        if key not in rules:
            rules[key] = _validation(v)
            ws.add_data_validation(rules[key])
        rules[key].add(rng)


def _validation(v) -> DataValidation:
    if not v.kind:  # text: anything goes, the prompt says what is wanted
        return DataValidation(showInputMessage=True, promptTitle=v.prompt_title, prompt=v.prompt)
    return DataValidation(
        type=v.kind, operator=v.operator or None, formula1=v.formula1,
        formula2="2958465" if v.operator == "between" else None,
        allow_blank=True, showErrorMessage=True, errorStyle="stop", errorTitle=v.error_title, error=v.error,
        showInputMessage=True, promptTitle=v.prompt_title, prompt=v.prompt,
        showDropDown=False,  # (sic) False is what *shows* the drop-down arrow in Excel
    )


def _protect(ws: Worksheet) -> None:
    """Protect without a password: guards the layout, lets a school widen columns or rows."""
    p = ws.protection
    p.sheet = True
    p.formatColumns = False
    p.formatRows = False
    p.selectLockedCells = False
    p.selectUnlockedCells = False


def _fit_rows(ws: Worksheet, form: Form, layout: Layout, district: str, values: Mapping[str, Any]) -> None:
    """Heights that show wrapped Chinese labels whole: Excel does not grow rows of merged cells."""
    spans = {}
    for rng in layout.merges:
        first, _, last = rng.partition(":")
        spans[first] = (*split_coord(first), *split_coord(last))
    contents: list[tuple[str, str, float, int]] = []  # cell, text, font size, max lines
    for t in layout.texts:
        style, alignment = _TEXT_STYLE.get(t.kind, (_BODY, LEFT))
        text = form.title(district) if t.kind == "title" else t.text
        contents.append((t.cell, text, float(style.size), 99 if alignment.wrap_text else 1))
    for field_id, value in values.items():
        contents.append((layout.cells[field_id], str(value), BODY_SIZE, 99))
    hints: dict[str, list[str]] = {}
    for rule in live_rules(form):
        hints.setdefault(rule.check_cell, []).append(rule.rule.hint + "；")
    for cell, texts in hints.items():
        contents.append((cell, "".join(dict.fromkeys(texts)), 10, _CHECK_LINES))

    heights = {r: _min_height(layout, r) for r in range(1, layout.last_row + 1)}
    for s in form.sections:  # a line a school writes a sentence in: room for two lines
        if s.kind == "lines":
            for row in s.rows:
                r = split_coord(layout.cells[row.id])[0]
                heights[r] = max(heights[r], _MIN_HEIGHT["lines"])
    tall = []
    for ref, text, size, max_lines in contents:
        r1, c1, r2, c2 = spans.get(ref, (*split_coord(ref), *split_coord(ref)))
        width = sum(layout.widths[c - 1] if c <= len(layout.widths) else 9 for c in range(c1, c2 + 1))
        need = text_height(text, width, size, max_lines)
        if r1 == r2:
            heights[r1] = max(heights[r1], need)
        else:
            tall.append((r1, r2, need))
    for r1, r2, need in tall:  # a label spanning rows: spread what is missing over them
        short = need - sum(heights[r] for r in range(r1, r2 + 1))
        for r in range(r1, r2 + 1):
            heights[r] += max(short, 0) / (r2 - r1 + 1)
    for r, h in heights.items():
        ws.row_dimensions[r].height = round(h, 1)


def _min_height(layout: Layout, row: int) -> float:
    first, last = layout.table_rows
    if row == 1:
        return _MIN_HEIGHT["annex"]
    if row < first:
        return _MIN_HEIGHT["header"]
    return _MIN_HEIGHT["table"] if row <= last else _MIN_HEIGHT["below"]


# ================================================================================================
# Metadata sheet
# ================================================================================================


def _write_meta(wb: Workbook, form: Form, layout: Layout, district: str, meta: Mapping[str, str]) -> None:
    """Key/value rows, all text, on a sheet only code can see (veryHidden: not in Unhide)."""
    rows = {"form_id": form.id, "form_version": form.version, "layout": layout.fingerprint, "district": district,
            "form_title": form.title(district)}
    clash = sorted(rows.keys() & meta.keys())
    if clash:
        raise ValueError(f"meta keys are reserved: {clash}")
    ws = wb.create_sheet(META_SHEET)
    ws.sheet_state = "veryHidden"
    for i, (key, value) in enumerate({**rows, **meta}.items(), start=1):
        set_text(ws.cell(i, 1), key)
        set_text(ws.cell(i, 2), value)


def read_meta_rows(rows: Iterable[Iterable[Any]]) -> dict[str, str]:
    """The metadata sheet's rows (key in the first column, value in the second) back to a dict.

    Tolerates what readers hand back: short rows, blanks as None or "", numbers where a program
    re-typed a value (12.0 -> "12").
    """
    out: dict[str, str] = {}
    for row in rows:
        row = list(row)
        key = _as_text(row[0]) if row else ""
        if key:
            out[key] = _as_text(row[1]) if len(row) > 1 else ""
    return out


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()

