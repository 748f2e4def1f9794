"""Killed in the middle, run twice at once: the ledger stays consistent and nothing is lost.

``dudao collect`` runs as a real process over about 150 returns and is killed (SIGKILL, no
cleanup of any kind) at random points, seeded; after every kill the ledger must pass SQLite's
own integrity check, every file it records must be in the archive with the same hash, and no
temporary file may be taken for a return. Re-running then finishes the job with exactly the
states of an uninterrupted run. The same for ``consolidate`` (the previous summary survives
whole, or a complete new one replaces it), and two ``collect`` processes on one folder at once.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest

from cli_helpers import put
from aggregator.cli import main
from aggregator.demo import fill_workbook, gbk_zip, sample_values, word_file
from aggregator.form.declaration import load_form
from aggregator.form.layout import layout_of
from aggregator.reading import read_return

pytestmark = pytest.mark.slow

FORM = load_form()
CELLS = layout_of(FORM).cells
N_SCHOOLS = 150
KILLS = 4  # consolidate
ROUNDS = 4  # collect: each killed twice, then finished
SEED = 20231120
STAGES = ["小学", "初中", "九年一贯制"]
TOWNS = ["万店镇", "何店镇", "洛阳镇", "府河镇", "淅河镇", "南郊", "北郊", "曾都区"]

# The collect process with smaller ledger transactions than the default, so that a kill lands
# between commits as often as inside one.
_COLLECT = ("import sys, aggregator.collection.collect as c; c.BATCH = int(sys.argv.pop(1)); "
            "from aggregator.cli import main; sys.exit(main(sys.argv[1:]))")
_CLI = "import sys; from aggregator.cli import main; sys.exit(main(sys.argv[1:]))"


def roster_text() -> str:
    lines = ["学校名称,学段,所属单位,联系人,联系电话,邮箱"]
    for i in range(N_SCHOOLS):
        town = TOWNS[i % len(TOWNS)]
        lines.append(f"{town}第{i + 1}学校,{STAGES[i % 3]},{town}中心学校,联系人{i},1387230{i:04d},s{i}@zdedu.example")
    return "\n".join(lines) + "\n"


_VALUE_CELL = r'<c r="{ref}"( s="\d+")?[^>]*?(?:/>|>.*?</c>)'


def filled(issued: Path, values: dict) -> bytes:
    """The issued workbook with ``values`` typed in, as Excel saves it: numbers as numbers, text
    as text. Patches the sheet's XML (``demo.fill_workbook`` does it through openpyxl, 50 times
    slower: 150 of them would be most of this module's time)."""
    src = zipfile.ZipFile(issued)
    names = re.findall(rb'<sheet [^>]*name="([^"]+)"', src.read("xl/workbook.xml"))
    member = f"xl/worksheets/sheet{[n.decode() for n in names].index(FORM.sheet) + 1}.xml"
    xml = src.read(member).decode("utf-8")
    for fid, value in values.items():
        ref = CELLS[fid]

        def cell(m: re.Match, value=value, ref=ref) -> str:
            style = m.group(1) or ""
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return f'<c r="{ref}"{style}><v>{value}</v></c>'
            if not value:
                return f'<c r="{ref}"{style}/>'
            return f'<c r="{ref}"{style} t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'

        xml, n = re.subn(_VALUE_CELL.format(ref=ref), cell, xml, count=1, flags=re.S)
        assert n == 1, ref
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, xml.encode("utf-8") if info.filename == member else src.read(info))
    return out.getvalue()




@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """A collection of 150 schools with its inbox full (built once; tests work on copies):
    good returns, some with errors, a second version, duplicates in two folders, a zip from a
    中心学校 with GBK names, and files that cannot be read."""
    base = tmp_path_factory.mktemp("faults")
    roster = base / "名单.csv"
    roster.write_text(roster_text(), encoding="utf-8")
    folder = base / "收集"
    assert main(["init", str(folder), "--roster", str(roster), "--deadline", "2023-11-20"]) == 0
    assert main(["distribute", str(folder)]) == 0
    rng = random.Random(SEED)
    inbox = folder / "inbox"
    zipped = {}
    for i, line in enumerate(roster_text().strip().splitlines()[1:]):
        name, stage, _, contact, phone, _ = line.split(",")
        v = sample_values(rng, stage, name, contact, phone)
        if i % 10 == 3:  # sent back: a sum that does not add up
            v["inspectors.total"] += 1
        data = filled(folder / "outbox" / f"附件5-{name}.xlsx", v)
        day = f"2023-11-{10 + i % 10:02d}T{8 + i % 9:02d}:00:00"
        if i % 25 == 7:
            zipped[f"{name[:3]}/附件5-{name}.xlsx"] = data
            continue
        put(inbox / f"微信{i % 4}" / f"附件5({i}).xlsx" if i % 2 else inbox / f"附件5-{name}.xlsx", data, day)
        if i % 30 == 11:  # the same file again, from another download folder
            put(inbox / "邮件" / f"{name}.xlsx", data, day)
        if i % 40 == 5:  # a corrected second version later
            put(inbox / "邮件" / f"{name}-修改后.xlsx", filled(folder / "outbox" / f"附件5-{name}.xlsx",
                                                                dict(v, reporter="改后")), "2023-11-19T09:00:00")
    put(inbox / "中心学校.zip", gbk_zip(zipped), "2023-11-18T16:00:00")
    put(inbox / "空.xlsx", b"", "2023-11-12T10:00:00")
    put(inbox / "乱码.xlsx", random.Random(1).randbytes(3000), "2023-11-12T10:00:00")
    put(inbox / "案例.docx", word_file(), "2023-11-12T10:00:00")
    return folder


