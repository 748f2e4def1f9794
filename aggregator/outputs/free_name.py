"""Saving a file the clerk may have open: never over it, under the next free "(n)" name instead.

On Windows a workbook open in Excel or WPS (a PDF in a reader, a CSV in Excel) cannot be
replaced: the rename at the end of an atomic write fails with ``PermissionError``. Excel and WPS
also leave a lock file beside it, so a copy that is open is seen before writing. Either way the
file is saved as "…(2).xlsx" (then (3) …), the open one is left untouched, and the caller tells
the clerk which name it took. The summary and the feedback files are saved this way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ..atomic import write_atomic

MAX_COPIES = 20  # 汇总表(2) … (20): beyond that something else is wrong (a read-only folder)


def open_elsewhere(path: Path) -> bool:
    """True when Excel, WPS or LibreOffice holds the file open (their lock files sit beside it).

    Excel and WPS write "~$" + the name (Word-style programs drop the first two characters of a
    long name); LibreOffice writes ".~lock.<name>#".
    """
    folder, name = path.parent, path.name
    candidates = (f"~${name}", f"~${name[2:]}", f".~lock.{name}#")
    return any((folder / c).exists() for c in candidates)


def copies(path: Path) -> Iterator[Path]:
    """``path``, then "stem(2).suffix" … "stem(MAX_COPIES).suffix"."""
    yield path
    for i in range(2, MAX_COPIES + 1):
        yield path.with_name(f"{path.stem}({i}){path.suffix}")


def write_free(path: Path, data: bytes) -> Path | None:
    """Write ``data`` atomically to ``path`` or to its first copy name that is not open
    elsewhere; the path written, or None when every name is held."""
    for candidate in copies(path):
        if open_elsewhere(candidate):
            continue
        try:
            write_atomic(candidate, data)
        except PermissionError:
            continue
        return candidate
    return None


def newest_copy(path: Path) -> Path | None:
    """The latest written of ``path`` and its "(n)" copies: the one to open, since a copy is only
    written while an older one is held open; None when none exists."""
    found = [(p.stat().st_mtime_ns, p) for p in copies(path) if p.is_file()]
    return max(found)[1] if found else None
