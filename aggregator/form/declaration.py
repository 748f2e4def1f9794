"""The declared form: one TOML file under ``excel_templates/`` is the single source of a form.

The template builder, the reader, the validator and the summary writer all take a ``Form``; none
of them knows Annex 5 by name. Adding a form means adding a declaration, not a code path: what a
form can say is the vocabulary below (sections of four kinds, fields of the types in ``types``,
header fields with roles, rules in the expression language of ``expr``), and ``parse`` with
``problems`` refuses anything else with every mistake named at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .types import TYPES, FieldType

DEFAULT_FORM = "annex5_2023"

SECTION_KINDS = ("grid", "lines", "inline", "checklist")
# What the engine needs from the line above the table, whatever the form calls those fields.
ROLES = ("unit", "reporter", "phone", "date")
# error: sent back; warning: accepted, the clerk and the school are told; explain (核实性): the
# school may keep the figure if it explains it in the workbook's 情况说明 sheet (``explanations``).
LEVELS = ("error", "warning", "explain")
# The level a table gets when it does not say: a declared rule is an error; a figure far from its
# peers' (outliers) or from the school's own last period (changes) may well be right, so the
# school is asked to explain it.
DEFAULT_LEVELS = {"rules": "error", "outliers": "explain", "changes": "explain"}
PERIOD_RULE = "vs-previous"  # the rule id of every finding of a [[changes]] bound
SCOPES = ("all", "return")  # "return": checked on each return, not on the summed summary
# Names a rule may use besides field ids; the collection fills them from the roster.
CONTEXT_NAMES = frozenset({"in_roster", "stage"})
# How a section is summed up when it does not say: a grid's figures are added, a checklist's
# choices counted, texts listed by school.
DEFAULT_SUMMARY = {"grid": "sum", "inline": "sum", "lines": "list", "checklist": "count"}


@dataclass(frozen=True)
class Column:
    id: str
    label: str
    span: int = 1
    aliases: tuple[str, ...] = ()
    type: str = ""  # grids: "" = count; checklists: every column says
    choices: tuple[str, ...] = ()
    decimals: int = 0


@dataclass(frozen=True)
class Row:
    """A row of a grid or inline section, a numbered line, or a checklist item."""

    id: str
    label: str
    aliases: tuple[str, ...] = ()
    suffix: str = ""
    type: str = ""  # "" = the section's default
    choices: tuple[str, ...] = ()
    decimals: int = 0
    group: str = ""  # checklist items: the group printed beside them (一、学校教育教学)


@dataclass(frozen=True)
class Section:
    id: str
    label: str
    kind: str
    rows: tuple[Row, ...]
    columns: tuple[Column, ...] = ()
    head: str = ""
    summary: str = ""  # sum | count | list; "" = DEFAULT_SUMMARY for the kind

    @property
    def has_table(self) -> bool:
        """Rows under column heads, each value found in the column of its head."""
        return self.kind in ("grid", "checklist")


@dataclass(frozen=True)
class Field:
    """One value a school fills in."""

    id: str
    label: str  # the row's (or header's) printed label
    type: str  # a key of ``types.TYPES``
    section: str  # section id, "header" for the line above the table
    row: str  # row id (== id for header, line and inline fields)
    column: str = ""  # column id for grid and checklist fields
    column_label: str = ""
    role: str = ""  # header fields: unit | reporter | phone | date
    choices: tuple[str, ...] = ()
    decimals: int = 0
    suffix: str = ""  # the unit printed after an inline value ("元", "例（附相关材料）")
    summary: str = "list"  # how the summary aggregates it: sum | count | list

    @property
    def kind(self) -> FieldType:
        return TYPES[self.type]

    @property
    def numeric(self) -> bool:
        return self.kind.numeric

    @property
    def is_count(self) -> bool:
        """A whole number: the template's live checks guard these cells for whole numbers."""
        return self.type == "count"

    @property
    def display(self) -> str:
        """Label a clerk recognises: row label plus column label where there is one."""
        return f"{self.label}·{self.column_label}" if self.column_label else self.label