def copy_of(pristine: Path, tmp_path: Path, name: str = "收集") -> Path:
    target = tmp_path / name
    shutil.copytree(pristine, target)
    return target


def run_cli(*args, batch: int | None = None) -> subprocess.Popen:
    code = _COLLECT if batch is not None else _CLI
    argv = [sys.executable, "-c", code, *([str(batch)] if batch is not None else []), *map(str, args)]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")


def finish(proc: subprocess.Popen, timeout: float = 60) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def killed_after(proc: subprocess.Popen, delay: float) -> bool:
    """SIGKILL ``proc`` after ``delay`` s; False when it had already finished."""
    try:
        proc.wait(timeout=delay)
        proc.communicate()
        return False
    except subprocess.TimeoutExpired:
        proc.kill()  # SIGKILL: no handler, no finally, no atexit
        proc.communicate()
        return True


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_ledger(folder: Path) -> None:
    """What must hold at any moment, even right after a kill."""
    db = sqlite3.connect(folder / "ledger.sqlite")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        orphans = db.execute("SELECT count(*) FROM returns r LEFT JOIN files f USING (sha256)"
                             " WHERE f.sha256 IS NULL").fetchone()[0]
        assert orphans == 0, "a return without its file row"
        files = db.execute("SELECT sha256, original_name, archived, outcome FROM files").fetchall()
    finally:
        db.close()
    containers = {sha for sha, _, _, outcome in files if outcome == "container"}
    for sha, name, archived, outcome in files:
        path = folder / archived
        assert path.is_file(), f"{name}: recorded, but {archived} is not in the archive"
        assert not name.endswith(".part") and not path.name.endswith(".part") and not path.name.startswith(".~")
        assert (folder / "archive") in path.parents
        actual = sha256_of(path)
        # A member that could not be taken out of a zip points at its (recorded) zip.
        assert actual == sha or (outcome == "unreadable" and actual in containers), f"{name}: archived bytes differ"


def snapshot(capsys, folder: Path) -> dict:
    """Everything the clerk sees, and the ledger's rows, with the folder's own path taken out so
    that copies compare equal."""
    capsys.readouterr()
    assert main(["status", str(folder), "--json"]) == 0
    data = json.loads(capsys.readouterr().out.replace(str(folder), "<folder>"))
    db = sqlite3.connect(folder / "ledger.sqlite")
    files = sorted(db.execute("SELECT sha256, original_name, outcome, reason_kind FROM files").fetchall())
    returns = db.execute("SELECT count(*), count(DISTINCT sha256) FROM returns").fetchone()
    db.close()
    return {
        "schools": sorted((s["name"], s["status"], s["version"], s["file"], s["late"],
                           tuple(f["rule"] for f in s["findings"])) for s in data["schools"]),
        "unreadable": sorted((u["file"], u["kind"]) for u in data["unreadable"]),
        "unidentified": sorted(u["file"] for u in data["unidentified"]),
        "files": [(sha, name.replace(str(folder), "<folder>"), kind, reason) for sha, name, kind, reason in files],
        "returns": returns,
    }


# ================================================================================================
# collect, killed
# ================================================================================================


def test_collect_killed_at_random_points_then_rerun_equals_one_uninterrupted_run(pristine, tmp_path, capsys):
    reference = copy_of(pristine, tmp_path, "一次跑完")
    start = time.perf_counter()
    code, out, err = finish(run_cli("collect", reference, batch=20))
    duration = time.perf_counter() - start
    assert code == 0, err
    expected = snapshot(capsys, reference)
    assert expected["returns"][0] >= N_SCHOOLS  # every school, plus second versions
    assert len(expected["unreadable"]) == 3

    rng = random.Random(SEED)
    landed = 0
    for round_ in range(ROUNDS):
        folder = copy_of(pristine, tmp_path, f"中途被杀{round_}")
        # Killed, and killed again while re-running: from "still importing" to "nearly done".
        for _ in range(2):
            landed += killed_after(run_cli("collect", folder, batch=20), rng.uniform(0.05, duration))
            check_ledger(folder)
        code, out, err = finish(run_cli("collect", folder))
        assert code == 0, err
        check_ledger(folder)
        assert snapshot(capsys, folder) == expected, round_
        # A file is archived once: no second copy of any file, whatever the kills left behind.
        names = [p.name for p in (folder / "archive").rglob("*") if p.is_file() and not p.name.startswith(".~")]
        assert sorted(names) == sorted(p.name for p in (reference / "archive").rglob("*") if p.is_file())
    assert landed >= ROUNDS, f"only {landed} kills landed before collect finished: too little was tested"


