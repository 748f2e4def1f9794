"""增加学校 / 修改学校信息: one roster school, as the roster's columns name its details.

A school opened, merged or renamed after the roster was imported is the clerk's everyday case;
the engine records the change (who, when, why) and keeps what the school already sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from aggregator.session import STAGES, School

from . import dialogs

FIELDS = (("stage", "学段"), ("parent", "所属单位"), ("contact", "联系人"), ("phone", "联系电话"),
          ("email", "邮箱"), ("kind", "学校类型"))


@dataclass(frozen=True)
class SchoolAnswer:
    name: str
    details: dict[str, str]
    note: str


class SchoolDialog(QDialog):
    def __init__(self, parent: QWidget | None, school: School | None = None, units: list[str] = ()) -> None:
        super().__init__(parent)
        self.setWindowTitle("修改学校信息" if school else "增加学校")
        self.setMinimumWidth(440)
        self.original = school
        self.name = QLineEdit(school.name if school else "")
        self.name.setPlaceholderText("学校全称，与学校报表上填写的一致")
        self.edits: dict[str, QLineEdit | QComboBox] = {}
        form = QFormLayout()
        form.addRow("学校名称：", self.name)
        for key, label in FIELDS:
            value = getattr(school, key) if school else ""
            if key in ("stage", "parent"):
                edit = QComboBox()
                edit.setEditable(True)
                edit.addItems(sorted(STAGES) if key == "stage" else [u for u in units if u])
                edit.setCurrentText(value)
            else:
                edit = QLineEdit(value)
            self.edits[key] = edit
            form.addRow(f"{label}：", edit)
        self.note = QLineEdit()
        self.note.setPlaceholderText("为什么增加或修改（可不填），会记在报送记录中")
        form.addRow("说明：", self.note)
        self.warning = QLabel()
        self.warning.setStyleSheet("color: #b00000;")
        self.buttons = dialogs.chinese_buttons(QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                                                | QDialogButtonBox.StandardButton.Cancel),
                                               ok="保存" if school else "增加")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.warning)
        layout.addWidget(self.buttons)

    def _text(self, key: str) -> str:
        edit = self.edits[key]
        return (edit.currentText() if isinstance(edit, QComboBox) else edit.text()).strip()

    def _accept(self) -> None:
        if not self.name.text().strip():
            self.warning.setText("请填写学校名称。")
            return
        self.accept()

    def answer(self) -> SchoolAnswer:
        details = {key: self._text(key) for key, _ in FIELDS}
        if self.original is not None:  # only what changed: the ledger records each change
            details = {k: v for k, v in details.items() if v != getattr(self.original, k)}
            new_name = self.name.text().strip()
            if new_name != self.original.name:
                details["name"] = new_name
        return SchoolAnswer(self.original.name if self.original else self.name.text().strip(), details,
                            self.note.text().strip())


def ask_school(parent: QWidget, school: School | None = None, units: list[str] = ()) -> SchoolAnswer | None:
    dialog = SchoolDialog(parent, school, list(units))
    return dialog.answer() if dialog.exec() == QDialog.DialogCode.Accepted else None
