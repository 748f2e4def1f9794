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

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "level": self.level,
            "cells": list(self.cells),
            "fields": list(self.fields),
            "values": [v if isinstance(v, (int, float, str)) or v is None else str(v) for v in self.values],
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Finding":
        return cls(
            rule=d["rule"],
            level=d["level"],
            message=d["message"],
            fields=tuple(d.get("fields", ())),
            cells=tuple(d.get("cells", ())),
            values=tuple(d.get("values", ())),
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
