"""``consolidate``: the district summary, the same form with every figure summed up, in two
versions: the working summary the clerk works from, and the one she sends upward as it is.

Why it is built this way:

- The working summary (``…汇总表.xlsx``) has everything: a cover with completeness and what to do
  before handing in, the form with the totals, one row per school, subtotals per parent unit,
  every school's state with contacts, the problems grouped, every finding.
- The upward version (``…汇总表(上报).xlsx``) is what the level above collects: by default the
  form alone, values only (the 主要问题 lines in the clerk's reviewed words, ``summary.review``),
  filled in with the collection's own 填报单位/填报人/联系电话 and the date, one page; optionally
  the per-school detail and subtotals; no school contact, no finding, no note for the clerk. A
  city runs the same tool and accepts it with no manual step.
- Both forms say what they cover ("本表汇总 31 所学校（应报 40 所；…）", ``summary.coverage``), and so
  does the last of what the command prints. The upward version is written only for an
  accepted-only summary with 填报人 and 联系电话 set, and not while a summed return has a warning
  nobody confirmed (the clerk is told which, and how to confirm), unless she asks for it all the
  same (``despite_warnings``): then the coverage line says how many schools' figures are unchecked.
- The working form's figures are formulas over the detail's 合计 row, so a correction the clerk
  makes in 分校明细 reaches the form.
- Its form sheet is the form itself, drawn by the template builder from the same declaration
  (``summary.form_sheet``). Each field is summed up as the declaration says (numbers added,
  choices counted, texts listed: ``summary.figures``), and the totals are checked against the
  rules that hold for a sum.
- Only accepted returns are summed by default. A clerk who wants a first look at everything can
  ask for ``include="all"``; then every sheet says which figures failed the checks, so a draft is
  never mistaken for the real thing, and no upward version is written.
- Everything a school typed is written as text: "=HYPERLINK(...)" in a school name must never
  become a formula (``xlstyle.set_text``, ``bulk_rows``). Our own formulas (合计 rows, the form's
  problem lines) are saved with their values, so readers that do not calculate see numbers.
- The file is replaced atomically, and never over a copy the clerk has open (``summary.save``).
- A province has 10,000 schools: the sheets with a row per school are streamed (``bulk_rows``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from .. import clock
from ..collection.store.folder import Collection, CollectionError
from ..collection.views.previous import period_comparison, previous_period
from ..collection.views.status import overview
from ..collection.views.tally import kept_sums
from ..messages import Note
from ..progress import Cancel, Job, Progress
from ..collection.store.plan import Plan as CollectionPlan
from .bulk_rows import SheetRows, Styles
from .documents_folder import export_documents
from .summary.cells import STATE_FILLS, sheet_title
from .summary.choices import counted_fields, write_counts, write_matrix
from .summary.cover import DRAFT_NOTE, write_cover
from .summary.figures import summary_values, top_problems
from .summary.form_sheet import DRAFT_FORM_NOTE, mark_form_draft, set_formulas, summary_form
from .summary.materials import write_materials
from .summary.plan import INCLUDE, Plan, Reporting, make_plan
from .summary.coverage import coverage_line, warned_names
from .summary.problems import form_lines, upward_lines, write_groups
from .summary.review import sheet_label as grouped_label
from .summary.review import apply_review, read_review, review_note
from .summary.save import default_path, save_summary, summary_bytes, target_path, upward_path
from .summary.periods import Comparison, write_comparison
from .summary.subtotals import write_subtotals
from .summary.tables import detail_totals, write_detail, write_findings, write_returns
from .summary.texts import sheet_label, text_sections, write_texts
from ..form.layout import layout_of
from .template import META_SHEET
from .register_file import write_if_any
from .report_file import write_report
from ..collection.clerk.picks import picks
from .picked import export_picked
from .xlstyle import select_only, set_text

__all__ = ["DETAIL", "DRAFT_FORM_NOTE", "DRAFT_NOTE", "FINDINGS", "PERIODS", "PROBLEMS", "RETURNS", "STATE_FILLS", "SUBTOTALS",
           "consolidate", "mark_form_draft", "summary_values", "top_problems"]

# --- user-facing text (Chinese) -----------------------------------------------------------------
COVER = "汇总说明"
DETAIL = "分校明细"
SUBTOTALS = "分单位小计"
RETURNS = "报送情况"
PROBLEMS = "主要问题"  # Annex 5's lines section: its sheet takes the section's label
COUNTS = "选项统计"
MATERIALS = "材料收取情况"
MATRIX = "分校选项"
FINDINGS = "校验问题"
PERIODS = "与上期比较"


@dataclass
class ConsolidateResult:
    path: Path
    included: int
    expected: int
    notes: list[Note] = field(default_factory=list)
    upward: Path | None = None  # the version for the level above, when written
    coverage: str = ""  # what the summary covers, as its form says it


def consolidate(
    col: Collection, out: Path | None = None, include: str = "accepted", cancel: Cancel | None = None, *,
    upward: bool = True, upward_detail: bool = False, despite_warnings: bool = False,
) -> Job[ConsolidateResult]:
    """Write the working summary, then the upward version; yields one ``Progress`` per roster
    school, then one per file. ``upward_detail``: the upward version also has the per-school
    detail and the subtotals. ``despite_warnings``: write the upward version although a summed
    return has a warning nobody confirmed (its coverage line says so)."""
    if include not in INCLUDE:
        raise CollectionError(Note.of("unknown-include", include=include))
    form = col.form
    s = col.settings
    district = s.name or "本级"
    ov = overview(col)
    total = len(ov.schools) + 3
    included = []
    for done, state in enumerate(ov.schools, start=1):
        if cancel:
            cancel.check()
        if state.status in INCLUDE[include] and state.current is not None:
            included.append(state)
        yield Progress(done, total, state.school.name, "汇总")

    reporting = Reporting(s.reporting_unit or district, s.reporter, s.phone, clock.today())
    plan = make_plan(form, ov, included, district=district, include=include, deadline=s.deadline,
                     generated=clock.now(), reporting=reporting,
                     add=lambda groups, fields: kept_sums(col.ledger, groups, fields))
    plan, reviewed = _reviewed(plan, read_review(default_path(col, form), form))
    plan = replace(plan, comparison=_comparison(col, plan))
    up_target = upward_path(col, form) if out is None else Path(out).with_name(upward_name(Path(out)))
    blocked = _upward_blocked(plan, col, despite_warnings) if upward else None
    writes_upward = upward and blocked is None
    unchecked = plan.warned if writes_upward else ()
    coverage = coverage_line(plan, unchecked)
    yield Progress(total - 2, total, "", "生成汇总表")
    materials = col.plan if col.plan.documents else None
    data = summary_bytes(*build_summary(plan, s.id, materials, upward_name=up_target.name if writes_upward else "",
                                        coverage=coverage, blocked=blocked, upward_detail=upward_detail))
    up_data = (summary_bytes(*build_upward(plan, s.id, detail=upward_detail, coverage=coverage))
               if writes_upward else None)
    if cancel:
        cancel.check()
    notes: list[Note] = []
    upward_path_saved = None
    if up_data is not None:  # saved first: the working summary stays the newest file in summary/
        upward_path_saved, more = save_summary(up_data, target_path(up_target)[0])
        notes += more
        yield Progress(total - 1, total, upward_path_saved.name, "保存上报版")
    kept = write_if_any(col)  # 整改台账.xlsx, before the summary: the summary stays the newest file
    if kept is not None:
        notes.append(Note.of("register-written", name=kept.name))
    target, renamed = target_path(out if out is not None else default_path(col, form, draft=plan.draft))
    path, more = save_summary(data, target)
    notes += renamed + more
    report = write_report(col, plan)  # the district's own report, drafted from this summary
    if report is not None:
        notes.append(Note.of("report-drafted", name=report.name))
    chosen = picks(col)  # what the clerk recommends upward: 上报材料 and 推荐名单.xlsx
    if chosen:
        sent_up = export_picked(col, chosen)
        notes.append(Note.of("picks-exported", count=sent_up.count, folder=sent_up.folder.name))
    if materials is not None:
        exported = export_documents(col, col.ledger.documents(), col.schools())
        notes.append(Note.of("documents-exported", count=exported.count, folder=exported.folder.name,
                             zip=exported.archive.name))
    yield Progress(total, total, path.name, "保存汇总表")
    notes += reviewed + _result_notes(plan)
    if blocked is not None:
        notes.append(blocked)
        stale = _set_aside(up_target)
        if stale is not None:
            notes.append(Note.of("upward-stale", name=stale.name))
    elif unchecked:
        notes.append(Note.of("upward-despite", n=len(unchecked), schools=warned_names(plan)))
    return ConsolidateResult(path, len(included), len(ov.schools), notes, upward=upward_path_saved, coverage=coverage)


def _comparison(col: Collection, plan: Plan) -> Comparison | None:
    """The summary against last period, when the collection names one (its 与上期比较 sheet)."""
    period = previous_period(col)
    if period is None:
        return None
    data = period_comparison(plan.form, period, [(s.school, s.current.values) for s in plan.included], plan.totals,
                             col.settings.levels)
    return Comparison(data, len(period.figures), Path(period.folder).name)


def _upward_blocked(plan: Plan, col: Collection, despite_warnings: bool) -> Note | None:
    """Why no upward version can be written now (None when it can): a draft never goes up, the
    level above returns a summary without our 填报人 or 联系电话, and a warning nobody confirmed
    is not summed upward in silence."""
    if plan.draft:
        return Note.of("upward-draft")
    if plan.unsigned:
        return Note.of("upward-unsigned", missing="、".join(plan.unsigned), root=str(col.root))
    if plan.warned and not despite_warnings:
        return Note.of("upward-unconfirmed", n=len(plan.warned), schools=warned_names(plan), root=str(col.root))
    return None


def _set_aside(upward: Path) -> Path | None:
    """An upward version left from an earlier consolidate no longer says what the summary holds:
    renamed so nobody sends it by mistake (kept, not deleted). Its new name, or None."""
    if not upward.is_file():
        return None
    stale = upward.with_name(f"{upward.stem}（已过时，勿报送）{upward.suffix}")
    try:
        os.replace(upward, stale)
    except OSError:  # open in Excel: it stays, and the note about why none was written says enough
        return None
    return stale


def _reviewed(plan: Plan, review: dict) -> tuple[Plan, list[Note]]:
    """The plan with the clerk's reviewed 主要问题 (``summary.review``), and what to tell her."""
    problems, notes = dict(plan.problems), []
    for section in plan.form.sections:
        if section.id in problems and review.get(section.id):
            problems[section.id], kept = apply_review(problems[section.id], review[section.id])
            note = review_note(kept, section)
            if note is not None:
                notes.append(note)
    return replace(plan, problems=problems), notes


