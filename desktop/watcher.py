"""Watching the inbox: files that land there are collected without the clerk asking.

A ``QFileSystemWatcher`` sees entries appear in the inbox and its subfolders (WeChat and QQ save
into nested download folders, so new subfolders are watched as they appear). Each change
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
        self._root: Path | None = None
        self._postponed = 0

    @property
    def quiet_ms(self) -> int:
        return self._timer.interval()

    @quiet_ms.setter
    def quiet_ms(self, ms: int) -> None:
        self._timer.setInterval(ms)

    @property
    def active(self) -> bool:
        return self._root is not None

    def watch(self, root: Path | None) -> None:
        """Watch ``root`` (None: stop). Something may have arrived unseen: schedule a look."""
        self.stop()
        if root is None:
            return
        root.mkdir(parents=True, exist_ok=True)
        self._root = root
        self._add_folders()
        self.poke()

    def stop(self) -> None:
        self._timer.stop()
        watched = self._fs.directories() + self._fs.files()
        if watched:
            self._fs.removePaths(watched)
        self._root = None

    def poke(self) -> None:
        """Start (or restart) the quiet period."""
        if self._root is not None:
            self._postponed = 0
            self._timer.start()

    def _add_folders(self) -> None:
        if self._root is None:
            return
        known = set(self._fs.directories())
        folders = [str(self._root)] + [os.path.join(d, n) for d, names, _ in os.walk(self._root) for n in names]
        new = [f for f in folders if f not in known]
        if new:
            self._fs.addPaths(new)

    def _changed(self, path: str) -> None:
        self._add_folders()
        self.poke()

    def _still_writing(self) -> bool:
        horizon = time.time() - self.quiet_ms / 1000
        for d, _, names in os.walk(self._root):
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
        if self._root is None:
            return
        if self._postponed < MAX_POSTPONE and self._still_writing():
            self._postponed += 1
            self._timer.start()
            return
        self._postponed = 0
        emit(self.settled)
