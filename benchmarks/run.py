"""Speed at district, city and province scale: our commands against the plain way, one table.

    ./dev bench                     1,000 then 10,000 schools, every step 3 times
    ./dev bench --quick             1,000 schools only
    python benchmarks/run.py --sizes 1000,10000 --reps 3 --peer-sample 200 --keep /tmp/bench

For each size it makes a roster and a collection, then times our commands as the clerk runs them
(each in a fresh process, on a fresh copy of the collection, so the wall time includes start-up
and the peak memory is that process's own), and the plain way beside them in the same run:

- distribute: ``dudao distribute`` against building every workbook with openpyxl;
- collect: ``dudao collect`` over the returns (archive, identify, read, validate, ledger), and
  reading + validating alone, in one process and in the pool collect uses, against a
  pandas.read_excel loop that extracts the same cells from the same files;
- collect again over the same folder (nothing new), against hashing every file;
- consolidate and status over the collected returns.

The returns are made by ``workload.make_returns``: every school's own issued workbook filled with
its own figures, about 6 % of them with typed text, wrong sums, inserted rows, retyped tables,
second versions and duplicates. The plain loops run on ``--peer-sample`` files per run (their
cost per file does not depend on how many there are; 0 runs them on every file). Medians of
``--reps`` runs; ratios are the peer's time per file over ours. Asserts nothing: it prints.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import workload  # noqa: E402  (beside this file)

from aggregator.collection.intake.collect import MAX_WORKERS  # noqa: E402
from aggregator.collection.intake.worker import Reader, ReadJob, Roster  # noqa: E402
from aggregator.collection.intake.pool import Pool  # noqa: E402
from aggregator.collection.store.folder import LEDGER, SETTINGS, init_collection, open_collection  # noqa: E402
from aggregator.form.declaration import load_form  # noqa: E402
from aggregator.form.layout import layout_of, split_coord  # noqa: E402
from aggregator.reading import UnreadableFile, read_return  # noqa: E402
from aggregator.checks.validate import validate  # noqa: E402

# What the issue asks, per size, as printed; LIMITS and the constants below are what is checked.
TARGETS: dict[str, dict[int, str]] = {
    "distribute": {1000: "≤ 2 s, ≥ 8×"},
    "collect": {1000: "≤ 2 s, ≥ 10×", 10000: "≤ 20 s"},
    "read + validate": {1000: "≤ 1 ms/file"},
    "collect again": {1000: "≤ 2× hashing", 10000: "≤ 2× hashing"},
    "consolidate": {1000: "≤ 1.5 s", 10000: "≤ 10 s"},
}
LIMITS = {  # step -> size -> (max seconds, min ratio)
    "distribute": {1000: (2.0, 8.0)},
    "collect": {1000: (2.0, 10.0), 10000: (20.0, None)},
    "consolidate": {1000: (1.5, None), 10000: (10.0, None)},
}
PEAK_MB = {10000: 300}  # every step of the 10,000 case
# "Costs little more than hashing it": both run in a fresh interpreter that imports the engine;
# collect also looks at each file's name, time and size and checks its hash against the ledger.
AGAIN = 2.0
POOL_WORKERS = min(os.cpu_count() or 1, MAX_WORKERS)  # what collect uses for a large batch


@dataclass
class Row:
    work: str
    n_files: int
    ours: list[float]  # seconds for the whole step, per run
    peak_mb: list[float] = field(default_factory=list)
    peer: list[float] = field(default_factory=list)  # seconds per file, per run
    peer_label: str = ""
    ours_per_file: list[float] | None = None  # when the step is timed per file (in-process loops)
    note: str = ""

    @property
    def total(self) -> float:
        return statistics.median(self.ours)

    @property
    def per_file_ms(self) -> float:
        if self.ours_per_file:
            return statistics.median(self.ours_per_file) * 1000
        return self.total / max(self.n_files, 1) * 1000

    @property
    def peer_ms(self) -> float | None:
        return statistics.median(self.peer) * 1000 if self.peer else None

    @property
    def ratio(self) -> float | None:
        return self.peer_ms / self.per_file_ms if self.peer_ms else None


# --- running our commands in their own process -------------------------------------------------------


# Runs the CLI, then reports the process's own peak resident memory on stderr. Linux's VmHWM is
# this program's alone; ru_maxrss would also count the benchmark's own memory, copied at fork.
CLI = """
import sys
from aggregator.cli import main
code = main(sys.argv[1:])
peak = 0
try:
    with open("/proc/self/status") as fh:
        peak = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
