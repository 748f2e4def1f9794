"""The desktop window on the real engine: real widgets (offscreen), real files, the demo district.

Each test gets its own copy of one demo collection (40 schools with the usual mistakes), built
once per module by ``dudao demo``.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import gc
import logging
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDropEvent  # noqa: E402

from aggregator.collection.store.folder import open_collection  # noqa: E402
from aggregator.outputs.personalise import personalise, template_bytes  # noqa: E402
from desktop import dialogs  # noqa: E402
from desktop.window import FILES_TAB, MainWindow  # noqa: E402
from desktop.worker import JobThread  # noqa: E402
from desktop_fixtures import *  # noqa: E402,F403 - the shared fixtures and helpers
from desktop_fixtures import Controller, StateRole  # noqa: E402
from desktop.school_model import STATE_COLUMN  # noqa: E402


@pytest.fixture
def held_consolidate(monkeypatch) -> threading.Event:
    """The real consolidate, held at its start until the test sets the returned event: a job that
    is certainly still running while the test does something else (no timing involved)."""
    import aggregator.outputs.consolidate as consolidate_module

    gate = threading.Event()
    real = consolidate_module.consolidate

    def held(col, **kwargs):
        assert gate.wait(JOB_TIMEOUT / 1000), "the test never let the consolidate go"
        return (yield from real(col, **kwargs))

    monkeypatch.setattr(consolidate_module, "consolidate", held)
    yield gate
    gate.set()  # never leave a worker waiting


# --- the boundary -----------------------------------------------------------------------------


def test_controller_imports_no_widgets():
    code = ("import sys, desktop.controller\n"
            "print(sorted(m for m in sys.modules if m.startswith('PySide6.QtWidgets')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}).stdout
    assert out.strip() == "[]"


# --- what the clerk sees ------------------------------------------------------------------------


def test_opening_the_demo_fills_the_table_and_the_counts(qtbot, window, controller, demo):
    opened(qtbot, controller, demo)
    ov = expected_overview(demo)
    assert window.model.rowCount() == 40
    assert window.proxy.rowCount() == 40
    assert [window.model.index(r, 0).data() for r in range(40)] == [s.school.name for s in ov.schools]
    header = window.header.text()
    assert "曾都区双减" in header and "2023-11-20" in header
    for label, n in (("应报", 40), ("已通过", ov.count("accepted", "accepted_with_warnings")),
                     ("需退回", ov.count("returned")), ("待确认", ov.count("needs_review")),
                     ("未报", ov.count("missing")), ("逾期", ov.late)):
        assert f"{label} {n}" in header
    # 编钟小学's 30 督学 far above its peers, sent back at first, explained in its second version (late)
    assert "需退回 4" in header and "未报 5" in header and "逾期 2" in header
    assert "反馈未发送 9" in header  # nothing was sent yet: 4 to send back, 5 to remind
    assert window.windowTitle().startswith("曾都区双减")


def test_selecting_a_returned_school_shows_its_error_messages(qtbot, window, controller, demo):
    opened(qtbot, controller, demo)
    school = next(s for s in expected_overview(demo).schools if s.status == "returned")
    index = window.proxy.mapFromSource(window.model.index(window.model.row_of(school.school.name), 0))
    rect = window.table.visualRect(index)
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    shown = window.details.body.toPlainText()
    assert window.details.title.text() == school.school.name
    assert window.details.badge.text() == "退回修改"
    errors = [f.message for f in school.findings if f.level == "error"]
    assert errors
    for message in errors:
        assert message in shown
    assert "[错误]" in shown
    assert not window.details.assign_here.isVisibleTo(window)


def test_the_state_filter_shows_only_returned_schools(qtbot, window, controller, demo):
    opened(qtbot, controller, demo)
    window.state_filter.setCurrentIndex(window.state_filter.findData("returned"))
    shown = [window.proxy.index(r, 0).data(StateRole) for r in range(window.proxy.rowCount())]
    assert shown == ["returned"] * 4
    assert "显示 4 / 40" in window.shown.text()
    window.header.buttons["未报"].click()  # the counts filter too
    assert window.state_filter.currentData() == "missing"
    assert window.proxy.rowCount() == 5
    window.search.setText("北郊")
    assert [window.proxy.index(r, 0).data() for r in range(window.proxy.rowCount())] == ["北郊八角楼小学"]


def test_typing_narrows_the_sorted_table_and_the_selected_school_stays_selected(qtbot, window, controller, demo):
    opened(qtbot, controller, demo)
    head = window.table.horizontalHeader()
    qtbot.mouseClick(head.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(head.sectionViewportPosition(STATE_COLUMN) + 5, 5))  # sort by 状态
    states = [window.proxy.index(r, STATE_COLUMN).data(StateRole) for r in range(window.proxy.rowCount())]
    assert states[:4] == ["returned"] * 4 or states[-4:] == ["returned"] * 4
    everyone = [window.proxy.index(r, 0).data() for r in range(window.proxy.rowCount())]
    window.show_school("北郊八角楼小学")
    window.search.setFocus()
    window.search.setText("北郊")  # typed with an input method: no key events to simulate
    names = [window.proxy.index(r, 0).data() for r in range(window.proxy.rowCount())]
    assert "北郊八角楼小学" in names and all("北郊" in n for n in names)
    assert names == [n for n in everyone if n in names]  # still in the order the clerk sorted
    current = window.table.currentIndex()
    assert current.isValid() and window.proxy.index(current.row(), 0).data() == "北郊八角楼小学"
    assert window.details.state.school.name == "北郊八角楼小学"
    qtbot.keyClick(window.search, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.search, Qt.Key.Key_Delete)
    assert window.proxy.rowCount() == 40 and "显示 40 / 40" in window.shown.text()


def test_collecting_a_new_return_turns_its_row_accepted(qtbot, window, controller, said, demo, tmp_path):
    opened(qtbot, controller, demo)
    assert row_state(window, "北郊八角楼小学") == "missing"
    folder = tmp_path / "微信下载"
    new_return(demo, "北郊八角楼小学", folder)
    with qtbot.waitSignal(controller.progress, timeout=JOB_TIMEOUT,
                          check_params_cb=lambda done, total, current, stage: stage == "收取" and done == 1):
        run_job(qtbot, controller, controller.collect, [folder])
    assert row_state(window, "北郊八角楼小学") == "accepted"
    assert any(p[3] == "收取" and p[0] == p[1] == 1 for p in said.progress)
    assert said.failed == []
    assert "新收到报表 1 份" in said.finished[-1] and "已通过 1" in said.finished[-1]
    assert "未报 4" in window.header.text()
    assert window.banner.kind == "info" and "新收到报表 1 份" in window.banner.text()


def test_cancel_stops_a_collect_early_and_the_next_run_finishes_it(qtbot, window, controller, said, demo, tmp_path,
                                                                    monkeypatch):
    opened(qtbot, controller, demo)
    batch = tmp_path / "一大批"
    batch.mkdir()
    with open_collection(demo) as col:  # distinct workbooks, as if each school sent several versions
        template = template_bytes(col.form, district=col.settings.name)
        schools = col.schools()
        cid = col.settings.id
    n = 300
    for i in range(n):
        s = schools[i % len(schools)]
        data = personalise(template, {"collection_id": cid, "school_id": s.id, "school_name": s.name,
                                      "issued_at": f"2023-11-01T{i // 60:02d}:{i % 60:02d}:00"})
        (batch / f"{i:03d}-{s.name}.xlsx").write_bytes(data)

    # The clerk clicks 取消 while files are being taken in: landed on the engine's own look at the
    # cancel between two files (the 20th), not on how fast the progress signals reach the window.
    from aggregator.session import Cancel

    asked = [0]

    def cancel_at_the_twentieth(self) -> bool:
        asked[0] += 1
        if asked[0] == 20:
            controller.cancel()
        return self._event.is_set()

    monkeypatch.setattr(Cancel, "is_set", property(cancel_at_the_twentieth))
    run_job(qtbot, controller, controller.collect, [batch])
    monkeypatch.undo()
    assert said.finished[-1].startswith("已取消")

    def in_ledger() -> list:
        with open_collection(demo) as col:
            files = [f for f in col.ledger.files() if f.source.startswith(str(batch))]
            returns = [r for r in col.ledger.returns() if r.original_name.startswith(str(batch))]
            assert all((demo / f.archived).is_file() for f in files)
        return files, returns

    files, returns = in_ledger()
    assert 0 < len(files) < n  # stopped early, and what was done is kept
    assert len(returns) == len(files)  # every recorded file has its return: nothing half-written
    assert not list((demo / "archive").rglob("*.part"))

    run_job(qtbot, controller, controller.collect, [batch])
    files, returns = in_ledger()
    assert len(files) == len(returns) == n
    first_new = int(said.finished[-2].split("新收到报表 ")[1].split(" ")[0])
    second_new = int(said.finished[-1].split("新收到报表 ")[1].split(" ")[0])
    assert first_new + second_new == n


def test_assigning_from_the_details_pane_resolves_a_needs_review_school(qtbot, window, controller, demo):
    opened(qtbot, controller, demo)
    school = next(s for s in expected_overview(demo).schools if s.status == "needs_review")
    window.show_school(school.school.name)  # the window opened on the files waiting: the details are asked for
    assert "[待确认]" in window.details.body.toPlainText()
    assert window.details.assign_here.isVisibleTo(window)
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        click(qtbot, window.details.assign_here)
    assert row_state(window, school.school.name) in ("accepted", "accepted_with_warnings")
    assert window.details.state.school.name == school.school.name  # the selection stays
    assert not window.details.assign_here.isVisibleTo(window)
    assert "待确认 0" in window.header.text()


def test_assigning_an_unidentified_file_to_a_chosen_school(qtbot, window, controller, demo, monkeypatch):
    opened(qtbot, controller, demo)
    assert row_state(window, "曾都区第二初级中学") == "missing"
    asked = []

    def choose(parent, names, file_name, suggested=""):
        asked.append((len(names), file_name))
        return "曾都区第二初级中学"

    monkeypatch.setattr(dialogs, "choose_school", choose)
    show_tab(qtbot, window, FILES_TAB)
    assert window.files.select_file("新建 Microsoft Excel 工作表.xlsx")
    assert window.files.assign_button.isEnabled()
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        click(qtbot, window.files.assign_button)
    assert asked == [(40, "新建 Microsoft Excel 工作表.xlsx")]
    assert row_state(window, "曾都区第二初级中学") != "missing"
    assert controller.overview.unidentified == ()
    assert window.files.title.text() == "待处理的文件（未识别 0，无法读取 2，待指定材料 1）"  # the rest of the demo stays
    assert not window.files.select_file("新建 Microsoft Excel 工作表.xlsx")


def test_a_failing_job_shows_a_chinese_sentence_and_the_window_stays_usable(qtbot, window, controller, said, demo,
                                                                          tmp_path):
    stranger = tmp_path / "随便一个文件夹"
    stranger.mkdir()
    run_job(qtbot, controller, controller.open_collection, stranger)
    assert window.banner.kind == "error"
    assert "不是收集文件夹" in window.banner.text()
    assert "Traceback" not in window.banner.text() and "dudao" not in window.banner.text()
    assert controller.folder is None and not controller.busy
    opened(qtbot, controller, demo)  # still usable
    assert window.model.rowCount() == 40


def test_an_unexpected_error_is_logged_and_told_in_chinese(qtbot, window, controller, said, demo, monkeypatch,
                                                           caplog):
    from aggregator.session import Session

    opened(qtbot, controller, demo)

    def broken(*args, **kwargs):
        raise RuntimeError("磁盘控制器罢工")
        yield  # noqa: a generator, like the real one

    monkeypatch.setattr(Session, "collect", broken)  # deep in the engine, behind the front door
    with caplog.at_level(logging.ERROR):
        run_job(qtbot, controller, controller.collect, None)
    assert said.failed[-1].startswith("出现意外错误：")
    assert "ledger.sqlite" in said.failed[-1] and "Traceback" not in said.failed[-1]
    assert window.banner.kind == "error"
    assert any(r.exc_info for r in caplog.records)  # the traceback went to the log
    assert window.model.rowCount() == 40 and window.act_consolidate.isEnabled()


def test_a_full_disk_in_a_job_is_told_as_the_cli_tells_it(qtbot, window, controller, said, demo, monkeypatch):
    import errno

    from aggregator.messages import file_error

    opened(qtbot, controller, demo)

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("aggregator.atomic.os.fsync", full)
    run_job(qtbot, controller, controller.consolidate)
    told = said.failed[-1]
    assert told.startswith("无法读写文件“") and "汇总表" in told and "（磁盘已满）" in told
    assert told == file_error(OSError(errno.ENOSPC, "", told.split("“")[1].split("”")[0])) + "。"
    assert window.banner.kind == "error" and window.act_consolidate.isEnabled()


def test_a_second_job_while_one_runs_is_refused_politely(qtbot, window, controller, said, demo):
    opened(qtbot, controller, demo)
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        assert controller.consolidate()
        assert not window.act_feedback.isEnabled()
        assert controller.feedback() is False
        assert "正在处理" in said.failed[-1]


def test_files_dropped_on_the_window_are_collected(qtbot, window, controller, demo, tmp_path):
    opened(qtbot, controller, demo)
    path = new_return(demo, "府河镇马鞍山小学", tmp_path / "拖进来")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(400, 300), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        window.dropEvent(event)
    assert row_state(window, "府河镇马鞍山小学") == "accepted"


def test_the_inbox_is_watched_and_a_new_file_is_collected(qtbot, window, controller, said, demo):
    opened(qtbot, controller, demo)
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        window.act_watch.trigger()  # the toolbar toggle; looks once at what arrived while nobody watched
    assert controller.watching and window.act_watch.isChecked()
    assert "自动收取：开" in window.watch_label.text() and window.act_watch.text() == "自动收取：开"
    assert said.finished[-1] == ""  # nothing new: nothing to tell
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        new_return(demo, "何店镇油坊小学", demo / "inbox" / "QQ" / "接收的文件")  # a new subfolder, too
    assert row_state(window, "何店镇油坊小学") == "accepted"
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        new_return(demo, "万店镇泉水小学", demo / "inbox" / "QQ" / "接收的文件", "泉水小学.xlsx")  # inside it
    assert row_state(window, "万店镇泉水小学") == "accepted"
    window.act_watch.trigger()
    assert not controller.watching
    assert window.watch_label.text() == window.act_watch.text() == "自动收取：关"
    new_return(demo, "北郊八角楼小学", demo / "inbox")
    qtbot.wait(600)
    assert not controller.busy and row_state(window, "北郊八角楼小学") == "missing"


def test_a_file_landing_in_the_inbox_during_another_job_is_collected_after_it(qtbot, window, controller, demo,
                                                                            held_consolidate):
    opened(qtbot, controller, demo)
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        window.act_watch.trigger()  # automatic collection on; its first look finds nothing new
    assert controller.consolidate()
    with qtbot.waitSignal(controller._watcher.settled, timeout=JOB_TIMEOUT):  # the inbox settles...
        new_return(demo, "何店镇油坊小学", demo / "inbox")
    assert controller.busy and row_state(window, "何店镇油坊小学") == "missing"  # ...during the consolidate
    held_consolidate.set()
    qtbot.waitUntil(lambda: row_state(window, "何店镇油坊小学") == "accepted", timeout=JOB_TIMEOUT)
    qtbot.waitUntil(lambda: not controller.busy, timeout=JOB_TIMEOUT)


def test_a_new_job_shows_its_own_progress_not_the_last_ones(qtbot, window, controller, demo, tmp_path,
                                                            held_consolidate):
    opened(qtbot, controller, demo)
    path = new_return(demo, "北郊八角楼小学", tmp_path / "微信下载")
    run_job(qtbot, controller, controller.collect, [path])
    assert (window.progress.value(), window.progress.maximum()) == (1, 1)  # the collect's last word
    assert window.progress.isHidden() and window.stage.text() == ""  # gone once the job is over
    assert controller.consolidate()  # held before its first progress event
    assert not window.progress.isHidden() and window.progress.maximum() == 0  # busy, no count yet
    assert window.stage.text().strip() == "汇总…"  # the new stage, not the last file collected
    held_consolidate.set()
    qtbot.waitUntil(lambda: not controller.busy, timeout=JOB_TIMEOUT)
    assert window.progress.isHidden() and window.stage.text() == ""


def test_consolidate_and_feedback_offer_to_open_what_they_made(qtbot, window, controller, said, demo):
    opened(qtbot, controller, demo)
    run_job(qtbot, controller, controller.consolidate)
    assert "已汇总 30 / 应报 40" in said.finished[-1]
    assert "表上写明：本表汇总 30 所学校（应报 40 所；未报 5 所，退回修改中 4 所，待确认 1 所）。" in said.finished[-1]
    assert window.banner.open_button.isVisibleTo(window) and window.banner.open_button.text() == "打开汇总表"
    assert Path(window.banner._path).is_file() and window.banner._path.endswith(".xlsx")
    assert controller.latest_summary() == Path(window.banner._path)
    run_job(qtbot, controller, controller.feedback)
    assert "退回修改 4 所，催报 5 所" in said.finished[-1]
    assert window.banner.open_button.text() == "打开反馈文件夹"
    assert Path(window.banner._path) == demo / "feedback"


def test_the_window_says_why_no_upward_version_was_written_in_its_own_words(qtbot, window, controller, said, demo):
    from aggregator.collection.clerk import overrule

    with open_collection(demo) as col:
        overrule.confirm(col, "曾都区烈山小学", "school-type", undo=True)  # as if nobody had called 烈山小学
    upward = next((demo / "summary").glob("*(上报).xlsx"))
    upward.unlink()
    opened(qtbot, controller, demo)
    run_job(qtbot, controller, controller.consolidate)
    assert ("未生成上报版：已计入汇总的 1 所学校有尚未核实的提示（曾都区烈山小学（学段与所填栏目））。请与学校核实，"
            "核实后在学校详情中确认这条提示（写明核实情况），再点“汇总”") in said.finished[-1]
    assert "dudao" not in said.finished[-1] and not upward.exists()


def test_a_new_collection_from_a_roster(qtbot, window, controller, said, tmp_path):
    from aggregator.demo import SAMPLE_ROSTER

    folder = tmp_path / "新的收集"
    run_job(qtbot, controller, controller.new_collection, folder, SAMPLE_ROSTER, "曾都区", "2023-11-20")
    assert controller.folder == folder and window.model.rowCount() == 40
    assert "未报 40" in window.header.text()
    run_job(qtbot, controller, controller.distribute)
    assert "已生成 40 份空白表" in said.finished[-1]
    assert len(list((folder / "outbox").glob("*.xlsx"))) == 40
    run_job(qtbot, controller, controller.new_collection, tmp_path / "x", tmp_path / "没有这个名单.csv", "曾都区", "")
    assert window.banner.kind == "error" and controller.folder == folder


def test_dudao_gui_opens_the_folder_it_is_given_and_remembers_it(qtbot, demo, tmp_path, monkeypatch):
    from PySide6.QtCore import QEvent, QSettings
    from PySide6.QtWidgets import QApplication

    from desktop import app

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    monkeypatch.setattr(app, "_log_to_file", lambda: None)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    seen = {}

    def run_loop(self=None):
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        qtbot.waitUntil(lambda: window.model.rowCount() == 40 and not window.controller.busy, timeout=JOB_TIMEOUT)
        # Measured once the layout has settled, as the clerk sees it: a message shown just now (the
        # watched inbox's) asks for more height in a layout request still waiting in the queue.
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        seen["title"] = window.windowTitle()
        seen["watching"] = window.controller.watching
        seen["size"] = (window.width(), window.height())
        # What the window's content needs at least, as its layout imposes it at this width: a banner
        # with a message is taller than none (minimumSizeHint would wrap the message at the
        # narrowest width, taller than the window ever needs).
        seen["least"] = (window.minimumWidth(), window.minimumHeight())
        seen["split"] = window.split.sizes()
        if "resize" not in seen:  # the clerk makes it smaller and widens the table (on this screen)
            window.resize(640, 480)  # fits any screen, the offscreen one included
            window.split.setSizes([window.width() - 320, 300])
            seen["resize"] = (window.width(), window.height(), window.split.sizes())
        window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", run_loop)
    assert app.main(["dudao-gui", str(demo)]) == 0
    assert seen["title"] == "曾都区双减 - 学校报表收集汇总" and seen["watching"] is True
    assert Path(str(QSettings().value(app.LAST_FOLDER))) == demo
    assert QSettings().value("recent") in ([str(demo)], str(demo))
    width, height, split = seen["resize"]
    seen.clear()
    seen["resize"] = "done"
    assert app.main(["dudao-gui"]) == 0  # no argument: the folder used last time
    assert seen["title"].startswith("曾都区双减")
    # Remembered, shrunk only where the screen is smaller (the offscreen one is 800 wide: the window
    # with a collection open is wider, and 1366 is what must fit), and so is the splitter.
    screen = QApplication.primaryScreen().availableGeometry().width()
    restored_width, restored_height = seen["size"]
    least_width, least_height = seen["least"]
    assert restored_height == max(height, least_height)
    # A width wider than the screen is shrunk to fit it, but never below what the content needs.
    assert least_width <= restored_width <= max(screen, least_width)
    if width <= screen - 16:
        assert restored_width == max(width, least_width)
    if restored_width == width:  # the splitter as left (a narrower window shares out its width anew)
        assert all(abs(a - b) <= 8 for a, b in zip(seen["split"], split))
    else:
        assert QSettings().value("window/split") is not None


def test_thousands_of_signals_do_not_wear_out_true():
    """PySide6 6.12.0 on Python 3.11 loses a reference to True per emit; desktop.signals gives it back."""
    from PySide6.QtCore import QObject, Signal

    from desktop.signals import emit

    class Probe(QObject):
        said = Signal(int, int, str, str)

    probe = Probe()
    heard = []
    probe.said.connect(lambda *a: heard.append(a))
    gc.collect()
    before = sys.getrefcount(True)
    for i in range(5000):
        emit(probe.said, i, 5000, "附件5.xlsx", "收取")
    assert len(heard) == 5000
    assert sys.getrefcount(True) - before > -100  # unrelated objects may come and go; a leak would be -5000


def test_a_long_session_of_qt_calls_does_not_wear_out_none():
    """The same PySide loses a reference to None on every call of a method that returns nothing:
    a process that made 50,000 of them (a long collect's progress bar and labels) aborted when it
    exited ("none_dealloc"). With the window's modules loaded it exits cleanly."""
    code = ("import os; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
            "from PySide6.QtCore import QCoreApplication, QObject\n"
            "import desktop.signals\n"
            "app = QCoreApplication([]); probe = QObject()\n"
            "for _ in range(50000): probe.setObjectName('进度')\n"
            "print('done')\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert (run.returncode, run.stdout.strip()) == (0, "done"), run.stderr[-500:]


def test_new_collection_offers_the_bundled_forms_and_a_file_of_ones_own(qtbot, window, controller, tmp_path,
                                                                        monkeypatch):
    from aggregator.demo import SAMPLE_ROSTER

    dialog = dialogs.NewCollectionDialog(window, str(tmp_path))
    qtbot.addWidget(dialog)
    assert dialog.name.text() == "" and "曾都" not in dialog.name.placeholderText()  # empty until typed, no district
    assert dialog.parents.text() == "" and dialog.values().parents == ""  # the levels above: optional
    items = [dialog.form.itemText(i) for i in range(dialog.form.count())]
    assert any("附件5" in t for t in items) and any("附件3" in t for t in items)
    assert items[-1] == dialogs.FROM_FILE
    own = Path(__file__).resolve().parents[1] / "forms" / "after_school.toml"
    monkeypatch.setattr(dialogs, "ask_file", lambda *a, **k: str(own))
    dialog.form.setCurrentIndex(dialog.form.count() - 1)
    dialog.form.activated.emit(dialog.form.count() - 1)  # as a click on "从文件选择…" does
    assert dialog.form.currentText() == own.name and dialog.form.itemText(dialog.form.count() - 1) == dialogs.FROM_FILE
    dialog.folder.setText(str(tmp_path / "课后服务"))
    dialog.roster.setText(str(SAMPLE_ROSTER))
    qtbot.keyClicks(dialog.name, "ZD")  # typed (an input method would give 曾都区)
    dialog.name.setText("曾都区")
    chosen = dialog.values()
    assert chosen.form == str(own)
    run_job(qtbot, controller, controller.new_collection, chosen.folder, chosen.roster, chosen.name, chosen.deadline,
            chosen.form)
    with open_collection(tmp_path / "课后服务") as col:
        assert col.form.id == "test-after-school"
