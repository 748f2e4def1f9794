"""Build returned workbooks the way schools send them back, from a few field values.

``write_return(path, values, ...)`` lays Annex 5 out per ``layout_of(form)`` (labels, heads,
values, the very hidden metadata sheet) and then does to it what schools do: insert rows or
columns, delete rows, rename or move the sheet, paste the table into another workbook at an
offset, drop the metadata, retype it by hand (``style="reordered"``: labels in column A, heads in
another order) or like the Word original (``style="word"``: no heads, values inline), save it as
.xls or .ods. Values are written as given: 3 stays a number, "3" stays text, "=D8+E8" becomes a
formula without a saved result (as openpyxl writes it).

Also: crafted bad files (zip bomb, DOCTYPE, encrypted OLE, Word in disguise) and XML patching
for saved formula results. Other test modules reuse these; keep them plain.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from aggregator.form.declaration import Form
from aggregator.form.parse import load_form
from aggregator.form.layout import layout_of, split_coord

FORM = load_form()
META_SHEET = "dudao_meta"
DEFAULT_UNIT = "曾都区实验小学"


def sample_values(**changes: Any) -> dict[str, Any]:
    """A complete, consistent return; ``inspectors__total=9`` changes one field."""
    from forms_helpers import VALID

    out = dict(VALID)
    for key, value in changes.items():
        out[key.replace("__", ".")] = value
    return out


def meta_rows(form: Form = FORM, **overrides: str) -> dict[str, str]:
    rows = {
        "form_id": form.id,
        "form_version": form.version,
        "layout": layout_of(form).fingerprint,
        "district": "曾都区",
        "collection_id": "2023-shuangjian",
        "school_id": "S042",
        "school_name": DEFAULT_UNIT,
        "issued_at": "2023-11-01T09:00:00",
        "kind": "school",
    }
    rows.update(overrides)
    return rows


# ================================================================================================
# Sheets as plain data, then written by one writer per format
# ================================================================================================


@dataclass
class SheetSpec:
    name: str
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    state: str = "visible"  # visible | hidden | veryHidden


def write_return(
    path: str | Path,
    values: Mapping[str, Any],
    *,
    form: Form = FORM,
    unit: str | None = DEFAULT_UNIT,
    style: str = "template",
    insert_rows_at: int | None = None,
    insert_rows: int = 1,
    insert_cols_at: int | None = None,
    insert_cols: int = 1,
    drop_rows: Iterable[str] = (),
    offset: tuple[int, int] = (0, 0),
    sheet_name: str | None = None,
    extra_sheets_before: int = 0,
    extra_sheets_after: int = 0,
    meta: bool | Mapping[str, str] = True,
    fmt: str = "xlsx",
) -> Path:
    """Write a return to ``path`` and return it. ``values`` maps field ids to raw cell values;
    ``unit`` fills 填报单位 unless ``values`` has "unit". Rows and columns are numbered as in the
    issued layout: ``insert_rows_at=7`` inserts before row 7, ``drop_rows=("circulars",)``
    deletes the 通报 row."""
    path = Path(path)
    values = dict(values)
    if unit is not None:
        values.setdefault("unit", unit)
    if style == "template":
        table = _template_sheet(form, values, sheet_name or form.sheet, set(drop_rows))
    elif style == "reordered":
        table = _reordered_sheet(form, values, sheet_name or "Sheet1")
    elif style == "word":
        table = _word_sheet(form, values, sheet_name or "Sheet1")
    else:
        raise ValueError(style)
    table = _moved(table, insert_rows_at, insert_rows, insert_cols_at, insert_cols, offset)
    sheets = [_filler_sheet(f"Sheet{i + 1}" if i else "填表说明", i) for i in range(extra_sheets_before)]
    sheets.append(table)
    sheets += [_filler_sheet(f"备用{i + 1}", i + 10) for i in range(extra_sheets_after)]
    if meta:
        rows = meta_rows(form, **(meta if isinstance(meta, Mapping) else {}))
        cells = {}
        for i, (k, v) in enumerate(rows.items(), start=1):
            cells[(i, 1)], cells[(i, 2)] = k, v
        sheets.append(SheetSpec(META_SHEET, cells, state="veryHidden"))
    WRITERS[fmt](path, sheets)
    return path


def _template_sheet(form: Form, values: Mapping[str, Any], name: str, drop: set[str]) -> SheetSpec:
    layout = layout_of(form)
    cells: dict[tuple[int, int], Any] = {}
    for t in layout.texts:
        cells[split_coord(t.cell)] = form.title() if t.kind == "title" else t.text
    for fid, value in values.items():
        if value is not None:
            cells[split_coord(layout.cells[fid])] = value
    merges = []
    for rng in layout.merges:
        first, _, last = rng.partition(":")
        merges.append((*split_coord(first), *split_coord(last)))
    sheet = SheetSpec(name, cells, merges)
    dropped = sorted({split_coord(layout.label_cells[f.id])[0] for f in form.fields if f.row in drop})
    return _without_rows(sheet, dropped) if dropped else sheet


def _without_rows(sheet: SheetSpec, dropped: list[int]) -> SheetSpec:
    def new_row(r: int) -> int:
        return r - sum(1 for d in dropped if d < r)

    cells = {(new_row(r), c): v for (r, c), v in sheet.cells.items() if r not in dropped}
    merges = []
    for r1, c1, r2, c2 in sheet.merges:
        alive = [r for r in range(r1, r2 + 1) if r not in dropped]
        if alive and (len(alive) > 1 or c2 > c1):
            merges.append((new_row(alive[0]), c1, new_row(alive[-1]), c2))
    # A merged section label whose top row was deleted moves down with Excel, keep it visible.
    for r1, c1, r2, _ in sheet.merges:
        if r1 in dropped and (r1, c1) in sheet.cells:
            alive = [r for r in range(r1, r2 + 1) if r not in dropped]
            if alive:
                cells[(new_row(alive[0]), c1)] = sheet.cells[(r1, c1)]
    return SheetSpec(sheet.name, cells, merges, sheet.state)


def _moved(sheet: SheetSpec, rows_at, n_rows, cols_at, n_cols, offset) -> SheetSpec:
    dr0, dc0 = offset

    def r_(r: int) -> int:
        return r + (n_rows if rows_at is not None and r >= rows_at else 0) + dr0

    def c_(c: int) -> int:
        return c + (n_cols if cols_at is not None and c >= cols_at else 0) + dc0

    cells = {(r_(r), c_(c)): v for (r, c), v in sheet.cells.items()}
    merges = [(r_(r1), c_(c1), r_(r2), c_(c2)) for r1, c1, r2, c2 in sheet.merges]
    return SheetSpec(sheet.name, cells, merges, sheet.state)


def _filler_sheet(name: str, seed: int) -> SheetSpec:
    """Another sheet a school keeps in the same workbook: notes and a few numbers."""
    cells = {(1, 1): "填表说明", (2, 1): "请如实填写", (3, 1): "序号", (3, 2): "学校", (3, 3): "人数"}
    for i in range(5):
        cells[(4 + i, 1)], cells[(4 + i, 2)], cells[(4 + i, 3)] = i + 1, f"学校{seed}-{i}", (seed * 7 + i) % 13
    return SheetSpec(name, cells)


def _grid_sections(form: Form):
    return [s for s in form.sections if s.kind == "grid"]


def _reordered_sheet(form: Form, values: Mapping[str, Any], name: str) -> SheetSpec:
    """Retyped by hand: labels in column A, each section's heads in reverse order, header
    labels without colons and values two cells to the right."""
    cells: dict[tuple[int, int], Any] = {(1, 1): form.title()}
    for i, f in enumerate(form.header):
        cells[(2, 1 + 3 * i)] = f.label
        cells[(2, 3 + 3 * i)] = values.get(f.id)
    row = 4
    for s in form.sections:
        if s.kind == "grid":
            cols = list(reversed(s.columns))
            cells[(row, 1)] = s.head or s.label
            for j, col in enumerate(cols):
                cells[(row, 2 + j)] = col.label
            row += 1
            for r in s.rows:
                cells[(row, 1)] = r.label
                for j, col in enumerate(cols):
                    cells[(row, 2 + j)] = values.get(f"{r.id}.{col.id}")
                row += 1
        elif s.kind == "lines":
            cells[(row, 1)] = s.label
            row += 1
            for r in s.rows:
                cells[(row, 1)], cells[(row, 2)] = int(r.label), values.get(r.id)
                row += 1
        else:
            for r in s.rows:
                cells[(row, 1)], cells[(row, 2)], cells[(row, 3)] = r.label, values.get(r.id), r.suffix
                row += 1
        row += 1
    return SheetSpec(name, {k: v for k, v in cells.items() if v is not None})


def _word_sheet(form: Form, values: Mapping[str, Any], name: str) -> SheetSpec:
    """Like the Word original pasted or retyped: the header line in one cell, no column heads,
    "其中：学科类 5" inline, 主要问题 as "1.xxx" cells, 典型经验 as one sentence."""
    v = values.get
    header = "    ".join(f"{f.label}：{v(f.id) if v(f.id) is not None else ''}" for f in form.header)
    cells: dict[tuple[int, int], Any] = {(1, 1): form.title(), (2, 1): header}
    row = 4
    for n, s in enumerate(form.sections, start=1):
        cells[(row, 1)] = f"{'一二三四五六七八'[n - 1]}、{s.label}"
        row += 1
        if s.id == "training":
            r = s.rows[0]
            cells.update({(row, 1): r.label, (row, 2): v(f"{r.id}.total"), (row, 3): "其中：学科类",
                          (row, 4): v(f"{r.id}.subject"), (row, 5): "非学科类", (row, 6): v(f"{r.id}.non_subject")})
            row += 1
        elif s.id == "accountability":  # "印发督办单（件） 2 其中：区教育督导部门 1"
            for r in s.rows:
                cells.update({(row, 1): r.label, (row, 2): v(f"{r.id}.total"), (row, 3): "其中：区教育督导部门",
                              (row, 4): v(f"{r.id}.bureau")})
                row += 1
        elif s.kind == "grid":
            for r in s.rows:
                cells[(row, 1)] = r.label
                for j, col in enumerate(s.columns):
                    cells[(row, 2 + j)] = v(f"{r.id}.{col.id}")
                row += 1
        elif s.kind == "lines":
            for r in s.rows:
                cells[(row, 1)] = f"{r.label}.{v(r.id) or ''}"
                row += 1
        else:
            for r in s.rows:
                cells[(row, 1)] = f"{r.label}{v(r.id) if v(r.id) is not None else '___'}{r.suffix}"
                row += 1
    return SheetSpec(name, {k: val for k, val in cells.items() if val is not None})


# ================================================================================================
# Writers
# ================================================================================================


def _write_xlsx(path: Path, sheets: list[SheetSpec]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for spec in sheets:
        ws = wb.create_sheet(spec.name)
        ws.sheet_state = spec.state
        for (r, c), value in spec.cells.items():
            ws.cell(r, c).value = value
        for r1, c1, r2, c2 in spec.merges:
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    wb.save(path)


def _write_xlsm(path: Path, sheets: list[SheetSpec]) -> None:
    """An .xlsx whose main part is declared macro-enabled: what Excel saves as .xlsm."""
    _write_xlsx(path, sheets)
    patch_zip(path, "[Content_Types].xml", lambda x: x.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"))


def _write_xls(path: Path, sheets: list[SheetSpec]) -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    for spec in sheets:
        ws = wb.add_sheet(spec.name)
        ws.visibility = {"visible": 0, "hidden": 1, "veryHidden": 2}[spec.state]
        for (r, c), value in spec.cells.items():
            if isinstance(value, str) and value.startswith("="):
                ws.write(r - 1, c - 1, xlwt.Formula(value[1:]))
            else:
                ws.write(r - 1, c - 1, value)
    wb.save(str(path))


def _write_ods(path: Path, sheets: list[SheetSpec]) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for spec in sheets:
        table = Table(name=spec.name)
        n_rows = max((r for r, _ in spec.cells), default=0)
        n_cols = max((c for _, c in spec.cells), default=0)
        for r in range(1, n_rows + 1):
            tr = TableRow()
            for c in range(1, n_cols + 1):
                value = spec.cells.get((r, c))
                if value is None:
                    tr.addElement(TableCell())
                elif isinstance(value, str) and value.startswith("="):  # a formula, no saved value
                    tr.addElement(TableCell(formula="of:" + _open_formula(value)))
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    cell = TableCell(valuetype="float", value=value)
                    cell.addElement(P(text=str(value)))
                    tr.addElement(cell)
                else:
                    cell = TableCell(valuetype="string")
                    cell.addElement(P(text=str(value)))
                    tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))


def _open_formula(formula: str) -> str:
    """"=SUM(D8:E8,1)" -> "=SUM([.D8:.E8];1)": the OpenFormula syntax .ods files store."""
    refs = re.sub(r"\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?",
                  lambda m: "[." + m.group(0).replace(":", ":.") + "]", formula)
    return refs.replace(",", ";")


WRITERS: dict[str, Callable[[Path, list[SheetSpec]], None]] = {
    "xlsx": _write_xlsx,
    "xlsm": _write_xlsm,
    "xls": _write_xls,
    "ods": _write_ods,
}


# ================================================================================================
# Patching and crafted files
# ================================================================================================


def rewrite_package(package: bytes, changes: Mapping[str, Callable[[bytes], bytes]] | None = None,
                    add: Mapping[str, bytes] | None = None) -> bytes:
    """A zip package with some members rewritten (by name) and others added."""
    changes = changes or {}
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            change = changes.get(info.filename)
            out.writestr(info, change(data) if change else data)
        for name, data in (add or {}).items():
            out.writestr(name, data)
    return buf.getvalue()


def patch_zip(path: Path, member: str, change: Callable[[bytes], bytes]) -> None:
    """Rewrite one member of a zip package in place."""
    Path(path).write_bytes(rewrite_package(Path(path).read_bytes(), {member: change}))


def sheet_member(path: Path, sheet: str = "统计表") -> str:
    """The zip member holding ``sheet`` of an openpyxl-written workbook."""
    with zipfile.ZipFile(path) as z:
        names = re.findall(rb'<sheet [^>]*name="([^"]+)"', z.read("xl/workbook.xml"))
    index = [n.decode() for n in names].index(sheet) + 1
    return f"xl/worksheets/sheet{index}.xml"


def save_results(path: Path, results: Mapping[str, str], sheet: str = "统计表") -> None:
    """Give formula cells a saved result, as Excel would: ``{"C8": "5"}`` or ``{"C8": "#DIV/0!"}``."""

    def change(xml: bytes) -> bytes:
        for ref, value in results.items():
            error = b' t="e"' if value.startswith("#") else b""
            pattern = re.compile(rb'<c r="' + ref.encode() + rb'"([^>]*)>(<f>.*?</f>)<v\s*/>')
            replacement = rb'<c r="' + ref.encode() + rb'"\1' + error + rb">\2<v>" + value.encode() + rb"</v>"
            xml, n = pattern.subn(replacement, xml)
            assert n == 1, f"no formula cell {ref}"
        return xml

    patch_zip(path, sheet_member(path, sheet), change)


def zip_bomb(path: Path, megabytes: int = 100) -> Path:
    """A package whose one sheet unpacks to ``megabytes`` of zeros (about 100 KB on disk)."""
    chunk = b"\x00" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            for _ in range(megabytes):
                fh.write(chunk)
    return path


_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)


def docx(path: Path) -> Path:
    """A minimal Word document (what a school sends when it filled the Word version)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   b'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
                   b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("word/document.xml", "<w:document><w:body><w:p>填报单位：</w:p></w:body></w:document>")
    return path


