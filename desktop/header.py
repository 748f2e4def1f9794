"""The line above the table: which collection, its deadline, and where the schools stand.

Each count is a button that filters the table to those schools: the clerk's next question after
“需退回 3” is always “which three?”. The state count says what must be done (需退回), and a count
of its own says what has not been done yet (反馈未发送): “退回 3” before anything was sent back
misled clerks into thinking it had been.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout

from aggregator.session import Overview, Settings, clock

from .school_model import STATE_COLOURS
from .signals import emit

NO_COLLECTION = "还没有打开收集"

# (label, filter key, colour state or None)
COUNTS = (
    ("应报", "", None),
    ("已通过", "passed", "accepted"),
    ("需退回", "returned", "returned"),
    ("待确认", "needs_review", "needs_review"),
    ("未报", "missing", "missing"),
    ("逾期", "late", None),
    ("免报", "exempt", "exempt"),
    ("反馈未发送", "unsent", None),
)
TIPS = {"应报": "显示全部学校（免报的不计入应报）", "反馈未发送": "需退回或未报、但还没有用邮件、群消息或其他方式告知的学校"}


def deadline_text(deadline: str, today: date | None = None) -> str:
    if not deadline:
        return "未设截止日期"
    days = (date.fromisoformat(deadline) - (today or clock.today())).days
    when = "今天截止" if days == 0 else (f"还有 {days} 天" if days > 0 else f"已截止 {-days} 天")
    return f"截止日期 {deadline}（{when}）"


def counts(ov: Overview, unsent: int = 0) -> dict[str, int]:
    return {
        "应报": ov.expected,
        "已通过": ov.count("accepted", "accepted_with_warnings"),
        "需退回": ov.count("returned"),
        "待确认": ov.count("needs_review"),
        "未报": ov.count("missing"),
        "逾期": ov.late,
        "免报": ov.count("exempt"),
        "反馈未发送": unsent,
    }


class Header(QFrame):
    filterRequested = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 18px; font-weight: bold;")
        self.subtitle = QLabel()
        self.subtitle.setStyleSheet("color: #444;")
        self.subtitle.setWordWrap(True)
        for label in (self.title, self.subtitle):
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.buttons: dict[str, QToolButton] = {}
        row = QHBoxLayout()
        row.setSpacing(6)
        for label, key, state in COUNTS:
            button = QToolButton()
            button.setAutoRaise(False)
            back, fore = STATE_COLOURS[state] if state else ("#f2f2f2", "#222222")
            if label in ("逾期", "反馈未发送"):
                back, fore = "#ffffff", "#b00000"
            button.setStyleSheet(f"QToolButton {{ background:{back}; color:{fore}; border:1px solid #c8c8c8;"
                                 f" border-radius:3px; padding:3px 10px; font-size:14px; }}")
            button.setToolTip(TIPS.get(label, "只显示这些学校"))
            button.clicked.connect(lambda _=False, k=key: emit(self.filterRequested, k))
            self.buttons[label] = button
            row.addWidget(button)
        self.files = QLabel()
        self.files.setStyleSheet("color: #7a4100;")
        row.addSpacing(12)
        row.addWidget(self.files)
        row.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addSpacing(12)
        top.addWidget(self.subtitle, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.addLayout(top)
        layout.addLayout(row)

    def show_collection(self, folder: Path | None, settings: Settings | None, ov: Overview | None,
                        unsent: int = 0) -> None:
        if folder is None or settings is None or ov is None:
            self.title.setText("学校报表收集汇总")
            self.subtitle.setText(NO_COLLECTION)
            for button in self.buttons.values():
                button.hide()
            self.files.clear()
            return
        self.title.setText(folder.name)
        self.subtitle.setText(f"{settings.name} · {deadline_text(settings.deadline)}")
        self.subtitle.setToolTip(str(folder))
        for label, n in counts(ov, unsent).items():
            self.buttons[label].setText(f"{label} {n}")
            self.buttons[label].setVisible(bool(n) or label not in ("免报", "反馈未发送"))
        waiting = []
        if ov.unidentified:
            waiting.append(f"未识别文件 {len(ov.unidentified)} 个")
        if ov.unreadable:
            waiting.append(f"无法读取 {len(ov.unreadable)} 个")
        if ov.documents_waiting:
            waiting.append(f"待指定材料 {len(ov.documents_waiting)} 份")
        self.files.setText("，".join(waiting) + "（见右侧“待处理的文件”）" if waiting else "")

    def text(self) -> str:
        """What the header says, as one line (tests and accessibility)."""
        shown = [b.text() for b in self.buttons.values() if not b.isHidden()]
        return " ".join([self.title.text(), self.subtitle.text(), *shown, self.files.text()]).strip()
