"""Items the clerk types and the inspectors' list (问题清单.xlsx / .csv) made into new items.

A list is taken whole or not at all: one unknown school, one row without its problem, one
deadline that is not a date, and nothing of it is imported; every bad row is named with its row
number (as Excel numbers it) and what to write instead, so the clerk fixes the list once and
imports it again. Importing the same list twice would double every item: rows already in the
register are refused the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from ..store.folder import CollectionError
from ..store.names import NameIndex, fold
from ..store.roster import School, RosterError, read_table
from ..store.roster import cell_text
from ...form.values import normalise_date
from ...messages import Note
from .order import OrderForm
from .records import Item, NewItem

_HEADER_ROWS = 20  # a title and a note may stand above the header
LISTS = (".xlsx", ".xlsm", ".xls", ".et", ".ods", ".csv", ".txt")


@dataclass(frozen=True)
class RowProblem:
    row: int  # as Excel numbers it (1 = the first row)
    text: str


class ImportRefused(CollectionError):
    """A list refused whole; ``problems`` names every bad row."""

    def __init__(self, source: str, problems: list[RowProblem]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  第 {p.row} 行：{p.text}" for p in problems)
        super().__init__(Note.of("text", text=f"{source} 有 {len(problems)} 行有问题，整个清单没有导入（一项也没有导入），"
                                              f"请改正后重新导入：\n{lines}"))


def check_item(order: OrderForm, index: NameIndex, school: str, problem: str, requirement: str, due: Any,
               where: str = "clerk") -> tuple[NewItem | None, list[str]]:
    """One item as typed: the new item, or what is wrong with it (each a sentence)."""
    labels = order.columns
    wrong = []
    sid = index.match(school) if school else None
    if not school:
        wrong.append(f"没有填写{labels['school'][0]}")
    elif sid is None:
        wrong.append(f"名单中没有“{school}”这所学校，请写名单上的学校名称")
    if not problem:
        wrong.append(f"没有填写{labels['problem'][0]}")
    day = normalise_date(due)
    if due in (None, ""):
        wrong.append(f"没有填写{labels['due'][0]}，请写成 2023-12-10 的形式")
    elif day.value is None:
        wrong.append(f"{labels['due'][0]}“{cell_text(due)}”不是日期，请写成 2023-12-10 的形式")
    if wrong:
        return None, wrong
    return NewItem(sid, problem, requirement, day.value.isoformat(), where), []


def parse_list(rows: list[list], source: str, order: OrderForm, index: NameIndex,
               existing: Iterable[Item] = ()) -> list[NewItem]:
    """The inspectors' list as new items; ``ImportRefused`` naming every bad row."""
    at, columns = _header(rows, order)
    if at is None:
        wanted = "、".join(order.columns[k][0] for k in ("school", "problem", "requirement", "due"))
        raise CollectionError(Note.of("list-no-header", source=source, wanted=wanted))
    seen = {(i.school_id, i.problem, i.due): i.id for i in existing}
    new: list[NewItem] = []
    problems: list[RowProblem] = []
    for n, row in enumerate(rows[at + 1:], start=at + 2):
        def get(key: str) -> Any:
            j = columns.get(key)
            return row[j] if j is not None and j < len(row) else None

        if not any(cell_text(c) for c in row):
            continue
        due = get("due")
        item, wrong = check_item(order, index, cell_text(get("school")), cell_text(get("problem")),
                                 cell_text(get("requirement")), due.strip() if isinstance(due, str) else due,
                                 f"{source} 第 {n} 行")
        if item is not None and (item.school_id, item.problem, item.due) in seen:
            wrong = [f"这一项已经在整改台账中（第 {seen[(item.school_id, item.problem, item.due)]} 项），请不要重复导入"]
        if wrong:
            problems.append(RowProblem(n, "；".join(wrong)))
        else:
            new.append(item)
    if problems:
        raise ImportRefused(source, problems)
    if not new:
        raise CollectionError(Note.of("list-empty", source=source))
    return new


def read_list(path: Path, order: OrderForm, schools: list[School], levels: "str | tuple[str, ...]",
              existing: Iterable[Item] = ()) -> list[NewItem]:
    path = Path(path)
    if not path.is_file():
        raise CollectionError(Note.of("list-missing", path=path))
    if path.suffix.lower() not in LISTS:
        raise CollectionError(Note.of("list-not-a-table", name=path.name))
    try:
        rows = read_table(path, "问题清单")
    except RosterError as exc:
        raise CollectionError(str(exc)) from None
    index = NameIndex({s.id: s.name for s in schools}, levels)
    return parse_list(rows, path.name, order, index, existing)


def _header(rows: list[list], order: OrderForm) -> tuple[int | None, dict[str, int]]:
    """The first row naming the school, the problem and the deadline, and where each column is."""
    for i, row in enumerate(rows[:_HEADER_ROWS]):
        cells = [fold(cell_text(c)).replace(" ", "") for c in row]
        found = {}
        for key, names in order.columns.items():
            wanted = {fold(n) for n in names}
            j = next((j for j, c in enumerate(cells) if c in wanted), None)
            if j is not None:
                found[key] = j
        if {"school", "problem", "due"} <= set(found):
            return i, found
    return None, {}
