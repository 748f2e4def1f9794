"""What a face may do with no collection open, beside the front door (``session`` hands these on):
check a form declaration of the clerk's own, check a workbook open in Excel, save a blank roster.
(The demo, which drives the whole job through the session, is ``aggregator.demo``, a floor above it.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .collection.store.roster import template_bytes
from .findings import Report
from .form.declaration import Form
from .form.parse import bundled_forms, load


def save_roster_template(path: str | Path) -> Path:
    """A blank roster workbook to fill in (``.xlsx`` whatever the name asked), written atomically."""
    from .atomic import write_atomic

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    write_atomic(path, template_bytes())
    return path


def check_workbook(opened: Any, source: str, form: Form | None = None) -> Report | None:
    """The findings for a workbook opened through a reading port (an Excel window's, say), as if it
    had arrived as a file. The form is the one the workbook's own metadata names (the workbook we
    issued says which form it is); None when it names none we ship."""
    from .checks.validate import validate
    from .reading import read_workbook
    from .reading.meta import read_meta

    if form is None:
        form_id = read_meta(opened).get("form_id", "")
        form = next((f for f in bundled_forms() if f.id == form_id), None)
        if form is None:
            return None
    return validate(form, read_workbook(opened, form, source=source))


def check_form_file(path: str | Path) -> Form:
    """A form declaration of the clerk's own, read and checked whole: ``FormError`` lists every problem."""
    return load(Path(path))
