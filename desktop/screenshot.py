"""``dudao-gui DIR --screenshot FILE.png``: the window on a collection, drawn once, saved, closed.

Two uses: the smoke test of a frozen bundle (Qt's platform plugin, the fonts, the translations,
the engine reading a collection in the window's worker thread, all of it in the bundle and not in
a source tree), and the README's pictures. Nothing is remembered: no QSettings are read or
written, so taking a picture changes neither the window's saved size nor the last collection.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QRect, QTimer
from PySide6.QtWidgets import QApplication

from .controller import Controller
from .window import MainWindow

SIZE = QRect(0, 0, 1366, 728)  # a 1366×768 laptop, less its taskbar: what most clerks have
OPEN_TIMEOUT_MS = 120_000  # a large collection on a slow PC; a demo opens in a second


def screenshot(app: QApplication, folder: str | None, target: str) -> int:
    """Exit status: 0 saved; 2 the folder could not be opened or the picture not written (said
    in one Chinese sentence on standard error)."""
    path = Path(target)
    if path.suffix.lower() != ".png":
        path = path.with_name(path.name + ".png")
    if folder and not Path(folder).is_dir():
        print(f"错误：找不到文件夹 {folder}", file=sys.stderr)
        return 2
    controller = Controller()
    window = MainWindow(controller)
    window.setGeometry(SIZE)
    window.show()
    failures: list[str] = []
    controller.failed.connect(failures.append)
    try:
        if folder and not _opened(controller, folder):
            print(f"错误：{failures[-1] if failures else f'打开 {folder} 超时'}", file=sys.stderr)
            return 2
        app.processEvents()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            print(f"错误：无法建立文件夹 {path.parent}（{exc.strerror}）", file=sys.stderr)
            return 2
        if not window.grab().save(str(path)):
            print(f"错误：无法保存图片 {path}，请检查文件夹是否可以写入", file=sys.stderr)
            return 2
    finally:
        controller.shutdown()
        window.close()
    print(str(path), flush=True)
    return 0


def _opened(controller: Controller, folder: str) -> bool:
    """Open ``folder`` as the clerk's 打开收集 does (in the worker thread) and wait for it."""
    loop = QEventLoop()
    controller.busyChanged.connect(lambda busy: None if busy else loop.quit())
    if not controller.open_collection(folder):
        return False
    QTimer.singleShot(OPEN_TIMEOUT_MS, loop.quit)
    if controller.busy:
        loop.exec()
    return not controller.busy and controller.folder is not None
