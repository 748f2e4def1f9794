"""The returns against last period, as the read model shows them.

- ``period_findings``: the ``vs-previous`` findings of the current returns (a figure beyond its
  declared bound from the school's own figure last period), worked out once per revision of the
  ledger and of the kept snapshot, like the outliers, and kept in the ledger.
- ``previous_values``: one school's figures last period beside this period's (the window's details).
- ``period_comparison``: what the summary's 与上期比较 sheet shows, from plain values.

Last period's figures are the snapshot kept in the ledger (``store.previous``); schools are
matched by name or through the clerk's mapping.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from ...checks.periods import Move, TotalChange, moves, summed, period_findings as return_findings, total_changes
from ...checks.validate import explain
from ...findings import EXPLAIN, Finding
from ...form.declaration import Form
from ..store.folder import Collection
from ..store.ledger import ReturnRecord
from ..store.previous import PreviousPeriod, load_previous, previous_key
from ..store.roster import School

PERIOD_KEY = "period"  # ledger meta: the vs-previous findings as of a revision and a snapshot


def kept_findings(col: Collection, name: str, key: str, work: Callable[[], dict[str, tuple[Finding, ...]]],
                  judged: Iterable[str] | None = None) -> dict[str, tuple[Finding, ...]]:
    """Findings by return (sha256) worked out from many returns, kept in the ledger under ``name``
    until ``key`` (a revision of what they come from) moves: worked out again only then.
    ``judged``: the returns ``work`` judges; what was kept of others (a school's earlier version,
    judged while it was current) stays as their history, for what a new version put right."""
    kept = col.ledger.get(name)
    data = json.loads(kept) if kept else {}
    if data.get("key") == key:
        return {sha: tuple(Finding.from_dict(d) for d in found) for sha, found in data["findings"].items()}
    found = work()
    if judged is not None and data.get("findings"):
        now = set(judged)
        history = {sha: tuple(Finding.from_dict(d) for d in fs) for sha, fs in data["findings"].items() if sha not in now}
        found = {**history, **found}
    col.ledger.keep(name, json.dumps({"key": key, "findings": {sha: [f.to_dict() for f in fs]
                                                               for sha, fs in found.items()}},
                                     ensure_ascii=False, separators=(",", ":")))
    return found


def with_explanations(col: Collection, form: Form, found: dict[str, tuple[Finding, ...]],
                      ids: Mapping[str, int]) -> dict[str, tuple[Finding, ...]]:
    """Findings worked out across returns, each explain one given what its school wrote for its
    rule in the 情况说明 sheet (read only for the returns that have such a finding)."""
    asking = [ids[sha] for sha, fs in found.items() if any(f.level == EXPLAIN for f in fs)]
    if not asking:
        return found
    written = col.ledger.explanations(asking)
    out = {}
    for sha, fs in found.items():
        mine = {e.rule: e.text for e in written.get(ids[sha], ())}
        out[sha] = tuple(explain(form, f, mine.get(f.rule, "")) for f in fs)
    return out


def period_findings(col: Collection, form: Form, schools: list[School], returns: dict[str, list[ReturnRecord]],
                    revision: int) -> dict[str, tuple[Finding, ...]]:
    """The ``vs-previous`` findings of every version of every school (``returns``: by school id),
    by return (sha256): the current version's are its own, an earlier one's say what a new
    version put right. {} when the form bounds no change or the collection names no last period."""
    snapshot = previous_key(col.ledger) if form.changes else ""
    if not snapshot:
        return {}

    def work() -> dict[str, tuple[Finding, ...]]:
        period = load_previous(col.ledger)
        if period is None:
            return {}
        matched = period.match(schools, col.settings.levels)
        judged = [(matched[sid], r) for sid, rs in returns.items() if sid in matched for r in rs if not r.review]
        figures = col.ledger.figures(r.id for _, r in judged)
        moved = [(name, r) for name, r in judged if moves(form, period.figures[name], figures.get(r.id, {}))]
        cells = col.ledger.cell_maps(r.id for _, r in moved)
        found = {r.sha256: tuple(return_findings(form, period.figures[name], figures.get(r.id, {}),
                                                 cells.get(r.id, {}))) for name, r in moved}
        return with_explanations(col, form, found, {r.sha256: r.id for _, r in moved})

    return kept_findings(col, PERIOD_KEY, f"{revision} {form.id} {form.version} {snapshot}", work)


def previous_period(col: Collection) -> PreviousPeriod | None:
    """The last period this collection is compared with, as kept (None when it names none)."""
    return load_previous(col.ledger) if col.settings.previous else None


def last_figures(col: Collection, schools: Iterable[School]) -> dict[str, Mapping[str, Any]]:
    """School id -> its figures last period, for the schools found there ({} when the collection
    names no last period): what each school's issued copy shows beside this period's."""
    period = previous_period(col)
    if period is None:
        return {}
    return {sid: period.figures[name] for sid, name in period.match(schools, col.settings.levels).items()}


@dataclass(frozen=True)
class PeriodValue:
    """One figure of a school: last period's beside this one's (the window's details)."""

    field: str
    label: str
    previous: Any  # None: not reported last period
    current: Any
    factor: float | None  # the declared bound on it, if any
    moved: bool  # beyond that bound

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "label": self.label, "previous": self.previous, "current": self.current,
                "factor": self.factor, "moved": self.moved}


