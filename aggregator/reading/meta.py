"""The very hidden sheet the template carries: which form, which layout, which school.

Key/value rows in columns A and B (written by ``aggregator.outputs.template``; the sheet name is repeated
here so reading never imports the template builder, which loads openpyxl).
"""

from __future__ import annotations

from typing import Any

from ..form.values import INVISIBLE, normalise_text
from .port import RawWorkbook, SheetTooLarge

META_SHEET = "dudao_meta"


def read_meta(wb: RawWorkbook) -> dict[str, str]:
    """The metadata as text ({} when the sheet is absent): 12.0 re-typed by a program is "12"."""
    if META_SHEET not in wb.sheet_names():
        return {}
    try:
        rows = wb.grid(META_SHEET)
    except SheetTooLarge:
        return {}
    out: dict[str, str] = {}
    for row in rows:
        key = _text(row[0] if row else None)
        if key:
            out[key] = _text(row[1] if len(row) > 1 else None)
    return out


def _text(value: Any) -> str:
    if value.__class__ is str:  # what nearly every metadata cell holds: normalise_text's last case
        return (value if value.isascii() else value.translate(INVISIBLE)).strip()
    return normalise_text(value).value
