"""The clerk's review of the grouped problems, carried into the next summary and the upward one.

The engine groups what schools wrote (``similar``); the clerk rewords a group, corrects its school
count or moves the rows in the working summary's 归纳 sheet, and saves it. The next ``consolidate``
reads that sheet back, so her wording is what the form shows and what goes upward as plain
values. Beside each row the sheet keeps (hidden) what the engine wrote, to tell her edits from its
own words and to see whether the schools' data changed since: then the grouping is new and her old
edits are not applied to it (she is told to review again).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable

from ...form.declaration import Form, Section
from ...messages import Note
from ...reading.calamine_adapter import CalamineWorkbook
from ...reading.errors import UnreadableFile
from ...reading.port import SheetTooLarge
from ...reading.sniff import sniff
from .similar import ProblemGroup

FIRST = 3  # the first group's row of the 归纳 sheet: row 1 says what it is, row 2 is the head
TEXT, WEIGHT, ENGINE_TEXT, ENGINE_WEIGHT = 2, 3, 7, 8  # columns: B, C, then the hidden G, H


@dataclass(frozen=True)
class Reviewed:
    """One row of the 归纳 sheet as the clerk left it, beside what the engine had written there."""

    text: str
    weight: int
    engine_text: str
    engine_weight: int

    @property
    def edited(self) -> bool:
        return self.text != self.engine_text or self.weight != self.engine_weight


def sheet_label(section: Section) -> str:
    return f"{section.label or section.id}归纳"


def read_review(path: Path, form: Form) -> dict[str, list[Reviewed]]:
    """Lines section id -> its 归纳 sheet's rows, from the working summary at ``path`` (nothing
    when there is none, or it cannot be read: then there is nothing reviewed to carry).

    Read as a school's return is, through ``sniff``'s guards and calamine, values as saved (the
    clerk's Excel or WPS saved them): openpyxl took 27 ms to open a 1,000 schools' summary for
    these few rows, calamine takes 1 ms."""
    wanted = {sheet_label(s): s.id for s in form.sections if s.kind == "lines"}
    if not wanted or not path.is_file():
        return {}
    sniffed = None
    try:
        sniffed = sniff(path)
        if sniffed.format not in ("xlsx", "xlsm"):  # saved as another format: not the summary we wrote
            return {}
        wb = CalamineWorkbook(sniffed)
        try:
            return {wanted[name]: _rows(wb.grid(name)[FIRST - 1:]) for name in wb.sheet_names() if name in wanted}
        finally:
            wb.close()
    except (OSError, UnreadableFile, SheetTooLarge):
        return {}
    finally:
        if sniffed is not None:
            sniffed.discard()


def _rows(rows: Iterable[tuple[Any, ...]]) -> list[Reviewed]:
    out = []
    for row in rows:
        cells = list(row) + [None] * ENGINE_WEIGHT
        engine = _text(cells[ENGINE_TEXT - 1])
        if not engine:  # not a row the engine wrote (a note the clerk added below, say)
            continue
        out.append(Reviewed(_text(cells[TEXT - 1]), _count(cells[WEIGHT - 1]), engine, _count(cells[ENGINE_WEIGHT - 1])))
    return out


def apply_review(groups: list[ProblemGroup], rows: list[Reviewed]) -> tuple[list[ProblemGroup], bool | None]:
    """The groups in the clerk's order and words. Returns (groups, kept): kept is None when she
    changed nothing, True when her edits were applied, False when the schools' data changed since
    (a row she kept names a group the engine no longer makes the same): then the engine's groups."""
    if not rows or (not any(r.edited for r in rows) and [r.engine_text for r in rows] == [g.text for g in groups]):
        return groups, None
    by_text = {g.text: g for g in groups}
    if any(r.engine_text not in by_text or by_text[r.engine_text].weight != r.engine_weight for r in rows):
        return groups, False
    listed = [replace(by_text[r.engine_text], text=r.text or r.engine_text, weight=r.weight,
                      grouped=(r.engine_text, r.engine_weight)) for r in rows]
    shown = {r.engine_text for r in rows}
    return listed + [g for g in groups if g.text not in shown], True


def review_note(kept: bool | None, section: Section) -> Note | None:
    if kept is None:
        return None
    key = "problems-review-kept" if kept else "problems-review-stale"
    return Note.of(key, sheet=sheet_label(section), label=section.label)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _count(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, (int, float)):
        return max(int(value), 0)
    try:
        return max(int(float(str(value).strip())), 0)
    except ValueError:
        return 0
