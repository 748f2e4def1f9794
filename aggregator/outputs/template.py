"""The workbook we issue to schools, drawn from the form's declaration.

Why it looks and behaves the way it does:

- It is the printed form (Annex 5), laid out by ``layout_of(form)``, so a school recognises it and
  it prints on one A4 page.
- Only value cells are unlocked and the sheet is protected without a password: the layout the
  reader's fast path expects survives ordinary use, yet a school that must change it can.
- Count cells refuse anything but whole numbers >= 0 as they are typed, and a live-check column
  applies the form's hinted rules through ``expr.to_excel``, so the school sees the engine's own
  rules before sending. Plain formulas and conditional formatting only: no macro warning, and
  they work in Excel, WPS and LibreOffice alike.
- A very hidden sheet records the form, its version, the layout fingerprint and who the copy was
  for, so a return can be matched even after it was renamed ``附件5(1).xlsx``.
- The district issues a thousand copies at once: the template is built once with placeholders and
  each copy rewrites only the zip members that hold them (``template_bytes`` + ``personalise``).

Drawing only: no rule is decided here, every rule comes from the declaration.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Iterable, Mapping
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ..form.expr import ExprError, compile_expr, to_excel
from ..form.declaration import Field, Form, FormError, RuleSpec
from ..form.layout import Layout, col_letter, coord, layout_of, split_coord

META_SHEET = "dudao_meta"
# What a per-school copy is personalised with (``template_bytes`` / ``personalise``).
SCHOOL_KEYS = ("collection_id", "school_id", "school_name", "issued_at")

# Names a rule may use that are not cells (the validator supplies them); a rule that uses one
# cannot be checked live, because the workbook does not know the roster.
_CONTEXT_NAMES = frozenset({"in_roster", "stage"})
_FORMULA_START = ("=", "+", "-", "@")

# --- user-facing text (Chinese) -----------------------------------------------------------------
COUNT_PROMPT_TITLE = "填写整数"
COUNT_PROMPT = "请填写大于或等于 0 的整数，没有请填 0"
COUNT_ERROR_TITLE = "只能填写整数"
COUNT_ERROR = "请填写大于或等于 0 的整数，没有请填 0（不要填写单位或文字）"
PHONE_PROMPT = "请填写手机号（11位）或座机号（如 0722-1234567）"
NOT_A_NUMBER = "请填写0或正整数；"
SUMMARY_OK = "自动校验：未发现问题"
SUMMARY_PROBLEMS = "自动校验：有 {n} 处需要核对，请看右侧“{column}”列的红字提示"

# --- look ---------------------------------------------------------------------------------------
FONT_NAME = "宋体"  # ships with every Chinese Windows; WPS and LibreOffice map it too
BODY_SIZE = 11
_BODY = Font(name=FONT_NAME, size=BODY_SIZE)
_BOLD = Font(name=FONT_NAME, size=BODY_SIZE, bold=True)
_TITLE = Font(name=FONT_NAME, size=16, bold=True)
_CHECK = Font(name=FONT_NAME, size=10, color="FFC00000")
_SUMMARY = Font(name=FONT_NAME, size=BODY_SIZE, bold=True, color="FFC00000")
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="center", shrink_to_fit=True)
_PLAIN = Alignment(horizontal="left", vertical="center")
_THIN = Side(style="thin")
_GRID = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_UNDERLINE = Border(bottom=_THIN)
_RED_FILL = PatternFill(fill_type="solid", start_color="FFFFC7CE", end_color="FFFFC7CE")
_UNLOCKED = Protection(locked=False)

_TEXT_STYLE: dict[str, tuple[Font, Alignment]] = {
    "annex": (_BOLD, _PLAIN),
    "title": (_TITLE, _CENTRE),
    "header_label": (_BODY, _RIGHT),
    "section": (_BODY, _CENTRE),
    "head": (_BOLD, _CENTRE),
    "column_head": (_BOLD, _CENTRE),
    "check_head": (_BOLD, _CENTRE),
    "row_label": (_BODY, _LEFT),
    "line_label": (_BODY, _CENTRE),
    "suffix": (_BODY, _LEFT),
    "note": (_BODY, _LEFT),
}

_MIN_HEIGHT = {"annex": 18.0, "header": 26.0, "table": 24.0, "below": 22.0}
_CHECK_LINES = 2  # rows grow for at most two lines of live-check hints; more would spoil the print


# ================================================================================================
# Text cells
# ================================================================================================


def set_text(cell: Cell, value: Any) -> None:
    """Write ``value`` as literal text, never as a formula.

    School names, problem descriptions and meta values come from people; "=HYPERLINK(...)" or
    "-3 所" must stay what was typed. openpyxl would turn a leading "=" into a formula, and refuses
    control characters outright, so strip those and force the string type. ``quotePrefix`` makes
    Excel keep it as text even when someone edits the cell later. ``None`` clears the cell.
    """
    if value is None:
        cell.value = None
        return
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell.value = text
    cell.data_type = "s"
    if text.startswith(_FORMULA_START):
        cell.quotePrefix = True


# ================================================================================================
# The workbook
# ================================================================================================


def build_template(
    form: Form,
    *,
    district: str = "曾都区",
    meta: Mapping[str, str] | None = None,
    unit: str = "",
    values: Mapping[str, Any] | None = None,
) -> Workbook:
    """The printed form as a workbook: one protected sheet plus the very hidden metadata sheet.

    ``unit`` prefills 填报单位; ``values`` (field id -> int or str) fills value cells, which is how
    the district summary reuses this same form with its totals.
    """
    layout = layout_of(form)
    wb = Workbook()
    ws = wb.active
    ws.title = form.sheet
    _draw(ws, form, layout, district)
    _fill(ws, form, layout, unit, values or {})
    _mark_inputs(ws, form, layout)
    _add_live_checks(ws, form, layout)
    _fit_rows(ws, form, layout, district, values or {})
    _set_page(ws, layout)
    _protect(ws)
    _write_meta(wb, form, layout, district, meta or {})
    wb.calculation.fullCalcOnLoad = True  # the checks show their state as soon as it is opened
    return wb


def _draw(ws: Worksheet, form: Form, layout: Layout, district: str) -> None:
    """Labels, merges, borders and widths: everything a school reads but does not type."""
    for i, width in enumerate(form.widths, start=1):
        ws.column_dimensions[col_letter(i)].width = width
    for rng in layout.merges:
        ws.merge_cells(rng)
    first, last = layout.table_rows
    for row in ws.iter_rows(min_row=first, max_row=last, max_col=layout.n_cols):
        for cell in row:
            cell.border = _GRID
            cell.font = _BODY
            cell.alignment = _CENTRE
    for text in layout.texts:
        cell = ws[text.cell]
        set_text(cell, form.title(district) if text.kind == "title" else text.text)
        cell.font, cell.alignment = _TEXT_STYLE.get(text.kind, (_BODY, _LEFT))
    for f in form.header:
        cell = ws[layout.cells[f.id]]
        cell.border = _UNDERLINE
        cell.font, cell.alignment = _BODY, _PLAIN
    for f in form.text_fields:
        if f.section != "header":
            ws[layout.cells[f.id]].alignment = _LEFT


def _fill(ws: Worksheet, form: Form, layout: Layout, unit: str, values: Mapping[str, Any]) -> None:
    """Prefill 填报单位 and any given values; numbers stay numbers, everything else is text."""
    unknown = [k for k in values if not form.has_field(k)]
    if unknown:
        raise ValueError(f"values for fields the form does not have: {unknown}")
    if unit:
        set_text(ws[layout.cells["unit"]], unit)
    for field_id, value in values.items():
        cell = ws[layout.cells[field_id]]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            cell.value = value
        else:
            set_text(cell, value)


def _field_ranges(layout: Layout, field_id: str) -> str:
    """The cell, or the merged range, a value occupies."""
    return layout.value_spans.get(field_id, layout.cells[field_id])


def _cells_of(rng: str) -> Iterable[str]:
    first, _, last = rng.partition(":")
    r1, c1 = split_coord(first)
    r2, c2 = split_coord(last or first)
    return (coord(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))


def _mark_inputs(ws: Worksheet, form: Form, layout: Layout) -> None:
    """Unlock value cells and attach the typing rules: counts are whole numbers >= 0."""
    counts = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle=COUNT_ERROR_TITLE,
        error=COUNT_ERROR,
        showInputMessage=True,
        promptTitle=COUNT_PROMPT_TITLE,
        prompt=COUNT_PROMPT,
    )
    ws.add_data_validation(counts)
    for f in form.fields:
        rng = _field_ranges(layout, f.id)
        for ref in _cells_of(rng):
            ws[ref].protection = _UNLOCKED
        if f.is_count:
            counts.add(rng)
        else:
            ws.add_data_validation(_prompt_for(f, rng))


def _prompt_for(f: Field, rng: str) -> DataValidation:
    """Text cells take anything; they only say what is wanted (titles are capped at 32 chars)."""
    prompt = PHONE_PROMPT if f.type == "phone" else f"请填写{f.label}"
    dv = DataValidation(showInputMessage=True, promptTitle=f.label[:32], prompt=prompt[:255])
    dv.add(rng)
    return dv


def _set_page(ws: Worksheet, layout: Layout) -> None:
    """One A4 portrait page, centred, with small margins: what the bureau files on paper."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5, header=0.2, footer=0.2)
    ws.print_area = f"A1:{col_letter(layout.n_cols)}{layout.last_row}"
    ws.sheet_view.showGridLines = False


