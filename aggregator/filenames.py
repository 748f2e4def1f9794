"""File names made from what people typed (school names, form titles), valid on Windows.

A clerk's PC is Windows: a school called “实验小学<分校>”, one whose name ends in a dot, or a
roster row that reads "CON" must still give a file Explorer can open, copy and zip, in a path
short enough for the programs that stop at 260 characters. One helper, used wherever we name a
file; Linux would accept more, so the tests hold every name to Windows' rules.

And the other way: a received file's name as a clerk recognises it (``display_name``), and the
ways she may name it back to us (``file_refs``).
"""

from __future__ import annotations

import re
from pathlib import Path

_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[1-9¹²³]|lpt[1-9¹²³])(\..*)?$", re.IGNORECASE)
MAX_PATH = 240  # Windows' 260, less room for a "(2)" and for a program that appends to it
MAX_NAME = 120  # one name; NTFS allows 255 UTF-16 units, zip tools and mail clients less


def safe_file_name(name: str, fallback: str = "文件") -> str:
    """``name`` as one valid Windows file name: forbidden and control characters become "_",
    no leading or trailing spaces or dots, no device name (CON, NUL.txt, COM1 …), at most
    ``MAX_NAME`` characters with the start and the end kept."""
    clean = _FORBIDDEN.sub("_", str(name)).strip(" .") or fallback
    if _RESERVED.match(clean):
        clean = f"_{clean}"
    return shorten(clean, MAX_NAME)


def issued_name(form_annex: str, school_name: str) -> str:
    """附件5-某某区实验小学.xlsx: the workbook issued to a school (``distribute``), by which a file
    that cannot be opened is still known to be that school's (``status``)."""
    return f"{form_annex or '报表'}-{safe_file_name(school_name, fallback='学校')}.xlsx"


def shorten(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, keeping its start and its end (where a school's
    name and a file's kind usually are): "某某区某某镇……中心小学"."""
    if len(text) <= limit:
        return text
    tail = max(limit // 4, 1)
    return text[: limit - tail - 1].rstrip(" .") + "…" + text[-tail:].lstrip(" .")


def fit(folder: Path, stem: str, suffix: str, taken: set[str] | None = None) -> Path:
    """A path in ``folder`` for ``stem`` + ``suffix``: a valid name, the whole path within
    ``MAX_PATH`` characters, and distinct from ``taken`` (names already used, compared without
    case as Windows does; the chosen one is added)."""
    stem = safe_file_name(stem)
    room = MAX_PATH - len(str(folder)) - 1 - len(suffix) - 4  # 4: a "(99)" to tell twins apart
    stem = shorten(stem, max(room, 8))
    used = {t.lower() for t in taken} if taken is not None else set()
    name, n = f"{stem}{suffix}", 2
    while name.lower() in used:
        name, n = f"{stem}({n}){suffix}", n + 1
    if taken is not None:
        taken.add(name)
    return folder / name


def display_name(name: str) -> str:
    """The file name a clerk recognises, without the download folder's long path.

    A zip member keeps its archive's name in front: 某某镇.zip/某某镇各校报表/附件5-….xlsx
    """
    parts = name.replace("\\", "/").split("/")
    for i, part in enumerate(parts):
        if part.lower().endswith(".zip") and i < len(parts) - 1:
            return "/".join(parts[i:])
    return parts[-1]


def file_refs(name: str) -> tuple[str, str, str]:
    """The ways a clerk names a received file: as received, as listed (``display_name``), or by its
    last part, whichever separator the path uses (a Windows path has "\\", a zip member "/")."""
    return name, display_name(name), name.replace("\\", "/").rsplit("/", 1)[-1]
