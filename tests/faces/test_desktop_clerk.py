"""The clerk's decisions in the window, through its widgets: the context menu and the 处理 menu,
note dialogs answered on screen, the settings dialog, junk files, copying texts for WeChat/QQ,
修改后收取, the overview and its unit filter, double-click, the roster template."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMenu, QPushButton

from aggregator.collection.store.folder import open_collection
from aggregator.collection.store.roster import load_roster
from desktop import window_requests
from desktop.signals import emit
from desktop.overview_pane import OverviewPane
from desktop.panes import FileRole
from desktop.school_model import FEEDBACK_COLUMN
from desktop.settings_dialog import SettingsDialog
from desktop.window import DETAILS_TAB, FILES_TAB, OVERVIEW_TAB
from desktop_fixtures import *  # noqa: F403 - the shared fixtures and helpers
from mail_fixtures import PASSWORD, memory_keyring, smtp_server  # noqa: F401 - fixtures


def menu_entry(qtbot, window, school: str, label: str) -> None:
    """Right-click the school's row and choose ``label`` in the menu that pops up."""
    rect = row_rect(window, school)
    emit(window.table.customContextMenuRequested, rect.center())  # what a right click sends
    menu: QMenu = window.table_menu
    qtbot.waitUntil(menu.isVisible, timeout=5000)
    assert window.details.state.school.name == school
    action = next(a for a in menu.actions() if a.text() == label)
    assert action.isEnabled(), label
    menu.hide()
    action.trigger()  # the clerk's choice


def type_note(text: str, ok_text: str = "确定"):
    def answer(dialog) -> None:
        dialog.edit.setPlainText(text)
        button = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert button.text() == ok_text
        button.click()

    return answer


def test_accept_anyway_with_a_note_from_the_context_menu(qtbot, window, controller, demo):
    opened(qtbot, controller, demo)
    school = "曾都区实验中学"
    assert row_state(window, school) == "returned"
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        answer_dialog(qtbot, lambda: menu_entry(qtbot, window, school, "仍然通过…"), type_note("已电话核实，数字无误"))
    assert row_state(window, school) in ("accepted", "accepted_with_warnings")
    shown = window.details.body.toPlainText()
    assert "[区教育局] 仍然通过：已电话核实，数字无误" in shown
    assert "仍然通过" in window.banner.text()
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        menu_entry(qtbot, window, school, "撤销“仍然通过”")
    assert row_state(window, school) == "returned"


def test_a_note_is_required_and_cancel_changes_nothing(qtbot, window, controller, demo):
    opened(qtbot, controller, demo)
    school = "曾都区实验小学"

    def empty_then_cancel(dialog) -> None:
        assert dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"
        dialog.reject()

    answer_dialog(qtbot, lambda: menu_entry(qtbot, window, school, "退回…"), empty_then_cancel)
    assert not controller.busy and row_state(window, school) == "accepted"


def test_send_back_a_passed_return_and_exempt_a_missing_school(qtbot, window, controller, demo):
    opened(qtbot, controller, demo)
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        answer_dialog(qtbot, lambda: menu_entry(qtbot, window, "曾都区实验小学", "退回…"), type_note("请补交典型经验材料"))
    assert row_state(window, "曾都区实验小学") == "returned"
    assert "需退回 5" in window.header.text()
    missing = next(s.school.name for s in controller.overview.schools if s.status == "missing")
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        answer_dialog(qtbot, lambda: menu_entry(qtbot, window, missing, "免报…"), type_note("已撤并"))
    assert row_state(window, missing) == "exempt"
    assert "应报 39" in window.header.text() and "免报 1" in window.header.text() and "未报 4" in window.header.text()
    with open_collection(demo) as col:  # in the ledger, with who and why
        from aggregator.collection.views.decisions import decisions

        made = [(d.kind, d.note) for d in decisions(col) if d.kind != "confirm"]  # the demo confirmed its warnings
        assert made == [("send_back", "请补交典型经验材料"), ("exempt", "已撤并")]


