"""What a received file really is, decided from its bytes, never from its name.

Returns arrive as ``附件5(1).xlsx`` that is really a .xls, a Word file renamed, a CSV exported
by some system, a PDF scan, or a download cut short. The first bytes decide the format; the
guards that must run before any spreadsheet library sees the file (size, zip bomb, unsafe XML,
password) run here too, so every whole-file failure is an ``UnreadableFile`` with its reason.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from . import ole
from .decrypt import with_default_password
from .errors import UnreadableFile, human_size
from .formats import SPREADSHEET_FORMATS
from .stored import stored_copy
from .zipguard import ZIP_ERRORS, _unpack, open_zip, read_xml_parts

MAX_FILE_SIZE = 20 * 1024 * 1024
MAX_SHARED_STRINGS = 2_000_000

# Main part content types of an OOXML package -> our format, or what to call it when it is not one.
_OOXML_TYPES = (
    (b"ms-excel.sheet.macroEnabled.main+xml", "xlsm"),
    (b"ms-excel.template.macroEnabled.main+xml", "xlsm"),
    (b"spreadsheetml.sheet.main+xml", "xlsx"),
    (b"spreadsheetml.template.main+xml", "xlsx"),
    (b"ms-excel.sheet.binary.macroEnabled.main", "xlsb"),
    (b"wordprocessingml", "Word 文档"),
    (b"presentationml", "PowerPoint 演示文稿"),
)
_ODF_TYPES = {
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.spreadsheet-template": "ods",
    b"application/vnd.oasis.opendocument.text": "文字文档（ODT）",
    b"application/vnd.oasis.opendocument.presentation": "演示文稿（ODP）",
}
_MAGIC = (
    (b"%PDF", "PDF 文件"),
    (b"\x89PNG", "图片"),
    (b"\xff\xd8\xff", "图片"),
    (b"GIF8", "图片"),
    (b"BM", None),  # too short to trust alone; see _binary_kind
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"\x1f\x8b", "gz 压缩包"),
    (b"{\\rtf", "RTF 文档"),
)
# An OpenDocument package's macros and dialogs: no reader parses them, and LibreOffice writes them
# with a DOCTYPE, which the XML guard would refuse.
_ODF_MACRO_PARTS = ("Basic/", "Dialogs/", "Scripts/")
# A BIFF stream not inside an OLE2 file starts with its BOF record: Excel 2.x, 3.0 and 4.0 wrote
# them so (and a few programs BIFF5/8 too). xlrd reads them.
_BIFF_BOF = re.compile(rb"\A(?:\x09\x00\x04\x00|\x09\x02\x06\x00|\x09\x04\x06\x00|\x09\x08[\x08\x10]\x00)")
_TEXT_SAMPLE = 8192
_SST_COUNTS = re.compile(rb"<(?:[\w.-]+:)?sst\b[^>]*>")
_COUNT_ATTR = re.compile(rb"(?:count|uniqueCount)\s*=\s*[\"'](\d+)")
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Sniffed:
    """A file that is a spreadsheet of ``format`` and passed every guard."""

    format: str  # xlsx | xlsm | xlsb | xls | ods
    path: Path
    size: int
    parts: Mapping[str, bytes] = field(default_factory=dict, repr=False)  # checked XML parts of a zip
    decrypted: bool = False  # ``path`` is a decrypted copy of the file: ``discard`` removes it
    data: bytes = field(default=b"", repr=False)  # the file's bytes, read once (b"": read ``path``)
    unique_names: bool = False  # a zip whose members all have names of their own
    for_calamine: bytes = field(default=b"", repr=False)  # the zip with its parts stored as unpacked (``stored``)

    def discard(self) -> None:
        if self.decrypted:
            self.path.unlink(missing_ok=True)


def sniff(path: str | Path) -> Sniffed:
    """The spreadsheet format of ``path``, or ``UnreadableFile`` with the reason it is not one.

    A missing path is the caller's mistake, not the school's, and raises ``OSError`` as usual.
    """
    path = Path(path)
    with open(path, "rb", buffering=0) as fh:
        size = os.fstat(fh.fileno()).st_size  # of the file opened: the path is looked up once
        if size == 0:
            raise UnreadableFile("empty-file")
        if size > MAX_FILE_SIZE:
            raise UnreadableFile("oversized", size=human_size(size))
        head = fh.read(_TEXT_SAMPLE)
        # A spreadsheet (~10 KB) is read whole, once: every stage after this works in memory.
        data = head + fh.readall() if head.startswith((b"PK", ole.OLE_MAGIC)) else b""
    if head.startswith(b"PK"):
        return _zip(path, size, data)
    if head.startswith(ole.OLE_MAGIC):
        return _ole(path, size, data)
    if _BIFF_BOF.match(head):
        return Sniffed("xls", path, size)
    kind = _binary_kind(head)
    if kind:
        raise UnreadableFile("not-spreadsheet", kind=kind)
    text_kind = _text_kind(head)
    if text_kind:
        raise UnreadableFile("not-spreadsheet", kind=text_kind)
    raise UnreadableFile("corrupt", detail="无法识别的文件格式")


def _zip(path: Path, size: int, data: bytes) -> Sniffed:
    zf = open_zip(io.BytesIO(data))
    try:
        names = set(zf.namelist())
        unique = len(names) == len(zf.infolist())
        if "mimetype" in names:
            fmt = _odf_format(zf)
        elif "[Content_Types].xml" in names:
            fmt = _ooxml_format(zf)
        else:
            fmt = "xlsx" if "xl/workbook.xml" in names else "压缩包（zip）"
        if fmt not in SPREADSHEET_FORMATS:
            raise UnreadableFile("not-spreadsheet", kind=fmt)
        unclean: list[str] = []
        parts = read_xml_parts(zf, also=(".bin",) if fmt == "xlsb" else (),
                               skip=_ODF_MACRO_PARTS if fmt == "ods" else (), unclean=unclean)
        plain = fmt in ("xlsx", "xlsm") and unique and not unclean
        copy = stored_copy(data, zf.infolist(), parts, zf.start_dir) if plain else None
    finally:
        zf.close()
    if fmt == "ods":
        return Sniffed(fmt, path, size, {"content.xml": parts.get("content.xml", b"")}, data=data)
    if fmt == "xlsb":  # the records of its sheets, for ``xlsb_parts`` to bound them
        return Sniffed(fmt, path, size, parts, data=data)
    _check_shared_strings(parts)
    return Sniffed(fmt, path, size, parts, data=data, unique_names=unique, for_calamine=copy or b"")


def _check_shared_strings(parts: Mapping[str, bytes]) -> None:
    """calamine reserves memory for the declared number of shared strings before reading them:
    uniqueCount="4000000000" aborts the process. A real return has a few hundred."""
    for name, data in parts.items():
        if name.lower().endswith("sharedstrings.xml"):
            m = _SST_COUNTS.search(data[:4096])
            counts = [int(n) for n in _COUNT_ATTR.findall(m.group(0))] if m else []
            if counts and max(counts) > MAX_SHARED_STRINGS:
                raise UnreadableFile("too-many-cells", detail=f"声明了 {max(counts)} 个文本")


def _read(zf: zipfile.ZipFile, name: str, limit: int = 1 << 20) -> bytes:
    try:
        with zf.open(name) as fh:
            return fh.read(limit)
    except ZIP_ERRORS as exc:
        raise UnreadableFile("corrupt", detail="压缩数据损坏") from exc


def _ooxml_format(zf: zipfile.ZipFile) -> str:
    types = _unpacked(zf, "[Content_Types].xml")
    for marker, fmt in _OOXML_TYPES:
        if marker in types:
            return fmt
    return "xlsx" if "xl/workbook.xml" in zf.namelist() else "Office 文档"


def _unpacked(zf: zipfile.ZipFile, name: str) -> bytes:
    """One member as ``read_xml_parts`` unpacks it (size and CRC checked): for a small part,
    ``zipfile.open`` costs more than the inflating: a few per cent of reading a whole return.
    A part unpacked and checked before in this process is taken as it is (``zipguard._Known``)."""
    try:
        data = _unpack(zf.fp, zf.getinfo(name), known=True)
        return data if data is not None else zf.read(name)
    except ZIP_ERRORS as exc:
        raise UnreadableFile("corrupt", detail="压缩数据损坏") from exc


def _odf_format(zf: zipfile.ZipFile) -> str:
    mimetype = _read(zf, "mimetype", 200).strip()
    return _ODF_TYPES.get(mimetype, "OpenDocument 文档")


def _ole(path: Path, size: int, data: bytes) -> Sniffed:
    streams = ole.stream_names(data)
    if streams & {"EncryptionInfo", "EncryptedPackage"}:
        return _decrypted(path)
    if streams & {"Workbook", "Book"}:
        return Sniffed("xls", path, size)
    if "WordDocument" in streams:
        raise UnreadableFile("not-spreadsheet", kind="Word 文档（.doc）")
    if "PowerPoint Document" in streams:
        raise UnreadableFile("not-spreadsheet", kind="PowerPoint 演示文稿（.ppt）")
    raise UnreadableFile("corrupt", detail="Office 文件结构不完整")


def _decrypted(path: Path) -> Sniffed:
    """An encrypted OOXML package that Excel's default password opens, as a decrypted copy (in
    the system's temporary folder, removed by ``Sniffed.discard``); else ``encrypted``."""
    data = with_default_password(path)
    if data is None or not data.startswith(b"PK"):
        raise UnreadableFile("encrypted")
    fd, name = tempfile.mkstemp(prefix="dudao-", suffix=".decrypted")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    copy = Path(name)
    try:
        sniffed = _zip(copy, len(data), data)
    except BaseException:
        copy.unlink(missing_ok=True)
        raise
    return Sniffed(sniffed.format, copy, sniffed.size, sniffed.parts, decrypted=True, data=data,
                   unique_names=sniffed.unique_names, for_calamine=sniffed.for_calamine)


