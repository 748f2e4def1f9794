"""The engine's one front door: a ``Session`` over one collection folder, and the clerk's verbs.

The faces (the command line, the window, the Excel buttons) open a session, call its verbs and show
the plain records they return; they import nothing else of the engine (``tests/test_layers.py``
holds them to it). Behind the door the collection is four rooms (the store, the intake, the read
model, the clerk's verbs) and the outputs; a face never wires them itself, and never does an
engine duty on its own: ``collect`` keeps what the views need before it returns, whoever called it.

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
from .collection.clerk import corrected as _corrected, overrule as _overrule
from .collection.clerk.review import assign as _assign, assign_document, find_document
from .collection.intake.collect import CollectResult, collect as _collect
from .collection.intake.watched import collect_watched as _collect_watched
from .collection.store.credentials import CredentialError, has_password, store_password
from .collection.store.folder import Collection, CollectionError, init_collection, open_collection
from .collection.store.plan import PLANS_DIR, Material, Plan, load_plan
from .collection.store.roster import STAGES, RosterError, School, template_bytes
from .collection.store.settings import OWN_ROLES, SETTINGS, Settings
from .collection.views.decisions import Decision, find_school
from .collection.views.materials import MaterialState, short_label
from .collection.views.status import DOCUMENT_LABELS, STATE_LABELS, STATES, Overview, SchoolState, overview
from .collection.views.tally import Total, UnitProgress, by_unit, keep_views, totals
from .filenames import display_name, safe_file_name
from .findings import Report
from .form.declaration import DEFAULT_FORM, Form, FormError, bundled, bundled_forms
from .messages import CLI, WINDOW, Note, render, rule_name
from .progress import Cancel, Cancelled, Job, Progress, run
from .reading.port import Grid, check_size, whole_numbers

if TYPE_CHECKING:
    from .outputs.consolidate import ConsolidateResult
    from .outputs.distribute import DistributeResult
    from .outputs.feedback import FeedbackResult

__all__ = [
    # the door
    "Session", "open_session", "create_session", "check_form_file", "check_workbook", "run_demo", "save_roster_template",
    "CLERK_ERRORS",
    # records and labels the verbs return or the faces show
    "Overview", "SchoolState", "Settings", "School", "Material", "MaterialState", "Decision", "Plan", "Form",
    "Report", "Total", "UnitProgress", "CollectResult", "DistributeResult", "ConsolidateResult", "FeedbackResult",
    "STATE_LABELS", "STATES", "DOCUMENT_LABELS", "STAGES", "OWN_ROLES", "SETTINGS", "DEFAULT_FORM", "PLANS_DIR",
    # errors a clerk can cause, and the job protocol
    "CollectionError", "RosterError", "FormError", "CredentialError", "Progress", "Cancel", "Cancelled", "Job", "run",
    # words: the catalogue, rendered for a channel
    "Note", "render", "rule_name", "CLI", "WINDOW", "said", "display_name", "safe_file_name", "short_label",
    # what needs no collection
    "bundled", "bundled_forms", "load_plan", "template_bytes", "clock",
    # the reading port, for an adapter of a face's own (Excel's open workbook)
    "Grid", "check_size", "whole_numbers",
]

CLERK_ERRORS = (CollectionError, RosterError, FormError)  # a sentence for the clerk, never a traceback

# The outputs' records, imported when first asked for: the outputs load openpyxl (and with it
# numpy), a fifth of a second before the first file that a collect, a status or the window's
# first paint does not need.
_OUTPUT_RECORDS = {"ConsolidateResult": ".outputs.consolidate", "DistributeResult": ".outputs.distribute",
                   "FeedbackResult": ".outputs.feedback"}


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
        res = yield from _corrected.collect_corrected(self._col, school, note, cancel=cancel)
        self._keep_views(res)
        return res

    def _keep_views(self, res: Any) -> None:
        if res is not None and (res.new_returns or res.documents or res.unreadable or res.review):
            keep_views(self._col)

    def consolidate(self, *, out: Path | None = None, include: str = "accepted", upward_detail: bool = False,
                    cancel: Cancel | None = None, **options: Any) -> Job[ConsolidateResult]:
        from .outputs.consolidate import consolidate

        return consolidate(self._col, out=out, include=include, upward_detail=upward_detail, cancel=cancel,
                           **options)

    def feedback(self, *, send: bool = False, warnings: bool = False, phone: bool = True,
                 cancel: Cancel | None = None) -> Job[FeedbackResult]:
        from .outputs.feedback import feedback

        return feedback(self._col, send=send, warnings=warnings, phone=phone, cancel=cancel)

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
        return _corrected.working_copy(self._col, school)

    def pending_copy(self, school: str) -> Path | None:
        return _corrected.pending_copy(self.root, school)


def save_roster_template(path: str | Path) -> Path:
    """A blank roster workbook to fill in (``.xlsx`` whatever the name asked), written atomically."""
    from .atomic import write_atomic

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    write_atomic(path, template_bytes())
    return path


def check_workbook(opened: Any, source: str, form: Form | None = None) -> Report | None:
    """The findings for a workbook opened through a reading port (an Excel window's, say), as if it
    had arrived as a file. The form is the one the workbook's own metadata names (the workbook we
    issued says which form it is); None when it names none we ship."""
    from .checks.validate import validate
    from .reading import read_workbook
    from .reading.meta import read_meta

    if form is None:
        form_id = read_meta(opened).get("form_id", "")
        form = next((f for f in bundled_forms() if f.id == form_id), None)
        if form is None:
            return None
    return validate(form, read_workbook(opened, form, source=source))


def check_form_file(path: str | Path) -> Form:
    """A form declaration of the clerk's own, read and checked whole: ``FormError`` lists every problem."""
    from .form.parse import load

    return load(Path(path))


def run_demo(folder: Path, drive: Any, out: Any, form: str = DEFAULT_FORM) -> int:
    """The whole job on the bundled sample district, told step by step through ``out``."""
    from .demo import run_demo as demo

    return demo(folder, drive, out, form=form)


def open_session(folder: str | Path) -> Session:
    """An existing collection; ``CollectionError`` saying what to do where the folder is none."""
    return Session(open_collection(folder))


def create_session(folder: str | Path, roster: str | Path, *, name: str, deadline: str = "",
                   form: str = DEFAULT_FORM, plan: str = "", parents: Any = (), **report: str) -> Session:
    """A new collection folder (see ``init_collection``): 本级名称 ``name`` is required."""
    return Session(init_collection(folder, roster, name=name, deadline=deadline, form=form, plan=plan,
                                   parents=parents, **report))
