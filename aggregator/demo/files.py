"""The files schools send back, made by code: the issued workbook filled in and saved as Excel
would, a table retyped by hand, a Word file, a zip from a 中心学校 with GBK names, and each with
the time it landed in the download folder."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl

from ..form.declaration import Form
from ..form.explanations import SHEET, TEXT_COL, explanation_layout
from ..form.layout import layout_of
from ..outputs.xlstyle import set_text


def fill_workbook(issued: Path, form: Form, values: dict[str, Any], raw: dict[str, Any] | None = None, *,
                  explanations: dict[str, str] | None = None) -> bytes:
    """What a school does in Excel: open the workbook we sent, type the figures (and, on its
    情况说明 sheet, ``explanations``: rule id -> what it writes in the rule's 说明 cell), save."""
    wb = openpyxl.load_workbook(issued)
    ws = wb[form.sheet]
    cells = layout_of(form).cells
    for fid, value in {**values, **(raw or {})}.items():
        cell = ws[cells[fid]]
        if isinstance(value, str):
            set_text(cell, value)
        else:
            cell.value = value
    if explanations:
        sheet = wb[SHEET]
        for row in explanation_layout(form).rows:
            if row.rule in explanations:
                found = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 2).value == row.name)
                set_text(sheet.cell(found, TEXT_COL), explanations[row.rule])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def retyped_workbook(form: Form, values: dict[str, Any]) -> bytes:
    """A school that typed the table again in a blank workbook: same labels, its own layout."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["B1"] = form.title("曾都区")
    ws["B3"] = f"填报单位：{values['unit']}"
    ws["D3"] = f"填报人：{values['reporter']}"
    ws["F3"] = f"联系电话：{values['phone']}"
    row = 5
    for section in form.sections:
        ws.cell(row, 2, section.label)
        if section.kind == "grid":
            ws.cell(row, 3, section.head)
            for j, c in enumerate(section.columns):
                ws.cell(row, 4 + j, c.label)
            row += 1
            for r in section.rows:
                ws.cell(row, 3, r.label)
                for j, c in enumerate(section.columns):
                    ws.cell(row, 4 + j, values[f"{r.id}.{c.id}"])
                row += 1
        elif section.kind == "lines":
            for r in section.rows:
                ws.cell(row, 3, r.label)
                ws.cell(row, 4, values[r.id])
                row += 1
        else:
            for r in section.rows:
                ws.cell(row, 3, r.label)
                ws.cell(row, 4, values[r.id])
                ws.cell(row, 5, r.suffix)
                row += 1
        row += 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def word_file() -> bytes:
    """A minimal Word document: the 优秀工作案例 that schools send in the same chat."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


class GbkZipInfo(zipfile.ZipInfo):
    """A member name as Windows' built-in zip tool writes it: GBK bytes, no UTF-8 flag."""

    def _encodeFilenameFlags(self):  # noqa: N802 - zipfile's own hook
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def gbk_zip(members: dict[str, bytes], when: tuple = (2023, 11, 18, 16, 20, 0)) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            info = GbkZipInfo(name, when)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


def put_received(path: Path, data: bytes, when: str) -> Path:
    """A file as it lies in a download folder: its bytes, and the time it arrived."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    ts = datetime.fromisoformat(when).timestamp()
    os.utime(path, (ts, ts))
    return path
