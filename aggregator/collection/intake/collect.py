"""``collect``: take returned files however they arrive, archive, identify, read, check, record.

Order per file is fixed and is what makes a crash harmless: hash, skip if already known, archive
byte for byte (``archive``), and only then read. The ledger rows of a file and its return are
written together in one transaction, batched, after the batch's archived copies are durable, so
a killed run or a power cut leaves either a recorded file or an archived copy that the next run
will simply process again.

Every read happens in a worker process (``pool``), whatever the size of the batch: a file that
makes the reading library abort, crash, run out of memory or hang costs that worker, not the
collect. Such a file is recorded as unreadable with a plain reason (the details go to
``logs/collect.log``), a fresh worker takes the rest, and the next collect skips it like any
recorded file unless the clerk asks for unreadable files to be read again (``retry_unreadable``).
The parent hashes and archives every file before handing it over, gets the outcomes back in the
order the files came, and writes the ledger itself, so the ledger is row for row the same
whichever worker read what.
"""

from __future__ import annotations

import hashlib
import os
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ... import clock, faults, stages
from ..store.archive import Archive, hash_file
from ...messages import Note, message
from ...progress import Cancel, Job, Progress
from ..store.folder import Collection
from .incoming import Incoming, expand
from ..store.ledger import DocumentRecord, FileRecord, ReturnRecord
from ..store.locked import retrying
from ..store.plan import Plan
from .pool import Failed, Pool, open_log, write_log
from ..store.roster import School
from ..views.state import state_of
from .worker import Reader, ReadJob, Roster, Template, template_of
from ...findings import Report
from ..supervision.answers import Recognised
from ..supervision.order import load_order
from ..supervision.register import issued_sheets
from ..supervision.store import Store

BATCH = 200  # files per ledger transaction
# Reading processes: one for a small batch (a second one would not pay for itself), one per core
# from this many files (see benchmarks/run.py).
POOL_MIN = 200
MAX_WORKERS = 8
LOG = Path("logs") / "collect.log"  # inside the collection folder: what the clerk is not shown
# How a reading worker failed on a file -> the unreadable kind the clerk is shown.
FAILED_KINDS = {"error": "read-error", "crash": "read-crash", "timeout": "read-timeout", "memory": "read-memory"}


@dataclass
class CollectResult:
    seen: int = 0
    new_returns: list[tuple[str, str, str]] = field(default_factory=list)  # (file, school or "", status)
    duplicates: int = 0
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    review: list[tuple[str, Note]] = field(default_factory=list)  # (file, why)
    documents: list[tuple[str, str, str, str]] = field(default_factory=list)  # (file, school, material, status)
    cancelled: bool = False
    # Where every school stands after it, when the session worked that out to keep the views
    # (``Session.collect``): the CLI's sentence and the window use it instead of another (0.2 s
    # at 10,000 schools). None: nothing new, nothing worked out.
    overview: Any = field(default=None, repr=False, compare=False)


def _member_key(container_sha: str, item: Incoming) -> str:
    """The ledger key of an archive member that could not be taken out (a link, a bomb, a zip
    nested too deep): it has no bytes of its own, so its archive's hash and its path in it."""
    where = item.name[len(item.container):]
    return hashlib.sha256(f"{container_sha}\0{where}".encode("utf-8", "surrogatepass")).hexdigest()


class _Batch:
    """Ledger rows waiting for their transaction, which commits only once the archived copies
    they point at are durable."""

    def __init__(self, col: Collection, archive: Archive) -> None:
        self.col = col
        self.archive = archive
        self.items: list[tuple[FileRecord, ReturnRecord | DocumentRecord | None]] = []
        self.retried: set[str] = set()  # unreadable files read again: their old row is replaced
        self.answers: list[tuple[str, Recognised, str]] = []  # documents answering a 督办单 (sha, how, when)

    def add(self, file: FileRecord, ret: ReturnRecord | DocumentRecord | None = None) -> None:
        self.items.append((file, ret))
        if len(self.items) >= BATCH:
            self.flush()

    def flush(self) -> int:
        """Write pending rows; returns how many were already there (another process was first)."""
        if not self.items:
            return 0
        stages.lap("record")
        self.archive.sync()
        stages.lap("sync")
        raced = 0
        with self.col.ledger.transaction() as db:
            for file, ret in self.items:
                if file.sha256 in self.retried:
                    db.execute("DELETE FROM files WHERE sha256 = ? AND outcome = 'unreadable'", (file.sha256,))
                if not self.col.ledger.add_file(file):
                    raced += 1
                    continue
                if isinstance(ret, DocumentRecord):
                    self.col.ledger.add_document(ret)
                elif ret is not None:
                    self.col.ledger.add_return(ret)
            for sha, answer, at in self.answers:
                Store(self.col.ledger).add_answers(sha, answer.sheets, answer.by, at)
            faults.reached("ledger")
        faults.reached("committed")
        stages.lap("ledger")
        self.items, self.answers = [], []
        return raced