@dataclass(frozen=True)
class RuleSpec:
    """One rule as declared, with ``$`` already expanded."""

    id: str
    level: str  # error | warning
    check: str
    message: str
    hint: str = ""
    scope: str = "all"  # all | return
    index: int = 0  # which [[rules]] table it came from, for messages about the declaration
    fix: str = ""  # how to put it right, apart from ``message`` (what is wrong): the engine may
    #   replace it with one correction agreed across connected findings (``checks.repair``)
    name: str = ""  # the rule in a few Chinese words, where a person reads rules (校验问题)
    about: str = ""  # explain rules: what it checks, a sentence on the 情况说明 sheet


@dataclass(frozen=True)
class OutlierSpec:
    id: str
    level: str
    factor: float
    floor: int
    min_peers: int
    message: str
    name: str = ""  # as a rule's: "" = the catalogue's (数字明显偏大)
    about: str = ""  # as a rule's: "" = the catalogue's


@dataclass(frozen=True)
class ChangeSpec:
    """A bound on how far a school's figures may move from its own last period ([[changes]]):
    more than ``factor`` times last period's, or less than 1/``factor`` of it, when both are
    non-zero and the larger is at least ``floor``."""

    fields: tuple[str, ...]  # field ids, patterns expanded
    factor: float
    floor: float = 0
    level: str = "explain"
    index: int = 0  # which [[changes]] table, for messages about the declaration


@dataclass(frozen=True)
class Form:
    id: str
    version: str
    annex: str
    title_template: str
    sheet: str
    note: str
    widths: tuple[int, ...]
    check_label: str
    header: tuple[Field, ...]
    sections: tuple[Section, ...]
    rules: tuple[RuleSpec, ...]
    outliers: tuple[OutlierSpec, ...]
    changes: tuple[ChangeSpec, ...] = ()
    source: str = ""  # declaration file name, for messages
    fields: tuple[Field, ...] = field(default=(), repr=False)
    path: str = ""  # where it was loaded from ("" when built in memory)

    def title(self, district: str = "") -> str:
        return self.title_template.replace("{district}", district)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {f.id: f for f in self.fields})
        object.__setattr__(self, "_roles", {f.role: f for f in self.header if f.role})

    def field(self, field_id: str) -> Field:
        return self._index[field_id]

    def has_field(self, field_id: str) -> bool:
        return field_id in self._index

    def role(self, name: str) -> Field | None:
        """The header field with this role (unit, reporter, phone, date), if the form has one."""
        return self._roles.get(name)

    @property
    def unit(self) -> Field:
        """The header field naming the reporting unit: every form has exactly one."""
        return self._roles["unit"]

    @property
    def numeric_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.numeric)

    @property
    def count_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.is_count)

    @property
    def text_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if not f.numeric)

    def fields_summed(self, how: str) -> tuple[Field, ...]:
        """The fields the summary aggregates this way (sum, count or list)."""
        return tuple(f for f in self.fields if f.summary == how)

    def rule_name(self, rule_id: str) -> str:
        """The declared Chinese name of a rule id ("" when no rule of that id names itself)."""
        return next((r.name for r in (*self.rules, *self.outliers) if r.id == rule_id and r.name), "")

    def change_bound(self, field_id: str) -> ChangeSpec | None:
        """The [[changes]] bound on a field (the last table naming it), if any."""
        return next((c for c in reversed(self.changes) if field_id in c.fields), None)

    def row_label(self, row_id: str) -> str:
        for f in self.fields:
            if f.row == row_id:
                return f.label
        raise KeyError(row_id)

    def column_label(self, column_id: str) -> str:
        for s in self.sections:
            for c in s.columns:
                if c.id == column_id:
                    return c.label
        raise KeyError(column_id)

    def __hash__(self) -> int:  # forms are identified by id and version
        return hash((self.id, self.version))


class FormError(ValueError):
    """The declaration itself is wrong. Carries every problem found, each with where it is."""

    def __init__(self, problems: list[Any] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("；".join(str(p) for p in self.problems))
