"""Last period: an earlier collection of the same form, whose figures this one is compared with.

The clerk names it (``dudao init NEW … --previous OLD``, ``dudao settings NEW --previous OLD``);
its figures are taken then, once, and kept in this collection's ledger (``PreviousPeriod``): the
earlier folder may move to a share or be zipped away, and opening this collection never opens
another one. Naming it again takes them again (late returns of last period included).

Schools are matched by name, as collect matches them (``names``), each collection forgiving its
own levels' names; a school renamed since is matched through the clerk's mapping file, two
columns headed 上期名称 and 本期名称 (.xlsx, or .csv in UTF-8 or GBK), refused whole with the row
numbers of every bad row, like the roster.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from ...messages import Note
from .folder import Collection, CollectionError, open_collection
from .ledger import Ledger
from .names import NameIndex, fold
from .roster import SPREADSHEETS, TEXTS, RosterError, School, cell_text, read_table

PREVIOUS_KEY = "previous"  # ledger meta: the snapshot, JSON
RENAME_HEADS = ("上期名称", "本期名称")


@dataclass(frozen=True)
class PreviousPeriod:
    """Last period's figures as taken from its collection: what every comparison reads."""

    folder: str  # where it was, as resolved when taken
    title: str  # its form's title with its 本级名称 (上期：某某区2022年…)
    taken_at: str
    levels: tuple[str, ...] = ()  # its own name and the levels above: prefixes its schools may carry
    figures: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # its school name -> values
    totals: Mapping[str, float] = field(default_factory=dict)  # per summed field, over those schools
    renames: Mapping[str, str] = field(default_factory=dict)  # our roster's name -> its name (the mapping)

    @property
    def key(self) -> str:
        """Changes whenever the figures or the mapping do: what caches of comparisons key on."""
        text = json.dumps([self.folder, self.taken_at, sorted(self.renames.items())], ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "PreviousPeriod":
        d = json.loads(text)
        return cls(d["folder"], d["title"], d["taken_at"], tuple(d.get("levels", ())), d.get("figures", {}),
                   d.get("totals", {}), d.get("renames", {}))

    def match(self, schools: Iterable[School], levels: Iterable[str] = ()) -> dict[str, str]:
        """Our school id -> its name last period, for every school found there: by the mapping
        first, then by name (a name the mapping gives to another school is not matched again)."""
        claimed = set(self.renames.values())
        free = {name: name for name in self.figures if name not in claimed}
        index = NameIndex(free, (*levels, *self.levels))
        out = {}
        for s in schools:
            name = self.renames.get(s.name) or index.match(s.name)
            if name is not None and name in self.figures:
                out[s.id] = name
        return out

    def values_of(self, school: School, levels: Iterable[str] = ()) -> Mapping[str, Any] | None:
        """One school's figures last period (None when it is not found there)."""
        name = self.match([school], levels).get(school.id)
        return self.figures[name] if name else None


def keep_previous(ledger: Ledger, period: PreviousPeriod | None) -> None:
    """Keep (or, None, forget) the snapshot in the ledger, in the caller's transaction."""
    if period is None:
        ledger.db.execute("DELETE FROM meta WHERE key IN (?, ?)", (PREVIOUS_KEY, f"{PREVIOUS_KEY}_key"))
        return
    ledger.put(PREVIOUS_KEY, period.to_json())
    ledger.put(f"{PREVIOUS_KEY}_key", period.key)


def previous_key(ledger: Ledger) -> str:
    """The kept snapshot's key ("" when none), without reading the snapshot."""
    return ledger.get(f"{PREVIOUS_KEY}_key")


def load_previous(ledger: Ledger) -> PreviousPeriod | None:
    text = ledger.get(PREVIOUS_KEY)
    return PreviousPeriod.from_json(text) if text else None


def open_previous(folder: str | Path, form_id: str, own: Path | None = None) -> Collection:
    """The earlier collection, refused in words that name the fix when it is none, this one
    itself, or of another form."""
    path = Path(folder)
    if own is not None and path.exists() and own.exists() and path.resolve() == own.resolve():
        raise CollectionError(Note.of("previous-itself", folder=folder))
    try:
        col = open_collection(path)
    except CollectionError:
        raise CollectionError(Note.of("previous-not-a-collection", folder=folder)) from None
    try:
        theirs = col.form
    except ValueError:  # FormError: its form file broke
        col.close()
        raise CollectionError(Note.of("previous-not-a-collection", folder=folder)) from None
    if theirs.id != form_id:
        col.close()
        raise CollectionError(Note.of("previous-other-form", folder=folder, title=theirs.title(col.settings.name)))
    return col


def read_renames(path: str | Path) -> list[tuple[int, str, str]]:
    """The mapping file's rows: (row number, 上期名称, 本期名称). Refused whole (``RosterError``)
    with the row numbers when a row lacks one of its names or repeats a name of another row."""
    path = Path(path)
    what = "名称对照表"
    if not path.exists():
        raise RosterError(f"找不到{what}：{path}")
    if path.suffix.lower() not in SPREADSHEETS + TEXTS:
        raise RosterError(f"{path.name} 不是表格文件。{what}请用 Excel 表格（.xlsx）或 .csv 文件，"
                          f"两列的第一行分别写 {RENAME_HEADS[0]}、{RENAME_HEADS[1]}")
    return parse_renames(read_table(path, what), path.name)


def parse_renames(rows: list[list], source: str = "名称对照表") -> list[tuple[int, str, str]]:
    heads = [fold(h) for h in RENAME_HEADS]
    header_at, columns = None, ()
    for i, row in enumerate(rows[:20]):
        cells = [fold(cell_text(c)).replace(" ", "") for c in row]
        if all(h in cells for h in heads):
            header_at, columns = i, tuple(cells.index(h) for h in heads)
            break
    if header_at is None:
        raise RosterError(f"{source} 中找不到“{RENAME_HEADS[0]}”和“{RENAME_HEADS[1]}”两列。"
                          f"对照表第一行应为：{RENAME_HEADS[0]}、{RENAME_HEADS[1]}，下面每行一所改了名的学校")
    out, problems = [], []
    seen: dict[str, dict[str, int]] = {"old": {}, "new": {}}
    for i, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        old, new = (cell_text(row[c]) if c < len(row) else "" for c in columns)
        if not old and not new:
            continue
        if not old or not new:
            problems.append(f"第 {i} 行没有填{RENAME_HEADS[0] if not old else RENAME_HEADS[1]}")
            continue
        for side, name in (("old", old), ("new", new)):
            if name in seen[side]:
                problems.append(f"第 {seen[side][name]} 行与第 {i} 行的"
                                f"{RENAME_HEADS[0] if side == 'old' else RENAME_HEADS[1]}重复（{name}）")
            seen[side].setdefault(name, i)
        out.append((i, old, new))
    if problems:
        raise RosterError(f"{source} 有问题，请改正后重新导入：" + "；".join(problems))
    return out
