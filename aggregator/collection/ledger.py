"""The ledger of one collection: a SQLite file inside its folder, the embedded default.

It remembers every file received (by its SHA-256, so the same file twice is one), what became of
it, and every return read from it with its findings. States are not stored: they are derived from
the returns when asked (see ``status``), so there is nothing to get out of step.

Several processes may share a ledger (the desktop watching the inbox while the CLI collects):
writes go through ``BEGIN IMMEDIATE`` transactions with a generous busy timeout, and a file row
is inserted with its return in the same transaction, so a return is never counted twice.
"""

from __future__ import annotations

import errno
import json
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from ..findings import Finding, Levels
from ..deferred import Deferred, Later, settled
from ..form.declaration import Form
from ..form.types import FieldType, same
from ..messages import Note
from ..reading.submission import Normalisation, Submission
from .roster import School
from .schema import apply_schema

SCHEMA_VERSION = "3"
# Columns added since a version of the schema: a ledger written before them gains them on open.
# errors and warnings sum up findings_json (NULL: not yet, filled in on open).
_ADDED_COLUMNS = {"returns": ("form_id TEXT", "form_version TEXT", "sheet TEXT", "errors INTEGER", "warnings TEXT"),
                  "schools": ("removed_at TEXT NOT NULL DEFAULT ''", "kind TEXT NOT NULL DEFAULT ''")}