def test_remark_and_copying_the_chat_text_for_the_group(qtbot, window, controller, demo):
    opened(qtbot, controller, demo)
    school = "曾都区实验中学"
    window.show_school(school)
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        def choose_remark() -> None:
            menu = window.details.more_button.menu()
            window.details._fill_menu()
            action = next(a for a in menu.actions() if a.text() == "添加说明…")
            action.trigger()

        answer_dialog(qtbot, choose_remark, type_note("周五前请务必改好"))
    click(qtbot, window.details.copy_button)
    text = QGuiApplication.clipboard().text()
    assert text.startswith("【退回修改】曾都区实验中学") and "区教育局：周五前请务必改好" in text
    assert "已复制" in window.banner.text()
    window.act_reminders.trigger()
    listing = QGuiApplication.clipboard().text()
    assert listing.startswith("【催报】") and "尚有 5 所学校未报送" in listing


def test_the_feedback_column_says_what_went_out(qtbot, window, controller, demo, memory_keyring, smtp_server):
    inbox, port = smtp_server
    opened(qtbot, controller, demo)
    school = "曾都区实验中学"
    row = window.model.row_of(school)
    assert window.model.index(row, FEEDBACK_COLUMN).data() == "未发送（有草稿）"  # the demo wrote drafts only
    run_job(qtbot, controller, controller.change_settings,
            {"mail_host": "127.0.0.1", "mail_port": port, "mail_tls": "none", "mail_user": "jyj@example.com"}, PASSWORD)
    run_job(qtbot, controller, controller.feedback, True)
    assert inbox.received
    sent = window.model.index(window.model.row_of(school), FEEDBACK_COLUMN).data()
    assert sent.startswith("已发送 ") and sent.endswith(" 邮件")
    reminded = next(s.school.name for s in controller.overview.schools if s.status == "missing" and s.school.email)
    assert window.model.index(window.model.row_of(reminded), FEEDBACK_COLUMN).data().startswith("已提醒 ")


def feedback_cell(window, school: str, role=Qt.ItemDataRole.DisplayRole):
    return window.model.index(window.model.row_of(school), FEEDBACK_COLUMN).data(role)


def test_the_feedback_column_counts_the_group_chat_and_the_clerks_own_word(qtbot, window, controller, demo):
    opened(qtbot, controller, demo)
    assert "反馈未发送 9" in window.header.text()
    school = "曾都区实验中学"
    window.show_school(school)
    clicked_job(qtbot, controller, lambda: click(qtbot, window.details.copy_button))  # 复制退回意见
    said = feedback_cell(window, school)
    assert said.startswith("已发送 ") and said.endswith(" 群消息") and "反馈未发送 8" in window.header.text()
    clicked_job(qtbot, controller, window.act_reminders.trigger)  # 复制催报名单: every missing school
    missing = [s.school.name for s in controller.overview.schools if s.status == "missing"]
    assert all(feedback_cell(window, name).startswith("已提醒 ") for name in missing)
    assert "反馈未发送 3" in window.header.text()
    other = next(s.school.name for s in controller.overview.schools if s.status == "returned" and s.school.name != school)
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        answer_dialog(qtbot, lambda: menu_entry(qtbot, window, other, "记下已告知…"),
                      type_note("电话通知了校长", ok_text="记下"))
    assert feedback_cell(window, other).endswith(" 其他方式") and "反馈未发送 2" in window.header.text()
    assert "电话通知了校长" in feedback_cell(window, other, Qt.ItemDataRole.ToolTipRole)
    assert "[反馈]" in window.details.body.toPlainText() and "电话通知了校长" in window.details.body.toPlainText()
    window.set_state_filter("unsent")
    assert [window.proxy.index(r, 0).data() for r in range(window.proxy.rowCount())] == [
        s.school.name for s in controller.overview.schools if s.status == "returned" and s.school.name not in (school, other)]