def _protect(ws: Worksheet) -> None:
    """Protect without a password: guards the layout, lets a school widen columns or rows."""
    p = ws.protection
    p.sheet = True
    p.formatColumns = False
    p.formatRows = False
    p.selectLockedCells = False
    p.selectUnlockedCells = False


# ================================================================================================
# Row heights
# ================================================================================================


def _display_units(text: str) -> float:
    """Width in Excel column units at 11 pt: a Chinese character takes about two."""
    return sum(2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in text)


def _text_height(text: str, width: float, size: int, max_lines: int = 99) -> float:
    """Points needed to show ``text`` wrapped in ``width`` column units."""
    capacity = max(width - 1.5, 2.0) * BODY_SIZE / size
    lines = sum(max(1, math.ceil(_display_units(p) / capacity)) for p in text.split("\n"))
    return min(lines, max_lines) * size * 1.4 + 6


def _fit_rows(ws: Worksheet, form: Form, layout: Layout, district: str, values: Mapping[str, Any]) -> None:
    """Heights that show wrapped Chinese labels whole: Excel does not grow rows of merged cells."""
    spans = {}
    for rng in layout.merges:
        first, _, last = rng.partition(":")
        spans[first] = (*split_coord(first), *split_coord(last))
    contents: list[tuple[str, str, int, int]] = []  # cell, text, font size, max lines
    for t in layout.texts:
        font, alignment = _TEXT_STYLE.get(t.kind, (_BODY, _LEFT))
        text = form.title(district) if t.kind == "title" else t.text
        contents.append((t.cell, text, int(font.size), 99 if alignment.wrap_text else 1))
    for field_id, value in values.items():
        contents.append((layout.cells[field_id], str(value), BODY_SIZE, 99))
    hints: dict[str, list[str]] = {}
    for rule in live_rules(form):
        hints.setdefault(rule.check_cell, []).append(rule.rule.hint + "；")
    for cell, texts in hints.items():
        contents.append((cell, "".join(dict.fromkeys(texts)), int(_CHECK.size), _CHECK_LINES))

    heights = {r: _min_height(layout, r) for r in range(1, layout.last_row + 1)}
    tall = []
    for ref, text, size, max_lines in contents:
        r1, c1, r2, c2 = spans.get(ref, (*split_coord(ref), *split_coord(ref)))
        width = sum(form.widths[c - 1] if c <= len(form.widths) else 9 for c in range(c1, c2 + 1))
        need = _text_height(text, width, size, max_lines)
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
# Live checks
# ================================================================================================


