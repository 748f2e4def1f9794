"""``collect``: take returned files however they arrive, archive, identify, read, check, record.

Order per file is fixed and is what makes a crash harmless: hash, skip if already known, archive
byte for byte, and only then read. The ledger rows of a file and its return are written together
in one transaction, batched, so a killed run leaves either a recorded file or an archived copy
that the next run will simply process again.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterable

from .collection import Collection
from .findings import Report
from .forms import Form
from .identify import Identity, identify
from .intake import Incoming, expand
from .ledger import FileRecord, ReturnRecord
from .names import NameIndex
from .progress import Cancel, Job, Progress
from .reading import UnreadableFile, read_return
from .roster import School
from .validate import Context, validate

BATCH = 200  # files per ledger transaction
# A workbook without our table is no return: it must not supersede a school's real one.
NOT_THIS_FORM = ("form-not-found", "wrong-form")


@dataclass
class CollectResult:
    seen: int = 0
    new_returns: list[tuple[str, str, str]] = field(default_factory=list)  # (file, school or "", status)
    duplicates: int = 0
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    review: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    cancelled: bool = False


def _safe_name(name: str) -> str:
    base = re.split(r"[\\/]", name)[-1]
    base = re.sub(r'[\x00-\x1f<>:"|?*]', "_", base).strip(" .") or "file"
    return base[-120:]


def _archive(col: Collection, item: Incoming, sha: str, data: bytes | None) -> str:
    """Store the file as received; idempotent (the same bytes land in the same place)."""
    day = datetime.now().strftime("%Y-%m-%d")
    rel = Path("archive") / day / f"{sha[:12]}-{_safe_name(item.name)}"
    target = col.root / rel
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        if data is None:
            shutil.copyfile(item.path, tmp)
        else:
            tmp.write_bytes(data)
        os.replace(tmp, target)
    return rel.as_posix()


def _hash_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class _Batch:
    """Ledger rows waiting for their transaction."""

    def __init__(self, col: Collection) -> None:
        self.col = col
        self.items: list[tuple[FileRecord, ReturnRecord | None]] = []

    def add(self, file: FileRecord, ret: ReturnRecord | None = None) -> None:
        self.items.append((file, ret))
        if len(self.items) >= BATCH:
            self.flush()

    def flush(self) -> int:
        """Write pending rows; returns how many were already there (another process was first)."""
        if not self.items:
            return 0
        raced = 0
        with self.col.ledger.transaction():
            for file, ret in self.items:
                if not self.col.ledger.add_file(file):
                    raced += 1
                    continue
                if ret is not None:
                    self.col.ledger.add_return(ret)
        self.items = []
        return raced


def collect(col: Collection, paths: Iterable[str | Path] | None = None, cancel: Cancel | None = None) -> Job[CollectResult]:
    """Generator: yields ``Progress`` per file, returns a ``CollectResult``."""
    form = col.form
    schools = col.schools()
    by_id = {s.id: s for s in schools}
    index = NameIndex({s.id: s.name for s in schools}, col.settings.name)
    roots = [Path(p) for p in (paths or [col.folder("inbox")])]
    known = col.ledger.known_hashes()
    total = sum(len(files) for r in roots if r.is_dir() for _, _, files in os.walk(r)) + sum(
        1 for r in roots if not r.is_dir()
    )
    result = CollectResult()
    batch = _Batch(col)
    now = datetime.now().isoformat(timespec="seconds")
    done = 0
    try:
        for item in expand(roots):
            if cancel is not None and cancel.is_set:
                result.cancelled = True
                break
            done += 1
            total = max(total, done)
            yield Progress(done, total, item.name, "收取")
            result.seen += 1
            if item.problem and item.problem[0] == "missing":
                result.unreadable.append((item.name, item.problem[1]))
                continue
            data = None if item.path and item.problem else item.read()
            if data is None and not item.path:  # a problem found inside an archive: nothing to keep
                result.unreadable.append((item.name, item.problem[1]))
                continue
            sha = _hash_file(item.path) if data is None else hashlib.sha256(data).hexdigest()
            if sha in known:
                result.duplicates += 1
                continue
            known.add(sha)
            archived = _archive(col, item, sha, data)
            base = FileRecord(sha, item.name, item.source, archived, item.size, item.received_at, now, "return")
            if item.is_zip:
                batch.add(_with(base, outcome="container"))
                continue
            if item.problem:
                batch.add(_with(base, outcome="unreadable", reason_kind=item.problem[0], reason=item.problem[1]))
                result.unreadable.append((item.name, item.problem[1]))
                continue
            try:
                sub = read_return(col.root / archived, form)
            except UnreadableFile as exc:
                batch.add(_with(base, outcome="unreadable", reason_kind=exc.kind, reason=exc.message))
                result.unreadable.append((item.name, exc.message))
                continue
            not_ours = next((f for f in sub.findings if f.rule in NOT_THIS_FORM), None)
            if not_ours is not None:  # another workbook (a case report, last year's form): not a return
                batch.add(_with(base, outcome="unreadable", reason_kind=not_ours.rule, reason=not_ours.message))
                result.unreadable.append((item.name, not_ours.message))
                continue
            ident = identify(sub, item.name, index, by_id, col.settings.id)
            ret = _record(form, sub, ident, by_id, index, sha, item.received_at)
            batch.add(_with(base, outcome="return" if ident.school_id else "unidentified"), ret)
            status = "needs_review" if ident.review else validate_status(ret)
            name = by_id[ident.school_id].name if ident.school_id else ""
            result.new_returns.append((item.name, name, status))
            if ident.review:
                result.review.append((item.name, ident.review))
    finally:
        result.duplicates += batch.flush()
    return result


def _with(rec: FileRecord, **changes) -> FileRecord:
    return FileRecord(**{**rec.__dict__, **changes})


def context_for(school: School | None, unit: object, index: NameIndex) -> Context:
    return Context(in_roster=index.match(str(unit or "")) is not None, stage=school.stage if school else "")


def _record(form: Form, sub, ident: Identity, by_id: dict[str, School], index: NameIndex, sha: str,
            received_at: str) -> ReturnRecord:
    school = by_id.get(ident.school_id) if ident.school_id else None
    report = validate(form, sub, context_for(school, sub.values.get("unit"), index))
    return ReturnRecord(
        sha256=sha,
        school_id=ident.school_id,
        identified_by=ident.by,
        review=ident.review,
        received_at=received_at,
        located_by=sub.located_by,
        meta=dict(sub.meta),
        values=dict(sub.values),
        cells=dict(sub.cells),
        notes=[
            n.__dict__ | {"raw": _jsonable(n.raw), "value": _jsonable(n.value),
                          "label": form.field(n.field).display if form.has_field(n.field) else n.field}
            for n in sub.notes
        ],
        findings=report.findings,
    )


def _jsonable(v: object) -> object:
    return v if isinstance(v, (int, float, str, bool)) or v is None else str(v)


def validate_status(ret: ReturnRecord) -> str:
    return Report(ret.findings).status
