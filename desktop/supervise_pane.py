"""整改督办: the register in the window. Items by state (filter) and school, coloured as the
整改台账 is (green 已销号, yellow near its deadline, red overdue); 登记问题…, 导入问题清单…,
下发督办单, 销号… and 撤销销号… (each asks why), the answers opened read-only, 生成整改台账.

It shows the ``SupervisionController``'s rows and forwards the clerk's clicks; nothing here
decides anything about an item.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QGridLayout,
    QHBoxLayout, QHeaderView, QInputDialog, QLabel, QLineEdit, QMenu, QPushButton, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from .signals import emit
from .supervise_controller import SupervisionController
from .supervise_jobs import FILTERS, Row

# Where it stands first, the problem last and stretched: in the narrow side pane at 1366 px the
# state and the deadline stay in view, the problem's whole text in its tooltip.
HEADS = ("序号", "学校", "状态", "整改时限", "督办单", "发现的问题")
WIDTHS = (36, 110, 124, 80, 120, 150)
PROBLEM = HEADS.index("发现的问题")
NO_CHOICE = "选中一项，这里显示它的整改要求、整改材料和销号说明。"
COLOURS = {"closed": "#C6EFCE", "near": "#FFEB9C", "overdue": "#FFC7CE"}
LISTS = "问题清单 (*.xlsx *.xls *.csv *.ods);;所有文件 (*)"


class SupervisePane(QWidget):
    openFile = Signal(str)  # an answer, to open read-only

    def __init__(self, supervision: SupervisionController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.supervision = supervision
        self.filter = QComboBox()
        for key, label in FILTERS.items():
            self.filter.addItem(label, key)
        self.filter.currentIndexChanged.connect(self.show_rows)
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("显示："))
        top.addWidget(self.filter)
        top.addWidget(self.counts, 1)

        self.table = QTableWidget(0, len(HEADS))
        self.table.setHorizontalHeaderLabels(HEADS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate(WIDTHS):
            self.table.setColumnWidth(col, width)
        self.table.itemSelectionChanged.connect(self._selected)
        self.table.doubleClicked.connect(lambda _: self.open_evidence())

        self.buttons = {}
        grid = QGridLayout()
        for n, (key, label, slot) in enumerate((
                ("add", "登记问题…", self.ask_add), ("import", "导入问题清单…", self.ask_import),
                ("issue", "下发督办单", self.supervision.issue), ("register", "生成整改台账", self.supervision.write_register),
                ("close", "销号…", self.ask_close), ("reopen", "撤销销号…", self.ask_reopen),
                ("evidence", "打开整改材料", self.open_evidence))):
            button = QPushButton(label)
            button.clicked.connect(slot)
            self.buttons[key] = button
            grid.addWidget(button, n // 4, n % 4)
        self.evidence_menu = QMenu(self)

        self.detail = QLabel(NO_CHOICE)  # the chosen item whole: its requirement, materials, the clerk's note
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setStyleSheet("QLabel { background: #f7f7f7; border: 1px solid #ddd; padding: 4px; }")

        v = QVBoxLayout(self)
        v.addLayout(top)
        v.addWidget(self.table, 1)
        v.addWidget(self.detail)
        v.addLayout(grid)
        self.shown: list[Row] = []
        supervision.rowsChanged.connect(self.show_rows)
        self.show_rows()

    # --- showing -------------------------------------------------------------------------------
    def show_rows(self) -> None:
        keep = self.current()
        key = self.filter.currentData() or "all"
        self.shown = self.supervision.shown(key)
        self.table.setRowCount(len(self.shown))
        for r, row in enumerate(self.shown):
            colour = QBrush(QColor(COLOURS[row.colour])) if row.colour else QBrush()
            for c, value in enumerate((str(row.id), row.school, row.state, row.due, row.sheet, row.problem)):
                item = QTableWidgetItem(value)
                item.setBackground(colour)
                if c == PROBLEM:
                    item.setToolTip(value)
                self.table.setItem(r, c, item)
        n = self.supervision.counts()
        self.counts.setText(f"共 {n['all']} 项：已销号 {n['closed']}，已反馈待核 {n['answered']}，未整改 {n['open']}；"
                            f"逾期 {n['overdue']}，临近时限 {n['near']}")
        if keep is not None:
            self.select(keep.id)
        self._selected()

    def current(self) -> Row | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.shown[rows[0].row()] if rows and rows[0].row() < len(self.shown) else None

    def select(self, item_id: int) -> bool:
        for r, row in enumerate(self.shown):
            if row.id == item_id:
                self.table.selectRow(r)
                return True
        return False

    def _selected(self) -> None:
        row = self.current()
        self.detail.setText(row.details() if row is not None else NO_CHOICE)
        self.buttons["close"].setEnabled(row is not None and not row.closed)
        self.buttons["reopen"].setEnabled(row is not None and row.closed)
        self.buttons["evidence"].setEnabled(row is not None and bool(row.evidence))

    # --- the clerk's intents -------------------------------------------------------------------
    def ask_add(self) -> None:
        dialog = AddItemDialog(self.supervision.school_names(), self.supervision.today(), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.supervision.add(*dialog.values())

    def ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "导入问题清单（表头：学校名称、发现的问题、整改要求、整改时限）", "", LISTS)
        if path:
            self.supervision.import_list(path)

    def ask_close(self) -> None:
        row = self.current()
        if row is not None:
            note, ok = QInputDialog.getText(self, "销号", f"第 {row.id} 项（{row.school}：{row.problem}）\n销号的依据：",
                                            text="已查看整改报告和佐证材料，问题已整改到位")
            if ok:
                self.supervision.close_item(row.id, note)

    def ask_reopen(self) -> None:
        row = self.current()
        if row is not None:
            note, ok = QInputDialog.getText(self, "撤销销号", f"第 {row.id} 项（{row.school}：{row.problem}）\n撤销的原因：")
            if ok:
                self.supervision.reopen_item(row.id, note)

    def open_evidence(self) -> None:
        row = self.current()
        files = self.supervision.evidence(row) if row is not None else []
        if len(files) == 1:
            emit(self.openFile, files[0][1])
        elif files:
            self.evidence_menu.clear()
            for name, path in files:
                self.evidence_menu.addAction(name, lambda path=path: emit(self.openFile, path))
            self.evidence_menu.popup(self.buttons["evidence"].mapToGlobal(self.buttons["evidence"].rect().bottomLeft()))


class AddItemDialog(QDialog):
    """登记问题: the school (from the roster), the problem, the requirement, the deadline."""

    def __init__(self, schools: list[str], today, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("登记问题")
        self.school = QComboBox()
        self.school.addItems(schools)
        self.school.setEditable(True)
        self.problem = QLineEdit()
        self.requirement = QLineEdit()
        self.due = QDateEdit(QDate(today.year, today.month, today.day).addDays(14))
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        form = QFormLayout(self)
        form.addRow("学校：", self.school)
        form.addRow("发现的问题：", self.problem)
        form.addRow("整改要求：", self.requirement)
        form.addRow("整改时限：", self.due)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(460, 0)

    def values(self) -> tuple[str, str, str, str]:
        return (self.school.currentText(), self.problem.text(), self.requirement.text(),
                self.due.date().toString("yyyy-MM-dd"))
