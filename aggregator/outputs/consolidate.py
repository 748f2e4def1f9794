"""The district summary: the same form with every figure summed, plus what the clerk hands in.

Why it is built this way:

- Its "统计表" sheet is the form itself, drawn by the template builder from the same declaration,
  with the district's totals as its values and the summary's own metadata. The level above
  (city, province) therefore collects district summaries exactly as the district collects school
  returns, and the totals satisfy the same rules: every rule of the form is a sum or an
  inequality between sums, which summing preserves.
- Only accepted returns are summed by default. A clerk who wants a first look at everything can
  ask for ``include="all"``; then every sheet says which figures failed the checks, so a draft is
  never mistaken for the real thing.
- Everything a school typed (names, problems, file names, messages quoting them) is written as
  text through ``set_text``: "=HYPERLINK(...)" in a school name must never become a formula.
- The file is replaced atomically, and never over a copy the clerk has open in Excel or WPS: then
  the summary goes to "…(2).xlsx" and the clerk is told.
- A province has 10,000 schools: the sheets with a row per school (分校明细, 报送情况, 主要问题,
  校验问题) get only their header rows from openpyxl, and their body rows are streamed into the
  saved file by ``bulk_rows``, so no cell object is held per value: the whole summary of 10,000
  schools in 3 s and 100 MB, where openpyxl's cells took 10 s and 400 MB (benchmarks/run.py).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ..atomic import write_atomic
from .bulk_rows import SheetRows, Styles, add_rows
from ..collection.folder import Collection, CollectionError
from ..checks.findings import ERROR, INFO, WARNING, Finding
from ..form.declaration import Field, Form
from ..collection.intake import display_name
from ..form.layout import col_letter, layout_of
from ..progress import Cancel, Job, Progress
from ..collection.status import STATE_LABELS, STATES, SchoolState, overview
from .template import FONT_NAME, META_SHEET, build_template, set_text
from ..checks.validate import check_values

UNIT_FIELD = "unit"  # the header field that names the reporting unit

ACCEPTED = ("accepted", "accepted_with_warnings")
INCLUDE: dict[str, tuple[str, ...]] = {
    "accepted": ACCEPTED,
    "warnings": ACCEPTED,  # the CLI also offers this name; warnings are always included
    "all": ACCEPTED + ("returned", "needs_review"),
}
MAX_COPIES = 20  # 汇总表(2) … (20): beyond that something else is wrong (a read-only folder)

# --- user-facing text (Chinese) -----------------------------------------------------------------
COVER = "汇总说明"
DETAIL = "分校明细"
SUBTOTALS = "分单位小计"
RETURNS = "报送情况"
PROBLEMS = "主要问题"
FINDINGS = "校验问题"
SHEET_NOTES = {
    COVER: "本页：汇总范围、完成情况和报送前要做的事",
    "{form_sheet}": "按原表格式汇总的全区数字，可直接报送上级",
    DETAIL: "每所计入汇总的学校一行，含表中全部项目",
    SUBTOTALS: "按所属单位（中心学校、区直学校等）小计",
    RETURNS: "名单上每所学校的报送状态、联系人和主要问题",
    PROBLEMS: "各校填报的“主要问题”，每条一行",
    FINDINGS: "程序校验发现的全部问题（含未计入汇总的学校）",
}
DRAFT_NOTE = "含未通过校验的学校数据，仅供参考"
DRAFT_FORM_NOTE = "注意：本表含未通过校验的学校数据，仅供参考，不能作为正式汇总报送。"
HAND_IN = "报送上级前请在“统计表”中填写填报人和联系电话"
INCLUDE_TEXT = {
    "accepted": "只汇总已通过校验的学校（含有提示的）",
    "warnings": "只汇总已通过校验的学校（含有提示的）",
    "all": "汇总全部已报送的学校，包括退回修改和待人工确认的学校",
}
LEVEL_LABELS = {ERROR: "错误", WARNING: "提示", INFO: "信息"}
REVIEW_LEVEL = "待确认"  # not a finding: why the clerk must decide whose return it is
NO_PARENT = "未填所属单位"
LOCKED_NOTE = "汇总表 {name} 正在被其他程序打开，本次保存为 {new}"
RENAMED_NOTE = "汇总表只能保存为 .xlsx 文件，已保存为 {new}"

# --- look ---------------------------------------------------------------------------------------
_BOLD = Font(name=FONT_NAME, bold=True)
_TITLE = Font(name=FONT_NAME, size=16, bold=True)
_ALERT = Font(name=FONT_NAME, bold=True, color="FFC00000")
_RED_TEXT = Font(name=FONT_NAME, color="FFC00000")
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(horizontal="left", vertical="top", wrap_text=True)
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill(fill_type="solid", start_color="FFD9E1F2", end_color="FFD9E1F2")
_TOTAL_FILL = PatternFill(fill_type="solid", start_color="FFEDEDED", end_color="FFEDEDED")
STATE_FILLS = {
    "missing": PatternFill(fill_type="solid", start_color="FFFFF2CC", end_color="FFFFF2CC"),  # light yellow
    "returned": PatternFill(fill_type="solid", start_color="FFFFC7CE", end_color="FFFFC7CE"),  # light red
    "needs_review": PatternFill(fill_type="solid", start_color="FFFFD8A8", end_color="FFFFD8A8"),  # orange
}
_DATE_FORMAT = "yyyy-mm-dd hh:mm"


@dataclass
class ConsolidateResult:
    path: Path
    included: int
    expected: int
    notes: list[str] = field(default_factory=list)


# ================================================================================================
# The figures
# ================================================================================================


def summary_values(form: Form, values_list: Sequence[Mapping[str, Any]], *, unit: str = "") -> dict[str, Any]:
    """The district's own return: every count summed, the most reported problems, ``unit`` as 填报单位.

    Pure, so that a summary of summaries can be checked against a summary of all schools: counts
    add up level by level, and a problem line "X（3校）" from a lower summary weighs 3 schools.
    Reporter and phone stay blank: the person handing the summary in fills them.
    """
    out: dict[str, Any] = {}
    for f in form.fields:
        out[f.id] = sum(_count(v.get(f.id)) for v in values_list) if f.is_count else ""
    if form.has_field(UNIT_FIELD):
        out[UNIT_FIELD] = unit
    for section in form.sections:
        if section.kind != "lines":
            continue
        lines = [[v.get(r.id) for r in section.rows] for v in values_list]
        top = top_problems(lines, len(section.rows))
        for row, text in zip(section.rows, top):
            out[row.id] = text
    return out


def _count(value: Any) -> int:
    """A count as summed: a number, or 0 for a blank or a value the reader could not take."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    return int(value) if float(value).is_integer() else value


