"""Findings are data: every problem the engine sees in a return is one frozen record.

The CLI prints them, the desktop lists them, the feedback workbook marks them in the school's
own cells: all read the same ``Finding``. Nothing in the engine raises on bad school data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

ERROR = "error"
WARNING = "warning"
INFO = "info"  # normalisations worth telling (a blank read as 0); never changes a state


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
    def ok(self) -> bool:
        return not self.errors

    @property
    def status(self) -> str:
        """The ledger state this report earns: accepted, accepted_with_warnings or returned."""
        if self.errors:
            return "returned"
        return "accepted_with_warnings" if self.warnings else "accepted"

    def plus(self, more: Iterable[Finding]) -> "Report":
        return Report(self.findings + tuple(more))

    def to_list(self) -> list[dict]:
        return [f.to_dict() for f in self.findings]


@dataclass(frozen=True)
class Levels:
    """What a state needs to know of a return's findings: how many errors, which warnings (by
    rule, so a warning the clerk confirmed can be left out). The ledger keeps it beside the
    findings, so the states of 10,000 schools are worked out without reading one finding."""

    errors: int = 0
    warnings: frozenset[str] = frozenset()

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> "Levels":
        errors, warnings = 0, set()
        for f in findings:
            if f.level == ERROR:
                errors += 1
            elif f.level == WARNING:
                warnings.add(f.rule)
        return cls(errors, frozenset(warnings))

    def plus(self, other: "Levels") -> "Levels":
        if not (other.errors or other.warnings):
            return self
        return Levels(self.errors + other.errors, self.warnings | other.warnings)

    def less(self, confirmed: frozenset[str]) -> "Levels":
        """Without the warnings of the rules the clerk confirmed."""
        return Levels(self.errors, self.warnings - confirmed) if confirmed & self.warnings else self

    @property
    def status(self) -> str:
        """As ``Report.status``: returned, accepted_with_warnings or accepted."""
        if self.errors:
            return "returned"
        return "accepted_with_warnings" if self.warnings else "accepted"
