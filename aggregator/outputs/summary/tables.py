"""The summary's tables of schools: 分校明细 (every field), 报送情况 (every roster school) and
校验问题 (every finding); 分单位小计 is ``subtotals``.

A province has 10,000 schools: the sheets with a row per school get only their header rows from
openpyxl, and their body rows are streamed into the saved file by ``bulk_rows``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Sequence

from openpyxl.worksheet.worksheet import Worksheet

from ...findings import ERROR, EXPLAIN, INFO, WARNING, Finding
from ...filenames import display_name
from ...collection.views.status import STATE_LABELS, SchoolState
from ...form.declaration import Field, Form
from ...form.layout import col_letter
from ...messages import render, rule_name
from ..bulk_rows import Formula, SheetRows, Styles
from ..bulk_rows import Tall
from ..xlstyle import (
    GRID, RED, ROW_PT, TOTAL_GREY, WRAP_TOP, display_width, fill, font, print_wide, set_widths, text_height,
    wrapped_height,
)
from .cells import BOLD, head, header_row, put, row_styles, styled, table_end, when, yes
from .plan import Plan

LEVEL_LABELS = {ERROR: "错误", WARNING: "提示", INFO: "信息"}
NUMBER_WIDTH = 6  # a count of up to four digits, and 合计/小学/初中 above it
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
            out.append(FieldColumn(f.row, f.label, f.column_label, f, NUMBER_WIDTH if f.numeric else 12 if f.choices
                                   else 24))
        elif section is not None and section.kind == "lines":
            label = next(r.label for r in section.rows if r.id == f.id)
            out.append(FieldColumn(section.id, section.label, label, f, 28))
        else:
            out.append(FieldColumn(f.id, f.label, "", f, NUMBER_WIDTH if f.numeric else 12 if f.type == "date" else 14))
    return out


def detail_fields(form: Form, leave_out: Iterable[str] = ()) -> list[Field]:
    """The fields 分校明细 shows: all but ``leave_out`` and the lines (主要问题), whose texts have
    a sheet of their own where they can wrap (a row per line): in the detail they would make
    every school's row several lines high and the sheet twice as many pages."""
    dropped = set(leave_out)
    lines = {s.id for s in form.sections if s.kind == "lines"}
    return [f for f in form.fields if f.id not in dropped and f.section not in lines]


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
    widths = [c.width for c in columns]
    groups: dict[str, tuple[str, float]] = {}
    for c in columns:
        text, width = groups.get(c.key, (c.group, 0.0))
        groups[c.key] = (text, width + c.width)
    ws.row_dimensions[1].height = max([30.0] + [text_height(t, w) for t, w in groups.values()])
    ws.row_dimensions[2].height = max([20.0] + [text_height(c.label, w) for c, w in zip(columns, widths) if c.label])


DETAIL_FIXED = ("序号", "学校名称", "学段", "所属单位", "状态", "报送时间", "是否逾期")
_PLAIN = frozenset((int, float, str, bool, type(None)))  # never a date: ``styled`` gives them the plain style


def write_detail(ws: Worksheet, plan: Plan, styles: Styles, leave_out: Iterable[str] = ()) -> SheetRows:
    """One row per included school with its fields (``detail_fields``), then the total row."""
    columns = field_columns(plan.form, detail_fields(plan.form, leave_out))
    two_line_header(ws, DETAIL_FIXED, columns)
    n_fixed, n_cols = len(DETAIL_FIXED), len(DETAIL_FIXED) + len(columns)
    last = 2 + len(plan.included)
    look = row_styles(styles)
    total = styles.id(font=BOLD, fill=_TOTAL, border=GRID)

    ids = [c.field.id for c in columns]

    def rows() -> Iterator[list[tuple[Any, int]]]:
        for seq, state in enumerate(plan.included, start=1):
            cur, kind = state.current, look[state.status]
            fixed = (seq, state.school.name, state.school.stage, state.school.parent,
                     STATE_LABELS[state.status], when(cur.received_at), yes(state.late))
            values, plain = cur.values, kind[0]  # the values once a row: each read goes through the submission
            # a number or a text has the plain style (``styled``), asked for half a million times at 10,000 schools
            yield [styled(v, kind) for v in fixed] + [(v, plain) if type(v) in _PLAIN else styled(v, kind)
                                                      for v in map(values.get, ids)]
        sums = [(column_sum(n_fixed + i, 3, last, plan.totals[c.field.id]) if c.field.summary == "sum" else None,
                 total) for i, c in enumerate(columns, start=1)]
        yield [(None, total), ("合计", total)] + [(None, total)] * (n_fixed - 2) + sums

    widths = (5, fit_width(16, (s.school.name for s in plan.included), 26),
              fit_width(6, (s.school.stage for s in plan.states)),
              fit_width(10, (s.school.parent for s in plan.included), 16), 14, 11, 5, *(c.width for c in columns))
    set_widths(ws, widths)
    table_end(ws, n_cols, 2, last, "C3")
    print_wide(ws, widths, title_cols=2, title_rows="1:2", groups=group_starts(n_fixed, columns, first=3),
               body=[ROW_PT] * (len(plan.included) + 1))
    return SheetRows(ws.title, 3, last + 1, n_cols, rows(), styles.quoted)


