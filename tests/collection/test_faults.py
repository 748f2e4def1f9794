"""Killed in the middle, run twice at once: the ledger stays consistent and nothing is lost.

``dudao collect`` runs as a real process and is killed (SIGKILL, no cleanup of any kind) at
kill points chosen through the fault hook (``DUDAO_FAULT=archive:37``, see aggregator/faults.py),
not by timing. The points are enumerated from one uninterrupted run: each pass of each ledger
batch's stages (the archive synced, then its folder, inside the ledger transaction, after the
commit) and every other file's per-file stages (hashed, archived, a reading worker killed on
it): over a hundred of them. After every kill
the ledger must pass SQLite's own integrity check, every file it records must be in the archive
with the same hash, and no temporary file may be taken for a return; re-running then finishes
the job with exactly the states of an uninterrupted run. The same for ``consolidate`` (killed
half-way through writing the summary, or before renaming it into place: the previous summary
survives whole), and two ``collect`` processes on one folder at once. Nothing here depends on how
fast the machine is: ``faults_under_load.py`` runs this module with a CPU hog beside it, and
one test here always runs a share of the kill points with a hog.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from collections import Counter
from contextlib import closing, contextmanager
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest

import aggregator.collection.intake.collect as collect_module
from aggregator import faults
from cli_helpers import put
from aggregator.cli import main
from aggregator.demo import fill_workbook, gbk_zip, sample_values, word_file
from aggregator.form.parse import load_form
from aggregator.form.layout import layout_of
from aggregator.reading import read_return

pytestmark = pytest.mark.slow

FORM = load_form()
CELLS = layout_of(FORM).cells
N_SCHOOLS = 150
SEED = 20231120
SMALL_BATCH = 5  # ledger transactions of the enumerated kills: a kill point in every stage of each
PER_FILE = ("hash", "archive", "worker")  # kill points passed once a file
STAGES = ["小学", "初中", "九年一贯制"]
TOWNS = ["万店镇", "何店镇", "洛阳镇", "府河镇", "淅河镇", "南郊", "北郊", "曾都区"]

# The collect process with smaller ledger transactions than the default, so that a kill lands
# between commits as often as inside one.
_COLLECT = ("import sys, aggregator.collection.intake.collect as c; c.BATCH = int(sys.argv.pop(1)); "
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
    assert main(["init", str(folder), "--name", "曾都区", "--roster", str(roster), "--deadline", "2023-11-20"]) == 0
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


def forked(*args, fault: str = "", batch: int | None = None) -> int:
    """``dudao ARGS`` in a forked child (a real process, without the second or so of a fresh
    interpreter's start: what makes enumerating every kill point affordable), with the fault hook
    armed: its exit status, -9 when the hook killed it."""
    pid = os.fork()
    if pid == 0:  # the child: nothing of pytest's may run here, whatever happens
        code = 99
        try:
            devnull = os.open(os.devnull, os.O_RDWR)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.environ[faults.ENV] = fault
            faults.reset()
            if batch is not None:
                collect_module.BATCH = batch
            code = main([str(a) for a in args])
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


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


@pytest.fixture(scope="module")
def small(pristine, tmp_path_factory) -> Path:
    """A share of ``pristine``'s inbox, kinds kept: 25 returns, second versions and duplicates
    (邮件), the zip of GBK names, the files that cannot be read; no outbox."""
    folder = tmp_path_factory.mktemp("small") / "收集"
    shutil.copytree(pristine, folder, ignore=shutil.ignore_patterns("outbox"))
    for path in sorted((folder / "inbox").rglob("*.xlsx")):
        number = re.fullmatch(r"附件5\((\d+)\)\.xlsx", path.name)
        if path.parent.name != "邮件" and path.name not in ("空.xlsx", "乱码.xlsx") and not (
                number and int(number.group(1)) < 50):
            path.unlink()
    return folder


@pytest.fixture(scope="module")
def kill_points(small, tmp_path_factory) -> tuple[list[tuple[str, int]], dict]:
    """Every kill point of collecting ``small`` (each stage, each time it is passed), counted on
    one uninterrupted run, and what that run leaves for the clerk."""
    folder = tmp_path_factory.mktemp("reference") / "收集"
    shutil.copytree(small, folder)
    passed: Counter[str] = Counter()
    faults.observer = lambda point: passed.update([point])
    try:
        with small_batches():
            assert main(["collect", str(folder)]) == 0
    finally:
        faults.observer = None
    with closing(sqlite3.connect(folder / "ledger.sqlite")) as db:  # workers count in their own process
        passed["worker"] = db.execute("SELECT count(*) FROM files WHERE outcome != 'container'").fetchone()[0]
    # Every pass of the ledger's stages; every other file for the stages passed once a file (one
    # file's neighbours are killed at the same place), the first and the last always.
    points = [(point, n) for point in ("hash", "archive", "file-synced", "folder-synced", "ledger", "committed",
                                       "worker") for n in range(1, passed[point] + 1)
              if point not in PER_FILE or n % 2 == 1 or n == passed[point]]
    assert passed["worker"] >= 30 and passed["ledger"] >= 6, passed
    return points, folder


@contextmanager
def small_batches():
    saved = collect_module.BATCH
    collect_module.BATCH = SMALL_BATCH
    try:
        yield
    finally:
        collect_module.BATCH = saved


def killed_then_finished(small: Path, into: Path, point: str, n: int) -> Path:
    """Collect ``small`` killed at ``point``:``n`` (a killed worker does not kill collect: its
    file is recorded unreadable, and read again with --retry-unreadable), check what the kill
    left, then finish; returns the folder."""
    shutil.copytree(small, into)
    code = forked("collect", into, fault=f"{point}:{n}", batch=SMALL_BATCH)
    assert code == (0 if point == "worker" else -9), (point, n, code)
    check_ledger(into)
    again = ["--retry-unreadable"] if point == "worker" else []
    assert forked("collect", into, *again, batch=SMALL_BATCH) == 0, (point, n)
    check_ledger(into)
    return into


def test_collect_killed_at_every_kill_point_then_rerun_equals_one_uninterrupted_run(small, kill_points, tmp_path,
                                                                                     capsys):
    points, reference = kill_points
    assert len(points) >= 100
    expected = snapshot(capsys, reference)
    assert expected["returns"][0] >= 25 and len(expected["unreadable"]) == 3
    archived = sorted(p.name for p in (reference / "archive").rglob("*") if p.is_file())
    for point, n in points:
        folder = killed_then_finished(small, tmp_path / f"{point}-{n}", point, n)
        assert snapshot(capsys, folder) == expected, (point, n)
        # A file is archived once: no second copy of any file, whatever the kill left behind.
        names = [p.name for p in (folder / "archive").rglob("*") if p.is_file() and not p.name.startswith(".~")]
        assert sorted(names) == archived, (point, n)
        shutil.rmtree(folder)


@pytest.fixture
def cpu_hog():
    """One busy process per core beside the test, as on a shared 2-core machine under load."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 2)]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


def test_kill_points_land_where_they_are_asked_with_a_cpu_hog_beside(small, kill_points, tmp_path, capsys, cpu_hog):
    points, reference = kill_points
    expected = snapshot(capsys, reference)
    for point, n in random.Random(SEED).sample(points, 12):
        folder = killed_then_finished(small, tmp_path / f"{point}-{n}", point, n)
        assert snapshot(capsys, folder) == expected, (point, n)


def test_archived_copies_then_their_folder_are_synced_before_the_ledger_commits(small, tmp_path, monkeypatch):
    """The order of a power cut's concern, per ledger batch: every copy archived in it, the
    copies made durable, then their folders' entries, then the transaction that records them."""
    folder = tmp_path / "收集"
    shutil.copytree(small, folder)
    events: list[str] = []
    real_fsync, real_sync = os.fsync, os.sync

    def fsync(fd: int) -> None:
        events.append("fsync-folder" if os.path.isdir(f"/proc/self/fd/{fd}") else "fsync-file")
        real_fsync(fd)

    def sync() -> None:
        events.append("sync")
        real_sync()

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "sync", sync)
    faults.observer = events.append
    try:
        with small_batches():
            assert main(["collect", str(folder)]) == 0
    finally:
        faults.observer = None
    steps = [e for e in events if e not in ("hash", "worker", "worker-hang")]
    commits = [i for i, e in enumerate(steps) if e == "ledger"]
    assert len(commits) > 5 and steps.count("committed") == len(commits)
    for at in commits:  # every copy archived before this commit was synced, then its folder
        before = steps[:at]
        last_copy = max(i for i, e in enumerate(before) if e == "archive")
        synced = before.index("file-synced", last_copy)
        folder_synced = before.index("folder-synced", synced)
        assert {"sync", "fsync-file"} & set(before[last_copy:synced]), before[last_copy:]
        assert "fsync-folder" in before[synced:folder_synced], before[last_copy:]


