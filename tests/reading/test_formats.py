"""File formats are one registry (``reading/formats``): sniffing documents, the folder watch and the
roster all ask it, so each format's facts are written once."""

from __future__ import annotations

import pytest

from aggregator.collection.intake import watched
from aggregator.collection.store import roster
from aggregator.reading.documents import Document, document_format
from aggregator.reading.formats import DOCUMENT, FORMATS, SPREADSHEET, by_magic, suffixes_where


@pytest.mark.parametrize("head, fmt", [(b"%PDF-1.7\n", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"),
                                       (b"\xff\xd8\xff\xe0", "jpg"), (b"PK\x03\x04", "")])
def test_documents_are_told_by_their_first_bytes_from_the_registry(tmp_path, head, fmt):
    path = tmp_path / "随便起的名字.xlsx"  # the name never decides
    path.write_bytes(head + b"\0" * 64)
    assert by_magic(head) == fmt and document_format(path) == fmt


def test_a_photo_has_no_text_and_a_report_has():
    assert [f for f in FORMATS.values() if f.kind == DOCUMENT and not f.has_text] == [FORMATS["jpg"], FORMATS["png"]]
    assert not Document("png", "", "", 0).has_text and Document("pdf", "", "", 0).has_text


def test_the_watch_takes_returns_and_zips_and_no_documents():
    assert watched.TAKEN == suffixes_where(watched=True)
    assert {".xlsx", ".xls", ".et", ".ods", ".zip"} <= set(watched.TAKEN)
    assert not {".docx", ".pdf", ".jpg"} & set(watched.TAKEN)


def test_a_roster_may_be_a_workbook_or_csv_text_and_nothing_else(tmp_path):
    assert set(roster.SPREADSHEETS) == {s for f in FORMATS.values() if f.roster and f.kind == SPREADSHEET
                                        for s in f.suffixes}
    assert set(roster.TEXTS) == {".csv", ".txt"}
    bad = tmp_path / "名单.docx"
    bad.write_bytes(b"PK")
    with pytest.raises(roster.RosterError, match="不是表格文件"):
        roster.load_roster(bad)
