"""The clerk settles what the tool would not guess: whose return a file is.

``assign`` attaches a waiting return (unidentified, or claimed by two schools) to a school of the
roster and checks it again with that school's 学段, keeping what the reader found in the cells.
"""

from __future__ import annotations

from .folder import Collection, CollectionError
from .intake import file_refs
from .collect import context_for
from ..messages import Note
from .ledger import ReturnRecord
from .names import NameIndex
from ..checks.validate import check_values, compiled_rules


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


def assign(col: Collection, ref: str, school_name: str) -> tuple[ReturnRecord, str]:
    schools = col.schools()
    index = NameIndex({s.id: s.name for s in schools}, col.settings.name)
    sid = index.match(school_name)
    if sid is None:
        raise CollectionError(f"名单中没有“{school_name}”这所学校，请写名单上的学校名称")
    school = next(s for s in schools if s.id == sid)
    ret = find_return(col, ref)
    form = col.form
    rule_ids = {r.spec.id for r in compiled_rules(form)}
    kept = tuple(f for f in ret.findings if f.rule not in rule_ids)  # cell-level findings of the reader
    rechecked = check_values(form, ret.values, ret.cells, context_for(school, ret.values.get(form.unit.id), index))
    with col.ledger.transaction():
        col.ledger.update_return(ret.id, school_id=sid, identified_by="clerk", review=None,
                                 findings=kept + tuple(rechecked))
    return ret, school.name
