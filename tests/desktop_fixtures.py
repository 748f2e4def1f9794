"""Shared by the desktop tests: a demo collection per test, the controller and window on it,
and helpers that act as a clerk does (a real click, a key press, a dialog answered on screen).

Imported with ``from desktop_fixtures import *`` so the fixtures are the test module's own.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import random
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QTimer, Qt
from PySide6.QtWidgets import QApplication, QWidget

from aggregator import cli
from aggregator.collection.store.folder import open_collection
from aggregator.collection.views.status import overview
from aggregator.demo import fill_workbook, sample_values
from desktop.app import still
from desktop.controller import Controller
from desktop.school_model import STATE_COLUMN, StateRole
from desktop.window import MainWindow

__all__ = ["JOB_TIMEOUT", "ROOT", "demo_master", "demo", "unconfirmed", "Said", "controller", "said", "window", "run_job",
           "opened", "row_state", "new_return", "click", "expected_overview", "show_tab", "answer_dialog",
           "row_rect", "clicked_job"]

JOB_TIMEOUT = 30_000
ROOT = Path(__file__).resolve().parent.parent


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_master(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("master") / "曾都区双减"
    assert cli.main(["demo", str(folder)]) == 0
    return folder


@pytest.fixture
def demo(tmp_path, demo_master) -> Path:
    return Path(shutil.copytree(demo_master, tmp_path / "曾都区双减"))


def unconfirmed(folder: Path) -> Path:
    """The demo as on deadline day, before the clerk's phone calls: the demo confirmed every warning
    before summing up (its last steps); undone, so that schools are asked to check again."""
    from aggregator.session import open_session

    with open_session(folder) as session:
        for s in session.overview().schools:
            for d in s.decisions:
                if d.kind == "confirm":
                    session.decide("confirm", s.school.name, rule=d.rule, undo=True)
    return folder


class Said:
    """Everything the controller told the window: finished texts, failures, progress events."""

    def __init__(self, controller: Controller) -> None:
        self.finished: list[str] = []
        self.failed: list[str] = []
        self.progress: list[tuple[int, int, str, str]] = []
        controller.finished.connect(self.finished.append)
        controller.failed.connect(self.failed.append)
        controller.progress.connect(lambda *a: self.progress.append(a))


@pytest.fixture
def controller(qtbot):
    c = Controller(quiet_ms=200)
    yield c
    c.shutdown()
    c.deleteLater()  # now, with its watcher's timer, not whenever the garbage collector gets to it
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def said(controller) -> Said:
    return Said(controller)


@pytest.fixture
def window(qtbot, controller):
    still(QApplication.instance())
    w = MainWindow(controller)
    w.show()
    yield w
    # Gone within this test: its menus and dialogs must not outlive it into the next one.
    w.close()
    for child in w.findChildren(QWidget):
        if child.isWindow() and child.isVisible():
            child.close()
    w.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()


def run_job(qtbot, controller: Controller, start, *args) -> None:
    """Start a job and wait until the controller is free again (its results are then shown)."""
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda busy: not busy):
        assert start(*args) is True


def opened(qtbot, controller: Controller, folder: Path) -> Controller:
    run_job(qtbot, controller, controller.open_collection, folder)
    assert controller.folder == folder
    return controller


def row_state(window: MainWindow, school: str) -> str:
    return window.model.index(window.model.row_of(school), STATE_COLUMN).data(StateRole)


def new_return(col_folder: Path, school_name: str, into: Path, file_name: str | None = None) -> Path:
    """What a school sends back: the workbook it was issued, filled in correctly in Excel."""
    with open_collection(col_folder) as col:
        school = next(s for s in col.schools() if s.name == school_name)
        values = sample_values(random.Random(7), school.stage, school.name, school.contact, school.phone)
        data = fill_workbook(col_folder / "outbox" / f"{col.form.annex}-{school.name}.xlsx", col.form, values)
    into.mkdir(parents=True, exist_ok=True)
    path = into / (file_name or f"{school.name}（已填）.xlsx")
    path.write_bytes(data)
    return path


def click(qtbot, button) -> None:
    """A real mouse click, once the button has been laid out (as it is by the time a clerk sees it)."""
    qtbot.waitUntil(lambda: button.isVisible() and button.width() > 0, timeout=5000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def expected_overview(folder: Path):
    with open_collection(folder) as col:
        return overview(col)


def show_tab(qtbot, window: MainWindow, index: int) -> None:
    """Click the tab of the right-hand side, as the clerk does."""
    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert window.tabs.currentIndex() == index


def row_rect(window: MainWindow, school: str):
    index = window.proxy.mapFromSource(window.model.index(window.model.row_of(school), 0))
    window.table.scrollTo(index)
    return window.table.visualRect(index)


def answer_dialog(qtbot, act, answer, timeout: int = 5000) -> list:
    """Run ``act`` (which opens a modal dialog) and let ``answer(dialog)`` fill and close it on
    screen, as the clerk would. Returns the dialogs seen."""
    seen = []
    timer = QTimer()
    timer.setInterval(20)

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or seen:
            return
        timer.stop()
        seen.append(dialog)
        answer(dialog)

    timer.timeout.connect(look)
    timer.start()
    try:
        act()
        qtbot.waitUntil(lambda: bool(seen), timeout=timeout)
    finally:
        timer.stop()
    return seen


def clicked_job(qtbot, controller: Controller, act) -> None:
    """Do ``act`` (a click, a menu choice) and wait until the job it started is over."""
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        act()
