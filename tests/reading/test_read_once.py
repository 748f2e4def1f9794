"""What a reading process remembers from one return to the next, and that it never changes what
is read: a zip part unpacked and found safe before is taken again only when its compressed bytes
are the same (``zipguard._Known``), the metadata sheet is read from its XML only when it is
shaped like one that calamine read to the same grid (``calamine_adapter._TEXT_SHEETS``), and a
sheet is taken as calamine read it before only when every part it is read from is the same
(``calamine_adapter._SAME_PARTS``).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

import pytest

from aggregator.demo import fill_workbook
from aggregator.form.parse import load_form
from aggregator.form.explanations import explanation_layout
from aggregator.reading import UnreadableFile, read_return
from aggregator.reading import calamine_adapter, zipguard
from aggregator.reading.meta import read_meta
from aggregator.reading.reader import open_workbook
from aggregator.reading.sniff import sniff

from builders import patch_zip

FORM = load_form()


@pytest.fixture
def issued(col_dir, school_values) -> list[tuple[str, bytes]]:
    """Each school's issued workbook, filled in: returns of one template, alike but for the school."""
    return [(name, fill_workbook(col_dir / "outbox" / f"附件5-{name}.xlsx", FORM, values))
            for name, values in school_values.items()]


@pytest.fixture(autouse=True)
def forgotten():
    """Each test starts with a reading process that has read nothing yet."""
    _forget()
    yield
    _forget()


def _forget() -> None:
    zipguard._KNOWN.cache_clear()
    calamine_adapter._TEXT_SHEETS.cache_clear()
    calamine_adapter._SAME_PARTS.cache_clear()


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _meta_by_calamine(path: Path) -> dict[str, str]:
    calamine_adapter._TEXT_SHEETS.cache_clear()
    wb = open_workbook(sniff(path))
    try:
        return read_meta(wb)
    finally:
        wb.close()


