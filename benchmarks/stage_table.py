"""Where ``dudao collect``'s time goes, stage by stage: one run with the stage timers on.

``DUDAO_STAGES=FILE`` (``aggregator/stages.py``) makes the collect process and every reading
process append their wall and CPU seconds per stage to FILE. The table below groups them as the
issue names them: start-up, intake (walking the folders, reading and hashing each file),
archive, sync, handing to the readers (the pool, and waiting for it), ledger, keep views; and in
the reading processes (summed over them) read, identify, check and what the pool costs them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

# (label, process, its stages): what each line of the table adds up.
LINES = (
    ("start-up: imports, opening the collection", "collect", ("start-up", "open")),
    ("intake: walk, read and hash each file", "collect", ("intake", "progress", "hash")),
    ("archive: copy each file", "collect", ("archive",)),
    ("sync: archived copies made durable", "collect", ("sync",)),
    ("readers: hand files over, wait for them", "collect", ("readers",)),
    ("ledger: results recorded", "collect", ("record", "ledger")),
    ("keep views: outliers, totals", "collect", ("collect", "views")),
    ("read (sniff, calamine, locate, values)", "reader", ("read",)),
    ("identify", "reader", ("identify",)),
    ("check (the form's rules)", "reader", ("check",)),
    ("pool: batches in, answers out, idle", "reader", ("wait", "job", "send")),
)


@dataclass
class Profile:
    files: int
    wall: float  # the whole command, from outside
    processes: list[dict] = field(default_factory=list)

    def seconds(self, process: str, stages: tuple[str, ...], clock: str) -> float:
        return sum(p[clock].get(s, 0.0) for p in self.processes if p["process"] == process for s in stages)

    def peak_mb(self, process: str) -> float:
        return max((p.get("peak_mb", 0.0) for p in self.processes if p["process"] == process), default=0.0)

    @property
    def readers(self) -> int:
        return sum(1 for p in self.processes if p["process"] == "reader")


def profile(cli: str, folder: Path, returns: Path, out: Path) -> Profile:
    """``dudao collect FOLDER RETURNS`` in a fresh interpreter with the stage timers on."""
    out.unlink(missing_ok=True)
    env = dict(os.environ, DUDAO_STAGES=str(out))
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", cli, "collect", str(folder), str(returns)], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    processes = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    files = next((p.get("files", 0) for p in processes if p["process"] == "collect"), 0)
    return Profile(files, wall, processes)


def table(p: Profile, load: str) -> str:
    n = max(p.files, 1)
    head = ("stage", "wall s", "CPU s", "CPU ms/file")
    rows = []
    for label, process, stages in LINES:
        cpu = p.seconds(process, stages, "cpu")
        rows.append((label, f"{p.seconds(process, stages, 'wall'):.2f}", f"{cpu:.2f}", f"{cpu / n * 1000:.3f}"))
    main_cpu = sum(p.seconds("collect", s, "cpu") for _, proc, s in LINES if proc == "collect")
    read_cpu = sum(p.seconds("reader", s, "cpu") for _, proc, s in LINES if proc == "reader")
    widths = [max(len(r[i]) for r in (head, *rows)) for i in range(4)]
    out = [f"Where collect's time goes: {p.files:,} files, one run with stage timers ({load}); "
           f"reading processes summed ({p.readers} of them)"]
    for i, r in enumerate((head, *rows)):
        if i == 8:
            out.append("  in the reading processes:")
        out.append("  ".join(x.ljust(widths[0]) if j == 0 else x.rjust(widths[j]) for j, x in enumerate(r)))
    out.append(f"whole command {p.wall:.2f} s wall; CPU: collect {main_cpu:.2f} s ({main_cpu / n * 1000:.3f} ms/file), "
               f"readers {read_cpu:.2f} s ({read_cpu / n * 1000:.3f} ms/file); "
               f"peak memory: collect {p.peak_mb('collect'):.0f} MB, each reader at most {p.peak_mb('reader'):.0f} MB")
    return "\n".join(out)


def load_now() -> str:
    """The machine's load (1, 5, 15 minutes), printed beside every figure: this is a shared machine."""
    try:
        return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "load unknown"
