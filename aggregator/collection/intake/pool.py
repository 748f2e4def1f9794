"""Worker processes that run one callable per job, so that nothing a job does can stop the caller.

A received file can make the library reading it abort the process (a Rust allocation failure),
crash it, eat all the memory or loop forever. So every read happens in a worker process with a
memory ceiling and a time limit per job, and the caller sees each job end in one of two ways: the
callable's value, or a ``Failed`` saying how the worker failed on it (``error``: the callable
raised; ``crash``: the worker died; ``timeout``; ``memory``). A worker that dies or is stopped is
replaced by a fresh one for the rest of the jobs; the job it died on is never given to another.

The pool is generic: ``setup(spec)`` builds the per-job callable once in each worker from a
picklable ``spec``, and the jobs and values are anything picklable. Values come back in the
order the jobs were submitted, whichever worker ran them.

Jobs travel in batches (``BATCH``), and their values come back a batch at a time: one message
each way for a batch, not for every file. What a worker is on is written, with when it started,
into a few bytes of memory the parent shares with it (``_Slot``): the time limit is kept per job,
and when a worker dies the job it died on is known exactly. That job alone fails; the jobs of
its batch it had finished (their values died with it) and those after it are read again by a
fresh worker.

The memory ceiling is ``RLIMIT_AS`` where the OS enforces it (Linux): a worker may grow by
``memory_mb`` less what it already holds, so its peak stays near ``memory_mb`` whatever a file
asks for (Python raises ``MemoryError``, Rust aborts the worker). Elsewhere the parent watches
each worker's resident memory (Windows) and stops one that goes over.

Workers write nothing to the terminal: their standard output and error (where a Rust panic
prints, with a backtrace under ``RUST_BACKTRACE``) go to ``log``, as do the tracebacks of jobs
that raised. A worker ignores Ctrl+C (the parent stops the pool and keeps what was done) and
leaves by itself when its parent is killed.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Callable, Generic, TypeVar

from ...resources import frozen
from .process import NEEDS_WATCH, exit_status, new_slot, open_log, prepare, rss_bytes, serve, write_log

__all__ = ["Failed", "Pool", "PoolSetupError", "open_log", "start_method", "write_log"]

S = TypeVar("S")
J = TypeVar("J")

MEMORY_MB = 280  # a worker's ceiling; a return takes a few MB to read
TIME_LIMIT = 60.0  # seconds for one job; a return takes a millisecond
BATCH = 16  # jobs in one message at most: a batch of returns is read in a few milliseconds
DEPTH = 2  # batches sent ahead to a worker: it never waits for the next
WATCH_EVERY = 0.2  # seconds between two looks at the workers' memory, where the OS sets no ceiling
LOOK_EVERY = 0.002  # seconds between two looks for answers when the caller only asks what is ready


@dataclass(frozen=True)
class Failed:
    """How a worker failed on a job: ``kind`` is error | crash | timeout | memory; ``detail`` is
    for the log (a traceback, an exit status), never for the clerk."""

    kind: str
    detail: str = ""


class PoolSetupError(RuntimeError):
    """``setup(spec)`` failed in a worker: a fault of the program, not of any job."""


@dataclass
class _Worker:
    process: Any
    conn: Connection
    slot: Any  # shared with the worker: (the number of the job it is on or 0, when that job started)
    jobs: deque = field(default_factory=deque)  # (number, job) sent and not answered, oldest first
    batches: deque = field(default_factory=deque)  # how many jobs each batch in flight holds
    ready: bool = False  # setup done

    def on(self) -> tuple[int, float]:
        """The job the worker is on (0: none, between batches) and when it started it."""
        number = int(self.slot[0])
        return number, self.slot[1]


class Pool(Generic[S, J]):
    def __init__(self, setup: Callable[[S], Callable[[J], Any]], spec: S, *, workers: int = 1,
                 time_limit: float = TIME_LIMIT, memory_mb: int = MEMORY_MB, log: Path | None = None,
                 context: multiprocessing.context.BaseContext | None = None) -> None:
        self.setup, self.spec = setup, spec
        self.max_workers = max(1, workers)
        self.time_limit, self.memory_mb, self.log = time_limit, memory_mb, log
        self.context = context or start_method()
        self._workers: list[_Worker] = []
        self._queue: deque[tuple[int, J]] = deque()
        self._done: dict[int, Any] = {}
        self._submitted = 0
        self._returned = 0
        self._watched = 0.0
        self._looked = 0.0
        self.started = 0  # workers started, replacements included

    # --- the caller's side ---------------------------------------------------------------------

    def submit(self, job: J) -> None:
        self._submitted += 1
        self._queue.append((self._submitted, job))
        self._dispatch()

    def ready(self) -> list[Any]:
        """Values (or ``Failed``) of the jobs finished so far, in submission order; never waits.
        Asked after every file, it looks at the workers every ``LOOK_EVERY`` at most: a batch of
        answers takes longer than that to come, and a look costs a system call per worker."""
        now = time.monotonic()
        if now - self._looked >= LOOK_EVERY:
            self._looked = now
            self._pump(0)
        return self._take()

    def drain(self) -> list[Any]:
        """Every remaining value (or ``Failed``), in submission order, waiting for them."""
        while self._returned + len(self._done) < self._submitted:
            self._pump(self._wait_for(), flush=True)
        return self._take()

    def close(self) -> None:
        for w in self._workers:
            try:
                w.conn.send(None)
            except OSError:
                pass
        deadline = time.monotonic() + 2
        for w in self._workers:
            w.process.join(max(0.0, deadline - time.monotonic()))
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
            w.conn.close()
        self._workers = []

    def __enter__(self) -> "Pool[S, J]":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- workers -------------------------------------------------------------------------------

    def _start(self) -> _Worker:
        if self.context.get_start_method() == "fork":
            prepare(self.setup, self.spec)
        ours, theirs = self.context.Pipe()
        slot = new_slot(self.context)
        process = self.context.Process(target=serve, name="dudao-reader", daemon=True,
                                       args=(theirs, slot, self.setup, self.spec, self.memory_mb,
                                             str(self.log) if self.log else None))
        process.start()
        theirs.close()
        self.started += 1
        worker = _Worker(process, ours, slot)
        self._workers.append(worker)
        return worker

    def _dispatch(self, flush: bool = False) -> None:
        """Send queued jobs: a batch of what is waiting to a worker with nothing to do (or to a
        new one), and a full batch to one with room for another; with ``flush`` (the caller waits
        for every value) what is left goes to any worker with room."""
        while self._queue:
            idle = [w for w in self._workers if not w.batches]
            if idle:
                worker = idle[0]
            elif len(self._workers) < self.max_workers:
                worker = self._start()
            else:
                room = [w for w in self._workers if len(w.batches) < DEPTH]
                if not room or (len(self._queue) < BATCH and not flush):
                    return  # every worker is busy: more jobs fill the next batch meanwhile
                worker = min(room, key=lambda w: len(w.jobs))
            batch = [self._queue.popleft() for _ in range(min(BATCH, len(self._queue)))]
            worker.jobs.extend(batch)
            worker.batches.append(len(batch))
            try:
                worker.conn.send(batch)
            except (OSError, EOFError):  # it died meanwhile: the next pump finds out and re-queues
                pass

    def _pump(self, timeout: float, flush: bool = False) -> None:
        self._dispatch(flush)
        if not self._workers:
            return
        by_handle = {}
        for w in self._workers:
            by_handle[w.conn] = w
            by_handle[w.process.sentinel] = w
        for handle in wait(list(by_handle), timeout):
            w = by_handle[handle]
            if w in self._workers:
                self._receive(w)
        now = time.monotonic()
        for w in list(self._workers):
            number, started = w.on()
            if number and w.ready and now - started > self.time_limit:
                self._stop(w, Failed("timeout", f"no answer in {self.time_limit:.0f} s"))
        if NEEDS_WATCH and now - self._watched > WATCH_EVERY:
            self._watched = now
            for w in list(self._workers):
                rss = rss_bytes(w.process.pid)
                if w.jobs and rss and rss > self.memory_mb * 1024 * 1024:
                    self._stop(w, Failed("memory", f"{rss >> 20} MB resident"))
        self._dispatch(flush)

    def _receive(self, w: _Worker) -> None:
        try:
            while w.conn.poll():
                message = w.conn.recv()
                if message[0] == "ready":
                    w.ready = True
                    continue
                if message[0] == "setup-failed":
                    self.close()
                    raise PoolSetupError(message[1])
                answers = message[1]  # ("done", the batch's answers in order)
                for kind, value in answers:
                    number, _ = w.jobs.popleft()
                    self._done[number] = value if kind == "ok" else Failed(kind, value)
                if len(answers) == w.batches[0]:
                    w.batches.popleft()
                else:  # the worker stopped in it (out of memory) and leaves: the rest is re-queued
                    w.batches[0] -= len(answers)
        except (EOFError, OSError):
            pass
        if not w.process.is_alive():
            w.process.join()
            # Status 0: it left on purpose (after a MemoryError) before the jobs sent after it.
            self._lost(w, Failed("crash", exit_status(w.process.exitcode)) if w.process.exitcode else None)

    def _stop(self, w: _Worker, failure: Failed) -> None:
        w.process.kill()
        w.process.join()
        self._lost(w, failure)

    def _lost(self, w: _Worker, failure: Failed | None) -> None:
        """``w`` is gone: the job it was on failed; the others it held (finished but not answered,
        or not yet begun) go to another worker, in their order."""
        self._workers.remove(w)
        w.conn.close()
        jobs = list(w.jobs)
        if jobs and failure is not None:
            number, _ = w.on()
            at = next((i for i, (n, _) in enumerate(jobs) if n == number), 0)  # else the oldest it held
            self._done[jobs.pop(at)[0]] = failure
        self._queue.extendleft(reversed(jobs))

    def _wait_for(self) -> float:
        """How long the next pump may wait: until the job a worker is on runs out of time."""
        now = time.monotonic()
        ends = []
        for w in self._workers:
            number, started = w.on()
            ends.append(started + self.time_limit - now if number and w.ready else self.time_limit)
        wait_s = max(0.0, min(ends, default=self.time_limit))
        return min(wait_s, WATCH_EVERY) if NEEDS_WATCH else wait_s

    def _take(self) -> list[Any]:
        out = []
        while self._returned + 1 in self._done:
            self._returned += 1
            out.append(self._done.pop(self._returned))
        return out


# --- in the worker ------------------------------------------------------------------------------


def start_method() -> multiprocessing.context.BaseContext:
    """Fork where it is safe, and cheapest (Linux, one thread: workers start in milliseconds and
    re-import nothing); else spawn (the only safe one on Windows and macOS, and in the desktop,
    which collects from a thread: a fork would copy locks other threads hold). A spawned worker
    imports the program's main module, so a script starting a pool needs the usual
    ``if __name__ == "__main__":`` guard.

    Inside a frozen bundle always spawn, on Linux too: a clerk's ``dudao.exe`` can only spawn, so
    the bundle smoke-tested here takes the path it takes on Windows (``freeze_support`` at each
    entry point re-enters the program as a worker; nothing a worker needs is module state set by
    the parent, which a spawned process would not have: it gets ``setup`` and ``spec`` pickled)."""
    if frozen():
        return multiprocessing.get_context("spawn")
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")
