"""The declared form: one TOML file under ``excel_templates/`` is the single source of a form.

The template builder, the reader, the validator and the summary writer all take a ``Form``; none
of them knows Annex 5 by name. Adding a form means adding a declaration, not a code path.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "excel_templates"
DEFAULT_FORM = "annex5_2023"

FIELD_TYPES = ("count", "text", "phone")
SECTION_KINDS = ("grid", "lines", "inline")


class FormError(ValueError):
    """The declaration itself is wrong: a developer's mistake, reported at load time."""


@dataclass(frozen=True)
class Column:
    id: str
    label: str
    span: int = 1
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    id: str
    label: str
    aliases: tuple[str, ...] = ()
    suffix: str = ""


@dataclass(frozen=True)
class Section:
    id: str
    label: str
    kind: str
    rows: tuple[Row, ...]
    columns: tuple[Column, ...] = ()
    head: str = ""


@dataclass(frozen=True)
class Field:
    """One value a school fills in."""

    id: str
    label: str  # the row's (or header's) printed label
    type: str  # count | text | phone
    section: str  # section id, "header" for the line above the table
    row: str  # row id (== id for header, line and inline fields)
    column: str = ""  # column id for grid fields
    column_label: str = ""

    @property
    def is_count(self) -> bool:
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


@dataclass(frozen=True)
class OutlierSpec:
    id: str
    level: str
    factor: float
    floor: int
    min_peers: int
    message: str


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
    source: str = ""  # declaration file name, for messages
    fields: tuple[Field, ...] = field(default=(), repr=False)

    def title(self, district: str = "曾都区") -> str:
        return self.title_template.replace("{district}", district)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {f.id: f for f in self.fields})

    def field(self, field_id: str) -> Field:
        return self._index[field_id]

    def has_field(self, field_id: str) -> bool:
        return field_id in self._index

    @property
    def count_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.is_count)

    @property
    def text_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if not f.is_count)

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


def _fields_of(section: Section) -> list[Field]:
    out = []
    for row in section.rows:
        if section.kind == "grid":
            for col in section.columns:
                out.append(
                    Field(f"{row.id}.{col.id}", row.label, "count", section.id, row.id, col.id, col.label)
                )
        elif section.kind == "lines":
            out.append(Field(row.id, f"{section.label}{row.label}", "text", section.id, row.id))
        else:  # inline: one count after its label
            out.append(Field(row.id, row.label, "count", section.id, row.id))
    return out


def _expand(raw: dict) -> list[RuleSpec]:
    keys = raw.get("for_each") or [None]
    out = []
    for key in keys:
        def sub(text: str) -> str:
            return text if key is None else text.replace("$", key)

        out.append(
            RuleSpec(
                id=raw["id"],
                level=raw["level"],
                check=sub(raw["check"]),
                message=sub(raw["message"]),
                hint=raw.get("hint", ""),
            )
        )
    return out


def parse_form(data: dict, source: str = "") -> Form:
    """Build a ``Form`` from a parsed declaration and check it is self-consistent."""
    try:
        meta = data["form"]
        header = tuple(
            Field(h["id"], h["label"], h.get("type", "text"), "header", h["id"]) for h in data.get("header", [])
        )
        sections = tuple(
            Section(
                id=s["id"],
                label=s["label"],
                kind=s["kind"],
                head=s.get("head", ""),
                columns=tuple(
                    Column(c["id"], c["label"], c.get("span", 1), tuple(c.get("aliases", ()))) for c in s.get("columns", ())
                ),
                rows=tuple(
                    Row(r["id"], r["label"], tuple(r.get("aliases", ())), r.get("suffix", "")) for r in s["rows"]
                ),
            )
            for s in data["sections"]
        )
        rules = tuple(spec for raw in data.get("rules", []) for spec in _expand(raw))
        outliers = tuple(
            OutlierSpec(o["id"], o["level"], float(o["factor"]), int(o["floor"]), int(o["min_peers"]), o["message"])
            for o in data.get("outliers", [])
        )
        fields = header + tuple(f for s in sections for f in _fields_of(s))
        form = Form(
            id=meta["id"],
            version=str(meta["version"]),
            annex=meta.get("annex", ""),
            title_template=meta["title"],
            sheet=meta["sheet"],
            note=meta.get("note", ""),
            widths=tuple(meta.get("widths", ())),
            check_label=meta.get("check_label", "自动校验"),
            header=header,
            sections=sections,
            rules=rules,
            outliers=outliers,
            source=source,
            fields=fields,
        )
    except KeyError as exc:
        raise FormError(f"{source}: missing key {exc}") from None
    _check(form)
    return form


def _check(form: Form) -> None:
    ids = [f.id for f in form.fields]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise FormError(f"{form.source}: duplicate field ids {sorted(dupes)}")
    for f in form.fields:
        if f.type not in FIELD_TYPES:
            raise FormError(f"{form.source}: field {f.id} has unknown type {f.type!r}")
    for s in form.sections:
        if s.kind not in SECTION_KINDS:
            raise FormError(f"{form.source}: section {s.id} has unknown kind {s.kind!r}")
    for r in form.rules:
        if r.level not in ("error", "warning"):
            raise FormError(f"{form.source}: rule {r.id} has unknown level {r.level!r}")


def load_form(name_or_path: str | Path = DEFAULT_FORM) -> Form:
    """Load a declaration by name (a file in ``excel_templates/``) or by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = TEMPLATES_DIR / f"{name_or_path}.toml"
    return _load(path.resolve())


@cache
def _load(path: Path) -> Form:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return parse_form(data, source=path.name)
