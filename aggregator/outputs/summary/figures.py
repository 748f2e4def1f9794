"""The district's figures from the schools' returns: pure functions, one per way of summing up.

Each field is summed up as its declaration says (``Field.summary``): numbers are added, choices
counted, texts listed. The district's own return (``summary_values``) holds what the form can
hold, so that the level above collects district summaries exactly as the district collects
school returns, and a summary of summaries equals the summary of every school: counts add up
level by level, and a problem line "X（3校）" from a lower summary weighs 3 schools.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Mapping, Sequence

from ...form.declaration import Field, Form
from .similar import problem_key, top_problems

__all__ = ["add_up", "choice_counts", "problem_key", "share", "summary_values", "top_problems"]


def summary_values(form: Form, values_list: Sequence[Mapping[str, Any]], *, unit: str = "",
                   sums: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The district's own return: every summed field added up (or taken from ``sums``, added up
    by the ledger), each lines section's most reported problems, ``unit`` as the unit; everything
    else (choices, dates, other texts) is blank on the form and shown on sheets of its own."""
    out: dict[str, Any] = {f.id: "" for f in form.fields}
    for f in form.fields_summed("sum"):
        out[f.id] = sums[f.id] if sums is not None else add_up(f, (v.get(f.id) for v in values_list))
    out[form.unit.id] = unit
    for section in form.sections:
        if section.kind != "lines" or (section.summary or "list") != "list":
            continue
        lines = [[v.get(r.id) for r in section.rows] for v in values_list]
        for row, text in zip(section.rows, top_problems(lines, len(section.rows))):
            out[row.id] = text
    return out


def add_up(field: Field, values: Iterable[Any]) -> int | float:
    """A number field summed: blanks and values the reader could not take count 0 (the return
    was reported for them); decimals are kept to the field's places, without float dust."""
    total: int | float = 0
    for v in values:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            total += v
    if isinstance(total, float):
        total = round(total, field.decimals or 6)
        return int(total) if total.is_integer() else total
    return total


def choice_counts(form: Form, values_list: Sequence[Mapping[str, Any]]) -> dict[str, Counter]:
    """Field id -> how many returns gave each choice ("" for none given), for counted fields."""
    out: dict[str, Counter] = {}
    for f in form.fields_summed("count"):
        counts: Counter = Counter({c: 0 for c in f.choices})
        for v in values_list:
            value = v.get(f.id)
            counts[value if value in f.choices else ""] += 1
        out[f.id] = counts
    return out


def share(counts: Counter, choice: str) -> float | None:
    """The share of returns that gave ``choice`` among those that gave any (None when none did)."""
    given = sum(n for c, n in counts.items() if c)
    return counts.get(choice, 0) / given if given else None
