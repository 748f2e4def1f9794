"""The command line's console: a progress bar, plain output, and a console that never fails.

A clerk's console on Windows writes GBK, and output piped into ``head`` closes early; neither may
end a command in a traceback.
"""

from __future__ import annotations

import sys
import time
import unicodedata
from typing import TypeVar

from .progress import Job, Progress

T = TypeVar("T")


class Bar:
    """A one-line progress bar on stderr, redrawn at most 20 times a second."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.last = 0.0
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def show(self, p: Progress) -> None:
        now = time.monotonic()
        if not self.tty or (now - self.last < 0.05 and p.done < p.total):
            return
        self.last = now
        width = 30
        filled = int(width * p.done / max(p.total, 1))
        name = p.current[-40:]
        self.stream.write(f"\r{p.stage} [{'#' * filled}{'-' * (width - filled)}] {p.done}/{p.total} {name:<40}")
        self.stream.flush()

    def end(self) -> None:
        if self.tty:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()


def drive(job: Job[T]) -> T:
    bar = Bar()
    try:
        while True:
            try:
                bar.show(next(job))
            except StopIteration as stop:
                return stop.value
    finally:
        bar.end()


def out(text: str = "") -> None:
    print(text, flush=True)


def columns(text: str) -> int:
    """How many terminal columns ``text`` takes: a Chinese character (wide or full-width) two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` columns, so that what follows it lines up."""
    return text + " " * max(0, width - columns(text))


def tolerant_console() -> None:
    """A Chinese Windows console, or a frozen ``dudao.exe`` whose output goes to a file, writes
    GBK: a character it lacks (a rare name's 𠀋, an emoji) becomes "?" instead of an error."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


def quiet_stdout() -> None:
    """Point standard output at the null device, so that the interpreter's own flush at exit
    does not raise again on the closed pipe and print a traceback."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real descriptor (captured in a test): nothing will flush
        pass