def test_settings_dialog_saves_the_deadline_watched_folder_and_password(qtbot, window, controller, demo, tmp_path,
                                                                       memory_keyring, monkeypatch):
    opened(qtbot, controller, demo)
    wechat = tmp_path / "微信下载"
    wechat.mkdir()
    monkeypatch.setattr(window_requests.dialogs, "ask_folder", lambda *a, **k: str(wechat))

    def fill(dialog: SettingsDialog) -> None:
        assert dialog.name.text() == "曾都区"
        dialog.deadline.setDate(dialog.deadline.date().fromString("2023-11-25", "yyyy-MM-dd"))
        dialog.has_resubmit.setChecked(True)
        dialog.resubmit_by.setDate(dialog.resubmit_by.date().fromString("2023-11-28", "yyyy-MM-dd"))
        dialog.tabs.setCurrentIndex(1)
        for button in dialog.findChildren(QPushButton):
            if button.text() == "添加文件夹…":
                button.click()
        assert dialog.folders.count() == 1
        dialog.tabs.setCurrentIndex(2)
        qtbot.keyClicks(dialog.host, "smtp.example.com")
        qtbot.keyClicks(dialog.user, "jyj@example.com")
        qtbot.keyClicks(dialog.password, PASSWORD)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        answer_dialog(qtbot, window.act_settings.trigger, fill)
    assert "2023-11-25" in window.header.text()
    assert controller.settings.watch == (str(wechat),)
    assert controller.watched_folders() == [demo / "inbox", wechat]
    assert list(memory_keyring.kept.values()) == [PASSWORD]
    text = (demo / "收集设置.toml").read_text(encoding="utf-8")
    assert "smtp.example.com" in text and PASSWORD not in text
    assert 'resubmit_by = "2023-11-28"' in text and controller.settings.resubmit_by == "2023-11-28"
    assert controller.password_kept()


def test_junk_is_ignored_and_an_unreadable_file_tied_to_its_school(qtbot, window, controller, demo, monkeypatch):
    opened(qtbot, controller, demo)
    show_tab(qtbot, window, FILES_TAB)
    files = window.files
    unreadable = [files.list.item(i) for i in range(files.list.count()) if files.list.item(i).data(FileRole)]
    assert len(unreadable) == 2
    files.list.setCurrentItem(unreadable[0])
    first = unreadable[0].text().split("\n")[0]
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        click(qtbot, files.ignore_button)
    assert len(controller.overview.unreadable) == 1 and len(controller.overview.ignored) == 1
    assert all(first != files.list.item(i).text().split("\n")[0] for i in range(files.list.count()))
    missing = next(s.school.name for s in controller.overview.schools if s.status == "missing")
    files.list.setCurrentRow(next(i for i in range(files.list.count()) if files.list.item(i).data(FileRole)))

    def pick(dialog) -> None:
        dialog.setTextValue(missing)
        dialog.accept()

    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        answer_dialog(qtbot, lambda: click(qtbot, files.tie_button), pick)
    assert f"{missing} 发来的" in files.list.item(files.list.currentRow() if files.list.currentRow() >= 0 else 0).text() \
        or any(f"{missing} 发来的" in files.list.item(i).text() for i in range(files.list.count()))
    window.show_school(missing)
    assert "[发来的文件无法读取]" in window.details.body.toPlainText()
    assert "无法读取" in controller.chat_text(missing) or missing in controller.chat_text(missing)


def test_a_corrected_copy_is_collected_from_the_details_pane(qtbot, window, controller, demo, monkeypatch):
    opened(qtbot, controller, demo)
    opened_paths = []
    monkeypatch.setattr(window, "open_path", opened_paths.append)  # no Excel here: note what would open
    school = "曾都区实验中学"
    window.show_school(school)
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        window.details._fill_menu()
        next(a for a in window.details.more_button.menu().actions() if a.text() == "修改后收取…").trigger()
    copy = Path(opened_paths[-1])
    assert copy.is_file() and "由区教育局修改" in copy.name and controller.correction_waiting(school) == copy
    fixed = new_return(demo, school, copy.parent, "fixed.xlsx")
    copy.write_bytes(fixed.read_bytes())  # the clerk saved her correction in Excel
    fixed.unlink()
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        menu_entry(qtbot, window, school, "收取修改后的表")
    assert row_state(window, school) == "accepted"
    assert "由区教育局修改" in window.details.body.toPlainText()
    assert controller.correction_waiting(school) is None