_SCHOOLS_SUFFIX = re.compile(r"[（(](\d+)校[)）]$")
_TRAILING_PUNCT = "。；;，,.、"


def problem_key(text: Any) -> tuple[str, int]:
    """The comparable form of a problem line and how many schools it stands for.

    Spaces (half or full width) and trailing punctuation are dropped, so "作业公示 不及时。" and
    "作业公示不及时" are one problem; a lower summary's "（3校）" suffix becomes a weight of 3.
    """
    s = re.sub(r"\s+", "", str(text))
    weight = 1
    m = _SCHOOLS_SUFFIX.search(s)
    if m:
        weight, s = max(int(m[1]), 1), s[: m.start()]
    return s.rstrip(_TRAILING_PUNCT), weight


def top_problems(sources: Iterable[Iterable[Any]], n: int) -> list[str]:
    """The ``n`` problems reported by most schools; one school naming a problem twice counts once.

    Ties keep the order in which problems were first reported (roster order), so the result does
    not change from one run to the next.
    """
    counts: dict[str, int] = {}
    for lines in sources:
        mine: dict[str, int] = {}
        for line in lines:
            if line is None:
                continue
            key, weight = problem_key(line)
            if key:
                mine[key] = max(mine.get(key, 0), weight)
        for key, weight in mine.items():
            counts[key] = counts.get(key, 0) + weight
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    return [f"{text}（{k}校）" if k > 1 else text for text, k in ranked[:n]]


