"""The 整改督办 tab's side of the controller: the register's rows for the open collection, read
again whenever the collection changes, and the clerk's intents about items, run as jobs by the
main controller (one job at a time, the same banner, the same refresh). No widgets here."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from aggregator.session import clock

from . import supervise_jobs as jobs
from .controller import Controller
from .signals import emit
from .supervise_jobs import Row
from .worker import failure_text


class SupervisionController(QObject):
    rowsChanged = Signal()

    def __init__(self, controller: Controller) -> None:
        super().__init__(controller)
        self.controller = controller
        self.rows: list[Row] = []
        controller.overviewChanged.connect(self.refresh)

    def refresh(self) -> None:
        folder = self.controller.folder
        try:
            rows = jobs.read_rows(folder) if folder is not None else []
        except Exception as exc:  # shown in the banner like any failure, never a crash (failure_text)
            emit(self.controller.failed, failure_text(exc))
            rows = []
        if rows != self.rows:
            self.rows = rows
            emit(self.rowsChanged)

    def shown(self, key: str) -> list[Row]:
        return [r for r in self.rows if key in r.keys]

    def counts(self) -> dict[str, int]:
        return {key: len(self.shown(key)) for key in jobs.FILTERS}

    def school_names(self) -> list[str]:
        return self.controller.school_names()

    def today(self):
        return clock.today()

    def evidence(self, row: Row) -> list[tuple[str, str]]:
        """(file name, full path) of an item's answers, to open read-only."""
        folder = self.controller.folder
        return [(name, str(Path(folder) / archived)) for name, archived in row.evidence] if folder else []

    # --- intents -------------------------------------------------------------------------------
    def add(self, school: str, problem: str, requirement: str, due: str) -> bool:
        return self.controller.run_job(jobs.add_job, school, problem, requirement, due)

    def import_list(self, path: str) -> bool:
        return self.controller.run_job(jobs.import_job, path)

    def issue(self) -> bool:
        return self.controller.run_job(jobs.issue_job)

    def close_item(self, item_id: int, note: str) -> bool:
        return self.controller.run_job(jobs.event_job, "close", item_id, note)

    def reopen_item(self, item_id: int, note: str) -> bool:
        return self.controller.run_job(jobs.event_job, "reopen", item_id, note)

    def write_register(self) -> bool:
        return self.controller.run_job(jobs.register_job)
