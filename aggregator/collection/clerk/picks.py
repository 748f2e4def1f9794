"""Picking the best (四.3): the clerk recommends a school's case article, or a 中心学校's
supervisor, to the level above. A pick is a decision like the others (who, when, why; undone,
not deleted) about one document the school sent: the one current when it was picked, which
``consolidate`` copies into ``summary/上报材料/`` even if the school sends another version later.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..views.decisions import Decision, decide, decisions, find_school, revoke
from ..store.folder import Collection, CollectionError
from ..store.ledger import DocumentRecord
from ..store.plan import Material
from ..store.roster import School
from ...messages import Note

KIND = "pick"


@dataclass(frozen=True)
class Pick:
    school: School
    material: Material
    document: DocumentRecord
    decision: Decision


def pick(col: Collection, material: str, school_name: str, note: str = "", *, undo: bool = False) -> Pick:
    """Recommend (or, ``undo``, no longer recommend) the school's ``material``."""
    plan = col.plan
    found = plan.named(material)
    if not plan.documents:
        raise CollectionError(Note.of("no-pick-materials"))
    if len(found) != 1:
        labels = "、".join(m.label for m in plan.documents)
        raise CollectionError(Note.of("unknown-pick", material=material, labels=labels))
    chosen, school = found[0], find_school(col, school_name)
    if undo:
        mine = [p for p in picks(col) if p.school.id == school.id and p.material.id == chosen.id]
        if not mine:
            raise CollectionError(Note.of("not-picked", school=school.name, material=chosen.label))
        revoke(col, mine[-1].decision)
        return mine[-1]
    docs = [d for d in col.ledger.documents() if d.school_id == school.id and d.material == chosen.id and not d.waiting]
    if not docs:
        raise CollectionError(Note.of("nothing-to-pick", school=school.name, material=chosen.label))
    if any(p.school.id == school.id and p.material.id == chosen.id for p in picks(col)):
        raise CollectionError(Note.of("picked-already", school=school.name, material=chosen.label))
    made = decide(col, KIND, school_id=school.id, sha256=docs[-1].sha256, rule=chosen.id, note=note)
    return Pick(school, chosen, docs[-1], made)


def picks(col: Collection) -> list[Pick]:
    """Every pick in force, oldest first, with its school, material and document."""
    made = [d for d in decisions(col) if d.kind == KIND]
    if not made:
        return []
    plan = col.plan
    materials = {m.id: m for m in plan.documents}
    schools = {s.id: s for s in col.ledger.schools(removed=True)}
    docs = {d.sha256: d for d in col.ledger.documents()}
    return [Pick(schools[d.school_id], materials[d.rule], docs[d.sha256], d) for d in made
            if d.school_id in schools and d.rule in materials and d.sha256 in docs]
