"""Turning what the clerk drops on us (files, folders, .zip archives) into a stream of files.

Nothing here writes to disk: zip members are read into memory within limits and handed on, so a
member named ``../../x`` or ``C:\\x`` can never land outside the collection folder. Names written
by Windows zip tools in GBK are decoded as such. What cannot be opened is handed on too, with the
reason, so the clerk sees it instead of it silently vanishing.
"""

from __future__ import annotations

import os
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator

from ...messages import message, os_reason
from ..store.locked import retrying

MAX_FILE = 20 * 1024 * 1024  # a return is ~10 KB; anything over this is not one
MAX_ZIP_TOTAL = 500 * 1024 * 1024  # all members of one archive, uncompressed
MAX_ZIP_MEMBERS = 5000
MAX_RATIO = 200  # uncompressed / compressed, for members large enough to matter
MAX_DEPTH = 3  # a zip in a zip in a zip
# Whatever zipfile raises on a damaged or hostile archive (as ``reading.zipguard``, not imported
# here: that would load the spreadsheet libraries for every command).
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError,
              struct.error, OSError)

# Office and OS droppings that are never returns, and downloads still being written (the browser
# renames them when done; collect's own temporary files start with ".~").
_IGNORED_PREFIXES = ("~$", ".~", "._")
_IGNORED_SUFFIXES = (".part", ".crdownload", ".download", ".tmp")
_IGNORED_NAMES = {"thumbs.db", ".ds_store", "desktop.ini"}


@dataclass(frozen=True)
class Incoming:
    name: str  # what the clerk recognises: a path, or "archive.zip/member.xlsx"
    source: str  # the file on disk it came from
    received_at: str  # the file's own time, ISO seconds
    read: Callable[[], bytes]
    size: int
    problem: tuple[str, str] | None = None  # (kind, Chinese reason) when it cannot be used
    is_zip: bool = False
    path: str | None = None  # set for a file on disk: archived by copying, never read whole when huge
    container: str = ""  # for what came out of an archive: the archive's ``name``


def ignored(name: str) -> bool:
    base = os.path.basename(name).lower()
    return base.startswith(_IGNORED_PREFIXES) or base.endswith(_IGNORED_SUFFIXES) or base in _IGNORED_NAMES


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts).isoformat(timespec="seconds")


