"""Files that cannot be read at all: one UnreadableFile with the reason (how fast: test_hostile.py, benchmarks/)."""

import os
import zipfile
from pathlib import Path

import pytest

from aggregator.messages import MESSAGES
from aggregator.reading import UnreadableFile, read_return

from builders import (
    FORM,
    docx,
    ole_file,
    patch_zip,
    sample_values,
    sheet_member,
    write_return,
    zip_bomb,
)

from reader_helpers import assert_values

VALID = sample_values()


# ================================================================================================
# Files that cannot be read at all: one UnreadableFile with the reason (how fast: test_hostile.py, benchmarks/)
# ================================================================================================


def unreadable(path: Path) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as info:
        read_return(path, FORM)
    exc = info.value
    assert exc.kind in MESSAGES and exc.message == str(exc) and exc.message
    return exc


def test_empty_file(tmp_path):
    path = tmp_path / "附件5.xlsx"
    path.write_bytes(b"")
    assert unreadable(path).kind == "empty-file"


def test_random_bytes(tmp_path):
    path = tmp_path / "附件5.xlsx"
    path.write_bytes(os.urandom(5000))
    assert unreadable(path).kind == "corrupt"


def test_truncated_xlsx(tmp_path):
    full = write_return(tmp_path / "full.xlsx", VALID).read_bytes()
    path = tmp_path / "附件5.xlsx"
    path.write_bytes(full[: len(full) // 2])
    exc = unreadable(path)
    assert exc.kind == "corrupt"
    assert exc.message.startswith("文件已损坏")


def test_zip_member_damaged(tmp_path):
    full = bytearray(write_return(tmp_path / "full.xlsx", VALID).read_bytes())
    with zipfile.ZipFile(tmp_path / "full.xlsx") as z:
        info = z.getinfo(sheet_member(tmp_path / "full.xlsx"))
    start = info.header_offset + 30 + len(info.filename.encode()) + 40
    full[start : start + 20] = b"\x00" * 20
    path = tmp_path / "附件5.xlsx"
    path.write_bytes(bytes(full))
    assert unreadable(path).kind == "corrupt"


def test_word_document_renamed(tmp_path):
    exc = unreadable(docx(tmp_path / "附件5.xlsx"))
    assert exc.kind == "not-spreadsheet" and "Word" in exc.message


def test_old_word_document_renamed(tmp_path):
    path = tmp_path / "附件5.xls"
    path.write_bytes(ole_file(["WordDocument", "1Table"]))
    assert unreadable(path).kind == "not-spreadsheet"


def test_pdf(tmp_path):
    path = tmp_path / "附件5.xlsx"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + os.urandom(200))
    exc = unreadable(path)
    assert exc.kind == "not-spreadsheet" and "PDF" in exc.message


def test_csv_renamed(tmp_path):
    path = tmp_path / "附件5.xlsx"
    path.write_text("填报单位,填报人,联系电话\n曾都区实验小学,王老师,13872345678\n", encoding="gbk")
    exc = unreadable(path)
    assert exc.kind == "not-spreadsheet" and "CSV" in exc.message


def test_one_long_run_of_characters_is_corrupt(tmp_path):
    path = tmp_path / "附件5.xlsx"
    path.write_bytes(b"D" * 3000)
    assert unreadable(path).kind == "corrupt"


def test_utf16_text_is_text(tmp_path):
    path = tmp_path / "附件5.xls"
    path.write_bytes("项目\t合计\r\n派出责任督学数\t3\r\n".encode("utf-16"))
    exc = unreadable(path)
    assert exc.kind == "not-spreadsheet" and "文本" in exc.message


def test_html_saved_as_xls(tmp_path):
    path = tmp_path / "附件5.xls"
    path.write_text("<html><body><table><tr><td>派出责任督学数</td><td>3</td></tr></table></body></html>")
    assert unreadable(path).kind == "not-spreadsheet"


def test_password_protected_xlsx(tmp_path):
    path = tmp_path / "附件5.xlsx"
    path.write_bytes(ole_file(["\x06DataSpaces", "EncryptionInfo", "EncryptedPackage"]))
    exc = unreadable(path)
    assert exc.kind == "encrypted" and "密码" in exc.message


def test_stream_name_inside_cell_text_is_not_a_directory_entry(tmp_path):
    data = bytearray(ole_file(["Workbook"]))
    data += b"\x01" + "EncryptedPackage".encode("utf-16-le") + b"\x00\x00"  # misaligned: cell text
    path = tmp_path / "r.xls"
    path.write_bytes(bytes(data))
    assert unreadable(path).kind == "corrupt"  # an .xls (not encrypted), damaged: our crafted file


def test_zip_bomb(tmp_path):
    exc = unreadable(zip_bomb(tmp_path / "附件5.xlsx", megabytes=100))
    assert exc.kind == "zip-bomb" and "100.0 MB" in exc.message


def test_one_member_compressed_too_well(tmp_path):
    path = write_return(tmp_path / "附件5.xlsx", VALID)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/blank.bin", b"\x00" * (6 * 1024 * 1024))
    assert unreadable(path).kind == "zip-bomb"


def test_oversized_file(tmp_path):
    path = tmp_path / "附件5.xlsx"
    with path.open("wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.truncate(21 * 1024 * 1024)
    exc = unreadable(path)
    assert exc.kind == "oversized" and "21.0 MB" in exc.message


@pytest.mark.parametrize(
    "declaration",
    [b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>', b'<!ENTITY x SYSTEM "file:///etc/passwd">',
     b"<!doctype worksheet>"],
)
def test_doctype_or_entity_is_unsafe(tmp_path, declaration):
    path = write_return(tmp_path / "附件5.xlsx", VALID)
    patch_zip(path, sheet_member(path), lambda x: x.replace(b"<worksheet", declaration + b"<worksheet", 1))
    assert unreadable(path).kind == "unsafe-xml"


def test_doctype_hidden_in_utf16_is_unsafe(tmp_path):
    path = write_return(tmp_path / "附件5.xlsx", VALID)
    patch_zip(path, "xl/workbook.xml", lambda x: (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w [<!ENTITY a "b">]>'.encode("utf-16")))
    assert unreadable(path).kind == "unsafe-xml"


def test_absurd_shared_string_count_is_refused(tmp_path):
    # calamine reserves memory for the declared count first: this would abort the process.
    path = write_return(tmp_path / "附件5.xlsx", VALID)
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/sharedStrings.xml", b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                                           b'count="4000000000" uniqueCount="4000000000"><si><t>a</t></si></sst>')
    assert unreadable(path).kind == "too-many-cells"


def test_too_many_cells_when_the_only_sheet_is_huge(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "派出责任督学数（人）"
    wb.active["XFD1048576"] = 1
    path = tmp_path / "附件5.xlsx"
    wb.save(path)
    assert unreadable(path).kind == "too-many-cells"


def test_huge_other_sheet_is_skipped(tmp_path):
    path = write_return(tmp_path / "附件5.xlsx", VALID, meta=False, extra_sheets_before=1)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb["填表说明"]["XFD1048576"] = 1
    wb.save(path)
    assert_values(read_return(path, FORM), VALID)


def test_mangled_files_are_refused_or_read_unchanged(tmp_path):
    """Flip bytes all over a real return: an UnreadableFile, or (the flips missed the data, which
    the zip's checksums guard) the very values written. Never a changed number, nor a crash."""
    original = write_return(tmp_path / "full.xlsx", VALID).read_bytes()
    rnd = __import__("random").Random(20231120)
    path = tmp_path / "附件5.xlsx"
    for _ in range(60):
        data = bytearray(original)
        for _ in range(rnd.randint(1, 8)):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
        path.write_bytes(bytes(data))
        try:
            sub = read_return(path, FORM)
        except UnreadableFile as exc:
            assert exc.kind in ("corrupt", "unsafe-xml", "zip-bomb", "not-spreadsheet", "encrypted")
        else:
            assert_values(sub, VALID)


def test_a_flipped_bit_is_harmless_in_a_timestamp_and_refused_in_the_sheet(tmp_path):
    """Both outcomes of the test above, each on purpose."""
    original = write_return(tmp_path / "full.xlsx", VALID)
    with zipfile.ZipFile(original) as z:
        info = z.getinfo(sheet_member(original))
    data_start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    path = tmp_path / "附件5.xlsx"
    for at in (info.header_offset + 10, data_start + info.compress_size // 2):  # mod time; the sheet
        data = bytearray(original.read_bytes())
        data[at] ^= 0x01
        path.write_bytes(bytes(data))
        if at < data_start:
            assert_values(read_return(path, FORM), VALID)
        else:
            assert unreadable(path).kind == "corrupt"
