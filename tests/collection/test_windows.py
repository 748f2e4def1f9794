"""The clerk's Windows PC, simulated here: a GBK console, files held open by Excel, paths with
spaces, Chinese names and a network-share prefix.

- **GBK console.** A Chinese Windows console (or a frozen ``dudao.exe`` whose output goes to a
  file) writes in GBK, which lacks characters a school's name may have (𠀋, emoji). Every command
  runs with a standard output and error that are GBK and strict, as Python makes them for
  ``PYTHONIOENCODING=gbk`` with the output redirected to a file: it must end normally, with the
  missing characters replaced.
- **Files held open.** Windows refuses to open a file another program holds (Excel saving it, a
  sync client, an antivirus) and to replace a file open in Excel. ``open`` and ``os.replace`` are
  made to raise ``PermissionError`` as Windows does; collect's pauses (``locked.wait``) are
  counted, never slept.
- **Paths.** The collection and the download folder under a "//"-prefixed path (what a UNC path
  \\\\server\\share is to pathlib) with spaces and Chinese in every part; file names that carry
  Windows' "\\" separator.
"""

from __future__ import annotations

import builtins
import io
import os
import random
import sqlite3
import subprocess
import sys
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # the window's test: no screen here

from aggregator import atomic
from aggregator.cli import main
from aggregator.collection.store import locked
from aggregator.collection.store.folder import LEDGER, open_collection
from aggregator.demo import fill_workbook, gbk_zip, retyped_workbook, sample_values
from aggregator.form.parse import load_form
from cli_helpers import ROSTER, dudao, put, status_json

LOCKED = "文件正被其他程序打开，请关闭后重新收取"
RARE = "曾都区𠀋溪小学"  # U+2000B: in no GBK table
ROSTER_RARE = ROSTER + f"{RARE},小学,区直学校,龙🐉老师,13872309999,rare@zdedu.example\n"


def _values(name: str, stage: str = "小学", contact: str = "王丽", phone: str = "13872301001", seed: int = 7) -> dict:
    return sample_values(random.Random(seed), stage, name, contact, phone)


def _return(folder: Path, school: str, **changes) -> bytes:
    values = {**_values(school), **changes}
    return fill_workbook(folder / "outbox" / f"附件5-{school}.xlsx", load_form("annex5_2023"), values)


def _ledger_dump(folder: Path) -> list[str]:
    """The ledger's records: every row but those of ``meta``, where opening a collection may
    upgrade the schema and status keeps its caches (outliers, the revision count)."""
    with closing(sqlite3.connect(folder / LEDGER)) as db:
        return [line for line in db.iterdump() if line.startswith("INSERT INTO") and '"meta"' not in line]


# --- a GBK console ---------------------------------------------------------------------------------


@contextmanager
def gbk_console(out: Path, err: Path):
    """Standard output and error as Python makes them for ``PYTHONIOENCODING=gbk`` and a redirect
    to a file: GBK, strict (a character GBK lacks raises unless the program says otherwise)."""
    saved = sys.stdout, sys.stderr
    with open(out, "wb") as o, open(err, "wb") as e:
        sys.stdout = io.TextIOWrapper(o, encoding="gbk", errors="strict", line_buffering=False)
        sys.stderr = io.TextIOWrapper(e, encoding="gbk", errors="strict", line_buffering=False)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            sys.stdout.detach()
            sys.stderr.detach()
            sys.stdout, sys.stderr = saved


