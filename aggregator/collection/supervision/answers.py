"""Is a received document a school's answer to a 督办单 (its 督办单 filled in, an 整改报告, photos)?

Recognised as ``collect`` reads it, in the reading worker that has its text: by the 编号 of an
issued 督办单 in its file name, title or opening text (schools send the sheet back under the
name it went out with, and the sheet carries its number); else by a roster school named there
together with one of the declared words (整改, 督办) in the file name or title, which answers
that school's 督办单 whose items are not all closed. A number matches however its brackets are
typed (〔〕, [], 【】, ()) and with or without 第; "…3号" never matches "…13号".
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass

from ..store.names import NameIndex

MATERIAL = "rectification"  # the material id a document answering a 督办单 is recorded under
_OPENING = 2000  # characters of text where a filled-in sheet shows its 编号
_OPEN = str.maketrans({c: "[" for c in "〔【［（([〖"} | {c: "]" for c in "〕】］）)]〗"})
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class IssuedSheet:
    """What a reading worker knows of a 督办单 issued: its 编号, its school, and whether any of
    its items is still to be closed (only such a sheet takes an answer by keywords)."""

    number: str
    school_id: str
    live: bool = True


@dataclass(frozen=True)
class Recognised:
    school_id: str
    sheets: tuple[str, ...]
    by: str  # number | keywords


def number_key(text: str) -> str:
    """A 编号 (or a text that may hold one) in the form compared: NFKC, one kind of bracket,
    no spaces, no 第."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text).translate(_OPEN)).replace("第", "")


def recognise(file_name: str, title: str, text: str, sheets: tuple[IssuedSheet, ...], index: NameIndex,
              keywords: tuple[str, ...]) -> Recognised | None:
    """The 督办单 a document answers, or None when it answers none."""
    if not sheets:
        return None
    stem = os.path.splitext(os.path.basename(file_name.replace("\\", "/")))[0]
    where = number_key(f"{stem}\n{title}\n{text[:_OPENING]}")
    named = [s for s in sheets if number_key(s.number) in where]
    if named:
        return Recognised(named[0].school_id, tuple(s.number for s in named), "number")
    if not any(k in stem or k in title for k in keywords):
        return None
    school = index.find_in(stem) or index.find_in(f"{title}\n{text[:300]}")
    live = tuple(s.number for s in sheets if s.school_id == school and s.live)
    return Recognised(school, live, "keywords") if school and live else None
