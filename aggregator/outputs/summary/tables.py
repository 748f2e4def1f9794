"""The summary's tables of schools: 分校明细 (every field), 分单位小计 (by parent unit),
报送情况 (every roster school) and 校验问题 (every finding).

A province has 10,000 schools: the sheets with a row per school get only their header rows from
openpyxl, and their body rows are streamed into the saved file by ``bulk_rows``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping, Sequence

from openpyxl.worksheet.worksheet import Worksheet

from ...findings import ERROR, INFO, WARNING
from ...collection.intake import display_name
from ...collection.status import STATE_LABELS, SchoolState
from ...form.declaration import Field, Form
from ...form.layout import col_letter
from ...messages import render, rule_name
from ..bulk_rows import Formula, SheetRows, Styles
from ..xlstyle import RED, TOTAL_GREY, WRAP_TOP, display_width, fill, font, print_wide, set_widths
from .cells import BOLD, head, header_row, parent, put, row_styles, styled, table_end, when, whole_district, yes
from .figures import summary_values
from .plan import ACCEPTED, Plan

LEVEL_LABELS = {ERROR: "错误", WARNING: "提示", INFO: "信息"}
REVIEW_LEVEL = "待确认"  # not a finding: why the clerk must decide whose return it is
_TOTAL = fill(TOTAL_GREY)


@dataclass(frozen=True)
class FieldColumn:
    """One value column: its two header lines and the field it shows."""

    key: str  # columns with the same key share a merged first header line
    group: str  # first header line: the row label
    label: str  # second header line: the column label ("" merges the two lines)
    field: Field
    width: float


def field_columns(form: Form, fields: Iterable[Field]) -> list[FieldColumn]:
    sections = {s.id: s for s in form.sections}
    out = []
    for f in fields:
        section = sections.get(f.section)
        if section is not None and section.has_table:
            out.append(FieldColumn(f.row, f.label, f.column_label, f, 9 if f.numeric else 12 if f.choices else 24))
        elif section is not None and section.kind == "lines":
            label = next(r.label for r in section.rows if r.id == f.id)
            out.append(FieldColumn(section.id, section.label, label, f, 28))
        else:
            out.append(FieldColumn(f.id, f.label, "", f, 9 if f.numeric else 12 if f.type == "date" else 14))
    return out


def two_line_header(ws: Worksheet, fixed: Sequence[str], columns: Sequence[FieldColumn]) -> None:
    """Row 1: fixed labels (merged down) and row labels (merged across); row 2: column labels."""
    for i, label in enumerate(fixed, start=1):
        head(put(ws, 1, i, label))
        head(ws.cell(2, i))
        ws.merge_cells(start_row=1, start_column=i, end_row=2, end_column=i)
    start = len(fixed) + 1
    i = 0
    while i < len(columns):
        j = i
        while j + 1 < len(columns) and columns[j + 1].key == columns[i].key and columns[i].label:
            j += 1
        c1, c2 = start + i, start + j
        head(put(ws, 1, c1, columns[i].group))
        for k in range(i, j + 1):
            cell = ws.cell(2, start + k)
            if columns[k].label:
                put(ws, 2, start + k, columns[k].label)
            head(cell)
        if not columns[i].label:
            ws.merge_cells(start_row=1, start_column=c1, end_row=2, end_column=c1)
        elif c2 > c1:
            ws.merge_cells(start_row=1, start_column=c1, end_row=1, end_column=c2)
        i = j + 1
    ws.row_dimensions[1].height = 58
    ws.row_dimensions[2].height = 30


DETAIL_FIXED = ("序号", "学校名称", "学段", "所属单位", "状态", "报送时间", "是否逾期")


def write_detail(ws: Worksheet, plan: Plan, styles: Styles, leave_out: Iterable[str] = ()) -> SheetRows:
    """One row per included school with every field (but ``leave_out``), then the total row."""
    dropped = set(leave_out)
    columns = field_columns(plan.form, [f for f in plan.form.fields if f.id not in dropped])
    two_line_header(ws, DETAIL_FIXED, columns)
    n_fixed, n_cols = len(DETAIL_FIXED), len(DETAIL_FIXED) + len(columns)
    last = 2 + len(plan.included)
    look = row_styles(styles)
    total = styles.id(font=BOLD, fill=_TOTAL)

    def rows() -> Iterator[list[tuple[Any, int]]]:
        for seq, state in enumerate(plan.included, start=1):
            cur = state.current
            fixed = (seq, state.school.name, state.school.stage, state.school.parent,
                     STATE_LABELS[state.status], when(cur.received_at), yes(state.late))
            yield [styled(v, look[state.status]) for v in (*fixed, *(cur.values.get(c.field.id) for c in columns))]
        sums = [(column_sum(n_fixed + i, 3, last, plan.totals[c.field.id]) if c.field.summary == "sum" else None,
                 total) for i, c in enumerate(columns, start=1)]
        yield [(None, total), ("合计", total)] + [(None, total)] * (n_fixed - 2) + sums

    widths = (6, 26, fit_width(8, (s.school.stage for s in plan.states)), 16, 12, 16, 8, *(c.width for c in columns))
    set_widths(ws, widths)
    table_end(ws, n_cols, 2, last, "C3")
    print_wide(ws, widths, title_cols=2, title_rows="1:2", groups=group_starts(n_fixed, columns, first=3))
    return SheetRows(ws.title, 3, last + 1, n_cols, rows(), styles.quoted)


def detail_totals(plan: Plan, sheet: str, leave_out: Iterable[str] = ()) -> dict[str, str]:
    """Field id -> its 合计 on the detail sheet ``write_detail`` writes (its last row), for every
    summed field: the form refers there, so a correction in the detail reaches the form."""
    dropped = set(leave_out)
    columns = field_columns(plan.form, [f for f in plan.form.fields if f.id not in dropped])
    row = 3 + len(plan.included)
    quoted = "'" + sheet.replace("'", "''") + "'"
    return {c.field.id: f"{quoted}!{col_letter(len(DETAIL_FIXED) + i)}{row}"
            for i, c in enumerate(columns, start=1) if c.field.summary == "sum"}


def column_sum(col: int, first: int, last: int, cached: Any) -> Formula:
    """=SUM over a column's body rows, with its value now: a 合计 row the clerk can trust after
    editing a school's figure, that readers which do not calculate still show."""
    letter = col_letter(col)
    return Formula(f"SUM({letter}{first}:{letter}{max(last, first)})", cached)


