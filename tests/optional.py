"""Optional test dependencies: skipped on a developer's machine without them, never in CI.

``./dev test`` installs every one of them (the ``test`` extra), and ``.ci/run`` installs
LibreOffice and poppler. Under ``CI=true`` a missing one is a failure, here at import and for any
other skip in ``conftest.py``, so a green CI run never hides a test that did not run.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest

IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require(module: str, why: str) -> ModuleType:
    """``module``, imported; without it a skip that says ``why`` (and how to get it), or in CI an
    ``ImportError``."""
    if IN_CI:
        return importlib.import_module(module)
    return pytest.importorskip(module, reason=why)
