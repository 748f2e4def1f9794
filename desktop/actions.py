"""The window's actions, its menu bar (文件/收集/汇总/帮助) and its toolbar, built in one place.

Every action exists once and appears wherever the clerk looks for it (menu, toolbar, the
drop-down beside a toolbar button), so its label, tip and enabled state cannot disagree.
The automatic-collection toggle shows its state in its own words and icon (开/关), as the
status bar does: a ▶ that looked on while the status bar said 关 confused clerks.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QStyle, QToolBar, QToolButton

WATCH_ON = "自动收取：开"
WATCH_OFF = "自动收取：关"


def _action(window: QMainWindow, text: str, slot, icon: QStyle.StandardPixmap | None = None, tip: str = "",
            shortcut: QKeySequence | str | None = None) -> QAction:
    action = QAction(text, window)
    if icon is not None:
        action.setIcon(window.style().standardIcon(icon))
    if tip:
        action.setToolTip(tip)
        action.setStatusTip(tip)
    if shortcut:
        action.setShortcut(shortcut)
    action.triggered.connect(slot)
    return action


def build_actions(w) -> None:
    """Make the window's actions (``w.act_*``); ``w`` is the MainWindow with its slots."""
    sp = QStyle.StandardPixmap
    c = w.controller
    a = lambda *args, **kw: _action(w, *args, **kw)  # noqa: E731
    w.act_new = a("新建收集…", w.ask_new, sp.SP_FileDialogNewFolder, "导入学校名单，建立一次新的收集",
                  QKeySequence.StandardKey.New)
    w.act_open = a("打开收集…", w.ask_open, sp.SP_DialogOpenButton, "打开已有的收集文件夹", QKeySequence.StandardKey.Open)
    w.act_template = a("下载名单模板…", w.ask_roster_template, tip="保存一份空白的学校名单表，填好后用于新建收集")
    w.act_settings = a("设置…", w.ask_settings, sp.SP_FileDialogDetailedView,
                       "本级名称、截止日期、自动收取的文件夹、发信邮箱", "Ctrl+,")
    w.act_quit = a("退出", w.close, shortcut=QKeySequence.StandardKey.Quit)
    w.act_distribute = a("下发空白表", lambda: c.distribute(), sp.SP_FileIcon, "为每所学校生成要发出的空白表")
    w.act_collect_files = a("收取文件…", w.ask_collect_files, sp.SP_FileDialogContentsView,
                            "选择学校报回的文件（可多选，也可选 .zip 压缩包）")
    w.act_collect_folder = a("收取文件夹…", w.ask_collect_folder, sp.SP_DirOpenIcon,
                             "选择一个文件夹（如微信、QQ 的下载文件夹），收取其中全部报表")
    w.act_add_school = a("增加学校…", lambda: w.school_actions.add_school(), tip="在名单中增加一所学校")
    w.act_consolidate = a("汇总", lambda: c.consolidate("accepted"), sp.SP_FileDialogListView,
                          "把已通过校验的报表汇总成全区汇总表")
    w.act_consolidate_all = a("全部汇总（草稿，含未通过的）", lambda: c.consolidate("all"),
                              tip="也汇总退回修改和待确认的报表，仅供参考")
    w.act_feedback = a("生成反馈", lambda: c.feedback(False), sp.SP_DialogApplyButton,
                       "为需退回的学校生成标注好的表和邮件草稿，为未报的学校生成催报邮件")
    w.act_feedback_checks = a("生成反馈（含请核对）", lambda: c.feedback(False, True),
                              tip="也为已通过、但有未核实提示的学校生成“请核对”的标注表和邮件草稿（已核实的不再提）")
    w.act_feedback_send = a("生成并直接发送邮件…", w.ask_send_feedback, tip="按设置中的邮箱，把退回修改和催报邮件直接发给各校")
    w.act_reminders = a("复制催报名单", w.copy_reminders, sp.SP_FileDialogInfoView,
                        "复制未报学校的名单（按所属单位分行），粘贴到微信或 QQ 群中")
    w.act_open_summary = a("打开汇总表", w.open_summary, sp.SP_FileDialogInfoView, "用 Excel 或 WPS 打开最新的汇总表")
    w.act_open_folder = a("打开收集文件夹", w.open_folder, sp.SP_DirIcon, "在资源管理器中打开收集文件夹")
    w.act_open_outbox = a("打开空白表文件夹", lambda: w.open_sub("outbox"), tip="下发给各校的空白表所在的文件夹")
    w.act_open_feedback = a("打开反馈文件夹", lambda: w.open_sub("feedback"), tip="标注表和邮件草稿所在的文件夹")
    w.act_refresh = a("刷新", lambda: c.refresh(), sp.SP_BrowserReload, "重新读取各校情况", QKeySequence.StandardKey.Refresh)
    w.act_watch = a(WATCH_OFF, c.set_watching, sp.SP_MediaPause,
                    "开启后，放进收集文件夹、以及设置中所选文件夹（如微信下载文件夹）的报表会自动收取")
    w.act_watch.setCheckable(True)
    w.act_side = a("收起右侧 ▸", w.fold_or_unfold_side, tip="收起右侧的学校详情、待处理的文件和总览，让表格占满窗口（F9）",
                   shortcut="F9")
    w.act_help = a("使用说明", w.show_help, sp.SP_DialogHelpButton, shortcut=QKeySequence.StandardKey.HelpContents)
    w.act_about = a("关于", w.show_about)
    w.needs_collection = [w.act_distribute, w.act_collect_files, w.act_collect_folder, w.act_consolidate,
                          w.act_consolidate_all, w.act_feedback, w.act_feedback_checks, w.act_feedback_send,
                          w.act_settings,
                          w.act_add_school]
    w.needs_folder = [w.act_open_summary, w.act_open_folder, w.act_open_outbox, w.act_open_feedback,
                      w.act_reminders, w.act_side]


