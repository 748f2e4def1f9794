"""The window fits the screen and remembers: its size, its splitters, the collections opened.

The most common office screen is a 1366×768 laptop with a taskbar, leaving about 1366×728. A
window that opens taller than that hides its status bar, where the progress and 取消 are. So the
first size is what fits the screen's available area, and a remembered size that no longer fits
(the laptop left its docking station) is shrunk to fit, never placed off screen.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QRect, QSettings, QSize
from PySide6.QtWidgets import QMainWindow, QSplitter

WANTED = QSize(1280, 780)
MARGIN = 16  # room for the window frame inside the available area
RECENT_MAX = 8
GEOMETRY, SPLIT, RECENT, LAST_FOLDER = "window/geometry", "window/split", "recent", "last_folder"


def fit(available: QRect, wanted: QSize = WANTED, minimum: QSize = QSize(0, 0)) -> QRect:
    """The largest rectangle up to ``wanted`` inside ``available`` (less a frame margin), centred."""
    width = max(minimum.width(), min(wanted.width(), available.width() - MARGIN))
    height = max(minimum.height(), min(wanted.height(), available.height() - MARGIN * 3))  # a title bar
    x = available.x() + max(0, (available.width() - width) // 2)
    y = available.y() + max(0, (available.height() - height) // 3)
    return QRect(x, y, width, height)


def place(window: QMainWindow, settings: QSettings | None = None) -> None:
    """Restore the remembered geometry if any, then make sure the window fits its screen."""
    screen = window.screen()
    available = screen.availableGeometry() if screen is not None else QRect(0, 0, 1366, 728)
    saved = settings.value(GEOMETRY) if settings is not None else None
    if isinstance(saved, QByteArray) and window.restoreGeometry(saved):
        frame = window.frameGeometry()
        if available.contains(frame):
            return
    window.setGeometry(fit(available, WANTED if saved is None else window.size()))


def restore_split(split: QSplitter, settings: QSettings | None) -> None:
    saved = settings.value(SPLIT) if settings is not None else None
    if isinstance(saved, QByteArray):
        split.restoreState(saved)


def remember(window: QMainWindow, split: QSplitter, settings: QSettings | None) -> None:
    if settings is not None:
        settings.setValue(GEOMETRY, window.saveGeometry())
        settings.setValue(SPLIT, split.saveState())


def recent(settings: QSettings | None) -> list[str]:
    """The collections opened last, newest first, those that still exist."""
    if settings is None:
        return []
    value = settings.value(RECENT, [])
    found = [value] if isinstance(value, str) else list(value or [])
    return [f for f in found if f and Path(f).is_dir()]


def add_recent(settings: QSettings | None, folder: str) -> list[str]:
    if settings is None:
        return []
    found = [folder] + [f for f in recent(settings) if Path(f) != Path(folder)]
    settings.setValue(RECENT, found[:RECENT_MAX])
    settings.setValue(LAST_FOLDER, folder)
    return found[:RECENT_MAX]
