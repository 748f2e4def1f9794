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
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from ...deferred import Later
from ...findings import Finding
from ...form.declaration import Form
from ...messages import Note
from .roster import School
from ...reading.submission import Explanation
from .records import (DocumentRecord, FileRecord, ReturnRecord, StoredReturns, decode_findings, dump, explanations_json,
                      explanations_of, levels_columns, levels_of, note_json, values_json)
from .schema import ADDED_COLUMNS, AFTER_COLUMNS, REVISION, SCHEMA, SCHEMA_VERSION, apply_schema

__all__ = ["DocumentRecord", "FileRecord", "Ledger", "ReturnRecord", "SCHEMA_VERSION"]


class Ledger:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        self.db.execute("PRAGMA busy_timeout = 60000")
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("PRAGMA foreign_keys = ON")
        with self.transaction():
            apply_schema(self.db, SCHEMA, ADDED_COLUMNS)
            for statement in AFTER_COLUMNS:
                self.db.execute(statement)
            if self.get("schema") != SCHEMA_VERSION:
                self._sum_up_findings()
                self._move_sent_mail()
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))

    def _sum_up_findings(self) -> None:
        """Returns recorded before the ledger summed up their findings get it now, once. (A return
        an older version of the tool adds later has none: its state reads its findings.)"""
        rows = self.db.execute("SELECT id, findings_json FROM returns WHERE errors IS NULL").fetchall()
        self.db.executemany("UPDATE returns SET errors = ?, warnings = ?, unexplained = ? WHERE id = ?",
                            [(*levels_columns(decode_findings(text)), rid) for rid, text in rows])

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
        return int(self.get(REVISION, "0"))

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
             rec.received_at, rec.format, rec.title, rec.chars, dump([f.to_dict() for f in rec.findings])),
        )

    def settle_document(self, sha256: str, *, school_id: str, material: str,
                        findings: tuple[Finding, ...] | None = None) -> None:
        """The clerk says whose document it is and which material (its checks made again for it)."""
        self.db.execute("UPDATE documents SET school_id = ?, material = ?, identified_by = 'clerk', review = ''"
                        " WHERE sha256 = ?", (school_id, material, sha256))
        if findings is not None:
            self.db.execute("UPDATE documents SET findings_json = ? WHERE sha256 = ?",
                            (dump([f.to_dict() for f in findings]), sha256))

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
            " values_json, cells_json, notes_json, findings_json, form_id, form_version, sheet, errors, warnings,"
            " unexplained, explanations_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (rec.sha256, rec.school_id, rec.identified_by, rec.review.to_json() if rec.review else "",
             rec.received_at, sub.located_by, dump(dict(sub.meta)), dump(values_json(sub.values)),
             dump(dict(sub.cells)), dump([note_json(n) for n in sub.notes]),
             dump([f.to_dict() for f in rec.findings]), sub.form_id, sub.form_version, sub.sheet,
             *levels_columns(rec.findings), explanations_json(sub.explanations)),
        )
        return int(cur.lastrowid)

    def update_return(self, return_id: int, *, school_id: str | None, identified_by: str, review: Note | None,
                      findings: tuple[Finding, ...]) -> None:
        self.db.execute(
            "UPDATE returns SET school_id = ?, identified_by = ?, review = ?, findings_json = ?, errors = ?,"
            " warnings = ?, unexplained = ? WHERE id = ?",
            (school_id, identified_by, review.to_json() if review else "", dump([f.to_dict() for f in findings]),
             *levels_columns(findings), return_id),
        )

    def returns(self, form: Form | None = None) -> list[ReturnRecord]:
        """Every return, oldest first; ``form`` gives values back their types (dates).

        What the states need is read here, from the index that holds it; each return's JSON
        (its submission and findings) is fetched and decoded when first asked for (``StoredReturns``).
        A province's 10,000 take about 30 MB, not 170: the field ids are one string each however
        many returns use them, and the cells of returns read by the layout (one JSON text for
        all of them) are one dict, shared: treat records as read-only."""
        files = {sha: (name, archived) for sha, name, archived in
                 self.db.execute("SELECT sha256, original_name, archived FROM files")}
        rows = self.db.execute("SELECT id, sha256, school_id, identified_by, review, received_at, errors, warnings,"
                               " unexplained FROM returns ORDER BY received_at, id")
        names: dict[int, str] = {}
        stored = StoredReturns(self.path, form, names)
        out = []
        for rid, sha, school_id, identified_by, review, received_at, errors, warnings, unexplained in rows:
            name, archived = files.get(sha, ("", ""))
            names[rid] = name
            out.append(ReturnRecord(
                Later(lambda rid=rid: stored.submission(rid)), sha256=sha, school_id=school_id,
                identified_by=identified_by or "", review=Note.from_json(review), received_at=received_at,
                findings=Later(lambda rid=rid: stored.findings(rid)), id=rid, original_name=name, archived=archived,
                summary=levels_of(errors, warnings, unexplained),
            ))
        return out

    def figures(self, return_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """The values of the given returns as stored (JSON: numbers are numbers, dates text),
        by return id: what a check over every return compares, without the rest of each."""
        rows = self.db.execute("SELECT id, values_json FROM returns WHERE id IN (SELECT value FROM json_each(?))",
                               (json.dumps(list(return_ids)),))
        return {rid: json.loads(text) for rid, text in rows}

    def explanations(self, return_ids: Iterable[int]) -> dict[int, tuple[Explanation, ...]]:
        """The 情况说明 sheet's explanations of the given returns, by return id (those with any)."""
        rows = self.db.execute("SELECT id, explanations_json FROM returns WHERE id IN (SELECT value FROM json_each(?))"
                               " AND explanations_json IS NOT NULL AND explanations_json != '[]'",
                               (json.dumps(list(return_ids)),))
        return {rid: explanations_of(text) for rid, text in rows}

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
        columns, args = _totals(fields)
        row = self.db.execute(f"SELECT {columns} FROM returns WHERE id IN (SELECT value FROM json_each(?))",
                              (*args, json.dumps(list(return_ids)))).fetchone()
        return dict(zip(fields, row))

    def group_sums(self, groups: Mapping[str, Iterable[int]], field_ids: Iterable[str]) -> dict[str, dict[str, float]]:
        """``sums`` for several groups of returns at once (a summary's units), in one pass over
        their JSON: group -> field -> sum; a group with no return has zeros."""
        fields = list(field_ids)
        out = {group: dict.fromkeys(fields, 0.0) for group in groups}
        member = {str(rid): group for group, ids in groups.items() for rid in ids}
        if not fields or not member:
            return out
        columns, args = _totals(fields)
        rows = self.db.execute(f"SELECT g.value, {columns} FROM json_each(?) g JOIN returns"
                               " ON returns.id = CAST(g.key AS INTEGER) GROUP BY g.value",
                               (*args, json.dumps(member, ensure_ascii=False)))
        for group, *sums in rows:
            out[group] = dict(zip(fields, sums))
        return out


def _totals(fields: list[str]) -> tuple[str, list[str]]:
    """SQL adding up each field's numbers (not texts, not true/false) in ``returns.values_json``,
    and its arguments."""
    paths = [f'$."{f}"' for f in fields]  # grid field ids are dotted: "<row>.<column>"
    columns = ", ".join(
        "TOTAL(CASE WHEN json_type(returns.values_json, ?) IN ('integer', 'real')"
        " THEN json_extract(returns.values_json, ?) END)" for _ in fields)
    return columns, [a for path in paths for a in (path, path)]
