"""The 请核对 step in the window, as the clerk does it: letters asking the schools accepted with
warnings to check them, then, once she has phoned a school, 已核实… with what she learned (the
school turns green and is asked no more), and 撤销 if she was wrong."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from desktop.school_model import FEEDBACK_COLUMN, STATE_COLUMN
from desktop_fixtures import *  # noqa: F403 - the shared fixtures and helpers

YELLOW, GREEN = "#fbf0a0", "#c9ecc4"
SCHOOL = "曾都区烈山小学"  # a 小学 on the roster that filled in the 初中 column


def click_link(qtbot, browser, text: str) -> None:
    """A real click on the link ``text`` of the details page."""
    cursor = browser.document().find(text)
    assert not cursor.isNull(), text
    cursor.setPosition(cursor.selectionStart() + 1)
    browser.setTextCursor(cursor)
    browser.ensureCursorVisible()
    qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=browser.cursorRect(cursor).center())


def write_note(text: str):
    def answer(dialog) -> None:
        assert dialog.windowTitle() == f"已核实提示：{SCHOOL}"
        assert "提示“学段与所填栏目”：名单中本校学段为小学，但填报了初中栏的数字（E8 等初中栏）" in dialog.prompt.text()
        dialog.edit.setPlainText(text)
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok.text() == "记下已核实"
        ok.click()

    return answer


def colour(window, school: str) -> str:
    return window.model.index(window.model.row_of(school), STATE_COLUMN).data(Qt.ItemDataRole.BackgroundRole).color().name()


def test_feedback_with_the_letters_asking_schools_to_check(qtbot, window, controller, said, demo):
    for old in (demo / "feedback").glob("*-请核对*"):  # the demo wrote them: gone, to see them made again
        old.unlink()
    unconfirmed(demo)
    opened(qtbot, controller, demo)
    assert window.act_feedback_checks.text() == "生成反馈（含请核对）"
    assert window.act_feedback_checks in window.toolbar.widgetForAction(window.act_feedback).menu().actions()
    clicked_job(qtbot, controller, window.act_feedback_checks.trigger)
    assert said.finished[-1].startswith("退回修改 4 所，催报 5 所，催交材料 ")
    assert "，请核对 3 所，整改督办 1 所；" in said.finished[-1]  # two with warnings of their form, one short case; one item
    asked = sorted(p.name.split("-")[0] for p in (demo / "feedback").glob("*-请核对.xlsx"))
    # not 编钟小学 nor 三里岗小学: they explained their figures themselves (情况说明), nothing to ask
    assert asked == sorted(["曾都区烈山小学", "曾都区季梁小学"])
    assert {p.suffix for p in (demo / "feedback").glob(f"{SCHOOL}-请核对*")} >= {".xlsx", ".eml", ".txt"}
    row = window.model.row_of(SCHOOL)  # the 反馈 column: the draft, not in red (asking to check is optional)
    assert window.model.index(row, FEEDBACK_COLUMN).data() == "未发送（有草稿）"
    assert window.model.index(row, FEEDBACK_COLUMN).data(Qt.ItemDataRole.ForegroundRole) is None


def test_a_warning_confirmed_from_the_details_with_a_note_and_undone(qtbot, window, controller, said, demo):
    unconfirmed(demo)
    opened(qtbot, controller, demo)
    window.show_school(SCHOOL)
    body = window.details.body
    assert colour(window, SCHOOL) == YELLOW and window.details.badge.text() == "通过（有提示）"
    assert body.toPlainText().count("[提示]") == 1
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        answer_dialog(qtbot, lambda: click_link(qtbot, body, "已核实…"), write_note("电话核实：督导附设初中部，无误"))
    assert said.finished[-1] == (f"已记录：{SCHOOL} 的提示“学段与所填栏目”已核实（电话核实：督导附设初中部，无误），"
                                 "不再提示。现在：已通过。")
    assert colour(window, SCHOOL) == GREEN and window.details.badge.text() == "已通过"
    shown = body.toPlainText()
    assert "[提示]" not in shown and "校验全部通过。" in shown
    assert "[区教育局] 已核实提示“学段与所填栏目”：电话核实：督导附设初中部，无误" in shown
    assert "已通过 30" in window.header.text()  # it passed before; it still does, now without a question
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        click_link(qtbot, body, "撤销")
    assert said.finished[-1] == f"已撤销：{SCHOOL} 的提示“学段与所填栏目”重新计为提示。现在：通过（有提示）。"
    assert colour(window, SCHOOL) == YELLOW and "[提示] 1. 名单中本校学段为小学，但填报了初中栏的数字（E8 等初中栏）" in body.toPlainText()
    # what the window says the school will be told is the school's one notice, as its letter says it
    assert "给学校的反馈（请核对）：有 1 处请核对\n" in body.toPlainText()


def test_the_menu_offers_to_confirm_each_warning_and_to_undo_it(qtbot, window, controller, demo):
    unconfirmed(demo)
    opened(qtbot, controller, demo)
    entries = [a.text() for a in window.fill_table_menu(controller.state_of("曾都区季梁小学")).actions()]
    assert "已核实提示“填写主要问题”…" in entries
    assert not any(e.startswith("已核实") for e in window.fill_table_menu(controller.state_of("曾都区东城小学")).actions()
                   for e in [e.text()])  # an error is not confirmed: it is changed, or accepted anyway
    cancel = lambda dialog: dialog.reject()  # noqa: E731
    menu = window.fill_table_menu(controller.state_of(SCHOOL))
    action = next(a for a in menu.actions() if a.text() == "已核实提示“学段与所填栏目”…")
    answer_dialog(qtbot, action.trigger, cancel)
    assert not controller.busy and colour(window, SCHOOL) == YELLOW  # cancelled: nothing recorded
    run_job(qtbot, controller, controller.confirm, SCHOOL, "school-type", "已核实")
    entries = [a.text() for a in window.fill_table_menu(controller.state_of(SCHOOL)).actions()]
    assert "撤销核实“学段与所填栏目”" in entries and not any(e.startswith("已核实提示") for e in entries)