# ================================================================================================
# The job
# ================================================================================================


@dataclass(frozen=True)
class Plan:
    """Everything the sheets show, decided before any is written."""

    form: Form
    district: str
    include: str
    deadline: str
    generated: datetime
    states: tuple[SchoolState, ...]  # every roster school
    included: tuple[SchoolState, ...]  # those whose figures are summed
    totals: dict[str, Any]
    summary_findings: tuple[Finding, ...]  # the totals checked against the form's own rules
    unidentified: int
    unreadable: int
    draft: bool  # figures from returns that failed the checks are in: every sheet must say so


def consolidate(
    col: Collection, out: Path | None = None, include: str = "accepted", cancel: Cancel | None = None
) -> Job[ConsolidateResult]:
    """Write the summary workbook; yields one ``Progress`` per roster school, then one per step."""
    if include not in INCLUDE:
        raise CollectionError(f"汇总范围“{include}”无法识别，可选：accepted（只汇总通过的）或 all（全部）")
    form = col.form
    district = col.settings.name or "本级"
    ov = overview(col)
    total = len(ov.schools) + 2
    included = []
    for done, state in enumerate(ov.schools, start=1):
        if cancel:
            cancel.check()
        if state.status in INCLUDE[include] and state.current is not None:
            included.append(state)
        yield Progress(done, total, state.school.name, "汇总")

    totals = summary_values(form, [s.current.values for s in included], unit=district)
    plan = Plan(
        form=form, district=district, include=include, deadline=col.settings.deadline,
        generated=datetime.now().replace(microsecond=0), states=ov.schools, included=tuple(included),
        totals=totals, summary_findings=tuple(check_summary(form, totals)),
        unidentified=len(ov.unidentified), unreadable=len(ov.unreadable),
        draft=any(s.status not in ACCEPTED for s in included),
    )
    yield Progress(total - 1, total, "", "生成汇总表")
    data = summary_bytes(*build_summary(plan, col.settings.id))
    if cancel:
        cancel.check()
    target, notes = _target(out if out is not None else default_path(col, form, draft=plan.draft))
    path, more = save_summary(data, target)
    yield Progress(total, total, path.name, "保存汇总表")
    return ConsolidateResult(path, len(included), len(ov.schools), notes + more + _result_notes(plan))


def check_summary(form: Form, totals: Mapping[str, Any]) -> list[Finding]:
    """The form's rules over the totals, minus the header fields the summary leaves for the clerk."""
    blank = {f.id for f in form.header if not totals.get(f.id)}
    cells = layout_of(form).cells
    return [
        f for f in check_values(form, totals, cells)
        if f.level in (ERROR, WARNING) and not set(f.fields) <= blank
    ]


def _result_notes(plan: Plan) -> list[str]:
    notes = []
    if plan.draft:
        notes.append(f"注意：本次{DRAFT_NOTE}。")
    for f in plan.summary_findings:
        notes.append(f"汇总数字未通过校验：{f.message}")
    return notes


# ================================================================================================
# Where it is saved
# ================================================================================================


def default_path(col: Collection, form: Form, draft: bool = False) -> Path:
    """A fixed name the clerk can find again; a draft with failed returns never takes it."""
    name = _safe_name(f"{col.settings.name}{form.annex}汇总表" + ("（含未通过，仅供参考）" if draft else ""))
    return col.folder("summary") / f"{name}.xlsx"


