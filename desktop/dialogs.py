"""Small dialogs the window asks through. They only gather what the clerk chooses; the window
hands it to the controller.

Every button is worded here in Chinese (确定/取消, not the platform's Yes/No), and file dialogs are
Qt's own where the platform's would not follow the program's language (anywhere but Windows,
whose own dialog is already in the clerk's language).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QInputDialog, QLabel,
    QLineEdit, QMessageBox, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget,
)

from aggregator.session import DEFAULT_FORM, bundled

ROSTER_FILTER = "学校名单 (*.xlsx *.xls *.csv);;所有文件 (*)"
RETURN_FILTER = "报表文件 (*.xlsx *.xls *.xlsm *.et *.ods *.zip);;所有文件 (*)"
TEMPLATE_FILTER = "Excel 表格 (*.xlsx)"
FILE_OPTIONS = (QFileDialog.Option(0) if sys.platform == "win32" else QFileDialog.Option.DontUseNativeDialog)


def chinese_buttons(box: QDialogButtonBox, ok: str = "确定", cancel: str = "取消") -> QDialogButtonBox:
    for which, text in ((QDialogButtonBox.StandardButton.Ok, ok), (QDialogButtonBox.StandardButton.Cancel, cancel)):
        button = box.button(which)
        if button is not None:
            button.setText(text)
    return box


def choose_school(parent: QWidget, names: list[str], file_name: str, suggested: str = "",
                  question: str = "“{file}”是哪所学校的报表？") -> str | None:
    """Which school a file belongs to; None when the clerk cancels."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle("指定学校")
    dialog.setLabelText(question.format(file=file_name))
    dialog.setComboBoxItems(names)
    dialog.setComboBoxEditable(False)
    if suggested in names:
        dialog.setTextValue(suggested)
    dialog.setOkButtonText("确定")
    dialog.setCancelButtonText("取消")
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.textValue() or None


def choose_owner(parent: QWidget, names: list[str], file_name: str, owed, school: str = "",
                 material: str = "") -> tuple[str, str] | None:
    """Whose document a file is and which material: (school, material id); None when the clerk
    cancels. ``owed(school)`` lists the (id, label) of the materials that school is to send, so
    the second list always offers what the first one's school owes."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("指定学校和材料")
    schools, materials = QComboBox(), QComboBox()
    schools.addItems(names)
    if school in names:
        schools.setCurrentText(school)
    box = chinese_buttons(QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel))
    ok = box.button(QDialogButtonBox.StandardButton.Ok)

    def refill() -> None:
        wanted = materials.currentData() or material
        materials.clear()
        for mid, label in owed(schools.currentText()):
            materials.addItem(label, mid)
        materials.setCurrentIndex(max(0, materials.findData(wanted)))
        ok.setEnabled(materials.count() > 0)
        materials.setToolTip("" if materials.count() else "这所学校不需要报送材料")

    schools.currentTextChanged.connect(lambda _: refill())
    refill()
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    form = QFormLayout()
    form.addRow("学校：", schools)
    form.addRow("材料：", materials)
    layout = QVBoxLayout(dialog)
    layout.addWidget(QLabel(f"“{file_name}”是哪所学校的哪一项材料？"))
    layout.addLayout(form)
    layout.addWidget(box)
    if dialog.exec() != QDialog.DialogCode.Accepted or not materials.currentData():
        return None
    return schools.currentText(), materials.currentData()


def _file_dialog(parent: QWidget, title: str, start: str, mode: QFileDialog.FileMode, accept: str,
                 filter_: str = "", save: bool = False) -> list[str]:
    """Qt's own file dialog with every label in Chinese: some of its labels (查找范围, 文件类型) are
    missing from Qt's zh_CN catalogue, so they are set here, as the buttons are."""
    dialog = QFileDialog(parent, title, start, filter_)
    dialog.setOptions(FILE_OPTIONS | (QFileDialog.Option.ShowDirsOnly if mode == QFileDialog.FileMode.Directory
                                      else QFileDialog.Option(0)))
    dialog.setFileMode(mode)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave if save else QFileDialog.AcceptMode.AcceptOpen)
    for label, text in ((QFileDialog.DialogLabel.LookIn, "查找范围："), (QFileDialog.DialogLabel.FileName, "名称："),
                        (QFileDialog.DialogLabel.FileType, "文件类型："), (QFileDialog.DialogLabel.Accept, accept),
                        (QFileDialog.DialogLabel.Reject, "取消")):
        dialog.setLabelText(label, text)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return []
    return dialog.selectedFiles()


def ask_folder(parent: QWidget, title: str, start: str = "") -> str | None:
    found = _file_dialog(parent, title, start, QFileDialog.FileMode.Directory, "选择文件夹")
    return found[0] if found else None


def ask_files(parent: QWidget, title: str, start: str = "") -> list[str]:
    return _file_dialog(parent, title, start, QFileDialog.FileMode.ExistingFiles, "收取", RETURN_FILTER)


def ask_file(parent: QWidget, title: str, start: str, filter_: str) -> str | None:
    found = _file_dialog(parent, title, start, QFileDialog.FileMode.ExistingFile, "打开", filter_)
    return found[0] if found else None


def ask_save(parent: QWidget, title: str, start: str, filter_: str = TEMPLATE_FILTER) -> str | None:
    found = _file_dialog(parent, title, start, QFileDialog.FileMode.AnyFile, "保存", filter_, save=True)
    return found[0] if found else None


def confirm(parent: QWidget, title: str, text: str, yes: str = "确定") -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    go = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(box.addButton("取消", QMessageBox.ButtonRole.RejectRole))
    box.exec()
    return box.clickedButton() is go


