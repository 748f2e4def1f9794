"""The window at province scale, beside the targets of issue 14 (offscreen, real widgets):

- open: a 10,000-school collection (returns collected), from "打开" until the table is painted;
  also the first open after `dudao collect` ran beside the window (which keeps what it worked
  out from every return), and once "cold", with nothing kept: outliers and totals worked out;
- filter: typing in 查找 re-filters the 10,000 rows and repaints (worst of several queries);
- collect: the worst gap of a 10 ms heartbeat timer in the GUI thread while 1,000 files are
  collected in the worker (a 1,000-school collection), i.e. how long the window froze at most;
  the same heartbeat runs while each open above is worked out (the worst is printed too).

    ./dev bench desktop                  prepares the collections under a temporary folder
    python benchmarks/gui.py --keep /tmp/gui-bench   keeps (and reuses) them

Asserts nothing: it prints each figure beside its target.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import aggregator  # noqa: E402,F401  (before workload's openpyxl: it keeps openpyxl on its own writer, as the app has it)
import workload  # noqa: E402  (beside this file)

from aggregator.progress import run as drive  # noqa: E402
from aggregator.collection.intake.collect import collect  # noqa: E402
from aggregator.collection.store.folder import init_collection  # noqa: E402
from aggregator.outputs.distribute import distribute  # noqa: E402

TARGETS = {"open": ("≤ 1 s", 1.0), "filter": ("≤ 100 ms", 0.1), "gap": ("≤ 100 ms", 0.1)}
QUERIES = ("镇", "中心", "万店镇", "第三", "小学", "xyz", "")


def prepare(work: Path, n: int, collected: bool) -> tuple[Path, Path]:
    """A collection of ``n`` schools and a folder with their returns (collected into it if asked)."""
    folder, returns = work / f"collection-{n}", work / f"returns-{n}"
    if (folder / "ready").exists():
        return folder, returns
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(returns, ignore_errors=True)
    roster = workload.write_roster(work / f"roster-{n}.csv", n)
    col = init_collection(folder, roster, name=workload.DISTRICT, deadline="2023-11-20")
    with col:
        drive(distribute(col))
        workload.make_returns(returns, col.form, folder / "outbox", col.schools())
        if collected:
            drive(collect(col, [returns]))
    (folder / "ready").write_text("")
    return folder, returns


def window_on(app):
    from desktop.controller import Controller
    from desktop.window import MainWindow

    controller = Controller()
    window = MainWindow(controller)
    window.resize(1366, 728)
    window.show()
    app.processEvents()
    return controller, window


def wait_idle(app, controller, timeout: float = 600) -> None:
    end = time.monotonic() + timeout
    while controller.busy and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.001)


OPEN_GAPS: list[float] = []  # the worst heartbeat gap of each open: the window standing still meanwhile


def open_once(app, folder: Path) -> tuple[float, float, int]:
    """Wall and CPU seconds from "打开" until the table is painted, and the rows shown."""
    controller, window = window_on(app)
    t0, c0 = time.perf_counter(), time.process_time()
    controller.open_collection(folder)
    beats = heartbeat(app, until=lambda: controller.busy, linger=False)
    window.table.viewport().repaint()  # painted, not merely scheduled
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    OPEN_GAPS.append(max(worst(beats + [time.perf_counter()])[0], 0.0))
    rows = window.proxy.rowCount()
    window.close()
    window.deleteLater()
    app.processEvents()
    return wall, cpu, rows


def forget_kept(folder: Path) -> None:
    """As if another program had just changed the ledger: what is worked out from every return
    (outliers, totals) must be worked out again."""
    db = sqlite3.connect(folder / "ledger.sqlite")
    with db:
        db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'")
        db.execute("DELETE FROM meta WHERE key = 'totals'")
    db.close()


def collect_elsewhere(folder: Path, work: Path) -> float:
    """`dudao collect` run beside the window, bringing one school's second version; its seconds."""
    from aggregator import cli
    from aggregator.collection.store.folder import open_collection

    with open_collection(folder) as col:
        form, schools = col.form, col.schools()
    for seed in range(100):  # a seed under which the school answers (a few schools do not)
        dropped = work / f"resent-{seed}"
        if dropped.exists() or workload.make_returns(dropped, form, folder / "outbox", schools[:1], seed=seed).files:
            break
    t0 = time.perf_counter()
    assert cli.main(["collect", str(folder), str(dropped)]) == 0
    return time.perf_counter() - t0


def bench_open(app, folder: Path, reps: int, work: Path) -> tuple[list[tuple[float, float]], tuple[float, float],
                                                                  tuple[float, float, float]]:
    forget_kept(folder)
    wall, cpu, _ = open_once(app, folder)
    cold = (wall, cpu)
    took = collect_elsewhere(folder, work)
    wall, cpu, _ = open_once(app, folder)
    after_collect = (wall, cpu, took)
    times = []
    for _ in range(reps):
        wall, cpu, rows = open_once(app, folder)
        times.append((wall, cpu))
    print(f"  ({rows} rows shown)")
    return times, cold, after_collect


def bench_open_parts(app, folder: Path) -> tuple[float, float]:
    """Where the open's time goes: the engine's overview (in the worker), then the window's redraw."""
    from desktop import jobs

    controller, window = window_on(app)
    t0 = time.perf_counter()
    outcome = jobs.read_overview(folder)
    t1 = time.perf_counter()
    controller._take(outcome)
    window._overview_changed()
    window.table.viewport().repaint()
    t2 = time.perf_counter()
    window.close()
    return t1 - t0, t2 - t1


