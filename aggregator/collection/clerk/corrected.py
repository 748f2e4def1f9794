"""修改后收取: the clerk corrects a school's workbook herself, and the correction is collected.

The archive keeps every file exactly as the school sent it, so the clerk never edits the
archived copy. She gets a working copy in ``corrections/``, fixes it in Excel or WPS (often on
the phone with the school), saves it, and has it collected: it becomes the school's newest
version, like any other, and a ``corrected`` decision marks it "由区教育局修改" in status, the
desktop and the summary. The working copy then moves to ``corrections/已收取/``.
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import stat
from datetime import datetime
from pathlib import Path

from ... import clock
from ...messages import Note
from ...filenames import safe_file_name
from ...progress import Cancel, Job
from ..intake.collect import CollectResult, collect
from ..views.decisions import decide, find_school
from ..store.folder import Collection, CollectionError
from .overrule import _current
from .review import assign

FOLDER = "corrections"
DONE = "已收取"
MARK = "由区教育局修改"


def copy_path(col: Collection, school_name: str) -> Path:
    """Where the working copy of the school's current return is (whether or not it exists yet)."""
    school = find_school(col, school_name)
    ret = _current(col, school)
    suffix = Path(ret.archived).suffix if ret else ".xlsx"
    return col.root / FOLDER / f"{_stem(school.name)}{suffix}"


def pending_copy(root: Path, school_name: str) -> Path | None:
    """The working copy waiting to be collected, if any (no ledger needed: a window asks this often)."""
    return next(iter(sorted((Path(root) / FOLDER).glob(glob.escape(_stem(school_name)) + ".*"))), None)


def _stem(school_name: str) -> str:
    return f"{safe_file_name(school_name, fallback='学校')}（{MARK}）"


def working_copy(col: Collection, school_name: str) -> Path:
    """A copy of the school's current return to edit; an unfinished copy is kept, not overwritten."""
    school = find_school(col, school_name)
    ret = _current(col, school)
    if ret is None:
        raise CollectionError(Note.of("not-reported-to-edit", school=school.name))
    target = copy_path(col, school.name)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(col.root / ret.archived, target)
        os.chmod(target, stat.S_IREAD | stat.S_IWRITE)  # the archive's copy may be read-only
    return target


def collect_corrected(col: Collection, school_name: str, note: str = "",
                      cancel: Cancel | None = None) -> Job[CollectResult]:
    """Generator: collect the saved working copy as the school's new version, marked as ours."""
    school = find_school(col, school_name)
    path = copy_path(col, school.name)
    if not path.is_file():
        raise CollectionError(Note.of("no-working-copy", school=school.name))
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    if col.ledger.known(sha):
        raise CollectionError(Note.of("working-copy-unsaved"))
    original = _current(col, school)
    if original is not None:  # the school reported then: our correction must not make it late
        when = datetime.fromisoformat(original.received_at).timestamp()
        os.utime(path, (when, when))
    result = yield from collect(col, [path], cancel, workers=1)
    ret = next((r for r in col.ledger.returns(col.form) if r.sha256 == sha), None)
    if ret is None:
        raise CollectionError(Note.of("working-copy-unreadable", path=path))
    if ret.school_id != school.id:  # a copy of a return the clerk had to assign by hand
        assign(col, sha, school.name)
    decide(col, "corrected", school_id=school.id, sha256=sha, note=note or MARK)
    done = path.parent / DONE / f"{clock.now():%Y%m%d-%H%M%S}-{path.name}"
    done.parent.mkdir(parents=True, exist_ok=True)
    os.replace(path, done)
    return result

