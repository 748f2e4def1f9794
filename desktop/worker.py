"""One long job in its own thread, reported to the GUI thread through Qt signals.

The thread only drives ``jobs.execute``; everything it learns leaves as a signal, which Qt
delivers in the GUI thread (the receivers live there). Progress is thinned to about twenty events
a second: a collect of thousands of files must not flood the event queue. Every exception ends
as a Chinese sentence on ``failed``; an unexpected one is logged with its traceback first, so the
window never dies with a job.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QThread, Signal

from aggregator.session import CLERK_ERRORS, WINDOW, Cancel, CollectionError, Progress, file_error

from .jobs import JobSpec, execute
from .signals import emit

log = logging.getLogger(__name__)

UNEXPECTED = "出现意外错误：{error}，请把收集文件夹中的 ledger.sqlite 和此提示发给技术人员"
MIN_INTERVAL = 0.05  # seconds between two progress signals


def failure_text(exc: BaseException) -> str:
    """What the clerk reads when a job fails; only the unexpected ones are logged."""
    if isinstance(exc, CollectionError):
        return exc.render(WINDOW)
    if isinstance(exc, CLERK_ERRORS):
        return str(exc)
    if isinstance(exc, OSError):  # a file open in Excel, a read-only folder, a full disk
        log.warning("file error in job", exc_info=exc)
        return file_error(exc) + "。"
    log.error("unexpected error in job", exc_info=exc)
    return UNEXPECTED.format(error=f"{type(exc).__name__}: {exc}")


class JobThread(QThread):
    progressed = Signal(int, int, str, str)  # done, total, current, stage
    succeeded = Signal(object)  # jobs.Outcome
    failed = Signal(str)

    def __init__(self, spec: JobSpec, parent=None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.cancel = Cancel()
        self._last = 0.0

    def _report(self, p: Progress) -> None:
        now = time.monotonic()
        if p.done <= 1 or p.done >= p.total or now - self._last >= MIN_INTERVAL:
            self._last = now
            emit(self.progressed, p.done, p.total, p.current, p.stage)

    def run(self) -> None:
        try:
            outcome = execute(self.spec, self.cancel, self._report)
        except Exception as exc:  # the worker's last line of defence: see failure_text
            emit(self.failed, failure_text(exc))
        else:
            emit(self.succeeded, outcome)
