"""Fixtures shared by the tests that drive a whole collection."""

from __future__ import annotations

import os
import random
import sys

import pytest
from hypothesis import settings

# Tests are grouped in rooms (form/, reading/, outputs/…) and some borrow another room's helpers or
# fixtures by module name (``from test_forms import BASE``): every room is on the path, whichever
# file pytest happens to collect first.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(_HERE, d) for d in sorted(os.listdir(_HERE))
                if os.path.isdir(os.path.join(_HERE, d))
                if any(f.startswith("test_") for f in os.listdir(os.path.join(_HERE, d)))]

from aggregator.demo import sample_values  # noqa: E402 - after the rooms are on the path
from cli_helpers import ROSTER, SCHOOLS, dudao
from optional import IN_CI


@pytest.fixture
def col_dir(tmp_path, capsys):
    """A collection of the six schools of ``ROSTER``, initialised and distributed."""
    roster = tmp_path / "名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    folder = tmp_path / "曾都区双减"
    assert dudao(capsys, "init", folder, "--name", "曾都区", "--roster", roster, "--deadline", "2023-11-20")[0] == 0
    assert dudao(capsys, "distribute", folder)[0] == 0
    return folder


@pytest.fixture
def school_values():
    """A consistent return for each school of ``ROSTER``, by name."""
    rng = random.Random(7)
    return {s[0]: sample_values(rng, s[1], s[0], s[3], s[4]) for s in SCHOOLS}


@pytest.fixture(scope="session", autouse=True)
def _engine_caches_made_by_the_code_under_test():
    """Under ``./dev mutants`` every test session runs in a fork of one that has already run the
    tests: what the engine cached then (compiled rules, live checks, layouts) was computed by the
    unmutated code and would hide the mutant. Start each such session with empty caches."""
    if os.environ.get("MUTANT_UNDER_TEST"):
        for name, module in list(sys.modules.items()):
            if name.startswith("aggregator.") and module is not None:
                for value in list(vars(module).values()):
                    if callable(getattr(value, "cache_clear", None)):
                        value.cache_clear()
    yield


# Property tests explore new examples on a developer's machine; CI replays a fixed set, so
# main never turns red by chance (a failure found locally becomes an ordinary test).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


# In CI every test runs or fails: a skip (a missing optional package, no LibreOffice) is turned
# into a failure that says why, so a green run never hides a test that did not run.
_CI_SKIP = "skipped under CI=true, where every test must run (install what it needs in .ci/run): {}"


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    return longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)


def _fail_skip_in_ci(report) -> None:
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = _skip_reason(report)
        report.outcome = "failed"
        report.longrepr = _CI_SKIP.format(reason)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _fail_skip_in_ci(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _fail_skip_in_ci(outcome.get_result())


# The fast suite (``./dev test -m fast``): the pure engine, in well under 30 s. No command line run
# end to end, no window, no LibreOffice, no worker processes: what a change to the form, the
# reader, the checks or the ledger must pass before anything else is worth running.
FAST = ("form/", "reading/", "checks/", "collection/test_identify.py", "collection/test_intake.py",
        "collection/test_archive.py", "collection/test_ledger.py", "outputs/test_template.py",
        "outputs/test_filenames.py", "faces/test_layers.py", "faces/test_boundaries.py")
# Not the pure engine though under those folders: whole cycles through the command line, the
# property tests' thousands of random returns, files no spreadsheet program would write.
NOT_FAST = ("form/test_period.py", "reading/test_hostile.py", "reading/test_properties.py", "reading/test_materials.py")
NOT_FAST_TESTS = ("test_cycle_", "test_proposals_never_contradict")
_TESTS = os.path.dirname(os.path.abspath(__file__))


def pytest_collection_modifyitems(config, items):
    for item in items:
        where = os.path.relpath(str(item.path), _TESTS).replace(os.sep, "/")
        slow = any(item.get_closest_marker(m) for m in ("libreoffice", "slow", "bundle"))
        excluded = any(where == f for f in NOT_FAST) or item.name.startswith(NOT_FAST_TESTS)
        if not slow and not excluded and any(where == f or where.startswith(f) for f in FAST):
            item.add_marker(pytest.mark.fast)
