"""The main window: every roster school in one table, what is wrong with the selected one, the
files waiting for the clerk, the overview, and one action per step of the clerk's job.

It holds no state of its own beyond what is on screen: it draws the controller's overview and
passes the clerk's clicks, drops and dialog answers to the controller's intents. The actions
and menus are built in ``actions``, what can be done about one school in ``school_menu``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMainWindow, QMenu, QProgressBar,
    QPushButton, QSplitter, QStackedWidget, QTabWidget, QToolButton, QVBoxLayout, QWidget,
)

from aggregator.session import display_name

from . import actions, help, window_state
from .banner import Banner
from .controller import Controller
from .frozen_table import FrozenTableView
from .header import Header
from .overview_pane import OverviewPane
from .panes import DetailsPane, FilesPane
from .school_menu import SchoolActions
from .school_filter import FILTERS, SchoolFilter
from .school_model import FROZEN, SchoolTableModel
from .side_pane import DETAILS_TAB, FILES_TAB, OVERVIEW_TAB, SIDE_WIDTH, SidePane
from .welcome import build_welcome
from .supervise_controller import SupervisionController
from .supervise_pane import SupervisePane
from .window_requests import ClerkRequests

APP_TITLE = help.APP_NAME
OPEN_LABELS = {"consolidate": "打开汇总表", "feedback": "打开反馈文件夹", "distribute": "打开空白表文件夹",
               "template": "打开名单模板", "supervise": "打开督办单文件夹", "supervise-register": "打开整改台账"}
ALL_UNITS = "全部单位"
# Each column as wide as its longest word (九年一贯制, 某某镇中心学校, 通过（有提示）, 未发送（有草稿）): at
# 1366 pixels, beside the details, the table shows every column up to 逾期; the school and its
# state stay in view when it is scrolled further (``FrozenTableView``).
COLUMN_WIDTHS = {"school": 150, "stage": 70, "parent": 100, "state": 96, "feedback": 118, "late": 40, "received": 116,
                 "version": 48}
MATERIAL_WIDTH = 84  # a column per material: 已交（逾期）, 逾期未交
__all__ = ["MainWindow", "DETAILS_TAB", "FILES_TAB", "OVERVIEW_TAB"]


class MainWindow(ClerkRequests, SidePane, QMainWindow):
    def __init__(self, controller: Controller, settings: QSettings | None = None) -> None:
        super().__init__()
        self.controller = controller
        self.settings = settings
        self.setWindowTitle(APP_TITLE)
        self.setAcceptDrops(True)

        self.model = SchoolTableModel(self)
        self.proxy = SchoolFilter(self)
        self.proxy.setSourceModel(self.model)
        self.school_actions = SchoolActions(self, controller, self.open_copy, self.show_school, self._say)

        actions.build_actions(self)
        actions.build_menus(self)
        self.toolbar = actions.build_toolbar(self)
        self.header = Header()
        self.header.filterRequested.connect(self.set_state_filter)
        self.banner = Banner()
        self.banner.openRequested.connect(self.open_path)
        self.details = DetailsPane(controller)
        self.details.school_actions = self.school_actions
        self.details.openFile.connect(self.open_copy)
        self.files = FilesPane(controller)
        self.files.openFile.connect(self.open_copy)
        self.overview_pane = OverviewPane()
        self.overview_pane.unitChosen.connect(self.set_unit_filter)
        self.supervise_pane = SupervisePane(SupervisionController(controller))
        self.supervise_pane.openFile.connect(self.open_copy)
        self.setCentralWidget(self._build_centre())
        self._build_statusbar()
        self.recent_menu.aboutToShow.connect(self._fill_recent)

        c = controller
        c.progress.connect(self._progress)
        c.finished.connect(self.banner.info)
        c.failed.connect(self.banner.error)
        c.busyChanged.connect(self._busy)
        c.overviewChanged.connect(self._overview_changed)
        c.collectionChanged.connect(self._collection_changed)
        c.outputReady.connect(self._output_ready)
        c.watchingChanged.connect(lambda _: self._update_actions())
        window_state.place(self, settings)
        self._split_restored = False  # restored once the right-hand side is shown (a hidden side has no size)
        self._busy(False)
        self._overview_changed()

    # --- building ------------------------------------------------------------------------------

    def _build_centre(self) -> QWidget:
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索学校、所属单位或文件名")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.set_text)
        self.state_filter = QComboBox()
        for key, label in FILTERS.items():
            self.state_filter.addItem(label, key)
        self.state_filter.currentIndexChanged.connect(lambda i: self.proxy.set_state(self.state_filter.itemData(i)))
        self.unit_filter = QComboBox()
        self.unit_filter.setMinimumContentsLength(8)
        self.unit_filter.currentIndexChanged.connect(self._unit_chosen)
        self.shown = QLabel()
        for signal in (self.proxy.modelReset, self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.layoutChanged):
            signal.connect(self._count_shown)

        filters = QHBoxLayout()
        filters.addWidget(QLabel("查找："))
        filters.addWidget(self.search, 3)
        filters.addWidget(QLabel("状态："))
        filters.addWidget(self.state_filter, 2)
        filters.addWidget(QLabel("单位："))
        filters.addWidget(self.unit_filter, 2)
        filters.addWidget(self.shown)
        self.side_button = QToolButton()
        self.side_button.setDefaultAction(self.act_side)
        filters.addWidget(self.side_button)

        self.table = FrozenTableView(FROZEN)
        self.table.setModel(self.proxy)
        self.proxy.modelReset.connect(self._keep_selection)  # after the view's own reset, which clears it
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # roster order until the clerk sorts
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._table_menu)
        self.table_menu = QMenu(self)  # one menu, refilled for each school: no menus pile up
        self.table.doubleClicked.connect(self._double_clicked)
        self.table.clicked.connect(lambda _: self._show_side(DETAILS_TAB))  # a school clicked: its details
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        head = self.table.horizontalHeader()
        head.setStretchLastSection(True)
        head.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._column_keys: tuple[str, ...] = ()
        self._units_listed: list[str] | None = None
        self._size_columns()
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

        schools = QWidget()
        lv = QVBoxLayout(schools)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addLayout(filters)
        lv.addWidget(self.table, 1)
        self.pages = QStackedWidget()
        self.pages.addWidget(build_welcome(self))
        self.pages.addWidget(schools)

        self.tabs = QTabWidget()
        self.tabs.addTab(self.details, "学校详情")
        self.tabs.addTab(self.files, "待处理的文件")
        self.tabs.addTab(self.overview_pane, "总览")
        self.tabs.addTab(self.supervise_pane, "整改督办")

        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.setObjectName("split")
        self.split.addWidget(self.pages)
        self.split.addWidget(self.tabs)
        self.split.setStretchFactor(0, 1)  # a wider window widens the table
        self.split.setStretchFactor(1, 0)
        self.split.setSizes([1366 - SIDE_WIDTH, SIDE_WIDTH])
        self.tabs.installEventFilter(self)  # the 收起/展开 button follows the side's width (``SidePane``)

        centre = QWidget()
        v = QVBoxLayout(centre)
        v.setContentsMargins(8, 4, 8, 4)
        v.addWidget(self.header)
        v.addWidget(self.banner)
        v.addWidget(self.split, 1)
        return centre

    def _build_statusbar(self) -> None:
        self.stage = QLabel()
        self.progress = QProgressBar()
        self.progress.setMinimumWidth(200)
        self.progress.setMaximumWidth(320)
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

    def _size_columns(self) -> None:
        """Each column its width, when the columns change (a collection of several materials has
        one per material); the widths the clerk dragged stay otherwise."""
        if self.model.keys == self._column_keys:
            return
        self._column_keys = self.model.keys
        for col, key in enumerate(self.model.keys):
            self.table.setColumnWidth(col, COLUMN_WIDTHS.get(key, MATERIAL_WIDTH))

    def _overview_changed(self) -> None:
        c = self.controller
        keep = self.selected_school()
        self.model.set_overview(c.overview, c.view)
        self._size_columns()
        self.header.show_collection(c.folder, c.settings, c.overview, c.view.unsent)
        self.files.show_overview(c.overview, c.view)
        self.overview_pane.show_overview(c.overview, c.view)
        self._fill_units()
        waiting = len(c.overview.unidentified) + len(c.overview.unreadable) + len(c.overview.documents_waiting) \
            if c.overview else 0
        self.tabs.setTabText(FILES_TAB, f"待处理的文件（{waiting}）" if waiting else "待处理的文件")
        self._update_actions()
        page = 1 if c.folder is not None else 0
        if self.pages.currentIndex() != page:
            self.pages.setCurrentIndex(page)
        if self.tabs.isHidden() == (c.folder is not None):
            self.tabs.setVisible(c.folder is not None)
        if c.folder is not None and not self._split_restored:
            self._split_restored = True
            window_state.restore_split(self.split, self.settings)
        self.side_changed()
        if not (keep and self.select_school(keep)):
            self.details.show_state(None)

    def _fill_units(self) -> None:
        units = self.controller.view.units
        if units == self._units_listed:  # after most jobs: the same units, the same list
            return
        self._units_listed = units
        chosen = self.proxy.unit
        self.unit_filter.blockSignals(True)
        self.unit_filter.clear()
        self.unit_filter.addItem(ALL_UNITS, None)
        for unit in units:
            self.unit_filter.addItem(unit or "（未填所属单位）", unit)
        i = self.unit_filter.findData(chosen) if chosen is not None else 0
        self.unit_filter.setCurrentIndex(max(0, i))
        self.unit_filter.blockSignals(False)
        if chosen is not None and i < 0:
            self.proxy.set_unit(None)

    def _update_actions(self) -> None:
        c = self.controller
        has, idle = c.folder is not None, not c.busy
        for act in self.needs_collection + [self.act_refresh]:
            act.setEnabled(has and idle)
        for act in self.needs_folder:
            act.setEnabled(has)
        for act in (self.act_new, self.act_open, self.act_template):
            act.setEnabled(idle)
        actions.show_watching(self, c.watching, has)

    def _collection_changed(self, folder: str) -> None:
        self.setWindowTitle(f"{Path(folder).name} - {APP_TITLE}")
        window_state.add_recent(self.settings, folder)
        self.search.clear()
        self.state_filter.setCurrentIndex(0)
        self.set_unit_filter(None)
        self.table.clearSelection()
        self.details.show_state(None)
        ov = self.controller.overview  # nobody chosen yet: not an empty details page, but what waits, or the whole
        waiting = ov is not None and bool(ov.unidentified or ov.unreadable or ov.documents_waiting)
        self.tabs.setCurrentIndex(FILES_TAB if waiting else OVERVIEW_TAB)

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
        if kind in ("correction", "marked"):
            self.open_path(path)  # the clerk asked to open it: no extra click
        label = OPEN_LABELS.get(kind)
        if label:
            self.banner.offer(label, path)

    def _say(self, text: str) -> None:
        self.banner.info(text)

    # --- selection and filters -----------------------------------------------------------------

    def _keep_selection(self) -> None:
        """After the rows were filtered again: the school in the details stays selected if shown."""
        s = self.details.state
        row = self.model.row_of(s.school.name) if s is not None else -1
        index = self.proxy.mapFromSource(self.model.index(row, 0)) if row >= 0 else None
        if index is not None and index.isValid():
            self.table.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)

    def _row_changed(self, current, previous) -> None:
        if not current.isValid():
            self.details.show_state(None)
            return
        self.details.show_state(self.model.state_at(self.proxy.mapToSource(current).row()))

    def _state_at(self, index):
        return self.model.state_at(self.proxy.mapToSource(index).row()) if index.isValid() else None

    def _table_menu(self, pos) -> None:
        s = self._state_at(self.table.indexAt(pos))
        if s is None:
            return
        self.select_school(s.school.name)
        self.fill_table_menu(s)
        self.table_menu.popup(self.table.viewport().mapToGlobal(pos))

    def fill_table_menu(self, s) -> QMenu:
        self.table_menu.clear()
        return self.school_actions.fill(self.table_menu, s)

    def _double_clicked(self, index) -> None:
        s = self._state_at(index)
        if s is not None:
            self.show_school(s.school.name)
            self.school_actions.open_original(s)

    def show_school(self, name: str) -> None:
        if self.select_school(name):
            self._show_side(DETAILS_TAB)

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

    def set_unit_filter(self, unit: str | None) -> None:
        i = self.unit_filter.findData(unit) if unit is not None else 0
        self.unit_filter.setCurrentIndex(max(0, i))
        self.proxy.set_unit(unit if i > 0 else None)

    def _unit_chosen(self, i: int) -> None:
        self.proxy.set_unit(self.unit_filter.itemData(i) if i > 0 else None)

    def closeEvent(self, event) -> None:  # noqa: N802
        window_state.remember(self, self.split, self.settings)
        self.controller.shutdown()
        super().closeEvent(event)
