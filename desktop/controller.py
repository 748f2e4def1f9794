"""The desktop's controller: the open collection, its latest overview, and the clerk's intents.

Widgets show what the controller holds and call its methods; they never call the engine. The
controller imports no widget class (a test checks it), so it is tested without any window.

One job at a time runs in a ``JobThread``. Each job opens the collection in its own thread and
hands back plain data (``jobs.Outcome``): the SQLite ledger is only ever used by the thread that
opened it. ``refresh`` reads the overview in the GUI thread with a connection of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from PySide6.QtCore import QObject, Signal, Slot

from datetime import date
from typing import Any

from aggregator.session import (DEFAULT_FORM, Notice, Overview, PeriodValue, SchoolState, Settings, chat_text, clock,
                                has_password, notice_of, pending_copy, previous_values, reminder_list, template_bytes)

from . import clerk_jobs, jobs
from .jobs import JobSpec, Outcome
from .signals import emit
from .view import View
from .watcher import InboxWatcher
from .worker import JobThread, failure_text

BUSY = "正在处理上一项任务，请等它完成（或点“取消”）后再试。"
NO_COLLECTION = "还没有打开收集。请先点击“新建收集…”或“打开收集…”。"


class Controller(QObject):
    progress = Signal(int, int, str, str)  # done, total, current file or school, stage
    finished = Signal(str)  # what came of the job, in Chinese
    failed = Signal(str)  # why it did not work, in Chinese
    busyChanged = Signal(bool)
    overviewChanged = Signal()
    collectionChanged = Signal(str)  # the folder now open
    outputReady = Signal(str, str)  # job kind, file or folder worth opening
    watchingChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None, quiet_ms: int = 2000) -> None:
        super().__init__(parent)
        self.folder: Path | None = None
        self.settings: Settings | None = None
        self.overview: Overview | None = None
        self.view = View()  # what the window draws beside the overview (worked out with it)
        self.last_outcome: Outcome | None = None
        self._thread: JobThread | None = None
        self._threads: set[JobThread] = set()  # kept alive until Qt says they have ended
        self._watching = False
        self._inbox_pending = False
        self._told: list[tuple[str, str, str]] = []  # (school, channel, note) still to record
        self._watcher = InboxWatcher(self, quiet_ms)
        self._watcher.settled.connect(self._inbox_settled)

    # --- state ---------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._thread is not None

    @property
    def watching(self) -> bool:
        return self._watching

    @property
    def quiet_ms(self) -> int:
        return self._watcher.quiet_ms

    @quiet_ms.setter
    def quiet_ms(self, ms: int) -> None:
        self._watcher.quiet_ms = ms

    def school_names(self) -> list[str]:
        return [s.school.name for s in self.overview.schools] if self.overview else []

    def state_of(self, school: str) -> SchoolState | None:
        return next((s for s in self.overview.schools if s.school.name == school), None) if self.overview else None

    def watched_folders(self) -> list[Path]:
        """What the watch looks at: the inbox, and the download folders chosen in 设置."""
        if self.folder is None or self.settings is None:
            return []
        inbox = self.folder / "inbox"
        return [inbox] + [Path(w) for w in self.settings.watch if Path(w) != inbox]

    def chat_text(self, school: str, today: date | None = None) -> str:
        """复制退回意见: the school's news for a WeChat/QQ group (``aggregator.outputs.chat``)."""
        state = self.state_of(school)
        if state is None or state.form is None or self.settings is None:
            return ""
        return chat_text(state.form, self.settings, state, today or clock.today(),
                         due=self.view.due.get(state.school.id, ()))

    def notice(self, state: SchoolState, today: date | None = None) -> Notice | None:
        """What the school will be told, as every channel tells it (``outputs.notice``): the
        details pane shows the school's one description, not a wording of its own."""
        if state.form is None or self.settings is None:
            return None
        return notice_of(state.form, self.settings, state, today or clock.today(),
                         due=self.view.due.get(state.school.id, ()))

    def reminder_list(self, today: date | None = None) -> str:
        """复制催报名单: the schools still owed, by 所属单位, for the group."""
        ov = self.overview
        if ov is None or not ov.schools or ov.schools[0].form is None or self.settings is None:
            return ""
        return reminder_list(ov.schools, self.settings, ov.schools[0].form, today or clock.today())

    def correction_waiting(self, school: str) -> Path | None:
        """A corrected copy the clerk made and has not had collected yet."""
        return pending_copy(self.folder, school) if self.folder is not None else None

    def save_roster_template(self, path: str | Path) -> bool:
        """下载名单模板: an empty roster to fill in Excel."""
        target = Path(path)
        try:
            target.write_bytes(template_bytes())
        except OSError as exc:
            emit(self.failed, failure_text(exc))
            return False
        emit(self.finished, f"已保存名单模板：{target}。填好学校后，点击“新建收集…”导入它。")
        emit(self.outputReady, "template", str(target))
        return True

    def latest_summary(self) -> Path | None:
        """The newest summary workbook in summary/, for “打开汇总表”."""
        if self.folder is None:
            return None
        found = sorted((self.folder / "summary").glob("*.xlsx"), key=lambda p: p.stat().st_mtime)
        return found[-1] if found else None

    # --- intents -------------------------------------------------------------------------------

    def new_collection(self, folder: str | Path, roster: str | Path, name: str, deadline: str,
                       form: str = DEFAULT_FORM, parents: str = "") -> bool:
        return self._start(jobs.new_job(folder, roster, name, deadline, form, parents))

    def open_collection(self, folder: str | Path) -> bool:
        return self._start(jobs.open_job(folder))

    def distribute(self, force: bool = False) -> bool:
        return self._start_here(jobs.distribute_job, force)

    def collect(self, paths: Iterable[str | Path] | None = None, quiet: bool = False) -> bool:
        """Collect files, folders and zips; without paths, the inbox. ``quiet``: no news, no sentence."""
        return self._start_here(jobs.collect_job, list(paths) if paths else None, quiet)

    def collect_watched(self) -> bool:
        """The inbox, and what is new and ours in the watched folders; says nothing when nothing came."""
        return self._start_here(jobs.collect_job, None, True, True)

    def consolidate(self, include: str = "accepted") -> bool:
        return self._start_here(jobs.consolidate_job, include)

    def feedback(self, send: bool = False, warnings: bool = False) -> bool:
        """``warnings``: with the 请核对 letters to schools accepted with warnings nobody confirmed."""
        return self._start_here(jobs.feedback_job, send, warnings)

    def assign(self, file: str, school: str) -> bool:
        """``file``: a return's sha256 (or its file name as listed); ``school``: a roster name."""
        return self._start_here(jobs.assign_job, file, school)

    def assign_document(self, file: str, school: str, material: str) -> bool:
        """A waiting document is ``school``'s ``material`` (its id); ``file``: its sha256."""
        return self._start_here(jobs.assign_document_job, file, school, material)

    def documents_owed(self, school: str) -> list[tuple[str, str]]:
        """(id, label) of the documents (not the form) that ``school`` is to send."""
        state = self.state_of(school)
        return [(m.material.id, m.material.label) for m in state.materials if not m.material.is_form] if state else []

    # --- the clerk decides ---------------------------------------------------------------------

    def decide(self, verb: str, school: str, note: str = "", undo: bool = False) -> bool:
        """仍然通过 (accept), 退回 (send_back), 免报 (exempt), 添加说明 (remark), or undo one."""
        return self._start_here(clerk_jobs.decide_job, verb, school, note, undo)

    def pick(self, school: str, material: str, note: str = "", undo: bool = False) -> bool:
        """推荐上报 a school's document (a case, a supervisor), or stop recommending it."""
        return self._start_here(clerk_jobs.pick_job, school, material, note, undo)

    def confirm(self, school: str, rule: str, note: str = "", undo: bool = False) -> bool:
        """A warning (by rule id) the clerk checked with the school, with what she found; or undo it."""
        return self._start_here(clerk_jobs.confirm_job, school, rule, note, undo)

    def add_school(self, name: str, details: dict[str, str], note: str = "") -> bool:
        return self._start_here(clerk_jobs.school_job, "add", name, details, note)

    def edit_school(self, name: str, details: dict[str, str], note: str = "") -> bool:
        return self._start_here(clerk_jobs.school_job, "edit", name, details, note)

    def remove_school(self, name: str, note: str) -> bool:
        return self._start_here(clerk_jobs.school_job, "remove", name, {}, note)

    def ignore_file(self, file: str, note: str = "") -> bool:
        return self._start_here(clerk_jobs.file_job, "ignore", file, "", note)

    def tie_file(self, file: str, school: str, note: str = "") -> bool:
        return self._start_here(clerk_jobs.file_job, "tie", file, school, note)

    def change_settings(self, changes: dict[str, Any], password: str | None = None, test_mail: bool = False,
                        previous: tuple[str, str] | None = None) -> bool:
        """Save settings (and the mail password); ``test_mail``: then send the clerk a test message;
        ``previous``: name last period (its folder, the mapping of renamed schools; "": none)."""
        return self._start_here(clerk_jobs.settings_job, changes, password, test_mail, previous)

    def previous_values(self, state: SchoolState) -> list[PeriodValue]:
        """The school's figures last period beside this period's (the details), [] without a last
        period or when the school was not in it: from the snapshot the last job read (``view``)."""
        period = self.view.previous
        if period is None or state.form is None or self.settings is None:
            return []
        current = state.current.values if state.current is not None else {}
        return previous_values(state.form, period, state.school, current, self.settings.levels)

    def password_kept(self) -> bool:
        return bool(self.settings and has_password(self.settings.mail))

    def start_correction(self, school: str) -> bool:
        """修改后收取: a working copy to open in Excel (``outputReady`` names it)."""
        return self._start_here(clerk_jobs.correction_job, school)

    def collect_correction(self, school: str) -> bool:
        return self._start_here(clerk_jobs.corrected_job, school)

    def open_marked(self, school: str) -> bool:
        """打开标注表: the marked workbook (``outputReady`` names it)."""
        return self._start_here(clerk_jobs.marked_job, school)

    def note_told(self, schools: list[str], channel: str, note: str = "") -> None:
        """What went out to these schools (by name), which way: ``chat`` (their text was copied
        for the group), ``other`` (the clerk told them herself, ``note`` says how). Recorded by a
        quick job; while another job runs, once it is over."""
        self._told.extend((name, channel, note) for name in schools)
        if not self.busy:
            self._record_told()

    def _record_told(self) -> None:
        if self._told and self.folder is not None:
            pending, self._told = self._told, []
            self._start_here(clerk_jobs.told_job, pending)

    def cancel(self) -> None:
        if self._thread is not None:
            self._thread.cancel.set()

    def refresh(self) -> None:
        """Read the ledger again (another program, e.g. the CLI, may have changed it)."""
        if self.folder is None:
            return
        try:
            self._take(jobs.read_overview(self.folder))
        except Exception as exc:  # shown to the clerk, never a crash; see failure_text
            emit(self.failed, failure_text(exc))
            return
        emit(self.overviewChanged)

    def set_watching(self, on: bool) -> None:
        """Collect what lands in the inbox by itself (after a quiet period), or stop doing so."""
        if on == self._watching:
            return
        self._watching = on
        self._rewatch()
        emit(self.watchingChanged, on)

    def shutdown(self, wait_ms: int = 10000) -> None:
        """Before the window closes: stop watching, ask the job to stop, wait for it."""
        self._watcher.stop()
        self.cancel()
        for thread in list(self._threads):
            thread.wait(wait_ms)

    # --- running jobs --------------------------------------------------------------------------

    def run_job(self, make, *args) -> bool:
        """Run ``make(folder, *args)`` (a ``JobSpec`` factory) on the open collection: for the
        tabs that bring their own jobs (``supervise_jobs``)."""
        return self._start_here(make, *args)

    def _start_here(self, make, *args) -> bool:
        if self.folder is None:
            emit(self.failed, NO_COLLECTION)
            return False
        return self._start(make(self.folder, *args))

    def _start(self, spec: JobSpec) -> bool:
        if self._thread is not None:
            emit(self.failed, BUSY)
            return False
        thread = JobThread(spec)
        thread.progressed.connect(self._progressed)
        thread.succeeded.connect(self._succeeded)
        thread.failed.connect(self._failed)
        thread.finished.connect(self._ended)
        self._thread = thread
        self._threads.add(thread)
        emit(self.busyChanged, True)
        emit(self.progress, 0, 0, "", spec.stage)
        thread.start()
        return True

    def _take(self, outcome: Outcome) -> None:
        self.folder, self.settings, self.overview = outcome.folder, outcome.settings, outcome.overview
        self.view = outcome.view

    def _release(self) -> None:
        """The job has said its last word: the controller is free before anyone hears of it."""
        self._thread = None
        emit(self.busyChanged, False)

    @Slot(int, int, str, str)
    def _progressed(self, done: int, total: int, current: str, stage: str) -> None:
        if self._thread is not None and self.sender() is self._thread:  # not a late word from an old job
            emit(self.progress, done, total, current, stage)

    @Slot(object)
    def _succeeded(self, outcome: Outcome) -> None:
        self._release()
        self.last_outcome = outcome
        changed = self.folder != outcome.folder
        rewatch = changed or (self.settings is not None and self.settings.watch != outcome.settings.watch)
        self._take(outcome)
        if rewatch:
            self._rewatch()
            emit(self.collectionChanged, str(outcome.folder))
        emit(self.overviewChanged)
        emit(self.finished, outcome.text)
        if outcome.output is not None:
            emit(self.outputReady, outcome.kind, str(outcome.output))
        self._after_job()

    @Slot(str)
    def _failed(self, message: str) -> None:
        self._release()
        emit(self.failed, message)
        self._after_job()

    @Slot()
    def _ended(self) -> None:
        thread = self.sender()
        self._threads.discard(thread)
        if thread is not None:
            thread.deleteLater()

    # --- the watched folders -----------------------------------------------------------------------------

    def _rewatch(self) -> None:
        self._inbox_pending = False
        self._watcher.watch(self.watched_folders() if self._watching else [])

    @Slot()
    def _inbox_settled(self) -> None:
        if self.busy:
            self._inbox_pending = True  # collected when the running job is over
            return
        self.collect_watched()

    def _after_job(self) -> None:
        self._record_told()
        if self._inbox_pending and self._watching:
            self._inbox_pending = False
            self._watcher.poke()
