"""What the window draws beside the overview, worked out in the worker thread with it.

At 10,000 schools, everything counted or built per school costs tens of milliseconds in Python,
and in the window's thread those are milliseconds the window cannot move. So a job hands back,
with the overview, what the table, the header and the 总览 pane draw from it; the window's
thread only swaps it in. No Qt here, and no decisions: the engine's states, progress and totals,
arranged for drawing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aggregator.session import (STATE_LABELS, Material, Overview, PreviousPeriod, Session, Total, UnitProgress,
                                building)


@dataclass(frozen=True)
class View:
    hay: list[str] = field(default_factory=list)  # per school, its searchable text, lower-cased
    units: list[str] = field(default_factory=list)  # the 所属单位 of the roster, in roster order
    progress: list[UnitProgress] = field(default_factory=list)  # per 所属单位 (总览)
    totals: list[Total] = field(default_factory=list)  # the district's main totals (总览)
    # A column per material, when the collection asks for more than its form: the material, and
    # whether its deadline has passed (a school without it is then overdue).
    materials: list[tuple[Material, bool]] = field(default_factory=list)
    # What each unidentified return says its 填报单位 is (by sha256): its values are read here, not
    # in the window's thread.
    units_written: dict[str, str] = field(default_factory=dict)
    unsent: int = 0  # schools to send back or remind that were told nothing yet (反馈未发送)
    due: dict[str, tuple[str, ...]] = field(default_factory=dict)  # school id -> its register items to remind
    previous: PreviousPeriod | None = None  # last period's figures (a school's details show them beside its own)


def view_of(session: Session, ov: Overview) -> View:
    with building():
        return _view_of(session, ov)


def _view_of(session: Session, ov: Overview) -> View:
    _ = ov.counts, ov.late  # what the header shows, worked out here once (cached on the overview)
    hay = [" ".join((s.school.name, s.school.parent, s.school.stage, STATE_LABELS[s.status],
                     s.current.original_name if s.current else "")).lower() for s in ov.schools]
    units = list(dict.fromkeys(s.school.parent.strip() for s in ov.schools))
    materials = session.material_deadlines()
    written = {r.sha256: str(r.values.get(ov.unit_field) or "") for r in ov.unidentified}
    unsent = sum(1 for s in ov.schools if s.feedback.unsent)
    return View(hay, units, session.by_unit(ov), session.totals(ov), materials, written, unsent,
                session.due_lines(), session.previous_period())
