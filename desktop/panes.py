"""The right-hand side of the window: one school's details, and the files waiting for the clerk.

Both only show what the controller's overview holds and forward the clerk's decisions (whose
return a file is) to the controller.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QTextBrowser, QVBoxLayout, QWidget,
)

from aggregator.collection.intake import display_name
from aggregator.collection.status import STATE_LABELS, Overview, SchoolState
from aggregator.messages import WINDOW, render

from . import dialogs
from .controller import Controller
from .school_model import STATE_COLOURS, received_text
from .signals import emit

LEVELS = {"error": ("错误", "#b00000"), "warning": ("提示", "#8a6d00"), "info": ("说明", "#555555")}
NOTHING_SELECTED = "在左侧列表中选择一所学校，这里会列出它的报表存在的问题。"


def _finding_html(level: str, text: str) -> str:
    label, colour = LEVELS[level]
    return (f'<p style="margin:0 0 6px 0"><span style="color:{colour};font-weight:bold">[{label}]</span> '
            f"{html.escape(text)}</p>")


def details_html(s: SchoolState) -> str:
    """Everything the clerk needs to phone the school: the problems, worded as the school will read them."""
    parts = []
    cur = s.current
    if cur is None:
        parts.append("<p>尚未收到这所学校的报表。“生成反馈”会为它准备催报邮件。</p>")
    else:
        late = "（逾期）" if s.late else ""
        parts.append(f"<p>报送时间：{received_text(cur.received_at)}{late}　第{s.versions}版<br>"
                     f"文件：{html.escape(display_name(cur.original_name))}</p>")
        if cur.review:
            parts.append(f'<p style="color:#7a4100"><b>[待确认]</b> {html.escape(render(cur.review, WINDOW))}</p>')
        shown = [f for f in s.findings if f.level in ("error", "warning")]
        for f in sorted(shown, key=lambda f: f.level != "error"):
            parts.append(_finding_html(f.level, f.message))
        if not shown and not cur.review:
            parts.append('<p style="color:#1d5e17">校验全部通过。</p>')
        for note in s.notes:
            parts.append(_finding_html("info", note))
    return "".join(parts)


class DetailsPane(QFrame):
    """The selected school: who to call, its state, every finding and note, and the review decision."""

    openFile = Signal(str)  # an archived return, to open in Excel/WPS

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.state: SchoolState | None = None
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.badge = QLabel()
        self.contact = QLabel()
        self.contact.setWordWrap(True)
        for label in (self.title, self.contact):
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.contact.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body = QTextBrowser()
        self.body.setOpenLinks(False)
        self.assign_here = QPushButton("指定为本校的报表")
        self.assign_here.setToolTip("确认这份报表就是本校的，按本校重新校验")
        self.assign_here.clicked.connect(self._assign_here)
        self.assign_other = QPushButton("指定给其他学校…")
        self.assign_other.clicked.connect(self._assign_other)
        self.open_button = QPushButton("打开报表原件")
        self.open_button.clicked.connect(self._open)

        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.badge)
        buttons = QHBoxLayout()
        buttons.addWidget(self.assign_here)
        buttons.addWidget(self.assign_other)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(head)
        layout.addWidget(self.contact)
        layout.addWidget(self.body, 1)
        layout.addLayout(buttons)
        self.show_state(None)

    def show_state(self, s: SchoolState | None) -> None:
        self.state = s
        review = bool(s and s.current and s.current.review)
        self.assign_here.setVisible(review)
        self.assign_other.setVisible(review)
        self.open_button.setVisible(bool(s and s.current))
        if s is None:
            self.title.setText("学校详情")
            self.badge.clear()
            self.badge.setStyleSheet("")
            self.contact.clear()
            self.body.setHtml(f"<p style='color:#666'>{NOTHING_SELECTED}</p>")
            return
        self.title.setText(s.school.name)
        back, fore = STATE_COLOURS[s.status]
        self.badge.setText(STATE_LABELS[s.status])
        self.badge.setStyleSheet(f"background:{back}; color:{fore}; padding:2px 8px; border-radius:3px;")
        who = [x for x in (s.school.stage, s.school.parent) if x]
        call = [x for x in (s.school.contact, s.school.phone, s.school.email) if x]
        self.contact.setText("　".join(["·".join(who), "联系人：" + " ".join(call) if call else ""]).strip("　"))
        self.body.setHtml(details_html(s))

    def _assign_here(self) -> None:
        s = self.state
        if s is not None and s.current is not None:
            self.controller.assign(s.current.sha256, s.school.name)

    def _assign_other(self) -> None:
        s = self.state
        if s is None or s.current is None:
            return
        school = dialogs.choose_school(self, self.controller.school_names(), display_name(s.current.original_name),
                                       str(s.current.values.get(s.form.unit.id if s.form else "unit") or ""))
        if school:
            self.controller.assign(s.current.sha256, school)

    def _open(self) -> None:
        if self.state is not None and self.state.current is not None and self.controller.folder is not None:
            emit(self.openFile, str(self.controller.folder / self.state.current.archived))


ShaRole = Qt.ItemDataRole.UserRole + 1
ArchivedRole = Qt.ItemDataRole.UserRole + 2
UnitRole = Qt.ItemDataRole.UserRole + 3


class FilesPane(QFrame):
    """Files that are no school's return yet: unreadable ones (to chase) and unidentified ones (to assign)."""

    openFile = Signal(str)

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.title = QLabel("待处理的文件")
        self.title.setStyleSheet("font-weight: bold;")
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.currentItemChanged.connect(self._selected)
        self.list.itemDoubleClicked.connect(lambda item: self._open())
        self.assign_button = QPushButton("指定学校…")
        self.assign_button.setToolTip("这份报表是哪所学校的？选择后按该校重新校验")
        self.assign_button.clicked.connect(self._assign)
        self.open_button = QPushButton("打开文件")
        self.open_button.clicked.connect(self._open)
        buttons = QHBoxLayout()
        buttons.addWidget(self.assign_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.show_overview(None)

    def show_overview(self, ov: Overview | None) -> None:
        self.list.clear()
        unidentified = ov.unidentified if ov else ()
        unreadable = ov.unreadable if ov else ()
        for r in unidentified:
            item = QListWidgetItem(f"[未识别] {display_name(r.original_name)}\n{render(r.review, WINDOW)}")
            item.setForeground(QBrush(QColor("#7a4100")))
            item.setData(ShaRole, r.sha256)
            item.setData(ArchivedRole, r.archived)
            item.setData(UnitRole, str(r.values.get(ov.unit_field) or ""))
            self.list.addItem(item)
        for f in unreadable:
            item = QListWidgetItem(f"[无法读取] {display_name(f.original_name)}\n{f.reason}")
            item.setForeground(QBrush(QColor("#8a1010")))
            item.setData(ArchivedRole, f.archived)
            self.list.addItem(item)
        n = len(unidentified) + len(unreadable)
        self.title.setText(f"待处理的文件（未识别 {len(unidentified)}，无法读取 {len(unreadable)}）" if n else
                           "待处理的文件" + ("：无" if ov is not None else ""))
        if not n and ov is not None:
            self.list.addItem(QListWidgetItem("收到的文件都已识别。"))
        self._selected(self.list.currentItem())

    def select_file(self, name: str) -> bool:
        """Select the row of a file by its displayed name (for tests and drag-and-drop follow-up)."""
        for i in range(self.list.count()):
            if name in self.list.item(i).text().split("\n")[0]:
                self.list.setCurrentRow(i)
                return True
        return False

    def _selected(self, item: QListWidgetItem | None, *_: object) -> None:
        self.assign_button.setEnabled(bool(item and item.data(ShaRole)))
        self.open_button.setEnabled(bool(item and item.data(ArchivedRole)))

    def _assign(self) -> None:
        item = self.list.currentItem()
        if item is None or not item.data(ShaRole):
            return
        name = item.text().split("\n")[0].removeprefix("[未识别] ")
        school = dialogs.choose_school(self, self.controller.school_names(), name, item.data(UnitRole))
        if school:
            self.controller.assign(item.data(ShaRole), school)

    def _open(self) -> None:
        item = self.list.currentItem()
        if item is not None and item.data(ArchivedRole) and self.controller.folder is not None:
            emit(self.openFile, str(Path(self.controller.folder) / item.data(ArchivedRole)))