def _safe_name(name: str) -> str:
    """Characters Windows refuses in a file name become "_"."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip() or "汇总表"


def _target(path: Path) -> tuple[Path, list[str]]:
    """An .xlsx path whose folder exists: Excel refuses an .xlsx saved under another extension."""
    path = Path(path)
    notes = []
    if path.suffix.lower() != ".xlsx":
        path = path.with_name(path.name + ".xlsx")
        notes.append(RENAMED_NOTE.format(new=path.name))
    path.parent.mkdir(parents=True, exist_ok=True)
    return path, notes


def open_elsewhere(path: Path) -> bool:
    """True when Excel, WPS or LibreOffice holds the file open (their lock files sit beside it).

    Excel and WPS write "~$" + the name (Word-style programs drop the first two characters of a
    long name); LibreOffice writes ".~lock.<name>#".
    """
    folder, name = path.parent, path.name
    candidates = (f"~${name}", f"~${name[2:]}", f".~lock.{name}#")
    return any((folder / c).exists() for c in candidates)


def _copies(path: Path) -> Iterator[Path]:
    yield path
    for i in range(2, MAX_COPIES + 1):
        yield path.with_name(f"{path.stem}({i}){path.suffix}")


def summary_bytes(wb: Workbook, rows: Sequence[SheetRows] = ()) -> bytes:
    """The workbook as .xlsx bytes, with the streamed rows of its long sheets."""
    saved = io.BytesIO()
    wb.save(saved)
    if not rows:
        return saved.getvalue()
    out = io.BytesIO()
    add_rows(saved.getvalue(), rows, out)
    return out.getvalue()


def save_summary(data: bytes, path: Path) -> tuple[Path, list[str]]:
    """Save atomically to ``path``, or to the first free "(n)" copy when ``path`` is open.

    A Windows lock shows only when the rename fails (PermissionError), so that too moves on to
    the next name; the old file is untouched either way.
    """
    for candidate in _copies(path):
        if open_elsewhere(candidate):
            continue
        try:
            write_atomic(candidate, data)
        except PermissionError:
            continue
        notes = [] if candidate == path else [LOCKED_NOTE.format(name=path.name, new=candidate.name)]
        return candidate, notes
    raise CollectionError(
        f"无法保存汇总表 {path.name}：它和 {MAX_COPIES - 1} 个备用文件名都被占用或没有写入权限。"
        f"请关闭打开的 Excel/WPS 表格，或用 --out 指定其他位置"
    )


# ================================================================================================
# The workbook
# ================================================================================================


def build_summary(plan: Plan, collection_id: str) -> tuple[Workbook, list[SheetRows]]:
    """The form (from the template builder) first, then the sheets a clerk works with; the long
    sheets' body rows come separately, to be streamed in when the workbook is saved."""
    form = plan.form
    meta = {
        "kind": "summary",
        "collection_id": collection_id,
        "school_name": plan.district,
        "generated_at": plan.generated.isoformat(),
        "include": plan.include,
    }
    values = {k: v for k, v in plan.totals.items() if v != ""}
    wb = build_template(form, district=plan.district, meta=meta, unit=plan.district, values=values)
    if plan.draft:
        mark_form_draft(wb[form.sheet], form)
    write_cover(wb.create_sheet(COVER), plan)
    styles = Styles(wb[COVER])
    rows = [write_detail(wb.create_sheet(DETAIL), plan, styles)]
    write_subtotals(wb.create_sheet(SUBTOTALS), plan)
    rows.append(write_returns(wb.create_sheet(RETURNS), plan, styles))
    rows.append(write_problems(wb.create_sheet(PROBLEMS), plan, styles))
    rows.append(write_findings(wb.create_sheet(FINDINGS), plan, styles))
    styles.frozen = True  # every style the rows use is registered: the workbook may be saved
    _order(wb)
    return wb, rows


def _order(wb: Workbook) -> None:
    """Cover first, metadata last, and only the cover selected (two selected tabs = grouped sheets)."""
    wb.move_sheet(COVER, offset=-wb.sheetnames.index(COVER))
    if META_SHEET in wb.sheetnames:
        wb.move_sheet(META_SHEET, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(META_SHEET))
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = False
    wb.active = 0
    wb.worksheets[0].sheet_view.tabSelected = True


def mark_form_draft(ws: Worksheet, form: Form) -> None:
    """A red line under the form's table: the figures include returns that failed the checks."""
    layout = layout_of(form)
    row = layout.last_row + 2
    cell = ws.cell(row, 1)
    set_text(cell, DRAFT_FORM_NOTE)
    cell.font = _ALERT
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=layout.n_cols)
    ws.print_area = f"A1:{col_letter(layout.n_cols)}{row}"