def ole_file(streams: Iterable[str]) -> bytes:
    """A compound-file header and one directory sector naming ``streams`` (enough to be told
    apart; not a readable OLE file). With "EncryptionInfo"/"EncryptedPackage" it is what Excel
    writes for a password-protected .xlsx."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[0x1A:0x1C] = (3).to_bytes(2, "little")  # major version 3: 512-byte sectors
    header[0x1C:0x1E] = b"\xfe\xff"
    header[0x1E:0x20] = (9).to_bytes(2, "little")
    directory = bytearray()
    for name in ["Root Entry", *streams]:
        entry = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        entry[: len(encoded)] = encoded
        entry[64:66] = len(encoded).to_bytes(2, "little")
        entry[66] = 5 if name == "Root Entry" else 2
        directory += entry
    directory += bytes(-len(directory) % 512)
    return bytes(header) + bytes(directory) + bytes(512)


# ================================================================================================
# Real-world shapes collect met in other libraries' test corpora (issue 12), made by code
# ================================================================================================


def _biff12(kind: int, payload: bytes = b"") -> bytes:
    """One .xlsb record: its type and size as 7-bit varints, then the payload."""
    out = bytearray([kind] if kind < 0x80 else [(kind & 0x7F) | 0x80, kind >> 7])
    size = len(payload)
    while True:
        size, low = size >> 7, size & 0x7F
        out.append(low | 0x80 if size else low)
        if not size:
            return bytes(out) + payload


def _wide(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def _xlsb_sheet(spec: SheetSpec) -> bytes:
    rows: dict[int, dict[int, Any]] = {}
    for (r, c), value in spec.cells.items():
        rows.setdefault(r, {})[c] = value
    out = _biff12(129) + _biff12(148, struct.pack("<4I", 0, max(rows, default=1) - 1, 0, 0)) + _biff12(145)
    for r in sorted(rows):
        out += _biff12(0, struct.pack("<IIH", r - 1, 0, 0x12C) + bytes(3) + struct.pack("<I", 0))
        for c, value in sorted(rows[r].items()):
            if isinstance(value, str):
                out += _biff12(6, struct.pack("<II", c - 1, 0) + _wide(value))
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                out += _biff12(5, struct.pack("<IId", c - 1, 0, float(value)))
    return out + _biff12(146) + _biff12(130)


def xlsb_package(sheets: list[SheetSpec], chart_sheet: bool = False) -> bytes:
    """An .xlsb workbook of ``sheets`` (values only), with a chart sheet first if asked: what
    Excel saves as "Excel 二进制工作簿"."""
    ns = "http://schemas.openxmlformats.org"
    book = _biff12(131) + _biff12(143)
    rels, types, parts = [], [], {}
    listed = ([None] if chart_sheet else []) + sheets
    for i, spec in enumerate(listed, start=1):
        kind = "chartsheet" if spec is None else "worksheet"
        target = f"{kind}s/sheet{i}.bin"
        parts[f"xl/{target}"] = _biff12(0x1A9) + _biff12(0x1AA) if spec is None else _xlsb_sheet(spec)
        rels.append(f'<Relationship Id="rId{i}" Type="{ns}/officeDocument/2006/relationships/{kind}" Target="{target}"/>')
        types.append(f'<Override PartName="/xl/{target}" ContentType="application/vnd.ms-excel.{kind}"/>')
        state = {"visible": 0, "hidden": 1, "veryHidden": 2}[spec.state if spec else "visible"]
        book += _biff12(156, struct.pack("<II", state, i) + _wide(f"rId{i}") + _wide(spec.name if spec else "图表1"))
    book += _biff12(144) + _biff12(132)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{ns}/package/2006/'
                   'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                   'relationships+xml"/><Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.'
                   f'sheet.binary.macroEnabled.main"/>{"".join(types)}</Types>')
        z.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/'
                   f'relationships"><Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/'
                   'officeDocument" Target="xl/workbook.bin"/></Relationships>')
        z.writestr("xl/workbook.bin", book)
        z.writestr("xl/_rels/workbook.bin.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships '
                   f'xmlns="{ns}/package/2006/relationships">{"".join(rels)}</Relationships>')
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def _write_xlsb(path: Path, sheets: list[SheetSpec]) -> None:
    Path(path).write_bytes(xlsb_package(sheets, chart_sheet=True))


def _biff(kind: int, payload: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(payload)) + payload


def _write_xls4(path: Path, sheets: list[SheetSpec]) -> None:
    """The table sheet alone as an Excel 4.0 worksheet (.xls of 1992: a BIFF4 stream, no OLE2
    container, text in the Chinese code page): all one sheet of that age could hold."""
    spec = next(s for s in sheets if s.name != META_SHEET)
    out = _biff(0x0409, struct.pack("<HHH", 0, 0x0010, 0)) + _biff(0x0042, struct.pack("<H", 936))
    for (r, c), value in sorted(spec.cells.items()):
        if isinstance(value, str):
            text = value.encode("gbk", "replace")
            out += _biff(0x0204, struct.pack("<HHHH", r - 1, c - 1, 0, len(text)) + text)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out += _biff(0x0203, struct.pack("<HHHd", r - 1, c - 1, 0, float(value)))
    Path(path).write_bytes(out + _biff(0x000A))


WRITERS["xlsb"] = _write_xlsb
WRITERS["xls4"] = _write_xls4


def excel4_workbook() -> bytes:
    """An Excel 4.0 workbook (BIFF4W: sheets bundled in one stream), which xlrd does not read."""
    return _biff(0x0409, struct.pack("<HHH", 0, 0x0100, 0)) + _biff(0x0042, struct.pack("<H", 936)) + _biff(0x000A)


def huge_cell_xlsb(sheets: list[SheetSpec], row: int, col: int) -> bytes:
    """An .xlsb whose table sheet also holds one value at (``row``, ``col``): XFD1048576 made
    calamine ask for 512 GB and abort, IV262144 took 2 GB."""
    first = sheets[0]
    cells = dict(first.cells)
    cells[(row, col)] = 1
    return xlsb_package([SheetSpec(first.name, cells), *sheets[1:]])


def renamed_ole_stream(xls: bytes, new: str) -> bytes:
    """An .xls whose "Workbook" stream is called ``new`` ("WORKBOOK", "BOOK"), as some writers do."""
    old = "Workbook".encode("utf-16-le") + b"\x00\x00"
    at = xls.find(old, 512)
    while at % 128:
        at = xls.find(old, at + 1)
    name = new.encode("utf-16-le") + b"\x00\x00"
    entry = bytearray(xls[at : at + 128])
    entry[:64] = name + bytes(64 - len(name))
    entry[64:66] = len(name).to_bytes(2, "little")
    return xls[:at] + bytes(entry) + xls[at + 128 :]


def with_default_password(xlsx: bytes) -> bytes:
    """The workbook encrypted with Excel's default password "VelvetSweatshop" (Excel opens it
    without asking)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(xlsx)).encrypt("VelvetSweatshop", out)
    return out.getvalue()


