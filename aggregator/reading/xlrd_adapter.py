"""The .xls adapter: xlrd, pure Python.

calamine reads .xls too, and faster, but a damaged .xls can make it request tens of gigabytes
and abort the whole process (found by fuzzing: one in a few hundred randomly damaged files);
.xls has no checksums to catch the damage first, as the zip formats do. xlrd raises instead,
and a small return still reads in about a millisecond. xlrd also reports saved error values
(#DIV/0!) that calamine shows as blank.
"""

from __future__ import annotations

import struct

import xlrd
from xlrd.compdoc import CompDocError

from .errors import UnreadableFile
from .port import Grid, check_size, whole_numbers
from .sniff import Sniffed

# What xlrd raises on a damaged file: its own errors and the ones its parser lets through.
_ERRORS = (xlrd.XLRDError, CompDocError, AssertionError, LookupError, ValueError, TypeError, AttributeError,
           struct.error, UnicodeDecodeError, EOFError, OverflowError, ZeroDivisionError, MemoryError)


def _unreadable(exc: BaseException) -> UnreadableFile:
    if "encrypted" in str(exc).lower() or "password" in str(exc).lower():
        return UnreadableFile("encrypted")
    return UnreadableFile("corrupt")


class XlrdWorkbook:
    def __init__(self, sniffed: Sniffed) -> None:
        self.format = sniffed.format
        self._grids: dict[str, Grid] = {}
        try:
            self._book = xlrd.open_workbook(str(sniffed.path), on_demand=True, logfile=_Silent())
            self._names = self._book.sheet_names()
        except _ERRORS as exc:
            raise _unreadable(exc) from exc

    def sheet_names(self) -> list[str]:
        return self._names

    def _sheet(self, name: str):
        try:
            return self._book.sheet_by_name(name)
        except _ERRORS as exc:
            raise _unreadable(exc) from exc

    def is_visible(self, sheet: str) -> bool:
        return self._sheet(sheet).visibility == 0

    def grid(self, sheet: str) -> Grid:
        if sheet not in self._grids:
            self._grids[sheet] = self._read(sheet)
        return self._grids[sheet]

    def _read(self, name: str) -> Grid:
        ws = self._sheet(name)
        check_size(name, ws.nrows, ws.nrows * ws.ncols)
        rows = []
        try:
            for r in range(ws.nrows):
                types, values = ws.row_types(r), ws.row_values(r)
                rows.append([self._value(t, v) for t, v in zip(types, values, strict=False)])
        except _ERRORS as exc:
            raise _unreadable(exc) from exc
        return whole_numbers(rows)

    def _value(self, kind: int, value):
        if kind == xlrd.XL_CELL_TEXT or kind == xlrd.XL_CELL_NUMBER:
            return value
        if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            return ""
        if kind == xlrd.XL_CELL_BOOLEAN:
            return bool(value)
        if kind == xlrd.XL_CELL_ERROR:
            return xlrd.error_text_from_code.get(value, "#VALUE!")
        if kind == xlrd.XL_CELL_DATE:
            try:
                return xlrd.xldate_as_datetime(value, self._book.datemode)
            except (xlrd.xldate.XLDateError, ValueError, OverflowError):
                return value
        return value

    def formulas(self, sheet: str) -> dict[str, str]:
        """Nothing to add: Excel always saves results in .xls, and errors are in the grid."""
        return {}

    def close(self) -> None:
        self._book.release_resources()


class _Silent:
    """xlrd writes warnings about odd records to stdout; a received file is not the console's."""

    def write(self, text: str) -> None:
        pass
