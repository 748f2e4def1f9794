"""Write files so that a reader never sees half of one.

The clerk's folder is watched by Excel, WPS, a sync client and our own collector; a crash or a
full disk in the middle of a write must leave either the old file or the new one, never a
truncated workbook that a school then receives. So: write a temporary file beside the target,
flush it to disk, then rename it over the target in one step (``os.replace`` is atomic on the
same volume, on Windows too).
"""

from __future__ import annotations

import io
import os
import secrets
from contextlib import suppress
from pathlib import Path

from openpyxl import Workbook


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step; on failure the old file is left untouched."""
    target = Path(path)
    # Same folder, so the final rename never crosses volumes; a dot name keeps it out of sight.
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as fh:  # "x": never clobber; default mode honours the umask
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with suppress(FileNotFoundError):
            tmp.unlink()
        raise
    _sync_folder(target.parent)


def save_workbook_atomic(wb: Workbook, path: str | os.PathLike[str]) -> None:
    """``wb.save(path)``, but atomic: the workbook is serialised in memory first."""
    buf = io.BytesIO()
    wb.save(buf)
    write_atomic(path, buf.getvalue())


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable where the OS allows it (POSIX); Windows has no such call."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # some network shares cannot open a folder; the data itself is synced
        return
    try:
        with suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
