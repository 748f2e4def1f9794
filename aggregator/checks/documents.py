"""Light checks on a received document, each with an answer a school can act on.

A document is not validated like a form: only what would make the bureau ask for it again.
Empty, or a photo with no text where text was expected, is "doc-empty"; much shorter than the
material asks for is "doc-short"; the very file we sent, sent back unchanged, is "doc-unchanged".
"""

from __future__ import annotations

from ..messages import message
from ..reading.documents import Document
from ..findings import ERROR, WARNING, Finding


def check_document(doc: Document, *, min_chars: int = 0, label: str = "", unchanged: bool = False) -> tuple[Finding, ...]:
    """``unchanged``: the file is byte for byte one the collection sent out (a template)."""
    out = []
    if unchanged:
        out.append(Finding("doc-unchanged", ERROR, message("doc-unchanged", label=label or "材料")))
    elif doc.has_text and doc.chars == 0:
        out.append(Finding("doc-empty", ERROR, message("doc-empty", label=label or "材料")))
    elif doc.has_text and min_chars and doc.chars < min_chars:
        out.append(Finding("doc-short", WARNING, message("doc-short", label=label or "材料", chars=doc.chars,
                                                         min_chars=min_chars)))
    return tuple(out)
