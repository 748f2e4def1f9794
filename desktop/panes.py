"""The right-hand side of the window: one school's details, and the files waiting for the clerk.

Both only show what the controller's overview holds and forward the clerk's decisions (whose
return a file is, that a file is junk, which school sent an unreadable file) to the controller.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMenu, QPushButton, QTextBrowser, QVBoxLayout, QWidget,
)

from aggregator.session import STATE_LABELS, WINDOW, Overview, SchoolState, display_name, render

from . import dialogs
from .controller import Controller
from .details_text import CONFIRM, UNCONFIRM, details_html
from .school_menu import COPY_LABELS
from .school_model import STATE_COLOURS
from .signals import emit
from .view import View

NOTHING_SELECTED = "在左侧列表中选择一所学校，这里会列出它的报表存在的问题。"


class DetailsPane(QFrame):
    """The selected school: who to call, its state, every finding and note, and the review decision."""

    openFile = Signal(str)  # an archived return, to open in Excel/WPS

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.school_actions = None  # school_menu.SchoolActions, set by the window
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
        self.body.anchorClicked.connect(self._link)
        self.assign_here = QPushButton("指定为本校的报表")
        self.assign_here.setToolTip("确认这份报表就是本校的，按本校重新校验")
        self.assign_here.clicked.connect(self._assign_here)
        self.assign_other = QPushButton("指定给其他学校…")
        self.assign_other.clicked.connect(self._assign_other)
        self.open_button = QPushButton("打开原件")
        self.open_button.setToolTip("用 Excel 或 WPS 打开学校报来的原件（只读，改动不会保存到收集中）")
        self.open_button.clicked.connect(self._open)
        self.copy_button = QPushButton("复制退回意见")
        self.copy_button.setToolTip("复制一段发给这所学校的话，粘贴到微信或 QQ 群中")
        self.copy_button.clicked.connect(self._copy)
        self.marked_button = QPushButton("打开标注表")
        self.marked_button.setToolTip("打开标好错误位置的表（发给学校的那份）")
        self.marked_button.clicked.connect(self._marked)
        self.more_button = QPushButton("处理")
        self.more_button.setToolTip("仍然通过、退回、免报、添加说明、修改后收取……")
        self.more_button.setMenu(QMenu(self.more_button))
        self.more_button.menu().aboutToShow.connect(self._fill_menu)

        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.badge)
        review = QHBoxLayout()
        review.addWidget(self.assign_here)
        review.addWidget(self.assign_other)
        review.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.marked_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.more_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(head)
        layout.addWidget(self.contact)
        layout.addWidget(self.body, 1)
        layout.addLayout(review)
        layout.addLayout(buttons)
        self.show_state(None)

    def show_state(self, s: SchoolState | None) -> None:
        self.state = s
        review = bool(s and s.current and s.current.review)
        self.assign_here.setVisible(review)
        self.assign_other.setVisible(review)
        self.open_button.setVisible(bool(s and s.current))
        self.copy_button.setVisible(bool(s and s.status in COPY_LABELS))
        if s is not None and s.status in COPY_LABELS:
            self.copy_button.setText(COPY_LABELS[s.status])
        self.marked_button.setVisible(bool(s and s.status == "returned"))
        self.more_button.setVisible(s is not None)
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
        self.body.setHtml(details_html(s, self.controller.notice(s), self.controller.previous_values(s)))

    def _link(self, url: QUrl) -> None:
        """已核实… and 撤销 beside a warning: the same intents as the 处理 menu's."""
        target, s = url.toString(), self.state
        if s is None or self.school_actions is None:
            return
        if target.startswith(CONFIRM):
            self.school_actions.confirm(s, target.removeprefix(CONFIRM))
        elif target.startswith(UNCONFIRM):
            self.controller.confirm(s.school.name, target.removeprefix(UNCONFIRM), undo=True)

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

    def _copy(self) -> None:
        if self.state is not None and self.school_actions is not None:
            self.school_actions.copy_chat(self.state.school.name)

    def _marked(self) -> None:
        if self.state is not None:
            self.controller.open_marked(self.state.school.name)

    def _fill_menu(self) -> None:
        menu = self.more_button.menu()
        menu.clear()
        if self.state is not None and self.school_actions is not None:
            self.school_actions.fill(menu, self.state, with_details=False)


ShaRole = Qt.ItemDataRole.UserRole + 1
ArchivedRole = Qt.ItemDataRole.UserRole + 2
UnitRole = Qt.ItemDataRole.UserRole + 3
FileRole = Qt.ItemDataRole.UserRole + 4  # an unreadable file's sha256
DocRole = Qt.ItemDataRole.UserRole + 5  # a waiting document's sha256
OwnerRole = Qt.ItemDataRole.UserRole + 6  # a waiting document: (school recognised, material recognised)