def fit_width(least: float, texts: Iterable[str]) -> float:
    """A column wide enough for its longest text (九年一贯制 must not spill into the next column)."""
    return max([least] + [display_width(t) + 2 for t in texts if t])


def group_starts(n_fixed: int, columns: Sequence[FieldColumn], first: int) -> list[int]:
    """The first column of each group a printed page should keep whole: the fixed columns from
    ``first``, then each row's (or section's) columns."""
    starts = [first]
    for i, c in enumerate(columns):
        if i == 0 or c.key != columns[i - 1].key:
            starts.append(n_fixed + 1 + i)
    return starts


SUBTOTAL_FIXED = ("序号", "所属单位", "应报学校数", "已汇总学校数")
SUBTOTAL_DRAFT = "其中未通过校验"


def write_subtotals(ws: Worksheet, plan: Plan) -> dict[str, Any]:
    """Per parent unit: schools expected and summed, every summed field; then the district total
    as SUM formulas. Returns the formulas' present values by cell (``bulk_rows.fill_cached``)."""
    form = plan.form
    columns = field_columns(form, form.fields_summed("sum"))
    fixed = SUBTOTAL_FIXED + ((SUBTOTAL_DRAFT,) if plan.draft else ())
    two_line_header(ws, fixed, columns)
    groups: dict[str, list[SchoolState]] = {}  # in roster order of first appearance
    for state in plan.states:
        groups.setdefault(parent(state), []).append(state)
    included = {id(s) for s in plan.included}
    row = 2
    for seq, (unit, members) in enumerate(groups.items(), start=1):
        row += 1
        summed = [s for s in members if id(s) in included]
        sums = summary_values(form, [s.current.values for s in summed])
        counts = [seq, unit, len(members), len(summed)]
        if plan.draft:
            counts.append(sum(1 for s in summed if s.status not in ACCEPTED))
        _subtotal_row(ws, row, counts, columns, sums)
    last = row
    row += 1
    counts = ["", whole_district(plan.district), len(plan.states), len(plan.included)]
    if plan.draft:
        counts.append(sum(1 for s in plan.included if s.status not in ACCEPTED))
    cached: dict[str, Any] = {}
    sums = {}
    for i, col in enumerate(columns, start=len(fixed) + 1):
        formula = column_sum(i, 3, last, plan.totals[col.field.id])
        sums[col.field.id] = "=" + formula.text
        cached[f"{col_letter(i)}{row}"] = formula.cached
    for i in range(3, len(fixed) + 1):  # the counts of schools add up too
        letter = col_letter(i)
        cached[f"{letter}{row}"] = counts[i - 1]
        counts[i - 1] = f"=SUM({letter}3:{letter}{max(last, 3)})"
    _subtotal_row(ws, row, counts, columns, sums)
    for c in range(1, len(fixed) + len(columns) + 1):
        cell = ws.cell(row, c)
        cell.font, cell.fill = BOLD, _TOTAL
    widths = (6, 24, 8, 8, *((8,) if plan.draft else ()), *(c.width for c in columns))
    set_widths(ws, widths)
    table_end(ws, len(fixed) + len(columns), 2, last, "C3")
    print_wide(ws, widths, title_cols=2, title_rows="1:2", groups=group_starts(len(fixed), columns, first=3))
    return cached


