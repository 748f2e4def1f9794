"""What the ledger hands out: a received file, a document, a return; and how a return's JSON is
fetched from the file and decoded when first asked for (``StoredReturns``).

A province's 10,000 returns must not cost 170 MB to list: a record carries what the states need,
and its submission and findings are ``Later`` values, decoded once, sharing what returns share.
"""

from __future__ import annotations

import errno
import json
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from ...deferred import Deferred, settled
from ...findings import Finding, Levels
from ...form.declaration import Form
from ...form.types import FieldType, same
from ...messages import Note
from ...reading.submission import Explanation, Normalisation, Submission


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


class StoredReturns:
    """The JSON of the returns one ``returns`` call listed, fetched from the ledger file when first
    asked for, through a connection of its own opened and closed on the spot (so in whatever
    thread asks, even after the collection was closed). The first few of a part (submissions,
    findings) come one by one, as when the clerk selects a school; past those, all the others at
    once, decoded as they stream in, as an output that reads every return wants them.

    A return's submission never changes once recorded; its findings change only when the clerk
    assigns it, which a new overview follows. Decoding shares what returns have in common."""

    ONE_BY_ONE = 8
    _SUBMISSION = ("id, located_by, meta_json, values_json, cells_json, notes_json, form_id, form_version, sheet,"
                   " explanations_json")
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
        self.decode = value_decoder(form)

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
                    ready[r[0]] = self._submission(r) if part == "submission" else decode_findings(r[1])
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
            located_by=r[1] or "", meta=meta, notes=tuple(note_of(n) for n in json.loads(r[5])),
            source=self.names[r[0]], explanations=explanations_of(r[9]),
        )

    def _keyed(self, text: str) -> dict:
        words = self.words
        return {words.setdefault(k, k): v for k, v in json.loads(text).items()}


def decode_findings(text: str) -> tuple[Finding, ...]:
    return tuple(Finding.from_dict(d) for d in json.loads(text)) if text != "[]" else ()


def levels_columns(findings: Iterable[Finding]) -> tuple[int, str, str]:
    levels = Levels.of(findings)
    return levels.errors, " ".join(sorted(levels.warnings)), " ".join(sorted(levels.unexplained))


NO_FINDINGS = Levels()


def levels_of(errors: int | None, warnings: str | None, unexplained: str | None = None) -> Levels | None:
    if errors is None:
        return None
    if not errors and not warnings and not unexplained:
        return NO_FINDINGS
    return Levels(errors, frozenset(warnings.split()) if warnings else frozenset(),
                  frozenset(unexplained.split()) if unexplained else frozenset())


def explanations_json(explanations: Iterable[Explanation]) -> str:
    return dump([{"rule": e.rule, "text": e.text, "cell": e.cell} for e in explanations])


def explanations_of(text: str | None) -> tuple[Explanation, ...]:
    if not text or text == "[]":
        return ()
    return tuple(Explanation(d.get("rule", ""), d.get("text", ""), d.get("cell", "")) for d in json.loads(text))


def values_json(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: FieldType.to_json(v) for k, v in values.items()}


def value_decoder(form: Form | None):
    if form is None:
        return lambda values: values
    typed = {f.id: f.kind.from_json for f in form.fields if f.kind.from_json is not same}
    if not typed:
        return lambda values: values
    return lambda values: {k: typed[k](v) if k in typed else v for k, v in values.items()}


def note_json(n: Normalisation) -> dict[str, Any]:
    return {"field": n.field, "cell": n.cell, "raw": jsonable(n.raw), "value": jsonable(n.value), "kind": n.kind}


def note_of(d: dict) -> Normalisation:
    return Normalisation(d.get("field", ""), d.get("cell", ""), d.get("raw"), d.get("value"), d.get("kind", ""))


def jsonable(v: object) -> object:
    return v if isinstance(v, (int, float, str, bool)) or v is None else str(v)


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # made once: five texts a return


def dump(obj: Any) -> str:
    return _ENCODER.encode(obj)
