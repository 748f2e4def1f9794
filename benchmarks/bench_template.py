"""How long issuing takes: one template build, then a personalised copy per school.

Run: python benchmarks/bench_template.py [N]. Prints figures, asserts nothing: the target is
<= 2 ms per copy, so that a district of 1,000 schools is issued in a couple of seconds.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from aggregator.atomic import write_atomic
from aggregator.form.parse import load_form
from aggregator.outputs.personalise import personalise, template_bytes
from aggregator.outputs.template import SCHOOL_KEYS, build_template


def main(n: int = 1000) -> None:
    form = load_form()
    t0 = time.perf_counter()
    build_template(form)
    build_ms = (time.perf_counter() - t0) * 1000

    blank = template_bytes(form)
    schools = [{k: f"{k}-{i}" for k in SCHOOL_KEYS} | {"school_name": f"曾都区第{i}小学"} for i in range(n)]
    personalise(blank, schools[0])  # the first call splits the template once
    t0 = time.perf_counter()
    copies = [personalise(blank, s) for s in schools]
    copy_ms = (time.perf_counter() - t0) * 1000 / n

    with tempfile.TemporaryDirectory() as folder:
        t0 = time.perf_counter()
        for i, data in enumerate(copies):
            write_atomic(Path(folder) / f"{i}.xlsx", data)
        write_ms = (time.perf_counter() - t0) * 1000 / n

    print(f"build_template: {build_ms:.1f} ms once")
    print(f"personalise:    {copy_ms:.3f} ms per school ({n} schools, {len(copies[0]) / 1024:.1f} KiB each)")
    print(f"write_atomic:   {write_ms:.3f} ms per file (fsync included)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