def previous_values(form: Form, period: PreviousPeriod | None, school: School, current: Mapping[str, Any],
                    levels: Iterable[str] = ()) -> list[PeriodValue]:
    """Every numeric figure of ``school``: last period's and this period's (``current``: its
    current return's values, {} when none); [] when there is no last period or the school was
    not in it."""
    before = period.values_of(school, levels) if period is not None else None
    if before is None:
        return []
    moved = {m.field for m in moves(form, before, current)}
    out = []
    for f in form.numeric_fields:
        bound = form.change_bound(f.id)
        out.append(PeriodValue(f.id, f.display, before.get(f.id), current.get(f.id),
                               bound.factor if bound else None, f.id in moved))
    return out


@dataclass(frozen=True)
class SchoolMoves:
    """A school whose figures moved beyond their bounds since last period."""

    school: School
    previous_name: str  # its name last period (another when it was renamed)
    moves: tuple[Move, ...]


@dataclass(frozen=True)
class PeriodComparison:
    """What the summary's 与上期比较 sheet shows."""

    title: str  # last period's form title with its 本级名称
    totals: tuple[TotalChange, ...]  # every summed figure: last period's total, this one's, the change
    schools: tuple[SchoolMoves, ...]  # the schools with figures beyond their bounds, roster order
    # 同口径: the same figures over only the schools summed in both periods, so that a change is
    # not four schools not yet summed; ``both`` of them, out of ``before`` and ``now``
    same: tuple[TotalChange, ...] = ()
    both: int = 0
    before: int = 0
    now: int = 0

    @property
    def like_for_like(self) -> bool:
        """Both periods sum the same schools: the totals compare as they are."""
        return self.both == self.before == self.now


def period_comparison(form: Form, period: PreviousPeriod, schools: Iterable[tuple[School, Mapping[str, Any]]],
                      totals: Mapping[str, Any], levels: Iterable[str] = ()) -> PeriodComparison:
    """The district's summed figures against last period's (``totals``: this period's, as the
    summary sums them), and per school (``schools``: each with its current values, those the
    summary includes) the figures that moved beyond the form's bounds."""
    pairs = list(schools)
    matched = period.match([s for s, _ in pairs], levels)
    moved, both = [], []
    for school, values in pairs:
        name = matched.get(school.id)
        if name is None:
            continue
        both.append((period.figures[name], values))
        found = moves(form, period.figures[name], values)
        if found:
            moved.append(SchoolMoves(school, name, tuple(found)))
    same = total_changes(form, summed(form, (b for b, _ in both)), summed(form, (v for _, v in both)))
    return PeriodComparison(period.title, tuple(total_changes(form, period.totals, totals)), tuple(moved),
                            tuple(same), len(both), len(period.figures), len(pairs))
