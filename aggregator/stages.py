"""Where a collect's time goes, stage by stage, when asked: ``DUDAO_STAGES=FILE``.

``benchmarks/run.py`` sets the variable; then every process of a collect (the collect itself and
each reading worker) appends one JSON line to FILE when it is done: per stage, the wall seconds
and the CPU seconds of its thread spent there, and how many times it was passed. A stage is the
time between one ``lap`` and the next, so the stages of a process add up to its whole run, with
no gap and no overlap.

Off (the variable unset, always for the clerk) ``lap`` is one test of a module flag: nothing is
timed, nothing is written. On, a lap reads two clocks (about a microsecond), a few per file.
"""

from __future__ import annotations

import json
import os
import time

ENV = "DUDAO_STAGES"

_on: bool | None = None
_wall: dict[str, float] = {}
_cpu: dict[str, float] = {}
_passes: dict[str, int] = {}
_last = (0.0, 0.0)


def on() -> bool:
    global _on
    if _on is None:
        _on = bool(os.environ.get(ENV))
    return _on


def begin(startup: bool = False) -> None:
    """Start timing this process's stages afresh (a collect's start, a new worker). ``startup``:
    count what the process did before as the stage "start-up" (importing, opening the collection)."""
    global _last, _on
    _on = None
    _wall.clear()
    _cpu.clear()
    _passes.clear()
    if on():
        _last = (time.perf_counter(), time.thread_time())
        if startup:
            _wall["start-up"], _cpu["start-up"], _passes["start-up"] = _since_start(), time.process_time(), 1


def lap(stage: str) -> None:
    """The time since the previous lap was spent in ``stage``."""
    global _last
    if not _on:
        return
    now = (time.perf_counter(), time.thread_time())
    _wall[stage] = _wall.get(stage, 0.0) + now[0] - _last[0]
    _cpu[stage] = _cpu.get(stage, 0.0) + now[1] - _last[1]
    _passes[stage] = _passes.get(stage, 0) + 1
    _last = now


def report(process: str, **extra: object) -> None:
    """Append this process's stages to the file ``DUDAO_STAGES`` names, as one JSON line, and
    start again. ``extra``: figures of the run (files, the CPU seconds before the first lap)."""
    if not _on:
        return
    line = {"process": process, "pid": os.getpid(), "wall": _wall, "cpu": _cpu, "passes": _passes,
            "peak_mb": _peak_mb(), **extra}
    try:
        with open(os.environ[ENV], "a", encoding="utf-8") as fh:
            fh.write(json.dumps(line) + "\n")
    except (OSError, KeyError):  # a benchmark's aid: never a reason for a collect to fail
        pass
    begin()


def _peak_mb() -> float:
    """This process's own peak resident memory (Linux: VmHWM; 0 elsewhere)."""
    try:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration, ValueError):
        return 0.0


def _since_start() -> float:
    """Wall seconds since this process started (Linux; 0 elsewhere), to a hundredth."""
    try:
        with open("/proc/self/stat") as fh:
            started = int(fh.read().rsplit(")", 1)[1].split()[19])  # field 22: clock ticks after boot
        with open("/proc/uptime") as fh:
            up = float(fh.read().split()[0])
        return max(0.0, up - started / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, AttributeError):
        return 0.0