def _subtotal_row(ws: Worksheet, row: int, fixed: Sequence[Any], columns: Sequence[FieldColumn],
                  sums: Mapping[str, Any]) -> None:
    """Our own "=SUM(...)" strings become formulas; every other value goes in as ``put`` does."""
    for i, value in enumerate(fixed, start=1):
        _ours(ws, row, i, value if value != "" else None)
    for i, col in enumerate(columns, start=len(fixed) + 1):
        _ours(ws, row, i, sums[col.field.id])


def _ours(ws: Worksheet, row: int, col: int, value: Any) -> None:
    if isinstance(value, str) and value.startswith("=SUM("):
        ws.cell(row, col).value = value  # a formula we wrote, never a school's text
    else:
        put(ws, row, col, value)


RETURNS_HEAD = ("序号", "学校", "学段", "所属单位", "状态", "计入汇总", "是否逾期", "报送时间", "版本", "文件",
                "联系人", "联系电话", "邮箱", "校验问题摘要", "区教育局处理")
OVERDUE_MISSING = "是（未报）"


def write_returns(ws: Worksheet, plan: Plan, styles: Styles) -> SheetRows:
    """Every roster school: where it stands, whom to call, and the first thing to fix."""
    header_row(ws, RETURNS_HEAD)
    included = {id(s) for s in plan.included}
    look = row_styles(styles)
    last = 1 + len(plan.states)

    def rows() -> Iterator[list[tuple[Any, int]]]:
        for seq, state in enumerate(plan.states, start=1):
            s, cur = state.school, state.current
            late = yes(state.late) if cur else (OVERDUE_MISSING if plan.overdue and state.status == "missing" else "")
            values = (
                seq, s.name, s.stage, s.parent, STATE_LABELS[state.status], yes(id(state) in included),
                late, when(cur.received_at) if cur else None,
                state.versions or None, display_name(cur.original_name) if cur else "", s.contact, s.phone,
                s.email,
            )
            wrap = look[state.status][2]
            yield [styled(v, look[state.status]) for v in values] + [(first_problem(state), wrap),
                                                                      (decided(state), wrap)]

    widths = (6, 26, fit_width(8, (st.school.stage for st in plan.states)), 16, 14, 8, 10, 16, 6, 24, 10, 14, 22,
              60, 40)
    set_widths(ws, widths)
    table_end(ws, len(RETURNS_HEAD), 1, last, "C2")
    print_wide(ws, widths, title_cols=2, title_rows="1:1", groups=(3, 8, 11, 14))
    return SheetRows(ws.title, 2, last, len(RETURNS_HEAD), rows(), styles.quoted)


def first_problem(state: SchoolState) -> str:
    """The one line a clerk reads first: why it waits, else its first error, else its first hint."""
    cur = state.current
    if cur is None:
        return ""
    if cur.review:
        return f"待确认：{render(cur.review)}"
    for level, prefix in ((ERROR, ""), (WARNING, "提示：")):
        for f in state.findings:
            if f.level == level:
                return prefix + f.message
    return ""


def decided(state: SchoolState) -> str:
    """The clerk's decisions about the school: what, why, when and by whom."""
    return "；".join(f"{d.label}{'（' + rule_name(d.rule, state.form) + '）' if d.rule else ''}："
                    f"{d.note or '无说明'}（{d.at[:10]} {d.by}）" for d in state.decisions)


FINDINGS_HEAD = ("学校", "状态", "级别", "规则", "单元格", "说明")


def write_findings(ws: Worksheet, plan: Plan, styles: Styles) -> SheetRows:
    """Every finding of every school, summed or not: the clerk's full list of what to chase.

    A return waiting for the clerk also gets a line with the reason, which is not a finding."""
    header_row(ws, FINDINGS_HEAD)
    plain, wrap, red = styles.id(), styles.id(alignment=WRAP_TOP), styles.id(font=font(color=RED))
    n = 0
    for state in plan.states:
        n += len(state.findings) + (1 if state.current is not None and state.current.review else 0)

    def rows() -> Iterator[list[tuple[Any, int]]]:
        for state in plan.states:
            label = STATE_LABELS[state.status]
            lines = [(LEVEL_LABELS.get(f.level, f.level), rule_name(f.rule, plan.form), "、".join(f.cells), f.message)
                     for f in state.findings]
            if state.current is not None and state.current.review:
                lines.insert(0, (REVIEW_LEVEL, "", "", render(state.current.review)))
            for level, rule, cells, message in lines:
                alert = red if level in (LEVEL_LABELS[ERROR], REVIEW_LEVEL) else plain
                yield [(state.school.name, plain), (label, plain), (level, alert), (rule, plain), (cells, plain),
                       (message, wrap)]

    widths = (26, 14, 6, 24, 14, 90)
    set_widths(ws, widths)
    table_end(ws, len(FINDINGS_HEAD), 1, 1 + n, "B2")
    print_wide(ws, widths, title_cols=1, title_rows="1:1")
    return SheetRows(ws.title, 2, 1 + n, len(FINDINGS_HEAD), rows(), styles.quoted)

