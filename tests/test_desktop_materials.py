"""A collection of several materials (a case article, a report, the form) shows a column per
material in the table, with where each school stands on it; a collection of one form looks as
it always did."""

from __future__ import annotations

import hashlib

from PySide6.QtCore import QPoint, Qt

from aggregator.collection.folder import init_collection
from aggregator.collection.ledger import DocumentRecord, FileRecord
from aggregator.collection.plan import load_plan
from desktop.school_model import COLUMNS
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
    labels = [m.label for m in PLAN.materials]
    assert headings(window) == [*COLUMNS[:5], *labels, *COLUMNS[5:]]
    case, report = labels[0], labels[2]
    assert cell(window, "曾都区实验小学", case) == "已交"
    assert cell(window, "万店镇中心小学", case) == "已交（逾期）"
    assert cell(window, "何店镇白龙小学", case) == "逾期未交"  # 11-10 has passed
    assert cell(window, "何店镇白龙小学", report) == "逾期未交"
    column = headings(window).index(case)
    tip = window.proxy.index(0, column).data(Qt.ItemDataRole.ToolTipRole)
    assert case in tip and "曾都区实验小学-case.docx" in tip
    head = window.table.horizontalHeader()
    window.table.scrollTo(window.proxy.index(0, column))
    qtbot.mouseClick(head.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(head.sectionViewportPosition(column) + 5, 5))
    shown = [window.proxy.index(r, column).data() for r in range(window.proxy.rowCount())]
    assert shown == sorted(shown) or shown == sorted(shown, reverse=True)  # sorted by the material


def test_a_collection_of_one_form_has_no_material_columns(qtbot, window, controller, tmp_path):
    roster = tmp_path / "名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    init_collection(tmp_path / "一张表", roster).close()  # --form alone: its one material is the form
    opened(qtbot, controller, tmp_path / "一张表")
    assert headings(window) == list(COLUMNS)
