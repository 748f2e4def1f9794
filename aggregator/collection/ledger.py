"""The ledger of one collection: a SQLite file inside its folder, the embedded default.

It remembers every file received (by its SHA-256, so the same file twice is one), what became of
it, and every return read from it with its findings. States are not stored: they are derived from
the returns when asked (see ``status``), so there is nothing to get out of step.

Several processes may share a ledger (the desktop watching the inbox while the CLI collects):
writes go through ``BEGIN IMMEDIATE`` transactions with a generous busy timeout, and a file row
is inserted with its return in the same transaction, so a return is never counted twice.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

from ..checks.findings import Finding
from ..form.declaration import Form
from ..form.types import FieldType, same
from ..messages import Note
from ..reading.submission import Normalisation, Submission
from .roster import School

SCHEMA_VERSION = "2"
# Columns added since a version of the schema: a ledger written before them gains them on open.
_ADDED_COLUMNS = {"returns": ("form_id TEXT", "form_version TEXT", "sheet TEXT"),
                  "schools": ("removed_at TEXT NOT NULL DEFAULT ''", "kind TEXT NOT NULL DEFAULT ''")}

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
    sheet TEXT
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


@dataclass(frozen=True)
class ReturnRecord:
    """A school's return as the collection keeps it: the reader's ``Submission`` as it was read,
    whose return the collection takes it to be, and the file it came in. One type from the
    reader to the summary: nothing re-shapes a return into loose dicts on the way."""

    submission: Submission
    sha256: str
    school_id: str | None
    identified_by: str  # metadata | unit | filename | clerk | ""
    review: Note | None  # set: waits for the clerk, and why
    received_at: str
    findings: tuple[Finding, ...]  # the reader's and the validator's, from the last check
    id: int | None = None
    original_name: str = ""
    archived: str = ""

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
            for statement in _statements(SCHEMA):
                self.db.execute(statement)
            for table, columns in _ADDED_COLUMNS.items():
                have = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
                for column in columns:
                    if column.split()[0] not in have:
                        self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))

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

    # --- settings kept with the data ---
    def get(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def put(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

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
            " values_json, cells_json, notes_json, findings_json, form_id, form_version, sheet)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (rec.sha256, rec.school_id, rec.identified_by, rec.review.to_json() if rec.review else "",
             rec.received_at, sub.located_by, _dump(dict(sub.meta)), _dump(_values_json(sub.values)),
             _dump(dict(sub.cells)), _dump([_note_json(n) for n in sub.notes]),
             _dump([f.to_dict() for f in rec.findings]), sub.form_id, sub.form_version, sub.sheet),
        )
        return int(cur.lastrowid)

    def update_return(self, return_id: int, *, school_id: str | None, identified_by: str, review: Note | None,
                      findings: tuple[Finding, ...]) -> None:
        self.db.execute(
            "UPDATE returns SET school_id = ?, identified_by = ?, review = ?, findings_json = ? WHERE id = ?",
            (school_id, identified_by, review.to_json() if review else "", _dump([f.to_dict() for f in findings]),
             return_id),
        )

    def returns(self, form: Form | None = None) -> list[ReturnRecord]:
        """Every return, oldest first; ``form`` gives values back their types (dates).

        A province's 10,000 take about 30 MB, not 170: the field ids are one string each however
        many returns use them, and the cells of returns read by the layout (one JSON text for
        all of them) are one dict, shared: treat records as read-only."""
        rows = self.db.execute(
            "SELECT r.id, r.sha256, r.school_id, r.identified_by, r.review, r.received_at, r.located_by, r.meta_json,"
            " r.values_json, r.cells_json, r.notes_json, r.findings_json, f.original_name, f.archived,"
            " r.form_id, r.form_version, r.sheet"
            " FROM returns r JOIN files f USING (sha256) ORDER BY r.received_at, r.id"
        )
        words: dict[str, str] = {}  # one copy of each key (and of each meta value: form, district...)
        cells: dict[str, dict] = {}  # JSON text -> parsed, for texts many returns share
        decode = _value_decoder(form)

        def keyed(text: str) -> dict:
            return {words.setdefault(k, k): v for k, v in json.loads(text).items()}

        def shared_cells(text: str) -> dict:
            if text not in cells:
                cells[text] = keyed(text)
            return cells[text]

        out = []
        for r in rows:
            meta = {words.setdefault(k, k): words.setdefault(v, v) if isinstance(v, str) else v
                    for k, v in json.loads(r[7]).items()}
            sub = Submission(
                form_id=r[14] or (form.id if form else meta.get("form_id", "")),
                form_version=r[15] or (form.version if form else meta.get("form_version", "")),
                values=decode(keyed(r[8])), cells=shared_cells(r[9]), sheet=r[16] or "",
                located_by=r[6] or "", meta=meta, notes=tuple(_note_of(n) for n in json.loads(r[10])),
                source=r[12],
            )
            out.append(ReturnRecord(
                sub, sha256=r[1], school_id=r[2], identified_by=r[3] or "", review=Note.from_json(r[4]),
                received_at=r[5], findings=tuple(Finding.from_dict(d) for d in json.loads(r[11])),
                id=r[0], original_name=r[12], archived=r[13],
            ))
        return out


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


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
