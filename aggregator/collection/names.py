"""Matching the names people type to the roster: 曾都区 prefixes, spaces, brackets, full width.

A school writes “曾都区 实验小学（本部）”, the roster says “实验小学(本部)”: the same school.
Only small differences are forgiven; a name that matches two schools matches none.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

# Administrative prefixes that schools add or leave out at will.
_PREFIXES = ("湖北省", "随州市", "曾都区", "曾都")
# What a bureau adds to its district's name when it reports upward.
_UNIT_SUFFIXES = ("教育和体育局", "教育体育局", "教体局", "教育局")
_NOISE = re.compile(r"[\s\u3000·•.,，。:：;；'\"“”‘’()（）\[\]【】<>《》_\-—－]+")


def fold(text: str) -> str:
    """Full-width to half-width, lower case, no white space: the form we compare strings in."""
    return unicodedata.normalize("NFKC", str(text)).strip().lower()


def name_key(name: str, extra_prefixes: Iterable[str] = ()) -> str:
    """The comparable core of a school name (or of a district's: "曾都区教育局" is "曾都区")."""
    s = _NOISE.sub("", fold(name))
    for suffix in _UNIT_SUFFIXES:  # a district's summary says 曾都区教育局, a city's roster 曾都区
        if s.endswith(suffix) and len(s) - len(suffix) >= 2:
            s = s[: -len(suffix)]
            break
    changed = True
    while changed:
        changed = False
        for p in (*extra_prefixes, *_PREFIXES):
            p = _NOISE.sub("", fold(p))
            if p and s.startswith(p) and len(s) - len(p) >= 2:  # 曾都区 alone stays itself
                s = s[len(p):]
                changed = True
    return s


class NameIndex:
    """Roster names by their key; ``match`` answers one school id or None."""

    def __init__(self, names: dict[str, str], district: str = "") -> None:
        # names: school id -> roster name
        self._prefixes = tuple(p for p in (district,) if p)
        self._by_key: dict[str, list[str]] = {}
        for sid, name in names.items():
            self._by_key.setdefault(name_key(name, self._prefixes), []).append(sid)
        self._names = names
        self._longest = max(map(len, self._by_key), default=0)

    def match(self, text: str | None) -> str | None:
        if not text or not str(text).strip():
            return None
        ids = self._by_key.get(name_key(text, self._prefixes), [])
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
