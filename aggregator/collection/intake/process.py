"""One reading process's side of the pool: build the callable, serve jobs, keep under the memory
ceiling, send tracebacks and stray output to the log, leave when the parent is gone; and what the
parent reads of a process from outside (its resident memory, how it ended).

Apart from ``pool`` because it runs in another process: nothing here may touch the caller's state.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
import time
import traceback
from datetime import datetime
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Any, Callable

from ... import faults, stages

LOG_MAX = 5 * 1024 * 1024  # the log is started anew (the old one kept as .1) past this size

# The callable built in the parent for workers that are forked from it: ``setup`` (loading the
# form, building indexes: a tenth of a second) runs once, not once per worker and again for every
# replacement of a worker that died. (setup, spec, callable), or None.
_PREPARED: tuple[Callable, Any, Callable] | None = None


def prepare(setup: Callable, spec: Any) -> None:
    global _PREPARED
    if _PREPARED is not None and _PREPARED[0] is setup and _PREPARED[1] == spec:
        return
    _PREPARED = None
    try:
        _PREPARED = (setup, spec, setup(spec))
    except Exception:  # the worker runs ``setup`` itself and reports the failure (PoolSetupError)
        pass


def new_slot(context: Any) -> Any:
    """What a worker shares with its parent: the number of the job it is on (0: none) and when it
    started it (``time.monotonic``, one clock for every process of the machine). Written by the
    worker before each job, read by the parent to keep the time limit and to know, when the
    worker dies, which job it died on."""
    return context.RawArray("d", 2)


def serve(conn: Connection, slot: Any, setup: Callable, spec: Any, memory_mb: int, log: str | None) -> None:
    import faulthandler
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    faulthandler.disable()  # a test runner's, inherited: a worker's death is reported by the parent
    leave_with_parent()
    if log:
        to_log(log)
    faults.reset()
    try:
        prepared = _PREPARED if _PREPARED and _PREPARED[0] is setup and _PREPARED[1] == spec else None
        run = prepared[2] if prepared else setup(spec)
    except Exception:
        conn.send(("setup-failed", traceback.format_exc()))
        return
    set_ceiling(memory_mb)
    gc.freeze()  # what the worker holds for its life (modules, the form, the roster): never collected,
    # so the cyclic collector does not walk it again and again, nor copy pages shared with the parent
    conn.send(("ready", ""))
    stages.begin()
    try:
        _serve(conn, slot, run)
    finally:
        stages.report("reader")


def _serve(conn: Connection, slot: Any, run: Callable) -> None:
    """Batches in, a message of answers out per batch: ("ok", value) or ("error", traceback) per
    job, in order. After a ``MemoryError`` the answers so far go out, that job's ("memory", …)
    last, and the worker leaves: it may hold what it could not free."""
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        stages.lap("wait")
        if message is None:
            return
        answers: list[tuple[str, Any]] = []
        for number, job in message:  # (the pool's number of the job, the job)
            slot[1] = time.monotonic()
            slot[0] = number
            faults.reached("worker", number)
            faults.reached("worker-hang", number)
            try:
                answers.append(("ok", run(job)))
            except MemoryError:
                answers.append(("memory", "MemoryError"))
                slot[0] = 0
                _answer(conn, answers)
                return
            except Exception:  # the isolation boundary: whatever a job raises is reported, not fatal
                detail = traceback.format_exc()
                print(f"{now()} job {number}:\n{detail}", file=sys.stderr, flush=True)
                answers.append(("error", detail))
            stages.lap("job")
        slot[0] = 0
        _answer(conn, answers)
        stages.lap("send")


def _answer(conn: Connection, answers: list[tuple[str, Any]]) -> None:
    """One message for the batch; a value that cannot be sent is that job's error, not the batch's."""
    try:
        data = ForkingPickler.dumps(("done", answers))
    except Exception:
        data = ForkingPickler.dumps(("done", [_sendable(a) for a in answers]))
    conn.send_bytes(data)


def _sendable(answer: tuple[str, Any]) -> tuple[str, Any]:
    try:
        ForkingPickler.dumps(answer)
        return answer
    except Exception:
        detail = traceback.format_exc()
        print(f"{now()} an answer could not be sent:\n{detail}", file=sys.stderr, flush=True)
        return ("error", detail)


def to_log(log: str) -> None:
    """Standard output and error of this process into ``log``, appended: a library's panic
    message or warning reaches the log, never the clerk's terminal."""
    path = Path(log)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError:
        fd = os.open(os.devnull, os.O_WRONLY)
    for stream, target in ((sys.stdout, 1), (sys.stderr, 2)):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
        os.dup2(fd, target)
    os.close(fd)
    sys.stdout = open(1, "w", encoding="utf-8", errors="replace", closefd=False)
    sys.stderr = open(2, "w", encoding="utf-8", errors="replace", closefd=False)


