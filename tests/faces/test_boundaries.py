"""The engine never imports Qt or xlwings: the desktop and the Excel side sit on top of it."""

import ast
import subprocess
import sys
from pathlib import Path

import aggregator

FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "xlwings")
ENGINE = Path(aggregator.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_engine_module_imports_qt_or_xlwings():
    offenders = {
        str(p.relative_to(ENGINE.parent)): sorted(imported_modules(p) & set(FORBIDDEN))
        for p in ENGINE.rglob("*.py")
        if imported_modules(p) & set(FORBIDDEN)
    }
    assert offenders == {}


def test_loading_the_whole_engine_loads_neither():
    modules = sorted(
        "aggregator." + ".".join(p.relative_to(ENGINE).with_suffix("").parts)
        for p in ENGINE.rglob("*.py")
        if p.name != "__init__.py"
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_writing_workbooks_does_not_import_numpy_yet_numpy_still_imports():
    """openpyxl would import numpy (0.07 s of every command that writes a workbook) only to accept
    numpy's numbers as cell values, which the engine never gives it; whoever wants numpy later
    (a benchmark's pandas) still gets it."""
    code = (
        "import sys\n"
        "import aggregator.outputs.consolidate, aggregator.outputs.feedback\n"
        "import openpyxl\n"
        "print('numpy' in sys.modules, openpyxl.compat.numbers.NUMPY)\n"
        "import numpy\n"
        "print(numpy.array([1, 2]).sum())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "3"]
