"""The table's filter: the rows of ``SchoolTableModel`` that match a typed text (school, parent
unit or file name), a state choice (the “逾期” choice is late schools, “已通过” both kinds of
passed) and a 所属单位 (a click in the overview), in the order the clerk sorted them.

At 10,000 schools every keystroke re-filters every row, so the rows of a state and unit are
worked out once per choice, and a keystroke is one pass of substring tests over plain strings.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractProxyModel, QModelIndex, QPersistentModelIndex, Qt

from aggregator.session import STATE_LABELS, STATES, SchoolState

from .school_model import SchoolTableModel
from .signals import emit

_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable  # every cell's: made once, not per cell


# The state choices of the filter: key → (label, what it keeps).
FILTERS: dict[str, str] = {
    "": "全部学校",
    "passed": "已通过（含有提示的）",
    **{s: STATE_LABELS[s] for s in ("accepted_with_warnings", "returned", "needs_review", "missing", "exempt")},
    "late": "逾期报送",
    "unsent": "需反馈但未发送",
}


def _keeps(key: str, s: SchoolState) -> bool:
    if key == "":
        return True
    if key == "late":
        return s.late
    if key == "passed":
        return s.accepted
    if key == "unsent":
        return s.feedback.unsent
    return s.status == key


class SchoolFilter(QAbstractProxyModel):
    """The rows matching the typed text, the chosen state filter (a key of ``FILTERS`` or a
    state) and 所属单位, in the order the clerk sorted them.

    Qt's own QSortFilterProxyModel asks Python about every row on every keystroke (and compares
    rows through Python to sort): at 10,000 schools that is most of a keystroke's time. Here the
    rows are worked out in one pass over plain lists, kept as a list, and the view is told to
    draw again; only the rows on screen cross into Python."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._text = ""
        self._state = ""
        self._unit: str | None = None  # a 所属单位 chosen in the overview; None: every unit
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)
        self._order: list[int] | None = None  # every source row, sorted (None: not yet)
        self._chosen: dict[tuple, list[int]] = {}  # (state, unit) -> sorted rows that pass both
        self._rows: list[int] = []  # the rows shown, in order
        self._at: dict[int, int] = {}  # source row -> shown row
        self._columns = 0  # the source's, asked once per reset
        self._source: SchoolTableModel | None = None

    @property
    def unit(self) -> str | None:
        return self._unit

    def set_text(self, text: str) -> None:
        self._refilter(text.strip().lower(), self._state, self._unit)

    def set_state(self, key: str) -> None:
        if key not in FILTERS and key not in STATES:
            raise ValueError(key)
        self._refilter(self._text, key, self._unit)

    def set_unit(self, unit: str | None) -> None:
        self._refilter(self._text, self._state, unit)

    def _refilter(self, text: str, state: str, unit: str | None) -> None:
        self.beginResetModel()
        self._text, self._state, self._unit = text, state, unit
        self._decide()
        self.endResetModel()

    def _model(self) -> SchoolTableModel | None:
        model = self.sourceModel()
        return model if isinstance(model, SchoolTableModel) else None

    def _decide(self) -> None:
        model = self._model()
        if model is None:
            self._rows, self._at, self._columns = [], {}, 0
            return
        self._columns = model.columnCount()
        if self._order is None:
            column, order = self._sort
            rows = range(len(model.rows))
            self._order = list(rows) if column < 0 else sorted(
                rows, key=lambda r: model.sort_key(r, column), reverse=order == Qt.SortOrder.DescendingOrder)
            self._chosen.clear()
        chosen = self._chosen.get((self._state, self._unit))
        if chosen is None:
            state, unit, states = self._state, self._unit, model.rows
            chosen = [r for r in self._order if (unit is None or states[r].school.parent.strip() == unit)
                      and (not state or _keeps(state, states[r]))]
            self._chosen[(self._state, self._unit)] = chosen
        text, hay = self._text, model.hay_list
        self._rows = [r for r in chosen if text in hay[r]] if text else chosen
        self._at = {r: i for i, r in enumerate(self._rows)}

    def _source_reset(self) -> None:
        self._order = None
        self._decide()
        self.endResetModel()

    def _source_refreshed(self, changed: list[int]) -> None:
        """The same schools with new states (``SchoolTableModel.refreshed``): decided again, since
        a state, a time or a file name may move a row in or out of the filter or in the sort. The
        same rows in the same order (after most jobs): only the changed ones are drawn again, and
        the selection and the scroll position stay; else as a reset."""
        before = self._rows
        self._order = None
        self._decide()
        if self._rows != before:
            rows, at = self._rows, self._at
            self._rows, self._at = before, {r: i for i, r in enumerate(before)}
            self.beginResetModel()
            self._rows, self._at = rows, at
            self.endResetModel()
            return
        shown = [self._at[r] for r in changed if r in self._at]
        if shown and self._columns:
            emit(self.dataChanged, self.index(min(shown), 0), self.index(max(shown), self._columns - 1))

    # --- QAbstractProxyModel -------------------------------------------------------------------

    def setSourceModel(self, model) -> None:  # noqa: N802 - Qt API
        super().setSourceModel(model)
        self._source = model if isinstance(model, SchoolTableModel) else None
        model.modelAboutToBeReset.connect(self.beginResetModel)
        model.modelReset.connect(self._source_reset)
        if isinstance(model, SchoolTableModel):
            model.refreshed.connect(self._source_refreshed)
        self._order = None
        self._decide()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        # A reset, not layoutAboutToBeChanged/layoutChanged: PySide6 6.12 drops a reference to
        # True each time Python emits those (the interpreter aborts once they run out). The window
        # selects the school it shows again after a reset (``_keep_selection``).
        self.beginResetModel()
        self._sort, self._order = (column, order), None
        self._decide()
        self.endResetModel()

    def mapToSource(self, index: QModelIndex | QPersistentModelIndex) -> QModelIndex:  # noqa: N802
        model = self.sourceModel()
        if model is None or not index.isValid() or index.row() >= len(self._rows):
            return QModelIndex()
        return model.index(self._rows[index.row()], index.column())

    def mapFromSource(self, index: QModelIndex | QPersistentModelIndex) -> QModelIndex:  # noqa: N802
        row = self._at.get(index.row(), -1) if index.isValid() else -1
        return self.index(row, index.column()) if row >= 0 else QModelIndex()

    def index(self, row: int, column: int, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:
        if parent.isValid() or not (0 <= row < len(self._rows) and 0 <= column < self._columns):
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, index: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        return QModelIndex()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self._columns

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = index.row()
        if self._source is None or not 0 <= row < len(self._rows):
            return None
        return self._source.row_data(self._rows[row], index.column(), role)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        model = self.sourceModel()
        if orientation == Qt.Orientation.Horizontal and model is not None:
            return model.headerData(section, orientation, role)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags
