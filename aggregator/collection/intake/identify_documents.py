"""Whose document is this, and which material? From its file name, its title and first lines.

A case article arrives as ``双减督导优秀工作案例（实验小学）.docx``, or as ``新建文档.docx`` whose
first line is "某某区实验小学“双减”督导优秀工作案例". The school is the roster name found in the
file name, else in the title and opening lines; the material is the one whose keywords appear
there. Two schools, two materials, or none: the document waits for the clerk, as returns do.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ...messages import Note
from ...reading.documents import Document
from ..store.names import NameIndex
from ..store.plan import Plan
from ..store.roster import School

_OPENING = 300  # characters of the text, besides the title, where a school names itself


@dataclass(frozen=True)
class DocumentIdentity:
    school_id: str | None
    material: str  # "" when unknown
    by: str  # filename | title | clerk | ""
    review: Note | None = None


def identify_document(file_name: str, doc: Document, index: NameIndex, schools: dict[str, School],
                      plan: Plan) -> DocumentIdentity:
    stem = os.path.splitext(os.path.basename(file_name.replace("\\", "/")))[0]
    opening = f"{doc.title}\n{doc.text[:_OPENING]}"
    by_name, by_text = index.find_in(stem), index.find_in(opening) if opening.strip() else None
    school, by = (by_name, "filename") if by_name else (by_text, "title") if by_text else (None, "")
    material = _material(plan, f"{stem}\n{doc.title}\n{doc.text[:100]}", schools.get(school) if school else None)
    if by_name and by_text and by_name != by_text:
        return DocumentIdentity(by_name, material, by, Note.of(
            "document-two-schools", by_name=schools[by_name].name, by_text=schools[by_text].name))
    if school is None:
        return DocumentIdentity(None, material, "", Note.of("document-no-school"))
    if not material:
        return DocumentIdentity(school, "", by, Note.of("document-no-material", school=schools[school].name))
    return DocumentIdentity(school, material, by)


def _material(plan: Plan, text: str, school: School | None) -> str:
    """The one material whose keywords the text names; among several, those the school owes."""
    hits = [m for m in plan.documents if any(k in text for k in m.keywords)]
    if len(hits) > 1 and school is not None:
        hits = [m for m in hits if m.who.owes(school)]
    if len(hits) > 1:  # the longest keyword found decides ("落实情况报告" over "报告")
        best = max(max(len(k) for k in m.keywords if k in text) for m in hits)
        hits = [m for m in hits if any(len(k) == best and k in text for k in m.keywords)]
    return hits[0].id if len(hits) == 1 else ""
