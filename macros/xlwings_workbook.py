"""The reader's port over a workbook open in Excel (an xlwings ``Book``).

Excel has already calculated every formula, so values are read as shown and ``formulas`` is
empty. Only what the port promises is produced: absolute coordinates (the used range may start
at C5), whole doubles as ``int``, blanks as ``None``.
"""

from __future__ import annotations

from typing import Any, Mapping

from aggregator.session import Grid, check_size, whole_numbers


class XlwingsWorkbook:
    format = "xlsx"  # what Excel holds open; the reader only uses it for notes

    def __init__(self, book: Any) -> None:
        self._book = book
        self._sheets = {s.name: s for s in book.sheets}
        self._grids: dict[str, Grid] = {}

    def sheet_names(self) -> list[str]:
        return list(self._sheets)

    def is_visible(self, sheet: str) -> bool:
        return bool(self._sheets[sheet].visible)

    def grid(self, sheet: str) -> Grid:
        if sheet not in self._grids:
            self._grids[sheet] = self._read(sheet)
        return self._grids[sheet]

    def _read(self, sheet: str) -> Grid:
        used = self._sheets[sheet].used_range
        top, left = used.row, used.column
        rows = used.options(ndim=2).value or []
        check_size(sheet, top - 1 + len(rows), (top - 1 + len(rows)) * (left - 1 + max(map(len, rows), default=0)))
        grid: Grid = [[] for _ in range(top - 1)]
        grid += [[None] * (left - 1) + list(r) for r in rows]
        return whole_numbers(grid)

    def formulas(self, sheet: str) -> Mapping[str, str]:
        return {}

    def close(self) -> None:
        """The workbook stays open in Excel: it is the user's, not ours."""
