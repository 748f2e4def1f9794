"""``collect``: take returned files however they arrive, archive, identify, read, check, record.

Order per file is fixed and is what makes a crash harmless: hash, skip if already known, archive
byte for byte, and only then read. The ledger rows of a file and its return are written together
in one transaction, batched, so a killed run leaves either a recorded file or an archived copy
that the next run will simply process again. A file is archived under a temporary name that
intake ignores (".~…part", one per writer) and renamed into place, so a killed copy is never
taken for a file, nor two processes archiving the same file write into one temporary file.

Reading is the one costly step (about a millisecond a file). A large batch (``POOL_MIN`` files or
more) is read by a pool of processes, one per core: the parent still hashes and archives every
file before handing it over, gets the returns back in the order the files came, and writes the
ledger itself, so the ledger is row for row what one process reading everything would write.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Iterator

from .folder import Collection
from ..form.declaration import Form, load_form
from .identify import Identity, identify
from .intake import Incoming, expand
from .ledger import FileRecord, ReturnRecord
from .names import NameIndex
from ..progress import Cancel, Job, Progress
from ..reading import UnreadableFile, read_return
from .roster import School
from .state import state_of
from ..checks.validate import Context, validate

BATCH = 200  # files per ledger transaction
# A pool pays from about this many files to read: starting its processes costs about 0.2 s (see
# benchmarks/run.py), what one process spends reading some 150 returns.
POOL_MIN = 200
CHUNK = 128  # files archived, then handed to the pool together
MAX_WORKERS = 8
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
    """The last part of ``name``, fit for any file system: no reserved characters, at most 120
    characters and 150 bytes (a zip member's name can be longer than a file's may be)."""
    base = re.split(r"[\\/]", name)[-1]
    base = re.sub(r'[\x00-\x1f<>:"|?*]', "_", base).strip(" .") or "file"
    base = base[-120:]
    while len(base.encode("utf-8")) > 150:
        base = base[1:]
    return base


def _archive(col: Collection, item: Incoming, sha: str, data: bytes | None) -> str:
    """Store the file as received; idempotent (the same bytes land in the same place). A copy
    already there (another process, or a killed run) is kept only when its bytes are these."""
    day = datetime.now().strftime("%Y-%m-%d")
    rel = Path("archive") / day / f"{sha[:12]}-{_safe_name(item.name)}"
    target = col.root / rel
    if target.exists() and _hash_file(str(target)) == sha:
        return rel.as_posix()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".~{sha[:12]}.{secrets.token_hex(4)}.part")
    try:
        if data is None:
            shutil.copyfile(item.path, tmp)
        else:
            tmp.write_bytes(data)
        try:
            os.replace(tmp, target)
        except PermissionError:  # Windows: another process is reading the copy it just made
            if not (target.exists() and _hash_file(str(target)) == sha):
                raise
    finally:
        with suppress(FileNotFoundError):
            tmp.unlink()
    return rel.as_posix()


def _member_key(container_sha: str, item: Incoming) -> str:
    """The ledger key of an archive member that could not be taken out (a link, a bomb, a zip
    nested too deep): it has no bytes of its own, so its archive's hash and its path in it."""
    where = item.name[len(item.container):]
    return hashlib.sha256(f"{container_sha}\0{where}".encode("utf-8", "surrogatepass")).hexdigest()


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