def collect(col: Collection, paths: Iterable[str | Path] | None = None, cancel: Cancel | None = None, *,
            workers: int | None = None, retry_unreadable: bool = False) -> Job[CollectResult]:
    """Generator: yields ``Progress`` per file, returns a ``CollectResult``.

    ``workers``: reading processes; None decides (one, or one per core from ``POOL_MIN`` files).
    ``retry_unreadable``: read again the files recorded as unreadable (after a fix to the
    reader, or to see whether a worker's crash was the file's fault); others stay skipped.
    """
    schools = col.schools()
    by_id = {s.id: s for s in schools}
    roots = [Path(p) for p in (paths or [col.folder("inbox")])]
    known = col.ledger.known_hashes()
    retry = {f.sha256 for f in col.ledger.files("unreadable")} if retry_unreadable else set()
    containers: dict[str, tuple[str, str]] = {}  # an archive's name -> (sha256, archived), this run
    total = sum(len(files) for r in roots if r.is_dir() for _, _, files in os.walk(r)) + sum(
        1 for r in roots if not r.is_dir()
    )
    result = CollectResult()
    archive = Archive(col.root)
    batch = _Batch(col, archive)
    if workers is None:
        workers = min(os.cpu_count() or 1, MAX_WORKERS) if total >= POOL_MIN else 1
    log = col.root / LOG
    plan = col.plan
    roster = Roster(col.form_source, tuple(schools), col.settings.levels, col.settings.id, plan, _templates(col, plan),
                    issued_sheets(col), load_order().answer_keywords)
    reading = _Reading(roster, workers, log)
    now = clock.stamp()
    done = 0
    stages.lap("open")
    try:
        for item in expand(roots):
            stages.lap("intake")
            if cancel is not None and cancel.is_set:
                result.cancelled = True
                break
            done += 1
            total = max(total, done)
            yield Progress(done, total, item.name, "收取")
            stages.lap("progress")
            result.seen += 1
            if item.problem and not item.path:  # no bytes to keep: a link, a path gone, an archive member
                for entry, outcome in reading.finish():  # what came before is recorded before it
                    _settle(entry, outcome, batch, result, by_id, log, plan)
                if item.container and not _member_problem(col, item, containers, known, batch, now):
                    result.duplicates += 1  # its archive was collected before
                else:
                    result.unreadable.append((item.name, item.problem[1]))
                continue
            try:  # another program may hold it (Excel, a sync client): tried again a moment later
                data, sha = retrying(lambda: _contents(item))
            except (PermissionError, FileNotFoundError) as exc:  # listed, nothing recorded: the next collect tries
                result.unreadable.append((item.name, _not_taken(item, exc)))
                continue
            faults.reached("hash")
            stages.lap("hash")
            if item.is_zip:
                containers[item.name] = (sha, "")
            if sha in known and sha not in retry:
                result.duplicates += 1
                continue
            if sha in retry:
                retry.discard(sha)
                batch.retried.add(sha)
            known.add(sha)
            try:
                archived = retrying(lambda: archive.store(item.name, sha, path=item.path if data is None else None,
                                                          data=data))
            except (PermissionError, FileNotFoundError) as exc:  # copied from the file itself (an archive, a
                known.discard(sha)  # refused file): held, or moved away, since it was hashed
                result.unreadable.append((item.name, _not_taken(item, exc)))
                continue
            stages.lap("archive")
            base = FileRecord(sha, item.name, item.source, archived, item.size, item.received_at, now, "return")
            if item.is_zip:
                containers[item.name] = (sha, archived)
                work: ReadJob | tuple = ("container",)
            elif item.problem:
                work = ("unreadable", item.problem[0], item.problem[1])
            else:
                work = ReadJob(str(col.root / archived), item.name, sha, item.received_at)
            ready = reading.submit((item.name, base), work)  # in order, read or not
            stages.lap("readers")
            for entry, outcome in ready:
                _settle(entry, outcome, batch, result, by_id, log, plan)
            stages.lap("record")
        stages.lap("intake")
        ready = reading.finish()  # also after a cancel: what was archived is read
        stages.lap("readers")
        for entry, outcome in ready:
            _settle(entry, outcome, batch, result, by_id, log, plan)
    finally:
        reading.close()
        stages.lap("readers")
        result.duplicates += batch.flush()
        stages.lap("record")
    return result


def _contents(item: Incoming) -> tuple[bytes | None, str]:
    """A file's bytes (None for one archived by copying: a zip, a file refused at intake) and hash."""
    data = None if item.path and (item.problem or item.is_zip) else item.read()
    return data, hash_file(item.path) if data is None else hashlib.sha256(data).hexdigest()


def _not_taken(item: Incoming, exc: OSError) -> str:
    """Why a listed file was not taken this time: another program holds it, or it was moved,
    renamed or deleted since the folder was listed (a download finishing under another name)."""
    if isinstance(exc, FileNotFoundError):
        if item.path and os.path.exists(item.path):  # the file is there: what is gone is ours, not the clerk's
            raise exc
        return message("vanished")
    return message("locked")


def _settle(entry: tuple[str, FileRecord], outcome: Any, batch: _Batch, result: CollectResult,
            by_id: dict[str, School], log: Path, plan: Plan) -> None:
    """What became of one file, into the ledger batch and the result."""
    name, base = entry
    if isinstance(outcome, Failed):  # the worker reading it raised, died, ran out of time or memory
        kind = FAILED_KINDS[outcome.kind]
        write_log(log, f"{name} ({base.archived}): {kind}: {outcome.detail}")
        outcome = ("unreadable", kind, message(kind))
    if outcome[0] == "container":
        batch.add(_with(base, outcome="container"))
        return
    if outcome[0] == "unreadable":
        _, kind, reason = outcome
        batch.add(_with(base, outcome="unreadable", reason_kind=kind, reason=reason))
        result.unreadable.append((name, reason))
        return
    if outcome[0] == "document":
        doc: DocumentRecord = outcome[1]
        batch.add(_with(base, outcome="document"), doc)
        label = next((m.label for m in plan.documents if m.id == doc.material), "")
        if len(outcome) > 2:  # it answers a 督办单: recorded with the file, in its transaction
            batch.answers.append((doc.sha256, outcome[2], base.collected_at))
            label = f"整改材料（{'、'.join(outcome[2].sheets)}）"
        result.documents.append((name, by_id[doc.school_id].name if doc.school_id else "", label,
                                 Report(doc.findings).status))
        if doc.review:
            result.review.append((name, doc.review))
        return
    ret: ReturnRecord = outcome[1]
    batch.add(_with(base, outcome="return" if ret.school_id else "unidentified"), ret)
    status = state_of(ret)
    school = by_id[ret.school_id].name if ret.school_id else ""
    result.new_returns.append((name, school, status))
    if ret.review:
        result.review.append((name, ret.review))


# --- reading, in worker processes (``worker``) ----------------------------------------------------


class _Reading:
    """Files handed over in order, outcomes back in the same order. A file that needs no reading
    (an archive, a file refused at intake) comes with its outcome and keeps its place; the others
    go to a pool of reading processes (started on the first, so a run with nothing new starts
    none). An outcome is a ``worker.Reader`` result, or the pool's ``Failed``."""

    def __init__(self, roster: Roster, workers: int, log: Path | None) -> None:
        self.roster = roster
        self.workers = workers
        self.log = log
        self._pool: Pool | None = None
        self._order: deque[list] = deque()  # [entry, outcome or _WAITING], in the order handed over

    def submit(self, entry: Any, work: ReadJob | tuple) -> list[tuple[Any, Any]]:
        if isinstance(work, ReadJob):
            if self._pool is None:
                if self.log is not None:
                    open_log(self.log)
                self._pool = Pool(Reader, self.roster, workers=self.workers, log=self.log)
            self._pool.submit(work)
            self._order.append([entry, _WAITING])
        else:
            self._order.append([entry, work])
        return self._ready(wait=False)

    def finish(self) -> list[tuple[Any, Any]]:
        return self._ready(wait=True)

    def _ready(self, wait: bool) -> list[tuple[Any, Any]]:
        if self._pool is not None:
            outcomes = iter(self._pool.drain() if wait else self._pool.ready())
            for slot in self._order:  # the pool answers in the order the jobs went in
                if slot[1] is _WAITING:
                    slot[1] = next(outcomes, _WAITING)
                    if slot[1] is _WAITING:
                        break
        done = []
        while self._order and self._order[0][1] is not _WAITING:
            entry, outcome = self._order.popleft()
            done.append((entry, outcome))
        return done

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None


_WAITING = object()


def _member_problem(col: Collection, item: Incoming, containers: dict[str, tuple[str, str]], known: set[str],
                    batch: _Batch, now: str) -> bool:
    """Record an archive member that could not be taken out, pointing at its archive (which is
    kept byte for byte); False when it was recorded before."""
    container_sha, archived = containers.get(item.container, ("", ""))
    key = _member_key(container_sha, item)
    if key in known:
        return False
    known.add(key)
    archived = archived or col.ledger.archived(container_sha)
    batch.add(FileRecord(key, item.name, item.source, archived, item.size, item.received_at, now, "unreadable",
                         item.problem[0], item.problem[1]))
    return True


def _with(rec: FileRecord, **changes) -> FileRecord:
    return FileRecord(**{**rec.__dict__, **changes})


def _templates(col: Collection, plan: Plan) -> tuple[Template, ...]:
    """The documents the collection sent out to be filled in, as workers compare with them."""
    out = []
    for m in plan.documents:
        path = col.root / m.template if m.template else None
        if path is not None and path.is_file():
            out.append(template_of(m.id, path, hash_file(path)))
    return tuple(out)