@dataclass(frozen=True)
class LiveRule:
    """A hinted rule as the template checks it: where its hint shows and its Excel condition."""

    rule: RuleSpec
    fields: tuple[str, ...]
    check_cell: str  # the live-check cell of the row of the rule's first field
    condition: str  # Excel boolean expression (no leading "="), TRUE when the rule holds


def _absolute(ref: str) -> str:
    row, col = split_coord(ref)
    return f"${col_letter(col)}${row}"


def _excel_ref(form: Form, layout: Layout, field_id: str) -> str:
    """A field's cell in a formula. Counts are read as ``cell+0``: text there becomes an error
    (which the checks treat as 'not a number yet'), where Excel would otherwise compare text as
    larger than any number and show a misleading hint. Blank still counts as 0, as in the engine."""
    ref = _absolute(layout.cells[field_id])
    return f"({ref}+0)" if form.field(field_id).is_count else ref


@cache
def live_rules(form: Form) -> tuple[LiveRule, ...]:
    """Every rule with a hint, translated. A hinted rule that cannot be checked in the workbook
    is a mistake in the declaration (the hint promises a live check), so it raises ``FormError``."""
    layout = layout_of(form)
    out = []
    for rule in form.rules:
        if not rule.hint:
            continue
        try:
            compiled = compile_expr(rule.check, form.has_field, _CONTEXT_NAMES)
            condition = to_excel(rule.check, lambda fid: _excel_ref(form, layout, fid))
        except ExprError as exc:
            raise FormError(f"{form.source}: rule {rule.id} has a hint but no live check: {exc}") from None
        if not compiled.fields:
            raise FormError(f"{form.source}: rule {rule.id} has a hint but uses no field")
        row = form.field(compiled.fields[0]).row
        if row not in layout.check_cells:
            raise FormError(f"{form.source}: rule {rule.id} has a hint but row {row!r} has no check cell")
        out.append(LiveRule(rule, compiled.fields, layout.check_cells[row], condition))
    return tuple(out)


