"""The table of schools: one row per roster school, read from the latest ``Overview``.

A model (not a widget) so the table, its filter and the details pane all read the same rows,
and so the state colours are decided in one place. ``SchoolFilter`` narrows the rows by a typed
text (school, parent unit or file name), by state (the “逾期” choice is late schools) and by
所属单位 (a click in the overview). At 10,000 schools every keystroke re-filters every row, so
each row's searchable text is made once per overview, not once per keystroke.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor

from aggregator.collection.intake import display_name
from aggregator.collection.status import STATE_LABELS, STATES, Overview, SchoolState
from aggregator.messages import WINDOW, render

COLUMNS = ("学校", "学段", "所属单位", "状态", "反馈", "逾期", "报送时间", "版本", "文件")
STATE_COLUMN = COLUMNS.index("状态")
FEEDBACK_COLUMN = COLUMNS.index("反馈")
LATE_COLUMN = COLUMNS.index("逾期")
VERSION_COLUMN = COLUMNS.index("版本")
# Pale backgrounds, dark enough text: readable on any screen, and printed screenshots stay legible.
STATE_COLOURS = {
    "missing": ("#e6e6e6", "#555555"),
    "returned": ("#f6c6c6", "#8a1010"),
    "needs_review": ("#fbd7a8", "#7a4100"),
    "accepted_with_warnings": ("#fbf0a0", "#5f5200"),
    "accepted": ("#c9ecc4", "#1d5e17"),
    "exempt": ("#dde7f3", "#2b4a6f"),
}
LATE = "逾期"
StateRole = Qt.ItemDataRole.UserRole + 1  # the state id of the row, for filters and tests
SortRole = Qt.ItemDataRole.UserRole + 2

_STATE_ORDER = {s: i for i, s in enumerate(("returned", "needs_review", "accepted_with_warnings", "missing",
                                             "accepted"))}


def received_text(received_at: str) -> str:
    """2023-11-16T10:12:00 → 2023-11-16 10:12."""
    return received_at.replace("T", " ")[:16]


def feedback_text(s: SchoolState, sent: dict) -> str:
    """The 反馈 column: whether the school was told (by e-mail, as feedback records it), and when.

    Only schools that need telling say 未发送; a letter about an older version does not count."""
    when = str(sent.get("at", ""))[5:10]
    if s.status == "returned":
        told = sent.get("kind") == "returned" and s.current is not None and sent.get("sha256") == s.current.sha256
        return f"已发送 {when}" if told else "未发送"
    if s.status == "missing":
        return f"已提醒 {when}" if sent.get("kind") == "reminder" else "未发送"
    return ""


class SchoolTableModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: tuple[SchoolState, ...] = ()
        self._sent: dict[str, dict] = {}
        self._hay: list[str] = []
        self._rows_by_name: dict[str, int] = {}

    def set_overview(self, ov: Overview | None, sent: dict[str, dict] | None = None) -> None:
        self.beginResetModel()
        self._rows = ov.schools if ov else ()
        self._sent = sent or {}
        self._hay = [" ".join((s.school.name, s.school.parent, s.school.stage, STATE_LABELS[s.status],
                               s.current.original_name if s.current else "")).lower() for s in self._rows]
        self._rows_by_name = {s.school.name: i for i, s in enumerate(self._rows)}
        self.endResetModel()

    def hay(self, row: int) -> str:
        """The row's searchable text, lower-cased."""
        return self._hay[row]

    @property
    def rows(self) -> tuple[SchoolState, ...]:
        return self._rows

    def feedback_of(self, s: SchoolState) -> str:
        return feedback_text(s, self._sent.get(s.school.id, {}))

    def unsent(self) -> int:
        """Schools to tell that were not told yet (the header's 反馈未发送)."""
        return sum(1 for s in self._rows if s.status in ("returned", "missing") and self.feedback_of(s) == "未发送")

    def state_at(self, row: int) -> SchoolState | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, school_name: str) -> int:
        return self._rows_by_name.get(school_name, -1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        s = self.state_at(index.row())
        if s is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(s, col)
        if col == FEEDBACK_COLUMN and role == Qt.ItemDataRole.ForegroundRole and self._text(s, col) == "未发送":
            return QBrush(QColor("#8a1010"))
        if role == StateRole:
            return s.status
        if role == SortRole:
            if col == STATE_COLUMN:
                return _STATE_ORDER.get(s.status, 9)
            if col == VERSION_COLUMN:
                return s.versions
            return self._text(s, col)
        if col == STATE_COLUMN and role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(STATE_COLOURS[s.status][0]))
        if col == STATE_COLUMN and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(STATE_COLOURS[s.status][1]))
        if col == LATE_COLUMN and role == Qt.ItemDataRole.ForegroundRole and s.late:
            return QBrush(QColor("#b00000"))
        if role == Qt.ItemDataRole.ToolTipRole:
            errors = [f.message for f in s.findings if f.level == "error"]
            if s.current is not None and s.current.review:
                return render(s.current.review, WINDOW)
            return "\n".join(errors[:5]) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (STATE_COLUMN, LATE_COLUMN, VERSION_COLUMN):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _text(self, s: SchoolState, col: int) -> str:
        cur = s.current
        if col == 0:
            return s.school.name
        if col == 1:
            return s.school.stage
        if col == 2:
            return s.school.parent
        if col == STATE_COLUMN:
            return STATE_LABELS[s.status]
        if col == FEEDBACK_COLUMN:
            return feedback_text(s, self._sent.get(s.school.id, {}))
        if col == LATE_COLUMN:
            return LATE if s.late else ""
        if col == LATE_COLUMN + 1:
            return received_text(cur.received_at) if cur else ""
        if col == VERSION_COLUMN:
            return f"第{s.versions}版" if s.versions else ""
        if col == VERSION_COLUMN + 1:
            return display_name(cur.original_name) if cur else ""
        return ""


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
        return s.status in ("returned", "missing")  # and, checked by the filter, nothing sent
    return s.status == key


