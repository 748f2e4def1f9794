"""From located raw values to a ``Submission``: one value for every field, and a record of
everything that was changed (notes) or could not be taken (findings), with the school's cells.

A value is None only where a finding says why; a blank read as 0 is a note, never silent.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, Mapping

from ..findings import ERROR, Finding
from ..form.declaration import Field, Form, FormError
from ..form.parse import bundled_forms
from ..form.values import shown_text
from ..form.layout import coord
from ..messages import message
from .submission import Normalisation, Submission
from .location import Location


def assemble(
    form: Form,
    location: Location,
    raws: Mapping[str, tuple[tuple[int, int], Any]],
    *,
    meta: Mapping[str, str],
    source: str,
    name_cell: Callable[[int, int], str] | None = None,
    located_by: str = "",
) -> Submission:
    """``name_cell``: how the school finds a cell when it has no A1 address (a Word table)."""
    name = name_cell or _ref
    values: dict[str, Any] = {}
    cells: dict[str, str] = {}
    notes: list[Normalisation] = []
    findings: list[Finding] = []
    missing: dict[str, list[Field]] = {}
    for f in form.fields:
        if f.id not in raws:
            values[f.id] = None
            missing.setdefault(f.row, []).append(f)
            continue
        at, raw = raws[f.id]
        ref = name(*at)
        cells[f.id] = ref
        outcome = f.kind.read(raw, f)
        values[f.id] = outcome.value
        if outcome.problem:
            text = message(outcome.problem, cell=ref, label=f.display, raw=shown_text(outcome.shown),
                           choices="、".join(f.choices))
            findings.append(Finding(outcome.problem, ERROR, text, (f.id,), (ref,), (raw_for_record(raw),)))
        elif outcome.note:
            notes.append(Normalisation(f.id, ref, raw_for_record(raw), outcome.value, outcome.note))
    findings.extend(_not_found(form, missing))
    return Submission(
        form_id=form.id,
        form_version=form.version,
        values=values,
        cells=cells,
        sheet=location.sheet,
        located_by=located_by or location.located_by,
        meta=dict(meta),
        notes=tuple(notes),
        findings=tuple(findings),
        source=source,
    )


@lru_cache(maxsize=4096)
def _ref(row: int, col: int) -> str:
    return coord(row, col)


def raw_for_record(raw: Any) -> Any:
    """What a note or finding keeps as 'the value seen': the formula text for a formula cell,
    None for an empty cell (adapters differ between "" and None)."""
    if raw == "":
        return None
    formula = getattr(raw, "formula", None)
    if formula is not None:
        return formula or getattr(raw, "result", "")
    return raw


def _not_found(form: Form, missing: dict[str, list[Field]]) -> list[Finding]:
    """One finding per row: a deleted row is one thing to fix, not three."""
    out = []
    for row_id, fields in missing.items():
        all_of_row = [f for f in form.fields if f.row == row_id]
        label = fields[0].label if len(fields) == len(all_of_row) else "、".join(f.display for f in fields)
        out.append(Finding("not-found", ERROR, message("not-found", label=label), tuple(f.id for f in fields)))
    return out


def known_form_title(form_id: str, district: str, meta: Mapping[str, str] | None = None) -> str:
    """The title of another form, so the clerk reads a title rather than an id: as its own
    workbook records it, else as a bundled declaration has it."""
    if meta and meta.get("form_title"):
        return meta["form_title"]
    try:
        forms = bundled_forms()
    except FormError:
        return form_id
    return next((f.title(district) for f in forms if f.id == form_id), form_id)


def unlocated(
    form: Form, rule: str, *, meta: Mapping[str, str], source: str, sheet: str = "", **values: str
) -> Submission:
    """No table to read (another form, or none on any sheet): every value None, one finding."""
    district = meta.get("district") or ""
    if "found" in values:
        values["found"] = known_form_title(values["found"], district, meta)
    text = message(rule, title=form.title(district), **values)
    return Submission(
        form_id=form.id,
        form_version=form.version,
        values={f.id: None for f in form.fields},
        cells={},
        sheet=sheet,
        located_by="",
        meta=dict(meta),
        findings=(Finding(rule, ERROR, text),),
        source=source,
    )
