"""The peers our commands are measured against (the plain way), and our own loops timed in-process:
openpyxl building each workbook, a pandas.read_excel loop over the returns, hashing every file;
reading + validating one file after another, and in the pool collect uses. Also the checks that
the fast paths give what the slow ones give. Used by ``run.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from aggregator.checks.validate import validate
from aggregator.collection.intake.collect import MAX_WORKERS
from aggregator.collection.intake.pool import Pool
from aggregator.collection.intake.worker import Reader, ReadJob, Roster
from aggregator.form.layout import layout_of, split_coord
from aggregator.reading import UnreadableFile, read_return

POOL_WORKERS = min(os.cpu_count() or 1, MAX_WORKERS)  # what collect uses for a large batch


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


def ours_read(form, files: list[Path]) -> tuple[float, float]:
    """Seconds per file (wall, CPU) to read and validate in this process, one file after another."""
    t0, c0 = time.perf_counter(), time.process_time()
    for path in files:
        try:
            validate(form, read_return(path, form))
        except UnreadableFile:
            continue
    n = max(len(files), 1)
    return (time.perf_counter() - t0) / n, (time.process_time() - c0) / n


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



def same_issued(form, outbox: Path, peer_folder: Path, school) -> bool:
    ours = outbox / f"{form.annex}-{school.name}.xlsx"
    theirs = peer_folder / f"{school.id}.xlsx"
    a, b = read_return(ours, form), read_return(theirs, form)
    meta_a = {k: v for k, v in a.meta.items() if k != "issued_at"}
    meta_b = {k: v for k, v in b.meta.items() if k != "issued_at"}
    return dict(a.values) == dict(b.values) and meta_a == meta_b and a.located_by == b.located_by


