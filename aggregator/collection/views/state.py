"""Where a return stands, worked out in one place: collect, status, the summary and the desktop
all ask here, so a state never means two things.

States (a stable contract, scripts depend on them):
    missing                 nothing received yet
    accepted                the current return passes every rule
    accepted_with_warnings  passes, with warnings the clerk and school are told
    returned                has errors: sent back for correction
    needs_review            the clerk must decide whose return it is
    exempt                  nothing received, and the clerk exempted the school (免报)

The clerk's decisions (``decisions``) weigh in: a return she accepted despite its findings
passes, one she sent back is returned, a warning she confirmed no longer counts. An explain
finding (核实性) sends the return back until explained: by the school in its 情况说明 sheet (then
it counts as a warning the clerk may still confirm or send back), or by the clerk's own confirm
note (then it is settled, her note its explanation).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from ...findings import EXPLAIN, WARNING, Finding, Levels
from .decisions import Verdicts
from ..store.ledger import ReturnRecord

STATES = ("missing", "accepted", "accepted_with_warnings", "returned", "needs_review", "exempt")
STATE_LABELS = {
    "missing": "未报送",
    "accepted": "已通过",
    "accepted_with_warnings": "通过（有提示）",
    "returned": "退回修改",
    "needs_review": "待人工确认",
    "exempt": "免报",
}
# The same states of a document (a case article, a report), in the words a clerk uses for one.
DOCUMENT_LABELS = {
    "missing": "未交",
    "accepted": "已收到",
    "accepted_with_warnings": "已收到（请核对）",
    "returned": "需重交",
    "needs_review": "待人工确认",
    "exempt": "免报",
}


def state_of(ret: ReturnRecord | None, extra: Iterable[Finding] = (), verdicts: Verdicts = Verdicts()) -> str:
    """The state a school's current return earns; ``extra``: findings that need every return
    of the collection to be known (outliers); ``verdicts``: what the clerk decided."""
    if ret is None:
        return "exempt" if verdicts.exempt else "missing"
    if ret.review:
        return "needs_review"
    if verdicts.sent_back:
        return "returned"
    levels = ret.levels.plus(Levels.of(extra)) if extra else ret.levels
    if verdicts.confirmed:
        levels = levels.less(verdicts.confirmed_rules)
    if verdicts.accepted:
        return "accepted_with_warnings" if levels.errors or levels.warnings or levels.unexplained else "accepted"
    return levels.status


def open_findings(findings: tuple[Finding, ...], verdicts: Verdicts) -> tuple[Finding, ...]:
    """The findings still standing: a warning the clerk confirmed is settled. An explain finding
    stays, with its explanation: the school's, else the clerk's confirm note, recorded as hers."""
    if not verdicts.confirmed:
        return findings
    notes = {d.rule: d.note for d in verdicts.confirmed}
    out = []
    for f in findings:
        if f.rule in notes:
            if f.level == WARNING:
                continue
            if f.level == EXPLAIN and not f.explained and notes[f.rule]:
                f = replace(f, explanation=notes[f.rule], explained_by="clerk")
        out.append(f)
    return tuple(out)
