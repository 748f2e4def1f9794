"""The window and last period (issue 23, phase B point 4): a school's details show what its
latest version changed and its figures last period beside this period's; 设置 names last period
and forgets it. Real widgets, offscreen, on the demo (compared with its 上期（2022年）).
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

from desktop.settings_dialog import SettingsDialog
from desktop_fixtures import *  # noqa: F403 - the shared fixtures and helpers

EXPLAINED = "曾都区编钟小学"  # sent back for its 30 督学, explained in its second version
MOVED = "淅河镇三里岗小学"  # 整改通知书 8 last period, 2 now, explained at once


def _row(shown: str, label: str) -> list[str]:
    """A row of the details' 与上期比较 table as plain text shows it: a cell a line."""
    lines = shown[shown.index("与上期比较"):].split("\n")
    i = lines.index(label)
    return lines[i:i + 3]


def test_details_show_the_new_versions_changes_and_last_periods_figures(qtbot, window, controller, demo):
    opened(qtbot, controller, demo)
    window.show_school(EXPLAINED)
    shown = window.details.body.toPlainText()
    assert "第2版与上一版相比（已说明 1 处）：" in shown
    assert "情况说明!D4 情况说明·数字明显偏大：（空） → 本校派出的责任督学含各年级兼职督学，共 30 人次" in shown
    values = {v.field: v for v in controller.previous_values(controller.state_of(EXPLAINED))}
    total = values["inspectors.total"]
    assert (total.label, total.previous, total.current, total.moved) == ("派出责任督学数（人）·合计", 27, 30, False)
    html = window.details.body.toHtml()
    assert "与上期比较" in shown and "派出责任督学数（人）·合计" in shown
    assert _row(shown, "派出责任督学数（人）·合计") == ["派出责任督学数（人）·合计", "27", "30"]
    assert _row(shown, "派出责任督学数（人）·小学") == ["派出责任督学数（人）·小学", "27", "30"]  # differs: shown
    assert "派出责任督学数（人）·初中" not in shown  # 0 and 0, no bound: left out
    window.show_school(MOVED)
    shown = window.details.body.toPlainText()
    moved = "责任督学已出具整改通知书及问题清单（套）·合计（不到上期的 1/3）"  # 8 then 2: down, as its finding says
    assert _row(shown, moved) == [moved, "8", "2"]
    assert "#c05a00" in window.details.body.toHtml().lower() and html != window.details.body.toHtml()
    assert "与上一版相比" not in shown  # its one version


def _settings(qtbot, window, controller, answer) -> None:
    def fill(dialog: SettingsDialog) -> None:
        dialog.tabs.setCurrentIndex(3)
        assert dialog.tabs.tabText(3) == "与上期比较"
        answer(dialog)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        answer_dialog(qtbot, window.act_settings.trigger, fill)


def test_settings_forget_last_period_and_name_it_again(qtbot, window, controller, said, demo):
    opened(qtbot, controller, demo)
    last = controller.settings.previous
    assert last.endswith("上期（2022年）")
    _settings(qtbot, window, controller, lambda d: d.no_previous.click())
    assert said.finished[-1].startswith("已保存设置。") and "已取消与上期比较" in said.finished[-1]
    assert controller.settings.previous == "" and controller.view.previous is None
    assert [f.rule for f in controller.state_of(MOVED).findings] == []  # nothing to compare with
    window.show_school(MOVED)
    assert "与上期比较" not in window.details.body.toPlainText()
    _settings(qtbot, window, controller, lambda d: d.previous.setText(last))
    assert "与上期比较：已读取《曾都区2023年“双减”督导有关情况统计表》" in said.finished[-1]
    assert "中 40 所学校的数字" in said.finished[-1]
    assert controller.settings.previous == last
    (found,) = controller.state_of(MOVED).findings
    assert (found.rule, found.explained) == ("vs-previous", True)  # its 说明 still in its workbook


def test_a_figure_beyond_its_bound_says_which_way_it_moved():
    from aggregator.session import PeriodValue
    from desktop.details_text import previous_html

    up = PeriodValue("x", "派出责任督学数（人）·合计", 2, 8, 3.0, True)
    down = PeriodValue("y", "存在问题（个）·合计", 9, 2, 3.0, True)
    kept = PeriodValue("z", "通报（次）·合计", 2, 3, 3.0, False)
    text = "".join(previous_html([up, down, kept]))
    assert "派出责任督学数（人）·合计（超过上期的 3 倍）" in text
    assert "存在问题（个）·合计（不到上期的 1/3）" in text
    assert "通报（次）·合计</td>" in text