def in_gbk(tmp_path: Path, *args) -> tuple[int, str, str]:
    """``dudao ARGS`` in-process on a GBK console; its exit status and what it wrote, decoded."""
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    with gbk_console(out, err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse's --help and --version
            code = exc.code
    return code, out.read_bytes().decode("gbk"), err.read_bytes().decode("gbk")


def test_every_command_ends_normally_on_a_gbk_console(tmp_path, monkeypatch):
    monkeypatch.setenv("DUDAO_NOW", "2023-11-20T17:00+08:00")
    monkeypatch.setenv("DUDAO_SMTP_PASSWORD", "")
    roster = tmp_path / "名单.csv"
    roster.write_text(ROSTER_RARE, encoding="utf-8")
    col = tmp_path / "曾都 区双减"
    drop = tmp_path / "下载"
    bad_form = tmp_path / "表单.toml"
    bad_form.write_text('title = "𠀋"\n', encoding="utf-8")

    def ok(*args, code: int = 0) -> str:
        got, out, err = in_gbk(tmp_path, *args)
        assert got == code, (args, out, err)
        assert "Traceback" not in out + err
        return out + err

    ok("--help")
    ok("--version")
    ok("init", col, "--name", "曾都区", "--roster", roster, "--deadline", "2023-11-20", "--reporter", "张𠀋")
    ok("forms")
    ok("check-form", bad_form, code=2)
    ok("distribute", col)
    put(drop / f"附件5-{RARE}.xlsx", _return(col, RARE, **{"inspectors.total": 99, "problem_1": "作业📚公示不及时"}))
    put(drop / "附件5-曾都区实验小学.xlsx", _return(col, "曾都区实验小学"))
    put(drop / "新建 Microsoft Excel 工作表.xlsx", retyped_workbook(load_form("annex5_2023"), {**_values("某校"), "unit": ""}))
    put(drop / "坏了𠀋.xlsx", b"not a workbook")
    text = ok("collect", col, drop)
    assert "曾都区?溪小学" in text or "曾都区??溪小学" in text  # replaced, not raised
    ok("status", col)
    ok("status", col, "--json")
    ok("status", col, "-v")
    ok("assign", col, "新建 Microsoft Excel 工作表.xlsx", "万店镇初级中学")
    for verb in ("accept", "send-back", "exempt", "remark"):
        ok(verb, col, RARE, "--note", "电话核实🙂")
        ok(verb, col, RARE, "--undo")
    ok("confirm", col, RARE, "outlier", code=2)  # it has no such warning: said in one sentence
    ok("ignore", col, "坏了𠀋.xlsx", "--note", "垃圾𠀋")
    ok("tie", col, "坏了𠀋.xlsx", RARE)
    ok("school", col, "add", "新学校𠀋", "--stage", "小学", "--parent", "区直学校")
    ok("school", col, "edit", "新学校𠀋", "--contact", "李𠀋")
    ok("school", col, "remove", "新学校𠀋", "--note", "撤并")
    ok("settings", col, "--unit", "曾都区教育局𠀋")
    ok("roster-template", tmp_path / "名单模板")
    ok("consolidate", col)
    ok("consolidate", col, "--include", "all")
    ok("feedback", col, "--no-pdf", "--warnings")
    ok("status", tmp_path / "不是收集", code=2)
    ok("demo", tmp_path / "演示 𠀋")


def test_a_real_process_with_pythonioencoding_gbk_writes_gbk_to_its_file(tmp_path):
    """The same, as a real ``dudao`` process whose output is redirected to files."""
    roster = tmp_path / "名单.csv"
    roster.write_text(ROSTER_RARE, encoding="utf-8")
    col = tmp_path / "曾都区双减"
    env = {**os.environ, "PYTHONIOENCODING": "gbk", "DUDAO_NOW": "2023-11-20T17:00+08:00"}
    for args in (["init", col, "--name", "曾都区", "--roster", roster], ["status", col], ["status", col, "--json"], ["--help"]):
        with open(tmp_path / "out.txt", "wb") as out, open(tmp_path / "err.txt", "wb") as err:
            code = subprocess.run([sys.executable, "-m", "aggregator.cli", *map(str, args)], stdout=out, stderr=err,
                                  env=env, timeout=120).returncode
        written = (tmp_path / "out.txt").read_bytes().decode("gbk")  # GBK, and nothing GBK cannot hold
        assert code == 0, (tmp_path / "err.txt").read_bytes().decode("gbk")
        assert "Traceback" not in written
    assert "曾都区?溪小学" in (tmp_path / "out.txt").read_bytes().decode("gbk") or "--help" in args


def test_the_window_answers_on_a_gbk_console(col_dir, tmp_path, qapp):
    from desktop import app

    picture = tmp_path / "截图𠀋.png"
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    for args in (["--version"], ["--help"], [str(col_dir), "--screenshot", str(picture)]):
        with gbk_console(out, err):
            try:
                code = app.main(["dudao-gui", *args])
            except SystemExit as exc:
                code = exc.code
        assert code == 0, err.read_bytes().decode("gbk")
    assert out.read_bytes().decode("gbk").strip() == str(picture).replace("𠀋", "?")
    assert picture.is_file()


# --- files held open by another program ----------------------------------------------------------------


@pytest.fixture
def held(monkeypatch):
    """Paths that cannot be opened, as Windows refuses a file another program holds; and the
    pauses collect takes between its tries (recorded, not slept)."""
    paths: dict[str, int] = {}  # path -> tries refused before it opens (-1: never)
    pauses: list[float] = []
    real_open, real_io_open = builtins.open, io.open

    def refuse(file) -> None:
        key = os.fspath(file) if isinstance(file, (str, os.PathLike)) else None
        if key in paths and paths[key] != 0:
            paths[key] -= 1
            raise PermissionError(13, "The process cannot access the file because it is being used by another "
                                      "process", key)

    def fake_open(file, *args, **kw):
        refuse(file)
        return real_open(file, *args, **kw)

    def fake_io_open(file, *args, **kw):
        refuse(file)
        return real_io_open(file, *args, **kw)

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(io, "open", fake_io_open)
    monkeypatch.setattr(locked, "wait", pauses.append)
    held_files = type("Held", (), {"paths": paths, "pauses": pauses})
    return held_files


def _archived_names(folder: Path) -> list[str]:
    return sorted(p.name.split("-", 1)[1] for p in (folder / "archive").rglob("*") if p.is_file())


def test_a_file_held_open_is_tried_again_then_listed_and_nothing_of_it_recorded(col_dir, tmp_path, capsys, held):
    drop = tmp_path / "下载"
    taken = put(drop / "附件5-曾都区实验小学.xlsx", _return(col_dir, "曾都区实验小学"))
    busy = put(drop / "附件5-万店镇中心小学.xlsx", _return(col_dir, "万店镇中心小学"))
    held.paths[str(busy)] = -1
    before = _ledger_dump(col_dir)

    code, out, err = dudao(capsys, "collect", col_dir, drop)
    assert code == 0 and "Traceback" not in out + err
    assert f"无法读取  附件5-万店镇中心小学.xlsx：{LOCKED}" in out
    assert "新收到报表 1 份" in out
    assert held.pauses == list(locked.WAITS)  # tried again after each pause, then given up
    assert _archived_names(col_dir) == [taken.name]  # nothing of it kept half-way
    report = status_json(capsys, col_dir)
    assert report["unreadable"] == [] and all(busy.name not in str(s["file"]) for s in report["schools"])
    after = _ledger_dump(col_dir)
    assert len(after) > len(before) and not any(busy.name in line for line in after)

    # Excel closed: the next collect takes it, as a new file (nothing was lost).
    held.paths.clear()
    code, out, _ = dudao(capsys, "collect", col_dir, drop)
    assert code == 0 and "新收到报表 1 份，来自 1 所学校（现在已通过 1 所），重复 1 份" in out
    assert {s["name"]: s["status"] for s in status_json(capsys, col_dir)["schools"]}["万店镇中心小学"] == "accepted"


def test_a_file_held_for_a_moment_is_collected_after_a_pause(col_dir, tmp_path, capsys, held):
    busy = put(tmp_path / "下载" / "附件5-万店镇中心小学.xlsx", _return(col_dir, "万店镇中心小学"))
    held.paths[str(busy)] = 2  # an antivirus scan: refused twice, then it opens
    code, out, _ = dudao(capsys, "collect", col_dir, busy)
    assert code == 0 and "新收到报表 1 份" in out and LOCKED not in out
    assert held.pauses == list(locked.WAITS[:2])


def test_a_zip_held_open_is_listed_and_nothing_of_it_recorded(col_dir, tmp_path, capsys, held):
    zipped = put(tmp_path / "万店镇.zip", gbk_zip({"附件5-万店镇中心小学.xlsx": _return(col_dir, "万店镇中心小学")}))
    held.paths[str(zipped)] = -1
    before = _ledger_dump(col_dir)
    code, out, _ = dudao(capsys, "collect", col_dir, zipped)
    assert code == 0 and f"万店镇.zip：{LOCKED}" in out
    assert _ledger_dump(col_dir) == before
    held.paths.clear()
    code, out, _ = dudao(capsys, "collect", col_dir, zipped)
    assert "新收到报表 1 份" in out


@contextmanager
def replace_refused(*targets: Path):
    """``os.replace`` onto or from ``targets`` fails, as on Windows while Excel has them open."""
    real = atomic.os.replace
    names = {str(t) for t in targets}

    def replace(src, dst):
        if str(dst) in names or str(src) in names:
            raise PermissionError(13, "The process cannot access the file", str(dst))
        return real(src, dst)

    atomic.os.replace = replace
    try:
        yield
    finally:
        atomic.os.replace = real


def test_feedback_open_in_excel_is_saved_as_2_and_the_open_one_kept(col_dir, tmp_path, capsys):
    drop = tmp_path / "下载"
    put(drop / "附件5-曾都区实验小学.xlsx", _return(col_dir, "曾都区实验小学", **{"inspectors.total": 99}))
    assert dudao(capsys, "collect", col_dir, drop)[0] == 0
    assert dudao(capsys, "feedback", col_dir, "--no-pdf")[0] == 0
    feedback = col_dir / "feedback"
    marked, index = feedback / "曾都区实验小学-退回修改.xlsx", feedback / "反馈清单.csv"
    kept = {p: p.read_bytes() for p in (marked, index)}
    (feedback / "~$反馈清单.csv").write_bytes(b"owner")  # the list is open in Excel: its lock file
    before = _ledger_dump(col_dir)

    with replace_refused(marked):  # the marked workbook is open in Excel: Windows refuses the rename
        code, out, err = dudao(capsys, "feedback", col_dir, "--no-pdf")
    assert code == 0 and "Traceback" not in out + err
    assert "反馈文件 曾都区实验小学-退回修改.xlsx 正在被其他程序打开，本次保存为 曾都区实验小学-退回修改(2).xlsx" in out
    assert "反馈文件 反馈清单.csv 正在被其他程序打开，本次保存为 反馈清单(2).csv" in out
    assert all(p.read_bytes() == data for p, data in kept.items())  # the open ones untouched
    assert (feedback / "曾都区实验小学-退回修改(2).xlsx").stat().st_size > 0
    assert "曾都区实验小学-退回修改(2).xlsx" in (feedback / "反馈清单(2).csv").read_text(encoding="utf-8-sig")
    assert not list(feedback.glob(".*.tmp"))  # no temporary left behind
    after = _ledger_dump(col_dir)  # only this run's drafts (written, as "(2)") are recorded as told
    added = [line for line in after if line not in before]
    assert [line for line in after if '"told"' not in line] == [line for line in before if '"told"' not in line]
    assert added and all(line.startswith('INSERT INTO "told"') and "'draft'" in line for line in added)


def test_consolidate_with_its_summary_open_saves_as_2_and_leaves_the_ledger(col_dir, tmp_path, capsys):
    put(tmp_path / "下载" / "附件5-曾都区实验小学.xlsx", _return(col_dir, "曾都区实验小学"))
    assert dudao(capsys, "collect", col_dir, tmp_path / "下载")[0] == 0
    code, out, _ = dudao(capsys, "consolidate", col_dir, "--include", "all")
    first = Path(out.strip().splitlines()[-1])
    kept = first.read_bytes()
    before = _ledger_dump(col_dir)
    with replace_refused(first):
        code, out, err = dudao(capsys, "consolidate", col_dir, "--include", "all")
    assert code == 0 and "Traceback" not in out + err
    assert Path(out.strip().splitlines()[-1]).name == f"{first.stem}(2).xlsx"
    assert first.read_bytes() == kept
    assert _ledger_dump(col_dir) == before


# --- paths ---------------------------------------------------------------------------------------------


def unc_style(path: Path) -> Path:
    """The same folder under a "//" prefix: to pathlib what \\\\server\\share is on Windows (a
    root of its own, kept as written), and still a valid path on Linux."""
    return Path("//" + str(path).lstrip("/"))


def test_collect_and_distribute_under_a_share_prefix_with_spaces_and_chinese(tmp_path, capsys):
    base = unc_style(tmp_path) / "区 教育局" / "曾都 区 双减 2023"
    roster = unc_style(tmp_path) / "名单 (最新).csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert str(base).startswith("//") and base.parts[0] == "//"
    assert dudao(capsys, "init", base, "--name", "曾都区", "--roster", roster, "--deadline", "2023-11-20")[0] == 0
    code, out, _ = dudao(capsys, "distribute", base)
    assert code == 0 and "已生成 6 份空白表" in out
    assert (base / "outbox" / "附件5-万店镇中心小学.xlsx").is_file()

    # A download folder whose name holds Windows' separators, and a file whose name does.
    share = unc_style(tmp_path) / "\\\\server\\share\\微信 文件" / "File 2023-11"
    put(share / "附件5-万店镇中心小学.xlsx", _return(base, "万店镇中心小学"))
    put(share / "收件 箱\\新建 Microsoft Excel 工作表.xlsx",
        retyped_workbook(load_form("annex5_2023"), {**_values("某校", "初中"), "unit": ""}))
    code, out, err = dudao(capsys, "collect", base, share)
    assert code == 0 and "Traceback" not in out + err
    assert "新收到报表 2 份" in out
    assert "（未识别）  ← 新建 Microsoft Excel 工作表.xlsx" in out  # the last part, whatever the separator
    # The clerk types the name status shows; a Windows path's "\" no longer hides it.
    code, out, err = dudao(capsys, "assign", base, "新建 Microsoft Excel 工作表.xlsx", "万店镇初级中学")
    assert code == 0, err
    report = status_json(capsys, base)
    assert {s["name"]: s["status"] for s in report["schools"]}["万店镇中心小学"] == "accepted"
    with open_collection(base) as col:
        archived = [col.root / r.archived for r in col.ledger.returns(col.form)]
    assert len(archived) == 2 and all(p.is_file() for p in archived)
    assert all("\\" not in p.relative_to(col.root).as_posix() for p in archived)
