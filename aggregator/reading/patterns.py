"""The texts a form's table is recognised by, as comparable keys, derived once per form.

Labels, their unit-less cores ("派出责任督学数"), aliases from the declaration, column heads,
and the structural texts (section labels, heads) that must never be taken for a row label by
containment: "问责情况" contains "问责", yet is a section label and a head, not the 问责 row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from ..form.declaration import Column, Field, Form, Row, Section
from .normalise import core_key, label_key

EXACT, NAMED, PREFIX, CONTAINS = 4, 3, 2, 1  # how well a cell's text matches a row label
_MIN_CONTAINED = 4  # a core shorter than this ("通报") matches by prefix only, never inside text


@dataclass(frozen=True)
class RowPattern:
    section: Section
    row: Row
    full: str
    core: str
    aliases: tuple[str, ...]

    prefixes: tuple[str, ...] = ()

    def score(self, key: str, bare: str, structural: frozenset[str]) -> int:
        """How well a cell's text matches this row's label; ``bare`` is ``key`` without a
        leading enumeration ("1." "（一）"), computed once per cell by the caller."""
        if key == self.full:
            return EXACT
        if key == self.core or key in self.aliases:
            return NAMED
        if bare is not key and (bare == self.full or bare == self.core or bare in self.aliases):
            return NAMED
        if key in structural:
            return 0
        if bare.startswith(self.prefixes):
            return PREFIX
        if len(self.core) >= _MIN_CONTAINED and self.core in bare:
            return CONTAINS
        return 0


@dataclass(frozen=True)
class ColumnPattern:
    column: Column
    keys: tuple[str, ...]  # longest first, so "非学科类" wins over "学科类" inside "其中：非学科类"

    def matches(self, key: str) -> bool:
        return key in self.keys

    def contained_in(self, key: str) -> int:
        """Length of the longest of our keys inside ``key`` (0: none)."""
        return max((len(k) for k in self.keys if k and k in key), default=0)


@dataclass(frozen=True)
class FormPatterns:
    rows: tuple[RowPattern, ...]  # grid and inline rows, in form order
    columns: dict[str, tuple[ColumnPattern, ...]]  # section id -> its columns
    header: tuple[tuple[Field, str], ...]
    lines: tuple[Section, ...]
    structural: frozenset[str]
    threshold: int  # fewer row labels than this on every sheet: the table is not there


def _column(col: Column) -> ColumnPattern:
    keys = {label_key(col.label), *(label_key(a) for a in col.aliases)}
    head, sep, tail = label_key(col.label).partition(":")  # "其中:区教育督导部门" -> "区教育督导部门"
    if sep and tail:
        keys.add(tail)
    return ColumnPattern(col, tuple(sorted(keys, key=len, reverse=True)))


@cache
def patterns(form: Form) -> FormPatterns:
    rows = []
    columns = {}
    structural = {label_key(form.note), label_key(form.check_label)}
    for s in form.sections:
        structural.add(label_key(s.label))
        if s.head:
            structural.add(label_key(s.head))
        if s.has_table:
            columns[s.id] = tuple(_column(c) for c in s.columns)
            structural.update(k for c in columns[s.id] for k in c.keys)
            structural.update(label_key(r.group) for r in s.rows if r.group)
        if s.kind != "lines":
            for r in s.rows:
                full = label_key(r.label)
                core = core_key(full)
                aliases = tuple(label_key(a) for a in r.aliases)
                rows.append(RowPattern(s, r, full, core, aliases, (core, *aliases)))
    structural.discard("")
    header = tuple((f, label_key(f.label)) for f in form.header)
    lines = tuple(s for s in form.sections if s.kind == "lines")
    return FormPatterns(
        rows=tuple(rows),
        columns=columns,
        header=header,
        lines=lines,
        structural=frozenset(structural),
        threshold=max(1, math.ceil(len(rows) / 3)),
    )
