"""Engine sentences, worded for the window instead of the command line.

The engine's messages are written for the CLI and sometimes end with a command to type
(“请先运行 dudao init 建立”, “（dudao assign）”). In the window the clerk clicks instead, so those
hints are replaced by the button to press. Only the hint changes; the rest of the sentence is the
engine's, word for word.
"""

from __future__ import annotations

import re

_HINTS = (
    (re.compile(r"请先运行 dudao init 建立"), "请点击“新建收集…”建立，或选择已有的收集文件夹"),
    (re.compile(r"[（(]dudao assign[）)]"), "（选中这个文件，点击“指定学校…”）"),
    (re.compile(r"[（(](?:详见 )?dudao status(?: 查看原因)?[）)]"), "（见学校列表）"),
    (re.compile(r"[（(]见 dudao status[）)]"), ""),
    (re.compile(r"dudao status 中列出的文件名"), "列表中的文件"),
    (re.compile(r"dudao feedback --send"), "“生成反馈”"),
)


def for_window(text: str) -> str:
    for pattern, replacement in _HINTS:
        text = pattern.sub(replacement, text)
    return text
