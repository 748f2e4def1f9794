"""The window speaks Chinese everywhere, fits a 1366×768 laptop, and answers --help.

The language walk visits every widget, action, menu and standard button of the main window and
of each dialog the code opens, with Qt's own translations loaded as ``dudao-gui`` loads them, and
finds no Latin word outside an allow-list. What the clerk's data says (school and file names,
paths, addresses) is not the window's wording and is left out.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractButton, QApplication, QComboBox, QDialog, QGroupBox, QLabel, QLineEdit, QMenu, QPlainTextEdit, QTabWidget,
    QTableView, QTextBrowser, QWidget,
)

from desktop import app as desktop_app
from desktop import dialogs, help
from desktop.school_dialog import SchoolDialog
from desktop.settings_dialog import SettingsDialog
from desktop.window_state import fit
from desktop_fixtures import *  # noqa: F403 - the shared fixtures and helpers

ALLOWED = {"smtp", "excel", "wps", "ssl", "starttls", "qq", "xlsx", "xls", "xlsm", "et", "ods", "zip", "csv", "toml",
           "sqlite", "ledger",
           "ctrl", "shift", "alt", "del", "esc", "tab"}  # the names printed on the keys, in shortcuts
DATA = [re.compile(p) for p in (r"[\w.+-]+@[\w-]+(\.[\w-]+)+",  # an address
                                r"\b[\w-]+(\.[\w-]+){2,}\b",  # a host name: smtp.qq.com
                                r"(/[^\s，。；）]+)+",  # a path
                                r"[\w\-.()（）]+\.(xlsx|xls|xlsm|et|ods|zip|csv|toml|sqlite|docx)\b")]


@pytest.fixture(autouse=True)
def chinese(qapp):
    translators = desktop_app.install_translations(qapp)
    assert translators, "Qt's qtbase_zh_CN.qm must load"
    yield
    for t in translators:
        qapp.removeTranslator(t)


def latin_words(text: str) -> list[str]:
    for pattern in DATA:
        text = pattern.sub(" ", text)
    return [w for w in re.findall(r"[A-Za-z]{2,}", text) if w.lower() not in ALLOWED]


def texts_of(widget: QWidget) -> list[tuple[str, str]]:
    """Every piece of wording a widget and its children show (not the data they display)."""
    found = [("title", widget.windowTitle())]
    for w in [widget, *widget.findChildren(QWidget)]:
        where = type(w).__name__
        found.append((where + ".tip", w.toolTip()))
        if isinstance(w, (QLabel, QAbstractButton)):
            found.append((where, w.text()))
        if isinstance(w, (QLineEdit, QPlainTextEdit)):
            found.append((where + ".placeholder", w.placeholderText()))
        if isinstance(w, QGroupBox):
            found.append((where, w.title()))
        if isinstance(w, QTabWidget):
            found += [(where + ".tab", w.tabText(i)) for i in range(w.count())]
        if isinstance(w, QComboBox) and not w.isEditable():
            found += [(where + ".item", w.itemText(i)) for i in range(w.count())]
        if isinstance(w, QTableView) and w.model() is not None:
            m = w.model()
            found += [(where + ".head", str(m.headerData(c, Qt.Orientation.Horizontal))) for c in range(m.columnCount())]
        if isinstance(w, QMenu):
            found += texts_of_menu(w)
        for action in w.actions():
            found += [("action", action.text()), ("action.tip", action.toolTip())]
            if action.menu() is not None:
                found += texts_of_menu(action.menu())
    return found


def texts_of_menu(menu: QMenu) -> list[tuple[str, str]]:
    found = [("menu", menu.title())]
    for action in menu.actions():
        found += [("menu.action", action.text()), ("menu.action.tip", action.toolTip())]
        if action.menu() is not None and action.menu() is not menu:
            found += texts_of_menu(action.menu())
    return found


def assert_chinese(found: list[tuple[str, str]], data: tuple[str, ...] = ()) -> None:
    bad = []
    for where, text in found:
        for d in data:
            text = text.replace(d, " ")
        words = latin_words(text)
        if words:
            bad.append((where, text, words))
    assert bad == [], "\n".join(map(str, bad))


# --- the walk --------------------------------------------------------------------------------------


def test_the_main_window_and_its_menus_speak_chinese(qtbot, window, controller, demo):
    assert_chinese(texts_of(window))  # first run: nothing open
    opened(qtbot, controller, demo)
    found = texts_of(window)
    window._fill_recent()
    found += texts_of_menu(window.recent_menu)
    for s in controller.overview.schools:  # the context menu in every state a school can be in
        found += texts_of_menu(window.fill_table_menu(s))
    for edit in (window.search, window.details.body):  # Qt's own menus: 复制, 全选 …
        menu = edit.createStandardContextMenu()
        found += texts_of_menu(menu)
        assert any("复制" in a.text() for a in menu.actions())
    assert_chinese(found, data=(str(demo),))


def test_every_dialog_the_code_opens_speaks_chinese(qtbot, window, controller, demo, tmp_path):
    opened(qtbot, controller, demo)
    found = []

    def walk_and_close(dialog) -> None:
        found.extend(texts_of(dialog))
        dialog.reject() if isinstance(dialog, QDialog) else dialog.close()

    for make in (lambda: dialogs.NewCollectionDialog(window, str(tmp_path)),
                 lambda: SettingsDialog(window, controller.settings, False),
                 lambda: SchoolDialog(window, controller.overview.schools[0].school, ["区直学校"]),
                 lambda: SchoolDialog(window, None, []),
                 lambda: dialogs.NoteDialog(window, "仍然通过", "请写明原因")):
        dialog = make()
        dialog.show()
        walk_and_close(dialog)
    for act in (lambda: dialogs.choose_school(window, controller.school_names(), "附件5.xlsx"),
                lambda: dialogs.choose_owner(window, controller.school_names(), "新建文档.docx",
                                             controller.documents_owed),
                lambda: dialogs.confirm(window, "发送反馈邮件", "确定发送吗？"),
                lambda: dialogs.tell(window, "新建收集", "请填写：学校名单"),
                lambda: dialogs.ask_folder(window, "打开收集文件夹", str(tmp_path)),
                lambda: dialogs.ask_files(window, "选择学校报回的文件", str(tmp_path)),
                lambda: dialogs.ask_save(window, "保存学校名单模板", str(tmp_path / "名单.xlsx")),
                lambda: help.show_help(window),
                lambda: help.show_about(window)):
        answer_dialog(qtbot, act, walk_and_close)
    assert len(found) > 100
    assert_chinese(found, data=(str(demo), str(tmp_path)))


# --- the command line and the screen ----------------------------------------------------------------


def test_help_and_version_print_and_exit_without_a_window():
    run = [sys.executable, "-c", "import sys; from desktop.app import main; sys.exit(main())"]
    out = subprocess.run([*run, "--help"], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert out.returncode == 0 and "用法：dudao-gui" in out.stdout and "显示版本号并退出" in out.stdout
    out = subprocess.run([*run, "--version"], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert out.returncode == 0 and out.stdout.startswith("dudao-gui ") and help.app_version() in out.stdout


def test_the_window_fits_a_1366x768_laptop_with_a_taskbar(qtbot, window, controller, demo):
    available = QRect(0, 0, 1366, 728)
    opened(qtbot, controller, demo)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1366 - 16 and hint.height() <= 728 - 48
    placed = fit(available, QSize(1280, 780), hint)
    assert available.contains(placed)
    window.setGeometry(placed)
    qtbot.waitUntil(lambda: window.height() <= 728, timeout=5000)
    window._busy(True)  # the status bar while a job runs: progress and 取消 must be on screen
    qtbot.waitUntil(lambda: window.cancel_button.isVisible(), timeout=5000)
    bottom_right = window.cancel_button.mapTo(window, window.cancel_button.rect().bottomRight())
    assert window.rect().contains(bottom_right)
    window._busy(False)
    assert fit(QRect(0, 0, 1920, 1040)).size() == QSize(1280, 780)  # a big screen: the size wanted
