"""A return as read: one value per field id, where each came from, and what was done to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ..findings import Finding

# How the reader found the cells.
BY_LAYOUT = "layout"  # our template, unchanged: expected coordinates
BY_LABELS = "labels"  # rearranged, pasted or retyped: found by the printed labels
BY_DOCX = "docx"  # filled in Word: the table found by its labels in the document


@dataclass(frozen=True)
class Normalisation:
    """One thing the reader changed to get a value: shown to the clerk, never silent."""

    field: str
    cell: str
    raw: Any
    value: Any
    kind: str  # a message id: blank-as-zero, text-number, unit-suffix, rounded, date-text, choice-typed, ...


@dataclass(frozen=True)
class Explanation:
    """What a school wrote in the 情况说明 sheet for one explain rule (``form.explanations``)."""

    rule: str  # the rule id
    text: str  # as written (several cells joined by "；"), stripped
    cell: str  # where: "情况说明!D4"


@dataclass(frozen=True)
class Submission:
    form_id: str
    form_version: str
    values: Mapping[str, Any]  # field id -> int (counts), str (text) or None (could not be read)
    cells: Mapping[str, str]  # field id -> cell in the school's workbook ("C7", or "表2!C7" off the main sheet)
    sheet: str = ""  # the sheet the table was found on
    located_by: str = BY_LAYOUT
    meta: Mapping[str, str] = field(default_factory=dict)  # the hidden metadata sheet, if any
    notes: tuple[Normalisation, ...] = ()
    findings: tuple[Finding, ...] = ()  # what the reader could not interpret, cell by cell
    source: str = ""  # the file name it was read from
    explanations: tuple[Explanation, ...] = ()  # the 情况说明 sheet's, one per rule explained

    def value(self, field_id: str) -> Any:
        return self.values.get(field_id)

    def explanation(self, rule: str) -> str:
        """What the school wrote to explain ``rule`` ("" when nothing)."""
        return next((e.text for e in self.explanations if e.rule == rule), "")

    def cell(self, field_id: str) -> str:
        return self.cells.get(field_id, "")
