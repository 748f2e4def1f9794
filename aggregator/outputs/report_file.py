"""Save the draft of the district's own report beside the summary (``consolidate``), from the
summary's own plan (the same totals its form holds) and the register's counts."""

from __future__ import annotations

from pathlib import Path

from .. import clock
from ..collection.store.folder import Collection, CollectionError
from ..filenames import safe_file_name
from ..collection.supervision.register import register
from ..collection.supervision.store import Store
from .free_name import write_free
from .register_book import Counts
from .summary.plan import Plan
from ..messages import Note


def write_report(col: Collection, plan: Plan) -> Path | None:
    """``summary/<本级名称>督导工作落实情况报告（草稿）.docx``; None when the plan has no wording
    for it (a collection of one form, or an older plan)."""
    wording = col.plan.report
    if not wording:
        return None
    from .report_draft import fill, load_report, report_docx, report_figures  # python-docx: 0.07 s, only when drafted

    template = load_report(wording)
    summed = {s.school.id for s in plan.included}
    counted = Counts.of(register(col))
    lines = plan.problems.get(next(iter(plan.problems), ""), [])
    figures = report_figures(
        district=col.settings.name, unit=plan.reporting.unit or col.settings.reporting_unit, day=clock.today(),
        expected=len(plan.states), included=len(plan.included),
        missing=[s.school.name for s in plan.states if s.school.id not in summed and s.status != "exempt"],
        totals=plan.totals,
        problems=[g.line() for g in lines],
        register={"items": counted.items, "sheets": len(Store(col.ledger).sheets()), "closed": counted.closed,
                  "answered": counted.answered, "open": counted.open, "overdue": counted.overdue})
    target = col.folder("summary") / f"{safe_file_name(fill(template.file, figures), fallback='报告草稿')}.docx"
    saved = write_free(target, report_docx(template, figures))
    if saved is None:
        raise CollectionError(Note.of("file-busy", name=target.name, program="Word/WPS 文档", again="重新汇总"))
    return saved
