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
import re
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


class _SameParts:
    """Grids calamine built in this process, by the parts it built them from: the sheet's own
    XML and every other part but the other sheets' (the workbook and its relationships, the
    styles, the shared strings...), each the very bytes object ``zipguard._Known`` handed out,
    i.e. the same part byte for byte. A grid is a function of those bytes: a sheet whose parts
    are all those of a sheet read before is that grid, and is not bounded and parsed again. A
    return filled in without being saved again by another program keeps the template's
    情况说明 sheet so; one that Excel or WPS saved has shared strings of its own, and misses.

    Only where calamine cannot read any other part for the sheet than the one we key it by
    (``plain``): no two members of one name, and every sheet at a literal worksheets/NAME.xml."""

    MOST = 16

    def __init__(self) -> None:
        self._grids: dict[tuple, tuple[tuple[bytes, ...], Grid]] = {}
        self._seen: dict[tuple, None] = {}

    @staticmethod
    def plain(sniffed: Sniffed, sheet_parts: Mapping[str, str]) -> bool:
        rels = sniffed.parts.get("xl/_rels/workbook.xml.rels", b"")
        return (sniffed.unique_names and not any(odd in rels for odd in (b"..", b"./", b"\\", b"&"))
                and all(_PLAIN_SHEET.fullmatch(p) for p in sheet_parts.values()))

    @staticmethod
    def common(parts: Mapping[str, bytes], sheets: frozenset[str]) -> tuple[tuple, tuple]:
        """What the key of every sheet of one workbook holds: its parts but the sheets'."""
        held = tuple((n, b) for n, b in parts.items() if n not in sheets)
        return tuple((n, id(b)) for n, b in held), tuple(b for _, b in held)

    @staticmethod
    def key(name: str, part: str, data: bytes, common: tuple[tuple, tuple]) -> tuple[tuple, tuple]:
        """(the key, the parts it stands for) of sheet ``name`` stored in ``part`` as ``data``."""
        return (name, part, id(data), common[0]), (data, *common[1])

    def get(self, key: tuple[tuple, tuple]) -> Grid | None:
        entry = self._grids.get(key[0])
        if entry is None or not all(a is b for a, b in zip(entry[0], key[1], strict=True)):
            return None
        return [list(row) for row in entry[1]]  # the caller's own rows

    def add(self, key: tuple[tuple, tuple], grid: Grid) -> None:
        """Keep ``grid`` (a copy; the parts are held, so no other object can take their ids),
        from the second time its key is seen: the form sheet of each return is read once."""
        if key[0] not in self._seen:
            if len(self._seen) >= 4 * self.MOST:
                self._seen.pop(next(iter(self._seen)))
            self._seen[key[0]] = None  # its ids may be taken again later: a grid kept at worst
            return
        if len(self._grids) >= self.MOST:
            self._grids.pop(next(iter(self._grids)))
        self._grids[key[0]] = (key[1], [list(row) for row in grid])

    def cache_clear(self) -> None:
        self._grids.clear()
        self._seen.clear()


_SAME_PARTS = _SameParts()
_PLAIN_SHEET = re.compile(r"xl/worksheets/[^/\\]+\.xml")


class CalamineWorkbook:
    def __init__(self, sniffed: Sniffed) -> None:
        self.format = sniffed.format
        self._sniffed = sniffed
        self._grids: dict[str, Grid | SheetTooLarge] = {}
        self._formulas: dict[str, Mapping[str, str]] = {}
        self._parts: dict[str, str] | None = None
        self._sheet_parts: frozenset[str] = frozenset()
        self._plain = False
        self._common: tuple[tuple, tuple] | None = None
        with _calamine_errors():
            # From the bytes, not the path: calamine picks its parser by the file extension, and
            # "附件5(1).xlsx" may well be an .xls. Content detection agrees with ``sniff``.
            if sniffed.data:  # read once by ``sniff``; its parts unpacked once, by ``sniff`` too
                self._wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(sniffed.for_calamine or sniffed.data))
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
            self._sheet_parts = frozenset(self._parts.values())
            self._plain = self.format != "xlsb" and _SameParts.plain(self._sniffed, self._parts)
        return self._sniffed.parts.get(self._parts.get(sheet, ""), b"")

    def _read(self, name: str) -> Grid:
        texts = same = None
        if self.format in ("xlsx", "xlsm") and self._part(name) and self._plain:
            assert self._parts is not None
            if self._common is None:
                self._common = _SameParts.common(self._sniffed.parts, self._sheet_parts)
            same = _SAME_PARTS.key(name, self._parts[name], self._part(name), self._common)
            grid = _SAME_PARTS.get(same)
            if grid is not None:
                return grid
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
        if same is not None:
            _SAME_PARTS.add(same, rows)
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

