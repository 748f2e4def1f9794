"""The window's 整改督办 tab on the demo (issue 22): items by state, coloured as the register is,
销号 and 撤销销号 with the clerk's note, the answers opened read-only, the controller apart from
any widget."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit

from desktop_fixtures import *  # noqa: F401,F403
from desktop_fixtures import answer_dialog, click, clicked_job, opened, show_tab

from aggregator import clock
from aggregator.collection.store.folder import open_collection
from aggregator.collection.supervision.register import register
from desktop.supervise_controller import SupervisionController

import datetime as dt

DAY = dt.datetime(2023, 11, 22, 10, 30)


def tab_of(window):
    pane = window.supervise_pane
    return pane, window.tabs.indexOf(pane)


def test_the_tab_lists_every_item_coloured_and_filtered(qtbot, window, controller, demo):
    with clock.pinned(DAY):
        opened(qtbot, controller, demo)
        pane, index = tab_of(window)
        show_tab(qtbot, window, index)
    assert window.tabs.tabText(index) == "整改督办"
    table = pane.table
    rows = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]
    assert [r[0] for r in rows] == ["1", "2", "3", "4"]
    assert rows[3][1:] == ["曾都区文峰学校", "未整改（逾期）", "2023-11-17", "曾都督〔2023〕2号", "期中考试后仍有按成绩排名的现象"]
    assert [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())] == [
        "序号", "学校", "状态", "整改时限", "督办单", "发现的问题"]  # where it stands before what it is
    colours = [table.item(r, 0).background().color().name().upper() for r in range(4)]
    assert colours == ["#C6EFCE", "#FFEB9C", "#000000", "#FFC7CE"]  # closed, due 11-25 (3 days), plain, overdue
    assert pane.counts.text() == "共 4 项：已销号 1，已反馈待核 2，未整改 1；逾期 1，临近时限 1"
    pane.select(4)
    assert "整改时限：2023-11-17（已逾期 5 天）" in pane.detail.text().split("\n")
    pane.filter.setCurrentIndex(pane.filter.findData("overdue"))
    assert [table.item(r, 1).text() for r in range(table.rowCount())] == ["曾都区文峰学校"]


def test_close_and_reopen_from_the_tab_ask_why(qtbot, window, controller, said, demo):
    def note(text):
        def answer(dialog):
            dialog.findChild(QLineEdit).setText(text)
            dialog.accept()
        return answer

    with clock.pinned(DAY):
        opened(qtbot, controller, demo)
        pane, index = tab_of(window)
        show_tab(qtbot, window, index)
        assert pane.detail.text().startswith("选中一项")
        pane.select(3)
        assert pane.buttons["close"].isEnabled() and not pane.buttons["reopen"].isEnabled()
        assert pane.detail.text().split("\n") == [  # the chosen item whole, under the table
            "第 3 项 · 万店镇牛王小学 · 已反馈待核",
            "督办单：曾都督〔2023〕3号",
            "发现的问题：小学一二年级仍布置了少量书面家庭作业",
            "整改要求：一二年级不布置书面家庭作业，开展家长告知",
            "整改时限：2023-11-30（还有 8 天）",
            "整改材料：万店镇牛王小学整改报告.docx"]
        clicked_job(qtbot, controller,
                    lambda: answer_dialog(qtbot, lambda: click(qtbot, pane.buttons["close"]), note("查看整改报告，已整改")))
        assert said.finished[-1] == "第 3 项（万店镇牛王小学：小学一二年级仍布置了少量书面家庭作业）现为：已销号。"
        assert (pane.current().id, pane.current().state) == (3, "已销号")
        assert pane.detail.text().split("\n")[4:] == ["整改时限：2023-11-30", "整改材料：万店镇牛王小学整改报告.docx",
                                                      "销号说明：查看整改报告，已整改"]
        assert pane.buttons["reopen"].isEnabled() and not pane.buttons["close"].isEnabled()
        clicked_job(qtbot, controller,
                    lambda: answer_dialog(qtbot, lambda: click(qtbot, pane.buttons["reopen"]), note("复查未到位")))
    with open_collection(demo) as col:
        events = register(col)[2].events
    assert [(e.kind, e.note, e.at) for e in events] == [("close", "查看整改报告，已整改", "2023-11-22T10:30:00"),
                                                        ("reopen", "复查未到位", "2023-11-22T10:30:00")]


def test_the_answer_opens_read_only(qtbot, window, controller, demo):
    opened_paths = []
    with clock.pinned(DAY):
        opened(qtbot, controller, demo)
        pane, index = tab_of(window)
        show_tab(qtbot, window, index)
        pane.openFile.disconnect()
        pane.openFile.connect(opened_paths.append)
        pane.select(3)
        click(qtbot, pane.buttons["evidence"])
    (path,) = opened_paths
    assert path.startswith(str(demo / "archive")) and path.endswith("万店镇牛王小学整改报告.docx")


def test_the_supervision_controller_imports_no_widget():
    import desktop.supervise_controller as module
    import desktop.supervise_jobs as jobs

    for m in (module, jobs):
        assert "QtWidgets" not in open(m.__file__, encoding="utf-8").read()
    assert issubclass(SupervisionController, object)