# --- cell helpers -------------------------------------------------------------------------------


def _put(ws: Worksheet, row: int, col: int, value: Any):
    """Numbers and dates as they are, every string as literal text, "" and None as a blank cell."""
    cell = ws.cell(row, col)
    if isinstance(value, str):
        if value:
            set_text(cell, value)
    elif isinstance(value, datetime):
        cell.value = value
        cell.number_format = _DATE_FORMAT
    elif value is not None:
        cell.value = value
    return cell


def _head(cell) -> None:
    cell.font, cell.fill, cell.alignment, cell.border = _BOLD, _HEAD_FILL, _CENTRE, _BOX


def _header_row(ws: Worksheet, labels: Sequence[str], row: int = 1) -> None:
    for i, label in enumerate(labels, start=1):
        _head(_put(ws, row, i, label))


def _widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[col_letter(i)].width = w


def _print_setup(ws: Worksheet, *, landscape: bool, title_rows: str = "") -> None:
    """A4, fit to the page width (as many pages down as needed), headers repeated on each page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows


def _table_end(ws: Worksheet, n_cols: int, header_row: int, last_row: int, freeze: str) -> None:
    ws.freeze_panes = freeze
    ws.auto_filter.ref = f"A{header_row}:{col_letter(n_cols)}{max(last_row, header_row)}"


def _when(received_at: str) -> datetime | str:
    """The file's time as an Excel date (sortable); an unparsable one stays as it was."""
    try:
        return datetime.fromisoformat(received_at).replace(tzinfo=None)
    except (TypeError, ValueError):
        return received_at or ""


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def _names(states: Sequence[SchoolState], limit: int = 30) -> str:
    names = [s.school.name for s in states]
    shown = "、".join(names[:limit])
    return shown + (f" 等 {len(names)} 所" if len(names) > limit else "")


def _parent(state: SchoolState) -> str:
    return state.school.parent.strip() or NO_PARENT


def _whole_district(district: str) -> str:
    """"曾都区" -> "全区合计", "随州市" -> "全市合计"."""
    last = district[-1:] if district else ""
    return f"全{last}合计" if last in ("区", "市", "县", "省", "州", "旗") else "合计"


# --- field columns (分校明细, 分单位小计) ----------------------------------------------------------


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
        if section is not None and section.kind == "grid":
            out.append(FieldColumn(f.row, f.label, f.column_label, f, 9))
        elif section is not None and section.kind == "lines":
            label = next(r.label for r in section.rows if r.id == f.id)
            out.append(FieldColumn(section.id, section.label, label, f, 28))
        else:
            out.append(FieldColumn(f.id, f.label, "", f, 9 if f.is_count else 14))
    return out


def _two_line_header(ws: Worksheet, fixed: Sequence[str], columns: Sequence[FieldColumn]) -> None:
    """Row 1: fixed labels (merged down) and row labels (merged across); row 2: column labels."""
    for i, label in enumerate(fixed, start=1):
        _head(_put(ws, 1, i, label))
        _head(ws.cell(2, i))
        ws.merge_cells(start_row=1, start_column=i, end_row=2, end_column=i)
    start = len(fixed) + 1
    i = 0
    while i < len(columns):
        j = i
        while j + 1 < len(columns) and columns[j + 1].key == columns[i].key and columns[i].label:
            j += 1
        c1, c2 = start + i, start + j
        _head(_put(ws, 1, c1, columns[i].group))
        for k in range(i, j + 1):
            cell = ws.cell(2, start + k)
            if columns[k].label:
                _put(ws, 2, start + k, columns[k].label)
            _head(cell)
        if not columns[i].label:
            ws.merge_cells(start_row=1, start_column=c1, end_row=2, end_column=c1)
        elif c2 > c1:
            ws.merge_cells(start_row=1, start_column=c1, end_row=1, end_column=c2)
        i = j + 1
    ws.row_dimensions[1].height = 58
    ws.row_dimensions[2].height = 30


# --- the sheets ---------------------------------------------------------------------------------


