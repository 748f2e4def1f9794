"""Labels as compared: the reader finds a table by its printed texts, whatever the school did
to their width, spacing and numbering. One place, so that every stage compares labels alike.

What people type into value cells is the form's business (``aggregator.form.values``): each
field type knows how to read its own values.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from ..form.values import INVISIBLE, number_text


_SPACES = re.compile(r"\s+")
_UNIT_TAIL = re.compile(r"\([^()]*\)$")
_ENUMERATION = re.compile(r"^(?:\(?[0-9一二三四五六七八九十]{1,2}[).、.:]|\([0-9一二三四五六七八九十]{1,2}\))")


def label_key(value: Any) -> str:
    """A label as compared: full-width to half-width (digits, letters, brackets, colons), no
    whitespace of any width, no trailing colon or blank to fill in ("填报单位：", "数量___")."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, (int, float)):
        return number_text(value)
    if not isinstance(value, str):
        return ""
    text = unicodedata.normalize("NFKC", value.translate(INVISIBLE))
    text = _SPACES.sub("", text)
    return text.rstrip(":_")


def core_key(key: str) -> str:
    """A label key without its bracketed unit: "派出责任督学数(人)" -> "派出责任督学数"."""
    return _UNIT_TAIL.sub("", key)


def without_enumeration(key: str) -> str:
    """"1.派出责任督学数" / "(一)派出责任督学数" / "一、..." -> the label itself."""
    return _ENUMERATION.sub("", key, count=1)
