"""Making a ledger's tables and growing them: shared by the ledger's own tables and by the
register's (``supervision.store``), which live in the same SQLite file."""

from __future__ import annotations

import sqlite3
from typing import Mapping


def apply_schema(db: sqlite3.Connection, schema: str, added: Mapping[str, tuple[str, ...]]) -> None:
    """Make the tables of ``schema`` that are missing, and add to existing ones the columns
    added since (``added``: table -> "name TYPE …"), inside the caller's transaction."""
    for statement in _statements(schema):
        db.execute(statement)
    for table, columns in added.items():
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        for column in columns:
            if column.split()[0] not in have:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
