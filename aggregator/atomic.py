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
import sys
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from . import faults

if TYPE_CHECKING:  # openpyxl takes a quarter of a second to import: not for collect or distribute
    from openpyxl import Workbook


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step; on failure the old file is left untouched."""
    target = Path(path)
    # Same folder, so the final rename never crosses volumes; a dot name keeps it out of sight.
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as fh:  # "x": never clobber; default mode honours the umask
            fh.write(data[: len(data) // 2])
            faults.reached("save-half")  # the fault tests' kill points: half written, then not renamed
            fh.write(data[len(data) // 2 :])
            fh.flush()
            os.fsync(fh.fileno())
        faults.reached("save-rename")
        os.replace(tmp, target)
    except BaseException as exc:
        with suppress(OSError):  # not there, or its folder gone: the first error is the one to tell
            tmp.unlink()
        raise told_as(exc, target)
    _sync_folder(target.parent)


def told_as(exc: BaseException, target: str | os.PathLike[str]) -> BaseException:
    """A refused write told about the file the clerk asked for, not about our temporary one
    beside it ("无法读写文件“…/.汇总表.xlsx.3fa2.tmp”" names nothing she knows). The same kind
    of error: a PermissionError stays one (a file held open moves on to the next free name)."""
    if isinstance(exc, OSError) and exc.errno is not None and exc.filename != os.fspath(target):
        renamed = OSError(exc.errno, exc.strerror, os.fspath(target))  # OSError picks the subclass by errno
        renamed.__cause__ = exc
        return renamed
    return exc


def write_all_atomic(files: Iterable[tuple[str | os.PathLike[str], bytes]]) -> None:
    """``write_atomic`` for many files, with one flush to disk for all of them where the OS has
    one that waits (Linux ``sync``): a thousand fsyncs take about a second, one sync a fifth of
    that (benchmarks/run.py, distribute). Every file is written beside its target under a
    temporary name, all are made durable, and only then renamed into place, so a crash still
    leaves each target either as it was or complete."""
    bulk = sys.platform.startswith("linux")  # macOS's sync may return before the data is on disk
    written: list[tuple[Path, Path]] = []
    target = Path()
    try:
        for path, data in files:
            target = Path(path)
            tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
            with open(tmp, "xb") as fh:
                written.append((tmp, target))
                fh.write(data)
                if not bulk:
                    fh.flush()
                    os.fsync(fh.fileno())
        if bulk and written:
            os.sync()
        for tmp, target in written:
            os.replace(tmp, target)
    except BaseException as exc:
        for tmp, _ in written:
            with suppress(OSError):
                tmp.unlink()
        raise told_as(exc, target)
    for folder in {target.parent for _, target in written}:
        _sync_folder(folder)


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
