"""What the clerk does that the tool would not: each verb finds what it is about, checks it makes
sense, and records a ``Decision``. The CLI's verbs and the desktop's buttons call these.

Every verb can be undone (``undo=True``): the decision is revoked, its record stays.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from ... import clock
from ...findings import EXPLAIN, MIN_EXPLANATION, WARNING, is_explanation
from ...messages import Note, rule_name
from ..views.decisions import Decision, decide, decisions, find_school, revoke
from ..store.folder import Collection, CollectionError
from ...filenames import file_refs
from ..store.ledger import FileRecord, ReturnRecord
from ..store.roster import School
from ..views.state import STATE_LABELS
from ..views.status import overview
from ..views.told import Told, tell



def _current(col: Collection, school: School) -> ReturnRecord | None:
    mine = [r for r in col.ledger.returns(col.form) if r.school_id == school.id]
    return mine[-1] if mine else None


def _undo(col: Collection, kind: str, *, school_id: str = "", sha256: str = "", rule: str = "") -> Decision:
    found = [d for d in decisions(col) if d.kind == kind and d.school_id == school_id
             and (not sha256 or d.sha256 == sha256) and (not rule or d.rule == rule)]
    if not found:
        raise CollectionError(Note.of("nothing-to-undo"))
    revoke(col, found[-1])
    return found[-1]


def _why(note: str) -> str:
    if not note.strip():
        raise CollectionError(Note.of("reason-required"))
    return note


def accept(col: Collection, school_name: str, note: str = "", *, undo: bool = False) -> Decision:
    """仍然通过: the school's current return passes despite its findings."""
    return _on_current(col, "accept", "cannot-accept-missing", school_name, note, undo)


def send_back(col: Collection, school_name: str, note: str = "", *, undo: bool = False) -> Decision:
    """退回: the school's current return goes back to it, though it passed the checks."""
    return _on_current(col, "send_back", "cannot-return-missing", school_name, note, undo)


def _on_current(col: Collection, kind: str, missing: str, school_name: str, note: str, undo: bool) -> Decision:
    """A decision on the one version it was taken on: a newer version from the school is judged afresh."""
    school = find_school(col, school_name)
    ret = _current(col, school)
    if ret is None:
        raise CollectionError(Note.of(missing, school=school.name))
    if undo:
        return _undo(col, kind, school_id=school.id, sha256=ret.sha256)
    return decide(col, kind, school_id=school.id, sha256=ret.sha256, note=_why(note))


def exempt(col: Collection, school_name: str, note: str = "", *, undo: bool = False) -> Decision:
    """免报: the school need not report; it is not counted as missing and not reminded."""
    school = find_school(col, school_name)
    if undo:
        return _undo(col, "exempt", school_id=school.id)
    return decide(col, "exempt", school_id=school.id, note=_why(note))


def confirm(col: Collection, school_name: str, rule: str, note: str = "", *, undo: bool = False) -> Decision:
    """A warning the clerk checked with the school: it no longer counts against the return. An
    explain finding (须说明) the school did not explain is settled only with her note, which is
    recorded as its explanation (a phone call, a visit: what the school said)."""
    from ..views.status import overview  # the warnings of a return include those against its peers (outliers)

    school = find_school(col, school_name)
    ret = _current(col, school)
    state = next(s for s in overview(col).schools if s.school.id == school.id)
    asked = [f for f in state.findings if f.level in (WARNING, EXPLAIN)]
    warned = {f.rule for f in asked} | {d.rule for d in state.decisions if d.rule}
    named = {rule_name(r, col.form): r for r in warned}  # the clerk may type the name status shows
    rule = named.get(rule.strip(), rule.strip())
    if undo:
        return _undo(col, "confirm", school_id=school.id, sha256=ret.sha256 if ret else "", rule=rule)
    if rule not in warned:
        listed = "、".join(sorted(f"{name}（{r}）" for name, r in named.items())) or "没有"
        raise CollectionError(Note.of("no-such-warning", school=school.name, rule=rule, listed=listed))
    if any(f.rule == rule and f.level == EXPLAIN and not f.explained for f in asked) and not is_explanation(note):
        raise CollectionError(Note.of("explanation-required", school=school.name, rule=rule_name(rule, col.form),
                                      min=MIN_EXPLANATION))
    return decide(col, "confirm", school_id=school.id, sha256=ret.sha256, rule=rule, note=note)


def remark(col: Collection, school_name: str, note: str = "", *, undo: bool = False) -> Decision:
    """添加说明: the clerk's own words, added to the school's next letter and chat text."""
    school = find_school(col, school_name)
    if undo:
        return _undo(col, "remark", school_id=school.id)
    return decide(col, "remark", school_id=school.id, note=_why(note))