except OSError:
    pass
try:
    import resource
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # an upper bound: counts the fork
except ImportError:  # Windows
    workers = 0
sys.stderr.write(f"\\nPEAK_KB {peak} WORKERS_KB {workers}\\n")
sys.exit(code)
"""
WORKER_PEAKS: list[float] = []  # MB, largest reading process of each collect that used a pool


def run_command(*args: str | Path) -> tuple[float, float | None]:
    """``dudao ARGS`` in a fresh interpreter: (wall seconds, peak resident MB of that process)."""
    cmd = [sys.executable, "-c", CLI, *map(str, args)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    err = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise SystemExit(f"dudao {' '.join(map(str, args))} failed ({proc.returncode}):\n{err}")
    kb = int(err.rsplit("PEAK_KB ", 1)[1].split()[0]) if "PEAK_KB " in err else 0
    workers = int(err.rsplit("WORKERS_KB ", 1)[1].split()[0]) if "WORKERS_KB " in err else 0
    if workers:
        WORKER_PEAKS.append(workers / 1024)
    return wall, (kb / 1024 if kb else None)


def fresh_copy(base: Path, into: Path) -> Path:
    """A collection exactly as ``init`` left it (settings, ledger, roster), under a new name."""
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    for name in (SETTINGS, LEDGER):
        shutil.copy2(base / name, into / name)
    shutil.copytree(base / "roster", into / "roster")
    return into


# --- the peers -------------------------------------------------------------------------------------


def peer_build(form, schools, collection_id: str, district: str, folder: Path) -> float:
    """Seconds per school to build and save each school's workbook with openpyxl."""
    from aggregator.outputs.template import build_template

    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    for s in schools:
        meta = {"kind": "template", "collection_id": collection_id, "school_id": s.id, "school_name": s.name,
                "issued_at": "2023-11-01T08:00:00"}
        build_template(form, district=district, meta=meta, unit=s.name).save(folder / f"{s.id}.xlsx")
    return (time.perf_counter() - t0) / max(len(schools), 1)


def peer_read(form, files: list[Path]) -> float:
    """Seconds per file for the plain loop: pandas.read_excel (openpyxl) and pick the form's cells."""
    import pandas as pd

    cells = [split_coord(ref) for ref in layout_of(form).cells.values()]
    t0 = time.perf_counter()
    for path in files:
        try:
            df = pd.read_excel(path, sheet_name=form.sheet, header=None, engine="openpyxl")
        except ValueError:  # a retyped table on "Sheet1": the plain loop reads the first sheet
            df = pd.read_excel(path, sheet_name=0, header=None, engine="openpyxl")
        grid = df.values
        [grid[r - 1][c - 1] if r <= grid.shape[0] and c <= grid.shape[1] else None for r, c in cells]
    return (time.perf_counter() - t0) / max(len(files), 1)


def ours_read(form, files: list[Path]) -> float:
    """Seconds per file to read and validate in this process, one file after another."""
    t0 = time.perf_counter()
    for path in files:
        try:
            validate(form, read_return(path, form))
        except UnreadableFile:
            continue
    return (time.perf_counter() - t0) / max(len(files), 1)


