"""A Word document as the reader's port sees a workbook: one sheet of its paragraphs and tables.

Annex 5 went out with the plan as a Word table and many schools fill it in Word. Laid out as
rows — a paragraph is a row of one cell, a table's rows follow with Word's merges kept as a
spreadsheet keeps them — the document is found by the same label search as a retyped workbook,
read by the same normalisation and checked by the same rules. Only the cells' names differ: a
Word table has no A1 addresses, so a finding points at "表格第 6 行“合计”栏".
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Mapping

from .port import Grid, check_size
from .wordml import Table, read_body

SHEET = "Word 正文"
_NUMBER = re.compile(r"\s*\d+(?:\.\d+)?\s*")


class DocxWorkbook:
    format = "docx"

    def __init__(self, path: Path, fmt: str = "docx") -> None:
        self.format = fmt
        body = read_body(path, fmt)
        self.title = body.title
        self._grid: Grid = []
        self._names: dict[int, tuple[str, int, int, Table | None]] = {}  # grid row -> where it came from
        paragraph = table_no = 0
        for block in body.blocks:
            if isinstance(block, str):
                paragraph += 1
                self._names[len(self._grid) + 1] = ("p", paragraph, 0, None)
                self._grid.append([block])
            else:
                table_no += 1
                for i, row in enumerate(block.rows, start=1):
                    self._names[len(self._grid) + 1] = ("t", table_no, i, block)
                    self._grid.append([_value(c) for c in row])
        check_size(SHEET, len(self._grid), sum(len(r) for r in self._grid))
        self._tables = table_no

    def sheet_names(self) -> list[str]:
        return [SHEET]

    def is_visible(self, sheet: str) -> bool:
        return True

    def grid(self, sheet: str) -> Grid:
        return self._grid

    def formulas(self, sheet: str) -> Mapping[str, str]:
        return {}

    def close(self) -> None:
        pass

    def cell_name(self, row: int, col: int) -> str:
        """Where a value is, in the words a school finds it by in Word."""
        kind, number, index, table = self._names.get(row, ("p", row, 0, None))
        if kind == "p":
            return f"正文第 {number} 段"
        where = f"第 {number} 个表格" if self._tables > 1 else "表格"
        head = _head(table, index, col) if table is not None else ""
        return f"{where}第 {index} 行“{head}”栏" if head else f"{where}第 {index} 行第 {col} 格"


def _value(text: str) -> Any:
    """A cell's text as a spreadsheet would keep what was typed: a plain number as a number."""
    stripped = text.strip()
    if re.fullmatch(r"\d+", stripped):
        return int(stripped)
    if re.fullmatch(r"\d+\.\d+", stripped):
        return float(stripped)
    return text


def _head(table: Table, index: int, col: int) -> str:
    """The column's head: the nearest row above holding only text, with text in this column."""
    for row in reversed(table.rows[: index - 1]):
        if any(_NUMBER.fullmatch(c) for c in row if c):
            continue
        if col <= len(row) and row[col - 1].strip():
            return row[col - 1].strip().replace("\n", "")
    return ""