def test_consolidate_killed_keeps_the_previous_summary_or_a_complete_new_one(pristine, small, tmp_path, capsys):
    folder = tmp_path / "收集"
    shutil.copytree(small, folder)
    assert forked("collect", folder) == 0
    code, out, err = finish(run_cli("consolidate", folder))
    assert code == 0, err
    summary = Path(out.strip().splitlines()[-1])
    before = summary.read_bytes()
    old_total = read_return(summary, FORM).values["inspectors.total"]
    # One more return comes in: the next summary differs.
    late = next(p for p in sorted((pristine / "outbox").iterdir()) if p.suffix == ".xlsx")
    school = late.stem.removeprefix("附件5-")
    v = sample_values(random.Random(3), "九年一贯制", school, "某", "13872300000")
    # (9: under the outlier check's floor, so the return passes whatever its peers sent)
    v.update({"inspectors.primary": 9, "inspectors.junior": 0, "inspectors.total": 9})
    put(tmp_path / "补报" / "补报.xlsx", fill_workbook(late, FORM, v), "2023-11-20T08:00:00")
    assert forked("collect", folder, tmp_path / "补报") == 0

    # Killed half-way through writing the new summary, then with it written but not renamed:
    # the previous one is there, whole, and no half-written file took its name.
    for point in ("save-half", "save-rename"):
        assert forked("consolidate", folder, fault=f"{point}:1") == -9, point
        assert summary.read_bytes() == before, point
        assert [p.name for p in summary.parent.iterdir() if not p.name.startswith(".")] == [summary.name]
    code, out, err = finish(run_cli("consolidate", folder))
    assert code == 0 and Path(out.strip().splitlines()[-1]) == summary, err
    openpyxl.load_workbook(summary)
    assert read_return(summary, FORM).values["inspectors.total"] != old_total
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
