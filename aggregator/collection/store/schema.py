"""The ledger's tables, and how a ledger written by an older version gains what came since.

Kept apart from ``ledger`` so the shape of the data reads in one place: what each column holds is
written beside it, and the columns added since a version are listed with the index and triggers
made once they exist.
"""

from __future__ import annotations

import sqlite3
from typing import Mapping

SCHEMA_VERSION = "4"
# Columns added since a version of the schema: a ledger written before them gains them on open.
# errors and warnings sum up findings_json (NULL: not yet, filled in on open).
# unexplained: the explain rules of a return nobody explained (NULL in a ledger older than them:
# none, its findings had no explain level); explanations_json: the 情况说明 sheet's.
ADDED_COLUMNS = {"returns": ("form_id TEXT", "form_version TEXT", "sheet TEXT", "errors INTEGER", "warnings TEXT",
                             "unexplained TEXT", "explanations_json TEXT"),
                  "schools": ("removed_at TEXT NOT NULL DEFAULT ''", "kind TEXT NOT NULL DEFAULT ''")}
# Made once the added columns exist. The index holds every column the states of the schools need,
# so working them out reads it and not the returns' JSON. The revision counts every change to the
# returns and the roster: what is worked out from all of them (outliers) is kept until it moves.
REVISION = "revision"
AFTER_COLUMNS = (
    "DROP INDEX IF EXISTS returns_state",  # schema 3's, without the unexplained rules
    "CREATE INDEX IF NOT EXISTS returns_levels ON returns(school_id, received_at, sha256, identified_by, review,"
    " errors, warnings, unexplained)",
    f"INSERT OR IGNORE INTO meta VALUES ('{REVISION}', '0')",
    *(f"CREATE TRIGGER IF NOT EXISTS {table}_{event.lower()} AFTER {event} ON {table} BEGIN"
      f" UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = '{REVISION}'; END"
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
    warnings TEXT,               -- the rules of its warnings (and explained explain findings),
    unexplained TEXT,            -- the explain rules nobody explained, each space-separated
    explanations_json TEXT       -- [{"rule", "text", "cell"}]: the 情况说明 sheet's
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


def apply_schema(db: sqlite3.Connection, schema: str, added: Mapping[str, tuple[str, ...]]) -> None:
    """Make the tables of ``schema`` that are missing, and add to existing ones the columns added
    since (``added``: table -> "name TYPE …"), inside the caller's transaction. Shared by the
    ledger's own tables and the register's (``supervision``), which live in the same SQLite file."""
    for statement in statements(schema):
        db.execute(statement)
    for table, columns in added.items():
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        for column in columns:
            if column.split()[0] not in have:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")


def statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
