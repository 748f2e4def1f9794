"""A collection folder: one return of one form from every school of a roster.

    DIR/收集设置.toml  settings (district, deadline, form, our own reporter, watched folders, mail)
    DIR/form.toml      the declaration of its form, copied at init
    DIR/ledger.sqlite  the ledger
    DIR/outbox/        workbooks issued to schools
    DIR/inbox/         the default drop folder
    DIR/archive/       every file received, byte for byte
    DIR/feedback/      workbooks and e-mail drafts for schools
    DIR/summary/       district summaries

Everything the clerk may want to open is a plain file in the folder; the folder can be zipped
and handed to a colleague as it is.
"""

from __future__ import annotations

import secrets
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from ... import clock
from ...atomic import write_atomic
from ...filenames import safe_file_name
from ...form.declaration import DEFAULT_FORM, Form
from ...form.parse import load_form
from ...messages import Note
from .ledger import Ledger
from .plan import Material, Plan, load_plan, plan_toml, single_form_plan
from .roster import School, load_roster
from .settings import SETTINGS, Settings, SettingsError, changed, check_deadline, read_settings

__all__ = ["SETTINGS", "LEDGER", "FORM_FILE", "Collection", "CollectionError", "Settings", "init_collection",
           "open_collection"]

FORM_FILE = "form.toml"  # the collection's own copy of its form's declaration
PLAN_FILE = "plan.toml"  # and of its plan, when it collects several materials
REPORT_FILE = "report.toml"  # and of the wording of its own report, when the plan has one
LEDGER = "ledger.sqlite"
FOLDERS = ("outbox", "inbox", "archive", "feedback", "summary", "roster")


class CollectionError(ValueError):
    """Something the clerk must fix before the command can run; the message says what, worded
    for the channel that shows it (``render``)."""

    def __init__(self, message: "str | Note") -> None:
        self.note = message if isinstance(message, Note) else Note.of("text", text=message)
        super().__init__(self.note.render())

    def render(self, channel: str = "cli") -> str:
        return self.note.render(channel)


class Collection:
    def __init__(self, root: Path, settings: Settings) -> None:
        self.root = root
        self.settings = settings
        self._ledger: Ledger | None = None
        self._end: tuple[str, datetime | None] = ("", None)

    @property
    def form(self) -> Form:
        """The collection's own copy of its form: it keeps working if the original moves or
        changes. Collections made before copies were kept load the bundled form by name."""
        return load_form(self.form_source)

    @property
    def plan(self) -> Plan:
        """What each school owes: the plan's materials, or the form alone."""
        if self.settings.plan_file and (self.root / self.settings.plan_file).exists():
            return load_plan(self.root / self.settings.plan_file)
        return single_form_plan(self.form.title(self.settings.name), self.settings.deadline)

    def deadline_of(self, material: Material) -> str:
        return material.deadline or self.settings.deadline

    def is_late_for(self, material: Material, received_at: str) -> bool:
        deadline = self.deadline_of(material)
        end = datetime.fromisoformat(deadline).replace(hour=23, minute=59, second=59) if deadline else None
        return bool(end and received_at and datetime.fromisoformat(received_at) > end)

    @property
    def form_source(self) -> str:
        """Where the form is loaded from (a path, or a bundled form's name): what workers load."""
        if self.settings.form_file and (self.root / self.settings.form_file).exists():
            return str(self.root / self.settings.form_file)
        return self.settings.form

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            try:
                self._ledger = Ledger(self.root / LEDGER)
            except sqlite3.DatabaseError as exc:  # damaged at rest, or held by another program too long
                key = "ledger-unusable" if isinstance(exc, sqlite3.OperationalError) else "ledger-broken"
                raise CollectionError(Note.of(key, name=LEDGER, reason=_sqlite_reason(exc))) from exc
        return self._ledger

    def close(self) -> None:
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None

    def __enter__(self) -> "Collection":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def folder(self, name: str) -> Path:
        path = self.root / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def schools(self) -> list[School]:
        return self.ledger.schools()

    def deadline_end(self) -> datetime | None:
        deadline = self.settings.deadline
        if self._end[0] != deadline:  # asked once per school: parsed once per deadline
            end = datetime.fromisoformat(deadline).replace(hour=23, minute=59, second=59) if deadline else None
            self._end = (deadline, end)
        return self._end[1]

    def is_late(self, received_at: str) -> bool:
        end = self.deadline_end()
        return bool(end and received_at and datetime.fromisoformat(received_at) > end)

    def save_settings(self) -> None:
        write_atomic(self.root / SETTINGS, self.settings.to_toml().encode("utf-8"))

    def mail(self) -> dict:
        """The mail settings to send with, the password included (kept outside the settings file
        where the system has a credential store)."""
        from .credentials import stored_password

        mail = dict(self.settings.mail)
        mail["smtp_password"] = stored_password(mail)
        return mail

    def change_settings(self, **changes: Any) -> Settings:
        """Check and save changed settings (``settings.changed`` says which keys there are)."""
        try:
            self.settings = changed(self.settings, **changes)
        except SettingsError as exc:
            raise CollectionError(str(exc)) from None
        self.save_settings()
        return self.settings