def ours_read_pool(files: list[Path], col) -> float:
    """Seconds per file to read, identify and validate as collect does: a pool of one process per
    core, pool start-up included."""
    roster = Roster(col.form_source, tuple(col.schools()), col.settings.levels, col.settings.id)
    t0 = time.perf_counter()
    with Pool(Reader, roster, workers=POOL_WORKERS) as pool:
        for path in files:
            pool.submit(ReadJob(str(path), path.name, "", ""))
        pool.drain()
    return (time.perf_counter() - t0) / max(len(files), 1)


HASH_ONLY = """
import hashlib, os, sys
import aggregator.collection.intake.collect  # the same start-up as collect
for root, _, files in os.walk(sys.argv[1]):
    for f in files:
        with open(os.path.join(root, f), "rb") as fh:
            hashlib.sha256(fh.read()).hexdigest()
"""


def peer_hash(folder: Path) -> float:
    """Wall seconds of a fresh interpreter that imports the engine and hashes every file."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", HASH_ONLY, str(folder)], check=True)
    return time.perf_counter() - t0


# --- checks that the fast paths give what the slow ones give ------------------------------------------


def same_when_read(form, ours: Path, theirs: Path) -> bool:
    a, b = read_return(ours, form), read_return(theirs, form)
    return dict(a.values) == dict(b.values) and dict(a.meta) == dict(b.meta) and a.located_by == b.located_by


def libreoffice_roundtrip(form, files: list[Path], work: Path) -> str:
    """Open our issued workbooks in LibreOffice (headless), save them again, read them back."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return "LibreOffice not installed: not checked"
    out = work / "lo-out"
    cmd = [soffice, f"-env:UserInstallation={(work / 'lo-profile').as_uri()}", "--headless", "--norestore",
           "--convert-to", "xlsx", "--outdir", str(out), *map(str, files)]
    try:
        subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    except (subprocess.SubprocessError, OSError) as exc:
        return f"LibreOffice failed: {exc}"
    same = sum(1 for f in files if (out / f.name).exists() and same_when_read(form, f, out / f.name))
    return f"{same}/{len(files)} opened and saved by LibreOffice read back identically"


# --- one size ----------------------------------------------------------------------------------------


def median_of(reps: int, fn: Callable[[int], Any]) -> list[Any]:
    return [fn(i) for i in range(reps)]


def sample(files: list[Path], n: int) -> list[Path]:
    if n <= 0 or n >= len(files):
        return files
    step = len(files) / n
    return [files[int(i * step)] for i in range(n)]