class SchoolFilter(QSortFilterProxyModel):
    """Rows matching the typed text and the chosen state filter (a key of ``FILTERS`` or a state)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._text = ""
        self._state = ""
        self._unit: str | None = None  # a 所属单位 chosen in the overview; None: every unit
        self._keep: set[int] | None = None  # the rows that stay, decided at once for all (None: not yet)
        self.setSortRole(SortRole)

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
        if hasattr(self, "beginFilterChange"):  # Qt 6.9+: invalidateFilter() is deprecated
            self.beginFilterChange()
            self._text, self._state, self._unit = text, state, unit
            self._decide()
            self.endFilterChange()
        else:
            self._text, self._state, self._unit = text, state, unit
            self._decide()
            self.invalidateFilter()

    def _decide(self) -> None:
        """Which rows stay, decided in one pass over the model's rows: Qt then asks row by row,
        and a set lookup is all each answer costs (10,000 rows per keystroke)."""
        model = self.sourceModel()
        if not isinstance(model, SchoolTableModel):
            self._keep = None
            return
        text, state, unit = self._text, self._state, self._unit
        keep = set()
        for row, s in enumerate(model.rows):
            if unit is not None and s.school.parent.strip() != unit:
                continue
            if state and not _keeps(state, s):
                continue
            if state == "unsent" and model.feedback_of(s) != "未发送":
                continue
            if text and text not in model.hay(row):
                continue
            keep.add(row)
        self._keep = keep

    def setSourceModel(self, model) -> None:  # noqa: N802 - Qt API
        super().setSourceModel(model)
        model.modelAboutToBeReset.connect(lambda: setattr(self, "_keep", None))

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        if self._keep is None:
            self._decide()
        return row in self._keep