def collect(col: Collection, paths: Iterable[str | Path] | None = None, cancel: Cancel | None = None, *,
            workers: int | None = None) -> Job[CollectResult]:
    """Generator: yields ``Progress`` per file, returns a ``CollectResult``.

    ``workers``: processes that read; None decides (a pool of one per core from ``POOL_MIN``
    files to read), 1 reads here, 2 or more always uses a pool (tests force it on small batches).
    """
    schools = col.schools()
    by_id = {s.id: s for s in schools}
    roots = [Path(p) for p in (paths or [col.folder("inbox")])]
    known = col.ledger.known_hashes()
    containers: dict[str, tuple[str, str]] = {}  # an archive's name -> (sha256, archived), this run
    total = sum(len(files) for r in roots if r.is_dir() for _, _, files in os.walk(r)) + sum(
        1 for r in roots if not r.is_dir()
    )
    result = CollectResult()
    batch = _Batch(col)
    if workers is None:
        workers = min(os.cpu_count() or 1, MAX_WORKERS) if total >= POOL_MIN else 1
    reading = _Reading(_Roster(col.form_source, tuple(schools), col.settings.name, col.settings.id), workers)
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
            if item.problem and not item.path:  # no bytes to keep: a link, a path gone, an archive member
                for entry, outcome in reading.finish():  # what came before is recorded before it
                    _settle(entry, outcome, batch, result, by_id)
                if item.container and not _member_problem(col, item, containers, known, batch, now):
                    result.duplicates += 1  # its archive was collected before
                else:
                    result.unreadable.append((item.name, item.problem[1]))
                continue
            data = None if item.path and (item.problem or item.is_zip) else item.read()
            sha = _hash_file(item.path) if data is None else hashlib.sha256(data).hexdigest()
            if item.is_zip:
                containers[item.name] = (sha, "")
            if sha in known:
                result.duplicates += 1
                continue
            known.add(sha)
            archived = _archive(col, item, sha, data)
            base = FileRecord(sha, item.name, item.source, archived, item.size, item.received_at, now, "return")
            if item.is_zip:
                containers[item.name] = (sha, archived)
                work: _ReadJob | tuple = ("container",)
            elif item.problem:
                work = ("unreadable", item.problem[0], item.problem[1])
            else:
                work = _ReadJob(str(col.root / archived), item.name, sha, item.received_at)
            for entry, outcome in reading.submit((item.name, base), work):  # in order, read or not
                _settle(entry, outcome, batch, result, by_id)
        for entry, outcome in reading.finish():  # also after a cancel: what was archived is read
            _settle(entry, outcome, batch, result, by_id)
    finally:
        reading.close()
        result.duplicates += batch.flush()
    return result


def _settle(entry: tuple[str, FileRecord], outcome: tuple, batch: _Batch, result: CollectResult,
            by_id: dict[str, School]) -> None:
    """What became of one file, into the ledger batch and the result."""
    name, base = entry
    if outcome[0] == "container":
        batch.add(_with(base, outcome="container"))
        return
    if outcome[0] == "unreadable":
        _, kind, reason = outcome
        batch.add(_with(base, outcome="unreadable", reason_kind=kind, reason=reason))
        result.unreadable.append((name, reason))
        return
    ret: ReturnRecord = outcome[1]
    batch.add(_with(base, outcome="return" if ret.school_id else "unidentified"), ret)
    status = state_of(ret)
    school = by_id[ret.school_id].name if ret.school_id else ""
    result.new_returns.append((name, school, status))
    if ret.review:
        result.review.append((name, ret.review))


# --- reading, here or in a pool -----------------------------------------------------------------


@dataclass(frozen=True)
class _ReadJob:
    path: str  # the archived copy
    name: str  # as received: the file name identifies a school when nothing else does
    sha256: str
    received_at: str


@dataclass(frozen=True)
class _Roster:
    """What reading, identifying and checking a return needs; sent once to each worker."""

    form: str  # the declaration's name or path
    schools: tuple[School, ...]
    district: str
    collection_id: str


class _Reader:
    """Read, identify and check one archived file: ("unreadable", kind, reason) or ("return", record)."""

    def __init__(self, roster: _Roster) -> None:
        self.form = load_form(roster.form)
        self.by_id = {s.id: s for s in roster.schools}
        self.index = NameIndex({s.id: s.name for s in roster.schools}, roster.district)
        self.collection_id = roster.collection_id

    def __call__(self, job: _ReadJob) -> tuple:
        try:
            sub = read_return(job.path, self.form)
        except UnreadableFile as exc:
            return ("unreadable", exc.kind, exc.message)
        not_ours = next((f for f in sub.findings if f.rule in NOT_THIS_FORM), None)
        if not_ours is not None:  # another workbook (a case report, last year's form): not a return
            return ("unreadable", not_ours.rule, not_ours.message)
        ident = identify(sub, job.name, self.index, self.by_id, self.collection_id, self.form.unit)
        return ("return", _record(self.form, sub, ident, self.by_id, self.index, job.sha256, job.received_at))


_WORKER_READER: _Reader | None = None


def _start_worker(roster: _Roster) -> None:
    global _WORKER_READER
    _WORKER_READER = _Reader(roster)
    # Ctrl+C reaches the whole console group: the parent stops the pool and keeps what was
    # done; a worker printing its own KeyboardInterrupt traceback would only alarm the clerk.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _leave_with_parent()