def bench_filter(app, folder: Path) -> list[float]:
    controller, window = window_on(app)
    controller.open_collection(folder)
    wait_idle(app, controller)
    times = []
    for query in QUERIES * 3:
        t0 = time.perf_counter()
        window.search.setText(query)  # what each keystroke does: filter, then repaint
        window.table.viewport().repaint()
        times.append(time.perf_counter() - t0)
    window.close()
    return times


def heartbeat(app, seconds: float | None = None, until=None, linger: bool = True) -> list[float]:
    """Beats of a 10 ms timer in the GUI thread, for ``seconds`` or ``until()`` is true (then,
    with ``linger``, 50 ms more: the last repaint after the job)."""
    from PySide6.QtCore import QTimer

    beats: list[float] = []
    heart = QTimer()
    heart.setInterval(10)
    heart.timeout.connect(lambda: beats.append(time.perf_counter()))
    heart.start()
    end = time.perf_counter() + (seconds or 0)
    while (until() if until else time.perf_counter() < end):
        app.processEvents()
        time.sleep(0.001)
    for _ in range(5 if linger else 0):  # the last repaint after the job, too
        app.processEvents()
        time.sleep(0.01)
    heart.stop()
    return beats


def worst(beats: list[float]) -> tuple[float, float]:
    """The longest gap between two beats, and when it began."""
    gap, at = max(((b - a, a) for a, b in zip(beats, beats[1:])), default=(0.0, 0.0))
    return gap, at


def bench_gap(app, prepared: Path, returns: Path) -> tuple[float, str, float, int]:
    """The worst gap during a collect (and what the window was showing then), and the worst gap
    of the same heartbeat as long with nothing running: the machine's own share of the figure."""
    folder = prepared.with_name(prepared.name + "-run")  # a fresh copy: every run collects every file
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(prepared, folder)
    controller, window = window_on(app)
    controller.open_collection(folder)
    wait_idle(app, controller)
    events: list[tuple[float, str]] = []
    controller.progress.connect(lambda done, total, current, stage: events.append((time.perf_counter(), stage)))
    controller.overviewChanged.connect(lambda: events.append((time.perf_counter(), "the window redraws")))
    t0 = time.perf_counter()
    controller.collect([returns])
    beats = heartbeat(app, until=lambda: controller.busy)
    took = time.perf_counter() - t0
    gap, at = worst(beats)
    during = next((stage for when, stage in reversed(events) if when <= at + gap), "") or "starting"
    idle, _ = worst(heartbeat(app, seconds=took))
    files = len(list(p for p in returns.rglob("*") if p.is_file()))
    window.close()
    shutil.rmtree(folder, ignore_errors=True)
    return gap, during, idle, files


def line(name: str, seconds: float, target: str, limit: float, extra: str = "") -> str:
    verdict = "ok" if seconds <= limit else "OVER"
    return f"{name:<34} {seconds * 1000:8.0f} ms   target {target:<9} {verdict}  {extra}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--keep", help="work folder to keep and reuse")
    p.add_argument("--schools", type=int, default=10_000)
    p.add_argument("--collect-schools", type=int, default=1_000)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--only", nargs="+", choices=("open", "filter", "gap"), help="run only these measures")
    a = p.parse_args(argv)
    work = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="dudao-gui-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    big, _ = prepare(work, a.schools, collected=True)
    small, small_returns = prepare(work, a.collect_schools, collected=False)
    print(f"prepared in {time.perf_counter() - t0:.0f} s under {work}")

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    only = set(a.only or ("open", "filter", "gap"))
    results = []
    if "open" in only:
        opens, cold, after_collect = bench_open(app, big, a.reps, work)
        engine, redraw = bench_open_parts(app, big)
        walls = [w for w, _ in opens]
        results.append(line(f"open {a.schools:,} schools (median)", statistics.median(walls), *TARGETS["open"],
                            f"runs: {', '.join(f'{t * 1000:.0f}' for t in walls)} ms; "
                            f"CPU {statistics.median(c for _, c in opens) * 1000:.0f} ms"))
        results.append(f"  of which: the engine's overview {engine * 1000:.0f} ms, the window's redraw "
                       f"{redraw * 1000:.0f} ms")
        results.append(line(f"open {a.schools:,} schools, after collect", after_collect[0], *TARGETS["open"],
                            f"CPU {after_collect[1] * 1000:.0f} ms; the first open after `dudao collect` brought "
                            f"a second version beside the window (that collect: {after_collect[2]:.1f} s)"))
        results.append(line(f"open {a.schools:,} schools, cold", cold[0], *TARGETS["open"],
                            f"CPU {cold[1] * 1000:.0f} ms; nothing kept (a ledger changed by another program "
                            "than dudao): outliers and totals worked out again"))
        results.append(line(f"worst UI gap, opening {a.schools:,}", max(OPEN_GAPS), *TARGETS["gap"],
                            f"heartbeat every 10 ms, {len(OPEN_GAPS)} opens (cold, after collect, warm)"))
    if "filter" in only:
        filters = bench_filter(app, big)
        results.append(line(f"filter {a.schools:,} rows (worst)", max(filters), *TARGETS["filter"],
                            f"median {statistics.median(filters) * 1000:.0f} ms over {len(filters)} keystrokes"))
    if "gap" in only:
        gap, during, idle, files = bench_gap(app, small, small_returns)
        results.append(line(f"worst UI gap, collect {files:,} files", gap, *TARGETS["gap"],
                            f"heartbeat every 10 ms; worst while: {during}"))
        results.append(f"  the same heartbeat with nothing running: worst gap {idle * 1000:.0f} ms "
                       "(what the machine's other load alone costs)")
    print()
    print(f"desktop, offscreen, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print("\n".join(results))
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
