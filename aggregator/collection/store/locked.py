"""Files another program holds open, tried again a moment later.

On Windows a file that Excel or WPS is saving, that a sync client (OneDrive, 坚果云) is uploading
or that an antivirus is scanning cannot be opened by anyone else for a moment: ``open`` raises
``PermissionError``. Collect tries such a file again a few times (about two seconds in all)
before it lists it as "文件正被其他程序打开，请关闭后重新收取" and goes on; nothing about it is
recorded, so the next collect takes it like a new file. Linux never locks a file this way, so the
tests make ``open`` raise and replace ``wait``: they count the tries and never sleep.
"""

from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")

WAITS = (0.2, 0.5, 1.0)  # seconds before each new try: about 2 s in all, then the file is listed
wait: Callable[[float], None] = time.sleep


def retrying(action: Callable[[], T]) -> T:
    """``action()``, tried again after each pause of ``WAITS`` while it raises ``PermissionError``;
    the last try's ``PermissionError`` is raised."""
    for pause in WAITS:
        try:
            return action()
        except PermissionError:
            wait(pause)
    return action()
