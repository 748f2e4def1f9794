"""The fast paths for a city or a province give what the plain paths give.

The roster lookup by file name answers as the plain scan does; batched writes leave complete
files and no temporaries; the ledger's shared records hold the same values; the long summary
sheets streamed as rows read back as openpyxl would have written them. The speed itself is
measured by benchmarks/run.py; the reading pool, which writes the same ledger as one process,
has its own tests (test_pool.py).
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from aggregator.atomic import write_all_atomic, write_atomic
from aggregator.messages import file_error
from aggregator.outputs.bulk_rows import SheetRows, Styles, add_rows
from aggregator.collection.intake.collect import collect
from aggregator.collection.store.folder import LEDGER, init_collection, open_collection
from aggregator.demo import fill_workbook, gbk_zip, retyped_workbook, sample_values
from aggregator.outputs.distribute import distribute
from aggregator.collection.store.names import NameIndex
from aggregator.progress import run
from aggregator.reading import read_return
from cli_helpers import ROSTER, put





@pytest.fixture(scope="module")
def district(tmp_path_factory):
    """A collection as init left it, and a drop folder with every kind of file collect meets."""
    root = tmp_path_factory.mktemp("district")
    (root / "名单.csv").write_text(ROSTER, encoding="utf-8")
    base = root / "base"
    with init_collection(base, root / "名单.csv", name="曾都区", deadline="2023-11-20") as col:
        schools = col.schools()
        form = col.form
        run(distribute(col))
    rng = random.Random(5)
    drop = root / "drop"
    for i, s in enumerate(schools[:5]):
        v = sample_values(rng, s.stage, s.name, s.contact, s.phone)
        if i == 1:
            v["inspectors.total"] += 1  # returned
        if i == 2:
            v["inspectors.primary"] = f"{v['inspectors.primary']}人"  # read and noted
        data = fill_workbook(base / "outbox" / f"附件5-{s.name}.xlsx", form, v)
        put(drop / f"附件5-{s.name}.xlsx", data, f"2023-11-1{i}T10:00:00")
        if i == 0:
            put(drop / "again" / "附件5(1).xlsx", data, "2023-11-19T10:00:00")  # the same file twice
    last = schools[5]
    v = sample_values(rng, last.stage, last.name, last.contact, last.phone)
    put(drop / "retyped.xlsx", retyped_workbook(form, v), "2023-11-18T10:00:00")  # found by labels, unit
    put(drop / "empty.xlsx", b"", "2023-11-18T11:00:00")
    put(drop / "notes.docx", b"PK\x03\x04 not really", "2023-11-18T12:00:00")
    zipped = fill_workbook(base / "outbox" / f"附件5-{schools[3].name}.xlsx", form,
                           sample_values(rng, schools[3].stage, schools[3].name, "", ""))
    put(drop / "镇.zip", gbk_zip({"各校/附件5-新版.xlsx": zipped}), "2023-11-19T16:00:00")
    return base, drop


def _ledger(folder: Path) -> tuple[list, list]:
    db = sqlite3.connect(folder / LEDGER)
    try:
        files = db.execute("SELECT sha256, original_name, source, substr(archived, 20), size, received_at, outcome,"
                           " reason_kind, reason FROM files ORDER BY rowid").fetchall()
        returns = db.execute("SELECT * FROM returns ORDER BY id").fetchall()
    finally:
        db.close()
    return files, returns


def _collected(district, into: Path, workers: int):
    base, drop = district
    shutil.copytree(base, into, ignore=shutil.ignore_patterns("outbox"))
    with open_collection(into) as col:
        result = run(collect(col, [drop], workers=workers))
    return result, _ledger(into)


# --- the roster lookup by file name ------------------------------------------------------------


def test_file_name_lookup_in_a_roster_of_hundreds():
    """A file named after one school of a large roster finds that school however the name is
    dressed, though shorter names of other schools are inside it; a name of no school, none."""
    rng = random.Random(11)
    towns = ["万店", "何店", "洛阳", "府河", "曾都", "城南", "城"]
    kinds = ["小学", "初级中学", "中心小学", "实验小学", "学校", "一小"]
    roster: dict[str, str] = {}  # name -> id: a roster's names are unique (init refuses repeats)
    for i in range(300):
        roster.setdefault(f"{rng.choice(towns)}镇{rng.choice(['', '第一', '第二', str(i)])}{rng.choice(kinds)}", f"S{i}")
    index = NameIndex({sid: name for name, sid in roster.items()}, "曾都区")
    assert len(roster) > 150
    for name, sid in roster.items():
        for text in (f"附件5-{name}", f"(1){name}统计表", f"{name}(2) 改"):
            assert index.find_in(text) == sid, text
    for text in ("附件5", "新建 Microsoft Excel 工作表", "", "小学"):
        assert index.find_in(text) is None, text


# --- batched writes ----------------------------------------------------------------------------------


def test_write_all_atomic_leaves_complete_files_and_no_temporaries(tmp_path):
    (tmp_path / "a.xlsx").write_bytes(b"old")
    write_all_atomic([(tmp_path / "a.xlsx", b"new a"), (tmp_path / "b.xlsx", b"new b")])
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {"a.xlsx": b"new a", "b.xlsx": b"new b"}


def test_write_all_atomic_keeps_the_old_files_when_writing_fails(tmp_path, monkeypatch):
    (tmp_path / "a.xlsx").write_bytes(b"old")

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr("aggregator.atomic.os.replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_all_atomic([(tmp_path / "a.xlsx", b"new"), (tmp_path / "b.xlsx", b"new")])
    assert [(p.name, p.read_bytes()) for p in tmp_path.iterdir()] == [("a.xlsx", b"old")]


@pytest.mark.parametrize("write", ["one", "many"])
def test_a_refused_write_names_the_file_asked_for_not_the_temporary_one(tmp_path, write):
    (tmp_path / "afile").write_bytes(b"")
    target = tmp_path / "afile" / "汇总表.xlsx"  # its folder is a file: the temporary file cannot be made
    with pytest.raises(NotADirectoryError) as refused:
        write_atomic(target, b"x") if write == "one" else write_all_atomic([(target, b"x")])
    assert refused.value.filename == str(target)
    assert "无法读写文件“" + str(target) + "”（路径中有一段不是文件夹）" in file_error(refused.value)


def test_distribute_in_batches_writes_every_workbook(district, tmp_path, monkeypatch):
    base, _ = district
    folder = tmp_path / "c"
    shutil.copytree(base, folder, ignore=shutil.ignore_patterns("outbox"))
    monkeypatch.setattr("aggregator.outputs.distribute.BATCH", 4)
    with open_collection(folder) as col:
        res = run(distribute(col))
    assert res.written == 6 and sorted(p.name for p in res.folder.iterdir()) == sorted(p.name for p in res.files)
    for name in ("附件5-曾都区实验小学.xlsx", "附件5-何店镇白龙小学.xlsx"):
        assert (folder / "outbox" / name).read_bytes() != b""
        assert openpyxl.load_workbook(folder / "outbox" / name)["统计表"]["B3"].value == name[4:-5]


def test_a_batch_the_writer_could_not_write_stops_distribute_with_its_error(district, tmp_path, monkeypatch):
    """Batches are written by a thread of their own while the next is made: a failed write (a full
    disk) is not lost there, it stops the run when the next batch is handed over; every other batch
    made is written, whole (what was made is written, as when the clerk stops it)."""
    from aggregator.outputs import distribute as issuing

    base, _ = district
    folder = tmp_path / "c"
    shutil.copytree(base, folder, ignore=shutil.ignore_patterns("outbox"))
    monkeypatch.setattr(issuing, "BATCH", 2)
    real, calls = issuing.write_all_atomic, []

    def second_fails(files):
        calls.append(len(files))
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(files)

    monkeypatch.setattr(issuing, "write_all_atomic", second_fails)
    with open_collection(folder) as col, pytest.raises(OSError, match="No space left"):
        run(distribute(col))
    written = sorted(p.name for p in (folder / "outbox").iterdir())
    assert calls[:2] == [2, 2] and len(written) == 2 * (len(calls) - 1)  # every batch but the one that failed
    assert all(openpyxl.load_workbook(folder / "outbox" / name)["统计表"]["B3"].value == name[4:-5] for name in written)


# --- the ledger's shared records ---------------------------------------------------------------------


def test_returns_share_what_they_have_in_common_and_keep_their_own(district, tmp_path):
    """The ledger gives back each return as the reader read its file, though returns read by the
    layout share one dict of cells."""
    _collected(district, tmp_path / "c", workers=1)
    with open_collection(tmp_path / "c") as col:
        records = col.ledger.returns()
        form = col.form
    assert len(records) == 7
    for r in records:
        sub = read_return(tmp_path / "c" / r.archived, form)
        assert (r.values, r.cells, r.meta, r.located_by, r.notes) == (
            sub.values, sub.cells, sub.meta, sub.located_by, sub.notes)
    by_layout = [r for r in records if r.located_by == "layout"]
    assert len(by_layout) >= 2 and all(r.cells is by_layout[0].cells for r in by_layout)


# --- rows streamed into a saved workbook ----------------------------------------------------------------


def test_streamed_rows_read_back_as_openpyxl_writes_them(tmp_path):
    from openpyxl.styles import Alignment, PatternFill

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "明细"
    ws["A1"] = "表头"
    styles = Styles(ws)
    fill = PatternFill(fill_type="solid", start_color="FFFFC7CE", end_color="FFFFC7CE")
    plain, red, wrap = styles.id(), styles.id(fill=fill), styles.id(alignment=Alignment(wrap_text=True))
    date = styles.id(number_format="yyyy-mm-dd hh:mm")
    when = datetime(2023, 11, 18, 16, 20)
    rows = [
        [(1, plain), ("=HYPERLINK(\"x\")小学", plain), (" 前后有空格 ", wrap), (when, date)],
        [(2.5, red), ("a<b&c>\x07d", red), (None, red), ("", plain)],
        [(None, plain), ("附件\udcff.xlsx", plain)],  # a file name Python could not decode
    ]
    styles.frozen = True
    saved = tmp_path / "saved.xlsx"
    wb.save(saved)
    out = tmp_path / "out.xlsx"
    with out.open("wb") as fh:
        add_rows(saved.read_bytes(), [SheetRows("明细", 2, 4, 4, rows, styles.quoted)], fh)
    got = openpyxl.load_workbook(out)["明细"]
    assert [[c.value for c in row] for row in got.iter_rows(min_row=1, max_row=4)] == [
        ["表头", None, None, None],
        [1, '=HYPERLINK("x")小学', " 前后有空格 ", when],
        [2.5, "a<b&c>d", None, None],
        [None, "附件?.xlsx", None, None],
    ]
    assert got["B2"].data_type == "s" and got["B2"].quotePrefix and not got["C2"].quotePrefix
    assert got["C2"].alignment.wrap_text and got["D2"].number_format == "yyyy-mm-dd hh:mm"
    assert got["C3"].fill.fgColor.rgb == "FFFFC7CE" and got["D3"].fill.fill_type is None
    assert got.dimensions == "A1:D4"
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None


@pytest.mark.parametrize("code, said", [
    ("ENOSPC", "（磁盘已满）。请腾出磁盘空间，然后再试一次"),
    ("EACCES", "（没有权限）。请检查该文件是否正被 Excel 或 WPS 打开、文件夹是否允许写入、磁盘是否已满，然后再试一次"),
    ("ENOENT", "（文件或文件夹不存在）。请检查路径是否正确，然后再试一次"),
    ("ETIMEDOUT", "（连接超时）。请检查网络和网络上的文件夹是否可用，然后再试一次"),  # a collection on a network drive
])
def test_a_refusal_of_the_system_says_the_reason_and_what_to_check(code, said):
    import errno

    told = file_error(OSError(getattr(errno, code), "in English", r"\\server\share\曾都区附件5汇总表.xlsx"))
    assert told == "无法读写文件“\\\\server\\share\\曾都区附件5汇总表.xlsx”" + said
