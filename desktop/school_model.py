"""The table of schools: one row per roster school, read from the latest ``Overview``.

A model (not a widget) so the table, its filter (``school_filter``) and the details pane all
read the same rows, and so the state colours are decided in one place. At 10,000 schools every
keystroke re-filters every row, so each row's searchable text is made once per overview.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from aggregator.session import (STATE_LABELS, WINDOW, Material, MaterialState, Overview, SchoolState, display_name,
                                render, short_label)

from .details_text import items_tip, received_text
from .signals import emit
from .view import View

# The columns, by key and heading; a collection of several materials has a column per material
# (key "material:<id>") between 所属单位 and 逾期. The school and its state come first: the table
# keeps them in view when it is scrolled sideways (``FROZEN``), with what went out beside them.
COLUMNS = ("学校", "状态", "反馈", "学段", "所属单位", "逾期", "报送时间", "版本", "文件")
KEYS = ("school", "state", "feedback", "stage", "parent", "late", "received", "version", "file")
STATE_COLUMN = KEYS.index("state")
FEEDBACK_COLUMN = KEYS.index("feedback")
FROZEN = 2  # 学校, 状态
MATERIALS_AT = KEYS.index("parent") + 1
MATERIAL = "material:"
CENTRED = ("state", "late", "version")
# Pale backgrounds, dark enough text: readable on any screen, and printed screenshots stay legible.
STATE_COLOURS = {
    "missing": ("#e6e6e6", "#555555"),
    "returned": ("#f6c6c6", "#8a1010"),
    "needs_review": ("#fbd7a8", "#7a4100"),
    "accepted_with_warnings": ("#fbf0a0", "#5f5200"),
    "accepted": ("#c9ecc4", "#1d5e17"),
    "exempt": ("#dde7f3", "#2b4a6f"),
}
MARKED = ("returned", "accepted_with_warnings")  # a material cell to look at: its state's background too
LATE = "逾期"
StateRole = Qt.ItemDataRole.UserRole + 1  # the state id of the row, for filters and tests
SortRole = Qt.ItemDataRole.UserRole + 2
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_CENTRE = int(Qt.AlignmentFlag.AlignCenter)
_BRUSHES: dict[str, QBrush] = {}


def _brush(colour: str) -> QBrush:
    """One brush per colour, made once: a painted row asks for them cell by cell."""
    if colour not in _BRUSHES:
        _BRUSHES[colour] = QBrush(QColor(colour))
    return _BRUSHES[colour]


_SERVED = frozenset(int(r) for r in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                                     Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole,
                                     Qt.ItemDataRole.TextAlignmentRole, StateRole, SortRole))

_STATE_ORDER = {s: i for i, s in enumerate(("returned", "needs_review", "accepted_with_warnings", "missing",
                                             "accepted"))}


FEEDBACK_VERBS = {"returned": "已发送", "reminder": "已提醒", "check": "已请核对"}
UNSENT = "未发送"


def feedback_text(s: SchoolState) -> str:
    """The 反馈 column: whether the school was told what it must do now, which way and when
    (e-mail, the group's chat, another way), as the ledger records it (``told``); a draft written
    but not known to be sent says so. A school with nothing to be told shows nothing."""
    fb = s.feedback
    if not fb.need:
        return ""
    if fb.sent is not None:
        return f"{FEEDBACK_VERBS[fb.need]} {fb.sent.at[5:10]} {fb.sent.label}"
    if fb.need == "check":  # asking a school to check is the clerk's choice: unsent is no alarm (not red)
        return f"{UNSENT}（有草稿）" if fb.drafted is not None else ""
    return f"{UNSENT}（有草稿）" if fb.drafted is not None else UNSENT


def feedback_tip(s: SchoolState) -> str | None:
    """Everything that went out about what the school must do now, one line each."""
    lines = [f"{t.at.replace('T', ' ')[:16]} {t.label}{'：' + t.detail if t.detail else ''}"
             + ("（已生成，未确认发出）" if not t.sent else "") for t in s.feedback.records]
    return "\n".join(lines) or None


class SchoolTableModel(QAbstractTableModel):
    # The same schools in the same columns, with new states (``set_overview`` without a reset):
    # the source rows whose drawn texts changed. The filter (``school_filter``) decides again and
    # has the view draw those rows only.
    refreshed = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: tuple[SchoolState, ...] = ()
        self._hay: list[str] = []
        self._rows_by_name: dict[str, int] = {}
        self._keys: tuple[str, ...] = KEYS
        self._shown: dict[int, tuple[str, ...]] = {}  # row -> the texts of its cells, once drawn
        self._materials: dict[str, tuple[Material, bool]] = {}  # column key -> material, overdue
        self._form: Material | None = None  # the form's material, when the collection has several

    def set_overview(self, ov: Overview | None, view: View | None = None) -> None:
        """``view``: what goes with the overview (``desktop.view``), worked out beside it.

        The same schools in the same order and the same columns (after a collect, a decision, a
        refresh): no reset, which would have the view lay out and draw every row again, lose the
        selection and the scroll position; the rows swap in, and only those drawn before whose
        texts changed are drawn again (``refreshed``). Anything else: a reset."""
        rows = ov.schools if ov else ()
        view = view if ov and view else View()
        materials = {f"{MATERIAL}{m.id}": (m, overdue) for m, overdue in view.materials if not m.is_form}
        same = bool(rows) and len(rows) == len(self._rows) and materials == self._materials \
            and all(a.school.id == b.school.id for a, b in zip(rows, self._rows))
        if same:
            self._take(rows, view, materials)
            emit(self.refreshed, self._redrawn())
            return
        self.beginResetModel()
        self._take(rows, view, materials)
        self._shown = {}
        self.endResetModel()

    def _take(self, rows: tuple[SchoolState, ...], view: View, materials: dict[str, tuple[Material, bool]]) -> None:
        self._rows = rows
        self._hay = view.hay if len(view.hay) == len(rows) else [s.school.name.lower() for s in rows]
        self._rows_by_name = {s.school.name: i for i, s in enumerate(rows)}
        # The form's own material is the 状态 column (they said the same thing): one column per document.
        self._materials = materials
        self._form = next((m for m, _ in view.materials if m.is_form), None)
        self._keys = KEYS[:MATERIALS_AT] + tuple(materials) + KEYS[MATERIALS_AT:]

    def _redrawn(self) -> list[int]:
        """The rows drawn before whose texts (and so colours: state, 逾期, 未发送, materials) are
        not those of their new state, their texts made anew; rows never drawn have none to keep."""
        changed = []
        for row, before in self._shown.items():
            texts = tuple(self._text(self._rows[row], key) for key in self._keys)
            if texts != before:
                self._shown[row] = texts
                changed.append(row)
        return sorted(changed)

    @property
    def keys(self) -> tuple[str, ...]:
        """The key of each column, in order (``KEYS``, and one per material when there are several)."""
        return self._keys

    @property
    def hay_list(self) -> list[str]:
        """Each row's searchable text, lower-cased."""
        return self._hay

    @property
    def rows(self) -> tuple[SchoolState, ...]:
        return self._rows

    def state_at(self, row: int) -> SchoolState | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, school_name: str) -> int:
        return self._rows_by_name.get(school_name, -1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._keys)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._keys):
            return None
        key = self._keys[section]
        material = self._materials.get(key)
        if role == Qt.ItemDataRole.DisplayRole:
            return material[0].heading if material else COLUMNS[KEYS.index(key)]
        m = material[0] if material else self._form if key == "state" else None
        if role == Qt.ItemDataRole.ToolTipRole and m is not None:
            return f"{m.label}（截止日期 {m.deadline}，{m.who.describe()}）" if m.deadline else m.label
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return self.row_data(index.row(), index.column(), role)

    def sort_key(self, row: int, col: int) -> Any:
        s, key = self._rows[row], self._keys[col]
        if key == "state":
            return _STATE_ORDER.get(s.status, 9)
        if key == "version":
            return s.versions
        return self._text(s, key)

    def row_data(self, row: int, col: int, role: int) -> Any:
        """What the table asks for a cell. A painted row asks for every cell in every role (most
        of which this model leaves to the style): those cost one set lookup, and a row's texts
        are made once per overview."""
        if role not in _SERVED:
            return None
        s = self.state_at(row)
        if s is None or not 0 <= col < len(self._keys):
            return None
        if role == _DISPLAY:
            texts = self._shown.get(row)
            if texts is None:
                texts = self._shown[row] = tuple(self._text(s, key) for key in self._keys)
            return texts[col]
        key = self._keys[col]
        if role == StateRole:
            return s.status
        if role == SortRole:
            return self.sort_key(row, col)
        if key in self._materials:
            return self._material_data(s, key, role)
        if key == "feedback" and role == Qt.ItemDataRole.ForegroundRole and s.feedback.unsent:
            return _brush("#8a1010")
        if key == "feedback" and role == Qt.ItemDataRole.ToolTipRole:
            return feedback_tip(s)
        if key == "state" and role == Qt.ItemDataRole.BackgroundRole:
            return _brush(STATE_COLOURS[s.status][0])
        if key == "state" and role == Qt.ItemDataRole.ForegroundRole:
            return _brush(STATE_COLOURS[s.status][1])
        if key == "late" and role == Qt.ItemDataRole.ForegroundRole and s.late:
            return _brush("#b00000")
        if role == Qt.ItemDataRole.ToolTipRole:
            if s.current is not None and s.current.review:
                return render(s.current.review, WINDOW)
            return items_tip(s)
        if role == Qt.ItemDataRole.TextAlignmentRole and key in CENTRED:
            return _CENTRE
        return None

    def material_of(self, s: SchoolState, key: str) -> MaterialState | None:
        """The school's state on the material of a column; None when it does not owe it."""
        material = self._materials[key][0]
        return next((m for m in s.materials if m.material.id == material.id), None)

    def _material_data(self, s: SchoolState, key: str, role: int) -> Any:
        ms = self.material_of(s, key)
        if role == Qt.ItemDataRole.ForegroundRole and ms is not None:
            return _brush("#b00000" if ms.status == "missing" and self._materials[key][1]
                          else STATE_COLOURS.get(ms.status, ("", "#222222"))[1])
        if role == Qt.ItemDataRole.BackgroundRole and ms is not None and ms.status in MARKED:
            return _brush(STATE_COLOURS[ms.status][0])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _CENTRE
        if role == Qt.ItemDataRole.ToolTipRole:
            if ms is None:
                return "这所学校不需要交这项材料"
            short = short_label(ms, self._materials[key][1])
            lines = [f"{ms.material.label}：{short}" + ("，逾期交来" if ms.late and "逾期" not in short else "")]
            if ms.file:
                lines.append(f"{display_name(ms.file)}（{received_text(ms.received_at)}）")
            if ms.title:
                lines.append(f"标题：{ms.title}")
            lines += [f.message for f in ms.findings if f.level in ("error", "warning")]
            return "\n".join(lines)
        return None

    def _text(self, s: SchoolState, key: str) -> str:
        cur = s.current
        if key == "school":
            return s.school.name
        if key == "stage":
            return s.school.stage
        if key == "parent":
            return s.school.parent
        if key == "state":
            return STATE_LABELS[s.status]
        if key == "feedback":
            return feedback_text(s)
        if key == "late":
            return LATE if s.late else ""
        if key == "received":
            return received_text(cur.received_at) if cur else ""
        if key == "version":
            return f"第{s.versions}版" if s.versions else ""
        if key == "file":
            return display_name(cur.original_name) if cur else ""
        if key in self._materials:
            ms = self.material_of(s, key)
            return short_label(ms, self._materials[key][1]) if ms is not None else "—"
        return ""
