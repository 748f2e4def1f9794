"""Problems as schools write them, grouped: the same problem in other words counts as one.

Schools type their 主要问题 freely: "作业公示不及时", "1、作业公示制度落实不到位。", "作业公示 不够及时".
Picking the three lines the district reports by exact text gives three arbitrary lines from
single schools. So each line is normalised (full width to half, numbering and spaces and
trailing punctuation dropped, a lower summary's "（3校）" read as a weight of 3) and lines that
share most of their character pairs are grouped: "作业公示不及时" and "作业公示不够及时。" are one
group, and so are "课后服务" and "课后服务内容单一". A group counts each school once, and is shown in the words most schools used.

Pure functions; an index of character pairs keeps a province's 30,000 lines from being compared
pair by pair.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable

_SCHOOLS_SUFFIX = re.compile(r"[（(](\d+)校[)）]$")
_NUMBERING = re.compile(r"^(?:[（(]?[0-9一二三四五六七八九十]{1,3}[)）.、．:：]|[①-⑳])\s*")
_PUNCT = re.compile(r"[\s，,。.；;：:、！!？?“”\"'‘’（）()《》<>【】\[\]—\-~～…]+")
_TRAILING_PUNCT = "。；;，,.、"
_CJK_SPACE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef]) +| +(?=[\u3000-\u9fff\uff00-\uffef])")
DICE = 0.55  # share of character pairs in common, over both texts
CONTAINED = 0.8  # or: the shorter text's pairs found in the longer one
_COMMON_PAIR = 400  # a pair in more groups than this says nothing about similarity: skip it


def problem_key(text: Any) -> tuple[str, int]:
    """The comparable form of a problem line and how many schools it stands for.

    Spaces (half or full width) and trailing punctuation are dropped, so "作业公示 不及时。" and
    "作业公示不及时" are one problem; a lower summary's "（3校）" suffix becomes a weight of 3.
    """
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))
    weight = 1
    m = _SCHOOLS_SUFFIX.search(s)
    if m:
        weight, s = max(int(m[1]), 1), s[: m.start()]
    s = _NUMBERING.sub("", s)
    return s.rstrip(_TRAILING_PUNCT), weight


def _as_typed(line: str) -> str:
    """A line as shown: its own characters, without numbering, a count or trailing punctuation."""
    s = _CJK_SPACE.sub("", re.sub(r"\s+", " ", line).strip())  # "作业 公示" is a typo of "作业公示"
    s = _SCHOOLS_SUFFIX.sub("", s.replace(" ", "")) if _SCHOOLS_SUFFIX.search(s.replace(" ", "")) else s
    return _NUMBERING.sub("", s).rstrip(_TRAILING_PUNCT + " ")


def _pairs(key: str) -> frozenset[str]:
    bare = _PUNCT.sub("", key)
    if len(bare) < 2:
        return frozenset({bare}) if bare else frozenset()
    return frozenset(bare[i:i + 2] for i in range(len(bare) - 1))


@dataclass
class ProblemGroup:
    """One problem as reported by several schools, in several wordings."""

    text: str  # the wording shown: that of the most schools, the first seen among equals
    weight: int = 0  # schools reporting it (a lower summary's line counts its schools)
    schools: dict[str, int] = field(default_factory=dict)  # school -> weight (once per school)
    wordings: dict[str, int] = field(default_factory=dict)  # each wording -> schools using it
    pairs: frozenset[str] = frozenset()
    grouped: tuple[str, int] | None = None  # the engine's text and count, when the clerk changed them (``review``)

    def line(self) -> str:
        """As written on the form: "作业公示不及时（3校）", a single school's without a count."""
        return f"{self.text}（{self.weight}校）" if self.weight > 1 else self.text


def group_problems(entries: Iterable[tuple[str, Iterable[Any]]]) -> list[ProblemGroup]:
    """``entries``: (school, its problem lines). Groups, most schools first, then first reported."""
    wordings: dict[str, dict[str, int]] = {}  # key -> school -> weight
    shown: dict[str, str] = {}  # key -> the words as first typed (full-width commas kept)
    order: dict[str, int] = {}  # school -> its place among the entries (roster order)
    for school, lines in entries:
        order.setdefault(school, len(order))
        for line in lines:
            if line is None:
                continue
            key, weight = problem_key(line)
            if key:
                mine = wordings.setdefault(key, {})
                mine[school] = max(mine.get(school, 0), weight)
                shown.setdefault(key, _as_typed(str(line)))
    keys = sorted(wordings, key=lambda k: -sum(wordings[k].values()))  # stable: ties keep first seen
    groups: list[ProblemGroup] = []
    index: dict[str, list[int]] = {}
    for key in keys:
        pairs = _pairs(key)
        best = _closest(pairs, groups, index)
        if best is None:
            best = len(groups)
            groups.append(ProblemGroup(shown[key], pairs=pairs))
            for p in pairs:
                index.setdefault(p, []).append(best)
        g = groups[best]
        g.wordings[shown[key]] = g.wordings.get(shown[key], 0) + sum(wordings[key].values())
        for school, weight in wordings[key].items():
            g.schools[school] = max(g.schools.get(school, 0), weight)
    for g in groups:
        g.weight = sum(g.schools.values())
        g.schools = dict(sorted(g.schools.items(), key=lambda kv: order[kv[0]]))
    first = {id(g): i for i, g in enumerate(groups)}
    return sorted(groups, key=lambda g: (-g.weight, first[id(g)]))


def _closest(pairs: frozenset[str], groups: list[ProblemGroup], index: dict[str, list[int]]) -> int | None:
    shared: dict[int, int] = {}
    for p in pairs:
        members = index.get(p, ())
        if len(members) > _COMMON_PAIR:
            continue
        for gi in members:
            shared[gi] = shared.get(gi, 0) + 1
    best, score = None, 0.0
    for gi, n in shared.items():
        other = groups[gi].pairs
        dice = 2 * n / (len(pairs) + len(other))
        contained = n / min(len(pairs), len(other)) if min(len(pairs), len(other)) >= 3 else 0.0
        s = max(dice if dice >= DICE else 0.0, contained if contained >= CONTAINED else 0.0)
        if s > score:
            best, score = gi, s
    return best


def top_problems(sources: Iterable[Iterable[Any]], n: int) -> list[str]:
    """The ``n`` problems reported by most schools, each as the form writes it."""
    groups = group_problems((str(i), lines) for i, lines in enumerate(sources))
    return [g.line() for g in groups[:n]]