def _binary_kind(head: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if head.startswith(magic) and kind:
            return kind
    if head.startswith(b"BM") and len(head) > 14 and head[6:10] == b"\x00\x00\x00\x00":
        return "图片"
    return None


def _text_kind(head: bytes) -> str | None:
    """What a text file is, or None when ``head`` does not look like a text document at all."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        codec = "utf-16-le" if head[:2] == b"\xff\xfe" else "utf-16-be"
        body = head[2 : 2 + (len(head) - 2) // 2 * 2]
        if not _decodes(body, codec):
            return None
        sample = body.decode(codec, "replace").encode("utf-8")
    else:
        sample = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
        if not (_decodes(sample, "utf-8") or _decodes(sample, "gb18030")):
            return None
    if b"\x00" in sample or len(_CONTROL.findall(sample)) > len(sample) // 100:
        return None
    lower = sample[:2048].lower().lstrip()
    if b"urn:schemas-microsoft-com:office:spreadsheet" in sample:
        return "Excel 2003 XML 格式的文件"
    if b"opendocument.spreadsheet" in sample and b"office:document" in sample:
        return "单个 XML 文件的 OpenDocument 表格 .fods"
    if lower.startswith((b"<html", b"<!doctype html", b"<table", b"<meta")) or b"<html" in lower:
        return "网页文件（HTML）"
    if not any(sep in sample for sep in (b"\n", b",", b"\t", b";", "，".encode())):
        return None  # one long run of characters: no document anyone would send
    return "CSV 或文本文件"


def _decodes(sample: bytes, codec: str) -> bool:
    """True when ``sample`` is text in ``codec``, allowing a character cut at the sample's end."""
    for cut in range(4):
        try:
            sample[: len(sample) - cut].decode(codec)
            return True
        except UnicodeDecodeError:
            continue
    return False
