"""File names made from what people typed (school names, form titles), valid on Windows.

A clerk's PC is Windows: a school called “实验小学<分校>” or a name ending in a dot must still
give a file Explorer can open, copy and zip. One helper, used wherever we name a file.
"""

from __future__ import annotations

import re

_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def safe_file_name(name: str, fallback: str = "文件") -> str:
    """``name`` with the characters Windows refuses in a file name replaced by "_", and no
    leading or trailing spaces or dots."""
    return _FORBIDDEN.sub("_", name).strip(" .") or fallback
