"""``[[changes]]``: how far a school's figures may move from its own last period.

A declaration names the figures compared and the factor they may move by, as a rule names its
fields: field ids, ``$`` repeated over ``for_each`` (row ids, or a section's id for all of its
rows), or ``*`` standing for any row or column id ("staff.*", "*.total")::

    [[changes]]
    for_each = ["staff", "visits"]
    fields = ["$.total"]
    factor = 3          # more than 3× last period's, or less than a third of it
    floor = 0           # optional: only when the larger of the two is at least this
    level = "explain"   # optional: the default; "warning" or "error" also allowed

A bound applies only when both periods' figures are non-zero numbers (a school that reported 0
last time and 4 now has no ratio to judge). Every mistake is named with its line, as elsewhere.
"""

from __future__ import annotations

from typing import Any

from .declaration import DEFAULT_LEVELS, LEVELS, ChangeSpec, Field, Section
from .lines import Problems

KEYS = {"fields", "for_each", "factor", "floor", "level"}


def parse_change(raw: dict, i: int, fields: list[Field], sections: dict[str, Section],
                 p: Problems) -> ChangeSpec | None:
    """One ``[[changes]]`` table, its patterns expanded to the form's numeric field ids."""
    line = p.at.find("changes", i)
    where = f"上期比较 {i + 1}"
    for key in sorted(set(raw) - KEYS):
        p.add("unknown-key", where, f"不认识的键“{key}”（可用：{'、'.join(sorted(KEYS))}）", line)
    level = raw.get("level", DEFAULT_LEVELS["changes"])
    if level not in LEVELS:
        p.add("level", where, f"level 应为 explain（须说明）、warning（提示）或 error（错误），不是“{level}”",
              p.at.find("changes", i, key="level"))
    factor = _number(raw, "factor", where, p, p.at.find("changes", i, key="factor"), required=True)
    if factor is not None and factor <= 1:
        p.add("changes", where, f"factor 应大于 1（如 3 表示超过上期的 3 倍或不到三分之一），不是 {factor:g}",
              p.at.find("changes", i, key="factor"))
        factor = None
    floor = _number(raw, "floor", where, p, p.at.find("changes", i, key="floor"), required=False)
    if floor is not None and floor < 0:
        p.add("changes", where, "floor 不能是负数", p.at.find("changes", i, key="floor"))
    ids = _fields(raw, fields, sections, where, p, p.at.find("changes", i, key="fields") or line,
                  p.at.find("changes", i, key="for_each") or line)
    if factor is None or not ids:
        return None
    return ChangeSpec(tuple(ids), factor, floor or 0, level if level in LEVELS else DEFAULT_LEVELS["changes"], i)


def _number(raw: dict, key: str, where: str, p: Problems, line: int, *, required: bool) -> float | None:
    value = raw.get(key)
    if value is None:
        if required:
            p.add("missing-key", where, f"缺少“{key}”（如 {key} = 3）", line)
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        p.add("changes", where, f"{key} 应为数字，不是“{value}”", line)
        return None
    return float(value)


def _fields(raw: dict, fields: list[Field], sections: dict[str, Section], where: str, p: Problems,
            line: int, each_line: int) -> list[str]:
    listed = raw.get("fields")
    if listed is None:
        p.add("missing-key", where, f"缺少“fields”：要与上期比较的字段，如 fields = [\"{_example(fields)}\"]", line)
        return []
    if isinstance(listed, str):
        listed = [listed]
    if not isinstance(listed, list) or not listed or not all(isinstance(x, str) and x for x in listed):
        p.add("changes", where, f"fields 应为字段 id 的列表，如 [\"{_example(fields)}\", \"*.total\"]", line)
        return []
    keys = for_each_keys(raw.get("for_each"), sections, where, p, each_line,
                         example=f'["{_example(fields).partition(".")[0]}"]')
    if keys != [None] and not any("$" in x for x in listed):
        p.add("for-each", where, "有 for_each 但 fields 中没有用 $ 代表每一项", line)
    by_id = {f.id: f for f in fields}
    out: list[str] = []
    for key in keys:
        for pattern in listed:
            wanted = pattern if key is None else pattern.replace("$", key)
            found = _matching(wanted, fields)
            if not found:
                p.add("changes", where, f"“{wanted}”不是本表的字段，也不匹配任何字段（字段 id 如 "
                      f"{_example(fields)}）", line)
            for fid in found:
                if not by_id[fid].numeric:
                    p.add("changes", where, f"{fid}（{by_id[fid].display}）不是数字，无法与上期比较倍数", line)
                elif fid not in out:
                    out.append(fid)
    return out


def _example(fields: list[Field]) -> str:
    """A field id of the form being declared, for the examples in its messages."""
    return next((f.id for f in fields if f.numeric and f.column), "row.total")


def _matching(pattern: str, fields: list[Field]) -> list[str]:
    """Field ids the pattern names: itself, or with ``*`` for any row or any column id; a
    pattern with ``*`` names only numbers (the figures a bound can compare)."""
    if "*" not in pattern:
        return [pattern] if any(f.id == pattern for f in fields) else []
    row, _, column = pattern.partition(".")
    return [f.id for f in fields if f.numeric and f.section != "header"
            and row in ("*", f.row) and (column in ("*", f.column) if column or f.column else True)]


def for_each_keys(value: Any, sections: dict[str, Section], where: str, p: Problems, line: int,
                  example: str = '["total", "primary"]') -> list[str | None]:
    """A table's ``for_each`` (rules and changes alike): a list of ids, or the id of a section
    standing for all of its rows or items; ``[None]`` when there is none."""
    if value is None:
        return [None]
    if isinstance(value, str):
        if value in sections:
            return [r.id for r in sections[value].rows]
        p.add("for-each", where, f"for_each“{value}”不是一个节的 id；请写成列表，如 {example}", line)
        return [None]
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return list(value)
    p.add("for-each", where, "for_each 应为非空的 id 列表，或一个节的 id", line)
    return [None]
