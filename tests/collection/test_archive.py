"""The archive: every received file kept byte for byte inside the collection folder, before it is
read, under a name no school's file name can misuse, whatever was left behind by a killed run.
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime
from pathlib import Path

import pytest

from aggregator.collection.store import archive as archive_module
from aggregator.collection.store.archive import Archive, hash_file as _hash_file, safe_name as _safe_name
from aggregator.collection.intake.incoming import Incoming

from ledger_helpers import make_collection

DATA = b"PK\x03\x04 a school's return" * 100
SHA = hashlib.sha256(DATA).hexdigest()


@pytest.fixture
def col(tmp_path):
    with make_collection(tmp_path, [("城南小学", "小学", "")]) as c:
        yield c


def incoming(name: str, data: bytes = DATA, path: Path | None = None) -> Incoming:
    return Incoming(name, str(path or name), "2023-11-15T10:00:00", lambda: data, len(data),
                    path=str(path) if path else None)


def _archive(col, item: Incoming, sha: str, data: bytes | None) -> str:
    """One file into the collection's archive, as collect hands it over."""
    return Archive(col.root).store(item.name, sha, path=item.path if data is None else None, data=data)


def today() -> str:
    return datetime.now().strftime("%Y-%m-%d")


def leftovers(col) -> list[str]:
    return sorted(p.name for p in (col.root / "archive").rglob("*") if p.name.startswith(".~"))


def test_a_file_is_archived_byte_for_byte_under_its_hash_and_own_name(col):
    rel = _archive(col, incoming("下载/附件5-城南小学.xlsx"), SHA, DATA)
    assert rel == f"archive/{today()}/{SHA[:12]}-附件5-城南小学.xlsx"
    assert (col.root / rel).read_bytes() == DATA
    assert leftovers(col) == []


def test_a_file_on_disk_is_copied_not_read_whole(col, tmp_path):
    source = tmp_path / "大文件.xlsx"
    source.write_bytes(DATA)
    rel = _archive(col, incoming("大文件.xlsx", path=source), SHA, None)
    assert (col.root / rel).read_bytes() == DATA and source.read_bytes() == DATA


def test_an_archive_folder_deleted_by_hand_is_made_again(col):
    import shutil

    shutil.rmtree(col.root / "archive")
    rel = _archive(col, incoming("附件5.xlsx"), SHA, DATA)
    assert (col.root / rel).read_bytes() == DATA


def test_archiving_the_same_file_again_changes_nothing(col):
    first = _archive(col, incoming("附件5.xlsx"), SHA, DATA)
    before = (col.root / first).stat().st_mtime_ns
    assert _archive(col, incoming("附件5.xlsx"), SHA, DATA) == first
    assert (col.root / first).stat().st_mtime_ns == before
    assert [p.name for p in (col.root / first).parent.iterdir()] == [Path(first).name]


def test_a_damaged_copy_left_by_a_killed_run_is_replaced(col):
    target = col.root / f"archive/{today()}/{SHA[:12]}-附件5.xlsx"
    target.parent.mkdir(parents=True)
    target.write_bytes(DATA[:100])  # cut short
    assert _archive(col, incoming("附件5.xlsx"), SHA, DATA) == target.relative_to(col.root).as_posix()
    assert target.read_bytes() == DATA and leftovers(col) == []


def test_a_failed_copy_leaves_no_temporary_file(col, monkeypatch):
    def full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(archive_module.os, "replace", full)
    with pytest.raises(OSError, match="No space"):
        _archive(col, incoming("附件5.xlsx"), SHA, DATA)
    assert leftovers(col) == [] and not any((col.root / "archive").rglob("*.xlsx"))


def test_a_copy_another_process_holds_open_is_kept_when_it_is_this_file(col, monkeypatch):
    """Windows refuses to replace a file another process is reading; if it is this very file, fine."""
    target = col.root / f"archive/{today()}/{SHA[:12]}-附件5.xlsx"
    real_replace = os.replace

    def busy(src, dst):
        real_replace(src, dst)  # the other process's copy landed first...
        raise PermissionError(13, "The process cannot access the file")  # ...and is held open

    monkeypatch.setattr(archive_module.os, "replace", busy)
    assert _archive(col, incoming("附件5.xlsx"), SHA, DATA) == target.relative_to(col.root).as_posix()
    assert target.read_bytes() == DATA and leftovers(col) == []


def test_a_held_copy_of_other_bytes_is_an_error_not_a_silent_loss(col, monkeypatch):
    target = col.root / f"archive/{today()}/{SHA[:12]}-附件5.xlsx"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"something else")

    def busy(src, dst):
        raise PermissionError(13, "The process cannot access the file")

    monkeypatch.setattr(archive_module.os, "replace", busy)
    with pytest.raises(PermissionError):
        _archive(col, incoming("附件5.xlsx"), SHA, DATA)
    assert leftovers(col) == []


def test_hash_of_a_file_larger_than_one_read(tmp_path):
    big = os.urandom(3 * (1 << 20) + 17)
    (tmp_path / "f").write_bytes(big)
    assert _hash_file(str(tmp_path / "f")) == hashlib.sha256(big).hexdigest()


@pytest.mark.parametrize("name, safe", [
    ("附件5.xlsx", "附件5.xlsx"),
    ("下载/学校/附件5.xlsx", "附件5.xlsx"),
    (r"C:\Users\王丽\附件5.xlsx", "附件5.xlsx"),
    ("镇.zip/../../../etc/passwd", "passwd"),
    ('a<b>c:d"e|f?g*h\x01.xlsx', "a_b_c_d_e_f_g_h_.xlsx"),
    (" . 附件5.xlsx . ", "附件5.xlsx"),
    ("...", "file"),
    ("", "file"),
    ("x" * 130 + ".xlsx", "x" * 115 + ".xlsx"),  # the last 120 characters: the extension stays
    ("表" * 60 + ".xlsx", "表" * 48 + ".xlsx"),  # at most 150 bytes of UTF-8
    ("表" * 61 + ".xlsx", "表" * 48 + ".xlsx"),
    ("表" * 45 + "a" * 10 + ".xlsx", "表" * 45 + "a" * 10 + ".xlsx"),  # exactly 150 bytes: kept whole
    ("表" * 45 + "a" * 11 + ".xlsx", "表" * 44 + "a" * 11 + ".xlsx"),  # 151: one character goes
    ("X表.X", "X表.X"),  # only spaces and dots are trimmed from the ends
])
def test_safe_name(name, safe):
    assert _safe_name(name) == safe
