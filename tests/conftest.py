"""Fixtures shared by the tests that drive a whole collection."""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import settings

from aggregator.demo import sample_values
from cli_helpers import ROSTER, SCHOOLS, dudao


@pytest.fixture
def col_dir(tmp_path, capsys):
    """A collection of the six schools of ``ROSTER``, initialised and distributed."""
    roster = tmp_path / "名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    folder = tmp_path / "曾都区双减"
    assert dudao(capsys, "init", folder, "--roster", roster, "--deadline", "2023-11-20")[0] == 0
    assert dudao(capsys, "distribute", folder)[0] == 0
    return folder


@pytest.fixture
def school_values():
    """A consistent return for each school of ``ROSTER``, by name."""
    rng = random.Random(7)
    return {s[0]: sample_values(rng, s[1], s[0], s[3], s[4]) for s in SCHOOLS}


# Property tests explore new examples on a developer's machine; CI replays a fixed set, so
# main never turns red by chance (a failure found locally becomes an ordinary test).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
