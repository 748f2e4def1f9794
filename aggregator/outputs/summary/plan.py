"""What the summary shows, decided before any sheet is written: whose figures are in, the totals,
the counts and whether the totals still pass the form's own rules."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, Mapping

from ...findings import ERROR, WARNING, Finding
from ...checks.validate import check_values
from ...collection.views.status import Overview, SchoolState
from ...form.declaration import Form
from ...form.layout import layout_of
from .cells import parent
from .figures import add_up, choice_counts, summary_values
from .similar import ProblemGroup, group_problems

ACCEPTED = ("accepted", "accepted_with_warnings")
INCLUDE: dict[str, tuple[str, ...]] = {
    "accepted": ACCEPTED,
    "warnings": ACCEPTED,  # the CLI also offers this name; warnings are always included
    "all": ACCEPTED + ("returned", "needs_review"),
}
INCLUDE_TEXT = {
    "accepted": "只汇总已通过校验的学校（含有提示的）",
    "warnings": "只汇总已通过校验的学校（含有提示的）",
    "all": "汇总全部已报送的学校，包括退回修改和待人工确认的学校",
}


@dataclass(frozen=True)
class Reporting:
    """Who hands the summary in: the collection's own 填报单位, 填报人, 联系电话 and the date."""

    unit: str
    reporter: str = ""
    phone: str = ""
    on: date | None = None



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
    counts: dict[str, Counter]  # counted (choice) field -> how many gave each choice
    summary_findings: tuple[Finding, ...]  # the totals checked against the form's own rules
    unidentified: int
    unreadable: int
    draft: bool  # figures from returns that failed the checks are in: every sheet must say so
    reporting: Reporting = Reporting("")
    overdue: bool = False  # the deadline has passed: a school still missing is late
    problems: dict[str, list[ProblemGroup]] = field(default_factory=dict)  # lines section -> groups
    comparison: Any = None  # against last period (``summary.periods.Comparison``), when one is named
    # 所属单位 -> summed field -> its sum over the unit's included returns, every unit of the
    # roster in its order (``unit_sums``; empty: worked out by the sheet that shows them)
    units: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def unsigned(self) -> tuple[str, ...]:
        """What the form asks of the sender (填报人, 联系电话) that the settings do not give yet."""
        wanted = (("reporter", self.reporting.reporter), ("phone", self.reporting.phone))
        return tuple(self.form.role(role).label for role, value in wanted if self.form.role(role) and not value)

    @property
    def warned(self) -> tuple[SchoolState, ...]:
        """Included returns with warnings nobody confirmed (confirmed ones are settled)."""
        return tuple(s for s in self.included if any(f.level == WARNING for f in s.findings))


# Adds up the given fields over groups of returns (by id) as the ledger keeps them
# (``tally.kept_sums``): group -> field -> whole number, or None to have them added up here.
Adder = Callable[[dict[str, list[int]], list[str]], "dict[str, dict[str, int]] | None"]


def make_plan(form: Form, ov: Overview, included: list[SchoolState], *, district: str, include: str,
              deadline: str, generated: datetime, reporting: Reporting | None = None,
              add: Adder | None = None) -> Plan:
    """``add``: the ledger's sums, so the district's and each unit's figures cost no return decoded."""
    reporting = reporting or Reporting(district)
    values = [s.current.values for s in included]
    units, whole = unit_sums(form, ov.schools, included, add)
    district_sums = ({f.id: sum(u[f.id] for u in units.values()) for f in form.fields_summed("sum")}
                     if whole else None)
    totals = summary_values(form, values, unit=reporting.unit or district, sums=district_sums)
    for role, value in (("reporter", reporting.reporter), ("phone", reporting.phone), ("date", reporting.on)):
        f = form.role(role)
        if f is not None and value:
            totals[f.id] = value
    end = datetime.fromisoformat(deadline).replace(hour=23, minute=59, second=59) if deadline else None
    problems = {
        s.id: group_problems((st.school.name, [st.current.values.get(r.id) for r in s.rows]) for st in included)
        for s in form.sections if s.kind == "lines" and (s.summary or "list") == "list"
    }
    return Plan(
        form=form, district=district, include=include, deadline=deadline, generated=generated,
        states=ov.schools, included=tuple(included), totals=totals, counts=choice_counts(form, values),
        summary_findings=tuple(check_summary(form, totals)), unidentified=len(ov.unidentified),
        unreadable=len(ov.unreadable), draft=any(s.status not in ACCEPTED for s in included),
        reporting=reporting, overdue=bool(end and generated > end), problems=problems, units=units,
    )


def unit_sums(form: Form, states: tuple[SchoolState, ...], included: list[SchoolState],
              add: Adder | None = None) -> tuple[dict[str, dict[str, Any]], bool]:
    """Per 所属单位 (every unit of the roster, in order of first appearance) each summed field
    over its included returns; and whether these are ``add``'s whole numbers (then the district's
    are their sum), else added up here return by return, as ``summary_values`` does."""
    members: dict[str, list[SchoolState]] = {}
    for state in states:
        members.setdefault(parent(state), [])
    chosen = {id(s) for s in included}
    for state in states:
        if id(state) in chosen:
            members[parent(state)].append(state)
    fields = form.fields_summed("sum")
    if add is not None and all(s.current.id is not None for s in included):
        sums = add({unit: [s.current.id for s in group] for unit, group in members.items()}, [f.id for f in fields])
        if sums is not None:
            return sums, True
    return {unit: {f.id: add_up(f, (s.current.values.get(f.id) for s in group)) for f in fields}
            for unit, group in members.items()}, False


def check_summary(form: Form, totals: Mapping[str, Any]) -> list[Finding]:
    """The form's rules over the totals: those that hold for a sum (``scope = "return"`` rules do
    not), minus the header fields the summary leaves for the clerk."""
    blank = {f.id for f in form.header if not totals.get(f.id)}
    cells = layout_of(form).cells
    return [
        f for f in check_values(form, totals, cells, scope="all")
        if f.level in (ERROR, WARNING) and not set(f.fields) <= blank
    ]
