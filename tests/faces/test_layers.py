"""The house's floors, held by a test (napari's import contract): each layer imports only itself and
the layers below it, and the faces enter the engine through one door.

    base < form < reading < checks < store < supervision < views < intake < clerk < outputs < session
         < demo < faces

An import inside a function counts as much as one at the top: a lazy import is still an arrow.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
C = "aggregator.collection"
# Bottom first. A module belongs to the first layer whose prefix it starts with (most specific first).
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("aggregator.clock", "aggregator.messages", "aggregator.findings", "aggregator.progress",
              "aggregator.atomic", "aggregator.deflate", "aggregator.filenames", "aggregator.deferred",
              "aggregator.faults",
              "aggregator.stages", "aggregator.resources", "excel_templates")),
    ("form", ("aggregator.form",)),
    ("reading", ("aggregator.reading",)),
    ("checks", ("aggregator.checks",)),
    ("store", (f"{C}.store",)),
    ("supervision", (f"{C}.supervision",)),  # the register's records, kept beside the ledger's
    ("views", (f"{C}.views",)),
    ("intake", (f"{C}.intake",)),
    ("clerk", (f"{C}.clerk",)),
    ("outputs", ("aggregator.outputs",)),
    ("session", ("aggregator.session", "aggregator.said", "aggregator.supervising", "aggregator.tools")),
    # The demo drives the whole job through the front door, as a face would; the command line runs it.
    ("demo", ("aggregator.demo",)),
    ("faces", ("aggregator.cli", "aggregator.cli_clerk", "aggregator.cli_supervise", "aggregator.chinese_parser", "aggregator.console", "desktop",
               "macros")),
]
FACES = ("aggregator.cli", "aggregator.cli_clerk", "aggregator.cli_supervise", "desktop", "macros")
# What a face may import of the engine: the door, and what is not the engine (the package's
# version, the console a command line writes to).
DOOR = ("aggregator.session", "aggregator.console", "aggregator.chinese_parser", "aggregator", "aggregator.demo")


PACKAGES = ("aggregator", "aggregator.collection")  # package faces that hold no code: below everything


def layer_of(module: str) -> int | None:
    if module in PACKAGES:
        return 0
    best: tuple[int, int] | None = None  # (prefix length, layer)
    for i, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and (best is None or len(p) > best[0]):
                best = (len(p), i)
    return None if best is None else best[1]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, resolved to an absolute name, wherever the import stands."""
    mod = module_name(path)
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            for a in node.names:  # "from aggregator.collection import overrule" imports a module
                found.add(f"{target}.{a.name}")
    return {m for m in found if m.split(".")[0] in ("aggregator", "desktop", "macros", "excel_templates")}


def sources() -> list[Path]:
    return sorted(p for top in ("aggregator", "desktop", "macros") for p in (ROOT / top).rglob("*.py"))


def real(module: str) -> bool:
    """A module or package of the tree (not a name imported from one)."""
    path = ROOT / Path(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def test_every_module_has_a_layer():
    assert [module_name(p) for p in sources() if layer_of(module_name(p)) is None] == []


def test_no_import_runs_up_a_floor():
    upward = []
    for path in sources():
        mine = layer_of(module_name(path))
        for target in imports(path):
            theirs = layer_of(target)
            if real(target) and theirs is not None and mine is not None and theirs > mine:
                upward.append(f"{module_name(path)} ({LAYERS[mine][0]}) -> {target} ({LAYERS[theirs][0]})")
    assert upward == []


def test_the_faces_enter_the_engine_only_through_the_session():
    through_the_wall = []
    for path in sources():
        mod = module_name(path)
        if not any(mod == f or mod.startswith(f + ".") for f in FACES):
            continue
        for target in imports(path):
            if target.startswith("aggregator") and real(target) and target not in DOOR \
                    and not target.startswith(("aggregator.cli", "aggregator.console")):
                through_the_wall.append(f"{mod} -> {target}")
    assert through_the_wall == []


@pytest.mark.parametrize("module, layer", [
    ("aggregator.collection.store.ledger", "store"), ("aggregator.collection.views.status", "views"),
    ("aggregator.session", "session"), ("desktop.window", "faces"), ("aggregator.form.types", "form"),
])
def test_the_contract_itself_places_modules(module, layer):
    assert LAYERS[layer_of(module)][0] == layer


def test_no_code_outside_the_declarations_names_a_field_of_annex_5():
    """A form we have never seen runs from its TOML alone: the engine, the window and the Excel
    side name no field of a particular form, not even in an example or a docstring (the demo,
    which fills Annex 5 in, is the one place allowed to)."""
    import re

    from aggregator.form.parse import load_form

    form = load_form("annex5_2023")
    names = {f.id for f in form.fields if "." in f.id or "_" in f.id} | {f.row for f in form.fields if f.row and "_" in f.row}
    pattern = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")(?!\w)")
    named = []
    for path in sources():
        if path.is_relative_to(ROOT / "aggregator" / "demo"):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            named += [f"{path.relative_to(ROOT)}:{n}: {m.group(1)}" for m in pattern.finditer(line)]
    assert named == []


def test_no_code_outside_the_demo_names_the_seed_s_district():
    """A clerk elsewhere gets every message, example and default as written: 曾都区 (and its city
    and towns) belong to the demo, which plays the seed's district, and to nothing else."""
    from aggregator.demo import SAMPLE_ROSTER

    towns = {row.split(",")[2].strip()[:2] for row in SAMPLE_ROSTER.read_text(encoding="utf-8-sig").splitlines()[1:]
             if row.count(",") >= 2}
    words = {"曾都", "随州"} | {t for t in towns if t and t not in ("区直",)}
    named = [f"{path.relative_to(ROOT)}:{n}: {word}" for path in sources()
             if not path.is_relative_to(ROOT / "aggregator" / "demo")
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             for word in sorted(words) if word in line]
    assert named == []
