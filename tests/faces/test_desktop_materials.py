"""A collection of several materials (a case article, a report, the form) shows a column per
material in the table, with where each school stands on it; a collection of one form looks as
it always did."""

from __future__ import annotations

import hashlib

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QComboBox, QDialogButtonBox

from aggregator.collection.store.folder import init_collection
from aggregator.collection.store.ledger import DocumentRecord, FileRecord
from aggregator.collection.store.plan import load_plan
from desktop.panes import DocRole
from desktop.school_model import COLUMNS
from desktop.window import FILES_TAB
from desktop_fixtures import *  # noqa: F403 - the shared fixtures and helpers
from cli_helpers import ROSTER

PLAN = load_plan("shuangjian-2023")


def document(col, school: str, material: str, received_at: str) -> None:
    """A document the school sent, as collect records it once it knows whose and which it is."""
    sid = next(s.id for s in col.schools() if s.name == school)
    sha = hashlib.sha256(f"{school}{material}".encode()).hexdigest()
    with col.ledger.transaction():
        col.ledger.add_file(FileRecord(sha, f"{school}-{material}.docx", "inbox", f"archive/{sha[:8]}.docx", 100,
                                       received_at, received_at, "document"))
        col.ledger.add_document(DocumentRecord(sha, sid, material, "filename", None, received_at, "docx",
                                               f"{school}{material}", 800, ()))


def headings(window) -> list[str]:
    return [window.proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(window.proxy.columnCount())]


def cell(window, school: str, heading: str) -> str:
    column = headings(window).index(heading)
    return window.proxy.index(window.proxy.mapFromSource(window.model.index(window.model.row_of(school), 0)).row(),
                              column).data()


