"""The register's tables in the collection's ledger (``ledger.sqlite``), beside the returns.

Kept apart from ``collection.ledger`` (which knows returns, documents and decisions) but in the
same file and the same transactions: an item, its 督办单 and the record of what went out are
written together or not at all, and a 督办单's answer is recorded in the transaction that
records the file itself (``collect``). The tables are made the first time a collection is
used for this, and grow as the ledger's own do: columns added since a version are added on open
(``_ADDED_COLUMNS``), and ``meta`` says which version the tables are at.
"""

from __future__ import annotations

import sqlite3
from typing import Iterable

from ..store.ledger import Ledger
from ..store.schema import apply_schema
from .records import Answer, Event, Item, NewItem, Sheet

SCHEMA_KEY = "supervision_schema"
SCHEMA_VERSION = "1"
_ADDED_COLUMNS: dict[str, tuple[str, ...]] = {}  # table -> "name TYPE" added since version 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS supervision_items (
    id INTEGER PRIMARY KEY,
    school_id TEXT NOT NULL,
    problem TEXT NOT NULL,
    requirement TEXT NOT NULL DEFAULT '',
    due TEXT NOT NULL,                 -- YYYY-MM-DD
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',   -- clerk, or the inspectors' list and its row
    sheet TEXT NOT NULL DEFAULT ''     -- the 督办单 编号 it went out on ('' until issued)
);
CREATE TABLE IF NOT EXISTS supervision_sheets (
    number TEXT PRIMARY KEY,           -- the 编号 as printed
    seq INTEGER NOT NULL UNIQUE,       -- the running number in this collection
    school_id TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    by TEXT NOT NULL DEFAULT '',
    file TEXT NOT NULL DEFAULT ''      -- the .docx written, inside the collection folder
);
CREATE TABLE IF NOT EXISTS supervision_events (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES supervision_items(id),
    kind TEXT NOT NULL,                -- close | reopen
    note TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    by TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS supervision_answers (
    sha256 TEXT NOT NULL,              -- a received document (files.sha256)
    sheet TEXT NOT NULL,               -- the 督办单 it answers
    by TEXT NOT NULL,                  -- number | keywords | clerk
    at TEXT NOT NULL,
    PRIMARY KEY (sha256, sheet)
)
"""


class Store:
    """The register's reads and writes over one open ledger. Writes expect the caller's
    transaction (``ledger.transaction()``), so several go together."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.db = ledger.db
        self.ready = self._ready()

    def _ready(self) -> bool:
        """Make the tables once; False where the ledger cannot be written and has none (reads
        then find nothing, as in a collection that never had an item)."""
        if self.ledger.get(SCHEMA_KEY) == SCHEMA_VERSION:
            return True
        try:
            if self.db.in_transaction:
                self._make()
            else:
                with self.ledger.transaction():
                    self._make()
        except sqlite3.OperationalError:  # a read-only copy of a collection
            return bool(self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'supervision_items'").fetchone())
        return True

    def _make(self) -> None:
        apply_schema(self.db, SCHEMA, _ADDED_COLUMNS)
        self.ledger.put(SCHEMA_KEY, SCHEMA_VERSION)

    # --- items ---
    def add_items(self, new: Iterable[NewItem], at: str, by: str) -> list[int]:
        ids = []
        for n in new:
            cur = self.db.execute(
                "INSERT INTO supervision_items (school_id, problem, requirement, due, created_at, created_by, source)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)", (n.school_id, n.problem, n.requirement, n.due, at, by, n.source))
            ids.append(int(cur.lastrowid))
        return ids

    def items(self) -> list[Item]:
        if not self.ready:
            return []
        rows = self.db.execute("SELECT id, school_id, problem, requirement, due, created_at, created_by, source, sheet"
                               " FROM supervision_items ORDER BY id")
        return [Item(*r) for r in rows]

    # --- sheets ---
    def next_seq(self) -> int:
        return int(self.db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM supervision_sheets").fetchone()[0])

    def add_sheet(self, sheet: Sheet, item_ids: Iterable[int]) -> None:
        self.db.execute("INSERT INTO supervision_sheets (number, seq, school_id, issued_at, by, file)"
                        " VALUES (?, ?, ?, ?, ?, ?)", (sheet.number, sheet.seq, sheet.school_id, sheet.issued_at,
                                                       sheet.by, sheet.file))
        self.db.executemany("UPDATE supervision_items SET sheet = ? WHERE id = ? AND sheet = ''",
                            [(sheet.number, i) for i in item_ids])

    def sheets(self) -> list[Sheet]:
        if not self.ready:
            return []
        rows = self.db.execute("SELECT number, seq, school_id, issued_at, by, file FROM supervision_sheets ORDER BY seq")
        return [Sheet(*r) for r in rows]

    # --- the clerk's close and reopen ---
    def add_event(self, item_id: int, kind: str, note: str, at: str, by: str) -> int:
        cur = self.db.execute("INSERT INTO supervision_events (item_id, kind, note, at, by) VALUES (?, ?, ?, ?, ?)",
                              (item_id, kind, note, at, by))
        return int(cur.lastrowid)

    def events(self) -> list[Event]:
        if not self.ready:
            return []
        return [Event(*r) for r in self.db.execute("SELECT id, item_id, kind, note, at, by FROM supervision_events"
                                                   " ORDER BY id")]

    # --- answers (evidence) ---
    def add_answers(self, sha256: str, sheets: Iterable[str], by: str, at: str) -> None:
        self.db.executemany("INSERT OR IGNORE INTO supervision_answers (sha256, sheet, by, at) VALUES (?, ?, ?, ?)",
                            [(sha256, s, by, at) for s in sheets])

    def answers(self) -> list[Answer]:
        if not self.ready:
            return []
        rows = self.db.execute(
            "SELECT a.sha256, a.sheet, a.by, a.at, COALESCE(f.original_name, ''), COALESCE(f.archived, '')"
            " FROM supervision_answers a LEFT JOIN files f USING (sha256) ORDER BY a.at, f.rowid")
        return [Answer(*r) for r in rows]
