"""Watching folders: files that land in the inbox, or in the WeChat/QQ download folders the clerk
chose, are collected without her asking (which of them are taken is the engine's ``watched``).

A ``QFileSystemWatcher`` sees entries appear in the folders and their subfolders (WeChat and QQ
save into nested download folders, so new subfolders are watched as they appear). Each change
restarts a quiet-period timer; ``settled`` fires once nothing has changed for ``quiet_ms``, so
twenty files saved in a row give one collect, not twenty. A file still being written (a browser's
``.crdownload``, or one modified during the quiet period) postpones it again, up to a limit.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from .signals import emit

PARTIAL = (".crdownload", ".part", ".partial", ".download", ".tmp")
MAX_POSTPONE = 30  # quiet periods; after that a stuck half-file is collected (and reported) anyway


class InboxWatcher(QObject):
    settled = Signal()

    def __init__(self, parent: QObject | None = None, quiet_ms: int = 2000) -> None:
        super().__init__(parent)
        self._fs = QFileSystemWatcher(self)
        self._fs.directoryChanged.connect(self._changed)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(quiet_ms)
        self._timer.timeout.connect(self._quiet)
        self._roots: list[Path] = []
        self._postponed = 0

    @property
    def quiet_ms(self) -> int:
        return self._timer.interval()

    @quiet_ms.setter
    def quiet_ms(self, ms: int) -> None:
        self._timer.setInterval(ms)

    @property
    def active(self) -> bool:
        return bool(self._roots)

    @property
    def roots(self) -> list[Path]:
        return list(self._roots)

    def watch(self, roots: list[Path]) -> None:
        """Watch ``roots`` ([]: stop). Something may have arrived unseen: schedule a look.
        The first (the inbox) is made if missing; a download folder that is gone is skipped."""
        self.stop()
        if not roots:
            return
        roots[0].mkdir(parents=True, exist_ok=True)
        self._roots = [r for r in roots if r.is_dir()]
        self._add_folders()
        self.poke()

    def stop(self) -> None:
        self._timer.stop()
        watched = self._fs.directories() + self._fs.files()
        if watched:
            self._fs.removePaths(watched)
        self._roots = []

    def poke(self) -> None:
        """Start (or restart) the quiet period."""
        if self._roots:
            self._postponed = 0
            self._timer.start()

    def _walk(self):
        for root in self._roots:
            yield from os.walk(root)

    def _add_folders(self) -> None:
        known = set(self._fs.directories())
        folders = [str(r) for r in self._roots] + [os.path.join(d, n) for d, names, _ in self._walk() for n in names]
        new = [f for f in folders if f not in known]
        if new:
            self._fs.addPaths(new)

    def _changed(self, path: str) -> None:
        self._add_folders()
        self.poke()

    def _still_writing(self) -> bool:
        horizon = time.time() - self.quiet_ms / 1000
        for d, _, names in self._walk():
            for n in names:
                if n.lower().endswith(PARTIAL):
                    return True
                try:
                    if os.stat(os.path.join(d, n)).st_mtime > horizon:
                        return True
                except OSError:  # gone between listing and looking: a temporary file
                    return True
        return False

    def _quiet(self) -> None:
        if not self._roots:
            return
        if self._postponed < MAX_POSTPONE and self._still_writing():
            self._postponed += 1
            self._timer.start()
            return
        self._postponed = 0
        emit(self.settled)
