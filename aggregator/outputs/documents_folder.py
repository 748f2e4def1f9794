"""Every received document in one folder, and one zip, named so a person can find each:
``所属单位-学校-材料.扩展名``, ready to pass upward or to print.

The copies come from the archive (the bytes as received); the folder is made anew each time, in
a temporary folder renamed into place, so it never holds a half-done set.
"""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from ..collection.store.folder import Collection
from ..collection.store.ledger import DocumentRecord
from ..collection.store.roster import School
from ..filenames import safe_file_name

FOLDER = "各校材料"


@dataclass(frozen=True)
class Exported:
    folder: Path
    archive: Path
    count: int


def export_documents(col: Collection, documents: Iterable[DocumentRecord], schools: Iterable[School]) -> Exported:
    """The latest document of each school and material, copied under a name that says whose
    and what; a zip of the same beside the folder."""
    plan = col.plan
    wanted = {m.id for m in plan.materials}
    by_id = {s.id: s for s in schools}
    latest: dict[tuple[str, str], DocumentRecord] = {}
    for d in documents:  # oldest first: the newest stays
        if d.school_id in by_id and not d.waiting and d.material in wanted:  # not an answer to a 督办单
            latest[(d.school_id, d.material)] = d
    return named_folder(col, FOLDER, [(by_id[sid], d) for (sid, _), d in latest.items()])


def named_folder(col: Collection, name: str, entries: Iterable[tuple[School, DocumentRecord]],
                 extra: Callable[[dict[tuple[str, str], str]], dict[str, bytes]] | None = None) -> Exported:
    """``summary/<name>/`` made anew with each document copied as ``所属单位-学校-材料.扩展名`` (and a
    zip of it); ``extra``: further files for the folder, from the name each document got
    ((school id, material id) -> file name)."""
    plan = col.plan
    target = col.folder("summary") / name
    building = target.with_name(f".{name}.part")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    taken: set[str] = set()
    named: dict[tuple[str, str], str] = {}
    for school, d in sorted(entries, key=lambda e: (e[0].parent, e[0].id, e[1].material)):
        label = next((m.label for m in plan.materials if m.id == d.material), d.material)
        suffix = Path(d.original_name).suffix.lower() or f".{d.format}"
        file = _unique(safe_file_name(f"{school.parent or '未填所属单位'}-{school.name}-{label}"), suffix, taken)
        shutil.copyfile(col.root / d.archived, building / file)
        named[(school.id, d.material)] = file
    for file, data in (extra(named) if extra else {}).items():
        (building / file).write_bytes(data)
    zipped = target.with_suffix(".zip")
    part = zipped.with_name(f".{zipped.name}.part")
    with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(building.iterdir()):
            z.write(path, path.name)  # UTF-8 names: Windows 10 and later and WPS read them
    shutil.rmtree(target, ignore_errors=True)
    building.rename(target)
    part.replace(zipped)
    return Exported(target, zipped, len(named))


def _unique(stem: str, suffix: str, taken: set[str]) -> str:
    name, n = stem[:100] + suffix, 2
    while name in taken:
        name, n = f"{stem[:100]}({n}){suffix}", n + 1
    taken.add(name)
    return name