def test_the_original_opens_read_only_and_double_click_shows_details(qtbot, window, controller, demo, monkeypatch):
    opened(qtbot, controller, demo)
    opened_paths = []
    monkeypatch.setattr(window, "open_path", opened_paths.append)
    show_tab(qtbot, window, OVERVIEW_TAB)
    rect = row_rect(window, "万店镇中心小学")
    qtbot.mousePress(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a double click:
    qtbot.mouseRelease(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # press, release,
    qtbot.mouseDClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # then the second
    assert window.tabs.currentIndex() == DETAILS_TAB and window.details.state.school.name == "万店镇中心小学"
    path = Path(opened_paths[-1])
    assert path.name.startswith("只读-") and not (path.stat().st_mode & 0o222)


def test_the_overview_shows_units_and_totals_and_filters_by_unit(qtbot, window, controller, demo, tmp_path):
    opened(qtbot, controller, demo)
    show_tab(qtbot, window, OVERVIEW_TAB)
    pane: OverviewPane = window.overview_pane
    units = {u.unit: (u.reported, u.expected) for u in pane.units.rows}
    assert units["区直学校"] == (12, 13) and len(units) == 8
    assert "已报 35 / 应报 40" in pane.title.text()
    before = pane.totals_text()
    assert "派出责任督学数（人）" in before
    row = next(i for i, u in enumerate(pane.units.rows) if u.unit == "北郊中心学校")
    index = pane.units.index(row, 0)
    qtbot.mouseClick(pane.table.viewport(), Qt.MouseButton.LeftButton, pos=pane.table.visualRect(index).center())
    assert window.unit_filter.currentText() == "北郊中心学校"
    assert {window.proxy.index(r, window.model.keys.index("parent")).data() for r in range(window.proxy.rowCount())} == {"北郊中心学校"}
    run_job(qtbot, controller, controller.collect, [new_return(demo, "北郊八角楼小学", tmp_path / "来了")])
    assert pane.totals_text() != before  # live as returns arrive
    assert window.unit_filter.currentText() == "北郊中心学校" and window.proxy.rowCount() == 4


def test_add_edit_and_remove_a_roster_school(qtbot, window, controller, demo):
    opened(qtbot, controller, demo)

    def new_school(dialog) -> None:
        dialog.name.setText("曾都区新城小学")  # typed with an input method: no key events to simulate
        qtbot.keyClicks(dialog.edits["phone"], "13872309999")
        dialog.edits["parent"].setCurrentText("区直学校")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        answer_dialog(qtbot, window.act_add_school.trigger, new_school)
    assert window.model.rowCount() == 41 and row_state(window, "曾都区新城小学") == "missing"
    assert controller.state_of("曾都区新城小学").school.phone == "13872309999"

    def rename(dialog) -> None:
        dialog.edits["phone"].clear()
        qtbot.keyClicks(dialog.edits["phone"], "0722-1234567")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        answer_dialog(qtbot, lambda: menu_entry(qtbot, window, "曾都区新城小学", "修改学校信息…"), rename)
    assert controller.state_of("曾都区新城小学").school.phone == "0722-1234567"
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        answer_dialog(qtbot, lambda: menu_entry(qtbot, window, "曾都区新城小学", "从名单移除…"),
                      type_note("录入错误", ok_text="移除"))
    assert window.model.rowCount() == 40


def test_the_roster_template_is_saved_where_the_clerk_says(qtbot, window, tmp_path, monkeypatch):
    target = tmp_path / "我的名单"
    monkeypatch.setattr(window_requests.dialogs, "ask_save", lambda *a, **k: str(target))
    click(qtbot, window.welcome_buttons[2])
    saved = tmp_path / "我的名单.xlsx"
    assert saved.is_file() and "已保存名单模板" in window.banner.text()
    assert window.banner.open_button.text() == "打开名单模板"


def test_open_the_marked_workbook_of_a_returned_school(qtbot, window, controller, demo, monkeypatch):
    opened(qtbot, controller, demo)
    opened_paths = []
    monkeypatch.setattr(window, "open_path", opened_paths.append)
    window.show_school("曾都区实验中学")
    assert window.details.marked_button.isVisibleTo(window)
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        click(qtbot, window.details.marked_button)
    marked = Path(opened_paths[-1])
    assert marked.is_file() and marked.name.endswith("-退回修改.xlsx") and marked.parent == demo / "feedback"
    # The clerk keeps it open in Excel (its lock file beside it) while the school sends a second
    # version, still wrong: the new marks go to "(2)", and that is the one opened next.
    (marked.parent / f"~${marked.name}").write_bytes(b"")
    resent = openpyxl.load_workbook(demo / controller.state_of("曾都区实验中学").current.archived)
    resent.properties.title = "第二版"  # the same mistakes, saved again
    resent.save(demo / "inbox" / "实验中学附件5（改）.xlsx")
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        controller.collect()
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        click(qtbot, window.details.marked_button)
    again = Path(opened_paths[-1])
    assert again.name == marked.name.replace(".xlsx", "(2).xlsx") and again.is_file()
    window.show_school("曾都区实验小学")  # passed: nothing to mark
    assert not window.details.marked_button.isVisibleTo(window)
