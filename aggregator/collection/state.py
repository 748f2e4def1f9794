"""Where a return stands, worked out in one place: collect, status, the summary and the desktop
all ask here, so a state never means two things.

States (a stable contract, scripts depend on them):
    missing                 nothing received yet
    accepted                the current return passes every rule
    accepted_with_warnings  passes, with warnings the clerk and school are told
    returned                has errors: sent back for correction
    needs_review            the clerk must decide whose return it is
"""

from __future__ import annotations

from typing import Iterable

from ..checks.findings import Finding, Report
from .ledger import ReturnRecord

STATES = ("missing", "accepted", "accepted_with_warnings", "returned", "needs_review")
STATE_LABELS = {
    "missing": "未报送",
    "accepted": "已通过",
    "accepted_with_warnings": "通过（有提示）",
    "returned": "退回修改",
    "needs_review": "待人工确认",
}


def state_of(ret: ReturnRecord | None, extra: Iterable[Finding] = ()) -> str:
    """The state a school's current return earns; ``extra``: findings that need every return
    of the collection to be known (outliers)."""
    if ret is None:
        return "missing"
    if ret.review:
        return "needs_review"
    return Report(tuple(ret.findings) + tuple(extra)).status
