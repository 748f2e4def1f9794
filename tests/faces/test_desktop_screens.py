"""Pictures of the main states, written by the test run and looked at: first run, a collection
with problems, a school's details, settings, the overview, the 请核对 step, the table scrolled to
its last column at 1366 pixels, an explained figure and last period, the 整改督办 tab.

Each PNG goes to the test's own temporary folder. For the README, ask for them explicitly:

    DUDAO_SCREENSHOTS=docs/screenshots ./dev test tests/test_desktop_screens.py

(the folder is relative to the repository). The window is 1366×728, a laptop with a taskbar.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication

from aggregator import clock
from desktop import app as desktop_app
from desktop.settings_dialog import SettingsDialog
from desktop.window import DETAILS_TAB, FILES_TAB, OVERVIEW_TAB
from desktop_fixtures import *  # noqa: F403 - the shared fixtures and helpers

SIZE = QRect(0, 0, 1366, 728)


@pytest.fixture
def shots(tmp_path, qapp, monkeypatch):
    monkeypatch.setenv(clock.ENV, "2023-11-20T17:00:00+08:00")  # the demo's story: 17:00 on the deadline day
    desktop_app.install_translations(qapp)
    folder = tmp_path / "screenshots"
    folder.mkdir()
    yield folder
    wanted = os.environ.get("DUDAO_SCREENSHOTS")
    if wanted:
        target = (ROOT / wanted).resolve()
        target.mkdir(parents=True, exist_ok=True)
        for png in folder.glob("*.png"):
            shutil.copyfile(png, target / png.name)


def save(widget, folder: Path, name: str) -> Path:
    QApplication.processEvents()
    path = folder / f"{name}.png"
    assert widget.grab().save(str(path))
    assert path.stat().st_size > 10_000  # a picture, not an empty frame
    return path


def test_screenshots_of_the_main_states(qtbot, window, controller, demo, shots):
    window.setGeometry(SIZE)
    save(window, shots, "1-first-run")
    unconfirmed(demo)  # deadline day: schools still to ask
    opened(qtbot, controller, demo)
    assert "截止日期 2023-11-20（今天截止）" in window.header.text()  # the pinned clock, not the machine's
    assert window.tabs.tabText(FILES_TAB) == "待处理的文件（4）"  # 1 unidentified, 2 unreadable, 1 document
    show_tab(qtbot, window, FILES_TAB)
    window.files.select_file("附件5 (2).xlsx")
    save(window, shots, "2-problems")
    show_tab(qtbot, window, DETAILS_TAB)
    window.show_school("曾都区实验中学")
    assert window.details.body.toPlainText().count("改法：") == 1  # four connected findings, one fix
    save(window, shots, "3-school-details")
    window.set_state_filter("accepted_with_warnings")  # 请核对: the yellow ones, one asked about, ready to confirm
    window.show_school("曾都区烈山小学")
    assert window.proxy.rowCount() == 4 and "已核实…" in window.details.body.toPlainText()  # 2 asked, 2 explained
    save(window, shots, "6-check")
    window.set_state_filter("")
    window.show_school("曾都区实验中学")
    bar = window.table.horizontalScrollBar()
    bar.setValue(bar.maximum())  # the table scrolled to its last column: the names stay
    assert window.table.frozen.isVisible() and window.table.columnViewportPosition(0) < 0
    save(window, shots, "7-narrow-table")
    bar.setValue(0)
    show_tab(qtbot, window, OVERVIEW_TAB)
    save(window, shots, "5-overview")
    dialog = SettingsDialog(window, controller.settings, False)
    dialog.show()
    qtbot.waitExposed(dialog)
    save(dialog, shots, "4-settings")
    dialog.tabs.setCurrentIndex(2)
    save(dialog, shots, "4-settings-mail")
    dialog.reject()
    assert sorted(p.name for p in shots.glob("*.png")) == [
        "1-first-run.png", "2-problems.png", "3-school-details.png", "4-settings-mail.png", "4-settings.png",
        "5-overview.png", "6-check.png", "7-narrow-table.png"]


def test_screenshots_of_an_explained_figure_and_last_period(qtbot, window, controller, demo, shots):
    """编钟小学's details on the 22nd: its second version explained its 30 督学 (what changed), and
    last period's 27 beside it; 设置's 与上期比较 tab naming the demo's 上期（2022年）."""
    window.setGeometry(SIZE)
    opened(qtbot, controller, demo)
    show_tab(qtbot, window, DETAILS_TAB)
    window.show_school("曾都区编钟小学")
    shown = window.details.body.toPlainText()
    assert "第2版与上一版相比（已说明 1 处）" in shown and "与上期比较" in shown
    save(window, shots, "8-explained-details")
    window.show_school("淅河镇三里岗小学")
    assert "（不到上期的 1/3）" in window.details.body.toPlainText()
    save(window, shots, "9-moved-details")
    dialog = SettingsDialog(window, controller.settings, False)
    dialog.tabs.setCurrentIndex(3)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.previous.text().endswith("上期（2022年）")
    save(dialog, shots, "4-settings-previous")
    dialog.reject()


def test_screenshot_of_the_rectification_tab(qtbot, window, controller, demo, shots):
    """整改督办 on the 22nd at 1366 px: where each item stands and its deadline in view in the side
    pane, the problem after them (its whole text in the tooltip)."""
    window.setGeometry(SIZE)
    from datetime import datetime

    from desktop.supervise_pane import HEADS

    with clock.pinned(datetime(2023, 11, 22, 10, 30)):
        opened(qtbot, controller, demo)
        pane = window.supervise_pane
        show_tab(qtbot, window, window.tabs.indexOf(pane))
    table = pane.table
    state, due = HEADS.index("状态"), HEADS.index("整改时限")
    QApplication.processEvents()
    for col in (state, due):
        assert 0 <= table.columnViewportPosition(col) and \
            table.columnViewportPosition(col) + table.columnWidth(col) <= table.viewport().width(), col
    assert table.item(3, state).text() == "未整改（逾期）"
    pane.select(4)  # the overdue one: all of it under the table
    assert "已逾期 5 天" in pane.detail.text()
    save(window, shots, "10-supervise")


def test_screenshot_of_a_full_disk(qtbot, window, controller, said, demo, shots, monkeypatch):
    """汇总 on a full disk at 1366 px: the banner says which summary, why and what to do, whole."""
    import errno

    window.setGeometry(SIZE)
    opened(qtbot, controller, demo)

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("aggregator.atomic.os.fsync", full)
    run_job(qtbot, controller, controller.consolidate)
    assert window.banner.kind == "error" and "（磁盘已满）。请腾出磁盘空间，然后再试一次。" in window.banner.text()
    save(window, shots, "11-full-disk")
