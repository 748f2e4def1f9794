"""``./dev mutants``: mutation testing of the engine's core with mutmut, module by module.

Small deliberate bugs (a ``<=`` made ``<``, a ``+ 1`` dropped, a string changed) are put into the
modules below one at a time; a bug the tests do not notice "survives". The kill rate says how much
of what these modules do the tests really check. Not part of CI: it takes tens of minutes on two
cores. Run it under ``nice`` (``./dev mutants`` does) and keep ``tests/MUTANTS.md`` up to date
with the survivors and why they are left.

    ./dev mutants                        every target, in order
    ./dev mutants expr normalise         only targets whose module path contains these words
    ./dev mutants --budget 30            stop starting new targets after 30 minutes
    ./dev mutants --resume               keep what earlier runs found (same code only)
    ./dev mutants --report               run nothing: the rates and survivors of the last runs

Each target runs in its own folder under ``mutants/`` with its own mutmut configuration, so each
mutant is tried against the fast tests that exercise the module directly (mutmut picks, among
them, those that reach the mutated function). Tests in child processes cannot see a mutant, and
the desktop's Qt does not survive mutmut's fork: neither is listed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "mutants"


@dataclass(frozen=True)
class Target:
    module: str  # path of the module, as it moves: the one place to update
    tests: tuple[str, ...]  # test files (or node ids) that exercise it directly
    functions: tuple[str, ...] = ()  # only these functions or methods (default: the whole module)


# The engine's core: identification, the ledger's versions, the archive's safety, the summary's
# sums, the reader's normalisation, feedback marking, rules and expressions. Fast targets first:
# the rules' property tests make the last two the slowest.
TARGETS = [
    Target("aggregator/collection/intake/identify.py", ("tests/collection/test_identify.py",)),
    Target("aggregator/collection/store/names.py",
           ("tests/collection/test_identify.py", "tests/collection/test_scale.py::test_file_name_lookup_in_a_roster_of_hundreds")),
    Target("aggregator/collection/views/state.py", ("tests/collection/test_ledger.py", "tests/collection/test_decisions.py")),
    Target("aggregator/collection/views/status.py",
           ("tests/collection/test_ledger.py", "tests/collection/test_decisions.py", "tests/reading/test_materials.py")),
    Target("aggregator/collection/store/ledger.py",
           ("tests/collection/test_ledger.py", "tests/collection/test_decisions.py", "tests/reading/test_materials.py")),
    Target("aggregator/collection/store/archive.py", ("tests/collection/test_archive.py",), ("Archive", "hash_file", "safe_name")),
    Target("aggregator/collection/intake/incoming.py", ("tests/collection/test_intake.py",)),
    Target("aggregator/outputs/summary/figures.py",
           ("tests/outputs/test_consolidate.py", "tests/form/test_forms.py::test_cycle_summary_sums_counts_and_lists")),
    Target("aggregator/form/values.py",
           ("tests/form/test_values.py", "tests/form/test_formula_text.py", "tests/reading",
            "tests/form/test_forms.py::test_dates_as_people_write_them",
            "tests/form/test_forms.py::test_choices_as_people_type_them", "tests/form/test_forms.py::test_numbers_with_decimals")),
    Target("aggregator/outputs/markup.py", ("tests/outputs/test_markup.py",),  # test_feedback also reaches it, at ~25 s a mutant
           ("marked_workbook", "_known_values", "_table_sheet", "_problem_in_own", "_problem_by_layout",
            "_expand_range", "_clear_old_marks", "_mark", "_merged_area")),
    Target("aggregator/checks/validate.py", ("tests/form/test_rules.py", "tests/checks/test_live_checks.py")),
    Target("aggregator/form/expr.py", ("tests/form/test_rules.py", "tests/checks/test_live_checks.py", "tests/outputs/test_template.py")),
]

KILLED = {"killed", "timeout", "segfault", "caught by type check"}  # the tests noticed


def slug(target: Target) -> str:
    return target.module.removeprefix("aggregator/").removesuffix(".py").replace("/", ".")


def dotted(target: Target) -> str:
    return target.module.removesuffix(".py").replace("/", ".")


def wanted(target: Target, mutant: str) -> bool:
    """Is ``mutant`` ("aggregator.x.y.x_fn__mutmut_3", "...xǁClassǁmethod__mutmut_1") in the target?"""
    if not target.functions:
        return True
    function = mutant.split("__mutmut_")[0].rsplit(".", 1)[-1]
    return any(function == f"x_{f}" or function.endswith(f"ǁ{f}") for f in target.functions)


def config(target: Target) -> str:
    """The project's pyproject.toml with mutmut's settings for this target."""
    base = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    selection = [*target.tests, "-m", "not libreoffice", "-p", "no:cacheprovider", "-p", "no:randomly"]
    return base + "\n[tool.mutmut]\n" + "\n".join([
        'source_paths = ["aggregator"]',
        'also_copy = ["excel_templates"]',
        f"only_mutate = {json.dumps([target.module])}",
        f"pytest_add_cli_args_test_selection = {json.dumps(selection, ensure_ascii=False)}",
        "use_git_change_detection = false",
    ]) + "\n"


def prepare(target: Target, resume: bool) -> Path:
    folder = WORK / slug(target)
    if folder.exists() and not resume:
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("aggregator", "tests", "excel_templates"):
        link = folder / name
        if not link.exists():
            link.symlink_to(ROOT / name, target_is_directory=True)
    (folder / "pyproject.toml").write_text(config(target), encoding="utf-8")
    return folder


def run(target: Target, folder: Path, seconds: float, children: int) -> bool:
    """mutmut over the target in ``folder``; False when the time ran out first."""
    names = [f"{dotted(target)}.x_{f}__mutmut_*" for f in target.functions]  # methods: none listed so far
    command = [str(Path(sys.executable).parent / "mutmut"), "run", "--max-children", str(children), *names]
    with (folder / "run.log").open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(command, cwd=folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            proc.wait(timeout=max(seconds, 1))
            return True
        except subprocess.TimeoutExpired:
            return False
        finally:  # out of time, or this driver stopped: mutmut and its workers (their own group) go too
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


def results(target: Target, folder: Path) -> dict[str, str]:
    """Mutant name -> status ("killed", "survived", "no tests", ...) of every mutant tried."""
    from mutmut.stats import status_by_exit_code

    meta = folder / "mutants" / (target.module + ".meta")
    if not meta.exists():
        return {}
    codes = json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {})
    return {name: status_by_exit_code[code] for name, code in codes.items()
            if wanted(target, name) and code is not None}  # None: not tried yet (the budget ran out)


def show(folder: Path, mutant: str) -> str:
    out = subprocess.run([str(Path(sys.executable).parent / "mutmut"), "show", mutant], cwd=folder,
                         capture_output=True, text=True, encoding="utf-8")
    return out.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./dev mutants", description=__doc__.split("\n\n")[0])
    parser.add_argument("only", nargs="*", help="words of the module paths to run (default: all targets)")
    parser.add_argument("--budget", type=float, default=180, help="minutes; no new target starts after them")
    parser.add_argument("--resume", action="store_true", help="keep the results of earlier runs")
    parser.add_argument("--report", action="store_true", help="run nothing; report what the last runs found")
    parser.add_argument("--children", type=int, default=2, help="mutants tried at once (default 2)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # a kill of this driver runs run()'s cleanup

    chosen = [t for t in TARGETS if not args.only or any(w in t.module for w in args.only)]
    if not chosen:
        parser.error(f"no target matches {args.only}; targets: {[slug(t) for t in TARGETS]}")
    deadline = time.monotonic() + args.budget * 60
    totals = {"killed": 0, "all": 0}
    report = ["# Survivors of the last `./dev mutants` run", ""]
    for target in chosen:
        left = deadline - time.monotonic()
        started = time.monotonic()
        if args.report:
            folder, finished = WORK / slug(target), True
        elif left <= 0:
            print(f"{slug(target):24} not run: the budget is spent")
            continue
        else:
            folder = prepare(target, args.resume)
            finished = run(target, folder, left, args.children)
        found = results(target, folder)
        killed = sum(s in KILLED for s in found.values())
        survivors = sorted(n for n, s in found.items() if s not in KILLED)
        totals["killed"] += killed
        totals["all"] += len(found)
        rate = f"{100 * killed / len(found):5.1f} %" if found else "    – "
        note = "" if finished else "  (stopped: budget)"
        print(f"{slug(target):24} {rate}  {killed:4} of {len(found):4} killed"
              f"  {time.monotonic() - started:6.0f} s{note}", flush=True)
        report += [f"## {target.module}: {killed} of {len(found)} killed", ""]
        for name in survivors:
            report += [f"### {name} ({found[name]})", "", "```diff", show(folder, name), "```", ""]
    if totals["all"]:
        print(f"{'overall':24} {100 * totals['killed'] / totals['all']:5.1f} %  "
              f"{totals['killed']:4} of {totals['all']:4} killed")
    WORK.mkdir(exist_ok=True)  # --report before any run
    (WORK / "survivors.md").write_text("\n".join(report), encoding="utf-8")
    print(f"survivors and their diffs: {WORK / 'survivors.md'}; reasons kept in tests/MUTANTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
