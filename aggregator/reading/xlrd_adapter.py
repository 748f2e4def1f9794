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
from xlrd.formula import FormulaError

from .decrypt import with_default_password
from .errors import UnreadableFile
from .port import Grid, check_size, whole_numbers
from .sniff import Sniffed

# What xlrd raises on a damaged file: every exception class xlrd defines (XLRDError, CompDocError,
# FormulaError; its XLDateError family is a ValueError) and the ones its parser lets through.
_ERRORS = (xlrd.XLRDError, CompDocError, FormulaError, AssertionError, LookupError, ValueError, TypeError,
           AttributeError, struct.error, UnicodeDecodeError, EOFError, OverflowError, ZeroDivisionError, MemoryError,
           RecursionError)
_FIRST_READ_BIFF = 50  # Excel 5.0 (BIFF5); before it Excel 2.x-4.0, which xlrd reads only in part


def _unreadable(exc: BaseException, biff: int = 0) -> UnreadableFile:
    if _encrypted(exc):
        return UnreadableFile("encrypted")
    if 0 < biff < _FIRST_READ_BIFF or "BIFF" in str(exc):
        return UnreadableFile("old-excel")
    return UnreadableFile("corrupt")


def _encrypted(exc: BaseException) -> bool:
    return "encrypted" in str(exc).lower() or "password" in str(exc).lower()


def _open(sniffed: Sniffed):
    """The book, decrypted first when Excel's default password was all that protected it."""
    try:
        return xlrd.open_workbook(str(sniffed.path), on_demand=True, logfile=_Silent())
    except xlrd.XLRDError as exc:
        if not _encrypted(exc):
            raise
        data = with_default_password(sniffed.path)
        if data is None:
            raise
        return xlrd.open_workbook(file_contents=data, on_demand=True, logfile=_Silent())


class XlrdWorkbook:
    def __init__(self, sniffed: Sniffed) -> None:
        self.format = sniffed.format
        self._grids: dict[str, Grid] = {}
        try:
            self._book = _open(sniffed)
            self._names = self._book.sheet_names()
        except _ERRORS as exc:
            raise _unreadable(exc, _biff_version(sniffed)) from exc
        if not self._names and self._book.biff_version < _FIRST_READ_BIFF:  # an Excel 4.0 workbook
            raise UnreadableFile("old-excel")

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


def _biff_version(sniffed: Sniffed) -> int:
    """The BIFF version of a stream that is not in an OLE2 file (Excel 4.0 and older), else 0."""
    with open(sniffed.path, "rb") as fh:
        head = fh.read(2)
    return {b"\x09\x00": 20, b"\x09\x02": 30, b"\x09\x04": 40}.get(head, 0)


class _Silent:
    """xlrd writes warnings about odd records to stdout; a received file is not the console's."""

    def write(self, text: str) -> None:
        pass
