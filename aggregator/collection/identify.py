"""Whose return is this? Decided from the workbook itself, never guessed.

In order of trust: the hidden metadata of the workbook we issued (it names the school), then the
填报单位 the school typed, matched to the roster with small differences forgiven, then the file
name. When two of these name different schools the return waits for the clerk (``review``), and
when none names a school it waits as unidentified.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..form.declaration import Field
from ..messages import Note
from .names import NameIndex
from .roster import School
from ..reading.submission import Submission


@dataclass(frozen=True)
class Identity:
    school_id: str | None
    by: str  # metadata | unit | filename | "" (unknown)
    review: Note | None = None  # why the clerk must decide; None when settled


def identify(sub: Submission, file_name: str, index: NameIndex, schools: dict[str, School],
             collection_id: str, unit: Field) -> Identity:
    """``unit``: the form's field whose role is unit (填报单位, 学校名称, …)."""
    meta = sub.meta or {}
    unit_text = str(sub.values.get(unit.id) or "").strip()
    by_unit = index.match(unit_text)

    by_meta = None
    if meta.get("collection_id") == collection_id and meta.get("school_id") in schools:
        by_meta = meta["school_id"]
    elif meta.get("school_name"):  # our workbook, but from another collection (last year's file)
        by_meta = index.match(meta["school_name"])

    if by_meta:
        if by_unit and by_unit != by_meta:
            return Identity(by_meta, "metadata", Note.of("review-meta-vs-unit", school=schools[by_meta].name,
                                                         unit_label=unit.label, unit=unit_text))
        return Identity(by_meta, "metadata")
    # Only now the file name: most returns are settled by their metadata above.
    by_file = index.find_in(os.path.splitext(os.path.basename(file_name.replace("\\", "/")))[0])
    if by_unit:
        if by_file and by_file != by_unit:
            return Identity(by_unit, "unit", Note.of("review-unit-vs-file", unit_label=unit.label, unit=unit_text,
                                                     school=schools[by_file].name))
        return Identity(by_unit, "unit")
    if by_file:
        return Identity(by_file, "filename")
    if unit_text:
        return Identity(None, "", Note.of("unidentified-unit", unit_label=unit.label, unit=unit_text))
    return Identity(None, "", Note.of("unidentified-blank", unit_label=unit.label))


def school_by_file_name(file_name: str, index: NameIndex, issued: dict[str, str]) -> str | None:
    """The school a file's own name points to, for a file nothing else can be read from (an
    unreadable workbook): the very name of a workbook we issued (``issued``: that name -> school
    id), else the one roster school its name contains; None when it names none, or two."""
    base = os.path.basename(file_name.replace("\\", "/"))
    if base in issued:
        return issued[base]
    return index.find_in(os.path.splitext(base)[0])

