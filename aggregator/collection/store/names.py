"""Matching the names people type to the roster: the names of our levels, spaces, brackets, full width.

A school writes “某某区 实验小学（本部）”, the roster says “实验小学(本部)”: the same school.
Which prefixes are forgiven is the collection's own business, never the code's: its 本级名称 and
the levels above it (``Settings.levels``), each with or without its 省/市/区/县 ("某某市" or
"某某"). A 中心学校 may be written with its town's 镇/乡/街道 or without ("某某镇中心学校",
"某某中心学校"). Only small differences are forgiven; a name that matches two schools matches none.
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import Iterable

# What an administrative name ends with; its short form leaves it out ("某某市" -> "某某").
_LEVEL_SUFFIXES = ("自治州", "自治县", "特别行政区", "省", "市", "区", "县", "州", "盟", "旗")
# A town's 中心学校/中心小学 written with or without the town's own word ("某某镇中心小学").
_TOWN = re.compile(r"(?<=..)(?:镇|乡|街道办事处|街道|办事处)(?=中心(?:学校|小学|中学|校))")
# What a bureau adds to its district's name when it reports upward.
_UNIT_SUFFIXES = ("教育和体育局", "教育体育局", "教体局", "教育局")
_NOISE = re.compile(r"[\s\u3000·•.,，。:：;；'\"“”‘’()（）\[\]【】<>《》_\-—－]+")


def fold(text: str) -> str:
    """Full-width to half-width, lower case, no white space: the form we compare strings in."""
    return unicodedata.normalize("NFKC", str(text)).strip().lower()


def level_prefixes(levels: "str | Iterable[str]") -> tuple[str, ...]:
    """Each level's name as compared, and its short form: ("某某省", "某某", "某某市", "某某")."""
    if isinstance(levels, str):
        levels = (levels,)
    out: list[str] = []
    for level in levels:
        p = _NOISE.sub("", fold(level))
        if not p:
            continue
        out.append(p)
        short = next((p[: -len(x)] for x in _LEVEL_SUFFIXES if p.endswith(x) and len(p) - len(x) >= 2), "")
        if short:
            out.append(short)
    return tuple(sorted(set(out), key=len, reverse=True))  # the longer spelling first


def name_key(name: str, prefixes: Iterable[str] = ()) -> str:
    """The comparable core of a school name (or of a district's: "某某区教育局" is "某某区").

    ``prefixes`` come from ``level_prefixes``: the names schools may put before their own.
    """
    s = _NOISE.sub("", fold(name))
    for suffix in _UNIT_SUFFIXES:  # a district's summary says 某某区教育局, a city's roster 某某区
        if s.endswith(suffix) and len(s) - len(suffix) >= 2:
            s = s[: -len(suffix)]
            break
    prefixes = tuple(prefixes)
    changed = True
    while changed:
        changed = False
        for p in prefixes:
            if s.startswith(p) and len(s) - len(p) >= 2:  # a level's name alone stays itself
                s = s[len(p):]
                changed = True
                break  # from the longest spelling again: "某某市某某区…" must not lose the short "某某" alone
    return s


def town_folded(key: str) -> str:
    """A key with a town's 镇/乡/街道 left out before its 中心学校: "某某镇中心小学" -> "某某中心小学"."""
    return _TOWN.sub("", key)


class NameIndex:
    """Roster names by their key; ``match`` answers one school id or None."""

    def __init__(self, names: dict[str, str], levels: "str | Iterable[str]" = ()) -> None:
        # names: school id -> roster name; levels: our own name and the levels above (Settings.levels)
        self._prefixes = level_prefixes(levels)
        self._by_key: dict[str, list[str]] = {}
        for sid, name in names.items():
            key = name_key(name, self._prefixes)
            for k in dict.fromkeys((key, town_folded(key))):  # both spellings of a 中心学校 name it
                self._by_key.setdefault(k, []).append(sid)
        self._names = names
        self._longest = max(map(len, self._by_key), default=0)

    def match(self, text: str | None) -> str | None:
        if not text or not str(text).strip():
            return None
        key = name_key(text, self._prefixes)
        ids = self._by_key.get(key) or self._by_key.get(town_folded(key), [])
        return ids[0] if len(ids) == 1 else None

    def find_in(self, text: str) -> str | None:
        """A roster name contained in a longer text, such as a file name “实验小学统计表(1).xlsx”.

        The longest contained key wins; two different schools of the same length is no answer.
        """
        key = name_key(text, self._prefixes)
        best: list[tuple[int, str]] = []
        # Every piece of the (short) text looked up, rather than every roster key searched for:
        # a province's 10,000 schools would make that 10,000 searches per file.
        found = {piece for i in range(len(key) - 1) for j in range(i + 2, min(len(key), i + self._longest) + 1)
                 if (piece := key[i:j]) in self._by_key}
        for k in found:
            ids = self._by_key[k]
            if len(ids) == 1:
                best.append((len(k), ids[0]))
        if not best:
            return None
        best.sort(reverse=True)
        if len(best) > 1 and best[0][0] == best[1][0] and best[0][1] != best[1][1]:
            return None
        return best[0][1]


def school_by_file_name(file_name: str, index: NameIndex, issued: dict[str, str]) -> str | None:
    """The school a file's own name points to, for a file nothing else can be read from (an
    unreadable workbook): the very name of a workbook we issued (``issued``: that name -> school
    id), else the one roster school its name contains; None when it names none, or two."""
    base = os.path.basename(file_name.replace("\\", "/"))
    if base in issued:
        return issued[base]
    return index.find_in(os.path.splitext(base)[0])
