"""``consolidate``: the district summary, the same form with every figure summed up, plus what the
clerk hands in.

Why it is built this way:

- Its form sheet is the form itself, drawn by the template builder from the same declaration,
  with the district's totals as its values and the summary's own metadata. The level above
  (city, province) therefore collects district summaries exactly as the district collects school
  returns. Each field is summed up as the declaration says (numbers added, choices counted, texts
  listed: ``summary.figures``), and the totals are checked against the rules that hold for a sum.
- Only accepted returns are summed by default. A clerk who wants a first look at everything can
  ask for ``include="all"``; then every sheet says which figures failed the checks, so a draft is
  never mistaken for the real thing.
- Everything a school typed is written as text: "=HYPERLINK(...)" in a school name must never
  become a formula (``xlstyle.set_text``, ``bulk_rows``).
- The file is replaced atomically, and never over a copy the clerk has open (``summary.save``).
- A province has 10,000 schools: the sheets with a row per school are streamed (``bulk_rows``):
  the whole summary of 10,000 schools in 3 s and 100 MB (benchmarks/run.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..collection.folder import Collection, CollectionError
from ..collection.status import overview
from ..form.declaration import Form
from ..form.layout import col_letter, layout_of
from ..messages import Note
from ..progress import Cancel, Job, Progress
from .bulk_rows import SheetRows, Styles
from .summary.cells import STATE_FILLS, sheet_title
from ..collection.plan import Plan as CollectionPlan
from .documents_folder import export_documents
from .summary.materials import write_materials
from .summary.choices import counted_fields, write_counts, write_matrix
from .summary.cover import DRAFT_NOTE, write_cover
from .summary.figures import summary_values, top_problems
from .summary.plan import INCLUDE, Plan, make_plan
from .summary.save import default_path, save_summary, summary_bytes, target_path
from .summary.tables import write_detail, write_findings, write_returns, write_subtotals
from .summary.texts import sheet_label, text_sections, write_texts
from .template import META_SHEET, build_template
from .xlstyle import RED, font, select_only, set_text

__all__ = ["DETAIL", "DRAFT_NOTE", "FINDINGS", "PROBLEMS", "RETURNS", "STATE_FILLS", "SUBTOTALS", "consolidate",
           "summary_values", "top_problems"]

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
DRAFT_FORM_NOTE = "注意：本表含未通过校验的学校数据，仅供参考，不能作为正式汇总报送。"


@dataclass
class ConsolidateResult:
    path: Path
    included: int
    expected: int
    notes: list[Note] = field(default_factory=list)


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

    plan = make_plan(form, ov, included, district=district, include=include, deadline=col.settings.deadline,
                     generated=datetime.now().replace(microsecond=0))
    yield Progress(total - 1, total, "", "生成汇总表")
    materials = col.plan if col.plan.documents else None
    data = summary_bytes(*build_summary(plan, col.settings.id, materials))
    if cancel:
        cancel.check()
    target, notes = target_path(out if out is not None else default_path(col, form, draft=plan.draft))
    path, more = save_summary(data, target)
    if materials is not None:
        exported = export_documents(col, col.ledger.documents(), col.schools())
        more.append(Note.of("documents-exported", count=exported.count, folder=exported.folder.name,
                            zip=exported.archive.name))
    yield Progress(total, total, path.name, "保存汇总表")
    return ConsolidateResult(path, len(included), len(ov.schools), notes + more + _result_notes(plan))


def _result_notes(plan: Plan) -> list[Note]:
    notes = [Note.of("summary-draft")] if plan.draft else []
    return notes + [Note.of("summary-check", message=f.message) for f in plan.summary_findings]


def build_summary(plan: Plan, collection_id: str, materials: CollectionPlan | None = None
                  ) -> tuple[Workbook, list[SheetRows]]:
    """The form (from the template builder) first, then the sheets a clerk works with; the long
    sheets' body rows come separately, to be streamed in when the workbook is saved. Which
    sheets there are follows from how the form's fields are summed up."""
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
    taken = {form.sheet, META_SHEET, COVER}
    cover = wb.create_sheet(COVER)
    styles = Styles(cover)
    rows: list[SheetRows] = []
    contents = [(form.sheet, "按原表格式汇总的数字，可直接报送上级")]

    def sheet(title: str, what: str) -> Worksheet:
        ws = wb.create_sheet(sheet_title(title, taken))
        contents.append((ws.title, what))
        return ws

    rows.append(write_detail(sheet(DETAIL, "每所计入汇总的学校一行，含表中全部项目"), plan, styles))
    if form.fields_summed("sum"):
        write_subtotals(sheet(SUBTOTALS, "按所属单位（中心学校、区直学校等）小计"), plan)
    if counted_fields(form):
        write_counts(sheet(COUNTS, "每一项选择各选项的学校数和比例"), plan)
        rows.append(write_matrix(sheet(MATRIX, "每所学校每一项的选择"), plan, styles))
    rows.append(write_returns(sheet(RETURNS, "名单上每所学校的报送状态、联系人和主要问题"), plan, styles))
    if materials is not None:
        write_materials(sheet(MATERIALS, "每所学校每项材料的收取日期、逾期和未报"), plan, materials)
    for section, fields in text_sections(form):
        label = sheet_label(section, fields)
        rows.append(write_texts(sheet(label, f"各校填写的“{label}”，每条一行"), plan, styles, section, fields))
    rows.append(write_findings(sheet(FINDINGS, "程序校验发现的全部问题（含未计入汇总的学校）"), plan, styles))
    write_cover(cover, plan, contents)
    styles.frozen = True  # every style the rows use is registered: the workbook may be saved
    _order(wb)
    return wb, rows


def _order(wb: Workbook) -> None:
    """Cover first, metadata last, and only the cover selected (two selected tabs = grouped sheets)."""
    wb.move_sheet(COVER, offset=-wb.sheetnames.index(COVER))
    if META_SHEET in wb.sheetnames:
        wb.move_sheet(META_SHEET, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(META_SHEET))
    select_only(wb, wb.worksheets[0])


def mark_form_draft(ws: Worksheet, form: Form) -> None:
    """A red line under the form's table: the figures include returns that failed the checks."""
    layout = layout_of(form)
    row = layout.last_row + 2
    cell = ws.cell(row, 1)
    set_text(cell, DRAFT_FORM_NOTE)
    cell.font = font(bold=True, color=RED)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=layout.printed_cols)
    ws.print_area = f"A1:{col_letter(layout.printed_cols)}{row}"
