"""The reading pool: every read in a worker process, and nothing a worker does stops the batch.

The pool on its own first (a job that raises, aborts, hangs or eats memory ends as a ``Failed``,
a fresh worker takes the rest, the answers keep their order), then collect over it: a worker
killed on a file (through the fault hook) records that file as unreadable, every other file as
one process would, and the next collect skips it unless asked to read unreadable files again.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from contextlib import closing
from pathlib import Path

import pytest

import aggregator.collection.intake.collect as collect_module
from aggregator import faults
from aggregator.collection.intake import pool as pool_module
from aggregator.collection.intake.collect import collect
from aggregator.cli import main
from aggregator.collection.store.folder import LEDGER, open_collection
from aggregator.collection.intake.pool import Failed, Pool
from aggregator.demo import fill_workbook, gbk_zip, sample_values
from aggregator.progress import run
from cli_helpers import ROSTER, dudao, put, status_json

FORK = ["fork"] if sys.platform.startswith("linux") else []


# --- the pool on its own ---------------------------------------------------------------------------


def _behave(prefix: str):
    """The per-job callable a worker builds from its spec: each job says what to do."""

    def run_job(job: tuple[str, int]):
        what, n = job
        if what == "raise":
            raise KeyError(n)
        if what == "abort":
            os.abort()  # as calamine does when an allocation fails
        if what == "hang":
            time.sleep(3600)
        if what == "hog":
            return len(bytearray(n << 20))  # n MB
        return f"{prefix}{n}@{os.getpid()}"

    return run_job


def _values(outcomes: list) -> list:
    return [o if isinstance(o, Failed) else o.split("@")[0] for o in outcomes]


@pytest.mark.parametrize("method", ["spawn", *FORK])
def test_every_kind_of_failure_ends_one_job_and_the_rest_go_on_in_order(tmp_path, method):
    jobs = [("ok", 1), ("raise", 2), ("ok", 3), ("abort", 4), ("ok", 5), ("hang", 6), ("ok", 7), ("ok", 8)]
    log = tmp_path / "logs" / "pool.log"
    with Pool(_behave, "r", workers=2, time_limit=3, log=log, context=multiprocessing.get_context(method)) as pool:
        for job in jobs:
            pool.submit(job)
        got = pool.drain()
        assert pool.started >= 3  # the aborted worker and the hung one were replaced
    values = _values(got)
    assert values[0::2] == ["r1", "r3", "r5", "r7"] and values[7] == "r8"
    assert [f.kind for f in values[1::2][:3]] == ["error", "crash", "timeout"]
    assert "KeyError" in values[1].detail and "SIGABRT" in values[3].detail
    assert "KeyError" in log.read_text(encoding="utf-8")  # the traceback is in the log


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS is enforced on Linux only")
def test_a_job_that_asks_for_too_much_memory_is_stopped_by_the_ceiling():
    with Pool(_behave, "", workers=1, memory_mb=200) as pool:
        for job in [("hog", 50), ("hog", 2000), ("hog", 50)]:
            pool.submit(job)
        got = pool.drain()
    assert got[0] == got[2] == 50 << 20
    assert got[1] == Failed("memory", "MemoryError")


def test_answers_come_back_in_the_order_jobs_went_in_whoever_read_them():
    rng = random.Random(3)
    jobs = [("hang" if i == 17 else "ok", i) for i in range(60)]
    seen = []
    with Pool(_behave, "", workers=3, time_limit=2) as pool:
        for job in jobs:
            pool.submit(job)
            if rng.random() < 0.3:
                seen += pool.ready()
        seen += pool.drain()
    assert [v if isinstance(v, Failed) else int(v.split("@")[0]) for v in seen] == [
        Failed("timeout", "no answer in 2 s") if i == 17 else i for i in range(60)]
    assert len({v.split("@")[1] for v in seen if isinstance(v, str)}) >= 2  # read by several workers


def test_workers_leave_when_their_parent_is_killed(tmp_path):
    """A killed collect must not leave its reading processes waiting for work forever."""
    script = textwrap.dedent("""
        import os, sys, time
        from aggregator.collection.intake.pool import Pool
        def setup(_):
            return lambda job: os.getpid()
        if __name__ == "__main__":
            pool = Pool(setup, None, workers=2)
            for i in range(20):
                pool.submit(i)
            print(" ".join(str(p) for p in set(pool.drain())), flush=True)
            time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    workers = [int(p) for p in proc.stdout.readline().split()]
    assert workers
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [w for w in workers if _alive(w)]
    assert alive == []


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