def test_a_column_per_material_says_where_each_school_stands(qtbot, window, controller, tmp_path):
    roster = tmp_path / "名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    folder = tmp_path / "双减材料"
    with init_collection(folder, roster, name="曾都区", deadline="2099-12-31", plan="shuangjian-2023") as col:
        document(col, "曾都区实验小学", "case", "2023-11-09T10:00:00")  # on time (deadline 11-10)
        document(col, "万店镇中心小学", "case", "2023-11-12T10:00:00")  # after it
    opened(qtbot, controller, folder)
    labels = [m.heading for m in PLAN.materials if not m.is_form]
    assert labels == ["案例", "推荐", "报告"]  # the labels themselves were cut off in their columns
    # The form's own column said what 状态 says: 状态 is the form's, with its label and deadline as its tip.
    assert headings(window) == [*COLUMNS[:5], *labels, *COLUMNS[5:]]
    state_tip = window.proxy.headerData(COLUMNS.index("状态"), Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert state_tip == f"{PLAN.form_material.label}（截止日期 {PLAN.form_material.deadline}，全部学校）"
    head = window.table.horizontalHeader()
    for heading in labels:  # each heading is read whole in its column
        column = headings(window).index(heading)
        assert head.sectionSize(column) >= head.fontMetrics().horizontalAdvance(heading) + 8, heading
    case, report = labels[0], labels[2]
    assert cell(window, "曾都区实验小学", case) == "已交"
    assert cell(window, "万店镇中心小学", case) == "已交（逾期）"
    assert cell(window, "何店镇白龙小学", case) == "逾期未交"  # 11-10 has passed
    assert cell(window, "何店镇白龙小学", report) == "逾期未交"
    column = headings(window).index(case)
    tip = window.proxy.index(0, column).data(Qt.ItemDataRole.ToolTipRole)
    assert PLAN.materials[0].label in tip and "曾都区实验小学-case.docx" in tip
    assert PLAN.materials[0].label in window.proxy.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    window.table.scrollTo(window.proxy.index(0, column))
    qtbot.mouseClick(head.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(head.sectionViewportPosition(column) + 5, 5))
    shown = [window.proxy.index(r, column).data() for r in range(window.proxy.rowCount())]
    assert shown == sorted(shown) or shown == sorted(shown, reverse=True)  # sorted by the material


def test_a_collection_of_one_form_has_no_material_columns(qtbot, window, controller, tmp_path):
    roster = tmp_path / "名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    init_collection(tmp_path / "一张表", roster, name="曾都区").close()  # --form alone: its one material is the form
    opened(qtbot, controller, tmp_path / "一张表")
    assert headings(window) == list(COLUMNS)


def waiting_item(window):
    files = window.files
    items = [files.list.item(i) for i in range(files.list.count())]
    return next((item for item in items if item.data(DocRole)), None)


def test_a_document_in_doubt_is_given_its_school_and_material_in_the_window(qtbot, window, controller, demo):
    opened(qtbot, controller, demo)
    show_tab(qtbot, window, FILES_TAB)
    assert "待指定材料 1 份" in window.header.text()
    item = waiting_item(window)
    assert item is not None and item.text().startswith("[待指定] 新建 DOCX 文档.docx")
    assert "待指定材料 1" in window.files.title.text()
    owes = next(s for s in controller.overview.schools  # a school yet to send its case article
                if any(m.material.id == "case" and not m.received for m in s.materials))
    name = owes.school.name
    window.files.list.setCurrentItem(item)
    assert window.files.assign_button.isEnabled() and window.files.ignore_button.isEnabled()
    offered = []

    def pick(dialog) -> None:
        schools, materials = dialog.findChildren(QComboBox)
        schools.setCurrentText(name)
        offered.extend(materials.itemText(i) for i in range(materials.count()))
        materials.setCurrentIndex(materials.findData("case"))
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()

    said = Said(controller)
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        answer_dialog(qtbot, lambda: click(qtbot, window.files.assign_button), pick)
    assert offered == [m.label for m in PLAN.owed_by(owes.school) if not m.is_form]  # what that school owes
    assert said.finished and "新建 DOCX 文档.docx" in said.finished[-1] and name in said.finished[-1]
    assert waiting_item(window) is None and "待指定材料" not in window.header.text()
    case = next(m for m in controller.state_of(name).materials if m.material.id == "case")
    assert case.received and case.file.endswith("新建 DOCX 文档.docx")
    assert cell(window, name, "案例") != "未交"


def test_a_blank_document_is_set_aside_and_kept(qtbot, window, controller, demo):
    opened(qtbot, controller, demo)
    show_tab(qtbot, window, FILES_TAB)
    item = waiting_item(window)
    window.files.list.setCurrentItem(item)
    said = Said(controller)
    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        click(qtbot, window.files.ignore_button)
    assert said.finished[-1].startswith("已忽略 新建 DOCX 文档.docx")  # its name, not the hash it was picked by
    assert waiting_item(window) is None and not controller.overview.documents_waiting
    ignored = controller.overview.ignored
    assert [f.original_name.rsplit("/", 1)[-1] for f in ignored] == ["新建 DOCX 文档.docx"]
    assert (demo / ignored[0].archived).is_file()  # still archived


def test_a_case_is_recommended_upward_from_the_school_menu_and_the_recommendation_undone(qtbot, window, controller,
                                                                                            said, demo):
    """推荐上报 (issue 22): the clerk picks a school's case in the window, with why; it is kept as a
    pick, the sentence says where it will go, and the same menu then offers to undo it."""
    from PySide6.QtWidgets import QDialogButtonBox

    from aggregator.session import open_session

    opened(qtbot, controller, demo)
    school = "曾都区实验小学"
    menu = window.fill_table_menu(controller.state_of(school))
    entry = next(a for a in menu.actions() if a.text() == "推荐上报：“双减”督导优秀工作案例…")

    def because(dialog) -> None:
        assert dialog.windowTitle() == f"推荐上报：{school}"
        dialog.edit.setPlainText("课后服务做法可推广")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    with qtbot.waitSignal(controller.busyChanged, timeout=JOB_TIMEOUT, check_params_cb=lambda b: not b):
        answer_dialog(qtbot, entry.trigger, because)
    assert said.finished[-1].startswith(f"已推荐：{school}的“双减”督导优秀工作案例（") and said.finished[-1].endswith(
        "，汇总时放入 summary 文件夹的“上报材料”，并列入推荐名单。")
    with open_session(demo) as session:
        (pick,) = session.supervision.picks()
        case = next(m for m in session.state_of(school).materials if m.material.id == "case")
    assert (pick.school.name, pick.material.id, case.picked) == (school, "case", True)
    menu = window.fill_table_menu(controller.state_of(school))
    assert "撤销推荐：“双减”督导优秀工作案例" in [a.text() for a in menu.actions()]
    run_job(qtbot, controller, controller.pick, school, "case", "", True)
    assert said.finished[-1].startswith(f"已撤销推荐：{school}的“双减”督导优秀工作案例（")
    with open_session(demo) as session:
        assert session.supervision.picks() == []
