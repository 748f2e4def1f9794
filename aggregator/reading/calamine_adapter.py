"""The fast path: python-calamine (Rust) for .xlsx, .xlsm, .xlsb and .ods (and .xls when xlrd
is missing: see ``xlrd_adapter`` for why .xls normally goes there).

About 40 times faster than openpyxl on a small return. Calamine gives values only: a formula
without a saved result and a saved error value both come back blank, so ``formulas`` looks at
the sheet's XML (``xlsx_parts``, ``ods_parts``) for exactly those cells.

calamine aborts the process (it does not raise) when asked to allocate absurd amounts: a value
in XFD1048576 makes a sheet of 17 billion cells. ``_read`` bounds a sheet from its XML (.xlsx)
or its records (.xlsb) before calamine opens it; ``sniff`` refuses zip bombs and absurd
shared-string counts; and collect reads every file in a worker process with a memory ceiling,
for whatever is left. Only worksheets are offered to the reader: calamine cannot read a chart
sheet as a grid (an .xlsb one raises "failed to fill whole buffer").
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from typing import Iterator, Mapping

import python_calamine as pc

from . import ods_parts, xlsb_parts, xlsx_parts
from .errors import UnreadableFile
from .port import MAX_CELLS, MAX_ROWS, Grid, SheetTooLarge, check_size, whole_numbers
from .sniff import Sniffed

# What calamine raises on a file it cannot parse (OSError: a record cut short, "failed to fill
# whole buffer"). A Rust panic surfaces as pyo3's PanicException (a BaseException); ``_is_panic``
# recognises it by name, nothing else is caught.
_ERRORS = (pc.CalamineError, ValueError, TypeError, OverflowError, UnicodeDecodeError, IndexError, OSError)


def _is_panic(exc: BaseException) -> bool:
    return type(exc).__name__ == "PanicException"


def _unreadable(exc: BaseException) -> UnreadableFile:
    if isinstance(exc, pc.PasswordError):
        return UnreadableFile("encrypted")
    return UnreadableFile("corrupt")


@contextmanager
def _calamine_errors() -> Iterator[None]:
    """Whatever calamine raises on a bad file, as the reader's ``UnreadableFile``."""
    try:
        yield
    except _ERRORS as exc:
        raise _unreadable(exc) from exc
    except BaseException as exc:
        if _is_panic(exc):
            raise _unreadable(exc) from exc
        raise


class _TextSheets:
    """The metadata sheet of every workbook we issue is rows of two plain texts, alike but for
    the texts themselves. A sheet of that shape (``xlsx_parts.text_rows``) whose surroundings (all
    of the sheet but its rows) are those of one that calamine read to the same grid in this
    process is read from its XML, without calamine: a third of reading the metadata."""

    MOST = 16

    def __init__(self) -> None:
        self._shapes: set[tuple[bytes, bytes]] = set()

    def __contains__(self, shape: tuple[bytes, bytes]) -> bool:
        return shape in self._shapes

    def add(self, shape: tuple[bytes, bytes]) -> None:
        if len(self._shapes) < self.MOST:
            self._shapes.add(shape)

    def cache_clear(self) -> None:
        """Forget every shape (the mutation tests start each session so: ``tests/conftest.py``)."""
        self._shapes.clear()


_TEXT_SHEETS = _TextSheets()


class CalamineWorkbook:
    def __init__(self, sniffed: Sniffed) -> None:
        self.format = sniffed.format
        self._sniffed = sniffed
        self._grids: dict[str, Grid | SheetTooLarge] = {}
        self._formulas: dict[str, Mapping[str, str]] = {}
        self._parts: dict[str, str] | None = None
        with _calamine_errors():
            # From the bytes, not the path: calamine picks its parser by the file extension, and
            # "附件5(1).xlsx" may well be an .xls. Content detection agrees with ``sniff``.
            if sniffed.data:  # read once by ``sniff``
                self._wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(sniffed.data))
            else:
                with sniffed.path.open("rb") as fh:
                    self._wb = pc.CalamineWorkbook.from_filelike(fh)
            sheets = [m for m in self._wb.sheets_metadata if m.typ == pc.SheetTypeEnum.WorkSheet]
            self._visible = {m.name: m.visible == pc.SheetVisibleEnum.Visible for m in sheets}
            self._names = [m.name for m in sheets]

    def sheet_names(self) -> list[str]:
        return self._names

    def is_visible(self, sheet: str) -> bool:
        return self._visible.get(sheet, True)

    def grid(self, sheet: str) -> Grid:
        if sheet not in self._grids:
            try:
                self._grids[sheet] = self._read(sheet)
            except SheetTooLarge as exc:  # asked again by the locator's second pass: answer at once
                self._grids[sheet] = exc
        if isinstance(self._grids[sheet], SheetTooLarge):
            raise self._grids[sheet]
        return self._grids[sheet]

    def _part(self, sheet: str) -> bytes:
        """The sheet's XML (xlsx/xlsm) or records (xlsb) as ``sniff`` unpacked them, else b""."""
        if self._parts is None:
            parts = xlsb_parts.sheet_parts if self.format == "xlsb" else xlsx_parts.sheet_parts
            self._parts = parts(self._sniffed.parts)
        return self._sniffed.parts.get(self._parts.get(sheet, ""), b"")

    def _read(self, name: str) -> Grid:
        texts = None
        if self.format in ("xlsx", "xlsm"):
            texts = xlsx_parts.text_rows(self._part(name))
            if texts is not None and texts[0] in _TEXT_SHEETS:
                return texts[1]
            check_size(name, *xlsx_parts.extent(self._part(name), MAX_ROWS, MAX_CELLS))
        elif self.format == "xlsb":
            check_size(name, *xlsb_parts.extent(self._part(name)))
        with _calamine_errors():
            sheet = self._wb.get_sheet_by_name(name)
            end = sheet.end
            if end is None:
                return []
            check_size(name, end[0] + 1, (end[0] + 1) * (end[1] + 1))
            rows = sheet.to_python(skip_empty_area=False)  # absolute: row 0 is row 1
        rows = whole_numbers(rows)
        if texts is not None and texts[1] == rows:
            _TEXT_SHEETS.add(texts[0])
        return rows

    def formulas(self, sheet: str) -> Mapping[str, str]:
        if sheet not in self._formulas:
            if self.format in ("xlsx", "xlsm"):
                found = xlsx_parts.saved_formulas(self._part(sheet))
            elif self.format == "ods":
                found = ods_parts.saved_formulas(self._sniffed.parts.get("content.xml", b""), sheet)
            else:
                found = {}
            self._formulas[sheet] = found
        return self._formulas[sheet]

    def close(self) -> None:
        self._wb.close()

