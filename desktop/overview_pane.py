"""总览: how far each 所属单位 has got (已报/应报, as bars) and the district's main totals.

The district's office asks two questions all day: "which 中心学校 is behind?" and "what are our
numbers so far?". Both are answered here from the controller's overview (``aggregator.collection
.tally`` counts them), redrawn whenever a return arrives. A unit is a row of a table drawn with a
bar, not a widget per unit: a province has hundreds of units and the pane must redraw at once.
Clicking a unit asks the window to show only its schools.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRect, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView, QFrame, QGridLayout, QHeaderView, QLabel, QStyle, QStyledItemDelegate, QStyleOptionViewItem,
    QTableView, QVBoxLayout, QWidget,
)

from aggregator.session import Overview, UnitProgress

from .signals import emit
from .view import View

HEADS = ("所属单位", "已报 / 应报", "已通过")
BAR_COLUMN = 1


class UnitModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[UnitProgress] = []

    def set_rows(self, rows: list[UnitProgress]) -> None:
        if rows == self.rows:  # most jobs change no unit's progress
            return
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(HEADS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        u = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (u.label, f"{u.reported} / {u.expected}", str(u.passed))[col]
        if role == Qt.ItemDataRole.UserRole:
            return u
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{u.label}：应报 {u.expected} 所，已报 {u.reported} 所，已通过 {u.passed} 所。点击只看这些学校"
        if role == Qt.ItemDataRole.TextAlignmentRole and col:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None


class BarDelegate(QStyledItemDelegate):
    """已报/应报 as a bar with the numbers on it."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        u: UnitProgress = index.data(Qt.ItemDataRole.UserRole)
        rect = option.rect.adjusted(4, 4, -4, -4)
        painter.save()
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, option.palette.highlight())
        painter.fillRect(rect, QColor("#e6e6e6"))
        share = u.reported / u.expected if u.expected else 1.0
        done = QRect(rect.x(), rect.y(), int(rect.width() * share), rect.height())
        painter.fillRect(done, QColor("#9fd19a" if share >= 1 else "#f2c879"))
        painter.setPen(QColor("#222222"))
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), index.data())
        painter.restore()


class OverviewPane(QFrame):
    unitChosen = Signal(str)  # a 所属单位 ("" for schools without one)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("各单位报送进度")
        self.title.setStyleSheet("font-weight: bold;")
        self.units = UnitModel(self)
        self.table = QTableView()
        self.table.setModel(self.units)
        self.table.setItemDelegateForColumn(BAR_COLUMN, BarDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(BAR_COLUMN, QHeaderView.ResizeMode.Fixed)
        head.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setColumnWidth(BAR_COLUMN, 130)
        self.table.clicked.connect(self._clicked)
        self.totals_title = QLabel("全区合计（已通过的报表）")
        self.totals_title.setStyleSheet("font-weight: bold;")
        self.totals = QGridLayout()
        self.totals.setColumnStretch(0, 1)
        self.total_labels: list[tuple[QLabel, QLabel]] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.totals_title)
        layout.addLayout(self.totals)
        self.show_overview(None)

    def show_overview(self, ov: Overview | None, view: View | None = None) -> None:
        """``view``: the progress per unit and the totals, worked out with the overview."""
        rows = view.progress if ov and view else []
        self.units.set_rows(rows)
        reported = sum(u.reported for u in rows)
        expected = sum(u.expected for u in rows)
        self.title.setText(f"各单位报送进度（已报 {reported} / 应报 {expected} 所）" if rows else "各单位报送进度")
        figures = view.totals if ov and view else []
        while len(self.total_labels) < len(figures):
            name, value = QLabel(), QLabel()
            name.setWordWrap(True)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setStyleSheet("font-weight: bold;")
            self.totals.addWidget(name, len(self.total_labels), 0)
            self.totals.addWidget(value, len(self.total_labels), 1)
            self.total_labels.append((name, value))
        for i, (name, value) in enumerate(self.total_labels):
            shown = i < len(figures)
            name.setVisible(shown)
            value.setVisible(shown)
            if shown:
                name.setText(figures[i].label)
                value.setText(figures[i].shown)
        self.totals_title.setVisible(bool(figures))

    def totals_text(self) -> str:
        """The totals as shown, one "label value" per line (tests and accessibility)."""
        return "\n".join(f"{n.text()} {v.text()}" for n, v in self.total_labels if not n.isHidden())

    def select_unit(self, unit: str) -> bool:
        for row, u in enumerate(self.units.rows):
            if u.unit == unit:
                self.table.selectRow(row)
                return True
        return False

    def _clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            emit(self.unitChosen, self.units.rows[index.row()].unit)
