"""What a verb says once it is done, as a ``Note`` every face renders for its own channel.

The command line and the window used to word the same outcome twice ("已生成 40 份空白表…" in
each, drifting apart); here each outcome is worded once, from the verb's result, and the next step
is named through the catalogue's actions in the words of the face that shows it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from .collection.views.decisions import Decision
from .collection.views.status import STATE_LABELS, Overview
from .filenames import display_name
from .messages import Note


def _why(note: str) -> str:
    return f"（{note}）" if note else ""


def distributed(res: Any) -> Note:
    return Note.of("distributed", written=res.written, kept=res.kept, folder=res.folder)


def collected(res: Any, ov: Overview | None, folder: str | Path) -> Note:
    """What a collect brought, counted as the window's header counts: files, then schools (a school
    that sent two versions is one school), and where those schools now stand."""
    names = {school for _, school, _ in res.new_returns if school}
    schools = ""
    if names and ov is not None:
        counts: dict[str, int] = {}
        for s in ov.schools:
            if s.school.name in names:
                counts[s.status] = counts.get(s.status, 0) + 1
        now = "，".join(f"{STATE_LABELS[k]} {n} 所" for k, n in counts.items())
        schools = f"，来自 {len(names)} 所学校（现在{now}）"
    documents = f"其他材料 {len(res.documents)} 份，" if res.documents else ""
    return Note.of("collected", seen=res.seen, returns=len(res.new_returns), schools=schools, documents=documents,
                   duplicates=res.duplicates, unreadable=len(res.unreadable), review=len(res.review), dir=folder)


def decided(decision: Decision, school: str = "", *, rule: str = "", file: str = "", undo: bool = False) -> Note:
    """A decision recorded, or undone: ``school`` and ``file`` as the clerk knows them, ``rule`` by its name."""
    if undo and decision.kind == "tie":
        return Note.of("undone-tie", file=file, school=school)
    if undo and decision.kind == "confirm":
        return Note.of("undone-confirm", school=school, rule=rule)
    if undo:
        return Note.of("undone", subject=file if decision.kind == "ignore" else school or file, label=decision.label)
    return Note.of(f"decided-{decision.kind}", school=school, rule=rule, file=file, why=_why(decision.note))


def fed_back(res: Any, warnings: bool = False) -> Note:
    """What a feedback wrote, counted by what each school is told: "退回修改 3 所，催报 5 所…"."""
    parts = [f"，催交材料 {res.documents} 所" if res.documents else "",
             f"，请核对 {res.checks} 所" if warnings or res.checks else "",
             f"，整改督办 {res.supervised} 所" if getattr(res, "supervised", 0) else ""]
    return Note.of("fed-back", returned=res.returned, reminders=res.reminders, more="".join(parts), folder=res.folder)


def picked(pick: Any, undo: bool = False) -> Note:
    """A document recommended upward (推荐上报), or no longer."""
    return Note.of("unpicked" if undo else "picked", school=pick.school.name, material=pick.material.label,
                   file=display_name(pick.document.original_name))


def school_changed(action: str, school: Any, count: int = 0) -> Note:
    return Note.of({"add": "school-added", "edit": "school-edited", "remove": "school-removed"}[action],
                   school=school.name, count=count)


def told(schools: Iterable[str], how: str = "") -> Note:
    return Note.of("told-schools", schools="、".join(dict.fromkeys(schools)), how=f"（{how}）" if how else "")


def previous(period: Any) -> Note:
    """Last period named (its figures taken), or forgotten (None)."""
    if period is None:
        return Note.of("previous-forgotten")
    renames = f"，其中 {len(period.renames)} 所按名称对照表对应" if period.renames else ""
    return Note.of("previous-taken", title=period.title, folder=period.folder, schools=len(period.figures),
                   renames=renames)
