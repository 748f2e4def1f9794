"""What a clerk sees before any collection is open: the ways to start."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


def build_welcome(window) -> QWidget:
    """The page, with its buttons wired to the window's requests (``window.welcome_buttons``)."""
    page = QWidget()
    v = QVBoxLayout(page)
    v.addStretch(1)
    text = QLabel("开始一次统计：导入学校名单，为每所学校生成空白表。\n继续已有的统计：打开它的收集文件夹"
                  "（也可以把文件夹拖到这个窗口中）。\n还没有名单？先下载名单模板，在 Excel 或 WPS 中填好。")
    text.setAlignment(Qt.AlignmentFlag.AlignCenter)
    text.setWordWrap(True)
    text.setStyleSheet("font-size: 15px; color: #333;")
    v.addWidget(text)
    row = QHBoxLayout()
    row.addStretch(1)
    window.welcome_buttons = []
    for label, slot in (("新建收集…", window.ask_new), ("打开收集…", window.ask_open),
                        ("下载名单模板…", window.ask_roster_template)):
        button = QPushButton(label)
        button.setMinimumSize(150, 44)
        button.setStyleSheet("font-size: 15px;")
        button.clicked.connect(slot)
        row.addWidget(button)
        window.welcome_buttons.append(button)
    row.addStretch(1)
    v.addSpacing(16)
    v.addLayout(row)
    v.addStretch(2)
    return page

