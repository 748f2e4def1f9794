"""The reference adapter: openpyxl, for .xlsx/.xlsm only.

Slower than calamine but it reads formulas (``data_only=False``), which makes it the second
opinion in the contract tests and the fallback for a file calamine cannot open. openpyxl is
imported here only, so the fast path never loads it. openpyxl parses XML through defusedxml
when installed (a dependency), and ``sniff`` has already refused DOCTYPEs and zip bombs.
"""

from __future__ import annotations

import zipfile
import zlib
from xml.etree.ElementTree import ParseError

from .errors import UnreadableFile
from .port import Grid, check_size, whole_numbers
from .sniff import Sniffed


def _load(path: str, data_only: bool):
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    errors = (InvalidFileException, zipfile.BadZipFile, zlib.error, KeyError, ValueError, TypeError,
              IndexError, AttributeError, ParseError, EOFError, OSError)
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=data_only, keep_links=False)
    except errors as exc:
        raise UnreadableFile("corrupt") from exc


class OpenpyxlWorkbook:
    def __init__(self, sniffed: Sniffed) -> None:
        if sniffed.format not in ("xlsx", "xlsm"):
            raise ValueError(f"openpyxl does not read {sniffed.format}")
        self.format = sniffed.format
        self._path = str(sniffed.path)
        self._wb = _load(self._path, data_only=True)
        self._formula_wb = None
        self._grids: dict[str, Grid] = {}
        self._formulas: dict[str, dict[str, str]] = {}

    def sheet_names(self) -> list[str]:
        return list(self._wb.sheetnames)

    def is_visible(self, sheet: str) -> bool:
        return self._wb[sheet].sheet_state == "visible"

    def grid(self, sheet: str) -> Grid:
        if sheet not in self._grids:
            self._grids[sheet] = self._read(sheet)
        return self._grids[sheet]

    def _read(self, sheet: str) -> Grid:
        ws = self._wb[sheet]
        if not hasattr(ws, "iter_rows"):  # a chart sheet
            return []
        ws.reset_dimensions()  # the saved <dimension> may lie; read what is there
        rows: Grid = []
        count = 0
        for row in ws.iter_rows(min_row=1, min_col=1, values_only=True):
            rows.append(list(row))
            count += len(row)
            check_size(sheet, len(rows), count)
        width = max((len(r) for r in rows), default=0)
        for r in rows:  # read-only rows are ragged; pad so columns line up
            r.extend([None] * (width - len(r)))
        return whole_numbers(rows)

    def formulas(self, sheet: str) -> dict[str, str]:
        """Formulas of cells whose saved value is missing (openpyxl shows saved errors as text)."""
        if sheet in self._formulas:
            return self._formulas[sheet]
        if self._formula_wb is None:
            self._formula_wb = _load(self._path, data_only=False)
        grid = self.grid(sheet)
        out = {}
        ws = self._formula_wb[sheet]
        if hasattr(ws, "iter_rows"):
            ws.reset_dimensions()
            for r, row in enumerate(ws.iter_rows(min_row=1, min_col=1), start=1):
                for cell in row:
                    value = getattr(cell, "value", None)
                    if isinstance(value, str) and cell.data_type == "f" and _blank(grid, r, cell.column):
                        out[cell.coordinate] = value
                    elif value is not None and hasattr(value, "text"):  # ArrayFormula
                        if _blank(grid, r, cell.column):
                            out[cell.coordinate] = value.text
        self._formulas[sheet] = out
        return out

    def close(self) -> None:
        self._wb.close()
        if self._formula_wb is not None:
            self._formula_wb.close()


def _blank(grid: Grid, row: int, col: int) -> bool:
    if row > len(grid) or col > len(grid[row - 1]):
        return True
    return grid[row - 1][col - 1] in (None, "")
