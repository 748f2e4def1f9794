"""The archive of a collection: every received file, byte for byte, kept before anything else.

A file is written under a temporary name that intake ignores (".~…part", one per writer) and
renamed into place, so a killed copy is never taken for a file, nor do two processes archiving
the same file write into one temporary file. The same bytes always land at the same place
(``archive/<day>/<sha256[:12]>-<name>``), so archiving is idempotent.

Durability: a copy and the rename into its folder are made durable (``sync``) before the ledger
transaction that records them commits. A power cut can then leave an archived copy the ledger
does not know (the next run checks its hash and writes it again), never a ledger row pointing at
a copy that is not on disk. One ``sync`` covers a whole ledger batch: on Linux one ``os.sync``
for all its files, which costs a fraction of one ``fsync`` per file.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import sys
from contextlib import suppress
from pathlib import Path

from ... import clock, faults
from ...atomic import _sync_folder, told_as


def hash_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def safe_name(name: str) -> str:
    """The last part of ``name``, fit for any file system: no reserved characters, at most 120
    characters and 150 bytes (a zip member's name can be longer than a file's may be)."""
    base = re.split(r"[\\/]", name)[-1]
    base = re.sub(r'[\x00-\x1f<>:"|?*]', "_", base).strip(" .") or "file"
    base = base[-120:]
    while len(base.encode("utf-8")) > 150:
        base = base[1:]
    return base


class Archive:
    def __init__(self, root: Path) -> None:
        self.root = root  # the collection folder; archived paths are relative to it
        self._unsynced: list[str] = []
        self._folders: set[str] = set()  # made in this run: a folder is made once, not once a file
        self._writer = secrets.token_hex(4)  # this writer's temporary names: no other process has them
        self._written = 0

    def store(self, name: str, sha: str, *, path: str | None = None, data: bytes | None = None) -> str:
        """Keep the file received as ``name`` (copied from ``path``, or ``data``), whose hash is
        ``sha``; returns where, relative to the collection folder. A copy already there (another
        process, or a killed run) is kept only when its bytes are these."""
        day = clock.today().isoformat()
        file = f"{sha[:12]}-{safe_name(name)}"
        folder = os.path.join(self.root, "archive", day)
        target = os.path.join(folder, file)
        self._unsynced.append(target)
        if os.path.exists(target) and hash_file(target) == sha:
            return f"archive/{day}/{file}"
        self._written += 1
        tmp = os.path.join(folder, f".~{sha[:12]}.{self._writer}{self._written}.part")
        placed = False
        try:
            self._write(tmp, folder, path, data)
            try:
                os.replace(tmp, target)
                placed = True
            except PermissionError:  # Windows: another process is reading the copy it just made
                if not (os.path.exists(target) and hash_file(target) == sha):
                    raise
        except OSError as exc:
            if exc.filename not in (None, tmp):  # the received file itself (held by another program): as it came
                raise
            raise told_as(exc, target)  # a full disk, say: told of the archived copy, not its temporary name
        finally:
            if not placed:
                with suppress(OSError):  # never there, or its folder gone: the first error is the one to tell
                    os.unlink(tmp)
        faults.reached("archive")
        return f"archive/{day}/{file}"

    def _write(self, tmp: str, folder: str, path: str | None, data: bytes | None) -> None:
        """The copy under its temporary name; its folder is made once a run (and again when
        someone deleted it meanwhile), not once a file."""
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        try:
            _copy(tmp, path, data)
        except FileNotFoundError:
            if os.path.isdir(folder):  # the source is gone, not our folder
                raise
            os.makedirs(folder, exist_ok=True)
            _copy(tmp, path, data)

    def sync(self) -> None:
        """Make every copy stored since the last call durable, then their folders' entries. The
        fault points are passed at every call, copies or not: the n-th sync is the n-th batch's."""
        files, self._unsynced = self._unsynced, []
        if not files:
            pass
        elif sys.platform.startswith("linux"):
            os.sync()  # waits on Linux; one call for every file of the batch
        else:
            for path in files:
                with suppress(OSError), open(path, "rb+") as fh:  # a copy open elsewhere: best effort
                    os.fsync(fh.fileno())
        faults.reached("file-synced")
        for folder in dict.fromkeys(os.path.dirname(p) for p in files):
            _sync_folder(Path(folder))
        faults.reached("folder-synced")


def _copy(tmp: str, path: str | None, data: bytes | None) -> None:
    """``data`` (else the file at ``path``) into the new file ``tmp``, in plain system calls: this
    runs once a received file, and Python's buffered file objects cost more than the writing."""
    if data is None:
        shutil.copyfile(path, tmp)
        return
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