def formatted_to_the_last_row(xlsx: bytes, sheet_member_name: str) -> bytes:
    """As LibreOffice saves a sheet whose rows and columns were formatted to the end: empty
    styled cells in XFD and down to row 1048576, and a dimension to match."""

    def change(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml)
        rows = b"".join(b'<row r="%d" s="1" customFormat="1"><c r="A%d" s="1"/></row>' % (r, r)
                        for r in (60, 61, 1048576))
        return xml.replace(b"</sheetData>", b'<row r="59"><c r="XFD59" s="1"/></row>' + rows + b"</sheetData>")

    return rewrite_package(xlsx, {sheet_member_name: change})


def with_ods_macros(ods: bytes) -> bytes:
    """An .ods carrying a Basic macro library, whose XML LibreOffice writes with a DOCTYPE."""
    doctype = b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">'
    return rewrite_package(ods, add={
        "Basic/Standard/Module1.xml": doctype + b'<script:module xmlns:script="http://openoffice.org/2000/script" '
                                                b'script:name="Module1" script:language="StarBasic">Sub Main\nEnd Sub'
                                                b"</script:module>",
        "Basic/script-lc.xml": b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE library:libraries PUBLIC '
                               b'"-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "libraries.dtd"><library:libraries '
                               b'xmlns:library="http://openoffice.org/2000/library"/>',
    })


def flat_ods() -> bytes:
    """A flat OpenDocument spreadsheet (.fods): one XML file, no zip."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<office:document xmlns:office="urn:oasis:names:tc:opendocument:'
            'xmlns:office:1.0" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">\n'
            '<office:body><office:spreadsheet><table:table table:name="统计表"/></office:spreadsheet></office:body>\n'
            '</office:document>\n').encode("utf-8")


def bad_name_formula(xls: bytes) -> bytes:
    """The .xls with a defined name whose formula holds a token xlrd does not know: xlrd raises
    its FormulaError on opening it, LibreOffice and calamine read the sheets. The name takes the
    place of the WRITEACCESS record, which has the same length, so the OLE2 container is unchanged."""
    at = xls.find(struct.pack("<HH", 0x005C, 112))
    formula = b"\xff" * 93
    name = struct.pack("<HBBHHHBBBB", 0, 0, 4, len(formula), 0, 0, 0, 0, 0, 0) + b"\x00abcd" + formula
    return xls[:at] + struct.pack("<HH", 0x0018, len(name)) + name + xls[at + 116 :]
