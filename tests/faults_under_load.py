"""Run the fault tests again and again with a CPU hog beside them: they must not care.

    .venv/bin/python tests/faults_under_load.py [RUNS] [pytest args...]     (default: 20 runs)

Starts one busy process per core (the hog), then runs ``pytest tests/collection/test_faults.py`` RUNS times in
a row, stopping at the first failure; prints each run's result and the total. Not a test module
itself (pytest collects test_*.py only): the suite's own ``cpu_hog`` test runs a share of the kill
points under a hog in every CI run, this runs all of them as often as asked.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    runs = int(argv[0]) if argv and argv[0].isdigit() else 20
    extra = argv[1:] if argv and argv[0].isdigit() else argv
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 2)]
    passed = 0
    try:
        for run in range(1, runs + 1):
            start = time.monotonic()
            proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                   "tests/collection/test_faults.py", *extra], cwd=ROOT, capture_output=True, text=True)
            last = (proc.stdout.strip().splitlines() or [""])[-1]
            print(f"run {run}/{runs} with {len(hogs)} hog processes: {last} ({time.monotonic() - start:.0f} s)",
                  flush=True)
            if proc.returncode != 0:
                print(proc.stdout[-5000:], proc.stderr[-2000:], sep="\n")
                break
            passed += 1
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    print(f"{passed} of {runs} runs passed in a row with a CPU hog")
    return 0 if passed == runs else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
