"""``dudao-gui``: the window on top of the engine.

Opens the folder given on the command line, else the one used last time, so the clerk who
double-clicks the shortcut every morning lands where she left off. Qt's own Chinese
translations are loaded first, so Qt's buttons and menus (确定, 复制, 全选) speak the clerk's
language too. Errors that escape a slot are logged to a file in the user's data folder and shown
as a sentence; the window stays up. ``--help`` and ``--version`` answer and exit, as any program's;
``--screenshot FILE.png`` draws the window once on the folder given, saves it and exits
(``screenshot``: the smoke test of a frozen bundle).
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QStandardPaths, Qt, QTranslator
from PySide6.QtWidgets import QApplication

from aggregator.chinese_parser import ChineseParser
from aggregator.console import tolerant_console

from . import dialogs, window_state
from .controller import Controller
from .help import APP_NAME, app_version
from .window import MainWindow
from .worker import failure_text

LAST_FOLDER = window_state.LAST_FOLDER
WATCHING = "watch_inbox"
TRANSLATIONS = ("qtbase_zh_CN",)

log = logging.getLogger("desktop")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = ChineseParser(prog="dudao-gui", description=f"{APP_NAME}：下发、收取、校验、退回与汇总学校报表的桌面程序。")
    parser.add_argument("folder", nargs="?", metavar="收集文件夹", help="要打开的收集文件夹（默认为上次打开的）")
    parser.add_argument("--version", action="version", version=f"dudao-gui {app_version()}")
    parser.add_argument("--screenshot", metavar="图片.png",
                        help="打开收集文件夹，把窗口保存为图片后退出（检查程序是否完好，或为说明书配图）")
    return parser.parse_args(argv)


def install_translations(app: QApplication) -> list[QTranslator]:
    """Qt's own zh_CN catalogue (standard buttons, the file dialog, context menus); kept alive by the app."""
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    loaded = []
    for name in TRANSLATIONS:
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            loaded.append(translator)
        else:
            log.warning("Qt translation %s not found in %s", name, folder)
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    return loaded


def still(app: QApplication) -> None:
    """No menu and combo box animations: instant on an old office laptop, and an animation still
    running on a menu that is gone (closed at once, its window closed) cannot crash Qt."""
    for effect in (Qt.UIEffect.UI_AnimateMenu, Qt.UIEffect.UI_FadeMenu, Qt.UIEffect.UI_AnimateCombo,
                   Qt.UIEffect.UI_AnimateTooltip, Qt.UIEffect.UI_FadeTooltip):
        app.setEffectEnabled(effect, False)


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
        dialogs.tell(window, "出错了", failure_text(exc))

    return hook


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()  # collect reads large batches in spawned processes; frozen builds need this
    tolerant_console()  # --help, --version and --screenshot write to a console that may be GBK
    argv = list(sys.argv if argv is None else argv)
    args = parse_args(argv[1:])  # --help and --version print and exit before any window
    app = QApplication.instance() or QApplication(argv)
    app.setOrganizationName("dudao")
    app.setApplicationName("dudao-gui")
    app.setApplicationDisplayName(APP_NAME)
    install_translations(app)
    still(app)
    if args.screenshot:
        from .screenshot import screenshot

        return screenshot(app, args.folder, args.screenshot)
    _log_to_file()
    settings = QSettings()

    controller = Controller()
    window = MainWindow(controller, settings)
    controller.watchingChanged.connect(lambda on: settings.setValue(WATCHING, on))
    sys.excepthook = _excepthook(window)

    controller.set_watching(str(settings.value(WATCHING, True)).lower() not in ("false", "0"))
    folder = args.folder or settings.value(LAST_FOLDER, "")
    if folder and Path(str(folder)).is_dir():
        controller.open_collection(str(folder))
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
