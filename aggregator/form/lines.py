"""Where a declaration says what: the line of each table, entry and key, and the problems found,
each pointing at its line (``dudao check-form``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TABLE = re.compile(r"^\s*\[\[?\s*([A-Za-z_]+)\s*\]\]?\s*(?:#.*)?$")


@dataclass(frozen=True)
class FormProblem:
    """One mistake in a declaration: what kind, where (section, field or rule), and the fix."""

    kind: str  # stable id, one per kind of mistake (tests and tools key on it)
    where: str  # 节“…” / 字段 … / 规则 … / [form]
    message: str  # Chinese
    line: int = 0
    source: str = ""

    def __str__(self) -> str:
        at = f"{self.source}:{self.line}" if self.line else self.source
        return f"{at}: {self.where}: {self.message}" if at else f"{self.where}: {self.message}"


class Locator:
    """Line numbers in the declaration's text: of the n-th ``[[sections]]`` table, and of an
    entry or key inside it. TOML parsers give values, not lines; a declaration is small and
    regular enough to find them again by text."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.tables: list[tuple[str, int]] = []  # (table name, 1-based line) in order
        for i, line in enumerate(self.lines, start=1):
            m = _TABLE.match(line)
            if m:
                self.tables.append((m.group(1), i))

    def table(self, name: str, index: int = 0) -> tuple[int, int]:
        """First and last line of the ``index``-th table called ``name`` (0, 0 if absent)."""
        seen = -1
        for k, (table, line) in enumerate(self.tables):
            if table == name:
                seen += 1
                if seen == index:
                    end = self.tables[k + 1][1] - 1 if k + 1 < len(self.tables) else len(self.lines)
                    return line, end
        return 0, 0

    def find(self, name: str, index: int = 0, *, key: str = "", entry: str = "") -> int:
        """The line of ``key = `` or of the inline entry with ``id = "entry"`` in that table,
        else the table's own line."""
        first, last = self.table(name, index)
        if not first:
            return 0
        if entry:
            pattern = re.compile(r"""\bid\s*=\s*["']""" + re.escape(entry) + r"""["']""")
        elif key:
            pattern = re.compile(r"^\s*" + re.escape(key) + r"\s*=")
        else:
            return first
        for i in range(first, last + 1):
            if pattern.search(self.lines[i - 1]):
                return i
        return first


class Problems:
    def __init__(self, source: str, locator: Locator) -> None:
        self.source = source
        self.at = locator
        self.items: list[FormProblem] = []

    def add(self, kind: str, where: str, message: str, line: int = 0) -> None:
        self.items.append(FormProblem(kind, where, message, line, self.source))