# --- collect over the pool ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def drop(tmp_path_factory):
    """A collection as init left it, and a drop folder of returns, a zip and a broken file."""
    root = tmp_path_factory.mktemp("pool")
    roster = root / "名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    base = root / "base"
    assert main(["init", str(base), "--name", "曾都区", "--roster", str(roster)]) == 0 and main(["distribute", str(base)]) == 0
    with open_collection(base) as col:
        schools, form = col.schools(), col.form
    rng = random.Random(8)
    folder = root / "drop"
    for i, s in enumerate(schools):
        v = sample_values(rng, s.stage, s.name, s.contact, s.phone)
        if i == 2:
            v["notices.total"] += 1  # returned
        data = fill_workbook(base / "outbox" / f"附件5-{s.name}.xlsx", form, v)
        if i == 4:
            put(folder / "镇.zip", gbk_zip({"各校/附件5.xlsx": data}), "2023-11-19T16:00:00")
        else:
            put(folder / f"{i}-附件5-{s.name}.xlsx", data, f"2023-11-1{i}T10:00:00")
    put(folder / "7-坏.xlsx", b"PK\x03\x04 not really", "2023-11-18T12:00:00")
    return base, folder


def _fresh(drop, into: Path) -> Path:
    shutil.copytree(drop[0], into, ignore=shutil.ignore_patterns("outbox"))
    return into


def _ledger(folder: Path) -> tuple[list, list]:
    """The rows that must not depend on which worker read what."""
    with closing(sqlite3.connect(folder / LEDGER)) as db:
        return (db.execute("SELECT sha256, original_name, substr(archived, 20), outcome, reason_kind FROM files"
                           " ORDER BY rowid").fetchall(),
                db.execute("SELECT sha256, school_id, values_json, findings_json FROM returns ORDER BY id").fetchall())


def _collect(folder: Path, paths, **kw):
    with open_collection(folder) as col:
        return run(collect(col, paths, **kw))


@pytest.mark.parametrize("method", ["spawn", *FORK])
def test_two_workers_write_the_same_ledger_as_one(drop, tmp_path, monkeypatch, method):
    one = _collect(_fresh(drop, tmp_path / "one"), [drop[1]], workers=1)
    monkeypatch.setattr(pool_module, "start_method", lambda: multiprocessing.get_context(method))
    two = _collect(_fresh(drop, tmp_path / "two"), [drop[1]], workers=2)
    assert _ledger(tmp_path / "two") == _ledger(tmp_path / "one")
    assert len(_ledger(tmp_path / "one")[1]) == 6
    assert (two.seen, two.duplicates, two.new_returns, two.unreadable) == (
        one.seen, one.duplicates, one.new_returns, one.unreadable)


def test_a_worker_killed_on_a_file_costs_that_file_only_until_it_is_retried(drop, tmp_path, monkeypatch, capsys):
    reference = _fresh(drop, tmp_path / "reference")
    _collect(reference, [drop[1]])
    expected = _ledger(reference)
    folder = _fresh(drop, tmp_path / "killed")
    monkeypatch.setenv(faults.ENV, "worker:3")  # the third file read kills its worker
    try:
        result = _collect(folder, [drop[1]])
    finally:
        monkeypatch.delenv(faults.ENV)
        faults.reset()
    files, returns = _ledger(folder)
    crashed = [f for f in files if f[3] == "unreadable" and f[4] == "read-crash"]
    assert len(crashed) == 1 and "2-附件5" in crashed[0][1]
    assert len(returns) == len(expected[1]) - 1
    assert [f for f in files if f not in crashed] == [f for f in expected[0] if f[0] != crashed[0][0]]
    assert any("程序" in reason or "意外" in reason for _, reason in result.unreadable)
    assert "read-crash" in (folder / "logs" / "collect.log").read_text(encoding="utf-8")

    # The next collect skips it like any recorded file; asked to, it reads it again.
    again = _collect(folder, [drop[1]])
    assert again.new_returns == [] and again.duplicates == again.seen
    code, out, err = dudao(capsys, "collect", folder, drop[1], "--retry-unreadable")
    assert code == 0 and "新收到报表 1 份" in out, out
    assert [sorted(rows) for rows in _ledger(folder)] == [sorted(rows) for rows in expected]
    assert len(status_json(capsys, folder)["unreadable"]) == 1  # the broken file stays unreadable


def test_small_batches_get_one_reader_and_large_ones_one_per_core(drop, tmp_path, monkeypatch):
    used = []
    real = collect_module.Pool

    def spy(*args, **kw):
        used.append(kw["workers"])
        return real(*args, **kw)

    monkeypatch.setattr(collect_module, "Pool", spy)
    _collect(_fresh(drop, tmp_path / "small"), [drop[1]])
    monkeypatch.setattr(collect_module, "POOL_MIN", 3)
    _collect(_fresh(drop, tmp_path / "large"), [drop[1]])
    assert used == [1, min(os.cpu_count() or 1, collect_module.MAX_WORKERS)]


def test_collecting_again_starts_no_worker(drop, tmp_path, monkeypatch):
    folder = _fresh(drop, tmp_path / "c")
    _collect(folder, [drop[1]])
    monkeypatch.setattr(collect_module, "Pool", None)  # would fail if a pool were started
    again = _collect(folder, [drop[1]], workers=2)
    assert again.new_returns == [] and again.duplicates == again.seen
