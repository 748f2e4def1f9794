"""Deterministic kill points for the fault tests: ``DUDAO_FAULT=archive:37`` kills the process the
37th time it passes the point named "archive", with SIGKILL (no handler, no ``finally``, no
flush), as a power cut or the task manager would.

The engine calls ``reached(point)`` at each place where a crash must be harmless; the fault tests
enumerate the points and their counts instead of killing at random moments, so a run on a loaded
machine kills exactly where a run on an idle one does. Without the variable ``reached`` is a
dictionary lookup. Several points may be armed at once: ``DUDAO_FAULT=hash:3,save-rename:1``.

The points (see ``POINTS``): collect's ``hash`` (a file hashed), ``archive`` (its copy renamed
into the archive), ``file-synced`` and ``folder-synced`` (archived copies and their folders made
durable), ``ledger`` (inside a ledger transaction, rows written, not committed), ``committed``;
a reading worker's ``worker`` (killed while reading the batch's n-th file) and ``worker-hang``
(stops answering there); ``save-half`` (half of a file written by ``atomic.write_atomic``) and
``save-rename`` (written and synced, not yet renamed into place), which consolidate passes.
"""

from __future__ import annotations

import os
import signal
import time
from typing import Callable

ENV = "DUDAO_FAULT"
POINTS = ("hash", "archive", "file-synced", "folder-synced", "ledger", "committed", "worker", "worker-hang",
          "save-half", "save-rename")

_armed: dict[str, int] | None = None
_counts: dict[str, int] = {}
# Tests that run in-process may watch the points instead of dying at them.
observer: Callable[[str], None] | None = None


def _parse(spec: str) -> dict[str, int]:
    armed = {}
    for item in filter(None, (s.strip() for s in spec.split(","))):
        point, _, count = item.partition(":")
        if point not in POINTS:
            raise ValueError(f"{ENV}: unknown point {point!r}; one of {', '.join(POINTS)}")
        armed[point] = int(count or 1)
    return armed


def reached(point: str, number: int | None = None) -> None:
    """Count a pass through ``point`` (or take ``number``: the reading pool numbers files across
    its workers); die there if ``DUDAO_FAULT`` says this is the one."""
    global _armed
    if observer is not None:
        observer(point)
    if _armed is None:
        _armed = _parse(os.environ.get(ENV, ""))
    if not _armed:
        return
    n = _counts[point] = _counts.get(point, 0) + 1 if number is None else number
    if _armed.get(point) != n:
        return
    if point == "worker-hang":
        while True:  # the time limit of the reading pool has to end this
            time.sleep(3600)
    os.kill(os.getpid(), signal.SIGKILL) if hasattr(signal, "SIGKILL") else os._exit(137)


def reset() -> None:
    """Forget the counts and read ``DUDAO_FAULT`` again (a new worker process, a test)."""
    global _armed
    _armed = None
    _counts.clear()