def test_a_temporary_archive_file_left_by_a_kill_is_never_collected(pristine, tmp_path, capsys):
    """Even when the clerk collects the archive folder itself (rebuilding a collection from it)."""
    folder = copy_of(pristine, tmp_path)
    assert finish(run_cli("collect", folder))[0] == 0
    day = next((folder / "archive").iterdir())
    some = next(p for p in day.iterdir() if p.suffix == ".xlsx")
    (day / f".~{some.name[:12]}.1a2b3c4d.part").write_bytes(some.read_bytes()[:100])  # a copy cut short
    (day / f"{some.name}.part").write_bytes(some.read_bytes()[:200])  # as an earlier version named it
    other = copy_of(pristine, tmp_path, "另一个收集")
    code, out, err = finish(run_cli("collect", other, folder / "archive"))
    assert code == 0, err
    check_ledger(other)
    data = snapshot(capsys, other)
    assert not any(".part" in name for _, name, _, _ in data["files"])


# ================================================================================================
# consolidate, killed
# ================================================================================================


def test_consolidate_killed_keeps_the_previous_summary_or_a_complete_new_one(pristine, tmp_path, capsys):
    folder = copy_of(pristine, tmp_path)
    assert finish(run_cli("collect", folder))[0] == 0
    start = time.perf_counter()
    code, out, err = finish(run_cli("consolidate", folder))
    duration = time.perf_counter() - start
    assert code == 0, err
    summary = Path(out.strip().splitlines()[-1])
    before = summary.read_bytes()
    old_total = read_return(summary, FORM).values["inspectors.total"]
    # One more return comes in: the next summary differs.
    late = next(p for p in (folder / "outbox").iterdir() if p.suffix == ".xlsx")
    school = late.stem.removeprefix("附件5-")
    v = sample_values(random.Random(3), "九年一贯制", school, "某", "13872300000")
    v.update({"inspectors.primary": 40, "inspectors.junior": 0, "inspectors.total": 40})
    put(tmp_path / "补报" / "补报.xlsx", fill_workbook(late, FORM, v), "2023-11-20T08:00:00")
    assert finish(run_cli("collect", folder, tmp_path / "补报"))[0] == 0

    reference = copy_of(folder, tmp_path, "参照")
    code, out, err = finish(run_cli("consolidate", reference))
    new_total = read_return(Path(out.strip().splitlines()[-1]), FORM).values["inspectors.total"]
    assert new_total != old_total

    rng = random.Random(SEED)
    for _ in range(KILLS):
        killed_after(run_cli("consolidate", folder), rng.uniform(0.05, duration * 1.2))
        data = summary.read_bytes()
        if data != before:  # replaced: by a complete new summary, never by part of one
            openpyxl.load_workbook(summary)
            assert read_return(summary, FORM).values["inspectors.total"] == new_total
            before = data
    assert [p.name for p in summary.parent.iterdir() if not p.name.startswith(".")] == [summary.name]


def test_a_summary_open_in_excel_gets_a_new_name_not_a_failure(pristine, tmp_path, capsys):
    folder = copy_of(pristine, tmp_path)
    assert finish(run_cli("collect", folder))[0] == 0
    code, out, err = finish(run_cli("consolidate", folder))
    summary = Path(out.strip().splitlines()[-1])
    before = summary.read_bytes()
    (summary.parent / f"~${summary.name}").write_bytes(b"\x00" * 165)  # Excel's lock file beside it
    code, out, err = finish(run_cli("consolidate", folder))
    assert code == 0 and "Traceback" not in err
    assert "正在被其他程序打开" in out
    new = Path(out.strip().splitlines()[-1])
    assert new != summary and new.name.endswith("(2).xlsx") and new.exists()
    assert summary.read_bytes() == before
    openpyxl.load_workbook(new)


# ================================================================================================
# Two collects at once
# ================================================================================================


def test_two_collects_at_once_count_every_return_once(pristine, tmp_path, capsys):
    reference = copy_of(pristine, tmp_path, "一个进程")
    assert finish(run_cli("collect", reference))[0] == 0
    expected = snapshot(capsys, reference)

    for round_ in range(3):
        folder = copy_of(pristine, tmp_path, f"两个进程{round_}")
        inbox = folder / "inbox"
        # The desktop watches the inbox while the clerk collects the inbox and one of its folders
        # again from the command line: the same files reach both, in different orders.
        first = run_cli("collect", folder, batch=7)
        second = run_cli("collect", folder, inbox / "微信1", inbox, batch=13)
        results = [finish(first), finish(second)]
        for code, out, err in results:
            assert code == 0, err
            assert "locked" not in err and "Traceback" not in err
        check_ledger(folder)
        got = snapshot(capsys, folder)
        assert got["returns"][0] == got["returns"][1]  # every return once
        assert got == expected, round_
