"""What a school is told, item by item: connected findings become one item with one fix.

Four findings about 存在问题 and its neighbours are one thing to put right, not four: the school
reads the problems together and the one correction they share (``checks.repair``). Every text a
school receives (the marked workbook, the e-mail, the chat text, the phone page) lists these
items, so all of them say the same thing in the same order: errors first, then what to explain
(or correct), then what to check.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable

from ..findings import ERROR, EXPLAIN, WARNING, Finding


def item_level(f: Finding) -> str:
    """As the school is told it: an explain finding is to be explained (or corrected) until it is
    explained (需要说明, never counted as an error), then one more thing to check, like a warning."""
    if f.level == EXPLAIN and f.explained:
        return WARNING
    return f.level


@dataclass(frozen=True)
class Item:
    level: str
    findings: tuple[Finding, ...]
    change: tuple[str, ...] = ()  # the cells the school must change (``checks.focus``); () : all its cells

    @property
    def cells(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for f in self.findings for c in f.cells))

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(x for f in self.findings for x in f.fields))

    @property
    def to_change(self) -> tuple[str, ...]:
        """The cells to change; the item's other cells only explain it."""
        return self.change or self.cells

    @property
    def grouped(self) -> bool:
        return len(self.findings) > 1

    @property
    def text(self) -> str:
        """Everything: each problem on a line, then the one fix (a lone finding: its message)."""
        if not self.grouped:
            return self.findings[0].message
        problems = "；\n".join(f.problem for f in self.findings)
        return f"{problems}。\n改法：{self.findings[0].fix}"

    @property
    def short(self) -> str:
        """For a chat line: a group's fix names its cells and says it all."""
        return f"{self.findings[0].fix}" if self.grouped else self.findings[0].message

    def as_finding(self) -> Finding:
        """The item as one finding, for the workbook marker: its cells, its whole text."""
        first = self.findings[0]
        if not self.grouped:
            return first if first.level == self.level else replace(first, level=self.level)
        return Finding(first.rule, self.level, self.text, self.fields, self.cells, fix=first.fix,
                       suggest=first.suggest, link=first.link)


def items_of(findings: Iterable[Finding]) -> list[Item]:
    """Errors, then what to explain, then warnings, each in the order found; findings sharing a
    link as one item."""
    findings = list(findings)
    out: list[Item] = []
    for level in (ERROR, EXPLAIN, WARNING):
        groups: dict[int, list[Finding]] = {}
        order: list[tuple[int, Finding]] = []
        for f in findings:
            if item_level(f) != level:
                continue
            if f.link and f.fix:
                if f.link not in groups:
                    groups[f.link] = []
                    order.append((f.link, f))
                groups[f.link].append(f)
            else:
                order.append((0, f))
        for link, f in order:
            out.append(Item(level, tuple(groups[link]) if link else (f,)))
    return out
