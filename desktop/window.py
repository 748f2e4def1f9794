"""The main window: every roster school in one table, what is wrong with the selected one, and
one button per step of the clerk's job.

It holds no state of its own beyond what is on screen: it draws the controller's overview and
passes the clerk's clicks, drops and dialog answers to the controller's intents.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMainWindow, QMenu, QProgressBar,
    QPushButton, QSplitter, QStackedWidget, QStyle, QTableView, QToolBar, QToolButton, QVBoxLayout, QWidget,
)

from aggregator.collection.folder import SETTINGS
from aggregator.collection.intake import display_name

from . import dialogs
from .banner import Banner
from .controller import Controller
from .header import Header
from .panes import DetailsPane, FilesPane
from .school_model import FILTERS, SchoolFilter, SchoolTableModel

APP_TITLE = "学校报表收集汇总"
OPEN_LABELS = {"consolidate": "打开汇总表", "feedback": "打开反馈文件夹", "distribute": "打开 outbox 文件夹"}


class MainWindow(QMainWindow):
    def __init__(self, controller: Controller) -> None:
        super().__init__()
        self.controller = controller
        self.setWindowTitle(APP_TITLE)
        self.resize(1280, 780)
        self.setAcceptDrops(True)

        self.model = SchoolTableModel(self)
        self.proxy = SchoolFilter(self)
        self.proxy.setSourceModel(self.model)

        self._build_actions()
        self._build_toolbar()
        self.header = Header()
        self.header.filterRequested.connect(self.set_state_filter)
        self.banner = Banner()
        self.banner.openRequested.connect(self.open_path)
        self.details = DetailsPane(controller)
        self.details.openFile.connect(self.open_copy)
        self.files = FilesPane(controller)
        self.files.openFile.connect(self.open_copy)
        self.setCentralWidget(self._build_centre())
        self._build_statusbar()

        c = controller
        c.progress.connect(self._progress)
        c.finished.connect(self.banner.info)
        c.failed.connect(self.banner.error)
        c.busyChanged.connect(self._busy)
        c.overviewChanged.connect(self._overview_changed)
        c.collectionChanged.connect(self._collection_changed)
        c.outputReady.connect(self._output_ready)
        c.watchingChanged.connect(self.act_watch.setChecked)
        c.watchingChanged.connect(self._update_actions)
        self._busy(False)
        self._overview_changed()

    # --- building ------------------------------------------------------------------------------

    def _action(self, text: str, slot, icon: QStyle.StandardPixmap | None = None, tip: str = "",
                shortcut: QKeySequence | str | None = None) -> QAction:
        action = QAction(text, self)
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        if shortcut:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        sp = QStyle.StandardPixmap
        self.act_new = self._action("新建收集…", self.ask_new, sp.SP_FileDialogNewFolder,
                                    "导入学校名单，建立一次新的收集", QKeySequence.StandardKey.New)
        self.act_open = self._action("打开收集…", self.ask_open, sp.SP_DialogOpenButton,
                                     "打开已有的收集文件夹", QKeySequence.StandardKey.Open)
        self.act_distribute = self._action("下发空白表", lambda: self.controller.distribute(), sp.SP_FileIcon,
                                           "为每所学校生成要发出的空白表（放在 outbox 文件夹）")
        self.act_collect_files = self._action("收取文件…", self.ask_collect_files, sp.SP_FileDialogContentsView,
                                              "选择学校报回的文件（可多选，也可选 .zip 压缩包）")
        self.act_collect_folder = self._action("收取文件夹…", self.ask_collect_folder, sp.SP_DirOpenIcon,
                                               "选择一个文件夹（如微信、QQ 的下载文件夹），收取其中全部报表")
        self.act_consolidate = self._action("汇总", lambda: self.controller.consolidate("accepted"),
                                            sp.SP_FileDialogDetailedView, "把已通过校验的报表汇总成全区汇总表")
        self.act_consolidate_all = self._action("全部汇总（草稿，含未通过的）",
                                                lambda: self.controller.consolidate("all"),
                                                tip="也汇总退回修改和待确认的报表，仅供参考")
        self.act_feedback = self._action("生成反馈", lambda: self.controller.feedback(False), sp.SP_DialogApplyButton,
                                         "为退回的学校生成标注好的表和邮件草稿，为未报的学校生成催报邮件")
        self.act_feedback_send = self._action("生成并直接发送邮件…", self.ask_send_feedback,
                                              tip="按收集设置中的邮箱，把退回修改和催报邮件直接发给各校")
        self.act_open_summary = self._action("打开汇总表", self.open_summary, sp.SP_FileDialogInfoView,
                                             "用 Excel 或 WPS 打开最新的汇总表")
        self.act_open_folder = self._action("打开文件夹", self.open_folder, sp.SP_DirIcon, "打开收集文件夹")
        self.act_refresh = self._action("刷新", lambda: self.controller.refresh(), sp.SP_BrowserReload,
                                        "重新读取各校情况", QKeySequence.StandardKey.Refresh)
        self.act_watch = self._action("自动收取", self.controller.set_watching, sp.SP_MediaPlay,
                                      "开启后，放进收集文件夹 inbox 中的文件会自动收取")
        self.act_watch.setCheckable(True)
        self.act_watch.setChecked(self.controller.watching)
        self.needs_collection = [self.act_distribute, self.act_collect_files, self.act_collect_folder,
                                 self.act_consolidate, self.act_consolidate_all, self.act_feedback,
                                 self.act_feedback_send]

    def _build_toolbar(self) -> None:
        bar = QToolBar("工具栏")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        for act in (self.act_new, self.act_open, None, self.act_distribute, self.act_collect_files,
                    self.act_collect_folder, self.act_consolidate, self.act_feedback, None, self.act_open_summary,
                    self.act_open_folder, None, self.act_refresh, self.act_watch):
            if act is None:
                bar.addSeparator()
            else:
                bar.addAction(act)
        for main, more in ((self.act_consolidate, self.act_consolidate_all),
                           (self.act_feedback, self.act_feedback_send)):
            menu = QMenu(self)
            menu.addAction(main)
            menu.addAction(more)
            button = bar.widgetForAction(main)
            if isinstance(button, QToolButton):
                button.setMenu(menu)
                button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.addToolBar(bar)
        self.toolbar = bar

    def _build_centre(self) -> QWidget:
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索学校、所属单位或文件名")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.set_text)
        self.state_filter = QComboBox()
        for key, label in FILTERS.items():
            self.state_filter.addItem(label, key)
        self.state_filter.currentIndexChanged.connect(
            lambda i: self.proxy.set_state(self.state_filter.itemData(i)))
        self.shown = QLabel()
        self.proxy.modelReset.connect(self._count_shown)
        self.proxy.rowsInserted.connect(self._count_shown)
        self.proxy.rowsRemoved.connect(self._count_shown)
        self.proxy.layoutChanged.connect(self._count_shown)

        filters = QHBoxLayout()
        filters.addWidget(QLabel("查找："))
        filters.addWidget(self.search, 2)
        filters.addWidget(QLabel("状态："))
        filters.addWidget(self.state_filter, 1)
        filters.addWidget(self.shown)
        filters.addStretch(1)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # roster order until the clerk sorts
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        head = self.table.horizontalHeader()
        head.setStretchLastSection(True)
        head.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((150, 86, 110, 104, 44, 120, 52)):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

        schools = QWidget()
        lv = QVBoxLayout(schools)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addLayout(filters)
        lv.addWidget(self.table, 1)
        left = QStackedWidget()
        left.addWidget(self._build_welcome())
        left.addWidget(schools)
        self.pages = left

        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.details)
        right.addWidget(self.files)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        self.right = right

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([760, 500])

        centre = QWidget()
        v = QVBoxLayout(centre)
        v.setContentsMargins(8, 4, 8, 4)
        v.addWidget(self.header)
        v.addWidget(self.banner)
        v.addWidget(split, 1)
        return centre

    def _build_welcome(self) -> QWidget:
        """What a clerk sees before any collection is open: the two ways to start."""
        page = QWidget()
        v = QVBoxLayout(page)
        v.addStretch(1)
        text = QLabel("开始一次统计：导入学校名单，为每所学校生成空白表。\n继续已有的统计：打开它的收集文件夹"
                      "（也可以把文件夹拖到这个窗口中）。")
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setStyleSheet("font-size: 15px; color: #333;")
        v.addWidget(text)
        row = QHBoxLayout()
        row.addStretch(1)
        for label, slot in (("新建收集…", self.ask_new), ("打开收集…", self.ask_open)):
            button = QPushButton(label)
            button.setMinimumSize(160, 44)
            button.setStyleSheet("font-size: 15px;")
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        v.addSpacing(16)
        v.addLayout(row)
        v.addStretch(2)
        return page

    def _build_statusbar(self) -> None:
        self.stage = QLabel()
        self.progress = QProgressBar()
        self.progress.setMinimumWidth(260)
        self.progress.setMaximumWidth(360)
        self.progress.setFormat("%v / %m")
        self.cancel_button = QPushButton("取消")
        self.cancel_button.clicked.connect(self._cancel)
        self.watch_label = QLabel()
        bar = self.statusBar()
        bar.addPermanentWidget(self.stage, 1)  # permanent: a hovered button's tip must not hide it
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        bar.addPermanentWidget(self.watch_label)

    # --- showing the controller's state --------------------------------------------------------

    def _overview_changed(self) -> None:
        c = self.controller
        keep = self.selected_school()
        self.model.set_overview(c.overview)
        self.header.show_collection(c.folder, c.settings, c.overview)
        self.files.show_overview(c.overview)
        self._update_actions()
        self.pages.setCurrentIndex(1 if c.folder is not None else 0)
        self.right.setVisible(c.folder is not None)
        if not (keep and self.select_school(keep)):
            self.details.show_state(None)

    def _update_actions(self) -> None:
        c = self.controller
        has, idle = c.folder is not None, not c.busy
        for act in self.needs_collection + [self.act_refresh]:
            act.setEnabled(has and idle)
        for act in (self.act_open_summary, self.act_open_folder):
            act.setEnabled(has)
        self.act_new.setEnabled(idle)
        self.act_open.setEnabled(idle)
        self.watch_label.setText("自动收取：开（inbox 文件夹）" if c.watching and has else "自动收取：关")

    def _collection_changed(self, folder: str) -> None:
        self.setWindowTitle(f"{Path(folder).name} - {APP_TITLE}")
        self.search.clear()
        self.state_filter.setCurrentIndex(0)
        self.table.clearSelection()
        self.details.show_state(None)

    def _count_shown(self, *_: object) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        self.shown.setText(f"显示 {shown} / {total} 所" if total else "")

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.cancel_button.setEnabled(True)
        self._update_actions()
        if busy:
            self.progress.setRange(0, 0)
        else:
            self.stage.clear()

    def _cancel(self) -> None:
        self.controller.cancel()
        self.cancel_button.setEnabled(False)
        self.stage.setText("正在取消，当前文件处理完就停止…")

    def _progress(self, done: int, total: int, current: str, stage: str) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        if not self.cancel_button.isEnabled():
            return  # “正在取消…” stays until the job has stopped
        name = display_name(current) if current else ""
        self.stage.setText(f"{stage}…  {name}" if stage else name)

    def _output_ready(self, kind: str, path: str) -> None:
        label = OPEN_LABELS.get(kind)
        if label:
            self.banner.offer(label, path)

    # --- selection and filters -----------------------------------------------------------------

    def _row_changed(self, current, previous) -> None:
        if not current.isValid():
            self.details.show_state(None)
            return
        self.details.show_state(self.model.state_at(self.proxy.mapToSource(current).row()))

    def selected_school(self) -> str | None:
        s = self.details.state
        return s.school.name if s else None

    def select_school(self, name: str) -> bool:
        row = self.model.row_of(name)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)
        self.details.show_state(self.model.state_at(row))
        return True

    def set_state_filter(self, key: str) -> None:
        i = self.state_filter.findData(key)
        if i >= 0:
            self.state_filter.setCurrentIndex(i)

    # --- the clerk's requests ------------------------------------------------------------------

    def _start_dir(self) -> str:
        return str(self.controller.folder.parent) if self.controller.folder else ""

    def ask_new(self) -> None:
        values = dialogs.ask_new_collection(self, self._start_dir())
        if values:
            self.controller.new_collection(values.folder, values.roster, values.name, values.deadline, values.form)

    def ask_open(self) -> None:
        folder = dialogs.ask_folder(self, "打开收集文件夹", self._start_dir())
        if folder:
            self.controller.open_collection(folder)

    def ask_collect_files(self) -> None:
        paths = dialogs.ask_files(self, "选择学校报回的文件")
        if paths:
            self.controller.collect(paths)

    def ask_collect_folder(self) -> None:
        folder = dialogs.ask_folder(self, "选择要收取的文件夹")
        if folder:
            self.controller.collect([folder])

    def ask_send_feedback(self) -> None:
        if dialogs.confirm(self, "发送反馈邮件", "将按收集设置（收集设置.toml）中的邮箱，把退回修改和催报邮件直接发给各校。"
                           "已发过的不会重复发送。确定发送吗？"):
            self.controller.feedback(True)

    def open_summary(self) -> None:
        path = self.controller.latest_summary()
        if path is None:
            self.banner.error("还没有汇总表。请先点击“汇总”。")
        else:
            self.open_path(str(path))

    def open_folder(self) -> None:
        if self.controller.folder is not None:
            self.open_path(str(self.controller.folder))

    def open_path(self, path: str) -> None:
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(path)):
            self.banner.error(f"无法打开 {path}，请在文件夹中手动打开。")

    def open_copy(self, path: str) -> None:
        """Open a received file from a temporary copy: saving it in Excel must not change the archive,
        which keeps every file exactly as the school sent it."""
        source = Path(path)
        target = Path(tempfile.gettempdir()) / "dudao-查看" / source.name
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        except OSError as exc:
            self.banner.error(f"无法打开 {source.name}（{exc.strerror or exc}）。")
            return
        self.open_path(str(target))

    # --- drag and drop -------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt API
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            return
        event.acceptProposedAction()
        self.dropped(paths)

    def dropped(self, paths: list[str]) -> None:
        """A collection folder dropped alone is opened; anything else is collected."""
        if len(paths) == 1 and (Path(paths[0]) / SETTINGS).is_file():
            self.controller.open_collection(paths[0])
        elif self.controller.folder is None:
            self.banner.error("请先打开或新建一个收集，再把学校的报表拖进来。")
        else:
            self.controller.collect(paths)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.controller.shutdown()
        super().closeEvent(event)