def write_cover(ws: Worksheet, plan: Plan) -> None:
    """What was summed, what is still missing, and what to do before handing it in."""
    form, states = plan.form, plan.states
    late = [s for s in states if s.late]
    by_status = {k: [s for s in states if s.status == k] for k in ("missing", "returned", "needs_review")}
    title = ws.cell(1, 1)
    set_text(title, f"{form.title(plan.district)}（汇总）")
    title.font = _TITLE
    ws.merge_cells("A1:B1")
    rows: list[tuple[str, str, Font | None]] = []
    if plan.draft:
        rows.append(("注意", f"本汇总{DRAFT_NOTE}，不能作为正式汇总报送", _ALERT))
    rows += [
        ("汇总单位", plan.district, None),
        ("报表", f"{form.annex} {form.title(plan.district)}".strip(), None),
        ("生成时间", plan.generated.strftime("%Y-%m-%d %H:%M"), None),
        ("截止日期", plan.deadline or "未设置", None),
        ("汇总范围", INCLUDE_TEXT[plan.include], _ALERT if plan.draft else None),
        ("完成情况", f"已汇总 {len(plan.included)} / 应报 {len(states)}", _BOLD),
        ("逾期报送", _count_and_names(late), None),
        ("未报送", _count_and_names(by_status["missing"]), None),
        ("退回修改", _count_and_names(by_status["returned"]), None),
        ("待人工确认", _count_and_names(by_status["needs_review"]), None),
    ]
    if plan.unidentified or plan.unreadable:
        rows.append(("其他文件", f"收到的文件中另有 {plan.unidentified} 份未能确定是哪所学校、{plan.unreadable} 个无法读取，"
                                "均未计入汇总（详见 dudao status）", None))
    check = "；".join(f.message for f in plan.summary_findings) or "各项合计符合表内校验规则"
    rows.append(("汇总数据校验", check, _ALERT if plan.summary_findings else None))
    r = 3
    for label, value, font in rows:
        _put(ws, r, 1, label).font = _BOLD
        cell = _put(ws, r, 2, value)
        cell.alignment = _WRAP
        if font is not None:
            cell.font = font
        r += 1
    r += 1
    hand_in = _put(ws, r, 1, HAND_IN)
    hand_in.font = _ALERT
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
    r += 2
    _put(ws, r, 1, "工作表").font = _BOLD
    _put(ws, r, 2, "内容").font = _BOLD
    for name, what in SHEET_NOTES.items():
        r += 1
        _put(ws, r, 1, name.replace("{form_sheet}", form.sheet))
        _put(ws, r, 2, what)
    _widths(ws, (16, 90))
    ws.sheet_view.showGridLines = False
    _print_setup(ws, landscape=False)


def _count_and_names(states: Sequence[SchoolState]) -> str:
    return f"{len(states)} 所" + (f"：{_names(states)}" if states else "")


DETAIL_FIXED = ("序号", "学校名称", "学段", "所属单位", "状态", "报送时间", "是否逾期")


def write_detail(ws: Worksheet, plan: Plan, styles: Styles) -> SheetRows:
    """One row per included school with every field, then the total row."""
    columns = field_columns(plan.form, plan.form.fields)
    _two_line_header(ws, DETAIL_FIXED, columns)
    n_fixed, n_cols = len(DETAIL_FIXED), len(DETAIL_FIXED) + len(columns)
    last = 2 + len(plan.included)
    look = _row_styles(styles)
    total = styles.id(font=_BOLD, fill=_TOTAL_FILL)

    def rows() -> Iterator[list[tuple[Any, int]]]:
        for seq, state in enumerate(plan.included, start=1):
            cur = state.current
            plain, date, _ = look[state.status]
            fixed = (seq, state.school.name, state.school.stage, state.school.parent,
                     STATE_LABELS[state.status], _when(cur.received_at), _yes(state.late))
            yield [(v, date if isinstance(v, datetime) else plain) for v in fixed] + [
                (cur.values.get(col.field.id), plain) for col in columns]
        sums = [(plan.totals[col.field.id] if col.field.is_count else None, total) for col in columns]
        yield [(None, total), ("合计", total)] + [(None, total)] * (n_fixed - 2) + sums

    _widths(ws, (6, 26, 8, 16, 12, 16, 8, *(c.width for c in columns)))
    _table_end(ws, n_cols, 2, last, "C3")
    _print_setup(ws, landscape=True, title_rows="1:2")
    return SheetRows(ws.title, 3, last + 1, n_cols, rows(), styles.quoted)


