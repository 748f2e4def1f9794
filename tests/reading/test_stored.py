"""calamine reads a return from the archive with its parts stored as ``sniff`` unpacked them
(``stored.stored_copy``): the same workbook, sheet for sheet and cell for cell, as from the file
received; and an archive that two readers could see differently is given to calamine as it came.
"""

from __future__ import annotations

import io
import random
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
import python_calamine as pc

import lo

from aggregator.demo import fill_workbook, retyped_workbook
from aggregator.form.parse import load_form
from aggregator.reading import stored
from aggregator.reading.sniff import sniff

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from workload import Filler, inserted_row  # noqa: E402 - the benchmarks' returns

FORM = load_form()


def _workbook(data: bytes) -> list[tuple[str, bool, list]]:
    """Every sheet as calamine reads it: name, visible, grid."""
    wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        return [(m.name, m.visible == pc.SheetVisibleEnum.Visible, wb.get_sheet_by_name(m.name).to_python())
                for m in wb.sheets_metadata if m.typ == pc.SheetTypeEnum.WorkSheet]
    finally:
        wb.close()


@pytest.fixture
def returns(tmp_path, col_dir, school_values) -> list[Path]:
    rng = random.Random(3)
    out = []
    for i, (name, values) in enumerate(school_values.items()):
        issued = col_dir / "outbox" / f"附件5-{name}.xlsx"
        for kind, data in {"filled": Filler(FORM).fill(issued.read_bytes(), values),
                           "excel-like": fill_workbook(issued, FORM, values),
                           "inserted-row": inserted_row(issued.read_bytes(), FORM, values, rng),
                           "retyped": retyped_workbook(FORM, values), "issued": issued.read_bytes()}.items():
            path = tmp_path / f"{i}-{kind}.xlsx"
            path.write_bytes(data)
            out.append(path)
    return out


def _same_from_the_copy(paths: list[Path]) -> None:
    for path in paths:
        sniffed = sniff(path)
        assert sniffed.for_calamine, path.name  # every one of these is plain
        assert _workbook(sniffed.for_calamine) == _workbook(path.read_bytes()), path.name
        assert len(sniffed.for_calamine) < sniffed.size + sum(map(len, sniffed.parts.values())) + 4096


def test_calamine_reads_the_stored_copy_as_the_file_received(returns):
    _same_from_the_copy(returns)


def test_members_with_their_sizes_after_their_bytes_are_read_from_the_copy_too(tmp_path, returns):
    """As LibreOffice writes them (a data descriptor after each member)."""
    streamed = []
    for path in returns[:5]:
        streamed.append(tmp_path / f"streamed-{path.name}")
        streamed[-1].write_bytes(_rebuilt(path.read_bytes()))
        with zipfile.ZipFile(streamed[-1]) as zf:
            assert all(i.flag_bits & 0x8 for i in zf.infolist())
    _same_from_the_copy(streamed)


@pytest.mark.libreoffice
@pytest.mark.skipif(not lo.soffice_available(), reason=lo.missing() or "-")
def test_returns_saved_by_libreoffice_are_read_from_the_copy_as_received(tmp_path, returns):
    _same_from_the_copy(lo.convert_all(returns[:5], "xlsx", tmp_path / "lo"))


class _Unseekable:
    """A stream ``zipfile`` cannot go back in: it writes each member's sizes after its data."""

    def __init__(self) -> None:
        self.out = io.BytesIO()

    def write(self, data: bytes) -> int:
        return self.out.write(data)

    def flush(self) -> None:
        pass


def _rebuilt(data: bytes, **write) -> bytes:
    """``data`` written again by ``zipfile`` member by member into a stream it cannot seek, with
    ``write``'s options."""
    stream = _Unseekable()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            with dst.open(info.filename, "w", **write) as fh:
                fh.write(src.read(info))
    return stream.out.getvalue()


def _trailing_bytes_in_a_stream(data: bytes) -> bytes:
    """The form sheet's deflate stream followed by two bytes the stream does not use."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                packer = zlib.compressobj(6, zlib.DEFLATED, -15)
                raw = packer.compress(body) + packer.flush() + b"\x00\x00"
                new = zipfile.ZipInfo(info.filename, info.date_time)
                new.compress_type, new.CRC, new.file_size, new.compress_size = zipfile.ZIP_DEFLATED, zlib.crc32(body), len(body), len(raw)
                dst.fp.write(new.FileHeader())
                dst.fp.write(raw)
                new.header_offset = dst.fp.tell() - len(raw) - len(new.FileHeader())
                dst.filelist.append(new)
                dst.NameToInfo[new.filename] = new
                dst.start_dir = dst.fp.tell()
            else:
                dst.writestr(info, body)
    return out.getvalue()


@pytest.mark.parametrize("change", [
    pytest.param(lambda d: d.replace(b"PK\x03\x04", b"PK\x03\x04", 1).replace(b"xl/styles.xml", b"xl/stylez.xml", 1),
                 id="a local header naming another member"),
    pytest.param(lambda d: d[:-2] + (7).to_bytes(2, "little") + b"comment", id="an archive comment"),
    pytest.param(lambda d: _rebuilt(d, force_zip64=True), id="zip64 members"),
    pytest.param(_trailing_bytes_in_a_stream, id="bytes after a deflate stream"),
])
def test_an_archive_readers_may_see_differently_goes_to_calamine_as_received(tmp_path, returns, change):
    path = tmp_path / "odd.xlsx"
    path.write_bytes(change(returns[0].read_bytes()))
    assert sniff(returns[0]).for_calamine and sniff(path).for_calamine == b""


def test_a_large_archive_is_not_held_twice(monkeypatch, returns):
    monkeypatch.setattr(stored, "MOST", 1000)
    assert sniff(returns[0]).for_calamine == b""
