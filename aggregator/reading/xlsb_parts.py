"""What calamine would allocate for an .xlsb sheet, read from its records before calamine does.

calamine builds a sheet as one block from A1 (or the first cell) to the last cell holding a
value: one value in XFD1048576 asks for 17 billion cells and aborts the process, one in IV262144
takes 2 GB. An .xlsb sheet is a stream of BIFF12 records (a type and a size, each a 7-bit
varint, then the payload); the row comes from the row header record before its cells, the
column from each cell record. Only cells that hold something count: blank cells carry
formatting, and calamine skips them too.
"""

from __future__ import annotations

import re
import struct
from typing import Iterator, Mapping

_ROW_HEADER = 0x0000
_BUNDLE_SHEET = 0x009C  # in xl/workbook.bin: a sheet's name and relationship id
# Cell records with a column field (1, BrtCellBlank, holds no value), and the short forms with
# none (the cell after the previous one; 12, BrtShortBlank, holds no value).
_CELLS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 62}
_SHORT_CELLS = {12, 13, 14, 15, 16, 17, 18}
_BLANKS = {1, 12}
_REL = re.compile(rb'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"')
_REL_REVERSED = re.compile(rb'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"')


def records(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(record type, payload) of a BIFF12 stream; stops at a record cut short."""
    pos, end = 0, len(data)
    while pos < end:
        kind = data[pos]
        pos += 1
        if kind & 0x80:
            if pos >= end:
                return
            kind = (kind & 0x7F) | ((data[pos] & 0x7F) << 7)
            pos += 1
        size = shift = 0
        for _ in range(4):
            if pos >= end:
                return
            byte = data[pos]
            pos += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        if pos + size > end:
            return
        yield kind, data[pos : pos + size]
        pos += size


def extent(data: bytes) -> tuple[int, int]:
    """(rows, cells) of the block calamine would build for this sheet: from A1 to the last row
    and column holding a value."""
    row = col = max_row = max_col = 0
    for kind, payload in records(data):
        if kind == _ROW_HEADER and len(payload) >= 4:
            row = struct.unpack_from("<I", payload)[0] + 1
            col = 0
            continue
        if kind in _CELLS and len(payload) >= 4:
            col = struct.unpack_from("<I", payload)[0] + 1
        elif kind in _SHORT_CELLS:
            col += 1
        else:
            continue
        if kind not in _BLANKS:
            max_row, max_col = max(max_row, row), max(max_col, col)
    return max_row, max_row * max_col


def sheet_parts(parts: Mapping[str, bytes]) -> dict[str, str]:
    """Sheet name -> zip member of its records, from xl/workbook.bin and its relationships."""
    rels = parts.get("xl/_rels/workbook.bin.rels", b"")
    targets = {i: t for i, t in _REL.findall(rels)} | {i: t for t, i in _REL_REVERSED.findall(rels)}
    out = {}
    for kind, payload in records(parts.get("xl/workbook.bin", b"")):
        if kind != _BUNDLE_SHEET:
            continue
        rel_id, at = _wide_string(payload, 8)
        name, _ = _wide_string(payload, at)
        target = targets.get(rel_id.encode(), b"").decode("utf-8", "replace")
        if name and target:
            out[name] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return out


def _wide_string(payload: bytes, at: int) -> tuple[str, int]:
    """An XLWideString (a 4-byte character count, then UTF-16) at ``at``, and where it ends."""
    if at + 4 > len(payload):
        return "", len(payload)
    n = struct.unpack_from("<I", payload, at)[0]
    if n == 0xFFFFFFFF:  # a null string
        return "", at + 4
    end = at + 4 + 2 * n
    return payload[at + 4 : end].decode("utf-16-le", "replace"), end