def test_a_part_seen_before_is_checked_again_when_its_bytes_differ(tmp_path, issued):
    clean = _write(tmp_path, "clean.xlsx", issued[0][1])
    read_return(clean, FORM)
    assert len(zipguard._KNOWN._parts) >= 5  # theme, styles, workbook, relationships...
    # The same workbook structure with an external entity: same name, other bytes.
    hostile = _write(tmp_path, "hostile.xlsx", issued[1][1])
    patch_zip(hostile, "xl/workbook.xml",
              lambda x: x.replace(b"<workbook", b'<!DOCTYPE workbook [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                                                b"<workbook", 1))
    with pytest.raises(UnreadableFile) as refused:
        read_return(hostile, FORM)
    assert (refused.value.kind, refused.value.message) == ("unsafe-xml", UnreadableFile("unsafe-xml").message)
    # A part whose compressed bytes are those of a safe one, declared with another CRC: damaged.
    damaged = _write(tmp_path, "damaged.xlsx", issued[0][1])
    with zipfile.ZipFile(damaged) as zf:
        crc = zf.getinfo("xl/styles.xml").CRC
    raw = bytearray(damaged.read_bytes())
    entry = raw.find(b"xl/styles.xml", raw.find(b"PK\x01\x02")) - 46  # its central directory entry
    raw[entry + 16:entry + 20] = (crc ^ 1).to_bytes(4, "little")
    damaged.write_bytes(bytes(raw))
    with pytest.raises(UnreadableFile) as broken:
        read_return(damaged, FORM)
    assert broken.value.kind == "corrupt"


def test_every_return_of_one_template_reads_the_same_remembered_or_not(tmp_path, issued):
    paths = [_write(tmp_path, f"{i}.xlsx", data) for i, (_, data) in enumerate(issued)]
    remembered = [read_return(p, FORM) for p in paths]
    zipguard._KNOWN.cache_clear()
    afresh = []
    for p in paths:
        _forget()
        afresh.append(read_return(p, FORM))
    assert remembered == afresh
    assert [r.meta["school_name"] for r in remembered] == [name for name, _ in issued]


def test_the_metadata_sheet_is_read_from_its_xml_as_calamine_reads_it(tmp_path, issued, monkeypatch):
    first, second = (_write(tmp_path, f"{i}.xlsx", data) for i, (_, data) in enumerate(issued[:2]))
    read_return(first, FORM)  # calamine reads the first metadata sheet: its shape is known since
    calls = []
    real = calamine_adapter.xlsx_parts.extent
    monkeypatch.setattr(calamine_adapter.xlsx_parts, "extent", lambda *a: calls.append(1) or real(*a))
    wb = open_workbook(sniff(second))
    meta = read_meta(wb)
    wb.close()
    assert calls == []  # not bounded for calamine: read from the XML
    assert meta == _meta_by_calamine(second) and meta["school_name"] == issued[1][0]


@pytest.mark.parametrize("change", [
    lambda x: x.replace(b"<t>form_id</t>", b"<t> form_id</t>"),  # a space at the start
    lambda x: x.replace(b"<t>form_id</t>", b"<t>form_x0041_id</t>"),  # an escape (calamine: "formAid")
    lambda x: x.replace(b"<t>form_id</t>", b"<t>form&amp;id</t>"),  # an entity
    lambda x: x.replace(b'<row r="2">', b'<row r="3">', 1),  # a row left out
])
def test_a_metadata_sheet_of_any_other_shape_is_read_by_calamine(tmp_path, issued, change):
    read_return(_write(tmp_path, "first.xlsx", issued[0][1]), FORM)
    other = _write(tmp_path, "other.xlsx", issued[1][1])
    patch_zip(other, "xl/worksheets/sheet3.xml", change)  # the metadata: after the form and 情况说明
    wb = open_workbook(sniff(other))
    try:
        part = wb._part("dudao_meta")
        assert calamine_adapter.xlsx_parts.text_rows(part) is None
        meta = read_meta(wb)
    finally:
        wb.close()
    assert meta == _meta_by_calamine(other)


def _bounded(monkeypatch) -> list[int]:
    """The number of sheets bounded for calamine from now on (each one calamine parses)."""
    calls: list[int] = []
    real = calamine_adapter.xlsx_parts.extent
    monkeypatch.setattr(calamine_adapter.xlsx_parts, "extent", lambda *a: calls.append(1) or real(*a))
    return calls


def _figure(x: bytes) -> bytes:  # another figure typed on the form sheet
    changed = x.replace(b"<v>", b"<v>1", 1)
    assert changed != x
    return changed


@pytest.mark.parametrize("other, again", [
    (None, 1),  # the form sheet alone is parsed: 情况说明 and the metadata are as before
    (("xl/styles.xml", lambda x: x.replace(b"</styleSheet>", b"<!-- saved again --></styleSheet>")), 2),
    (("xl/worksheets/sheet2.xml", lambda x: x.replace(b"</worksheet>", b"<!-- x --></worksheet>")), 2),
])
def test_a_sheet_is_taken_as_read_before_only_when_all_its_parts_are_the_same(tmp_path, issued, monkeypatch,
                                                                             other, again):
    first = _write(tmp_path, "first.xlsx", issued[0][1])
    second = _write(tmp_path, "second.xlsx", issued[0][1])
    patch_zip(second, "xl/worksheets/sheet1.xml", _figure)
    if other is not None:
        patch_zip(second, *other)
    read_return(first, FORM)
    read_return(first, FORM)  # a sheet is kept from the second time it is read
    calls = _bounded(monkeypatch)
    remembered = read_return(second, FORM)
    assert len(calls) == again
    _forget()
    assert remembered == read_return(second, FORM) and remembered != read_return(first, FORM)


def test_an_explanation_written_is_read_though_the_sheet_was_read_before(tmp_path, col_dir, school_values):
    name, values = next(iter(school_values.items()))
    issued = col_dir / "outbox" / f"附件5-{name}.xlsx"
    plain = _write(tmp_path, "plain.xlsx", fill_workbook(issued, FORM, values))
    rule = explanation_layout(FORM).rows[0].rule
    written = _write(tmp_path, "written.xlsx", fill_workbook(issued, FORM, values,
                                                             explanations={rule: "本学期新增两所机构，已核实无误。"}))
    assert read_return(plain, FORM).explanations == ()
    assert [(e.rule, e.text) for e in read_return(written, FORM).explanations] == [(rule, "本学期新增两所机构，已核实无误。")]
    assert read_return(plain, FORM).explanations == ()


def test_a_zip_with_two_members_of_one_name_is_never_taken_as_read_before(tmp_path, issued):
    """calamine and ``zipfile`` may take different ones of the two: the parts we key a grid by
    would not be the parts it was read from."""
    path = _write(tmp_path, "twice.xlsx", issued[0][1])
    with zipfile.ZipFile(path) as zf:
        again = zf.read("xl/worksheets/sheet2.xml")
    with pytest.warns(UserWarning), zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/worksheets/sheet2.xml", again)
    assert not sniff(path).unique_names
    assert sniff(_write(tmp_path, "once.xlsx", issued[0][1])).unique_names


def _forged(data: bytes, at: int, crc: int) -> bytes:
    """``data`` with its four bytes at ``at`` changed so that its CRC-32 is ``crc``: CRC-32 is
    affine over GF(2), and the 32 bits there map one to one onto the checksum's."""
    base = zlib.crc32(data[:at] + bytes(4) + data[at + 4:])
    zero = zlib.crc32(bytes(len(data)))
    basis: dict[int, tuple[int, int]] = {}  # highest bit -> (what flipping does, the bits flipped)
    for bit in range(32):
        flip = bytearray(len(data))
        flip[at + bit // 8] = 1 << (bit % 8)
        image, bits = zlib.crc32(bytes(flip)) ^ zero, 1 << bit
        for top in reversed(range(32)):
            if image >> top & 1:
                if top not in basis:
                    basis[top] = (image, bits)
                    break
                image, bits = image ^ basis[top][0], bits ^ basis[top][1]
    want, chosen = base ^ crc, 0
    for top in reversed(range(32)):
        if want >> top & 1:
            want, chosen = want ^ basis[top][0], chosen ^ basis[top][1]
    out = data[:at] + chosen.to_bytes(4, "little") + data[at + 4:]
    assert zlib.crc32(out) == crc
    return out


def _stored(package: bytes, member: str, data: bytes) -> bytes:
    """``package`` with ``member`` replaced by ``data``, stored uncompressed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename == member:
                dst.writestr(member, data, compress_type=zipfile.ZIP_STORED)
            else:
                dst.writestr(info, src.read(info))
    return out.getvalue()


def test_a_part_of_the_sizes_and_crc_of_a_safe_one_is_checked_again_when_its_bytes_differ(tmp_path, issued):
    """Parts known safe are found by their sizes and CRC: only equal bytes make one the other."""
    package = issued[0][1]
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        styles = zf.read("xl/styles.xml")
    head = b"<!DOCTYPE x><!--????-->"
    hostile_styles = _forged(head + styles[len(head):], head.index(b"????"), zlib.crc32(styles))
    assert len(hostile_styles) == len(styles) and hostile_styles != styles
    safe = _write(tmp_path, "safe.xlsx", _stored(package, "xl/styles.xml", styles))
    hostile = _write(tmp_path, "hostile.xlsx", _stored(package, "xl/styles.xml", hostile_styles))
    read_return(safe, FORM)
    with pytest.raises(UnreadableFile) as refused:
        read_return(hostile, FORM)
    assert refused.value.kind == "unsafe-xml"