def _unreadable(col: Collection, ref: str, documents: bool = False) -> FileRecord:
    """An unreadable file by its name, archive path or hash prefix; ``documents``: or a document
    still waiting for the clerk (whose school or material is in doubt)."""
    ref = ref.strip()
    files = col.ledger.files("unreadable")
    if documents:
        waiting = {d.sha256 for d in col.ledger.documents() if d.waiting}
        files += [f for f in col.ledger.files("document") if f.sha256 in waiting]
    hits = [f for f in files
            if ref in (f.archived, *file_refs(f.original_name))
            or (len(ref) >= 6 and f.sha256.startswith(ref.lower()))]
    if not hits:
        where = "无法读取或待指定的文件" if documents else "无法读取的文件"
        raise CollectionError(Note.of("not-a-waiting-file", ref=ref, where=where))
    return hits[-1]


def ignore(col: Collection, file_ref: str, note: str = "", *, undo: bool = False) -> Decision:
    """忽略: a junk file (unreadable, or a document no school owes such as a blank 新建 DOCX 文档)
    leaves the list of files waiting for the clerk; it stays in the archive."""
    found = _unreadable(col, file_ref, documents=True)
    if undo:
        return _undo(col, "ignore", sha256=found.sha256)
    return decide(col, "ignore", sha256=found.sha256, note=note)


def tie(col: Collection, file_ref: str, school_name: str, note: str = "", *, undo: bool = False) -> Decision:
    """这是某校发的: an unreadable file is the school's, and its reminder will say what was wrong."""
    found = _unreadable(col, file_ref)
    school = find_school(col, school_name)
    if undo:
        return _undo(col, "tie", school_id=school.id, sha256=found.sha256)
    return decide(col, "tie", school_id=school.id, sha256=found.sha256, note=note)


# --- the roster -----------------------------------------------------------------------------------


def add_school(col: Collection, school: School, note: str = "") -> School:
    if any(s.name == school.name for s in col.ledger.schools(removed=True)):
        raise CollectionError(Note.of("school-exists", school=school.name))
    taken = {s.id for s in col.ledger.schools(removed=True)}
    n = len(taken) + 1
    while f"S{n:04d}" in taken:
        n += 1
    added = replace(school, id=f"S{n:04d}")
    with col.ledger.transaction():
        col.ledger.add_schools([added])
    decide(col, "school_add", school_id=added.id, note=note)
    return added


def edit_school(col: Collection, school_name: str, note: str = "", **changes: str) -> School:
    school = find_school(col, school_name)
    wanted = {k: v for k, v in changes.items() if v is not None}
    if "name" in wanted and any(s.name == wanted["name"] and s.id != school.id for s in col.schools()):
        raise CollectionError(Note.of("school-exists", school=wanted["name"]))
    edited = replace(school, **wanted)
    with col.ledger.transaction():
        col.ledger.update_school(edited)
    decide(col, "school_edit", school_id=school.id,
           note=note or "；".join(f"{k}：{getattr(school, k)} → {v}" for k, v in wanted.items()))
    return edited


def remove_school(col: Collection, school_name: str, note: str = "") -> School:
    """Off the roster: not counted, not reminded; what it sent stays in the ledger and archive."""
    school = find_school(col, school_name)
    _why(note)
    with col.ledger.transaction():
        col.ledger.remove_school(school.id, clock.stamp())
    decide(col, "school_remove", school_id=school.id, note=note)
    return school


# --- what the clerk told schools herself (the records are ``told``'s) ---------------------------------


def tell_schools(col: Collection, told: Iterable[tuple[str, str, str]]) -> list[Told]:
    """The clerk pasted schools' chat texts into the group (``chat``) or told them herself
    (``other``: by phone, a letter handed over; the note says how): (school name, channel,
    note) each, recorded about what each school must be told now. A school that needs telling
    nothing is refused when the clerk named it herself, passed over when its text was copied."""
    states = {s.school.name: s for s in overview(col).schools}
    records = []
    for name, channel, note in told:
        state = states.get(name)
        if state is None:
            school = find_school(col, name)
            state = next(s for s in states.values() if s.school.id == school.id)
        need = state.feedback.need
        if not need:
            if channel == "chat":
                continue
            raise CollectionError(Note.of("nothing-to-tell", school=state.school.name,
                                          state=f"（{STATE_LABELS[state.status]}）"))
        records.append((state.school.id, need, channel, state.current.sha256 if state.current else "", note.strip()))
    return tell(col, records)


def tell_school(col: Collection, school_name: str, channel: str = "other", note: str = "") -> Told:
    """One school: see ``tell_schools``."""
    found = tell_schools(col, [(school_name, channel, note)])
    if not found:
        raise CollectionError(Note.of("nothing-to-tell", school=school_name, state=""))
    return found[0]
