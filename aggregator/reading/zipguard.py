"""Open a zip package (xlsx, xlsm, ods) only once it is known to be safe to unpack.

python-calamine aborts the whole process on a zip bomb, and an XML part with a DOCTYPE can carry
entity expansion ("billion laughs") or external entities. So before any library touches the
file: the declared sizes and compression ratios are checked from the central directory alone,
then every XML part is unpacked here (sizes and CRCs verified by ``zipfile``) and refused if it
declares a DOCTYPE or an ENTITY. The unpacked parts are kept: the formula probe reuses them.

Returns of one template share most of their parts byte for byte (the theme, the styles, the
workbook's structure): a part whose compressed bytes are those of a part unpacked, checked and
found safe before in this process is that part (inflating the same bytes gives the same bytes),
and is not unpacked and searched again (``_Known``).
"""

from __future__ import annotations

import re
import struct
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import IO

from ..deflate import ERRORS as _DEFLATE_ERRORS, zlib as _zlib
from .errors import UnreadableFile, human_size

MAX_TOTAL_UNCOMPRESSED = 50 * 1024 * 1024
MAX_RATIO = 200
RATIO_CHECKED_ABOVE = 5 * 1024 * 1024
MAX_MEMBERS = 10_000
XML_SUFFIXES = (".xml", ".rels", ".vml")

# Whatever zipfile raises on a damaged archive (bad headers, bad CRC, truncated data, bad offsets).
ZIP_ERRORS = (zipfile.BadZipFile, *_DEFLATE_ERRORS, EOFError, NotImplementedError, RuntimeError, ValueError,
              struct.error, OSError)

_UNSAFE = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.I)
_UNSAFE_TEXT = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.I)


def open_zip(path: Path | IO[bytes]) -> zipfile.ZipFile:
    """The archive (a path, or the file's bytes as a file object), its central directory checked
    against the size caps."""
    try:
        zf = zipfile.ZipFile(path)
        infos = zf.infolist()
    except ZIP_ERRORS as exc:
        raise UnreadableFile("corrupt", detail="压缩结构不完整") from exc
    try:
        check_sizes(infos)
    except UnreadableFile:
        zf.close()
        raise
    return zf