def upward_name(working: Path) -> str:
    return f"{working.stem}(上报){working.suffix or '.xlsx'}"


def _result_notes(plan: Plan) -> list[Note]:
    notes: list[Note] = [Note.of("summary-draft")] if plan.draft else []
    notes += [Note.of("summary-check", message=f.message) for f in plan.summary_findings]
    return notes


Built = tuple[Workbook, list[SheetRows], dict[str, dict[str, Any]]]


def build_summary(plan: Plan, collection_id: str, materials: CollectionPlan | None = None,
                  upward_name: str = "", *, coverage: str = "", blocked: Note | None = None,
                  upward_detail: bool = False) -> Built:
    """The working summary: cover, form, then the sheets a clerk works with. The long sheets'
    body rows come separately, to be streamed in when the workbook is saved, and so do the
    present values of our formulas. Which sheets there are follows from how the form's fields
    are summed up. ``blocked``: why no upward version was written, for the cover."""
    form = plan.form
    wb = summary_form(plan, collection_id, coverage=coverage)
    taken = {form.sheet, META_SHEET, COVER}
    cover = wb.create_sheet(COVER)
    styles = Styles(cover)
    rows: list[SheetRows] = []
    cached: dict[str, dict[str, Any]] = {}
    contents = [(form.sheet, "按原表格式汇总的数字" + (f"；报送上级请用“{upward_name}”" if upward_name else ""))]

    def sheet(title: str, what: str) -> Worksheet:
        ws = wb.create_sheet(sheet_title(title, taken))
        contents.append((ws.title, what))
        return ws

    _grouped_problems(wb, plan, sheet, cached)
    detail = sheet(DETAIL, "每所计入汇总的学校一行，含表中全部项目；改正这里的数字，统计表随之改变")
    rows.append(write_detail(detail, plan, styles))
    _follow_detail(wb, plan, detail.title, cached)
    if form.fields_summed("sum"):
        ws = sheet(SUBTOTALS, "按所属单位（中心学校、区直学校等）小计")
        cached[ws.title] = write_subtotals(ws, plan)
    if plan.comparison is not None:
        write_comparison(sheet(PERIODS, "本级合计与上期比较，及数字与上期相比变化超过规定范围的学校"), plan, plan.comparison)
    if counted_fields(form):
        write_counts(sheet(COUNTS, "每一项选择各选项的学校数和比例"), plan)
        rows.append(write_matrix(sheet(MATRIX, "每所学校每一项的选择"), plan, styles))
    rows.append(write_returns(sheet(RETURNS, "名单上每所学校的报送状态、联系人和校验问题（版本、文件和邮箱只在屏幕上看，不打印）"), plan, styles))
    if materials is not None:
        write_materials(sheet(MATERIALS, "每所学校每项材料的收取日期、逾期和未报"), plan, materials)
    for section, fields in text_sections(form):
        label = sheet_label(section, fields)
        rows.append(write_texts(sheet(label, f"各校填写的“{label}”，每条一行"), plan, styles, section, fields))
    rows.append(write_findings(sheet(FINDINGS, "程序校验发现的全部问题（含未计入汇总的学校）"), plan, styles))
    write_cover(cover, plan, contents, upward_name=upward_name, coverage=coverage, blocked=blocked,
                upward_detail=upward_detail)
    styles.frozen = True  # every style the rows use is registered: the workbook may be saved
    _order(wb, first=COVER)
    return wb, rows, cached


