"""Collecting from the folders the clerk watches: the inbox, and download folders such as WeChat's.

The inbox belongs to the collection: everything in it is collected. A WeChat or QQ download
folder belongs to the clerk's whole working life: photos, notices, last year's forms. From there
only files that are new (changed since the folder was first looked at for this collection) and
that match this collection are taken: a spreadsheet or zip whose name carries the form's annex
(附件5) or a roster school's name, or a workbook issued for this collection (its id is in the
hidden metadata sheet ``distribute`` writes). The rest is never copied into the archive.
"""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

from ...progress import Cancel, Job
from ...reading.formats import suffixes_where
from .collect import CollectResult, collect
from ..store.folder import Collection
from .incoming import _iso, ignored
from ..store.names import NameIndex

TAKEN = suffixes_where(watched=True)  # a return, or a zip that may hold some
MAX_LOOK = 5 * 1024 * 1024  # a return is ~10 KB: a bigger workbook is not opened to look for the id
SINCE_KEY = "watch-since:"  # ledger meta, per watched folder: when it was first looked at


def first_looked(col: Collection, folder: Path) -> float:
    """When this collection first looked at ``folder`` (now, the first time)."""
    key = SINCE_KEY + str(folder)
    seen = col.ledger.get(key)
    if seen:
        return float(seen)
    now = time.time()
    with col.ledger.transaction():
        col.ledger.put(key, repr(now))
    return now


def matches(col: Collection, path: Path, index: NameIndex) -> bool:
    """Whether a file in a download folder belongs to this collection (see the module's note)."""
    name = path.name
    if not name.lower().endswith(TAKEN) or ignored(name):
        return False
    if col.form.annex and col.form.annex in name:
        return True
    if index.find_in(path.stem) is not None:
        return True
    return _issued_here(path, col.settings.id)


def _issued_here(path: Path, collection_id: str) -> bool:
    """A workbook that carries this collection's id on its hidden metadata sheet (inline, as we
    write it, or in the shared strings once Excel or WPS saved it again)."""
    if not path.name.lower().endswith((".xlsx", ".xlsm")) or path.stat().st_size > MAX_LOOK:
        return False
    wanted = collection_id.encode()
    try:
        with zipfile.ZipFile(path) as zf:
            parts = [n for n in zf.namelist() if n.startswith("xl/worksheets/") or n == "xl/sharedStrings.xml"]
            return any(wanted in zf.read(n) for n in parts)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, RuntimeError):
        return False


def new_files(col: Collection, folders: list[Path]) -> list[Path]:
    """The files of ``folders`` to collect now: new since first looked at, matching, not yet taken."""
    index = NameIndex({s.id: s.name for s in col.schools()}, col.settings.levels)
    taken = {(f.source, f.received_at) for f in col.ledger.files()}
    found = []
    for folder in folders:
        if not folder.is_dir():
            continue
        since = first_looked(col, folder)
        for root, dirs, names in os.walk(folder):
            dirs.sort()
            for n in sorted(names):
                path = Path(root) / n
                try:
                    mtime = path.stat().st_mtime
                except OSError:  # gone while looking: a download renamed into place
                    continue
                if mtime < since or not matches(col, path, index):
                    continue
                if (str(path), _iso(mtime)) in taken:
                    continue
                found.append(path)
    return found


def collect_watched(col: Collection, cancel: Cancel | None = None) -> Job[CollectResult]:
    """Generator: collect the inbox and what is new and ours in the watched folders."""
    inbox = col.folder("inbox")
    extra = new_files(col, [Path(w) for w in col.settings.watch if Path(w) != inbox])
    return (yield from collect(col, [inbox, *extra], cancel))

