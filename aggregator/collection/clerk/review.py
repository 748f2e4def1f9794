"""The clerk settles what the tool would not guess: whose return, or whose document, a file is.

``assign`` attaches a waiting return (unidentified, or claimed by two schools) to a school of the
roster and checks it again with that school's 学段, keeping what the reader found in the cells.
``assign_document`` does the same for a document, and says which material it is.
"""

from __future__ import annotations

from ...checks.documents import check_document
from ...checks.rules import compiled_rules
from ...checks.validate import check_values
from ...messages import Note
from ...reading.documents import Document
from ..store.folder import Collection, CollectionError
from ...filenames import file_refs
from ..store.ledger import DocumentRecord, ReturnRecord
from ..store.names import NameIndex
from ..store.plan import Material
from ..store.roster import School


def find_return(col: Collection, ref: str) -> ReturnRecord:
    """A return by its file name (as listed by status), archive path or hash prefix."""
    ref = ref.strip()
    hits = [
        r for r in col.ledger.returns(col.form)
        if ref in (r.archived, *file_refs(r.original_name))
        or (len(ref) >= 6 and r.sha256.startswith(ref.lower()))
    ]
    if not hits:
        raise CollectionError(Note.of("file-not-found", ref=ref))
    if len({r.sha256 for r in hits}) > 1:
        raise CollectionError(Note.of("file-ambiguous", ref=ref))
    return hits[-1]


def _school(col: Collection, school_name: str) -> tuple[School, NameIndex]:
    schools = col.schools()
    index = NameIndex({s.id: s.name for s in schools}, col.settings.levels)
    sid = index.match(school_name)
    if sid is None:
        raise CollectionError(Note.of("unknown-school", school=school_name))
    return next(s for s in schools if s.id == sid), index


def assign(col: Collection, ref: str, school_name: str) -> tuple[ReturnRecord, str]:
    from ..intake.worker import context_for  # with the reader: loaded for an assign, not for every command

    school, index = _school(col, school_name)
    sid = school.id
    ret = find_return(col, ref)
    form = col.form
    rule_ids = {r.spec.id for r in compiled_rules(form)}
    kept = tuple(f for f in ret.findings if f.rule not in rule_ids)  # cell-level findings of the reader
    rechecked = check_values(form, ret.values, ret.cells, context_for(school, ret.values.get(form.unit.id), index),
                             explanations={e.rule: e.text for e in ret.submission.explanations})
    with col.ledger.transaction():
        col.ledger.update_return(ret.id, school_id=sid, identified_by="clerk", review=None,
                                 findings=kept + tuple(rechecked))
    return ret, school.name


def find_document(col: Collection, ref: str) -> DocumentRecord | None:
    """A received document by its file name, archive path or hash prefix; None when no document
    is called that (it may be a return)."""
    ref = ref.strip()
    hits = [d for d in col.ledger.documents()
            if ref in (d.archived, *file_refs(d.original_name))
            or (len(ref) >= 6 and d.sha256.startswith(ref.lower()))]
    if len({d.sha256 for d in hits}) > 1:
        raise CollectionError(Note.of("file-ambiguous", ref=ref))
    return hits[-1] if hits else None


def assign_document(col: Collection, doc: DocumentRecord, school_name: str,
                    material: str = "") -> tuple[str, Material]:
    """Settle whose document ``doc`` is and which material (``material``: its id, its label or
    a word of it; "" keeps what was recognised); its light checks are made again against that
    material. Returns the school's name and the material."""
    school, _ = _school(col, school_name)
    plan = col.plan
    owed = [m for m in plan.owed_by(school) if not m.is_form]
    choices = "、".join(m.label for m in owed) or "（无）"
    if material:
        picked = plan.named(material)
        if len(picked) != 1:
            raise CollectionError(Note.of("unknown-material", material=material, choices=choices))
        chosen = picked[0]
        if chosen not in owed:
            raise CollectionError(Note.of("material-not-owed", school=school.name, material=chosen.label,
                                          choices=choices))
    elif doc.material and any(m.id == doc.material for m in owed):
        chosen = plan.material(doc.material)
    else:
        raise CollectionError(Note.of("material-required", school=school.name, choices=choices))
    unchanged = any(f.rule == "doc-unchanged" for f in doc.findings)  # the file itself: still the template
    again = check_document(Document(doc.format, doc.title, "", doc.chars), min_chars=chosen.min_chars,
                           label=chosen.label, unchanged=unchanged)
    with col.ledger.transaction():
        col.ledger.settle_document(doc.sha256, school_id=school.id, material=chosen.id, findings=again)
    return school.name, chosen
