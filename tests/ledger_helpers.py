"""A collection folder with returns put straight into its ledger: the state a collect would leave,
without reading workbooks. Findings default to the validator's verdict on the values.

Shared by the tests of the ledger and states, the summary and feedback.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
from pathlib import Path

from aggregator.checks.validate import Context, check_values
from aggregator.collection.store.folder import Collection, init_collection
from aggregator.collection.store.ledger import FileRecord, ReturnRecord
from aggregator.form.layout import layout_of
from aggregator.messages import Note
from aggregator.reading.submission import Explanation, Normalisation, Submission

from forms_helpers import FORM

LAYOUT = layout_of(FORM)
_sha = itertools.count(1)


def make_collection(tmp_path: Path, roster, name: str = "曾都区", folder: str = "col",
                    deadline: str = "2023-11-20", plan: str = "") -> Collection:
    """A new collection of ``roster``: (学校名称, 学段, 所属单位) rows; of a ``plan``'s materials if given."""
    path = tmp_path / f"{folder}.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["学校名称", "学段", "所属单位", "联系人", "联系电话", "邮箱"])
        for school, stage, parent in roster:
            w.writerow([school, stage, parent, "李老师", "13800000000", "x@example.com"])
    return init_collection(tmp_path / folder, path, name=name, deadline=deadline, plan=plan)


def add(col: Collection, school: str | None, vals: dict, *, findings=None, review: str = "",
        received_at: str = "2023-11-19T10:00:00", name: str = "",
        notes: tuple[Normalisation, ...] = (), explanations: dict[str, str] | None = None) -> ReturnRecord:
    """One return for ``school`` (None: not identified), recorded as collect records it;
    ``review``: why it waits for the clerk; ``explanations``: rule id -> what its 情况说明 sheet says."""
    sid = next(s.id for s in col.schools() if s.name == school) if school else None
    if findings is None:
        findings = check_values(FORM, vals, LAYOUT.cells, Context(in_roster=True), explanations=explanations)
    sha = hashlib.sha256(str(next(_sha)).encode()).hexdigest()
    name = name or f"{school}.xlsx"
    said = tuple(Explanation(rule, text, f"情况说明!D{4 + i}") for i, (rule, text) in enumerate((explanations or {}).items()))
    sub = Submission(FORM.id, FORM.version, dict(vals), dict(LAYOUT.cells), sheet=FORM.sheet, notes=tuple(notes),
                     explanations=said)
    ret = ReturnRecord(sub, sha, sid, "metadata" if sid else "", Note.of("text", text=review) if review else None,
                       received_at, tuple(findings))
    with col.ledger.transaction():
        col.ledger.add_file(FileRecord(sha, name, "inbox", f"archive/{sha[:8]}.xlsx", 100, received_at,
                                       received_at, "return" if sid else "unidentified"))
        col.ledger.add_return(ret)
    return ret
