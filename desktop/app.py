"""``dudao-gui``: the window on top of the engine.

Opens the folder given on the command line, else the one used last time, so the clerk who
double-clicks the shortcut every morning lands where she left off. Errors that escape a slot are
logged to a file in the user's data folder and shown as a sentence; the window stays up.
"""

from __future__ import annotations

import logging
import multiprocessing
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QApplication, QMessageBox

from .controller import Controller
from .window import MainWindow
from .worker import failure_text

LAST_FOLDER = "last_folder"
WATCHING = "watch_inbox"

log = logging.getLogger("desktop")


def _log_to_file() -> Path:
    folder = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "dudao-gui.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)
    return path


def _excepthook(window: MainWindow):
    def hook(kind, exc, tb) -> None:
        log.error("uncaught exception", exc_info=(kind, exc, tb))
        QMessageBox.warning(window, "出错了", failure_text(exc))

    return hook


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()  # collect reads large batches in spawned processes; frozen builds need this
    argv = list(sys.argv if argv is None else argv)
    app = QApplication.instance() or QApplication(argv)
    app.setOrganizationName("dudao")
    app.setApplicationName("dudao-gui")
    app.setApplicationDisplayName("学校报表收集汇总")
    _log_to_file()
    settings = QSettings()

    controller = Controller()
    window = MainWindow(controller)
    controller.collectionChanged.connect(lambda folder: settings.setValue(LAST_FOLDER, folder))
    controller.watchingChanged.connect(lambda on: settings.setValue(WATCHING, on))
    sys.excepthook = _excepthook(window)

    controller.set_watching(str(settings.value(WATCHING, True)).lower() not in ("false", "0"))
    folder = argv[1] if len(argv) > 1 else settings.value(LAST_FOLDER, "")
    if folder and Path(str(folder)).is_dir():
        controller.open_collection(str(folder))
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
