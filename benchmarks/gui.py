"""The window at province scale, beside the targets of issue 14 (offscreen, real widgets):

- open: a 10,000-school collection (returns collected), from "打开" until the table is painted;
- filter: typing in 查找 re-filters the 10,000 rows and repaints (worst of several queries);
- collect: the worst gap of a 10 ms heartbeat timer in the GUI thread while 1,000 files are
  collected in the worker (a 1,000-school collection), i.e. how long the window froze at most.

    ./dev bench desktop                  prepares the collections under a temporary folder
    python benchmarks/gui.py --keep /tmp/gui-bench   keeps (and reuses) them

Asserts nothing: it prints each figure beside its target.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import workload  # noqa: E402  (beside this file)

from aggregator.progress import run as drive  # noqa: E402
from aggregator.collection.collect import collect  # noqa: E402
from aggregator.collection.folder import init_collection, open_collection  # noqa: E402
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


def bench_open(app, folder: Path, reps: int) -> list[float]:
    times = []
    for _ in range(reps):
        controller, window = window_on(app)
        t0 = time.perf_counter()
        controller.open_collection(folder)
        wait_idle(app, controller)
        window.table.viewport().repaint()  # painted, not merely scheduled
        times.append(time.perf_counter() - t0)
        rows = window.proxy.rowCount()
        window.close()
        window.deleteLater()
        app.processEvents()
    print(f"  ({rows} rows shown)")
    return times


def bench_open_parts(app, folder: Path) -> tuple[float, float]:
    """Where the open's time goes: the engine's overview (in the worker), then the window's redraw."""
    from desktop import jobs

    controller, window = window_on(app)
    t0 = time.perf_counter()
    settings, ov, sent = jobs.read_overview(folder)
    t1 = time.perf_counter()
    controller.folder, controller.settings, controller.overview, controller.sent = folder, settings, ov, sent
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


def bench_gap(app, folder: Path, returns: Path) -> tuple[float, int]:
    from PySide6.QtCore import QTimer

    controller, window = window_on(app)
    controller.open_collection(folder)
    wait_idle(app, controller)
    beats: list[float] = []
    heart = QTimer()
    heart.setInterval(10)
    heart.timeout.connect(lambda: beats.append(time.perf_counter()))
    heart.start()
    controller.collect([returns])
    wait_idle(app, controller)
    for _ in range(5):  # the last repaint after the job, too
        app.processEvents()
        time.sleep(0.01)
    heart.stop()
    gaps = [b - a for a, b in zip(beats, beats[1:])]
    files = len(list(p for p in returns.rglob("*") if p.is_file()))
    window.close()
    return max(gaps), files


def line(name: str, seconds: float, target: str, limit: float, extra: str = "") -> str:
    verdict = "ok" if seconds <= limit else "OVER"
    return f"{name:<34} {seconds * 1000:8.0f} ms   target {target:<9} {verdict}  {extra}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--keep", help="work folder to keep and reuse")
    p.add_argument("--schools", type=int, default=10_000)
    p.add_argument("--collect-schools", type=int, default=1_000)
    p.add_argument("--reps", type=int, default=3)
    a = p.parse_args(argv)
    work = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="dudao-gui-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    big, _ = prepare(work, a.schools, collected=True)
    small, small_returns = prepare(work, a.collect_schools, collected=False)
    print(f"prepared in {time.perf_counter() - t0:.0f} s under {work}")

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    opens = bench_open(app, big, a.reps)
    engine, redraw = bench_open_parts(app, big)
    filters = bench_filter(app, big)
    gap, files = bench_gap(app, small, small_returns)
    print()
    print(f"desktop, offscreen, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(line(f"open {a.schools:,} schools (median)", statistics.median(opens), *TARGETS["open"],
               f"runs: {', '.join(f'{t * 1000:.0f}' for t in opens)} ms"))
    print(f"  of which: the engine's overview {engine * 1000:.0f} ms, the window's redraw {redraw * 1000:.0f} ms")
    print(line(f"filter {a.schools:,} rows (worst)", max(filters), *TARGETS["filter"],
               f"median {statistics.median(filters) * 1000:.0f} ms over {len(filters)} keystrokes"))
    print(line(f"worst UI gap, collect {files:,} files", gap, *TARGETS["gap"], "heartbeat every 10 ms"))
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