def _member_name(info: zipfile.ZipInfo) -> str:
    """Zip names without the UTF-8 flag are cp437 to Python; Chinese Windows wrote them in GBK."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            raw = name.encode("cp437")
        except UnicodeEncodeError:
            return name
        for enc in ("utf-8", "gb18030"):
            try:
                return raw.decode(enc)
            except UnicodeDecodeError:
                continue
    return name


def _safe_display(name: str) -> str:
    """A member path for display only: no drive, no root, no '..'."""
    parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("", "/", "..", ".")]
    parts = [p for p in parts if not (len(p) == 2 and p[1] == ":")]
    return "/".join(parts) or "(无名文件)"


def _looks_like_zip(name: str, head: bytes) -> bool:
    return name.lower().endswith(".zip") and head.startswith(b"PK")


def expand(paths: list[Path]) -> Iterator[Incoming]:
    """Every file under the given paths, in a stable order, zip archives opened."""
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs.sort()
                folder = Path(root)  # once a folder: a province's download folder holds 10,000 files
                for f in sorted(files):
                    yield from _from_file(folder / f)
        elif path.exists():
            yield from _from_file(path)
        else:
            yield _nothing(path, 0, "missing", message("missing", path=path))


def _from_file(path: Path) -> Iterator[Incoming]:
    if ignored(path.name):
        return
    try:
        st = path.lstat()
    except FileNotFoundError:  # listed a moment ago, moved or renamed since (a download finishing)
        yield _nothing(path, 0, "vanished", message("vanished"))
        return
    except OSError as exc:
        yield _nothing(path, 0, "corrupt", message("corrupt", detail=_detail(os_reason(exc))))
        return
    if stat.S_ISLNK(st.st_mode):
        yield _nothing(path, st.st_mtime, "not-spreadsheet", message("link"))
        return
    if not stat.S_ISREG(st.st_mode):  # a named pipe would hold the collect until someone wrote to it
        yield _nothing(path, st.st_mtime, "not-spreadsheet", message("special-file"))
        return
    received = _iso(st.st_mtime)
    read = partial(_read_all, str(path))
    if st.st_size > MAX_FILE and not path.name.lower().endswith(".zip"):
        yield Incoming(str(path), str(path), received, read, st.st_size,
                       ("oversized", message("oversized", size=_mb(st.st_size))), path=str(path))
        return
    head, fh = b"", None
    if path.name.lower().endswith(".zip"):  # only a .zip is opened as an archive: look at no other
        try:  # opened once, kept for its members: another program may hold it (``locked``)
            fh = retrying(lambda: path.open("rb"))
        except PermissionError:  # no bytes to keep: listed by collect, recorded nowhere
            yield Incoming(str(path), str(path), received, read, st.st_size, ("locked", message("locked")))
            return
        head = fh.read(4)
        fh.seek(0)
    item = Incoming(str(path), str(path), received, read, st.st_size,
                    is_zip=_looks_like_zip(path.name, head), path=str(path))
    try:
        yield item
        if item.is_zip:
            yield from _from_zip(str(path), str(path), fh, 1)
    finally:
        if fh is not None:
            fh.close()


def _nothing(path: Path, when: float, kind: str, reason: str) -> Incoming:
    """A path with no bytes to keep (not there, a link, a pipe): listed by collect, recorded nowhere."""
    return Incoming(str(path), str(path), _iso(when), lambda: b"", 0, (kind, reason))


def _read_all(path: str) -> bytes:
    """The file's bytes in one unbuffered read (``Path.read_bytes`` buffers, and asks whether
    the file is a terminal)."""
    with open(path, "rb", buffering=0) as fh:
        return fh.readall()


def _detail(text: str | None) -> str:
    """A detail as the catalogue's messages take it: in brackets, or nothing."""
    return f"（{text}）" if text else ""


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _from_zip(label: str, source: str, fh, depth: int) -> Iterator[Incoming]:
    try:
        with fh, zipfile.ZipFile(fh) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            problem = None
            if len(infos) > MAX_ZIP_MEMBERS:
                problem = ("zip-bomb", message("zip-bomb", size=f"{len(infos)} 个文件"))
            elif total > MAX_ZIP_TOTAL:
                problem = ("zip-bomb", message("zip-bomb", size=_mb(total)))
            if problem:
                yield Incoming(f"{label}（压缩包内容）", source, _iso(0), lambda: b"", 0, problem, container=label)
                return
            for info in infos:
                if info.is_dir():
                    continue
                name = _safe_display(_member_name(info))
                shown = f"{label}/{name}"
                if ignored(name):
                    continue
                received = _member_time(info)
                mode = info.external_attr >> 16
                if stat.S_ISLNK(mode):
                    yield Incoming(shown, source, received, lambda: b"", 0,
                                   ("not-spreadsheet", message("zip-link")), container=label)
                    continue
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > MAX_FILE or (info.file_size > 5 * 1024 * 1024 and ratio > MAX_RATIO):
                    kind = "zip-bomb" if ratio > MAX_RATIO else "oversized"
                    yield Incoming(shown, source, received, lambda: b"", info.file_size,
                                   (kind, message(kind, size=_mb(info.file_size))), container=label)
                    continue
                try:
                    data = _read_member(zf, info)
                except ZIP_ERRORS as exc:
                    reason = "encrypted" if "encrypt" in str(exc).lower() or info.flag_bits & 0x1 else "corrupt"
                    yield Incoming(shown, source, received, lambda: b"", info.file_size,
                                   (reason, message(reason, detail=_detail("压缩包中的文件无法解压"))), container=label)
                    continue
                nested = _looks_like_zip(name, data[:4])
                yield Incoming(shown, source, received, lambda d=data: d, len(data), is_zip=nested,
                               container=label)
                if nested:
                    if depth >= MAX_DEPTH:
                        yield Incoming(f"{shown}（压缩包内容）", source, received, lambda: b"", 0,
                                       ("zip-bomb", message("zip-nested")),
                                       container=label)
                    else:
                        import io

                        yield from _from_zip(shown, source, io.BytesIO(data), depth + 1)
    except ZIP_ERRORS:  # a damaged central directory, a name that is not what its flag says
        yield Incoming(f"{label}（压缩包内容）", source, _iso(0), lambda: b"", 0,
                       ("corrupt", message("corrupt", detail=_detail("压缩包无法打开"))), container=label)


def _member_time(info: zipfile.ZipInfo) -> str:
    """The member's own time, or "unknown" (the epoch) when the zip tool wrote none: some write a
    DOS date of 0, which is no day at all (month 0), and that is no reason to refuse the archive."""
    try:
        return datetime(*info.date_time).isoformat(timespec="seconds") if info.date_time[0] >= 1980 else _iso(0)
    except ValueError:
        return _iso(0)


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The member's bytes, never more than its header declares: one whose header lies about its
    size (to slip past the checks above) is refused as damaged before it can fill memory."""
    with zf.open(info) as member:
        data = member.read(info.file_size + 1)  # inflates at most this much; the CRC is checked at the end
    if len(data) != info.file_size:
        raise zipfile.BadZipFile("size does not match the header")
    return data