def tell(parent: QWidget, title: str, text: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.addButton("知道了", QMessageBox.ButtonRole.AcceptRole)
    box.exec()


class NoteDialog(QDialog):
    """Why the clerk decides so (仍然通过, 退回, 免报…), or her words for the school (添加说明)."""

    def __init__(self, parent: QWidget | None, title: str, prompt: str, required: bool = True, text: str = "",
                 ok: str = "确定") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self.required = required
        self.prompt = QLabel(prompt)
        self.prompt.setWordWrap(True)
        self.edit = QPlainTextEdit(text)
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(90)
        self.warning = QLabel()
        self.warning.setStyleSheet("color: #b00000;")
        self.buttons = chinese_buttons(QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                                        | QDialogButtonBox.StandardButton.Cancel), ok=ok)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.edit)
        layout.addWidget(self.warning)
        layout.addWidget(self.buttons)

    def _accept(self) -> None:
        if self.required and not self.edit.toPlainText().strip():
            self.warning.setText("请写明原因：它会记在报送记录和汇总表中。")
            return
        self.accept()

    def note(self) -> str:
        return self.edit.toPlainText().strip()


def ask_note(parent: QWidget, title: str, prompt: str, required: bool = True, text: str = "",
             ok: str = "确定") -> str | None:
    dialog = NoteDialog(parent, title, prompt, required, text, ok)
    return dialog.note() if dialog.exec() == QDialog.DialogCode.Accepted else None


FORM_FILTER = "表单声明 (*.toml);;所有文件 (*)"
FROM_FILE = "从文件选择…"


@dataclass(frozen=True)
class NewCollection:
    folder: str
    roster: str
    name: str
    deadline: str
    form: str = DEFAULT_FORM  # a bundled form's name, or a declaration file
    parents: str = ""  # the levels above ours, as typed: "某某省，某某市"


class NewCollectionDialog(QDialog):
    """Where the new collection goes, which form, which roster, the district's name and the deadline."""

    def __init__(self, parent: QWidget | None = None, start: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("新建收集")
        self.setMinimumWidth(560)
        self._start = start
        self.folder = QLineEdit()
        self.folder.setPlaceholderText("选择一个空文件夹，本次收集的所有文件都放在这里")
        self.roster = QLineEdit()
        self.roster.setPlaceholderText("含“学校名称、学段、所属单位、联系人、联系电话、邮箱”的 .xlsx 或 .csv")
        self.name = QLineEdit()
        self.name.setPlaceholderText("如：某某区（汇总表的标题和给学校的信中会用到）")
        self.parents = QLineEdit()
        self.parents.setPlaceholderText("可不填；如：某某省，某某市（学校在校名前写上这些名称时也能认出）")
        self.deadline = QDateEdit(QDate.currentDate().addDays(14))
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("yyyy-MM-dd")
        self.form = QComboBox()
        for path, declared in bundled():
            self.form.addItem(f"{declared.annex} {declared.title('')}".strip(), path.stem)
        self.form.addItem(FROM_FILE, "")
        self.form.activated.connect(self._pick_form_file)

        form = QFormLayout()
        form.addRow("收集文件夹：", self._with_browse(self.folder, self._browse_folder))
        form.addRow("要收集的表：", self.form)
        form.addRow("学校名单：", self._with_browse(self.roster, self._browse_roster))
        form.addRow("本级名称：", self.name)
        form.addRow("上级单位：", self.parents)
        form.addRow("截止日期：", self.deadline)
        hint = QLabel("建立后，点击“下发空白表”为每所学校生成要发出的表。")
        hint.setWordWrap(True)
        buttons = chinese_buttons(QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                                   | QDialogButtonBox.StandardButton.Cancel), ok="建立")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(buttons)

    def _with_browse(self, edit: QLineEdit, browse) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit)
        button = QPushButton("浏览…")
        button.clicked.connect(browse)
        row.addWidget(button)
        return box

    def _browse_folder(self) -> None:
        path = ask_folder(self, "选择收集文件夹", self._start)
        if path:
            self.folder.setText(path)

    def _browse_roster(self) -> None:
        path = ask_file(self, "选择学校名单", self._start, ROSTER_FILTER)
        if path:
            self.roster.setText(path)

    def _pick_form_file(self, index: int) -> None:
        """"从文件选择…": a declaration of the clerk's own, added above it and chosen."""
        if self.form.itemData(index) != "":
            return
        path = ask_file(self, "选择表单声明文件", self._start, FORM_FILTER)
        if not path:
            self.form.setCurrentIndex(0)
            return
        self.form.insertItem(index, Path(path).name, path)
        self.form.setCurrentIndex(index)

    def _accept(self) -> None:
        missing = [label for label, edit in (("收集文件夹", self.folder), ("学校名单", self.roster),
                                             ("本级名称", self.name)) if not edit.text().strip()]
        if missing:
            tell(self, "新建收集", f"请填写：{'、'.join(missing)}")
            return
        if not Path(self.roster.text().strip()).is_file():
            tell(self, "新建收集", "找不到所选的学校名单文件，请重新选择")
            return
        self.accept()

    def values(self) -> NewCollection:
        return NewCollection(self.folder.text().strip(), self.roster.text().strip(), self.name.text().strip(),
                             self.deadline.date().toString("yyyy-MM-dd"), self.form.currentData() or DEFAULT_FORM,
                             self.parents.text().strip())


def ask_new_collection(parent: QWidget, start: str = "") -> NewCollection | None:
    dialog = NewCollectionDialog(parent, start)
    return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None
