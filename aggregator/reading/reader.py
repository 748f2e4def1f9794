"""``read_return``: one received file in, one ``Submission`` out.

sniff (bytes -> format, safety guards) -> adapter (format -> raw grids) -> metadata -> locate
(grids -> cells) -> raw values (formulas resolved) -> assemble (normalise, notes, findings), and
the 情况说明 sheet's explanations (``explanations``) beside them.
Only the adapters do I/O; every stage after them is a pure function of plain data.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..form.declaration import Form
from .submission import BY_DOCX, Submission
from .assemble import assemble, unlocated
from .calamine_adapter import CalamineWorkbook
from .errors import UnreadableFile
from .explanations import read_explanations
from .locate import locate
from .meta import read_meta
from .port import RawWorkbook
from .raw_values import raw_values
from .sniff import Sniffed, sniff

ENGINES = ("auto", "calamine", "openpyxl", "xlrd")


def open_workbook(sniffed: Sniffed, engine: str = "auto") -> RawWorkbook:
    """The adapter for ``engine``. "auto": xlrd for .xls (calamine can abort the process on a
    damaged .xls), then calamine for an .xls xlrd refuses but calamine reads (as LibreOffice
    does: collect reads in a worker process, which an abort costs nothing but that file);
    calamine for everything else. openpyxl reads .xlsx/.xlsm only; it and xlrd are imported on
    demand, so reading an .xlsx never loads them."""
    if engine == "auto":
        if sniffed.format != "xls":
            return CalamineWorkbook(sniffed)
        try:
            from .xlrd_adapter import XlrdWorkbook
        except ImportError:  # xlrd is a dependency; without it calamine still reads .xls
            return CalamineWorkbook(sniffed)
        try:
            return XlrdWorkbook(sniffed)
        except UnreadableFile as refused:
            if refused.kind != "corrupt":  # encrypted, or older than calamine reads
                raise
            try:
                return CalamineWorkbook(sniffed)
            except UnreadableFile:
                raise refused from None
    if engine == "calamine":
        return CalamineWorkbook(sniffed)
    if engine == "openpyxl":
        from .openpyxl_adapter import OpenpyxlWorkbook

        return OpenpyxlWorkbook(sniffed)
    if engine == "xlrd":
        from .xlrd_adapter import XlrdWorkbook

        return XlrdWorkbook(sniffed)
    raise ValueError(f"unknown engine {engine!r}; one of {ENGINES}")


def read_return(path: str | Path, form: Form, *, engine: str = "auto") -> Submission:
    """Read a school's returned workbook against ``form``.

    Raises ``UnreadableFile`` when the file as a whole cannot be read (its ``kind`` says why);
    everything smaller is a finding or a note in the returned ``Submission``.
    """
    path = Path(path)
    sniffed = sniff(path)
    try:
        wb = open_workbook(sniffed, engine)
        try:
            return read_workbook(wb, form, source=path.name)
        finally:
            wb.close()
    finally:
        sniffed.discard()


def read_workbook(wb: RawWorkbook, form: Form, *, source: str = "") -> Submission:
    """Read a workbook already opened by an adapter (a file's, or one open in Excel)."""
    meta = read_meta(wb)
    found_form = meta.get("form_id", "")
    if found_form and found_form != form.id:
        return unlocated(form, "wrong-form", meta=meta, source=source, found=found_form)
    location = locate(wb, form, meta)
    if not location.table_found:
        return unlocated(form, "form-not-found", meta=meta, source=source, sheet=location.sheet)
    word = getattr(wb, "cell_name", None)  # a Word table: cells named in words, read "by docx"
    sub = assemble(form, location, raw_values(wb, location, form), meta=meta, source=source, name_cell=word,
                   located_by=BY_DOCX if word else "")
    explained = () if word else read_explanations(wb, form)
    return replace(sub, explanations=explained) if explained else sub


def read_word_return(path: str | Path, form: Form, fmt: str = "docx") -> Submission:
    """The form filled in Word (.docx) or Writer (.odt): its table read by its labels."""
    from .docx_adapter import DocxWorkbook

    path = Path(path)
    return read_workbook(DocxWorkbook(path, fmt), form, source=path.name)
