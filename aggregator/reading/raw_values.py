"""The raw value at every located field, with formulas resolved where the file saved no result.

A count cell that reads blank may hold a formula without a saved result (files written by
programs, not by Excel) or a saved error value; both would otherwise pass as a blank, i.e. 0.
Only then is the sheet's formula list asked for, and a formula is evaluated by our own small
evaluator, following references to other unsaved formulas. A text cell that reads blank may
hold a formula too (a HYPERLINK typed into 主要问题): it keeps the text a person would see
(``values.formula_text``), so nothing a school typed disappears.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ..form.declaration import Form
from ..form.layout import coord
from .evaluate import ExcelError, Unsupported, evaluate
from .location import Location
from ..form.values import FormulaCell, formula_text
from .port import RawWorkbook, value_at

_MAX_DEPTH = 50


def raw_values(wb: RawWorkbook, location: Location, form: Form) -> dict[str, tuple[tuple[int, int], Any]]:
    """Field id -> ((row, col), raw value) for every located field."""
    grid = wb.grid(location.sheet)
    out: dict[str, tuple[tuple[int, int], Any]] = {}
    blank_counts, blank_texts = [], []
    for fid, at in location.cells.items():
        if fid in location.embedded:
            out[fid] = (at, location.embedded[fid])
            continue
        raw = value_at(grid, *at)
        out[fid] = (at, raw)
        if raw in (None, ""):
            kind = form.field(fid)
            if kind.numeric:
                blank_counts.append(fid)
            elif not kind.choices and kind.type != "date":
                blank_texts.append(fid)
    if blank_counts or blank_texts:
        formulas = wb.formulas(location.sheet)  # may be lazy: ask cell by cell, never len()
        resolve = _resolver(grid, formulas, location.sheet)
        for fid in blank_counts:
            at = out[fid][0]
            ref = coord(*at)
            if ref in formulas:
                out[fid] = (at, resolve(ref))
        for fid in blank_texts:  # text a school typed as a formula, with no result saved: keep it
            at = out[fid][0]
            ref = coord(*at)
            if ref in formulas and formulas[ref].startswith("="):
                out[fid] = (at, FormulaCell(formulas[ref], formula_text(formulas[ref])))
    return out


def _resolver(grid, formulas: Mapping[str, str], sheet: str) -> Callable[[str], FormulaCell]:
    def cell_value(row: int, col: int, seen: frozenset[str]) -> Any:
        ref = coord(row, col)
        if ref in formulas:
            if ref in seen or len(seen) > _MAX_DEPTH:
                raise Unsupported("circular reference")
            return compute(ref, seen | {ref})
        return value_at(grid, row, col)

    def compute(ref: str, seen: frozenset[str]) -> Any:
        text = formulas[ref]
        if not text.startswith("="):  # a saved error value
            return ExcelError(text)
        return evaluate(text, lambda r, c: cell_value(r, c, seen), sheet)

    def resolve(ref: str) -> FormulaCell:
        text = formulas[ref]
        if not text.startswith("="):
            return FormulaCell("", text)
        try:
            result = compute(ref, frozenset({ref}))
        except (Unsupported, RecursionError):
            return FormulaCell(text, None, supported=False)
        return FormulaCell(text, str(result) if isinstance(result, ExcelError) else result)

    return resolve

