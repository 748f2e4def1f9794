"""A message line under the header: what the last job did, or why it did not work.

Not a modal dialog: the clerk keeps working, the sentence stays until the next job or until
closed, and a result worth opening (the summary, the feedback folder) gets its own button.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

from .signals import emit

STYLES = {
    "info": "QFrame#banner { background:#eaf4ea; border:1px solid #9cc89a; border-radius:4px; }",
    "error": "QFrame#banner { background:#fbe9e9; border:1px solid #e0a0a0; border-radius:4px; }",
}


class Banner(QFrame):
    openRequested = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.kind = ""
        self._path = ""
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # engine sentences quote what schools typed
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton()
        self.open_button.clicked.connect(lambda: emit(self.openRequested, self._path))
        self.close_button = QPushButton("关闭")
        self.close_button.setFlat(True)
        self.close_button.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 4, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.open_button)
        row.addWidget(self.close_button)
        self.hide()

    def text(self) -> str:
        return "" if self.isHidden() else self.label.text()

    def info(self, text: str) -> None:
        if text:  # opening a collection has nothing to add to what the window shows
            self._show("info", text)

    def error(self, text: str) -> None:
        self._show("error", text)

    def offer(self, label: str, path: str) -> None:
        """Add an “open it” button to the message on show."""
        self._path = path
        self.open_button.setText(label)
        self.open_button.show()

    def _show(self, kind: str, text: str) -> None:
        if kind != getattr(self, "kind", None):  # a new style sheet restyles the banner: only when it changes
            self.setStyleSheet(STYLES[kind])
        self.kind = kind
        self.label.setText(text)
        self.open_button.hide()
        self._path = ""
        self.show()
