"""One clock for the whole engine: every "now" and "today" is read here, so a demo or a test can
pin it and the story stays in one time.

A demo set in November 2023 that mixes in the real clock tells a school that handed in on 11-16
that the deadline passed a thousand days ago, and files the archive under the year it runs in.
So nothing else calls ``datetime.now()``: ``now()`` is the local wall-clock time (naive, as the
ledger keeps it), ``aware_now()`` the same with its UTC offset (for an e-mail's Date), ``today()``
its date. ``pinned(at)`` holds the clock at ``at`` for a block; ``DUDAO_NOW=2023-11-20T17:00+08:00``
does the same for a whole process (a command run by a test or a script).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from typing import Iterator

CHINA = timezone(timedelta(hours=8), "CST")  # the bureau's time: UTC+8, no daylight saving
ENV = "DUDAO_NOW"

_pinned: list[datetime] = []  # a stack: pins nest


def aware_now() -> datetime:
    """Now, with its UTC offset: the pinned time, else the machine's local time."""
    if _pinned:
        return _pinned[-1]
    env = os.environ.get(ENV, "").strip()
    if env:
        return _aware(datetime.fromisoformat(env))
    return datetime.now().astimezone()


def now() -> datetime:
    """Local wall-clock time to the second, without an offset (as the ledger and sheets show it)."""
    return aware_now().replace(tzinfo=None, microsecond=0)


def today() -> date:
    return now().date()


def stamp() -> str:
    """``now()`` as the ledger writes times: 2023-11-20T17:00:00."""
    return now().isoformat(timespec="seconds")


@contextmanager
def pinned(at: datetime) -> Iterator[datetime]:
    """Hold the clock at ``at`` (a naive time is taken as China time) inside the block."""
    _pinned.append(_aware(at))
    try:
        yield _pinned[-1]
    finally:
        _pinned.pop()


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=CHINA)
