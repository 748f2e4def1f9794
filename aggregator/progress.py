"""Progress events and cancellation for long jobs, with no knowledge of who is watching.

``distribute``, ``collect`` and ``consolidate`` are generators of ``Progress``; the CLI draws a
bar from them, the desktop turns them into Qt signals. A ``Cancel`` is checked between files, so
stopping never leaves a file half-handled.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Generator, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    current: str = ""  # the file or school being handled
    stage: str = ""  # what is being done, in Chinese, for display


class Cancelled(Exception):
    """Raised between two files when a cancel was asked for; work done so far is kept."""


class Cancel:
    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    @property
    def is_set(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()


Job = Generator[Progress, None, T]


def run(job: "Job[T]") -> T:
    """Drive a job to its end, ignoring progress; returns the job's result."""
    while True:
        try:
            next(job)
        except StopIteration as stop:
            return stop.value