def bench_size(n: int, reps: int, peer_n: int, work: Path, check_lo: bool, say: Callable[[str], None]) -> list[Row]:
    form = load_form()
    work.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []

    roster = workload.write_roster(work / "roster.csv", n)
    base = work / "base"
    if base.exists():
        shutil.rmtree(base)
    init_collection(base, roster, name=workload.DISTRICT, deadline="2023-11-20").close()
    with open_collection(base) as col:
        schools, cid = col.schools(), col.settings.id

    # distribute
    say(f"[{n}] distribute ×{reps}")
    results = median_of(reps, lambda i: run_command("distribute", fresh_copy(base, work / f"dist{i}")))
    outbox = work / "dist0" / "outbox"
    peer_schools = schools if peer_n <= 0 else schools[:peer_n]
    peers = median_of(reps, lambda i: peer_build(form, peer_schools, cid, workload.DISTRICT, work / f"peer-build{i}"))
    checked = peer_schools[:20]
    same = sum(1 for s in checked if same_issued(form, outbox, work / "peer-build0", s))
    note = f"{same}/{len(checked)} read back as the openpyxl-built copy"
    if check_lo:
        note += "; " + libreoffice_roundtrip(form, [outbox / f"{form.annex}-{s.name}.xlsx" for s in schools[:3]], work)
    rows.append(Row("distribute", n, [r[0] for r in results], [r[1] for r in results if r[1]], peers,
                    "openpyxl build + save", note=note))

    # the returns
    say(f"[{n}] making the returns")
    t0 = time.perf_counter()
    returns = work / "returns"
    if returns.exists():
        shutil.rmtree(returns)
    load = workload.make_returns(returns, form, outbox, schools)
    files = sorted(load.files)
    kinds = ", ".join(f"{k} {v}" for k, v in load.kinds.items())
    say(f"[{n}] {len(files)} files from {load.schools_answering} schools ({kinds}) in {time.perf_counter() - t0:.1f} s")

    # collect
    say(f"[{n}] collect ×{reps}")
    WORKER_PEAKS.clear()
    results = median_of(reps, lambda i: run_command("collect", fresh_copy(base, work / f"col{i}"), returns))
    peer_files = sample(files, peer_n)
    peers = median_of(reps, lambda i: peer_read(form, peer_files))
    pool = f"each reading process at most {max(WORKER_PEAKS):.0f} MB" if WORKER_PEAKS else "read in one process"
    rows.append(Row("collect", len(files), [r[0] for r in results], [r[1] for r in results if r[1]], peers,
                    "pandas.read_excel loop", note=pool))
    collected = work / "col0"

    say(f"[{n}] read + validate ×{reps}, in one process and in a pool")
    per_file = median_of(reps, lambda i: ours_read(form, files))
    rows.append(Row("read + validate", len(files), [p * len(files) for p in per_file], [], peers,
                    "pandas.read_excel loop", ours_per_file=per_file, note="one process, one file after another"))
    with open_collection(collected) as col:
        per_file = median_of(reps, lambda i: ours_read_pool(files, col))
    rows.append(Row(f"read + validate ×{POOL_WORKERS}", len(files), [p * len(files) for p in per_file], [], peers,
                    "pandas.read_excel loop", ours_per_file=per_file,
                    note=f"a pool of {POOL_WORKERS} processes as collect uses it (identify included, start-up too)"))

    say(f"[{n}] collect again ×{reps}")
    results = median_of(reps, lambda i: run_command("collect", collected, returns))
    hashing = median_of(reps, lambda i: peer_hash(returns))
    rows.append(Row("collect again", len(files), [r[0] for r in results], [r[1] for r in results if r[1]],
                    [h / len(files) for h in hashing], "hash every file"))

    say(f"[{n}] consolidate ×{reps}")
    results = median_of(reps, lambda i: run_command("consolidate", collected, "--out", work / f"summary{i}.xlsx"))
    rows.append(Row("consolidate", load.schools_answering, [r[0] for r in results], [r[1] for r in results if r[1]]))

    say(f"[{n}] status ×{reps}")
    results = median_of(reps, lambda i: run_command("status", collected, "--json"))
    rows.append(Row("status --json", n, [r[0] for r in results], [r[1] for r in results if r[1]]))
    return rows


def same_issued(form, outbox: Path, peer_folder: Path, school) -> bool:
    ours = outbox / f"{form.annex}-{school.name}.xlsx"
    theirs = peer_folder / f"{school.id}.xlsx"
    a, b = read_return(ours, form), read_return(theirs, form)
    meta_a = {k: v for k, v in a.meta.items() if k != "issued_at"}
    meta_b = {k: v for k, v in b.meta.items() if k != "issued_at"}
    return dict(a.values) == dict(b.values) and meta_a == meta_b and a.located_by == b.located_by


# --- the table -----------------------------------------------------------------------------------


def verdict(row: Row, n: int) -> tuple[str, str]:
    work = "read + validate" if row.work.startswith("read + validate") else row.work
    ok = True
    limit = LIMITS.get(work, {}).get(n)
    if limit:
        seconds, ratio = limit
        ok &= row.total <= seconds
        if ratio is not None:
            ok &= (row.ratio or 0) >= ratio
    if work == "read + validate" and n in TARGETS["read + validate"]:
        ok &= row.per_file_ms <= 1.0
    if row.work == "collect again":
        ok &= row.ratio is not None and row.total <= AGAIN * row.peer_ms * row.n_files / 1000
    if n in PEAK_MB and row.peak_mb:
        ok &= max(row.peak_mb) <= PEAK_MB[n]
    target = TARGETS.get(work, {}).get(n, "")
    if n in PEAK_MB and row.peak_mb:
        target = ", ".join(t for t in (target, f"≤ {PEAK_MB[n]} MB") if t)
    if not target:
        return "", "—"
    return target, "yes" if ok else "NO"