def open_log(log: Path) -> None:
    """Start the log anew (keeping the old one as ``.1``) once it has grown past ``LOG_MAX``."""
    try:
        if log.stat().st_size > LOG_MAX:
            os.replace(log, log.with_name(log.name + ".1"))
    except OSError:
        pass


def write_log(log: Path | None, text: str) -> None:
    if log is None:
        return
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "a", encoding="utf-8", errors="replace") as fh:
            fh.write(f"{now()} {text}\n")
    except OSError:
        pass


def now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def set_ceiling(memory_mb: int) -> None:
    """Let this process grow by ``memory_mb`` less what it already holds, where the OS enforces
    an address-space limit (Linux). Address space, not resident memory, is what can be limited:
    what is mapped already (libraries, the parent's heap after a fork) is allowed for."""
    if not sys.platform.startswith("linux"):
        return
    import resource

    size, rss = statm_self()
    allowance = max(memory_mb * 1024 * 1024 - rss, 64 * 1024 * 1024)
    limit = size + allowance
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    except (ValueError, OSError):
        pass


def statm_self() -> tuple[int, int]:
    page = os.sysconf("SC_PAGE_SIZE")
    with open("/proc/self/statm") as fh:
        size, rss = fh.read().split()[:2]
    return int(size) * page, int(rss) * page


NEEDS_WATCH = sys.platform == "win32"


def rss_bytes(pid: int) -> int | None:
    """A worker's resident memory, where the parent has to watch it (Windows)."""
    if sys.platform != "win32":
        return None
    import ctypes
    from ctypes import wintypes

    class Counters(ctypes.Structure):
        _fields_ = [("cb", wintypes.DWORD), ("PageFaultCount", wintypes.DWORD),
                    ("PeakWorkingSetSize", ctypes.c_size_t), ("WorkingSetSize", ctypes.c_size_t),
                    ("QuotaPeakPagedPoolUsage", ctypes.c_size_t), ("QuotaPagedPoolUsage", ctypes.c_size_t),
                    ("QuotaPeakNonPagedPoolUsage", ctypes.c_size_t), ("QuotaNonPagedPoolUsage", ctypes.c_size_t),
                    ("PagefileUsage", ctypes.c_size_t), ("PeakPagefileUsage", ctypes.c_size_t)]

    handle = ctypes.windll.kernel32.OpenProcess(0x1000 | 0x0010, False, pid)  # query limited info, vm read
    if not handle:
        return None
    try:
        counters = Counters()
        counters.cb = ctypes.sizeof(Counters)
        if not ctypes.windll.psapi.GetProcessMemoryInfo(handle, ctypes.byref(counters), counters.cb):
            return None
        return int(counters.WorkingSetSize)
    finally:
        ctypes.windll.kernel32.CloseHandle(handle)


def exit_status(code: int | None) -> str:
    if code is None:
        return "ended"
    if code < 0:
        import signal

        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


def leave_with_parent(every: float = 0.5) -> None:
    """A worker whose parent was killed would wait for work forever (its siblings hold the
    pipes open): a watcher thread ends it once the parent is gone (re-parented on POSIX, its
    process handle signalled on Windows)."""
    parent, ppid = multiprocessing.parent_process(), os.getppid()

    def watch() -> None:
        while True:
            time.sleep(every)
            if os.getppid() != ppid or (parent is not None and not parent.is_alive()):
                os._exit(1)

    threading.Thread(target=watch, name="leave-with-parent", daemon=True).start()
