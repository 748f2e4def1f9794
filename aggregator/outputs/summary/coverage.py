"""What a summary covers, in one line the level above reads on the form itself.

A district summary that sums 31 of its 40 schools must say so where the city looks: on the form,
inside its print area, not only on the clerk's cover. The same line ends what ``consolidate``
prints. A summary of district summaries counts units (个单位), not schools.
"""

from __future__ import annotations

from typing import Sequence

from ...collection.views.status import SchoolState
from ...findings import WARNING
from ...messages import message, rule_name
from .plan import Plan

LEFT_OUT = ("missing", "returned", "needs_review", "exempt")  # in the order a reader asks about them
_SUMMARY_KINDS = ("summary", "summary-upward")


def coverage_line(plan: Plan, unchecked: Sequence[SchoolState] = ()) -> str:
    """"本表汇总 31 所学校（应报 40 所；未报 5 所，退回修改中 3 所，待确认 1 所）", and "，含 3 所学校
    未经核实的提示数据" when returns with unconfirmed warnings are summed all the same."""
    noun, measure = ("个单位", "个") if _of_summaries(plan) else ("所学校", "所")
    summed = {id(s) for s in plan.included}
    parts = []
    for status in LEFT_OUT:
        n = sum(1 for s in plan.states if s.status == status and id(s) not in summed)
        if n:
            parts.append(message(f"coverage-{status}", n=n, measure=measure))
    left_out = message("coverage-left-out", parts="，".join(parts)) if parts else ""
    said = message("coverage-unchecked", n=len(unchecked), noun=noun) if unchecked else ""
    return message("coverage", included=len(plan.included), noun=noun, expected=len(plan.states), measure=measure,
                   left_out=left_out, unchecked=said)


def _of_summaries(plan: Plan) -> bool:
    """Every return summed is a lower level's summary (its workbook says so)."""
    return bool(plan.included) and all(
        s.current.meta.get("kind") in _SUMMARY_KINDS for s in plan.included)


def warned_names(plan: Plan) -> str:
    """The summed schools whose warnings nobody confirmed, each with what to confirm, by the
    names ``dudao confirm`` takes: "某某区编钟小学（数字明显偏大）"."""
    return "、".join(
        f"{s.school.name}（{'、'.join(dict.fromkeys(rule_name(f.rule, plan.form) for f in s.findings if f.level == WARNING))}）"
        for s in plan.warned)