def check_sizes(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse what would unpack to something huge, before unpacking a byte."""
    if len(infos) > MAX_MEMBERS:
        raise UnreadableFile("zip-bomb", size=f"{len(infos)} 个部件")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise UnreadableFile("zip-bomb", size=human_size(total))
    for i in infos:
        if i.file_size > RATIO_CHECKED_ABOVE and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise UnreadableFile("zip-bomb", size=human_size(total))


def read_xml_parts(zf: zipfile.ZipFile, also: tuple[str, ...] = (), skip: tuple[str, ...] = (),
                   unclean: list[str] | None = None) -> dict[str, bytes]:
    """Every XML part, unpacked and refused if it declares a DOCTYPE or an ENTITY. Members
    ending in ``also`` (".bin" of an .xlsb) are unpacked too (checked, not parsed); members
    under a folder in ``skip`` (an .ods's macros) are left alone: nothing reads them.
    ``unclean`` gets the names of parts whose compressed stream was not read whole, with nothing
    left over (another inflater might read it otherwise), or not deflated at all."""
    parts = {}
    fh = zf.fp  # the archive's own file object: no second opening of the file
    for info in zf.infolist():
        name = info.filename
        lower = name.lower()
        checked_only = bool(also) and lower.endswith(also)
        if not (lower.endswith(XML_SUFFIXES) or checked_only) or info.is_dir() or (skip and name.startswith(skip)):
            continue
        if info.flag_bits & 0x1:
            raise UnreadableFile("encrypted")
        try:
            raw = _compressed(fh, info)
            known = None if checked_only or raw is None else _KNOWN.get(info, raw)
            if known is not None:  # unpacked, checked and safe before: the same bytes
                parts[name] = known
                continue
            data, whole = (zf.read(info), False) if raw is None else _inflated(raw, info)  # None: bzip2, lzma
        except ZIP_ERRORS as exc:
            raise UnreadableFile("corrupt", detail="压缩数据损坏") from exc
        if not whole and unclean is not None:
            unclean.append(name)
        if checked_only:
            parts[name] = data
            continue
        if is_unsafe_xml(data):
            raise UnreadableFile("unsafe-xml", detail=name)
        if whole:  # a part taken from here again was read whole (see ``unclean``)
            _KNOWN.put(info, raw, data)
        parts[name] = data
    return parts


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")


def _unpack(fh, info: zipfile.ZipInfo, known: bool = False) -> bytes | None:
    """One stored or deflated member, without ``zipfile.open``'s per-member overhead (a return
    has a dozen small parts and this runs for every file). Output is capped at the declared size
    and checked against the declared CRC, as ``zipfile`` does. ``known``: a part found in
    ``_KNOWN`` (the same compressed bytes, size and CRC) is taken from there."""
    raw = _compressed(fh, info)
    if raw is None:
        return None
    return (known and _KNOWN.get(info, raw)) or _inflate(raw, info)


def _compressed(fh, info: zipfile.ZipInfo) -> bytes | None:
    """A stored or deflated member's bytes as they are in the archive, its local header checked;
    None for another compression method."""
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    fh.seek(info.header_offset)
    header = fh.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local header")
    fields = _LOCAL_HEADER.unpack(header)
    fh.seek(fields[-2] + fields[-1], 1)  # file name and extra field
    raw = fh.read(info.compress_size)
    if len(raw) != info.compress_size:
        raise EOFError("member cut short")
    return raw


def _inflate(raw: bytes, info: zipfile.ZipInfo) -> bytes:
    return _inflated(raw, info)[0]


def _inflated(raw: bytes, info: zipfile.ZipInfo) -> tuple[bytes, bool]:
    """The member's bytes, and whether its deflate stream was read to its end with nothing
    left over (``zlib`` takes a stream with bytes after its end; another inflater may not)."""
    if info.compress_type == zipfile.ZIP_STORED:
        data, whole = raw, True
    else:
        inflater = _zlib.decompressobj(-15)
        data = inflater.decompress(raw, info.file_size + 1)
        whole = inflater.eof and not inflater.unused_data and not inflater.unconsumed_tail
    if len(data) != info.file_size or _zlib.crc32(data) != info.CRC:
        raise zipfile.BadZipFile("size or CRC does not match")
    return data, whole


class _Known:
    """Parts unpacked, CRC-checked and found free of DOCTYPE and ENTITY in this process, by what
    decides the outcome of all three: the compressed bytes, the method, the declared size and CRC.
    Found by the method, sizes and CRC, then taken only when the compressed bytes are equal (not
    hashed: a return's parts are read afresh from each file, and hashing them cost more than the
    comparison). The most recently used first; at most ``BUDGET`` bytes of parts, none over
    ``LARGEST``."""

    BUDGET = 4 << 20
    LARGEST = 256 << 10

    def __init__(self) -> None:
        self._parts: OrderedDict[tuple, tuple[bytes, bytes]] = OrderedDict()
        self._held = 0

    def cache_clear(self) -> None:
        """Forget every part (the mutation tests start each session so: ``tests/conftest.py``)."""
        self._parts.clear()
        self._held = 0

    @staticmethod
    def _key(info: zipfile.ZipInfo) -> tuple:
        return info.compress_type, info.compress_size, info.file_size, info.CRC

    def get(self, info: zipfile.ZipInfo, raw: bytes) -> bytes | None:
        key = self._key(info)
        entry = self._parts.get(key)
        if entry is None or entry[0] != raw:
            return None
        self._parts.move_to_end(key)
        return entry[1]

    def put(self, info: zipfile.ZipInfo, raw: bytes, data: bytes) -> None:
        if len(data) + len(raw) > self.LARGEST:
            return
        key = self._key(info)
        old = self._parts.pop(key, None)
        if old is not None:  # another part of the same sizes and CRC: the newest is kept
            self._held -= len(old[0]) + len(old[1])
        self._parts[key] = (raw, data)
        self._held += len(data) + len(raw)
        while self._held > self.BUDGET:
            _, (old_raw, dropped) = self._parts.popitem(last=False)
            self._held -= len(dropped) + len(old_raw)


_KNOWN = _Known()


def is_unsafe_xml(data: bytes) -> bool:
    """A DOCTYPE or ENTITY declaration, in UTF-8 or in UTF-16 (which a byte search would miss)."""
    if data[:2] == b"\xff\xfe" or data[1:2] == b"\x00":
        return bool(_UNSAFE_TEXT.search(data.decode("utf-16-le", "replace")))
    if data[:2] == b"\xfe\xff" or data[:1] == b"\x00":
        return bool(_UNSAFE_TEXT.search(data.decode("utf-16-be", "replace")))
    return bool(_UNSAFE.search(data))
