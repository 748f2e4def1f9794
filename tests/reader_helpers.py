"""Helpers of the reader's tests (``tests/reading/``): a return written, read back, and flattened."""

from __future__ import annotations

from pathlib import Path

from aggregator.reading import read_return
from builders import FORM, sample_values, write_return

ENGINES = ("calamine", "openpyxl")
# Test-only writers of the .xls and .ods fixtures (the ``test`` extra): a skip without them, never in CI.
XLWT = "xlwt (test-only) writes the .xls fixture: pip install xlwt"
ODFPY = "odfpy (test-only) writes the .ods fixture: pip install odfpy"


def read(tmp_path: Path, values: dict | None = None, *, engine: str = "calamine", name: str = "附件5", **kw):
    fmt = kw.get("fmt", "xlsx")
    path = write_return(tmp_path / f"{name}.{fmt}", sample_values() if values is None else values, **kw)
    return read_return(path, FORM, engine=engine)


def one(tmp_path: Path, field: str, raw, **kw):
    """A complete return with one field typed as ``raw``."""
    return read(tmp_path, sample_values(**{field.replace(".", "__"): raw}), **kw)


def flat(sub) -> list[tuple[str, str, str]]:
    return sorted((f.cells[0] if f.cells else "", f.rule, f.level) for f in sub.findings)


def noted(sub) -> list[tuple[str, str, object, object]]:
    return [(n.cell, n.kind, n.raw, n.value) for n in sub.notes]


def assert_values(sub, expected: dict) -> None:
    wrong = {k: (sub.values.get(k), v) for k, v in expected.items() if sub.values.get(k) != v}
    assert not wrong, f"(read, expected): {wrong}"