def table(n: int, rows: list[Row], reps: int) -> str:
    head = ("work", "ours ms/file", "ours total s", "peak MB", "peer ms/file", "ratio", "target", "met?")
    lines = []
    for r in rows:
        target, met = verdict(r, n)
        if r.work == "collect again" and r.peer:
            peer = f"{r.peer_ms * r.n_files / 1000:.2f} s"
            ratio = f"{r.total / (r.peer_ms * r.n_files / 1000):.2f}× of it"
        else:
            peer = f"{r.peer_ms:.2f}" if r.peer_ms else "—"
            ratio = f"{r.ratio:.1f}×" if r.ratio else "—"
        lines.append((r.work, f"{r.per_file_ms:.3f}", f"{r.total:.2f}",
                      f"{max(r.peak_mb):.0f}" if r.peak_mb else "—", peer, ratio, target, met))
    widths = [max(_width(x) for x in col) for col in zip(head, *lines)]
    out = [f"{n:,} schools — medians of {reps} runs"]
    for line in (head, *lines):
        out.append("  ".join(_pad(x, w, i) for i, (x, w) in enumerate(zip(line, widths))))
    peers = {r.work: r.peer_label for r in rows if r.peer_label}
    out.append("peers: " + "; ".join(f"{k}: {v}" for k, v in peers.items()))
    for r in rows:
        if r.note:
            out.append(f"{r.work}: {r.note}")
    return "\n".join(out)


def growth(by_size: dict[int, list[Row]]) -> str:
    sizes = sorted(by_size)
    if len(sizes) < 2:
        return ""
    lo, hi = sizes[0], sizes[-1]
    head = ("work", f"ms/file at {lo:,}", f"ms/file at {hi:,}", "growth per file", "linear?")
    lines = []
    for a, b in zip(by_size[lo], by_size[hi]):
        g = b.per_file_ms / a.per_file_ms
        lines.append((a.work, f"{a.per_file_ms:.3f}", f"{b.per_file_ms:.3f}", f"{g:.2f}×", "yes" if g <= 1.5 else "NO"))
    widths = [max(_width(x) for x in col) for col in zip(head, *lines)]
    out = [f"Cost per file, {lo:,} against {hi:,} (start-up spread over more files makes it fall)"]
    for line in (head, *lines):
        out.append("  ".join(_pad(x, w, i) for i, (x, w) in enumerate(zip(line, widths))))
    return "\n".join(out)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int, i: int) -> str:
    gap = " " * (width - _width(text))
    return text + gap if i in (0, 6) else gap + text


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="1,000 schools only")
    p.add_argument("--sizes", default="1000,10000", help="comma-separated numbers of schools")
    p.add_argument("--reps", type=int, default=3, help="runs of each step (medians are shown)")
    p.add_argument("--peer-sample", type=int, default=200, help="files per run for the plain loops (0: all)")
    p.add_argument("--no-libreoffice", action="store_true", help="skip opening issued workbooks in LibreOffice")
    p.add_argument("--keep", help="work in this folder and keep it (default: a temporary folder)")
    a = p.parse_args(argv)
    sizes = [1000] if a.quick else [int(x) for x in a.sizes.split(",")]
    work = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="dudao-bench-"))

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    say(f"benchmark in {work} on {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    by_size = {}
    try:
        for n in sizes:
            by_size[n] = bench_size(n, a.reps, a.peer_sample, work / str(n), not a.no_libreoffice and n == sizes[0], say)
            print(table(n, by_size[n], a.reps), end="\n\n", flush=True)
        g = growth(by_size)
        if g:
            print(g, flush=True)
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
