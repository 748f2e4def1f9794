"""A table whose first columns stay in place when it is scrolled sideways.

The schools' table has more columns than a 1366-pixel laptop shows beside the details; scrolled
to 报送时间 or 文件, a row must still say whose it is and where it stands (学校, 状态). Qt has no
frozen column of its own: this is its "Frozen Column" example, a second view over the same model
and selection that shows only the first columns, laid over the left edge of the table and
scrolled up and down with it. Clicks, double-clicks, the context menu and sorting on it act on
the table.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtWidgets import QAbstractItemView, QFrame, QHeaderView, QTableView, QWidget

BORDER = 2  # the line on the right of the frozen columns: where the scrolling starts


class FrozenTableView(QTableView):
    def __init__(self, frozen_columns: int = 1, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.frozen_columns = frozen_columns
        self.frozen = QTableView(self)
        f = self.frozen
        f.setObjectName("frozen")
        f.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        f.verticalHeader().hide()
        f.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        f.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        f.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        f.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        f.setFrameShape(QFrame.Shape.NoFrame)
        f.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        f.setStyleSheet(f"QTableView#frozen {{ border: none; border-right: {BORDER}px solid #8c8c8c; }}")
        f.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        f.customContextMenuRequested.connect(self._frozen_menu)
        f.doubleClicked.connect(self.doubleClicked)
        f.clicked.connect(self.clicked)
        f.horizontalHeader().sectionClicked.connect(self._frozen_sort)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.horizontalHeader().sectionResized.connect(self._resized)
        self.horizontalHeader().sortIndicatorChanged.connect(
            lambda column, order: f.horizontalHeader().setSortIndicator(column, order))
        self.verticalHeader().sectionResized.connect(lambda row, _, size: f.setRowHeight(row, size))
        f.verticalScrollBar().valueChanged.connect(lambda v: self.verticalScrollBar().setValue(v))
        self.verticalScrollBar().valueChanged.connect(lambda v: f.verticalScrollBar().setValue(v))

    # --- the same model, selection and look --------------------------------------------------------

    def setModel(self, model) -> None:  # noqa: N802 - Qt API
        super().setModel(model)
        self.frozen.setModel(model)
        self.frozen.setSelectionModel(self.selectionModel())
        model.modelReset.connect(self._show_first_columns_only)
        model.columnsInserted.connect(self._show_first_columns_only)
        self._show_first_columns_only()

    def setSelectionBehavior(self, behavior) -> None:  # noqa: N802
        super().setSelectionBehavior(behavior)
        self.frozen.setSelectionBehavior(behavior)

    def setSelectionMode(self, mode) -> None:  # noqa: N802
        super().setSelectionMode(mode)
        self.frozen.setSelectionMode(mode)

    def setAlternatingRowColors(self, enable: bool) -> None:  # noqa: N802
        super().setAlternatingRowColors(enable)
        self.frozen.setAlternatingRowColors(enable)

    def setSortingEnabled(self, enable: bool) -> None:  # noqa: N802
        super().setSortingEnabled(enable)
        self.frozen.horizontalHeader().setSortIndicatorShown(enable)
        self.frozen.horizontalHeader().setSectionsClickable(enable)

    def _show_first_columns_only(self, *_: object) -> None:
        model = self.model()
        for column in range(model.columnCount() if model is not None else 0):
            self.frozen.setColumnHidden(column, column >= self.frozen_columns)
            if column < self.frozen_columns:
                self.frozen.setColumnWidth(column, self.columnWidth(column))
        self._place()

    # --- staying over the first columns ------------------------------------------------------------

    def frozen_width(self) -> int:
        return sum(self.columnWidth(c) for c in range(self.frozen_columns))

    def _resized(self, column: int, _: int, size: int) -> None:
        if column < self.frozen_columns:
            self.frozen.setColumnWidth(column, size)
            self._place()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._place()

    def updateGeometries(self) -> None:  # noqa: N802
        super().updateGeometries()
        self._place()

    def _place(self) -> None:
        rows = self.verticalHeader().defaultSectionSize()
        if self.frozen.verticalHeader().defaultSectionSize() != rows:
            self.frozen.verticalHeader().setDefaultSectionSize(rows)
        frame = self.frameWidth()
        head = self.horizontalHeader().height()
        self.frozen.horizontalHeader().setFixedHeight(head)
        self.frozen.setGeometry(self.verticalHeader().width() + frame, frame, self.frozen_width() + BORDER,
                                self.viewport().height() + head)

    def moveCursor(self, action, modifiers) -> QModelIndex:  # noqa: N802
        """Moving left with the keyboard brings the cell out from under the frozen columns."""
        current = super().moveCursor(action, modifiers)
        left = self.visualRect(current).left()
        if action == QAbstractItemView.CursorAction.MoveLeft and current.column() >= self.frozen_columns \
                and left < self.frozen_width():
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() + left - self.frozen_width())
        return current

    def scrollTo(self, index: QModelIndex, hint=QAbstractItemView.ScrollHint.EnsureVisible) -> None:  # noqa: N802
        """The frozen columns are always in view: going to a school's row scrolls up or down only."""
        if index.column() < self.frozen_columns:
            bar = self.horizontalScrollBar()
            keep = bar.value()
            super().scrollTo(index, hint)
            bar.setValue(keep)
        else:
            super().scrollTo(index, hint)

    # --- clicks on the frozen column act on the table ----------------------------------------------

    def _frozen_menu(self, pos: QPoint) -> None:
        at = self.viewport().mapFromGlobal(self.frozen.viewport().mapToGlobal(pos))
        self.customContextMenuRequested.emit(at)

    def _frozen_sort(self, column: int) -> None:
        head = self.horizontalHeader()
        ascending = Qt.SortOrder.AscendingOrder
        order = (Qt.SortOrder.DescendingOrder if head.sortIndicatorSection() == column
                 and head.sortIndicatorOrder() == ascending else ascending)
        head.setSortIndicator(column, order)