class FilesPane(QFrame):
    """Files that are no school's return yet: unidentified returns and documents whose school or
    material is in doubt (to assign), and unreadable files (to chase or set aside)."""

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
        self.assign_button.setToolTip("这份报表或材料是哪所学校的？选择后按该校重新校验")
        self.assign_button.clicked.connect(self._assign)
        self.tie_button = QPushButton("这是某校发的…")
        self.tie_button.setToolTip("记下这份无法读取的文件是哪所学校发来的：催报时会告诉它文件打不开的原因")
        self.tie_button.clicked.connect(self._tie)
        self.ignore_button = QPushButton("忽略")
        self.ignore_button.setToolTip("不是报表或材料（如图片、通知、空白文档）：从这里移走，文件仍保存在收集文件夹中")
        self.ignore_button.clicked.connect(self._ignore)
        self.open_button = QPushButton("打开文件")
        self.open_button.clicked.connect(self._open)
        buttons = QHBoxLayout()
        buttons.addWidget(self.assign_button)
        buttons.addWidget(self.tie_button)
        buttons.addWidget(self.ignore_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self._listed: tuple | None = None
        self.show_overview(None)

    def show_overview(self, ov: Overview | None, view: View | None = None) -> None:
        """``view``: what goes with the overview, the 填报单位 of unidentified returns included."""
        written = view.units_written if view is not None else {}
        tied = {f.sha256: s.school.name for s in (ov.schools if ov else ()) for f in s.files}
        listed = (ov is not None, tuple(r.sha256 for r in ov.unidentified) if ov else (),
                  tuple(f.sha256 for f in ov.unreadable) if ov else (), tuple(tied.items()),
                  tuple(d.sha256 for d in ov.documents_waiting) if ov else (),
                  ov is not None and (any(s.current is not None for s in ov.schools) or bool(ov.ignored)))
        if listed == self._listed:  # after most jobs: the same files wait
            return
        self._listed = listed
        self.list.clear()
        unidentified = ov.unidentified if ov else ()
        unreadable = ov.unreadable if ov else ()
        for r in unidentified:
            item = QListWidgetItem(f"[未识别] {display_name(r.original_name)}\n{render(r.review, WINDOW)}")
            item.setForeground(QBrush(QColor("#7a4100")))
            item.setData(ShaRole, r.sha256)
            item.setData(ArchivedRole, r.archived)
            item.setData(UnitRole, written.get(r.sha256, ""))
            self.list.addItem(item)
        names = {s.school.id: s.school.name for s in ov.schools} if ov else {}
        waiting = ov.documents_waiting if ov else ()
        for d in waiting:
            why = render(d.review, WINDOW) if d.review else "没有认出是哪所学校的哪一项材料，请指定"
            item = QListWidgetItem(f"[待指定] {display_name(d.original_name)}\n{why}")
            item.setForeground(QBrush(QColor("#7a4100")))
            item.setData(DocRole, d.sha256)
            item.setData(ArchivedRole, d.archived)
            item.setData(OwnerRole, (names.get(d.school_id or "", ""), d.material or ""))
            self.list.addItem(item)
        for f in unreadable:
            whose = f"（{tied[f.sha256]} 发来的）" if f.sha256 in tied else ""
            item = QListWidgetItem(f"[无法读取] {display_name(f.original_name)}{whose}\n{f.reason}")
            item.setForeground(QBrush(QColor("#8a1010")))
            item.setData(ArchivedRole, f.archived)
            item.setData(FileRole, f.sha256)
            self.list.addItem(item)
        n = len(unidentified) + len(unreadable) + len(waiting)
        parts = [f"未识别 {len(unidentified)}", f"无法读取 {len(unreadable)}"]
        parts += [f"待指定材料 {len(waiting)}"] if waiting else []
        self.title.setText(f"待处理的文件（{'，'.join(parts)}）" if n else
                           "待处理的文件" + ("：无" if ov is not None else ""))
        if not n and ov is not None:
            received = listed[-1]
            self.list.addItem(QListWidgetItem("收到的文件都已识别。" if received else "还没有收到任何文件。"))
        self._selected(self.list.currentItem())

    def select_file(self, name: str) -> bool:
        """Select the row of a file by its displayed name (for tests and drag-and-drop follow-up)."""
        for i in range(self.list.count()):
            if name in self.list.item(i).text().split("\n")[0]:
                self.list.setCurrentRow(i)
                return True
        return False

    def _selected(self, item: QListWidgetItem | None, *_: object) -> None:
        self.assign_button.setEnabled(bool(item and (item.data(ShaRole) or item.data(DocRole))))
        self.tie_button.setEnabled(bool(item and item.data(FileRole)))
        self.ignore_button.setEnabled(bool(item and (item.data(FileRole) or item.data(DocRole))))
        self.open_button.setEnabled(bool(item and item.data(ArchivedRole)))

    def _assign(self) -> None:
        item = self.list.currentItem()
        if item is not None and item.data(DocRole):
            return self._assign_document(item)
        if item is None or not item.data(ShaRole):
            return
        name = item.text().split("\n")[0].removeprefix("[未识别] ")
        school = dialogs.choose_school(self, self.controller.school_names(), name, item.data(UnitRole))
        if school:
            self.controller.assign(item.data(ShaRole), school)

    def _assign_document(self, item: QListWidgetItem) -> None:
        name = item.text().split("\n")[0].removeprefix("[待指定] ")
        school, material = item.data(OwnerRole)
        chosen = dialogs.choose_owner(self, self.controller.school_names(), name, self.controller.documents_owed,
                                      school, material)
        if chosen:
            self.controller.assign_document(item.data(DocRole), *chosen)

    def _tie(self) -> None:
        item = self.list.currentItem()
        if item is None or not item.data(FileRole):
            return
        name = item.text().split("\n")[0].removeprefix("[无法读取] ")
        school = dialogs.choose_school(self, self.controller.school_names(), name,
                                       question="无法读取的文件“{file}”是哪所学校发来的？")
        if school:
            self.controller.tie_file(item.data(FileRole), school)

    def _ignore(self) -> None:
        item = self.list.currentItem()
        if item is not None and (item.data(FileRole) or item.data(DocRole)):
            self.controller.ignore_file(item.data(FileRole) or item.data(DocRole), "在桌面程序中忽略")

    def _open(self) -> None:
        item = self.list.currentItem()
        if item is not None and item.data(ArchivedRole) and self.controller.folder is not None:
            emit(self.openFile, str(Path(self.controller.folder) / item.data(ArchivedRole)))
