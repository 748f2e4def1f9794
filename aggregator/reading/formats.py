"""The file formats the tool knows: each one is one entry here, and knows everything about itself.

What it is to the reader (a spreadsheet read as a return, a document kept as a material, a zip
opened for what is inside, text), the bytes it starts with where that alone decides, which
names it goes by, whether the desktop's folder watch picks it up, whether a roster may be one,
and what a clerk calls it. Sniffing, reading, watching and the roster all ask here, so a format is
added in one place, never in an ``if suffix == ...`` apiece (as a field type is one entry of
``form/types``). The bytes decide what a received file is; the names only where there are no bytes
yet (a folder being watched, a roster being chosen).
"""

from __future__ import annotations

from dataclasses import dataclass

SPREADSHEET, DOCUMENT, ARCHIVE, TEXT = "spreadsheet", "document", "archive", "text"


@dataclass(frozen=True)
class FileFormat:
    name: str  # as the ledger and the reader call it: xlsx, xls, docx, pdf …
    label: str  # what a clerk calls it
    kind: str  # SPREADSHEET (read as a return) | DOCUMENT (a material) | ARCHIVE | TEXT
    suffixes: tuple[str, ...]  # the names it goes by, lower case, first the usual one
    magic: tuple[bytes, ...] = ()  # the first bytes that alone say it is this format
    watched: bool = False  # the folder watch takes it (a return, or a zip that may hold one)
    roster: bool = False  # a roster may be one
    has_text: bool = True  # a document whose words can be read (a photo has none)


FORMATS: dict[str, FileFormat] = {
    f.name: f
    for f in (
        FileFormat("xlsx", "Excel 工作簿", SPREADSHEET, (".xlsx", ".xltx"), watched=True, roster=True),
        FileFormat("xlsm", "Excel 启用宏的工作簿", SPREADSHEET, (".xlsm", ".xltm"), watched=True, roster=True),
        FileFormat("xlsb", "Excel 二进制工作簿", SPREADSHEET, (".xlsb",)),
        # WPS 表格 saves .et in Excel 97's format: the bytes say xls whatever the name.
        FileFormat("xls", "Excel 97-2003 工作簿", SPREADSHEET, (".xls", ".et"), watched=True, roster=True),
        FileFormat("ods", "OpenDocument 电子表格", SPREADSHEET, (".ods",), watched=True, roster=True),
        FileFormat("docx", "Word 文档", DOCUMENT, (".docx",)),
        FileFormat("odt", "OpenDocument 文字文档", DOCUMENT, (".odt",)),
        FileFormat("pdf", "PDF 文件", DOCUMENT, (".pdf",), magic=(b"%PDF",)),
        FileFormat("doc", "Word 97-2003 文档", DOCUMENT, (".doc",)),
        FileFormat("wps", "WPS 文字文档", DOCUMENT, (".wps",)),
        FileFormat("jpg", "图片", DOCUMENT, (".jpg", ".jpeg"), magic=(b"\xff\xd8\xff",), has_text=False),
        FileFormat("png", "图片", DOCUMENT, (".png",), magic=(b"\x89PNG",), has_text=False),
        FileFormat("zip", "压缩包（zip）", ARCHIVE, (".zip",), watched=True),
        FileFormat("csv", "CSV 文本表格", TEXT, (".csv", ".txt"), roster=True),
    )
}


def names_of(kind: str) -> tuple[str, ...]:
    return tuple(f.name for f in FORMATS.values() if f.kind == kind)


def suffixes_where(**wanted: bool) -> tuple[str, ...]:
    """Every name-ending of the formats that have all of ``wanted`` (e.g. ``watched=True``)."""
    return tuple(s for f in FORMATS.values() if all(getattr(f, k) == v for k, v in wanted.items())
                 for s in f.suffixes)


def by_magic(head: bytes, kind: str = DOCUMENT) -> str:
    """The format of ``kind`` whose first bytes ``head`` starts with, or ""."""
    return next((f.name for f in FORMATS.values() if f.kind == kind and any(head.startswith(m) for m in f.magic)), "")


SPREADSHEET_FORMATS = names_of(SPREADSHEET)
DOCUMENT_FORMATS = names_of(DOCUMENT)