def _row_styles(styles: Styles) -> dict[str, tuple[int, int, int]]:
    """Per school state: the style ids of a plain, a date and a wrapped cell in its row."""
    return {
        state: (styles.id(fill=fill), styles.id(fill=fill, number_format=_DATE_FORMAT),
                styles.id(fill=fill, alignment=_WRAP))
        for state in STATES
        for fill in (STATE_FILLS.get(state),)
    }


SUBTOTAL_FIXED = ("序号", "所属单位", "应报学校数", "已汇总学校数")
SUBTOTAL_DRAFT = "其中未通过校验"


def write_subtotals(ws: Worksheet, plan: Plan) -> None:
    """Per parent unit: schools expected and summed, every count summed; then the district total."""
    form = plan.form
    columns = field_columns(form, form.count_fields)
    fixed = SUBTOTAL_FIXED + ((SUBTOTAL_DRAFT,) if plan.draft else ())
    _two_line_header(ws, fixed, columns)
    groups: dict[str, list[SchoolState]] = {}  # in roster order of first appearance
    for state in plan.states:
        groups.setdefault(_parent(state), []).append(state)
    included = {id(s) for s in plan.included}
    row = 2
    for seq, (parent, members) in enumerate(groups.items(), start=1):
        row += 1
        summed = [s for s in members if id(s) in included]
        sums = summary_values(form, [s.current.values for s in summed])
        counts = [seq, parent, len(members), len(summed)]
        if plan.draft:
            counts.append(sum(1 for s in summed if s.status not in ACCEPTED))
        _subtotal_row(ws, row, counts, columns, sums)
    last = row
    row += 1
    counts = ["", _whole_district(plan.district), len(plan.states), len(plan.included)]
    if plan.draft:
        counts.append(sum(1 for s in plan.included if s.status not in ACCEPTED))
    _subtotal_row(ws, row, counts, columns, plan.totals)
    for c in range(1, len(fixed) + len(columns) + 1):
        cell = ws.cell(row, c)
        cell.font, cell.fill = _BOLD, _TOTAL_FILL
    _widths(ws, (6, 24, 8, 8, *((8,) if plan.draft else ()), *(c.width for c in columns)))
    _table_end(ws, len(fixed) + len(columns), 2, last, "C3")
    _print_setup(ws, landscape=True, title_rows="1:2")


def _subtotal_row(ws: Worksheet, row: int, fixed: Sequence[Any], columns: Sequence[FieldColumn],
                  sums: Mapping[str, Any]) -> None:
    for i, value in enumerate(fixed, start=1):
        _put(ws, row, i, value if value != "" else None)
    for i, col in enumerate(columns, start=len(fixed) + 1):
        _put(ws, row, i, sums[col.field.id])


RETURNS_HEAD = ("序号", "学校", "学段", "所属单位", "状态", "计入汇总", "是否逾期", "报送时间", "版本", "文件",
                "联系人", "联系电话", "邮箱", "主要问题摘要")