def detail_totals(plan: Plan, sheet: str, leave_out: Iterable[str] = ()) -> dict[str, str]:
    """Field id -> its 合计 on the detail sheet ``write_detail`` writes (its last row), for every
    summed field: the form refers there, so a correction in the detail reaches the form."""
    columns = field_columns(plan.form, detail_fields(plan.form, leave_out))
    row = 3 + len(plan.included)
    quoted = "'" + sheet.replace("'", "''") + "'"
    return {c.field.id: f"{quoted}!{col_letter(len(DETAIL_FIXED) + i)}{row}"
            for i, c in enumerate(columns, start=1) if c.field.summary == "sum"}


def column_sum(col: int, first: int, last: int, cached: Any) -> Formula:
    """=SUM over a column's body rows, with its value now: a 合计 row the clerk can trust after
    editing a school's figure, that readers which do not calculate still show."""
    letter = col_letter(col)
    return Formula(f"SUM({letter}{first}:{letter}{max(last, first)})", cached)


def fit_width(least: float, texts: Iterable[str], most: float = 40) -> float:
    """A column wide enough for its longest text (九年一贯制 must not spill into the next column),
    up to ``most`` (longer texts wrap)."""
    return min(most, max([least] + [display_width(t) / 0.9 + 2 for t in texts if t]))  # as ``wrapped_height`` counts


def group_starts(n_fixed: int, columns: Sequence[FieldColumn], first: int) -> list[int]:
    """The first column of each group a printed page should keep whole: the fixed columns from
    ``first``, then each row's (or section's) columns."""
    starts = [first]
    for i, c in enumerate(columns):
        if i == 0 or c.key != columns[i - 1].key:
            starts.append(n_fixed + 1 + i)
    return starts


RETURNS_HEAD = ("序号", "学校", "学段", "所属单位", "状态", "计入汇总", "是否逾期", "报送时间", "联系人", "联系电话",
                "校验问题摘要", "区教育局处理", "版本", "文件", "邮箱")
RETURNS_PRINTED = 12  # 版本, 文件 and 邮箱 are for the screen: the printed list is for calling schools
OVERDUE_MISSING = "是（未报）"


def write_returns(ws: Worksheet, plan: Plan, styles: Styles) -> SheetRows:
    """Every roster school: where it stands, whom to call, and the first thing to fix."""
    header_row(ws, RETURNS_HEAD)
    included = {id(s) for s in plan.included}
    look = row_styles(styles)
    last = 1 + len(plan.states)
    # The printed columns (``RETURNS_PRINTED``) fit one page across at about 60 %: 40 schools print
    # on two pages, the longer texts wrapped (the whole of each finding is on 校验问题).
    widths = (4, fit_width(12, (st.school.name for st in plan.states), 22),
              fit_width(6, (st.school.stage for st in plan.states), 13),
              fit_width(8, (st.school.parent for st in plan.states), 18), 14, 5, 5, 11, 6, 12.5, 22, 22, 5, 24, 22)
    wrapped = (1, 3, 10, 11, 13, 14)  # 学校, 所属单位, 校验问题摘要, 区教育局处理, 文件, 邮箱 (0-based)
    table = []
    for seq, state in enumerate(plan.states, start=1):
        s, cur = state.school, state.current
        late = yes(state.late) if cur else (OVERDUE_MISSING if plan.overdue and state.status == "missing" else "")
        values = (
            seq, s.name, s.stage, s.parent, STATE_LABELS[state.status], yes(id(state) in included),
            late, when(cur.received_at) if cur else None, s.contact, s.phone, first_problem(state), decided(state),
            state.versions or None, display_name(cur.original_name) if cur else "", s.email,
        )
        height = wrapped_height([(values[i], widths[i]) for i in wrapped if i < RETURNS_PRINTED])
        table.append((state, values, height))

    def rows() -> Iterator[list[tuple[Any, int]]]:
        for state, values, height in table:
            wrap = look[state.status][2]
            yield Tall([(v, wrap) if i in wrapped else styled(v, look[state.status]) for i, v in enumerate(values)],
                       height)

    set_widths(ws, widths)
    fit_head(ws, 1, RETURNS_HEAD, widths)
    table_end(ws, len(RETURNS_HEAD), 1, last, "C2")
    print_wide(ws, widths[:RETURNS_PRINTED], title_cols=2, title_rows="1:1", groups=(3, 9, 11),
               body=[h for *_, h in table])
    ws.print_area = f"A1:{col_letter(RETURNS_PRINTED)}{last}"
    return SheetRows(ws.title, 2, last, len(RETURNS_HEAD), rows(), styles.quoted)


