"""The frozen bundle (``./dev build`` → dist/dudao/), run as a clerk runs it: not the source tree.

What is proven here is what a source run cannot show: the bundle carries its forms, its sample
roster, calamine's and zlib-ng's native modules, Qt's platform plugins and translations; its
reading workers are spawned (as on Windows, whatever the platform: ``pool.start_method``) and
re-enter the program through ``freeze_support``; the window draws itself. Each step compares
with the source tree where the answer must be the same.

Skipped when no bundle was built (``./dev build`` first), except in CI, where a skip fails:
``.ci/run`` builds before it tests. ``DUDAO_BUNDLE`` points at another bundle (a fresh clone's).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

import aggregator
from aggregator.cli import main as source_cli
from aggregator.collection.store.folder import LEDGER, open_collection
from aggregator.collection.intake.collect import collect
from aggregator.progress import run

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = Path(os.environ.get("DUDAO_BUNDLE") or ROOT / "dist" / "dudao")
EXE = ".exe" if sys.platform == "win32" else ""
CLI, GUI = BUNDLE / f"dudao{EXE}", BUNDLE / f"dudao-gui{EXE}"
NOW = "2023-11-20T17:00+08:00"

pytestmark = pytest.mark.bundle
if not (CLI.is_file() and GUI.is_file()):
    pytest.skip(f"no bundle at {BUNDLE}: build it with ./dev build", allow_module_level=True)

sys.path.insert(0, str(ROOT / "benchmarks"))
from workload import make_returns, write_roster  # noqa: E402 - the benchmarks' district of returns


# PYTHONUTF8: a frozen program ignores PYTHON* variables but this one (PyInstaller's boot loader
# reads it): on Windows its output to a pipe is then UTF-8, not the ANSI code page.
ENV = {**os.environ, "DUDAO_NOW": NOW, "QT_QPA_PLATFORM": "offscreen", "PYTHONUTF8": "1"}


def bundled(program: Path, *args, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """One run of a bundled program, its output as UTF-8 text."""
    return subprocess.run([str(program), *map(str, args)], cwd=cwd, env=ENV, capture_output=True,
                          timeout=timeout, encoding="utf-8", errors="replace")


def size_mb(folder: Path) -> float:
    """What unzipped files take (PyInstaller's links into PySide6/ counted once, as ``du`` does)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 1024 / 1024


def test_the_bundle_holds_both_programs_and_says_its_version(capsys):
    for program in (CLI, GUI):
        done = bundled(program, "--version", cwd=BUNDLE)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"{program.stem} {aggregator.__version__}"
    # zlib-ng's native module: without it the bundle would read every return on the slower zlib
    assert any(p.suffix in (".pyd", ".so") for p in BUNDLE.rglob("zlib_ng*")), "zlib-ng is not in the bundle"
    with capsys.disabled():  # the figure CI reports
        files = sum(1 for p in BUNDLE.rglob("*") if p.is_file())
        print(f"\nbundle {BUNDLE}: {size_mb(BUNDLE):.0f} MB, {files} files")


def _story(folder: Path) -> dict:
    """What ``status --json`` says of every school, without the paths of the files."""
    done = bundled(CLI, "status", folder, "--json", cwd=folder.parent)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    return {"counts": data["counts"],
            "schools": [(s["name"], s["status"], s["late"], sorted(f["rule"] for f in s["findings"]))
                        for s in data["schools"]]}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """``dudao demo`` by the bundle, in a folder with a space and Chinese in its name."""
    root = tmp_path_factory.mktemp("bundle")
    done = bundled(CLI, "demo", "曾都 区双减", cwd=root)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    return root / "曾都 区双减"


def test_demo_runs_end_to_end_as_from_source(demo, tmp_path, capsys):
    summaries = sorted(p.name for p in (demo / "summary").glob("*.xlsx"))
    assert summaries == ["整改台账.xlsx", "曾都区附件5汇总表(上报).xlsx", "曾都区附件5汇总表.xlsx"]
    assert list((demo / "feedback").glob("*.eml"))
    # The same story from the source tree: the frozen engine decides as the source does.
    source = tmp_path / "source" / "曾都 区双减"
    assert source_cli(["demo", str(source)]) == 0
    capsys.readouterr()
    assert _story(demo) == _story(source)


def _ledger(folder: Path) -> tuple[list, list]:
    """The rows that must not depend on which process read what (as in test_pool)."""
    with closing(sqlite3.connect(folder / LEDGER)) as db:
        return (db.execute("SELECT sha256, original_name, substr(archived, 20), outcome, reason_kind FROM files"
                           " ORDER BY rowid").fetchall(),
                db.execute("SELECT sha256, school_id, values_json, findings_json FROM returns ORDER BY id").fetchall())


def _children(pid: int) -> set[str]:
    """The command lines of ``pid``'s children now (Linux's /proc; empty elsewhere)."""
    seen = set()
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return seen
    for kid in kids:
        try:
            seen.add(Path(f"/proc/{kid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip())
        except OSError:
            pass
    return seen


def test_a_district_of_returns_is_collected_through_spawned_workers(tmp_path):
    """300 schools (the benchmarks' workload: typed text, wrong sums, inserted rows, retyped
    tables, second versions, duplicates), collected by the bundle: from 200 files on, one reading
    worker per core, spawned. The ledger is row for row the source tree's, collected in-process."""
    write_roster(tmp_path / "名单.csv", 300)
    base = tmp_path / "base"
    for args in (("init", base, "--name", "曾都区", "--roster", tmp_path / "名单.csv", "--deadline", "2023-11-20"),
                 ("distribute", base)):
        done = bundled(CLI, *args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    with open_collection(base) as col:
        work = make_returns(tmp_path / "下载 文件", col.form, base / "outbox", col.schools())
    assert len(work.files) >= 250
    frozen, source = (Path(shutil.copytree(base, tmp_path / name)) for name in ("bundle 曾都", "source"))

    process = subprocess.Popen([str(CLI), "collect", str(frozen), str(work.folder)], cwd=tmp_path, env=ENV,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen: set[str] = set()
    while process.poll() is None:
        seen |= _children(process.pid)
        time.sleep(0.02)
    out, err = (s.decode("utf-8", "replace") for s in process.communicate(timeout=600))
    assert process.returncode == 0, err
    assert f"本次共 {len(work.files)} 个文件" in out and "无法读取 0 个" in out, out
    if Path("/proc").is_dir():  # the workers were spawned: the bundle started again as a worker, twice or more
        workers = {c for c in seen if "--multiprocessing-fork" in c and "pipe_handle" in c}
        assert len(workers) >= min(os.cpu_count() or 1, 2), seen
        assert all(c.startswith(str(CLI)) for c in workers)

    with open_collection(source) as col:
        expected = run(collect(col, [work.folder]))
    assert len(expected.new_returns) >= 250 and not expected.unreadable
    assert f"新收到报表 {len(expected.new_returns)} 份，" in out and f"重复 {expected.duplicates} 份" in out
    assert _ledger(frozen) == _ledger(source)


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_the_window_draws_a_collection_offscreen(demo, tmp_path):
    picture = tmp_path / "截图 1.png"
    done = bundled(GUI, demo, "--screenshot", picture, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert _png_size(picture) == (1366, 728)
    assert picture.stat().st_size > 50_000  # a table of 40 schools, not an empty frame

    missing = bundled(GUI, tmp_path / "没有这个文件夹", "--screenshot", picture, cwd=tmp_path)
    assert missing.returncode == 2 and "找不到文件夹" in missing.stderr