def _xl_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _number_guard(refs: list[str]) -> str:
    """'' while every count of the row is a whole number >= 0 (blank is 0), else the fix-it hint.
    Whole, as the engine wants: a pasted 1.5 gets past data validation and the engine refuses it."""
    tests = ",".join(f"{ref}+0>=0,INT({ref}+0)={ref}+0" for ref in refs)
    return f'IF(IFERROR(AND({tests}),FALSE),"",{_xl_string(NOT_A_NUMBER)})'


def _hint_term(hint: str, conditions: list[str]) -> str:
    """'' while the rules hold, else the hint. A rule over a cell that is not a number yet is
    skipped (IFERROR -> TRUE), as the engine skips a rule over an unreadable value; the number
    guard of that cell's own row says what to fix. Rules sharing a hint show it once."""
    held = [f"IFERROR({c},TRUE)" for c in conditions]
    test = held[0] if len(held) == 1 else f"AND({','.join(held)})"
    return f'IF({test},"",{_xl_string(hint + "；")})'


def live_checks(form: Form) -> dict[str, str]:
    """Check cell -> its formula (with the leading "="), for every row that checks something.

    A row's formula is empty text while all is well. It starts with a guard on the row's own
    counts ("请填写0或正整数；"), then one term per distinct hint of the rules whose first field
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
        counts = [_absolute(layout.cells[f.id]) for f in form.count_fields if f.row == row_id]
        terms = [_number_guard(counts)] if counts else []
        terms += [_hint_term(hint, conds) for hint, conds in by_cell.get(cell, {}).items()]
        if terms:
            out[cell] = "=" + "&".join(terms)
    return out


def summary_formula(form: Form) -> str:
    """The line under the table: all clear, or how many rows need a look."""
    n = "+".join(f"IF(LEN({_absolute(c)})>0,1,0)" for c in live_checks(form))
    problems = SUMMARY_PROBLEMS.format(n="{n}", column=form.check_label)
    before, _, after = problems.partition("{n}")
    return f"=IF(({n})=0,{_xl_string(SUMMARY_OK)},{_xl_string(before)}&({n})&{_xl_string(after)})"


def _add_live_checks(ws: Worksheet, form: Form, layout: Layout) -> None:
    """Formulas in the check column, red fill on the cells of a failing rule, and the summary."""
    for cell, formula in live_checks(form).items():
        ws[cell].value = formula
    for ref in layout.check_cells.values():
        ws[ref].font, ws[ref].alignment = _CHECK, _LEFT
    for rule in live_rules(form):
        ranges = " ".join(_field_ranges(layout, fid) for fid in rule.fields)
        ws.conditional_formatting.add(
            ranges, FormulaRule(formula=[f"NOT(IFERROR({rule.condition},TRUE))"], fill=_RED_FILL)
        )
    for f in form.count_fields:  # text, a negative or a fraction in a count cell (as the guard)
        ref = _absolute(layout.cells[f.id])
        red = f"IFERROR(OR({ref}+0<0,INT({ref}+0)<>{ref}+0),TRUE)"
        ws.conditional_formatting.add(_field_ranges(layout, f.id), FormulaRule(formula=[red], fill=_RED_FILL))
    summary = ws[layout.summary_cell]
    summary.value = summary_formula(form)
    summary.font, summary.alignment = _SUMMARY, _PLAIN


# ================================================================================================
# Metadata sheet
# ================================================================================================


def _write_meta(wb: Workbook, form: Form, layout: Layout, district: str, meta: Mapping[str, str]) -> None:
    """Key/value rows, all text, on a sheet only code can see (veryHidden: not in Unhide)."""
    rows = {"form_id": form.id, "form_version": form.version, "layout": layout.fingerprint, "district": district}
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


# ================================================================================================
# Fast per-school copies
# ================================================================================================

_OPEN, _CLOSE = "⟦", "⟧"
# openpyxl writes every string inline in the worksheet part: <c r=".." s=".." t="inlineStr"><is><t>…</t></is></c>.
# A placeholder is always a cell's whole text, so the whole cell can be rewritten as openpyxl
# itself would have written the value (an empty value is an empty cell, not an empty string).
_PLACEHOLDER_CELL = re.compile(
    rf'(<c [^>]*?t="inlineStr")><is><t>{_OPEN}(\w+){_CLOSE}</t></is></c>'.encode()
)


def placeholder(key: str) -> str:
    return f"{_OPEN}{key}{_CLOSE}"


def template_bytes(
    form: Form,
    *,
    district: str = "曾都区",
    meta_keys: Iterable[str] = SCHOOL_KEYS,
    meta: Mapping[str, str] | None = None,
    unit_key: str = "school_name",
) -> bytes:
    """The template as .xlsx bytes, with a placeholder for each of ``meta_keys``.

    The metadata sheet holds ``meta`` (fixed for the collection; ``kind`` defaults to "template")
    then one placeholder per key; 填报单位 holds the ``unit_key`` placeholder. Give the result to
    ``personalise`` once per school. Equivalent to ``build_template(form, district=district,
    meta={"kind": "template", **meta, **fields}, unit=fields[unit_key])``.
    """
    keys = list(meta_keys)
    fixed = {"kind": "template", **(meta or {})}
    clash = sorted(fixed.keys() & set(keys))
    if clash:
        raise ValueError(f"keys are both fixed and per school: {clash}")
    wb = build_template(
        form,
        district=district,
        meta={**fixed, **{k: placeholder(k) for k in keys}},
        unit=placeholder(unit_key) if unit_key in keys else "",
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@dataclass(frozen=True)
class _Parts:
    base: bytes  # a complete zip of every member without placeholders, compressed once
    patchable: tuple[tuple[zipfile.ZipInfo, bytes], ...]  # members with placeholders, uncompressed
    keys: frozenset[str]


@lru_cache(maxsize=4)
def _parts(template: bytes) -> _Parts:
    """Split the template once: the members that never change, and the ones to patch."""
    base = io.BytesIO()
    patchable, keys = [], set()
    with zipfile.ZipFile(io.BytesIO(template)) as src, zipfile.ZipFile(base, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if _OPEN.encode() in data:
                found = {m.group(2).decode() for m in _PLACEHOLDER_CELL.finditer(data)}
                if data.count(_OPEN.encode()) != len(_PLACEHOLDER_CELL.findall(data)):
                    raise ValueError(f"{info.filename}: a placeholder is not a whole cell's text")
                keys |= found
                patchable.append((info, data))
            else:
                dst.writestr(info, data, compress_type=info.compress_type)
    return _Parts(base.getvalue(), tuple(patchable), frozenset(keys))


def _xml_cell(head: bytes, value: Any) -> bytes:
    """The cell as openpyxl writes it for this text (cleaned and XML-escaped)."""
    text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
    if not text:
        return head + b"/>"
    space = ' xml:space="preserve"' if text != text.strip() else ""
    body = escape(text, {'"': "&quot;", "'": "&apos;"})
    return head + f"><is><t{space}>{body}</t></is></c>".encode()


def personalise(template: bytes, fields: Mapping[str, Any]) -> bytes:
    """One school's copy: ``template`` (from ``template_bytes``) with its placeholders filled.

    Only the members holding placeholders are rewritten; every other member is copied as it was
    compressed in the template, so a copy costs about a millisecond. ``fields`` must give exactly
    the template's keys: a forgotten key would otherwise issue a workbook showing "⟦school_id⟧".
    """
    parts = _parts(template)
    missing, unknown = parts.keys - fields.keys(), fields.keys() - parts.keys
    if missing or unknown:
        raise ValueError(f"personalise: missing {sorted(missing)}, unknown {sorted(unknown)}")
    out = io.BytesIO(parts.base)
    with zipfile.ZipFile(out, "a") as zf:
        for info, data in parts.patchable:
            patched = _PLACEHOLDER_CELL.sub(lambda m: _xml_cell(m.group(1), fields[m.group(2).decode()]), data)
            fresh = zipfile.ZipInfo(info.filename, info.date_time)
            fresh.external_attr = info.external_attr
            zf.writestr(fresh, patched, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    return out.getvalue()