def build_upward(plan: Plan, collection_id: str, *, detail: bool = False, coverage: str = "") -> Built:
    """The version for the level above: the form alone, first and active, values only (its
    主要问题 lines as text); with ``detail`` also the per-school detail and subtotals; no
    contacts, no findings, nothing meant for the clerk."""
    form = plan.form
    wb = summary_form(plan, collection_id, upward=True, coverage=coverage)
    taken = {form.sheet, META_SHEET}
    styles = Styles(wb[form.sheet])
    rows: list[SheetRows] = []
    cached: dict[str, dict[str, Any]] = {}

    def sheet(title: str, what: str) -> Worksheet:
        return wb.create_sheet(sheet_title(title, taken))

    for section in form.sections:
        if section.id in plan.problems:
            for ref, text in upward_lines(plan, section).items():
                set_text(wb[form.sheet][ref], text or None)
    if detail:
        private = {f.id for f in (form.role("reporter"), form.role("phone")) if f is not None}
        rows.append(write_detail(sheet(DETAIL, ""), plan, styles, leave_out=private))
        if form.fields_summed("sum"):
            ws = sheet(SUBTOTALS, "")
            cached[ws.title] = write_subtotals(ws, plan)
    styles.frozen = True
    _order(wb, first=form.sheet)
    return wb, rows, cached


