"""How long reading a return takes: ``read_return`` over N filled-in copies of the template.

Run: python benchmarks/read_bench.py [N]. Prints figures, asserts nothing. The target is under
1 ms per return on the fast path (our template, metadata intact), so that collecting a district
of 1,000 schools is a second of reading; the label search (a rearranged return) may cost more.

Returns are written with the real template builder, filled the way schools fill them: mostly
numbers, some "3个" and full-width digits, some blanks; a third have had a row inserted (read by
label search) and a few have lost their metadata.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aggregator.form.parse import load_form
from aggregator.reading import read_return
from aggregator.outputs.template import META_SHEET, build_template


def _values(form, rnd: random.Random) -> dict:
    out = {}
    for f in form.count_fields:
        roll = rnd.random()
        n = rnd.randint(0, 12)
        out[f.id] = n if roll < 0.8 else (f"{n}个" if roll < 0.87 else (chr(0xFF10 + n % 10) if roll < 0.93 else None))
    out.update(reporter="王老师", phone=str(13800000000 + rnd.randint(0, 10**8)), problem_1="作业公示不及时")
    return {k: v for k, v in out.items() if v is not None}


def write_returns(folder: Path, n: int, form) -> dict[str, list[Path]]:
    rnd = random.Random(20231120)
    kinds: dict[str, list[Path]] = {"layout": [], "labels": []}
    for i in range(n):
        wb = build_template(form, unit=f"曾都区第{i}小学", meta={"school_id": f"S{i:04d}"}, values=_values(form, rnd))
        kind = "labels" if i % 3 == 2 else "layout"
        if kind == "labels":
            ws = wb[form.sheet]
            ws.protection.sheet = False
            ws.insert_rows(rnd.randint(5, 20))
            if i % 9 == 8:
                del wb[META_SHEET]
        path = folder / f"{i:04d}.xlsx"
        wb.save(path)
        kinds[kind].append(path)
    return kinds


def _time(paths: list[Path], form, rounds: int = 3) -> list[float]:
    per_file = []
    for path in paths:
        read_return(path, form)  # warm the OS cache and the per-form caches
        best = float("inf")
        for _ in range(rounds):
            t0 = time.perf_counter()
            read_return(path, form)
            best = min(best, time.perf_counter() - t0)
        per_file.append(best * 1000)
    return per_file


def main(n: int = 200) -> None:
    form = load_form()
    with tempfile.TemporaryDirectory() as folder:
        kinds = write_returns(Path(folder), n, form)
        every = kinds["layout"] + kinds["labels"]
        t0 = time.perf_counter()
        for path in every:
            read_return(path, form)
        cold_ms = (time.perf_counter() - t0) * 1000 / len(every)
        for kind, paths in kinds.items():
            ms = _time(paths, form)
            print(f"read_return ({kind:6s}): median {statistics.median(ms):.3f} ms, "
                  f"p90 {sorted(ms)[int(len(ms) * 0.9)]:.3f} ms per return ({len(paths)} returns)")
        print(f"read_return (all, one pass): {cold_ms:.3f} ms per return ({len(every)} returns)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
