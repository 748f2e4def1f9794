"""What the clerk drops on us, as a stream of files: folders walked in a stable order, office
droppings left out, zip archives opened in memory within limits, names made safe to show, and
everything that cannot be used handed on with its reason, never silently dropped.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from datetime import datetime

import pytest

from aggregator.collection.intake import incoming as intake
from aggregator.messages import message
from aggregator.filenames import display_name, file_refs
from aggregator.collection.intake.incoming import expand, ignored
from aggregator.demo import gbk_zip, put_received

WHEN = "2023-11-15T10:00:00"


def listed(*paths) -> list[tuple[str, object]]:
    """(name, problem kind or the bytes) for everything ``expand`` yields."""
    return [(i.name, i.problem[0] if i.problem else i.read()) for i in expand(list(paths))]


def a_zip(members: dict, **kw) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            info = name if isinstance(name, zipfile.ZipInfo) else zipfile.ZipInfo(name, (2023, 11, 18, 9, 30, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data, **kw)
    return buf.getvalue()


# --- files and folders ---------------------------------------------------------------------------


def test_a_folder_is_walked_in_a_stable_order_with_each_files_own_time_and_bytes(tmp_path):
    put_received(tmp_path / "微信" / "b.xlsx", b"B", WHEN)
    put_received(tmp_path / "微信" / "a.xlsx", b"A", "2023-11-16T08:30:00")
    put_received(tmp_path / "QQ" / "接收的文件" / "c.xlsx", b"CC", WHEN)
    got = list(expand([tmp_path]))
    assert [os.path.relpath(i.name, tmp_path) for i in got] == ["QQ/接收的文件/c.xlsx", "微信/a.xlsx", "微信/b.xlsx"]
    c, a, _ = got
    assert (a.received_at, a.read(), a.size, a.problem, a.is_zip) == ("2023-11-16T08:30:00", b"A", 1, None, False)
    assert (c.source, c.path, c.container) == (str(tmp_path / "QQ" / "接收的文件" / "c.xlsx"),) * 2 + ("",)


@pytest.mark.parametrize("name", ["~$附件5.xlsx", ".~附件5.xlsx.part", "._附件5.xlsx", "Thumbs.db", ".DS_Store",
                                  "desktop.ini", "附件5.xlsx.crdownload", "附件5.xlsx.part", "附件5.download",
                                  "附件5.TMP"])
def test_office_droppings_and_unfinished_downloads_are_left_out(tmp_path, name):
    put_received(tmp_path / name, b"x", WHEN)
    put_received(tmp_path / "附件5.xlsx", b"ok", WHEN)
    assert ignored(name) and listed(tmp_path) == [(str(tmp_path / "附件5.xlsx"), b"ok")]


@pytest.mark.parametrize("name", ["附件5.xlsx", "partial.xlsx", "my.download.xlsx", "temp.xlsx", "a~$b.xlsx"])
def test_ordinary_names_are_not_droppings(name):
    assert not ignored(name)


def test_a_path_that_is_not_there_is_reported(tmp_path):
    (got,) = expand([tmp_path / "不存在.xlsx"])
    assert got.problem == ("missing", f"找不到文件或文件夹：{tmp_path / '不存在.xlsx'}，请检查路径是否正确")
    assert (got.size, got.read()) == (0, b"")


def test_a_link_is_reported_never_followed(tmp_path):
    secret = tmp_path / "secret.xlsx"
    secret.write_bytes(b"not yours")
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "附件5.xlsx").symlink_to(secret)
    (got,) = expand([tmp_path / "inbox"])
    assert got.problem[0] == "not-spreadsheet" and "链接" in got.problem[1]
    assert got.read() == b""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_named_pipe_is_reported_and_never_opened(tmp_path):
    """Opening a pipe for reading waits for a writer: the collect stood still on it."""
    (tmp_path / "inbox").mkdir()
    os.mkfifo(tmp_path / "inbox" / "附件5.xlsx")
    (got,) = expand([tmp_path / "inbox"])
    assert got.problem == ("not-spreadsheet", message("special-file")) and not got.path
    assert got.read() == b""


def test_a_file_over_the_limit_is_not_read(tmp_path, monkeypatch):
    monkeypatch.setattr(intake, "MAX_FILE", 1024)
    put_received(tmp_path / "exact.xlsx", b"x" * 1024, WHEN)
    put_received(tmp_path / "over.xlsx", b"x" * 1025, WHEN)
    exact, over = expand([tmp_path])
    assert exact.problem is None
    assert over.problem == ("oversized", message("oversized", size="1 KB"))
    assert over.path == str(tmp_path / "over.xlsx")  # archived by copying, never read whole


@pytest.mark.parametrize("size, shown", [(3 * 1024 * 1024 + 1, "3 MB"), (1024 * 1024, "1 MB"),
                                         (1024 * 1024 - 1, "1024 KB"), (2047, "2 KB")])
def test_sizes_in_reasons_are_in_kb_or_mb(tmp_path, monkeypatch, size, shown):
    monkeypatch.setattr(intake, "MAX_FILE", 10)
    put_received(tmp_path / "big.xlsx", b"x" * size, WHEN)
    (got,) = expand([tmp_path / "big.xlsx"])
    assert f"（{shown}）" in got.problem[1]


# --- zip archives --------------------------------------------------------------------------------


def test_a_zip_is_kept_and_its_members_are_read_from_memory(tmp_path):
    data = a_zip({"各校/附件5-城南小学.xlsx": b"one", "各校/": b"", "说明.docx": b"two"})
    put_received(tmp_path / "城南.zip", data, WHEN)
    got = list(expand([tmp_path / "城南.zip"]))
    assert [(i.name, i.is_zip, i.container) for i in got] == [
        (str(tmp_path / "城南.zip"), True, ""),
        (f"{tmp_path / '城南.zip'}/各校/附件5-城南小学.xlsx", False, str(tmp_path / "城南.zip")),
        (f"{tmp_path / '城南.zip'}/说明.docx", False, str(tmp_path / "城南.zip")),
    ]
    archive, member, _ = got
    assert archive.read() == data and member.read() == b"one" and member.size == 3
    assert member.received_at == "2023-11-18T09:30:00" and member.source == str(tmp_path / "城南.zip")
    assert member.path is None  # its bytes are in memory: nothing of it is ever written where it says


def test_chinese_names_written_by_windows_zip_tools_in_gbk(tmp_path):
    put_received(tmp_path / "镇.zip", gbk_zip({"万店镇/附件5-万店镇初级中学.xlsx": b"x"}), WHEN)
    assert listed(tmp_path / "镇.zip")[1] == (f"{tmp_path / '镇.zip'}/万店镇/附件5-万店镇初级中学.xlsx", b"x")


def test_utf8_names_are_taken_as_they_are(tmp_path):
    put_received(tmp_path / "镇.zip", a_zip({"何店镇/附件5.xlsx": b"x"}), WHEN)  # zipfile sets the UTF-8 flag
    assert listed(tmp_path / "镇.zip")[1][0] == f"{tmp_path / '镇.zip'}/何店镇/附件5.xlsx"


@pytest.mark.parametrize("member, shown", [
    ("../../../etc/passwd", "etc/passwd"),
    ("/abs/附件5.xlsx", "abs/附件5.xlsx"),
    ("C:\\Windows\\附件5.xlsx", "Windows/附件5.xlsx"),
    ("./a/./b.xlsx", "a/b.xlsx"),
    ("../..", "(无名文件)"),
])
def test_member_names_are_made_safe_to_show(tmp_path, member, shown):
    put_received(tmp_path / "x.zip", a_zip({member: b"x"}), WHEN)
    assert listed(tmp_path / "x.zip")[1] == (f"{tmp_path / 'x.zip'}/{shown}", b"x")


def test_droppings_inside_a_zip_are_left_out(tmp_path):
    put_received(tmp_path / "x.zip", a_zip({"__MACOSX/._附件5.xlsx": b"x", "~$附件5.xlsx": b"y", "附件5.xlsx": b"z"}), WHEN)
    assert [n.rsplit("/", 1)[-1] for n, _ in listed(tmp_path / "x.zip")[1:]] == ["附件5.xlsx"]


def test_a_link_inside_a_zip_is_reported(tmp_path):
    info = zipfile.ZipInfo("附件5.xlsx", (2023, 11, 18, 9, 30, 0))
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    put_received(tmp_path / "x.zip", a_zip({info: "/etc/passwd"}), WHEN)
    member = list(expand([tmp_path / "x.zip"]))[1]
    assert member.problem[0] == "not-spreadsheet" and "链接" in member.problem[1] and member.read() == b""


def test_zips_within_zips_are_opened_three_deep_and_no_deeper(tmp_path):
    inner = a_zip({"附件5.xlsx": b"deep"})
    for level in ("2.zip", "3.zip", "4.zip"):
        inner = a_zip({level: inner})
    put_received(tmp_path / "1.zip", inner, WHEN)
    got = [(display_name(i.name), i.problem[0] if i.problem else "") for i in expand([tmp_path / "1.zip"])]
    assert got == [("1.zip", ""), ("1.zip/4.zip", ""), ("1.zip/4.zip/3.zip", ""), ("1.zip/4.zip/3.zip/2.zip", ""),
                   ("1.zip/4.zip/3.zip/2.zip（压缩包内容）", "zip-bomb")]


def test_only_a_dot_zip_is_opened_as_an_archive(tmp_path):
    put_received(tmp_path / "附件5.xlsx", a_zip({"xl/workbook.xml": b"<x/>"}), WHEN)  # an .xlsx is a zip too
    put_received(tmp_path / "fake.zip", b"not a zip at all", WHEN)
    assert [(i.name.rsplit("/", 1)[-1], i.is_zip) for i in expand([tmp_path])] == [("fake.zip", False),
                                                                                   ("附件5.xlsx", False)]


def test_a_member_over_the_limit_is_not_inflated(tmp_path, monkeypatch):
    monkeypatch.setattr(intake, "MAX_FILE", 1000)
    put_received(tmp_path / "x.zip", a_zip({"exact.xlsx": os.urandom(1000), "big.xlsx": os.urandom(1001)}), WHEN)
    _, exact, big = expand([tmp_path / "x.zip"])
    assert exact.problem is None and len(exact.read()) == 1000
    assert big.problem[0] == "oversized" and big.read() == b"" and big.size == 1001


def test_a_member_that_inflates_too_far_is_a_zip_bomb(tmp_path):
    put_received(tmp_path / "x.zip", a_zip({"附件5.xlsx": b"\0" * (6 * 1024 * 1024)}), WHEN)  # ratio about 1000
    member = list(expand([tmp_path / "x.zip"]))[1]
    assert member.problem == ("zip-bomb", "文件解压后异常巨大（6 MB），为安全起见未打开，请让学校重新保存后发送")


def test_a_large_member_that_compresses_as_files_do_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(intake, "MAX_FILE", 50 * 1024 * 1024)
    data = os.urandom(3 * 1024 * 1024) * 2  # 6 MB, compresses about 2:1
    put_received(tmp_path / "x.zip", a_zip({"附件5.xlsx": data}), WHEN)
    member = list(expand([tmp_path / "x.zip"]))[1]
    assert member.problem is None and member.read() == data


def test_too_many_members_or_too_much_in_all_is_refused_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(intake, "MAX_ZIP_MEMBERS", 3)
    put_received(tmp_path / "three.zip", a_zip({f"{i}.xlsx": b"x" for i in range(3)}), WHEN)
    put_received(tmp_path / "four.zip", a_zip({f"{i}.xlsx": b"x" for i in range(4)}), WHEN)
    assert len(list(expand([tmp_path / "three.zip"]))) == 4
    _, refused = expand([tmp_path / "four.zip"])
    assert refused.name == f"{tmp_path / 'four.zip'}（压缩包内容）" and refused.problem[0] == "zip-bomb"
    assert (refused.source, refused.container, refused.size, refused.read()) == (
        str(tmp_path / "four.zip"), str(tmp_path / "four.zip"), 0, b"")
    assert refused.received_at == datetime.fromtimestamp(0).isoformat(timespec="seconds")
    assert "4 个文件" in refused.problem[1]
    monkeypatch.setattr(intake, "MAX_ZIP_TOTAL", 5)
    put_received(tmp_path / "five.zip", a_zip({"a.xlsx": b"xxx", "b.xlsx": b"yy"}), WHEN)
    put_received(tmp_path / "six.zip", a_zip({"a.xlsx": b"xxx", "b.xlsx": b"yyy"}), WHEN)
    assert len(list(expand([tmp_path / "five.zip"]))) == 3
    assert list(expand([tmp_path / "six.zip"]))[1].problem[0] == "zip-bomb"


def test_a_member_whose_header_lies_about_its_size_is_refused(tmp_path):
    data = bytearray(a_zip({"附件5.xlsx": b"x" * 5000}))
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (100).to_bytes(4, "little")  # says 100 bytes; inflates to 5000
    put_received(tmp_path / "x.zip", bytes(data), WHEN)
    member = list(expand([tmp_path / "x.zip"]))[1]
    assert member.problem[0] == "corrupt" and member.read() == b""


def test_an_encrypted_member_is_reported_as_such(tmp_path):
    data = bytearray(a_zip({"附件5.xlsx": b"secret" * 10}))
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # set the "encrypted" bit in both headers
        at = data.find(sig)
        data[at + flag_at] |= 0x01
    put_received(tmp_path / "x.zip", bytes(data), WHEN)
    member = list(expand([tmp_path / "x.zip"]))[1]
    assert member.problem[0] == "encrypted"


def test_a_damaged_zip_is_reported_and_the_rest_goes_on(tmp_path):
    put_received(tmp_path / "a.zip", b"PK\x03\x04" + os.urandom(200), WHEN)
    put_received(tmp_path / "b.xlsx", b"ok", WHEN)
    got = list(expand([tmp_path]))
    assert [(display_name(i.name), i.problem[0] if i.problem else "") for i in got] == [
        ("a.zip", ""), ("a.zip（压缩包内容）", "corrupt"), ("b.xlsx", "")]
    assert got[1].container == str(tmp_path / "a.zip")


def test_a_member_time_of_1980_is_its_own(tmp_path):
    put_received(tmp_path / "x.zip", a_zip({zipfile.ZipInfo("附件5.xlsx", (1980, 1, 1, 0, 0, 0)): b"x"}), WHEN)
    assert list(expand([tmp_path / "x.zip"]))[1].received_at == "1980-01-01T00:00:00"


def test_member_times_before_1980_are_unknown(tmp_path):
    data = bytearray(a_zip({"附件5.xlsx": b"x"}))
    central = data.rfind(b"PK\x01\x02")
    data[central + 14:central + 16] = (0).to_bytes(2, "little")  # DOS date 0: year 1980 - 0 months
    put_received(tmp_path / "x.zip", bytes(data), WHEN)
    member = list(expand([tmp_path / "x.zip"]))[1]
    assert member.received_at == datetime.fromtimestamp(0).isoformat(timespec="seconds")
    assert (member.name, member.problem, member.read()) == (f"{tmp_path / 'x.zip'}/附件5.xlsx", None, b"x")  # read


# --- names shown to the clerk ---------------------------------------------------------------------


@pytest.mark.parametrize("name, shown", [
    ("/home/王丽/下载/附件5.xlsx", "附件5.xlsx"),
    (r"C:\Users\王丽\Downloads\附件5(1).xlsx", "附件5(1).xlsx"),
    ("/下载/洛阳镇.zip/洛阳镇各校报表/附件5-x.xlsx", "洛阳镇.zip/洛阳镇各校报表/附件5-x.xlsx"),
    ("/下载/a.ZIP/b.zip/c.xlsx", "a.ZIP/b.zip/c.xlsx"),
    ("/下载/洛阳镇.zip", "洛阳镇.zip"),
    ("附件5.xlsx", "附件5.xlsx"),
])
def test_display_name(name, shown):
    assert display_name(name) == shown


# --- every refusal is a whole record: what collect archives, shows and files under ----------------

EPOCH = datetime.fromtimestamp(0).isoformat(timespec="seconds")
MEMBER_TIME = "2023-11-18T09:30:00"


def whole(i) -> tuple:
    return i.name, i.source, i.received_at, i.read(), i.size, i.problem, i.is_zip, i.path, i.container


def test_a_file_that_cannot_even_be_looked_at_is_a_whole_record(tmp_path, monkeypatch):
    path = put_received(tmp_path / "附件5.xlsx", b"x", WHEN)
    real = type(path).lstat

    def refused(self):
        if self.name == "附件5.xlsx":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(type(path), "lstat", refused)
    (got,) = expand([path])
    assert whole(got) == (str(path), str(path), EPOCH, b"", 0,
                          ("corrupt", message("corrupt", detail="（没有权限）")), False, None, "")


def test_a_zip_another_program_holds_is_a_whole_record(tmp_path, monkeypatch):
    path = put_received(tmp_path / "城南.zip", a_zip({"附件5.xlsx": b"x"}), WHEN)

    def held(open_):
        raise PermissionError(13, "in use")

    monkeypatch.setattr(intake, "retrying", held)
    (got,) = expand([path])
    assert whole(got) == (str(path), str(path), WHEN, path.read_bytes(), path.stat().st_size,
                          ("locked", message("locked")), False, None, "")


def test_a_link_and_a_file_over_the_limit_are_whole_records(tmp_path, monkeypatch):
    monkeypatch.setattr(intake, "MAX_FILE", 10)
    big = put_received(tmp_path / "big.xlsx", b"x" * 2048, WHEN)
    link = tmp_path / "link.xlsx"
    link.symlink_to(big)
    os.utime(link, (0, 0), follow_symlinks=False)
    got_big, got_link = expand([tmp_path])
    assert whole(got_big) == (str(big), str(big), WHEN, big.read_bytes(), 2048,
                              ("oversized", message("oversized", size="2 KB")), False, str(big), "")
    assert whole(got_link) == (str(link), str(link), EPOCH, b"", 0, ("not-spreadsheet", message("link")),
                               False, None, "")


def member_of(tmp_path, data: bytes, index: int = 1):
    path = put_received(tmp_path / "镇.zip", data, WHEN)
    return path, list(expand([path]))[index]


def test_refused_members_are_whole_records(tmp_path, monkeypatch):
    info = zipfile.ZipInfo("链接.xlsx", (2023, 11, 18, 9, 30, 0))
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    path, got = member_of(tmp_path, a_zip({info: "/etc/passwd"}))
    label = str(path)
    assert whole(got) == (f"{label}/链接.xlsx", label, MEMBER_TIME, b"", 0, ("not-spreadsheet", message("zip-link")),
                          False, None, label)
    path, got = member_of(tmp_path, a_zip({"附件5.xlsx": b"\0" * (6 * 1024 * 1024)}))
    assert whole(got) == (f"{label}/附件5.xlsx", label, MEMBER_TIME, b"", 6 * 1024 * 1024,
                          ("zip-bomb", message("zip-bomb", size="6 MB")), False, None, label)
    monkeypatch.setattr(intake, "MAX_FILE", 1000)
    path, got = member_of(tmp_path, a_zip({"附件5.xlsx": os.urandom(1500)}))
    assert whole(got) == (f"{label}/附件5.xlsx", label, MEMBER_TIME, b"", 1500,
                          ("oversized", message("oversized", size="1 KB")), False, None, label)


def test_members_that_cannot_be_inflated_are_whole_records(tmp_path):
    data = bytearray(a_zip({"附件5.xlsx": b"x" * 5000}))
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (100).to_bytes(4, "little")  # says 100 bytes; inflates to 5000
    path, got = member_of(tmp_path, bytes(data))
    detail = "（压缩包中的文件无法解压）"
    assert whole(got) == (f"{path}/附件5.xlsx", str(path), MEMBER_TIME, b"", 100,
                          ("corrupt", message("corrupt", detail=detail)), False, None, str(path))
    data = bytearray(a_zip({"附件5.xlsx": b"secret" * 10}))
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        data[data.find(sig) + flag_at] |= 0x01
    path, got = member_of(tmp_path, bytes(data))
    assert whole(got) == (f"{path}/附件5.xlsx", str(path), MEMBER_TIME, b"", 60,
                          ("encrypted", message("encrypted", detail=detail)), False, None, str(path))


def test_a_damaged_or_too_deep_archive_is_a_whole_record(tmp_path):
    path, got = member_of(tmp_path, b"PK\x03\x04" + bytes(200))
    assert whole(got) == (f"{path}（压缩包内容）", str(path), EPOCH, b"", 0,
                          ("corrupt", message("corrupt", detail="（压缩包无法打开）")), False, None, str(path))
    inner = a_zip({"附件5.xlsx": b"deep"})
    for level in ("2.zip", "3.zip", "4.zip"):
        inner = a_zip({level: inner})
    path, got = member_of(tmp_path, inner, index=4)
    deepest = f"{path}/4.zip/3.zip/2.zip"
    assert whole(got) == (f"{deepest}（压缩包内容）", str(path), MEMBER_TIME, b"", 0,
                          ("zip-bomb", message("zip-nested")), False, None, f"{path}/4.zip/3.zip")


def test_a_path_that_is_not_there_is_a_whole_record(tmp_path):
    gone = tmp_path / "不存在.xlsx"
    (got,) = expand([gone])
    assert whole(got) == (str(gone), str(gone), EPOCH, b"", 0, ("missing", message("missing", path=gone)),
                          False, None, "")


def test_after_a_refused_member_the_next_ones_are_still_read(tmp_path, monkeypatch):
    link = zipfile.ZipInfo("链接.xlsx", (2023, 11, 18, 9, 30, 0))
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    monkeypatch.setattr(intake, "MAX_FILE", 1000)
    path = put_received(tmp_path / "镇.zip", a_zip({link: "/etc/passwd", "大.xlsx": os.urandom(1500),
                                                    "好.xlsx": b"ok"}), WHEN)
    assert [(i.name.rsplit("/", 1)[-1], i.problem[0] if i.problem else i.read()) for i in expand([path])][1:] == [
        ("链接.xlsx", "not-spreadsheet"), ("大.xlsx", "oversized"), ("好.xlsx", b"ok")]
    data = bytearray(a_zip({"坏.xlsx": b"x" * 5000, "好.xlsx": b"ok"}))
    central = data.find(b"PK\x01\x02")
    data[central + 24:central + 28] = (100).to_bytes(4, "little")  # the first member lies about its size
    path = put_received(tmp_path / "乡.zip", bytes(data), WHEN)
    assert [(i.name.rsplit("/", 1)[-1], i.problem[0] if i.problem else i.read()) for i in expand([path])][1:] == [
        ("坏.xlsx", "corrupt"), ("好.xlsx", b"ok")]


def test_a_zip_inside_a_zip_is_marked_as_one_and_too_much_in_all_says_how_much(tmp_path, monkeypatch):
    path = put_received(tmp_path / "外.zip", a_zip({"内.zip": a_zip({"附件5.xlsx": b"x"})}), WHEN)
    assert [(display_name(i.name), i.is_zip) for i in expand([path])] == [
        ("外.zip", True), ("外.zip/内.zip", True), ("外.zip/内.zip/附件5.xlsx", False)]
    monkeypatch.setattr(intake, "MAX_ZIP_TOTAL", 2047)
    path = put_received(tmp_path / "多.zip", a_zip({"a.xlsx": b"x" * 1024, "b.xlsx": b"y" * 1024}), WHEN)
    assert list(expand([path]))[1].problem == ("zip-bomb", message("zip-bomb", size="2 KB"))


@pytest.mark.parametrize("name, refs", [
    ("/home/王丽/下载/附件5.xlsx", ("/home/王丽/下载/附件5.xlsx", "附件5.xlsx", "附件5.xlsx")),
    (r"C:\Users\王丽\Downloads\附件5(1).xlsx", (r"C:\Users\王丽\Downloads\附件5(1).xlsx", "附件5(1).xlsx", "附件5(1).xlsx")),
    ("/下载/洛阳镇.zip/各校/附件5-x.xlsx", ("/下载/洛阳镇.zip/各校/附件5-x.xlsx", "洛阳镇.zip/各校/附件5-x.xlsx", "附件5-x.xlsx")),
    ("附件5.xlsx", ("附件5.xlsx", "附件5.xlsx", "附件5.xlsx")),
])
def test_a_received_file_is_named_by_the_clerk_in_three_ways(name, refs):
    assert file_refs(name) == refs  # as received, as listed, by its last part