def init_collection(
    root: str | Path, roster: str | Path, *, name: str, deadline: str = "", form: str = DEFAULT_FORM,
    plan: str = "", parents: "str | tuple[str, ...]" = (), **report: str,
) -> Collection:
    """A new collection folder of ``form``, or of the materials of ``plan`` (its form material
    is the collection's form); ``report``: unit, reporter, phone of our own upward summary.

    ``name`` (本级名称) has no default: it is on every workbook, letter and summary, and a
    default would send another district's name out in the clerk's. ``parents``: the levels above
    (省, 市), whose names schools may write before their own."""
    root = Path(root)
    if not str(name or "").strip():
        raise CollectionError(Note.of("name-required"))
    if (root / SETTINGS).exists():
        raise CollectionError(Note.of("already-a-collection", root=root))
    planned = load_plan(plan) if plan else None
    if planned is not None:
        if planned.form_material is None:
            raise CollectionError(Note.of("plan-without-form", plan=plan))
        form = planned.form_material.form
        deadline = deadline or max((m.deadline for m in planned.materials), default="")
    declared = load_form(form)  # refuse an unknown or broken form before anything is written
    schools = load_roster(roster)  # refuse a bad roster before anything is written
    settings = Settings(
        id=f"{clock.now():%Y%m%d}-{secrets.token_hex(3)}",
        name=name.strip(),
        form=form,
        deadline=_deadline(deadline),
        created_at=clock.stamp(),
        form_file=FORM_FILE,
        plan=plan,
        plan_file=PLAN_FILE if planned is not None else "",
    )
    try:
        settings = changed(settings, parents=parents, **report)
    except SettingsError as exc:
        raise CollectionError(str(exc)) from None
    root.mkdir(parents=True, exist_ok=True)
    for f in FOLDERS:
        (root / f).mkdir(exist_ok=True)
    shutil.copy2(roster, root / "roster" / Path(roster).name)
    shutil.copyfile(declared.path, root / FORM_FILE)
    if planned is not None:
        templates = {}  # each template goes out with the forms, and is what "sent back unchanged" means
        for m in planned.documents:
            if m.template:
                sent = f"outbox/{safe_file_name(Path(m.template).name)}"
                shutil.copyfile(m.template, root / sent)
                templates[m.id] = sent
        if planned.report:
            shutil.copyfile(planned.report, root / REPORT_FILE)
        (root / PLAN_FILE).write_text(plan_toml(planned, form_file=FORM_FILE, templates=templates,
                                                report=REPORT_FILE if planned.report else ""), encoding="utf-8")
    col = Collection(root, settings)
    with col.ledger.transaction():
        col.ledger.add_schools(schools)
        col.ledger.put("collection_id", settings.id)
    col.save_settings()  # last: a folder with settings is a complete collection
    return col


def open_collection(root: str | Path) -> Collection:
    root = Path(root)
    path = root / SETTINGS
    if not path.exists():
        raise CollectionError(Note.of("not-a-collection", root=root, settings=SETTINGS))
    try:
        settings = read_settings(path)
    except SettingsError as exc:
        raise CollectionError(str(exc)) from None
    return Collection(root, settings)


def _deadline(deadline: str) -> str:
    try:
        return check_deadline(deadline)
    except SettingsError as exc:
        raise CollectionError(str(exc)) from None


# What SQLite says of a ledger it cannot use, in the clerk's words (else as it said it).
_SQLITE_REASONS = {
    "file is not a database": "不是数据库文件", "database disk image is malformed": "数据库文件已损坏",
    "database is locked": "正被其他程序使用", "unable to open database file": "无法打开文件",
    "disk I/O error": "磁盘读写出错", "attempt to write a readonly database": "文件只读",
}


def _sqlite_reason(exc: sqlite3.DatabaseError) -> str:
    return _SQLITE_REASONS.get(str(exc), str(exc))