def fit_head(ws: Worksheet, row: int, labels: Sequence[str], widths: Sequence[float]) -> None:
    """A header row tall enough for its labels wrapped in their columns."""
    ws.row_dimensions[row].height = wrapped_height(list(zip(labels, widths)), least=20)


def first_problem(state: SchoolState) -> str:
    """What a clerk reads first, in a few words: why it waits, else its errors, else what it must
    explain, else its hints, else what it explained,
    each by the rule's name and its cells ("错误：合计=小学+初中（C8）"); the whole of each is on
    the 校验问题 sheet."""
    cur = state.current
    if cur is None:
        return ""
    if cur.review:
        return f"待确认：{render(cur.review)}"
    for level, prefix in (("错误", "错误："), ("须说明", "须说明："), ("提示", "提示："), ("已说明", "已说明：")):
        named: dict[str, list[str]] = {}
        for f in state.findings:
            if level_label(f) == level:
                named.setdefault(rule_name(f.rule, state.form), []).extend(f.cells[:1])
        if named:
            return prefix + "；".join(f"{name}（{'、'.join(dict.fromkeys(cells))}）" if cells else name
                                      for name, cells in named.items())
    return ""


def decided(state: SchoolState) -> str:
    """The clerk's decisions about the school: what, why, when and by whom."""
    return "；".join(f"{d.label}{'（' + rule_name(d.rule, state.form) + '）' if d.rule else ''}："
                    f"{d.note or '无说明'}（{d.at[:10]} {d.by}）" for d in state.decisions)


FINDINGS_HEAD = ("学校（状态）", "级别", "规则", "单元格", "问题", "说明")


def level_label(f: Finding) -> str:
    """错误, 提示, 须说明 (an explain finding nobody explained), 已说明."""
    if f.level == EXPLAIN:
        return "已说明" if f.explained else "须说明"
    return LEVEL_LABELS.get(f.level, f.level)


def explanation_of(f: Finding) -> str:
    """The 说明 column: an explain finding's explanation and whose ("学校：…", "区教育局：…")."""
    if f.level != EXPLAIN or not f.explanation:
        return ""
    return f"{'区教育局' if f.explained_by == 'clerk' else '学校'}：{f.explanation}"


def write_findings(ws: Worksheet, plan: Plan, styles: Styles) -> SheetRows:
    """Every finding of every school, summed or not: the clerk's full list of what to chase, each
    with its 说明 (what the school wrote on its 情况说明 sheet, or the clerk's note): the working
    summary's alone, the upward version has no finding at all.

    A return waiting for the clerk also gets a line with the reason, which is not a finding."""
    header_row(ws, FINDINGS_HEAD)
    grid = {"border": GRID}
    plain, wrap = styles.id(**grid), styles.id(alignment=WRAP_TOP, **grid)
    red = styles.id(font=font(color=RED), **grid)
    # The school's state under its name (as 报送情况 shows it): the width goes to the finding and its 说明.
    widths = (fit_width(14, (s.school.name for s in plan.states), 24), 6, 16, 10, 68, 24)
    table = []
    for state in plan.states:
        label = f"{state.school.name}\n（{STATE_LABELS[state.status]}）"
        lines = [(level_label(f), rule_name(f.rule, plan.form), "、".join(f.cells), f.message, explanation_of(f))
                 for f in state.findings]
        if state.current is not None and state.current.review:
            lines.insert(0, (REVIEW_LEVEL, "", "", render(state.current.review), ""))
        for level, rule, cells, message, said in lines:
            height = wrapped_height([(rule, widths[2]), (cells, widths[3]), (message, widths[4]), (said, widths[5]),
                                     (label, widths[0])])
            table.append((label, level, rule, cells, message, said, height))

    def rows() -> Iterator[list[tuple[Any, int]]]:
        for label, level, rule, cells, message, said, height in table:
            alert = red if level in (LEVEL_LABELS[ERROR], REVIEW_LEVEL, "须说明") else plain
            yield Tall([(label, wrap), (level, alert), (rule, wrap), (cells, wrap), (message, wrap), (said, wrap)],
                       height)

    set_widths(ws, widths)
    table_end(ws, len(FINDINGS_HEAD), 1, 1 + len(table), "B2")
    print_wide(ws, widths, title_cols=1, title_rows="1:1", body=[row[-1] for row in table])
    return SheetRows(ws.title, 2, 1 + len(table), len(FINDINGS_HEAD), rows(), styles.quoted)
