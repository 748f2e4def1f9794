"""The archive calamine reads: the received one with its parts already unpacked, stored.

``sniff`` unpacks every XML part of a return to check it (size, CRC, no DOCTYPE or ENTITY), then
calamine unpacked the form sheet, the styles and the workbook structure again: a third of its
work on a return. Given the same archive with those parts stored as they were unpacked (same
names, same bytes, same CRCs, in the same order; every other member copied as it was), calamine
reads the same workbook without inflating anything.

Only for an archive both readers cannot see differently (``stored_copy`` says None otherwise,
and calamine reads the file as received): members laid end to end from the first byte, each
local header agreeing with the central directory (or its data descriptor, a member's CRC and
sizes written after its bytes, with them), no encryption, no zip64, the central
directory right after the last member and nothing after its end record; every part unpacked
by ``zipguard`` whole and with nothing left over (a deflate stream another inflater could
read otherwise); and at most ``MOST`` bytes in all, so that a large file is not held twice.
"""

from __future__ import annotations

import struct
import zipfile
from typing import Mapping

MOST = 1 << 20

_LOCAL = struct.Struct("<4s5H3L2H")  # signature, version, flags, method, time, date, CRC, sizes, lengths
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
_UTF8 = 0x800
_AFTER = 0x8  # CRC and sizes in a descriptor after the member's bytes
_AFTER_FIELDS = struct.Struct("<3L")


def stored_copy(data: bytes, infos: list[zipfile.ZipInfo], parts: Mapping[str, bytes], start_dir: int) -> bytes | None:
    """``data`` (a zip) with each member of ``parts`` stored as unpacked; None when the archive
    is not one every reader sees alike (see the module's text)."""
    if not infos or len(data) < _END.size or sum(len(p) for p in parts.values()) > MOST:
        return None
    end = _END.unpack_from(data, len(data) - _END.size)
    if end[0] != b"PK\x05\x06" or end[1:5] != (0, 0, len(infos), len(infos)) or end[6] != start_dir or end[7]:
        return None
    chunks: list[bytes] = []
    central: list[bytes] = []
    at = written = 0
    for info in infos:
        member = _member(data, info, at)
        if member is None:
            return None
        name, start, at = member
        flags = info.flag_bits & _UTF8
        body = parts.get(info.filename)
        if body is None:  # not unpacked: as it is in the archive
            body, method, size = data[start : start + info.compress_size], info.compress_type, info.compress_size
        else:
            method, size = zipfile.ZIP_STORED, info.file_size
        head = _LOCAL.pack(b"PK\x03\x04", 20, flags, method, 0, 0x21, info.CRC, size, info.file_size, len(name), 0)
        central.append(_CENTRAL.pack(b"PK\x01\x02", 20, 20, flags, method, 0, 0x21, info.CRC, size,
                                     info.file_size, len(name), 0, 0, 0, 0, 0, written) + name)
        chunks += (head, name, body)
        written += len(head) + len(name) + len(body)
    if at != start_dir or start_dir + end[5] != len(data) - _END.size:
        return None
    directory = b"".join(central)
    chunks += (directory, _END.pack(b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), written, 0))
    return b"".join(chunks)


def _member(data: bytes, info: zipfile.ZipInfo, at: int) -> tuple[bytes, int, int] | None:
    """(the name as written, where its bytes start, where the next member starts) of the member
    whose local header is at ``at``; None unless it agrees with the central directory. A member
    written with its CRC and sizes after its bytes (LibreOffice does) has them there, as they are
    in the directory, and zeros or the same in its header."""
    if info.header_offset != at or info.flag_bits & ~(_UTF8 | _AFTER | 0x6) or info.compress_type not in (
            zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or at + _LOCAL.size > len(data):
        return None
    sig, _, flags, method, _, _, crc, size, file_size, name_len, extra_len = _LOCAL.unpack_from(data, at)
    name = data[at + _LOCAL.size : at + _LOCAL.size + name_len]
    start = at + _LOCAL.size + name_len + extra_len
    end = start + info.compress_size
    told = (info.CRC, info.compress_size, info.file_size)
    if sig != b"PK\x03\x04" or flags != info.flag_bits or method != info.compress_type or end > len(data):
        return None
    if flags & _AFTER:
        if (crc, size, file_size) not in (told, (0, 0, 0)):
            return None
        if data[end : end + 4] == b"PK\x07\x08":
            end += 4
        if end + _AFTER_FIELDS.size > len(data) or _AFTER_FIELDS.unpack_from(data, end) != told:
            return None
        next_at = end + _AFTER_FIELDS.size
    elif (crc, size, file_size) != told:
        return None
    else:
        next_at = end
    try:
        if name.decode("utf-8" if flags & _UTF8 else "cp437") != info.orig_filename:
            return None
    except UnicodeDecodeError:
        return None
    return name, start, next_at