def _leave_with_parent(every: float = 0.5) -> None:
    """A worker whose parent was killed would wait for work forever (its siblings hold the
    queue open): a watcher thread ends it once the parent is gone (re-parented on POSIX, its
    process handle signalled on Windows)."""
    parent, ppid = multiprocessing.parent_process(), os.getppid()

    def watch() -> None:
        while True:
            time.sleep(every)
            if os.getppid() != ppid or (parent is not None and not parent.is_alive()):
                os._exit(1)

    threading.Thread(target=watch, name="leave-with-parent", daemon=True).start()


def _read_in_worker(job: _ReadJob) -> tuple:
    assert _WORKER_READER is not None
    return _WORKER_READER(job)


def _start_method() -> multiprocessing.context.BaseContext:
    """Fork where it is safe, and cheapest (Linux, one thread: workers start in milliseconds and
    re-import nothing); else spawn (the only safe one on Windows and macOS, and in the desktop,
    which collects from a thread: a fork would copy locks other threads hold). A spawned worker
    imports the program's main module, so a script calling ``collect`` needs the usual
    ``if __name__ == "__main__":`` guard, or ``workers=1``."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


class _Reading:
    """Files handed over in order, outcomes back in the same order. A file that needs no reading
    (an archive, a file refused at intake) comes with its outcome and keeps its place.

    With one worker each file is read at once. With more, files gather in chunks of ``CHUNK``; a
    chunk is sent to the pool (started on the first, so a run with nothing new starts none), and
    the chunk before it is collected once this one is on its way: the workers always have a chunk
    queued while the parent archives the next. If the pool breaks (a worker died), the rest is
    read here, as it would be without a pool.
    """

    def __init__(self, roster: _Roster, workers: int) -> None:
        self.roster = roster
        self.workers = workers
        self._reader: _Reader | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._pending: list[tuple[Any, _ReadJob | tuple]] = []
        self._in_flight: list[tuple[list[tuple[Any, _ReadJob | tuple]], Iterator[tuple]]] = []

    def _here(self, work: _ReadJob | tuple) -> tuple:
        if not isinstance(work, _ReadJob):
            return work
        if self._reader is None:
            self._reader = _Reader(self.roster)
        return self._reader(work)

    def submit(self, entry: Any, work: _ReadJob | tuple) -> list[tuple[Any, tuple]]:
        if self.workers <= 1:
            return [(entry, self._here(work))]
        self._pending.append((entry, work))
        return self._send() if len(self._pending) >= CHUNK else []

    def finish(self) -> list[tuple[Any, tuple]]:
        if self.workers <= 1:
            return []
        done = self._send()
        while self._in_flight:
            done += self._collect()
        return done

    def _send(self) -> list[tuple[Any, tuple]]:
        chunk, self._pending = self._pending, []
        jobs = [work for _, work in chunk if isinstance(work, _ReadJob)]
        if self.workers <= 1 or not jobs:  # the pool broke, or nothing to read: in order, here
            done = []
            while self._in_flight:
                done += self._collect()
            return done + [(entry, self._here(work)) for entry, work in chunk]
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, _start_method(),
                                             initializer=_start_worker, initargs=(self.roster,))
        read = self._pool.map(_read_in_worker, jobs, chunksize=max(1, len(jobs) // (4 * self.workers)))
        self._in_flight.append((chunk, read))
        return self._collect() if len(self._in_flight) > 1 else []

    def _collect(self) -> list[tuple[Any, tuple]]:
        """The oldest chunk in flight, in order."""
        chunk, read = self._in_flight.pop(0)
        try:
            return [(entry, work if not isinstance(work, _ReadJob) else next(read)) for entry, work in chunk]
        except BrokenProcessPool:
            rest = [chunk] + [c for c, _ in self._in_flight]
            self._in_flight = []
            self.close()
            self.workers = 1
            return [(entry, self._here(work)) for c in rest for entry, work in c]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


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


def context_for(school: School | None, unit: object, index: NameIndex) -> Context:
    return Context(in_roster=index.match(str(unit or "")) is not None, stage=school.stage if school else "")


def _record(form: Form, sub, ident: Identity, by_id: dict[str, School], index: NameIndex, sha: str,
            received_at: str) -> ReturnRecord:
    school = by_id.get(ident.school_id) if ident.school_id else None
    report = validate(form, sub, context_for(school, sub.values.get(form.unit.id), index))
    return ReturnRecord(sub, sha256=sha, school_id=ident.school_id, identified_by=ident.by, review=ident.review,
                        received_at=received_at, findings=report.findings)