def _grouped_problems(wb: Workbook, plan: Plan, sheet, cached: dict[str, dict[str, Any]]) -> None:
    """One 归纳 sheet per lines section, and the form's lines as formulas over its first rows."""
    form = plan.form
    for section in form.sections:
        if section.id not in plan.problems:
            continue
        ws = sheet(grouped_label(section), f"各校所填“{section.label}”按相近的文字归纳，可修改；前几行填入汇总表")
        cached[ws.title] = write_groups(ws, plan, section)
        formulas, values = form_lines(plan, section, ws.title)
        set_formulas(wb[form.sheet], formulas)
        cached.setdefault(form.sheet, {}).update(values)


def _follow_detail(wb: Workbook, plan: Plan, detail: str, cached: dict[str, dict[str, Any]]) -> None:
    """The form's summed figures as references to the detail's 合计 row, saved with their values."""
    layout_cells = layout_of(plan.form).cells
    refs = detail_totals(plan, detail)
    set_formulas(wb[plan.form.sheet], {layout_cells[fid]: f"={ref}" for fid, ref in refs.items()})
    cached.setdefault(plan.form.sheet, {}).update({layout_cells[fid]: plan.totals[fid] for fid in refs})


def _order(wb: Workbook, first: str) -> None:
    """``first`` first, metadata last, and only ``first`` selected (two selected tabs = grouped sheets)."""
    wb.move_sheet(first, offset=-wb.sheetnames.index(first))
    if META_SHEET in wb.sheetnames:
        wb.move_sheet(META_SHEET, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(META_SHEET))
    select_only(wb, wb.worksheets[0])
