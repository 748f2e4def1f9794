"""Findings are data: every problem the engine sees in a return is one frozen record.

The CLI prints them, the desktop lists them, the feedback workbook marks them in the school's
own cells: all read the same ``Finding``. Nothing in the engine raises on bad school data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

ERROR = "error"
WARNING = "warning"
# 核实性 (the national statistics system's word): the figure may stay if the school explains it.
# Unexplained, it sends the return back like an error; explained (``MIN_EXPLANATION`` characters
# a person would count, in the workbook's 情况说明 sheet or in the clerk's confirm note), it is
# kept for the clerk like a warning.
EXPLAIN = "explain"
INFO = "info"  # normalisations worth telling (a blank read as 0); never changes a state

MIN_EXPLANATION = 6
# What does not count towards an explanation's length: white space and punctuation, so that
# "。。。。。。" or "1 2 3" padded with spaces is no explanation. A fixed list, not a Unicode
# category, so the issued workbook's live check can strip the same characters with SUBSTITUTE
# (``form.explanations.length_formula``) and agree with the engine to the character.
PUNCTUATION = " \u3000\t\r\n" + "，。、；：？！…—～·“”‘’（）《》【】" + ",.;:?!-_~'\"()[]<>/\\|*#"


def explanation_length(text: str | None) -> int:
    """How many characters of an explanation a person would count: not spaces, not punctuation."""
    return sum(1 for ch in str(text or "") if ch not in PUNCTUATION)


def is_explanation(text: str | None) -> bool:
    """Long enough to count as an explanation (at least ``MIN_EXPLANATION`` counted characters)."""
    return explanation_length(text) >= MIN_EXPLANATION


@dataclass(frozen=True)
class Finding:
    rule: str  # stable id: row-sum, not-a-number, ... (see domain.md and messages.py)
    level: str  # error | warning | info
    message: str  # Chinese, with the real numbers and the fix
    fields: tuple[str, ...] = ()
    cells: tuple[str, ...] = ()  # in the school's own workbook, e.g. ("C7", "D7", "E7")
    values: tuple[Any, ...] = ()
    # How to put it right, as the end of ``message`` says it: the rule's own words, or one
    # correction agreed across the connected findings of the return (``repair``).
    fix: str = ""
    # What the engine proposes: (field id, cell, value). Every finding of a linked group carries
    # the group's whole proposal, so applying all of them never leaves a rule half mended.
    suggest: tuple[tuple[str, str, Any], ...] = ()
    link: int = 0  # findings with the same link > 0 touch connected cells and share one fix
    # An explain finding: what the school wrote for its rule in the 情况说明 sheet (or the clerk's
    # confirm note), as written, "" when nothing; ``explained_by``: "school" or "clerk".
    explanation: str = ""
    explained_by: str = ""

    @property
    def explained(self) -> bool:
        """An explain finding whose explanation counts: kept for the clerk, not sent back."""
        return self.level == EXPLAIN and is_explanation(self.explanation)

    @property
    def blocking(self) -> bool:
        """Sends the return back: an error, or an explain finding nobody explained."""
        return self.level == ERROR or (self.level == EXPLAIN and not self.explained)

    @property
    def problem(self) -> str:
        """What is wrong, without the fix: the part of ``message`` before it."""
        if self.fix and self.message.endswith(self.fix):
            return self.message[: -len(self.fix)].rstrip("，,；; ")
        return self.message

    @property
    def suggested(self) -> dict[str, Any]:
        """Cell -> proposed value, as ``status --json`` shows it."""
        return {cell: value for _, cell, value in self.suggest if cell}

    def to_dict(self) -> dict:
        out = {
            "rule": self.rule,
            "level": self.level,
            "cells": list(self.cells),
            "fields": list(self.fields),
            "values": [v if isinstance(v, (int, float, str)) or v is None else str(v) for v in self.values],
            "message": self.message,
        }
        if self.fix:
            out["fix"] = self.fix
        if self.suggest:
            out["suggest"] = [list(s) for s in self.suggest]
        if self.link:
            out["link"] = self.link
        if self.explanation:
            out["explanation"] = self.explanation
        if self.explained_by:
            out["explained_by"] = self.explained_by
        return out

    @classmethod
    def from_dict(cls, d: dict) -> "Finding":
        return cls(
            rule=d["rule"],
            level=d["level"],
            message=d["message"],
            fields=tuple(d.get("fields", ())),
            cells=tuple(d.get("cells", ())),
            values=tuple(d.get("values", ())),
            fix=d.get("fix", ""),
            suggest=tuple(tuple(s) for s in d.get("suggest", ())),
            link=int(d.get("link", 0) or 0),
            explanation=d.get("explanation", ""),
            explained_by=d.get("explained_by", ""),
        )


@dataclass(frozen=True)
class Report:
    """All findings of one return, from one pass: a school is told everything at once."""

    findings: tuple[Finding, ...] = field(default=())

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == WARNING)

    @property
    def explain(self) -> tuple[Finding, ...]:
        """Explain findings, explained or not."""
        return tuple(f for f in self.findings if f.level == EXPLAIN)

    @property
    def ok(self) -> bool:
        return not any(f.blocking for f in self.findings)

    @property
    def status(self) -> str:
        """The ledger state this report earns: accepted, accepted_with_warnings or returned."""
        return Levels.of(self.findings).status

    def plus(self, more: Iterable[Finding]) -> "Report":
        return Report(self.findings + tuple(more))

    def to_list(self) -> list[dict]:
        return [f.to_dict() for f in self.findings]


@dataclass(frozen=True)
class Levels:
    """What a state needs to know of a return's findings: how many errors, which warnings (by
    rule, so a warning the clerk confirmed can be left out), which explain rules nobody
    explained (they send it back until explained). An explained explain finding counts as a
    warning of its rule. The ledger keeps it beside the findings, so the states of 10,000
    schools are worked out without reading one finding."""

    errors: int = 0
    warnings: frozenset[str] = frozenset()
    unexplained: frozenset[str] = frozenset()

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> "Levels":
        errors, warnings, unexplained = 0, set(), set()
        for f in findings:
            if f.level == ERROR:
                errors += 1
            elif f.level == WARNING:
                warnings.add(f.rule)
            elif f.level == EXPLAIN:
                (warnings if f.explained else unexplained).add(f.rule)
        return cls(errors, frozenset(warnings), frozenset(unexplained))

    def plus(self, other: "Levels") -> "Levels":
        if not (other.errors or other.warnings or other.unexplained):
            return self
        return Levels(self.errors + other.errors, self.warnings | other.warnings, self.unexplained | other.unexplained)

    def less(self, confirmed: frozenset[str]) -> "Levels":
        """Without the warnings of the rules the clerk confirmed, and the explain rules she
        explained herself (her confirm note counts as the explanation)."""
        if not confirmed & (self.warnings | self.unexplained):
            return self
        return Levels(self.errors, self.warnings - confirmed, self.unexplained - confirmed)

    @property
    def status(self) -> str:
        """As ``Report.status``: returned, accepted_with_warnings or accepted."""
        if self.errors or self.unexplained:
            return "returned"
        return "accepted_with_warnings" if self.warnings else "accepted"