def show_watching(w, on: bool, has_collection: bool) -> None:
    """The toggle and the status bar say the same: on or off, and what is watched."""
    sp = QStyle.StandardPixmap
    w.act_watch.setChecked(on)
    w.act_watch.setText(WATCH_ON if on else WATCH_OFF)
    w.act_watch.setIcon(w.style().standardIcon(sp.SP_MediaPlay if on else sp.SP_MediaPause))
    if not on:
        w.watch_label.setText(WATCH_OFF)
    elif has_collection:
        extra = len(w.controller.watched_folders()) - 1
        w.watch_label.setText(WATCH_ON + (f"（收集文件夹及另外 {extra} 个文件夹）" if extra else "（收集文件夹）"))
    else:
        w.watch_label.setText(WATCH_ON + "（打开收集后开始）")
    w.watch_label.setToolTip("\n".join(str(p) for p in w.controller.watched_folders()))


def build_menus(w) -> None:
    bar = w.menuBar()
    m = bar.addMenu("文件(&F)")
    for act in (w.act_new, w.act_open):
        m.addAction(act)
    w.recent_menu = m.addMenu("最近打开")
    m.addSeparator()
    m.addAction(w.act_template)
    m.addAction(w.act_settings)
    m.addSeparator()
    m.addAction(w.act_open_folder)
    m.addSeparator()
    m.addAction(w.act_quit)
    m = bar.addMenu("收集(&C)")
    for act in (w.act_distribute, w.act_open_outbox, None, w.act_collect_files, w.act_collect_folder, w.act_watch,
                None, w.act_add_school, None, w.act_refresh):
        m.addSeparator() if act is None else m.addAction(act)
    m = bar.addMenu("汇总(&S)")
    for act in (w.act_consolidate, w.act_consolidate_all, w.act_open_summary, None, w.act_feedback,
                w.act_feedback_checks, w.act_feedback_send, w.act_open_feedback, w.act_reminders):
        m.addSeparator() if act is None else m.addAction(act)
    m = bar.addMenu("查看(&V)")
    m.addAction(w.act_side)
    m = bar.addMenu("帮助(&H)")
    m.addAction(w.act_help)
    m.addAction(w.act_about)


def build_toolbar(w) -> QToolBar:
    bar = QToolBar("工具栏")
    bar.setObjectName("toolbar")
    bar.setMovable(False)
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
    for act in (w.act_new, w.act_open, None, w.act_distribute, w.act_collect_files, w.act_collect_folder,
                w.act_consolidate, w.act_feedback, w.act_reminders, None, w.act_open_summary, w.act_settings,
                None, w.act_refresh, w.act_watch):
        bar.addSeparator() if act is None else bar.addAction(act)
    for main, more in ((w.act_consolidate, (w.act_consolidate_all, w.act_open_summary)),
                       (w.act_feedback, (w.act_feedback_checks, w.act_feedback_send, w.act_open_feedback)),
                       (w.act_collect_folder, (w.act_open_outbox,))):
        menu = QMenu(w)
        menu.addAction(main)
        for act in more:
            menu.addAction(act)
        button = bar.widgetForAction(main)
        if isinstance(button, QToolButton):
            button.setMenu(menu)
            button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
    w.addToolBar(bar)
    return bar
