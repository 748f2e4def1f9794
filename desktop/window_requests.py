"""What the clerk asks the window for: dialogs to answer, files and folders to open, drops.

A mixin of ``MainWindow`` (kept apart so the window's module stays about drawing state): each
request gathers the clerk's answer and hands it to the controller, or opens what she asked for.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent, QGuiApplication

from aggregator.session import SETTINGS

from . import dialogs, help, window_state
from .settings_dialog import ask_settings

VIEW_COPIES = "dudao-只读查看"


class ClerkRequests:
    """Needs ``controller``, ``banner``, ``settings`` and ``recent_menu`` of the window."""

    def _start_dir(self) -> str:
        return str(self.controller.folder.parent) if self.controller.folder else ""

    def ask_new(self) -> None:
        values = dialogs.ask_new_collection(self, self._start_dir())
        if values:
            self.controller.new_collection(values.folder, values.roster, values.name, values.deadline, values.form,
                                           values.parents)

    def ask_open(self) -> None:
        folder = dialogs.ask_folder(self, "打开收集文件夹", self._start_dir())
        if folder:
            self.controller.open_collection(folder)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        found = window_state.recent(self.settings)
        for folder in found:
            self.recent_menu.addAction(folder, lambda f=folder: self.controller.open_collection(f))
        if not found:
            self.recent_menu.addAction("（还没有打开过收集）").setEnabled(False)

    def ask_roster_template(self) -> None:
        start = str(Path(self._start_dir() or Path.home()) / "学校名单模板.xlsx")
        path = dialogs.ask_save(self, "保存学校名单模板", start)
        if path:
            self.controller.save_roster_template(path if path.lower().endswith(".xlsx") else f"{path}.xlsx")

    def ask_settings(self) -> None:
        c = self.controller
        if c.settings is None:
            return
        answer = ask_settings(self, c.settings, c.password_kept())
        if answer is not None:
            c.change_settings(answer.changes, answer.password, answer.test_mail, answer.previous)

    def ask_collect_files(self) -> None:
        paths = dialogs.ask_files(self, "选择学校报回的文件")
        if paths:
            self.controller.collect(paths)

    def ask_collect_folder(self) -> None:
        folder = dialogs.ask_folder(self, "选择要收取的文件夹")
        if folder:
            self.controller.collect([folder])

    def ask_send_feedback(self) -> None:
        c = self.controller
        if not (c.settings and c.settings.mail.get("smtp_host")):
            self.banner.error("还没有设置发信邮箱：请在“设置 → 邮件”中填写发信服务器、邮箱账号和密码（授权码）。")
            self.ask_settings()
            return
        if dialogs.confirm(self, "发送反馈邮件", "将按设置中的邮箱，把退回修改和催报邮件直接发给各校。"
                           "已发过的不会重复发送。确定发送吗？", yes="发送"):
            c.feedback(True)

    def copy_reminders(self) -> None:
        text = self.controller.reminder_list()
        if text:
            QGuiApplication.clipboard().setText(text)
            ov = self.controller.overview
            self.controller.note_told([s.school.name for s in ov.schools if s.status == "missing"] if ov else [], "chat")
            self.banner.info("已复制催报名单，可以粘贴到微信或 QQ 群中。")

    def show_help(self) -> None:
        help.show_help(self)

    def show_about(self) -> None:
        help.show_about(self)

    def open_summary(self) -> None:
        path = self.controller.latest_summary()
        if path is None:
            self.banner.error("还没有汇总表。请先点击“汇总”。")
        else:
            self.open_path(str(path))

    def open_folder(self) -> None:
        if self.controller.folder is not None:
            self.open_path(str(self.controller.folder))

    def open_sub(self, name: str) -> None:
        if self.controller.folder is not None:
            self.open_path(str(self.controller.folder / name))

    def open_path(self, path: str) -> None:
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(path)):
            self.banner.error(f"无法打开 {path}，请在文件夹中手动打开。")

    def open_copy(self, path: str) -> None:
        """Open a received file read-only, from a temporary copy: the archive keeps every file exactly
        as the school sent it. To correct a return, the clerk uses 修改后收取."""
        source = Path(path)
        target = Path(tempfile.gettempdir()) / VIEW_COPIES / f"只读-{source.name}"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                os.chmod(target, stat.S_IREAD | stat.S_IWRITE)
            shutil.copyfile(source, target)
            os.chmod(target, stat.S_IREAD)  # Excel and WPS open a read-only file read-only
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