# Made once the added columns exist. The index holds every column the states of the schools need,
# so working them out reads it and not the returns' JSON. The revision counts every change to the
# returns and the roster: what is worked out from all of them (outliers) is kept until it moves.
_REVISION = "revision"
_AFTER_COLUMNS = (
    "CREATE INDEX IF NOT EXISTS returns_state ON returns(school_id, received_at, sha256, identified_by, review,"
    " errors, warnings)",
    f"INSERT OR IGNORE INTO meta VALUES ('{_REVISION}', '0')",
    *(f"CREATE TRIGGER IF NOT EXISTS {table}_{event.lower()} AFTER {event} ON {table} BEGIN"
      f" UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = '{_REVISION}'; END"
      for table in ("returns", "schools") for event in ("INSERT", "UPDATE", "DELETE")),
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS schools (
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL, name TEXT NOT NULL UNIQUE, stage TEXT, parent TEXT,
    contact TEXT, phone TEXT, email TEXT
);
CREATE TABLE IF NOT EXISTS files (
    sha256 TEXT PRIMARY KEY,
    original_name TEXT NOT NULL,  -- as received: file name or zip member path
    source TEXT NOT NULL,         -- where it was picked up
    archived TEXT NOT NULL,       -- path inside the collection folder
    size INTEGER NOT NULL,
    received_at TEXT NOT NULL,    -- the file's own time (download/save), ISO
    collected_at TEXT NOT NULL,
    outcome TEXT NOT NULL,        -- return | unreadable | unidentified | container | document
    reason_kind TEXT,
    reason TEXT
);
CREATE TABLE IF NOT EXISTS returns (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE REFERENCES files(sha256),
    school_id TEXT REFERENCES schools(id),   -- NULL: could not be identified
    identified_by TEXT,          -- metadata | unit | filename | clerk
    review TEXT,                 -- non-empty: waits for the clerk (why)
    received_at TEXT NOT NULL,
    located_by TEXT,
    meta_json TEXT NOT NULL,
    values_json TEXT NOT NULL,
    cells_json TEXT NOT NULL,
    notes_json TEXT NOT NULL,
    findings_json TEXT NOT NULL,
    form_id TEXT,                -- the form and version the return was read against
    form_version TEXT,
    sheet TEXT,
    errors INTEGER,              -- findings_json summed up (Levels): how many errors,
    warnings TEXT                -- and the rules of its warnings, space-separated
);
CREATE INDEX IF NOT EXISTS returns_school ON returns(school_id, received_at);
CREATE TABLE IF NOT EXISTS documents (
    sha256 TEXT PRIMARY KEY REFERENCES files(sha256),
    school_id TEXT REFERENCES schools(id),   -- NULL: could not be identified
    material TEXT NOT NULL DEFAULT '',       -- "" : which material is not known
    identified_by TEXT NOT NULL DEFAULT '',
    review TEXT NOT NULL DEFAULT '',         -- a Note: why the clerk must decide
    received_at TEXT NOT NULL,
    format TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    chars INTEGER NOT NULL DEFAULT 0,
    findings_json TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS told (
    id INTEGER PRIMARY KEY,
    school_id TEXT NOT NULL,
    kind TEXT NOT NULL,               -- returned | check | reminder: what the school was asked to do
    channel TEXT NOT NULL,            -- mail | chat | other | draft
    sha256 TEXT NOT NULL DEFAULT '',  -- the return it was about ("" for a reminder)
    at TEXT NOT NULL,
    by TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''   -- to whom (mail), the clerk's words (other), the files (draft)
);
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,          -- accept | send_back | exempt | confirm | ignore | tie | school_*
    school_id TEXT NOT NULL DEFAULT '',
    sha256 TEXT NOT NULL DEFAULT '',  -- the return or file decided about
    rule TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',    -- why, in the clerk's words
    at TEXT NOT NULL,
    by TEXT NOT NULL DEFAULT '',
    revoked_at TEXT NOT NULL DEFAULT ''
);
"""


@dataclass(frozen=True)
class FileRecord:
    sha256: str
    original_name: str
    source: str
    archived: str
    size: int
    received_at: str
    collected_at: str
    outcome: str
    reason_kind: str = ""
    reason: str = ""


@dataclass(frozen=True)
class DocumentRecord:
    """A document a school sent (a case article, a report, a photo of a stamped page)."""

    sha256: str
    school_id: str | None
    material: str
    identified_by: str
    review: Note | None
    received_at: str
    format: str
    title: str
    chars: int
    findings: tuple[Finding, ...]
    original_name: str = ""
    archived: str = ""

    @property
    def waiting(self) -> bool:
        """Whose it is or which material is in doubt: the clerk settles it (``assign``)."""
        return not (self.school_id and self.material) or bool(self.review)


@dataclass(frozen=True)
class ReturnRecord:
    """A school's return as the collection keeps it: the reader's ``Submission`` as it was read,
    whose return the collection takes it to be, and the file it came in. One type from the
    reader to the summary: nothing re-shapes a return into loose dicts on the way.

    Read from the ledger, its submission and findings are decoded on first use (``deferred``):
    the states of all schools need only ``levels``, which the ledger keeps in columns."""

    submission: Submission = Deferred()
    sha256: str
    school_id: str | None
    identified_by: str  # metadata | unit | filename | clerk | ""
    review: Note | None  # set: waits for the clerk, and why
    received_at: str
    findings: tuple[Finding, ...] = Deferred()  # the reader's and the validator's, from the last check
    id: int | None = None
    original_name: str = ""
    archived: str = ""
    summary: Levels | None = field(default=None, compare=False, repr=False)  # the ledger's columns

    def __getstate__(self) -> dict[str, Any]:
        return settled(self)

    @property
    def levels(self) -> Levels:
        """How many errors, which warnings: from the ledger's columns, else from the findings."""
        return self.summary if self.summary is not None else Levels.of(self.findings)

    # The submission's parts, read as the rest of the code always has.
    @property
    def values(self) -> Mapping[str, Any]:
        return self.submission.values

    @property
    def cells(self) -> Mapping[str, str]:
        return self.submission.cells

    @property
    def meta(self) -> Mapping[str, str]:
        return self.submission.meta

    @property
    def notes(self) -> tuple[Normalisation, ...]:
        return self.submission.notes

    @property
    def located_by(self) -> str:
        return self.submission.located_by

    @property
    def form_id(self) -> str:
        return self.submission.form_id

    @property
    def form_version(self) -> str:
        return self.submission.form_version


class Ledger:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        self.db.execute("PRAGMA busy_timeout = 60000")
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("PRAGMA foreign_keys = ON")
        with self.transaction():
            apply_schema(self.db, SCHEMA, _ADDED_COLUMNS)
            for statement in _AFTER_COLUMNS:
                self.db.execute(statement)
            if self.get("schema") != SCHEMA_VERSION:
                self._sum_up_findings()
                self._move_sent_mail()
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))

    def _sum_up_findings(self) -> None:
        """Returns recorded before the ledger summed up their findings get it now, once. (A return
        an older version of the tool adds later has none: its state reads its findings.)"""
        rows = self.db.execute("SELECT id, findings_json FROM returns WHERE errors IS NULL").fetchall()
        self.db.executemany("UPDATE returns SET errors = ?, warnings = ? WHERE id = ?",
                            [(*_levels_columns(_findings(text)), rid) for rid, text in rows])

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once so two writers queue instead of deadlocking."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    def _move_sent_mail(self) -> None:
        """Schema 2 kept the last e-mail sent to each school in ``meta`` (feedback-sent:<id>): it
        becomes a record of what the school was told, like every other channel's."""
        rows = self.db.execute("SELECT key, value FROM meta WHERE key LIKE 'feedback-sent:%'").fetchall()
        for key, value in rows:
            try:
                sent = json.loads(value)
            except json.JSONDecodeError:
                sent = {}
            if sent.get("kind") in ("returned", "check", "reminder") and sent.get("at"):
                to = sent.get("to") or []
                self.add_told([(key.split(":", 1)[1], sent["kind"], "mail", sent.get("sha256", ""), sent["at"], "",
                                "、".join(to) if isinstance(to, list) else str(to))])
            self.db.execute("DELETE FROM meta WHERE key = ?", (key,))

    # --- settings kept with the data ---
    def get(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def put(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def revision(self) -> int:
        """Moves on with every change to the returns or the roster, whoever made it."""
        return int(self.get(_REVISION, "0"))

    def keep(self, key: str, value: str) -> bool:
        """Put a worked-out value aside (a cache): in a transaction of its own unless one is open;
        False, and nothing kept, where the ledger cannot be written (a read-only copy)."""
        try:
            if self.db.in_transaction:
                self.put(key, value)
            else:
                with self.transaction():
                    self.put(key, value)
        except sqlite3.OperationalError:  # read-only file or folder: worked out again next time
            return False
        return True

    # --- roster ---
    def add_schools(self, schools: list[School]) -> None:
        start = self.db.execute("SELECT COALESCE(MAX(seq) + 1, 0) FROM schools").fetchone()[0]
        self.db.executemany(
            "INSERT INTO schools (id, seq, name, stage, parent, contact, phone, email, kind)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(s.id, start + i, s.name, s.stage, s.parent, s.contact, s.phone, s.email, s.kind)
             for i, s in enumerate(schools)],
        )

    def schools(self, *, removed: bool = False) -> list[School]:
        """The roster in its order; ``removed``: also the schools the clerk took off it."""
        rows = self.db.execute(
            "SELECT id, name, stage, parent, contact, phone, email, kind FROM schools"
            + ("" if removed else " WHERE removed_at = ''") + " ORDER BY seq"
        ).fetchall()
        return [School(*r) for r in rows]

    def update_school(self, school: School) -> None:
        self.db.execute(
            "UPDATE schools SET name = ?, stage = ?, parent = ?, contact = ?, phone = ?, email = ?, kind = ?"
            " WHERE id = ?",
            (school.name, school.stage, school.parent, school.contact, school.phone, school.email, school.kind,
             school.id),
        )

    def remove_school(self, school_id: str, at: str) -> None:
        self.db.execute("UPDATE schools SET removed_at = ? WHERE id = ?", (at, school_id))

    # --- documents ---
    def add_document(self, rec: DocumentRecord) -> None:
        self.db.execute(
            "INSERT INTO documents (sha256, school_id, material, identified_by, review, received_at, format, title,"
            " chars, findings_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (rec.sha256, rec.school_id, rec.material, rec.identified_by, rec.review.to_json() if rec.review else "",
             rec.received_at, rec.format, rec.title, rec.chars, _dump([f.to_dict() for f in rec.findings])),
        )

    def settle_document(self, sha256: str, *, school_id: str, material: str,
                        findings: tuple[Finding, ...] | None = None) -> None:
        """The clerk says whose document it is and which material (its checks made again for it)."""
        self.db.execute("UPDATE documents SET school_id = ?, material = ?, identified_by = 'clerk', review = ''"
                        " WHERE sha256 = ?", (school_id, material, sha256))
        if findings is not None:
            self.db.execute("UPDATE documents SET findings_json = ? WHERE sha256 = ?",
                            (_dump([f.to_dict() for f in findings]), sha256))

    def documents(self) -> list[DocumentRecord]:
        rows = self.db.execute(
            "SELECT d.sha256, d.school_id, d.material, d.identified_by, d.review, d.received_at, d.format, d.title,"
            " d.chars, d.findings_json, f.original_name, f.archived FROM documents d JOIN files f USING (sha256)"
            " ORDER BY d.received_at, f.rowid"
        )
        return [DocumentRecord(r[0], r[1], r[2], r[3], Note.from_json(r[4]), r[5], r[6], r[7], r[8],
                               tuple(Finding.from_dict(d) for d in json.loads(r[9])), r[10], r[11]) for r in rows]

    # --- what the schools were told ---
    def add_told(self, rows: Iterable[tuple[str, str, str, str, str, str, str]]) -> None:
        """(school_id, kind, channel, sha256, at, by, detail) each."""
        self.db.executemany("INSERT INTO told (school_id, kind, channel, sha256, at, by, detail)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def told(self) -> list[tuple]:
        """Every record, oldest first: (school_id, kind, channel, at, sha256, by, detail)."""
        return self.db.execute("SELECT school_id, kind, channel, at, sha256, by, detail FROM told"
                               " ORDER BY at, id").fetchall()

    # --- the clerk's decisions ---
    def add_decision(self, kind: str, school_id: str, sha256: str, rule: str, note: str, at: str, by: str) -> int:
        cur = self.db.execute(
            "INSERT INTO decisions (kind, school_id, sha256, rule, note, at, by) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (kind, school_id, sha256, rule, note, at, by),
        )
        return int(cur.lastrowid)

    def revoke_decision(self, decision_id: int, at: str) -> None:
        self.db.execute("UPDATE decisions SET revoked_at = ? WHERE id = ?", (at, decision_id))

    def decisions(self) -> list[tuple]:
        """Decisions in force, oldest first: (id, kind, school_id, sha256, rule, note, at, by, revoked_at)."""
        return self.db.execute(
            "SELECT id, kind, school_id, sha256, rule, note, at, by, revoked_at FROM decisions"
            " WHERE revoked_at = '' ORDER BY id"
        ).fetchall()

    # --- files ---
    def known(self, sha256: str) -> bool:
        return self.db.execute("SELECT 1 FROM files WHERE sha256 = ?", (sha256,)).fetchone() is not None

    def known_hashes(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT sha256 FROM files")}

    def archived(self, sha256: str) -> str:
        """Where a recorded file is archived ("" when it is not recorded)."""
        row = self.db.execute("SELECT archived FROM files WHERE sha256 = ?", (sha256,)).fetchone()
        return row[0] if row else ""

    def add_file(self, rec: FileRecord) -> bool:
        """Insert a file row; False when another process recorded the same file first."""
        cur = self.db.execute(
            "INSERT OR IGNORE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (rec.sha256, rec.original_name, rec.source, rec.archived, rec.size, rec.received_at,
             rec.collected_at, rec.outcome, rec.reason_kind, rec.reason),
        )
        return cur.rowcount == 1

    def files(self, outcome: str | None = None) -> list[FileRecord]:
        sql = "SELECT * FROM files" + (" WHERE outcome = ?" if outcome else "") + " ORDER BY received_at, rowid"
        return [FileRecord(*r) for r in self.db.execute(sql, (outcome,) if outcome else ())]

    # --- returns ---
    def add_return(self, rec: ReturnRecord) -> int:
        sub = rec.submission
        cur = self.db.execute(
            "INSERT INTO returns (sha256, school_id, identified_by, review, received_at, located_by, meta_json,"
            " values_json, cells_json, notes_json, findings_json, form_id, form_version, sheet, errors, warnings)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (rec.sha256, rec.school_id, rec.identified_by, rec.review.to_json() if rec.review else "",
             rec.received_at, sub.located_by, _dump(dict(sub.meta)), _dump(_values_json(sub.values)),
             _dump(dict(sub.cells)), _dump([_note_json(n) for n in sub.notes]),
             _dump([f.to_dict() for f in rec.findings]), sub.form_id, sub.form_version, sub.sheet,
             *_levels_columns(rec.findings)),
        )
        return int(cur.lastrowid)

    def update_return(self, return_id: int, *, school_id: str | None, identified_by: str, review: Note | None,
                      findings: tuple[Finding, ...]) -> None:
        self.db.execute(
            "UPDATE returns SET school_id = ?, identified_by = ?, review = ?, findings_json = ?, errors = ?,"
            " warnings = ? WHERE id = ?",
            (school_id, identified_by, review.to_json() if review else "", _dump([f.to_dict() for f in findings]),
             *_levels_columns(findings), return_id),
        )

    def returns(self, form: Form | None = None) -> list[ReturnRecord]:
        """Every return, oldest first; ``form`` gives values back their types (dates).

        What the states need is read here, from the index that holds it; each return's JSON
        (its submission and findings) is fetched and decoded when first asked for (``_Stored``).
        A province's 10,000 take about 30 MB, not 170: the field ids are one string each however
        many returns use them, and the cells of returns read by the layout (one JSON text for
        all of them) are one dict, shared: treat records as read-only."""
        files = {sha: (name, archived) for sha, name, archived in
                 self.db.execute("SELECT sha256, original_name, archived FROM files")}
        rows = self.db.execute("SELECT id, sha256, school_id, identified_by, review, received_at, errors, warnings"
                               " FROM returns ORDER BY received_at, id")
        names: dict[int, str] = {}
        stored = _Stored(self.path, form, names)
        out = []
        for rid, sha, school_id, identified_by, review, received_at, errors, warnings in rows:
            name, archived = files.get(sha, ("", ""))
            names[rid] = name
            out.append(ReturnRecord(
                Later(lambda rid=rid: stored.submission(rid)), sha256=sha, school_id=school_id,
                identified_by=identified_by or "", review=Note.from_json(review), received_at=received_at,
                findings=Later(lambda rid=rid: stored.findings(rid)), id=rid, original_name=name, archived=archived,
                summary=_levels_of(errors, warnings),
            ))
        return out

    def figures(self, return_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """The values of the given returns as stored (JSON: numbers are numbers, dates text),
        by return id: what a check over every return compares, without the rest of each."""
        rows = self.db.execute("SELECT id, values_json FROM returns WHERE id IN (SELECT value FROM json_each(?))",
                               (json.dumps(list(return_ids)),))
        return {rid: json.loads(text) for rid, text in rows}

    def cell_maps(self, return_ids: Iterable[int]) -> dict[int, dict[str, str]]:
        """Where each field sits in the given returns' workbooks, by return id (returns read by the
        same layout share one map)."""
        rows = self.db.execute("SELECT id, cells_json FROM returns WHERE id IN (SELECT value FROM json_each(?))",
                               (json.dumps(list(return_ids)),))
        maps: dict[str, dict[str, str]] = {}
        out = {}
        for rid, text in rows:
            if text not in maps:
                maps[text] = json.loads(text)
            out[rid] = maps[text]
        return out

    def sums(self, return_ids: Iterable[int], field_ids: Iterable[str]) -> dict[str, float]:
        """Per field, the sum of its numbers (not texts, not true/false) over the given returns:
        added up by SQLite in the returns' JSON, so no return is decoded for it."""
        fields = list(field_ids)
        if not fields:
            return {}
        paths = [f'$."{f}"' for f in fields]  # grid field ids are dotted: "<row>.<column>"
        columns = ", ".join(
            "TOTAL(CASE WHEN json_type(values_json, ?) IN ('integer', 'real') THEN json_extract(values_json, ?) END)"
            for _ in fields)
        args = [a for path in paths for a in (path, path)]
        row = self.db.execute(f"SELECT {columns} FROM returns WHERE id IN (SELECT value FROM json_each(?))",
                              (*args, json.dumps(list(return_ids)))).fetchone()
        return dict(zip(fields, row))


class _Stored:
    """The JSON of the returns one ``returns`` call listed, fetched from the ledger file when first
    asked for, through a connection of its own opened and closed on the spot (so in whatever
    thread asks, even after the collection was closed). The first few of a part (submissions,
    findings) come one by one, as when the clerk selects a school; past those, all the others at
    once, decoded as they stream in, as an output that reads every return wants them.

    A return's submission never changes once recorded; its findings change only when the clerk
    assigns it, which a new overview follows. Decoding shares what returns have in common."""

    ONE_BY_ONE = 8
    _SUBMISSION = "id, located_by, meta_json, values_json, cells_json, notes_json, form_id, form_version, sheet"
    _FINDINGS = "id, findings_json"

    def __init__(self, path: Path, form: Form | None, names: dict[int, str]) -> None:
        self.path = path.resolve()
        self.form = form
        self.names = names  # return id -> the file's name (the submission's source)
        self.lock = threading.Lock()
        # Per part: what was fetched and not yet taken, the ids taken, how many were asked for.
        self.ready: dict[str, dict[int, Any]] = {"submission": {}, "findings": {}}
        self.taken: dict[str, set[int]] = {"submission": set(), "findings": set()}
        self.asked = {"submission": 0, "findings": 0}
        self.words: dict[str, str] = {}  # one copy of each key (and of each meta value: form, district...)
        self.cells: dict[str, dict] = {}  # JSON text -> parsed, for texts many returns share
        self.decode = _value_decoder(form)

    def submission(self, rid: int) -> Submission:
        return self._take("submission", rid)

    def findings(self, rid: int) -> tuple[Finding, ...]:
        return self._take("findings", rid)

    def _take(self, part: str, rid: int) -> Any:
        with self.lock:
            ready = self.ready[part]
            if rid not in ready:
                self.asked[part] += 1
                self._fetch(part, rid if self.asked[part] <= self.ONE_BY_ONE or rid in self.taken[part] else None)
            self.taken[part].add(rid)
            return ready.pop(rid)  # the record keeps it: nothing is held here twice

    def _fetch(self, part: str, rid: int | None) -> None:
        if not self.path.is_file():  # the folder was moved or deleted: say so, make no empty ledger
            raise FileNotFoundError(errno.ENOENT, "收集文件夹中的 ledger.sqlite 已不存在", str(self.path))
        columns = self._SUBMISSION if part == "submission" else self._FINDINGS
        ready, taken = self.ready[part], self.taken[part]
        db = sqlite3.connect(self.path, timeout=60)
        try:
            where = " WHERE id = ?" if rid is not None else ""
            for r in db.execute(f"SELECT {columns} FROM returns{where}", () if rid is None else (rid,)):
                if (rid is not None or r[0] not in taken) and r[0] not in ready and r[0] in self.names:
                    ready[r[0]] = self._submission(r) if part == "submission" else _findings(r[1])
        finally:
            db.close()

    def _submission(self, r: tuple) -> Submission:
        words, form = self.words, self.form
        meta = {words.setdefault(k, k): words.setdefault(v, v) if isinstance(v, str) else v
                for k, v in json.loads(r[2]).items()}
        if r[4] not in self.cells:
            self.cells[r[4]] = self._keyed(r[4])
        return Submission(
            form_id=r[6] or (form.id if form else meta.get("form_id", "")),
            form_version=r[7] or (form.version if form else meta.get("form_version", "")),
            values=self.decode(self._keyed(r[3])), cells=self.cells[r[4]], sheet=r[8] or "",
            located_by=r[1] or "", meta=meta, notes=tuple(_note_of(n) for n in json.loads(r[5])),
            source=self.names[r[0]],
        )

    def _keyed(self, text: str) -> dict:
        words = self.words
        return {words.setdefault(k, k): v for k, v in json.loads(text).items()}


def _findings(text: str) -> tuple[Finding, ...]:
    return tuple(Finding.from_dict(d) for d in json.loads(text)) if text != "[]" else ()


def _levels_columns(findings: Iterable[Finding]) -> tuple[int, str]:
    levels = Levels.of(findings)
    return levels.errors, " ".join(sorted(levels.warnings))


_NO_FINDINGS = Levels()


def _levels_of(errors: int | None, warnings: str | None) -> Levels | None:
    if errors is None:
        return None
    if not errors and not warnings:
        return _NO_FINDINGS
    return Levels(errors, frozenset(warnings.split()) if warnings else frozenset())


def _values_json(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: FieldType.to_json(v) for k, v in values.items()}


def _value_decoder(form: Form | None):
    if form is None:
        return lambda values: values
    typed = {f.id: f.kind.from_json for f in form.fields if f.kind.from_json is not same}
    if not typed:
        return lambda values: values
    return lambda values: {k: typed[k](v) if k in typed else v for k, v in values.items()}


def _note_json(n: Normalisation) -> dict[str, Any]:
    return {"field": n.field, "cell": n.cell, "raw": _jsonable(n.raw), "value": _jsonable(n.value), "kind": n.kind}


def _note_of(d: dict) -> Normalisation:
    return Normalisation(d.get("field", ""), d.get("cell", ""), d.get("raw"), d.get("value"), d.get("kind", ""))


def _jsonable(v: object) -> object:
    return v if isinstance(v, (int, float, str, bool)) or v is None else str(v)


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