def write_returns(ws: Worksheet, plan: Plan, styles: Styles) -> SheetRows:
    """Every roster school: where it stands, whom to call, and the first thing to fix."""
    _header_row(ws, RETURNS_HEAD)
    included = {id(s) for s in plan.included}
    look = _row_styles(styles)
    last = 1 + len(plan.states)

    def rows() -> Iterator[list[tuple[Any, int]]]:
        for seq, state in enumerate(plan.states, start=1):
            s, cur = state.school, state.current
            plain, date, wrap = look[state.status]
            values = (
                seq, s.name, s.stage, s.parent, STATE_LABELS[state.status], _yes(id(state) in included),
                _yes(state.late) if cur else "", _when(cur.received_at) if cur else None,
                state.versions or None, display_name(cur.original_name) if cur else "", s.contact, s.phone,
                s.email,
            )
            yield [(v, date if isinstance(v, datetime) else plain) for v in values] + [(first_problem(state), wrap)]

    _widths(ws, (6, 26, 8, 16, 14, 8, 8, 16, 6, 24, 10, 14, 22, 60))
    _table_end(ws, len(RETURNS_HEAD), 1, last, "C2")
    _print_setup(ws, landscape=True, title_rows="1:1")
    return SheetRows(ws.title, 2, last, len(RETURNS_HEAD), rows(), styles.quoted)


def first_problem(state: SchoolState) -> str:
    """The one line a clerk reads first: why it waits, else its first error, else its first hint."""
    cur = state.current
    if cur is None:
        return ""
    if cur.review:
        return f"待确认：{cur.review}"
    for level, prefix in ((ERROR, ""), (WARNING, "提示：")):
        for f in state.findings:
            if f.level == level:
                return prefix + f.message
    return ""


def write_problems(ws: Worksheet, plan: Plan, styles: Styles) -> SheetRows:
    """Each included school's main-problem lines, one row per line it filled in."""
    form = plan.form
    lines = [f for s in form.sections if s.kind == "lines" for f in form.fields if f.section == s.id]
    head = ("学校", "序号", "问题") + (("状态",) if plan.draft else ())
    _header_row(ws, head)
    look = _row_styles(styles) if plan.draft else dict.fromkeys(STATES, _row_styles(styles)["accepted"])
    found = []
    for state in plan.included:
        for n, f in enumerate(lines, start=1):
            text = state.current.values.get(f.id)
            if text is not None and str(text).strip():
                found.append((state, n, str(text).strip()))

    def rows() -> Iterator[list[tuple[Any, int]]]:
        for state, n, text in found:
            plain, _, wrap = look[state.status]
            row = [(state.school.name, plain), (n, plain), (text, wrap)]
            yield row + [(STATE_LABELS[state.status], plain)] if plan.draft else row

    _widths(ws, (26, 6, 80, 14)[: len(head)])
    _table_end(ws, len(head), 1, 1 + len(found), "B2")
    _print_setup(ws, landscape=False, title_rows="1:1")
    return SheetRows(ws.title, 2, 1 + len(found), len(head), rows(), styles.quoted)


FINDINGS_HEAD = ("学校", "状态", "级别", "规则", "单元格", "说明")


def write_findings(ws: Worksheet, plan: Plan, styles: Styles) -> SheetRows:
    """Every finding of every school, summed or not: the clerk's full list of what to chase.

    A return waiting for the clerk also gets a line with the reason, which is not a finding."""
    _header_row(ws, FINDINGS_HEAD)
    plain, wrap, red = styles.id(), styles.id(alignment=_WRAP), styles.id(font=_RED_TEXT)
    n = 0
    for state in plan.states:
        n += len(state.findings) + (1 if state.current is not None and state.current.review else 0)

    def rows() -> Iterator[list[tuple[Any, int]]]:
        for state in plan.states:
            label = STATE_LABELS[state.status]
            lines = [(LEVEL_LABELS.get(f.level, f.level), f.rule, "、".join(f.cells), f.message)
                     for f in state.findings]
            if state.current is not None and state.current.review:
                lines.insert(0, (REVIEW_LEVEL, "", "", state.current.review))
            for level, rule, cells, message in lines:
                alert = red if level in (LEVEL_LABELS[ERROR], REVIEW_LEVEL) else plain
                yield [(state.school.name, plain), (label, plain), (level, alert), (rule, plain), (cells, plain),
                       (message, wrap)]

    _widths(ws, (26, 14, 6, 20, 14, 90))
    _table_end(ws, len(FINDINGS_HEAD), 1, 1 + n, "B2")
    _print_setup(ws, landscape=True, title_rows="1:1")
    return SheetRows(ws.title, 2, 1 + n, len(FINDINGS_HEAD), rows(), styles.quoted)
