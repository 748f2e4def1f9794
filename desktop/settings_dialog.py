"""设置: everything in 收集设置.toml a clerk changes, and the mail password, in one dialog.

The dialog only gathers values; the controller saves them through the engine (which checks
them: a wrong date or port comes back as a sentence in the banner). The password field is
never filled in: it says whether one is kept, and stays empty unless the clerk types a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
    QLineEdit, QListWidget, QPushButton, QSpinBox, QTabWidget, QVBoxLayout, QWidget,
)

from aggregator.session import MAX_RESUBMIT_DAYS, Settings, clock

from . import dialogs

TLS = (("ssl", "SSL 加密（端口 465，QQ、163 邮箱常用）", 465), ("starttls", "STARTTLS 加密（端口 587）", 587),
       ("none", "不加密（端口 25，不推荐）", 25))
PREVIOUS_HINT = ("与上期比较：选择上一次用本程序收集同一张表的文件夹（如去年的），各校数字与上期相差过大时会请学校说明，"
                 "汇总表增加“与上期比较”。学校改过名的，另选一份两列的对照表（第一行写 上期名称、本期名称）。")
TABLES = "表格文件 (*.xlsx *.xls *.csv)"
WATCH_HINT = ("自动收取时，除了收集文件夹本身，还会查看这里的文件夹（如微信、QQ 的下载文件夹），"
              "只收取开始关注以后新出现的、属于本次收集的表格文件，其他文件不会动。")


@dataclass
class SettingsAnswer:
    changes: dict[str, Any]
    password: str | None = None  # None: keep the stored one; "": forget it
    test_mail: bool = False
    previous: tuple[str, str] | None = None  # last period (folder, mapping file) when changed; ("", ""): none


class SettingsDialog(QDialog):
    def __init__(self, parent: QWidget | None, settings: Settings, password_kept: bool) -> None:
        super().__init__(parent)
        self.setWindowTitle("设置")
        self.setMinimumWidth(560)
        self._forget = False
        tabs = QTabWidget()
        tabs.addTab(self._general(settings), "收集")
        tabs.addTab(self._watch(settings), "自动收取")
        tabs.addTab(self._mail(settings, password_kept), "邮件")
        tabs.addTab(self._previous(settings), "与上期比较")
        self.tabs = tabs
        self.buttons = dialogs.chinese_buttons(QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                                                | QDialogButtonBox.StandardButton.Cancel), ok="保存")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(self.buttons)
        self.test_requested = False

    # --- tabs ----------------------------------------------------------------------------------

    def _general(self, s: Settings) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.name = QLineEdit(s.name)
        self.name.setPlaceholderText("如：某某区")
        self.parents = QLineEdit("，".join(s.parents))
        self.parents.setPlaceholderText("可不填；如：某某省，某某市")
        self.parents.setToolTip("学校在校名前写上这些名称（或本级名称）时，也能认出是名单上的哪所学校")
        self.has_deadline = QCheckBox("设截止日期")
        self.has_deadline.setChecked(bool(s.deadline))
        self.deadline = QDateEdit(QDate.fromString(s.deadline, "yyyy-MM-dd") if s.deadline
                                  else QDate.currentDate().addDays(14))
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("yyyy-MM-dd")
        self.deadline.setEnabled(bool(s.deadline))
        self.has_deadline.toggled.connect(self.deadline.setEnabled)
        row = QHBoxLayout()
        row.addWidget(self.has_deadline)
        row.addWidget(self.deadline, 1)
        self.has_resubmit = QCheckBox("设日期")
        self.has_resubmit.setToolTip("退回修改的学校在这一天前重新报送；不设则为写反馈之后的几个工作日")
        self.has_resubmit.setChecked(bool(s.resubmit_by))
        self.resubmit_by = QDateEdit(QDate.fromString(s.resubmit_by, "yyyy-MM-dd") if s.resubmit_by
                                     else QDate(clock.today()).addDays(3))
        self.resubmit_by.setCalendarPopup(True)
        self.resubmit_by.setDisplayFormat("yyyy-MM-dd")
        self.resubmit_by.setEnabled(bool(s.resubmit_by))
        self.has_resubmit.toggled.connect(self.resubmit_by.setEnabled)
        self.resubmit_days = QSpinBox()
        self.resubmit_days.setRange(1, MAX_RESUBMIT_DAYS)
        self.resubmit_days.setValue(s.resubmit_days)
        self.resubmit_days.setPrefix("不设日期：写反馈后 ")
        self.resubmit_days.setSuffix(" 个工作日")
        again = QHBoxLayout()
        again.addWidget(self.has_resubmit)
        again.addWidget(self.resubmit_by, 1)
        again.addWidget(self.resubmit_days, 1)
        self.unit = QLineEdit(s.unit)
        self.unit.setPlaceholderText(f"默认：{s.reporting_unit or '本级名称加“教育局”'}")
        self.reporter = QLineEdit(s.reporter)
        self.phone = QLineEdit(s.phone)
        form.addRow("本级名称：", self.name)
        form.addRow("上级单位：", self.parents)
        form.addRow("截止日期：", row)
        form.addRow("退回重报：", again)
        note = QLabel("以下三项填在本级向上级报送的汇总表（上报）中：")
        note.setWordWrap(True)
        form.addRow(note)
        form.addRow("填报单位：", self.unit)
        form.addRow("填报人：", self.reporter)
        form.addRow("联系电话：", self.phone)
        return page

    def _previous(self, s: Settings) -> QWidget:
        page = QWidget()
        hint = QLabel(PREVIOUS_HINT)
        hint.setWordWrap(True)
        self._was = (s.previous, s.previous_names)
        self.previous = QLineEdit(s.previous)
        self.previous.setPlaceholderText("不与上期比较")
        self.previous_names = QLineEdit(s.previous_names)
        self.previous_names.setPlaceholderText("可不选：学校没有改名就不用")
        pick = QPushButton("选择文件夹…")
        pick.clicked.connect(self._pick_previous)
        names = QPushButton("选择对照表…")
        names.clicked.connect(self._pick_names)
        self.no_previous = QPushButton("不比较")
        self.no_previous.setToolTip("取消与上期比较（已收到的报表会重新校验）")
        self.no_previous.clicked.connect(lambda: (self.previous.clear(), self.previous_names.clear()))
        folder = QHBoxLayout()
        folder.addWidget(self.previous, 1)
        folder.addWidget(pick)
        folder.addWidget(self.no_previous)
        mapping = QHBoxLayout()
        mapping.addWidget(self.previous_names, 1)
        mapping.addWidget(names)
        form = QFormLayout()
        form.addRow("上期收集文件夹：", folder)
        form.addRow("改名对照表：", mapping)
        layout = QVBoxLayout(page)
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addStretch(1)
        return page

    def _watch(self, s: Settings) -> QWidget:
        page = QWidget()
        hint = QLabel(WATCH_HINT)
        hint.setWordWrap(True)
        self.folders = QListWidget()
        self.folders.addItems(list(s.watch))
        add = QPushButton("添加文件夹…")
        add.clicked.connect(self._add_folder)
        self.remove_folder = QPushButton("移除")
        self.remove_folder.clicked.connect(lambda: self.folders.takeItem(self.folders.currentRow()))
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(self.remove_folder)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(hint)
        layout.addWidget(self.folders, 1)
        layout.addLayout(buttons)
        return page

    def _mail(self, s: Settings, password_kept: bool) -> QWidget:
        page = QWidget()
        mail = s.mail
        self.host = QLineEdit(str(mail.get("smtp_host", "")))
        self.host.setPlaceholderText("如：smtp.qq.com")
        self.tls = QComboBox()
        for key, label, _ in TLS:
            self.tls.addItem(label, key)
        self.tls.setCurrentIndex(max(0, self.tls.findData(str(mail.get("tls", "ssl")))))
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(int(mail.get("smtp_port") or 465))
        self.tls.currentIndexChanged.connect(lambda i: self.port.setValue(TLS[i][2]))
        self.user = QLineEdit(str(mail.get("smtp_user", "")))
        self.user.setPlaceholderText("登录邮箱的账号，如 jyj@example.com")
        self.sender = QLineEdit(str(mail.get("sender", "")))
        self.sender.setPlaceholderText("不填则与账号相同")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("已保存，不修改请留空" if password_kept else "未保存：请填写邮箱的授权码")
        self.forget = QPushButton("清除已保存的密码")
        self.forget.setEnabled(password_kept)
        self.forget.clicked.connect(self._forget_password)
        pw = QHBoxLayout()
        pw.addWidget(self.password, 1)
        pw.addWidget(self.forget)
        self.test = QPushButton("保存并发送测试邮件")
        self.test.setToolTip("保存以上设置，并给发件邮箱自己发一封测试邮件")
        self.test.clicked.connect(self._test)
        form = QFormLayout()
        form.addRow("发信服务器：", self.host)
        form.addRow("加密方式：", self.tls)
        form.addRow("端口：", self.port)
        form.addRow("邮箱账号：", self.user)
        form.addRow("发件人地址：", self.sender)
        form.addRow("密码（授权码）：", pw)
        hint = QLabel("密码保存在本机的系统凭据管理器中，不写进收集文件夹，文件夹发给同事也不会带出密码。"
                      "QQ、163 等邮箱请填写邮箱设置中生成的“授权码”。")
        hint.setWordWrap(True)
        box = QGroupBox("发送反馈和催报邮件")
        v = QVBoxLayout(box)
        v.addLayout(form)
        v.addWidget(hint)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.test)
        v.addLayout(row)
        layout = QVBoxLayout(page)
        layout.addWidget(box)
        layout.addStretch(1)
        return page

    # --- answers -------------------------------------------------------------------------------

    def _add_folder(self) -> None:
        folder = dialogs.ask_folder(self, "选择要自动收取的文件夹（如微信、QQ 的下载文件夹）")
        if folder and not self.folders.findItems(folder, Qt.MatchFlag.MatchExactly):
            self.folders.addItem(folder)

    def _pick_previous(self) -> None:
        folder = dialogs.ask_folder(self, "选择上一期的收集文件夹", self.previous.text())
        if folder:
            self.previous.setText(folder)

    def _pick_names(self) -> None:
        path = dialogs.ask_file(self, "选择学校改名对照表（上期名称、本期名称两列）", self.previous.text(), TABLES)
        if path:
            self.previous_names.setText(path)

    def _forget_password(self) -> None:
        self._forget = True
        self.password.clear()
        self.password.setPlaceholderText("保存后将清除已保存的密码")
        self.forget.setEnabled(False)

    def _test(self) -> None:
        self.test_requested = True
        self.accept()

    def answer(self) -> SettingsAnswer:
        watch = [self.folders.item(i).text() for i in range(self.folders.count())]
        changes: dict[str, Any] = {
            "name": self.name.text().strip(),
            "parents": self.parents.text().strip(),
            "deadline": self.deadline.date().toString("yyyy-MM-dd") if self.has_deadline.isChecked() else "",
            "resubmit_by": self.resubmit_by.date().toString("yyyy-MM-dd") if self.has_resubmit.isChecked() else "",
            "resubmit_days": self.resubmit_days.value(),
            "unit": self.unit.text().strip(),
            "reporter": self.reporter.text().strip(),
            "phone": self.phone.text().strip(),
            "watch": watch,
            "mail_host": self.host.text().strip(),
            "mail_port": self.port.value(),
            "mail_tls": self.tls.currentData(),
            "mail_user": self.user.text().strip(),
            "mail_sender": self.sender.text().strip(),
        }
        typed = self.password.text()
        password = typed if typed else ("" if self._forget else None)
        chosen = (self.previous.text().strip(), self.previous_names.text().strip())
        previous = chosen if chosen != self._was else None
        return SettingsAnswer(changes, password, self.test_requested, previous)


def ask_settings(parent: QWidget, settings: Settings, password_kept: bool) -> SettingsAnswer | None:
    dialog = SettingsDialog(parent, settings, password_kept)
    return dialog.answer() if dialog.exec() == QDialog.DialogCode.Accepted else None
