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
from typing import Any, Iterator

from ..checks.findings import Finding
from .roster import School

SCHEMA_VERSION = "1"

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
    outcome TEXT NOT NULL,        -- return | unreadable | unidentified | container
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
    findings_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS returns_school ON returns(school_id, received_at);
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
class ReturnRecord:
    sha256: str
    school_id: str | None
    identified_by: str
    review: str
    received_at: str
    located_by: str
    meta: dict
    values: dict
    cells: dict
    notes: list
    findings: tuple[Finding, ...]
    id: int | None = None
    original_name: str = ""
    archived: str = ""


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
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))

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
        self.db.executemany(
            "INSERT INTO schools VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(s.id, i, s.name, s.stage, s.parent, s.contact, s.phone, s.email) for i, s in enumerate(schools)],
        )

    def schools(self) -> list[School]:
        rows = self.db.execute(
            "SELECT id, name, stage, parent, contact, phone, email FROM schools ORDER BY seq"
        ).fetchall()
        return [School(*r) for r in rows]

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
        cur = self.db.execute(
            "INSERT INTO returns (sha256, school_id, identified_by, review, received_at, located_by, meta_json,"
            " values_json, cells_json, notes_json, findings_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (rec.sha256, rec.school_id, rec.identified_by, rec.review, rec.received_at, rec.located_by,
             _dump(rec.meta), _dump(rec.values), _dump(rec.cells), _dump(rec.notes),
             _dump([f.to_dict() for f in rec.findings])),
        )
        return int(cur.lastrowid)

    def update_return(self, return_id: int, *, school_id: str | None, identified_by: str, review: str,
                      findings: tuple[Finding, ...]) -> None:
        self.db.execute(
            "UPDATE returns SET school_id = ?, identified_by = ?, review = ?, findings_json = ? WHERE id = ?",
            (school_id, identified_by, review, _dump([f.to_dict() for f in findings]), return_id),
        )

    def returns(self) -> list[ReturnRecord]:
        """Every return, oldest first. A province's 10,000 take about 30 MB, not 170: the field
        ids are one string each however many returns use them, and the cells of returns read by
        the layout (one JSON text for all of them) are one dict, shared: treat records as read-only."""
        rows = self.db.execute(
            "SELECT r.id, r.sha256, r.school_id, r.identified_by, r.review, r.received_at, r.located_by, r.meta_json,"
            " r.values_json, r.cells_json, r.notes_json, r.findings_json, f.original_name, f.archived"
            " FROM returns r JOIN files f USING (sha256) ORDER BY r.received_at, r.id"
        )
        words: dict[str, str] = {}  # one copy of each key (and of each meta value: form, district...)
        cells: dict[str, dict] = {}  # JSON text -> parsed, for texts many returns share

        def keyed(text: str) -> dict:
            return {words.setdefault(k, k): v for k, v in json.loads(text).items()}

        def shared_cells(text: str) -> dict:
            if text not in cells:
                cells[text] = keyed(text)
            return cells[text]

        return [
            ReturnRecord(
                id=r[0], sha256=r[1], school_id=r[2], identified_by=r[3] or "", review=r[4] or "",
                received_at=r[5], located_by=r[6] or "",
                meta={words.setdefault(k, k): words.setdefault(v, v) if isinstance(v, str) else v
                      for k, v in json.loads(r[7]).items()},
                values=keyed(r[8]), cells=shared_cells(r[9]),
                notes=[{words.setdefault(k, k): v for k, v in n.items()} for n in json.loads(r[10])],
                findings=tuple(Finding.from_dict(d) for d in json.loads(r[11])),
                original_name=r[12], archived=r[13],
            )
            for r in rows
        ]


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
