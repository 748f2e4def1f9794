"""The engine's one front door: a ``Session`` over one collection folder, and the clerk's verbs.

The faces (the command line, the window, the Excel buttons) open a session, call its verbs and show
the plain records they return; they import nothing else of the engine (``tests/test_layers.py``).
Behind the door the collection is five rooms (the store, the register, the intake, the read model,
the clerk's verbs) and the outputs; a face never wires them itself, nor does an engine duty on its
own: ``collect`` keeps what the views need before it returns, whoever called it.

Long verbs are jobs: generators that yield ``Progress`` and return their result, which the command
line drives with a progress bar and the window in a worker thread. What a verb has to say when it
is done is a ``Note`` of the message catalogue (``said``), so both faces word it from one text, each
naming the next step in its own terms.

A ``Session`` holds a SQLite connection: use it in the thread that opened it, and close it (``with``).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from . import clock, said, stages
from .collection.clerk import overrule as _overrule, previous as _previous
from .collection.clerk.review import assign as _assign, assign_document, find_document
from .collection.store.credentials import CredentialError, has_password, store_password
from .collection.store.folder import Collection, CollectionError, init_collection, open_collection
from .collection.store.plan import PLANS_DIR, Material, Plan, load_plan
from .collection.store.previous import PreviousPeriod
from .collection.store.roster import STAGES, RosterError, School, load_roster, template_bytes
from .collection.store.settings import MAX_RESUBMIT_DAYS, OWN_ROLES, SETTINGS, Settings, split_names
from .collection.views.decisions import Decision, find_school
from .collection.views.changes import Change, Resubmission
from .collection.views.materials import MaterialState, short_label
from .collection.views.previous import PeriodValue, previous_period, previous_values
from .collection.views.status import DOCUMENT_LABELS, STATE_LABELS, STATES, Overview, SchoolState, overview
from .collection.views.tally import Total, UnitProgress, by_material, by_unit, keep_views, totals
from .filenames import display_name, safe_file_name
from .deferred import building
from .findings import ERROR, EXPLAIN, WARNING, Report
from .form.declaration import DEFAULT_FORM, Form, FormError
from .form.parse import bundled, bundled_forms, load_form
from .messages import CLI, WINDOW, Note, file_error, render, rule_name
from .progress import Cancel, Cancelled, Job, Progress, run
from .reading.port import Grid, check_size, whole_numbers
from .supervising import IssueResult, ItemState, Pick, Supervision
from .tools import check_form_file, check_workbook, save_roster_template

if TYPE_CHECKING:  # handed on when first asked for (``__getattr__`` below)
    from .collection.clerk.corrected import pending_copy
    from .collection.intake.collect import CollectResult
    from .outputs.chat import chat_text, reminder_list
    from .outputs.consolidate import ConsolidateResult
    from .outputs.distribute import DistributeResult
    from .outputs.feedback import FeedbackResult
    from .outputs.items import Item, items_of
    from .outputs.notice import Notice, notice_lines, notice_of

__all__ = [
    # the door
    "Session", "open_session", "create_session", "check_form_file", "check_workbook", "save_roster_template",
    "CLERK_ERRORS",
    # records and labels the verbs return or the faces show
    "Overview", "SchoolState", "Settings", "School", "Material", "MaterialState", "Decision", "Plan", "Form",
    "Report", "Total", "UnitProgress", "Supervision", "ItemState", "IssueResult", "Pick", "CollectResult",
    "DistributeResult", "ConsolidateResult", "FeedbackResult", "PreviousPeriod", "PeriodValue", "Resubmission", "Change",
    "STATE_LABELS", "STATES", "DOCUMENT_LABELS", "STAGES", "OWN_ROLES", "SETTINGS", "DEFAULT_FORM", "PLANS_DIR",
    # errors a clerk can cause, and the job protocol
    "CollectionError", "RosterError", "FormError", "CredentialError", "Progress", "Cancel", "Cancelled", "Job", "run",
    # words: the catalogue, rendered for a channel
    "Note", "render", "rule_name", "file_error", "CLI", "WINDOW", "said", "display_name", "safe_file_name", "short_label",
    "items_of", "Item", "ERROR", "WARNING", "EXPLAIN", "MAX_RESUBMIT_DAYS", "building",
    # pure functions over the records above, for a face that shows them
    "chat_text", "reminder_list", "Notice", "notice_of", "notice_lines", "pending_copy", "has_password", "previous_values",
    # what needs no collection
    "bundled", "bundled_forms", "load_plan", "template_bytes", "clock",
    # the reading port, for an adapter of a face's own (Excel's open workbook)
    "Grid", "check_size", "whole_numbers",
]

CLERK_ERRORS = (CollectionError, RosterError, FormError)  # a sentence for the clerk, never a traceback

# The outputs' records, imported when first asked for: the outputs load openpyxl, a tenth of a
# second before the first file that a collect, a status or the window's first paint does not need;
# and the intake's, which load the reader and the reading processes' machinery (0.04 s) that a
# consolidate, a status or a distribute does not need.
_OUTPUT_RECORDS = {"CollectResult": ".collection.intake.collect", "pending_copy": ".collection.clerk.corrected",
                   "ConsolidateResult": ".outputs.consolidate", "DistributeResult": ".outputs.distribute",
                   "FeedbackResult": ".outputs.feedback", "chat_text": ".outputs.chat", "reminder_list": ".outputs.chat",
                   "Item": ".outputs.items", "items_of": ".outputs.items", "Notice": ".outputs.notice",
                   "notice_lines": ".outputs.notice", "notice_of": ".outputs.notice"}


def __getattr__(name: str) -> Any:
    if name in _OUTPUT_RECORDS:
        return getattr(importlib.import_module(_OUTPUT_RECORDS[name], __package__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Session:
    """One collection, open. Every verb works on the ledger of the thread that opened it."""

    def __init__(self, col: Collection) -> None:
        self._col = col

    # --- opening and closing ------------------------------------------------------------------

    def close(self) -> None:
        self._col.close()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- what it is -----------------------------------------------------------------------------

    @property
    def root(self) -> Path:
        return self._col.root

    @property
    def settings(self) -> Settings:
        return self._col.settings

    @property
    def form(self) -> Form:
        return self._col.form

    @property
    def plan(self) -> Plan:
        return self._col.plan

    @property
    def title(self) -> str:
        """The form's title with our 本级名称: what every workbook and letter is headed."""
        return self._col.form.title(self._col.settings.name)

    @property
    def materials(self) -> tuple[Material, ...]:
        """What each school owes, when the collection asks for more than its form."""
        return self._col.plan.materials if self._col.settings.plan else ()

    def schools(self) -> list[School]:
        return self._col.schools()

    @property
    def supervision(self) -> Supervision:
        """The rectification register: items, 督办单, 销号, picks (``supervising``)."""
        return Supervision(self._col)

    def folder(self, name: str) -> Path:
        return self._col.folder(name)

    def overview(self) -> Overview:
        """Every school as it stands: the read model the status, the window and the outputs share."""
        return overview(self._col)

    def state_of(self, school_name: str) -> SchoolState:
        found = find_school(self._col, school_name)
        return next(s for s in self.overview().schools if s.school.id == found.id)

    def totals(self, ov: Overview) -> list[Total]:
        return totals(self._col.form, ov, self._col.ledger)

    def by_unit(self, ov: Overview) -> list[UnitProgress]:
        return by_unit(ov)

    def material_deadlines(self) -> list[tuple[Material, bool]]:
        """Each material, and whether its deadline has passed on the engine's clock, when the
        collection asks for more than its form (a column per material in the window)."""
        plan, now = self._col.plan, clock.stamp()
        return [(m, self._col.is_late_for(m, now)) for m in plan.materials] if len(plan.materials) > 1 else []

    def by_material(self, ov: Overview) -> list:
        """Each material across the schools that owe it, when the collection asks for more than its form."""
        materials = self._col.plan.materials
        return by_material(ov, materials) if len(materials) > 1 else []

    def due_lines(self, today: Any = None) -> dict[str, tuple[str, ...]]:
        """School id -> its rectification items near or past their deadline, a line each: what
        its notice reminds it of (``outputs.notice``, ``due``)."""
        from .collection.supervision.reminders import due_lines

        return due_lines(self._col, today or clock.today())

    # --- last period ---------------------------------------------------------------------------

    def previous_period(self) -> PreviousPeriod | None:
        """The last period this collection is compared with, as its figures were taken."""
        return previous_period(self._col)

    def set_previous(self, folder: str | Path | None, names: str | Path | None = None) -> PreviousPeriod | None:
        """Name last period (an earlier collection of the same form) and take its figures; ``folder``
        None: take them again from the one named, with a new mapping file ``names``; "": forget it."""
        return _previous.set_previous(self._col, folder, names)

    def previous_values(self, school: str) -> list[PeriodValue]:
        """A school's figures last period beside this period's (the window's details); [] when there
        is no last period or the school was not in it."""
        state = self.state_of(school)
        current = state.current.values if state.current is not None else {}
        return previous_values(self._col.form, self.previous_period(), state.school, current,
                               self._col.settings.levels)

    def file_name(self, sha256: str, default: str = "") -> str:
        """A received file's name as the clerk knows it, by its hash."""
        return next((display_name(f.original_name) for f in self._col.ledger.files() if f.sha256 == sha256), default)

    # --- the jobs -------------------------------------------------------------------------------

    def distribute(self, *, force: bool = False, cancel: Cancel | None = None) -> Job[DistributeResult]:
        from .outputs.distribute import distribute

        return distribute(self._col, force=force, cancel=cancel)

    def collect(self, paths: Iterable[str | Path] | None = None, *, cancel: Cancel | None = None,
                retry_unreadable: bool = False, watched: bool = False, workers: int | None = None
                ) -> Job[CollectResult]:
        """Take files in (``paths``, else the inbox; ``watched``: also what is new and ours in the
        watched download folders), then keep what the views need, so that the next status or the
        window's next open only reads it."""
        from .collection.intake.collect import collect as _collect  # the intake and its reading processes:
        from .collection.intake.watched import collect_watched as _collect_watched  # for collects only

        stages.begin(startup=True)
        if watched:
            res = yield from _collect_watched(self._col, cancel)
        else:
            res = yield from _collect(self._col, list(paths) if paths else None, cancel=cancel,
                                      retry_unreadable=retry_unreadable, workers=workers)
        stages.lap("collect")
        self._keep_views(res)
        stages.lap("views")
        stages.report("collect", files=res.seen)
        return res

    def collect_corrected(self, school: str, note: str = "", *, cancel: Cancel | None = None) -> Job[CollectResult]:
        """修改后收取: the clerk's corrected copy of a school's return, as its new version."""
        from .collection.clerk import corrected as _corrected

        res = yield from _corrected.collect_corrected(self._col, school, note, cancel=cancel)
        self._keep_views(res)
        return res

    def _keep_views(self, res: Any) -> None:
        """Keep the views when the collect brought something; hand on the overview made for them."""
        if res is not None and (res.new_returns or res.documents or res.unreadable or res.review):
            res.overview = keep_views(self._col)

    def consolidate(self, *, out: Path | None = None, include: str = "accepted", upward_detail: bool = False,
                    cancel: Cancel | None = None, **options: Any) -> Job[ConsolidateResult]:
        from .outputs.consolidate import consolidate

        return consolidate(self._col, out=out, include=include, upward_detail=upward_detail, cancel=cancel,
                           **options)

    def feedback(self, *, send: bool = False, warnings: bool = False, phone: bool = True,
                 cancel: Cancel | None = None, today: Any = None) -> Job[FeedbackResult]:
        """Every school's letters, chat texts and pages (``outputs.feedback``), what went out kept
        as each school's feedback, and with ``send`` the drafts sent over SMTP (bad mail settings
        are refused before any work)."""
        from .collection.views.told import tell
        from .outputs.feedback import feedback, send_drafts
        from .outputs.mail import smtp_settings

        smtp = smtp_settings(self._col.mail()) if send else None
        res = yield from feedback(self._col, cancel, today=today, warnings=warnings, phone=phone)
        tell(self._col, res.told)
        if smtp is not None:
            yield from send_drafts(self._col, res, smtp, lambda rows: tell(self._col, rows), cancel)
        return res

    def marked_workbook(self, school: str, cancel: Cancel | None = None) -> Job[Path]:
        """打开标注表: the school's marked workbook, made by ``feedback`` when it is missing or older
        than the school's current return."""
        from .outputs.feedback import RETURNED_TAG
        from .outputs.free_name import newest_copy

        state = self.state_of(school)
        if state.status != "returned" or state.current is None:
            raise CollectionError(Note.of("no-marked-workbook", school=school))
        named = self.root / "feedback" / f"{safe_file_name(state.school.name, fallback='学校')}-{RETURNED_TAG}.xlsx"
        archived = self.root / state.current.archived
        path = newest_copy(named)  # "(2)" when the first one was open in Excel as feedback wrote it
        if path is None or path.stat().st_mtime < archived.stat().st_mtime:
            yield from self.feedback(cancel=cancel)
            path = newest_copy(named)
        if path is None:
            raise CollectionError(Note.of("marked-workbook-failed", school=school))
        return path

    # --- the clerk's decisions ------------------------------------------------------------------

    def decide(self, verb: str, school: str, note: str = "", *, rule: str = "", undo: bool = False) -> Decision:
        """仍然通过 (accept), 退回 (send_back), 免报 (exempt), 已核实提示 (confirm ``rule``), 说明
        (remark), or undoing one."""
        if verb == "confirm":
            return _overrule.confirm(self._col, school, rule, note, undo=undo)
        if verb not in ("accept", "send_back", "exempt", "remark"):
            raise ValueError(verb)
        return getattr(_overrule, verb)(self._col, school, note, undo=undo)

    def ignore(self, file: str, note: str = "", *, undo: bool = False) -> Decision:
        return _overrule.ignore(self._col, file, note, undo=undo)

    def tie(self, file: str, school: str, note: str = "", *, undo: bool = False) -> Decision:
        return _overrule.tie(self._col, file, school, note, undo=undo)

    def assign(self, file: str, school: str, material: str = "") -> Note:
        """Whose a waiting return or document is (and, for a document, which material): said as a note."""
        doc = find_document(self._col, file)
        if doc is not None:
            name, chosen = assign_document(self._col, doc, school, material)
            return Note.of("assigned-document", file=display_name(doc.original_name), school=name,
                           material=chosen.label)
        ret, name = _assign(self._col, file, school)
        return Note.of("assigned-return", file=display_name(ret.original_name), school=name)

    def tell_school(self, school: str, channel: str = "other", note: str = "") -> Any:
        return _overrule.tell_school(self._col, school, channel, note)

    def tell_schools(self, told: Iterable[tuple[str, str, str]]) -> list:
        return _overrule.tell_schools(self._col, told)

    # --- the roster and the settings ------------------------------------------------------------

    def add_school(self, school: School, note: str = "") -> School:
        return _overrule.add_school(self._col, school, note=note)

    def edit_school(self, school: str, note: str = "", **changes: Any) -> School:
        """``changes``: name (a new name), stage, parent, contact, phone, email, kind; None leaves one."""
        return _overrule.edit_school(self._col, school, note=note, **changes)

    def remove_school(self, name: str, note: str = "") -> School:
        return _overrule.remove_school(self._col, name, note=note)

    def change_settings(self, **changes: Any) -> Settings:
        return self._col.change_settings(**changes)

    def has_mail_password(self) -> bool:
        return has_password(self._col.settings.mail)

    def store_mail_password(self, password: str) -> None:
        """Keep the mail password in the system's credential store ("" forgets it)."""
        try:
            store_password(self._col.settings.mail, password)
        except CredentialError as exc:
            raise CollectionError(str(exc)) from None

    def send_test_mail(self, to: str = "") -> str:
        from .outputs.mailcheck import send_test_mail

        return send_test_mail(self._col, to)

    def ask_reporting_fields(self) -> list[tuple[str, str]]:
        """Our own header fields the upward summary still lacks: (setting, the form's label) each;
        not the unit, which defaults to 本级名称 + 教育局."""
        s, form = self._col.settings, self._col.form
        fields = (form.role(role) for role in OWN_ROLES)
        return [(f.role, f.label) for f in fields if f is not None and f is not form.unit and not getattr(s, f.role)]

    # --- a school's return corrected by the clerk ------------------------------------------------

    def working_copy(self, school: str) -> Path:
        from .collection.clerk import corrected as _corrected

        return _corrected.working_copy(self._col, school)

    def pending_copy(self, school: str) -> Path | None:
        from .collection.clerk import corrected as _corrected

        return _corrected.pending_copy(self.root, school)


def open_session(folder: str | Path) -> Session:
    """An existing collection; ``CollectionError`` saying what to do where the folder is none."""
    return Session(open_collection(folder))


def create_session(folder: str | Path, roster: str | Path, *, name: str, deadline: str = "",
                   form: str = DEFAULT_FORM, plan: str = "", parents: Any = (), previous: str = "",
                   previous_names: str = "", **report: str) -> Session:
    """A new collection folder (see ``init_collection``): 本级名称 ``name`` is required.
    ``previous``: last period's collection of the same form (``previous_names``: the mapping of
    schools renamed since), checked and read before anything is written."""
    period = None
    if previous_names and not previous:
        raise CollectionError(Note.of("previous-required"))
    if previous:
        planned = load_plan(plan) if plan else None
        declared = load_form(planned.form_material.form if planned and planned.form_material else form)
        period = _previous.prepare(previous, declared, load_roster(roster), (name, *split_names(parents)),
                                   previous_names or None, own=Path(folder))
    col = init_collection(folder, roster, name=name, deadline=deadline, form=form, plan=plan, parents=parents,
                          **report)
    if period is not None:
        _previous.keep(col, period, previous_names or None)
    return Session(col)
