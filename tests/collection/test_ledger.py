"""The ledger (one SQLite file in the collection folder) and the states derived from it.

A school's current return is its newest by the file's own time, whatever order the files were
collected in; older ones stay as its history. The state of every school is worked out from the
ledger each time it is asked, so there is nothing to get out of step.
"""

from __future__ import annotations

import sqlite3

import pytest

import dataclasses

from aggregator.findings import Finding
from aggregator.collection.store.folder import open_collection
from aggregator.collection.store.ledger import SCHEMA_VERSION, DocumentRecord, FileRecord, Ledger, ReturnRecord
from aggregator.collection.store.roster import School
from aggregator.collection.views.status import STATE_LABELS, STATES, overview
from aggregator.messages import Note
from aggregator.reading.submission import Normalisation, Submission

from forms_helpers import FORM, values
from ledger_helpers import LAYOUT, add, make_collection

ROSTER = [("城南小学", "小学", "城南中心学校"), ("城南初中", "初中", "城南中心学校"), ("城北小学", "小学", "")]
ROW_SUM = Finding("row-sum", "error", "C7 合计(9) ≠ 小学(2) + 初中(1)", ("inspectors.total",), ("C7",), (9,))
PHONE = Finding("phone", "warning", "F3 联系电话“123”不像手机号", ("phone",), ("F3",), ("123",))


def record(sha: str, **changes) -> ReturnRecord:
    sub = Submission(FORM.id, FORM.version, {"inspectors.total": 3, "unit": "城南小学"}, {"inspectors.total": "C9"},
                     sheet="填报", located_by="labels", meta={"form_id": FORM.id, "n": 3},
                     notes=(Normalisation("inspectors.total", "C9", "3个", 3, "unit-suffix"),), source=f"{sha}.xlsx")
    return dataclasses.replace(ReturnRecord(sub, sha, "S1", "unit", None, "2023-11-15T10:00:00", (ROW_SUM,)),
                               **changes)


def file(sha: str, received_at: str = "2023-11-15T10:00:00", outcome: str = "return", **changes) -> FileRecord:
    return FileRecord(**{**FileRecord(sha, f"{sha}.xlsx", "inbox", f"archive/{sha}.xlsx", 10, received_at,
                                      "2023-11-19T09:00:00", outcome).__dict__, **changes})


@pytest.fixture
def ledger(tmp_path):
    with Ledger(tmp_path / "ledger.sqlite") as led:
        led.add_schools([School("S1", "城南小学", "小学"), School("S2", "城北小学", "小学", "城北中心学校",
                                                                "王丽", "13800000000", "a@b.c")])
        yield led


# --- the ledger ------------------------------------------------------------------------------------


def test_a_new_ledger_knows_its_schema_and_keeps_everything_when_reopened(tmp_path):
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as led:
        assert led.get("schema") == SCHEMA_VERSION
        led.put("deadline", "2023-11-20")
        with led.transaction():
            led.add_schools([School("S1", "城南小学")])
    with Ledger(path) as again:
        assert again.get("deadline") == "2023-11-20" and again.get("schema") == SCHEMA_VERSION
        assert again.get("nothing") == "" and again.get("nothing", "x") == "x"
        assert [s.name for s in again.schools()] == ["城南小学"]
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_schools_in_roster_order_with_every_column(ledger):
    assert ledger.schools() == [School("S1", "城南小学", "小学", "", "", "", ""),
                                School("S2", "城北小学", "小学", "城北中心学校", "王丽", "13800000000", "a@b.c")]


def test_a_failed_transaction_leaves_nothing(ledger):
    with pytest.raises(RuntimeError):
        with ledger.transaction():
            ledger.add_file(file("a"))
            raise RuntimeError("killed mid-way")
    assert not ledger.known("a") and ledger.files() == []
    with ledger.transaction():
        ledger.add_file(file("a"))
    assert ledger.known("a")


def test_the_same_file_twice_is_recorded_once(ledger):
    with ledger.transaction():
        assert ledger.add_file(file("a")) is True
        assert ledger.add_file(file("a", original_name="again.xlsx")) is False  # another process was first
    assert [f.original_name for f in ledger.files()] == ["a.xlsx"]
    assert ledger.known_hashes() == {"a"} and ledger.known("a") and not ledger.known("b")
    assert ledger.archived("a") == "archive/a.xlsx" and ledger.archived("b") == ""


def test_files_by_their_own_time_and_by_outcome(ledger):
    with ledger.transaction():
        ledger.add_file(file("late", "2023-11-18T10:00:00", reason_kind="empty-file", outcome="unreadable",
                             reason="文件是空的"))
        ledger.add_file(file("early", "2023-11-14T10:00:00"))
        ledger.add_file(file("same-time", "2023-11-18T10:00:00"))
    assert [f.sha256 for f in ledger.files()] == ["early", "late", "same-time"]
    (bad,) = ledger.files("unreadable")
    assert bad == file("late", "2023-11-18T10:00:00", reason_kind="empty-file", outcome="unreadable",
                       reason="文件是空的")
    assert [f.sha256 for f in ledger.files("return")] == ["early", "same-time"]


def test_a_return_reads_back_as_written_with_its_file(ledger):
    with ledger.transaction():
        ledger.add_file(file("a", original_name="下载/附件5(1).xlsx"))
        rid = ledger.add_return(record("a"))
    (got,) = ledger.returns()
    sent = record("a")
    assert got == dataclasses.replace(sent, submission=dataclasses.replace(sent.submission, source="下载/附件5(1).xlsx"),
                                      id=rid, original_name="下载/附件5(1).xlsx", archived="archive/a.xlsx")


def test_what_the_reader_changed_reads_back_from_the_ledger_as_the_clerk_is_told_it(ledger):
    """A date read from text keeps its day (written as text, JSON has no dates); a blank stays
    blank, not the word None."""
    import datetime as dt

    notes = (Normalisation("start", "C5", "2023年9月1日", dt.date(2023, 9, 1), "date-text"),
             Normalisation("inspectors.junior", "E8", None, 0, "blank-as-zero"))
    with ledger.transaction():
        ledger.add_file(file("a"))
        ledger.add_return(record("a", submission=dataclasses.replace(record("a").submission, notes=notes)))
    (got,) = ledger.returns()
    assert [(n.field, n.cell, n.raw, n.value, n.kind) for n in got.notes] == [
        ("start", "C5", "2023年9月1日", "2023-09-01", "date-text"), ("inspectors.junior", "E8", None, 0, "blank-as-zero")]


def test_returns_oldest_first_by_the_files_own_time(ledger):
    with ledger.transaction():
        for sha, when in (("b", "2023-11-16T10:00:00"), ("a", "2023-11-15T10:00:00"), ("c", "2023-11-16T10:00:00")):
            ledger.add_file(file(sha, when))
            ledger.add_return(record(sha, received_at=when))
    assert [r.sha256 for r in ledger.returns()] == ["a", "b", "c"]  # same time: in the order recorded


def test_update_return_settles_whose_it_is_and_its_findings(ledger):
    with ledger.transaction():
        ledger.add_file(file("a"))
        rid = ledger.add_return(record("a", school_id=None, identified_by="", review=Note.of("text", text="请指定学校")))
        assert ledger.returns()[0].review == Note.of("text", text="请指定学校")
        ledger.update_return(rid, school_id="S2", identified_by="clerk", review=None, findings=(PHONE,))
    (got,) = ledger.returns()
    assert (got.school_id, got.identified_by, got.review, got.findings) == ("S2", "clerk", None, (PHONE,))
    assert got.values == record("a").values  # what was read stays


# --- the states ------------------------------------------------------------------------------------


def states(col) -> dict[str, tuple[str, bool, int]]:
    return {s.school.name: (s.status, s.late, s.versions) for s in overview(col).schools}


def test_every_state(tmp_path):
    with make_collection(tmp_path, ROSTER + [("实验中学", "九年一贯制", "")]) as col:
        add(col, "城南小学", values(), findings=())
        add(col, "城南初中", values(), findings=(PHONE,))
        add(col, "城北小学", values(), findings=(ROW_SUM, PHONE))
        add(col, "实验中学", values(), findings=(), review="填报单位与文件名不一致")
        assert states(col) == {"城南小学": ("accepted", False, 1), "城南初中": ("accepted_with_warnings", False, 1),
                               "城北小学": ("returned", False, 1), "实验中学": ("needs_review", False, 1)}
        ov = overview(col)
    assert dict(zip(STATES, map(ov.count, STATES))) == {"missing": 0, "accepted": 1, "accepted_with_warnings": 1,
                                                        "returned": 1, "needs_review": 1, "exempt": 0}
    assert ov.count("accepted", "accepted_with_warnings") == 2


def test_a_school_with_nothing_received_is_missing(tmp_path):
    with make_collection(tmp_path, ROSTER) as col:
        (s, *_) = overview(col).schools
    assert (s.status, s.late, s.current, s.versions, s.findings, s.notes) == ("missing", False, None, 0, (), [])
    assert s.to_dict()["file"] is None and s.to_dict()["findings"] == []


def test_the_newest_return_by_its_own_time_is_current_whatever_order_it_came_in(tmp_path):
    with make_collection(tmp_path, ROSTER) as col:
        add(col, "城南小学", values(), findings=(), received_at="2023-11-16T09:00:00", name="v2.xlsx")
        add(col, "城南小学", values(), findings=(ROW_SUM,), received_at="2023-11-14T09:00:00", name="v1.xlsx")
        (s, *_) = overview(col).schools
    assert (s.status, s.versions, s.current.original_name) == ("accepted", 2, "v2.xlsx")


def test_a_corrected_return_supersedes_the_one_sent_back(tmp_path):
    with make_collection(tmp_path, ROSTER) as col:
        add(col, "城南小学", values(), findings=(ROW_SUM,), received_at="2023-11-14T09:00:00")
        assert states(col)["城南小学"] == ("returned", False, 1)
        add(col, "城南小学", values(), findings=(), received_at="2023-11-16T09:00:00")
        assert states(col)["城南小学"] == ("accepted", False, 2)


def test_late_is_after_the_deadline_day(tmp_path):
    with make_collection(tmp_path, ROSTER) as col:
        add(col, "城南小学", values(), findings=(), received_at="2023-11-20T23:59:00")
        add(col, "城南初中", values(), findings=(), received_at="2023-11-21T00:01:00")
        ov = overview(col)
    assert [s.late for s in ov.schools] == [False, True, False] and ov.late == 1


def test_returns_of_no_school_wait_as_unidentified_and_unreadable_files_are_listed(tmp_path):
    with make_collection(tmp_path, ROSTER) as col:
        add(col, None, values(unit=""), findings=(), review="没有填写填报单位", name="新建.xlsx")
        with col.ledger.transaction():
            col.ledger.add_file(file("bad", outcome="unreadable", reason_kind="empty-file", reason="文件是空的"))
        ov = overview(col)
        data = ov.to_json()
    assert [r.original_name for r in ov.unidentified] == ["新建.xlsx"]
    assert data["unidentified"] == [{"file": "新建.xlsx", "reason": "没有填写填报单位",
                                     "archived": ov.unidentified[0].archived, "unit": ""}]
    assert data["unreadable"] == [{"file": "bad.xlsx", "reason": "文件是空的", "kind": "empty-file",
                                   "archived": "archive/bad.xlsx", "school": None}]
    assert all(s["status"] == "missing" for s in data["schools"])


def test_documents_in_doubt_wait_for_the_clerk_until_she_says_whose_they_are(tmp_path):
    """A document nobody could place (no school, or no material) is listed for the clerk in
    ``status --json`` with why; once she settles it, it leaves the list and keeps what was found."""
    short = Finding("too-short", "warning", "正文只有 80 字", (), (), ())
    at = "2023-11-19T10:00:00"
    with make_collection(tmp_path, ROSTER) as col:
        sid = next(s.id for s in col.schools() if s.name == "城南小学")
        with col.ledger.transaction():
            for sha, name, school, why in (("d" * 64, "下载/总结.docx", None, "看不出是哪所学校"),
                                           ("e" * 64, "城南小学材料.docx", sid, "")):
                col.ledger.add_file(FileRecord(sha, name, "inbox", f"archive/{name.rsplit('/', 1)[-1]}", 100, at, at,
                                               "document"))
                col.ledger.add_document(DocumentRecord(sha, school, "", "title" if school else "",
                                                       Note.of("text", text=why) if why else None, at, "docx",
                                                       "工作总结", 1200, (short,)))
        assert overview(col).to_json()["documents_waiting"] == [
            {"file": "下载/总结.docx", "reason": "看不出是哪所学校", "title": "工作总结", "archived": "archive/总结.docx"},
            {"file": "城南小学材料.docx", "reason": "", "title": "工作总结", "archived": "archive/城南小学材料.docx"},
        ]
        with col.ledger.transaction():
            col.ledger.settle_document("d" * 64, school_id=sid, material="summary")
            col.ledger.settle_document("e" * 64, school_id=sid, material="case")
        docs = {d.original_name: d for d in col.ledger.documents()}
        assert overview(col).to_json()["documents_waiting"] == []
    settled = docs["下载/总结.docx"]
    assert (settled.school_id, settled.material, settled.identified_by, settled.review) == (sid, "summary", "clerk", None)
    assert (settled.format, settled.title, settled.chars, settled.findings) == ("docx", "工作总结", 1200, (short,))
    assert (settled.sha256, settled.received_at, settled.archived) == ("d" * 64, at, "archive/总结.docx")


def test_each_material_a_school_owes_shows_what_was_received_for_it(tmp_path):
    """Under the plan: the form's material is the form's state; a document counts for its
    material once its school and material are settled, not while it waits for the clerk."""
    at = "2023-11-19T10:00:00"
    with make_collection(tmp_path, ROSTER, plan="shuangjian-2023") as col:
        sid = next(s.id for s in col.schools() if s.name == "城南小学")
        add(col, "城南小学", values(), findings=(PHONE,), received_at="2023-11-21T08:00:00", name="城南小学.xlsx")
        short = Finding("too-short", "warning", "正文只有 80 字", (), (), ())
        with col.ledger.transaction():
            for sha, name, material, why in (("c" * 64, "城南小学案例.docx", "case", ""),
                                             ("r" * 64, "城南小学报告.docx", "report", "请确认是哪所学校")):
                col.ledger.add_file(FileRecord(sha, name, "inbox", f"archive/{name}", 100, at, at, "document"))
                col.ledger.add_document(DocumentRecord(sha, sid, material, "title", Note.of("text", text=why) if why
                                                       else None, at, "docx", "案例", 80, (short,)))
        materials = {m["id"]: m for m in overview(col).to_json()["schools"][0]["materials"]}
    assert set(materials) == {"case", "report", "data"}  # 城南小学 is no 中心学校: no cadre owed
    assert {k: materials["data"][k] for k in ("status", "late", "file", "received_at", "version")} == {
        "status": "accepted_with_warnings", "late": True, "file": "城南小学.xlsx",
        "received_at": "2023-11-21T08:00:00", "version": 1}
    assert (materials["case"]["status"], materials["case"]["file"], materials["case"]["late"]) == (
        "accepted_with_warnings", "城南小学案例.docx", True)  # due 11月10日
    assert (materials["report"]["status"], materials["report"]["file"]) == ("missing", None)  # still in doubt


def test_status_json_contract(tmp_path):
    with make_collection(tmp_path, ROSTER) as col:
        add(col, "城南初中", values(), findings=(PHONE,), received_at="2023-11-21T08:00:00", name="下载/初中.xlsx",
            notes=(Normalisation("inspectors.total", "C8", "3个", 3, "unit-suffix"),))
        data = overview(col).to_json()
        sid = next(s.id for s in col.schools() if s.name == "城南初中")
    assert data["counts"] == {"missing": 2, "accepted": 0, "accepted_with_warnings": 1, "returned": 0,
                              "needs_review": 0, "exempt": 0, "late": 1, "expected": 3}
    school = data["schools"][1]
    expected = {
        "id": sid, "name": "城南初中", "status": "accepted_with_warnings", "status_label": STATE_LABELS["accepted_with_warnings"],
        "late": True, "file": "下载/初中.xlsx", "received_at": "2023-11-21T08:00:00", "version": 1, "review": None,
        "stage": "初中", "parent": "城南中心学校", "contact": "李老师", "phone": "13800000000", "email": "x@example.com",
        "findings": [{"rule": "phone", "level": "warning", "cells": ["F3"], "message": PHONE.message, "suggest": {},
                      "explanation": None, "explained_by": None}],
        "changes": [], "fixed": [], "still": [],  # one version: nothing changed since another
    }
    assert {key: school[key] for key in expected} == expected  # scripts read these: they stay as they are
    # What the reader changed, in the words the clerk reads (the field's label, what was typed, the value)
    assert school["notes"] == ["C8 派出责任督学数（人）·合计填的是“3个”，按 3 计"]
    assert school["archived"].startswith("archive/")


@pytest.mark.parametrize("said, state", [(None, "returned"), ("今年全镇推广课后服务经验", "accepted_with_warnings"),
                                         ("经验多。。。", "returned")])
def test_a_school_far_above_its_peers_must_explain_it_or_is_sent_back(tmp_path, said, state):
    """Annex 5's outlier is an explain check: without a word in 情况说明 (or with too few) the
    return goes back asking for exactly that; with one, it is accepted and the clerk reads it."""
    roster = [(f"第{i}小学", "小学", "") for i in range(1, 8)]
    with make_collection(tmp_path, roster) as col:
        for i, (name, _, _) in enumerate(roster):
            add(col, name, values(typical_cases=200 if i == 0 else 1), findings=(),
                explanations={"outlier": said} if i == 0 and said else None)
        ov = overview(col)
    first = ov.schools[0]
    assert first.status == state and all(s.status == "accepted" for s in ov.schools[1:])
    (f,) = first.findings
    assert (f.rule, f.level, f.cells, f.explanation) == ("outlier", "explain", (LAYOUT.cells["typical_cases"],),
                                                           said or "")
    found = ov.to_json()["schools"][0]["findings"][0]
    assert (found["level"], found["explanation"]) == ("explain", said)
    if state == "accepted_with_warnings":
        assert f.explained_by == "school" and found["message"] == f.message and "情况说明" not in f.message
    elif said:
        assert f.message.endswith("“情况说明”表“数字明显偏大”一行的说明“经验多。。。”太短，请写明原因（不少于 6 个字）；如填错了，请改正")
    else:
        assert f.message.endswith("，如确实无误，请在“情况说明”表“数字明显偏大”一行的说明栏写明原因（不少于 6 个字）；如填错了，请改正")


def test_one_typo_in_a_part_and_its_total_is_one_outlier_warning(tmp_path):
    """合计 30 = 小学 30 + 初中 0, where 3 was meant: both figures are far above the peers' 1–3,
    because of one figure. The school is asked once, about both cells."""
    roster = [(f"第{i}小学", "小学", "") for i in range(1, 8)]
    with make_collection(tmp_path, roster) as col:
        for i, (name, _, _) in enumerate(roster):
            typo = dict(inspectors__total=30, inspectors__primary=30, inspectors__junior=0)
            add(col, name, values(**typo) if i == 0 else values(), findings=())
        first = overview(col).schools[0]
    cells = (LAYOUT.cells["inspectors.total"], LAYOUT.cells["inspectors.primary"])
    assert [(f.rule, f.cells, f.fields, f.values) for f in first.findings] == [
        ("outlier", cells, ("inspectors.total", "inspectors.primary"), (30, 30))]
    assert first.findings[0].message == (f"{cells[0]}、{cells[1]} 派出责任督学数（人）·合计与小学为 30，远高于同类学校"
                                         "（7 所，通常不超过 9），请核对是否多填了数字，如确实无误，请在“情况说明”表"
                                         "“数字明显偏大”一行的说明栏写明原因（不少于 6 个字）；如填错了，请改正")
    assert first.findings[0].level == "explain" and first.status == "returned"  # to explain, or to correct


def test_a_total_far_off_by_figures_of_its_own_is_a_warning_of_its_own(tmp_path):
    """合计 40 = 小学 30 + 初中 10: the total is not the part's figure, so it is told on its own."""
    roster = [(f"第{i}小学", "小学", "") for i in range(1, 8)]
    with make_collection(tmp_path, roster) as col:
        for i, (name, _, _) in enumerate(roster):
            big = dict(inspectors__total=40, inspectors__primary=30, inspectors__junior=10)
            add(col, name, values(**big) if i == 0 else values(), findings=())
        first = overview(col).schools[0]
    assert sorted(f.fields for f in first.findings) == [("inspectors.junior",), ("inspectors.primary",),
                                                        ("inspectors.total",)]


def test_outliers_compare_a_school_with_schools_of_its_own_stage_only(tmp_path):
    """Two junior schools with 30 typical cases among seven primary ones with 1: compared with
    the primaries they would look far off; they are too few to be judged among themselves."""
    roster = [(f"第{i}小学", "小学", "") for i in range(1, 8)] + [("第一初中", "初中", ""), ("第二初中", "初中", "")]
    with make_collection(tmp_path, roster) as col:
        for name, stage, _ in roster:
            add(col, name, values(typical_cases=30 if stage == "初中" else 1), findings=())
        ov = overview(col)
    assert [s.status for s in ov.schools] == ["accepted"] * 9


def test_a_return_that_waits_for_the_clerk_says_why_in_the_status_json(tmp_path):
    with make_collection(tmp_path, ROSTER) as col:
        add(col, "城南小学", values(), findings=(), review="填报单位是城南小学，文件名却是城北小学")
        school = overview(col).to_json()["schools"][0]
    assert (school["status"], school["review"]) == ("needs_review", "填报单位是城南小学，文件名却是城北小学")


def test_returns_sent_back_or_waiting_are_no_peers_for_outliers(tmp_path):
    roster = [(f"第{i}小学", "小学", "") for i in range(1, 8)]
    with make_collection(tmp_path, roster) as col:
        for i, (name, _, _) in enumerate(roster):
            findings = () if i < 4 else (ROW_SUM,)  # three of the seven are returned: four peers only
            add(col, name, values(typical_cases=200 if i == 0 else 1), findings=findings)
        first = overview(col).schools[0]
    assert first.status == "accepted" and first.findings == ()


# --- what opening a province's collection reads --------------------------------------------------


def test_states_come_from_the_ledgers_summary_of_findings_without_decoding_them(tmp_path, monkeypatch):
    with make_collection(tmp_path, ROSTER) as col:
        add(col, "城南小学", values(), findings=(ROW_SUM,))
        add(col, "城南初中", values(), findings=(PHONE,))
        add(col, "城北小学", values(), findings=())
        decoded = []
        real = Finding.from_dict
        monkeypatch.setattr(Finding, "from_dict", classmethod(lambda cls, d: decoded.append(d) or real(d)))
        ov = overview(col)
        assert [s.status for s in ov.schools] == ["returned", "accepted_with_warnings", "accepted"]
        assert decoded == []  # the states read the ledger's columns
        assert ov.schools[0].findings == (ROW_SUM,) and len(decoded) == 1  # the details, when asked for


def test_a_ledger_written_before_the_summary_gains_it_on_open_with_the_same_states(tmp_path):
    with make_collection(tmp_path, ROSTER) as col:
        add(col, "城南小学", values(), findings=(ROW_SUM,))
        add(col, "城南初中", values(), findings=(PHONE,))
        path, before = col.ledger.path, [s.status for s in overview(col).schools]
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE returns SET errors = NULL, warnings = NULL")
        db.execute("UPDATE meta SET value = '2' WHERE key = 'schema'")
    db.close()
    with Ledger(path) as led:
        assert led.db.execute("SELECT errors, warnings FROM returns ORDER BY id").fetchall() == [(1, ""), (0, "phone")]
    with open_collection(path.parent) as col:
        assert [s.status for s in overview(col).schools] == before


def test_a_return_read_from_the_ledger_is_decoded_when_asked_even_after_the_collection_is_closed(tmp_path):
    with make_collection(tmp_path, ROSTER) as col:
        sent = add(col, "城南小学", values(inspectors__total=5), findings=(ROW_SUM,))
        ov = overview(col)
    first = ov.schools[0]  # the ledger's connection is closed: a connection of its own reads it
    assert first.current.values == sent.values and first.current.cells == sent.cells
    assert first.current.findings == (ROW_SUM,) and first.findings == (ROW_SUM,)


def test_outliers_are_kept_until_the_returns_change_whoever_changes_them(tmp_path):
    roster = [(f"第{i}小学", "小学", "") for i in range(1, 9)]
    with make_collection(tmp_path, roster) as col:
        for name, _, _ in roster[1:]:
            add(col, name, values(typical_cases=1), findings=())
        assert overview(col).schools[0].status == "missing"
        kept = col.ledger.get("outliers")
        assert overview(col).schools[1].status == "accepted" and col.ledger.get("outliers") == kept
        with open_collection(col.root) as elsewhere:  # another program (the CLI beside the desktop)
            add(elsewhere, roster[0][0], values(typical_cases=200), findings=())
        first = overview(col).schools[0]
    assert first.status == "returned" and [f.rule for f in first.findings] == ["outlier"]



def test_outliers_and_totals_after_a_few_new_returns_decode_only_those_and_equal_a_fresh_count(tmp_path, monkeypatch):
    """What needs every return is kept between collects: the figure rows of the returns judged
    for outliers, and the sums over the returns that pass. A collect that brings one return reads
    that one's figures only, and the states, findings and totals are those worked out afresh."""
    from aggregator.collection.views.tally import keep_views, totals

    roster = [(f"第{i}小学", "小学", "") for i in range(1, 10)]
    with make_collection(tmp_path, roster) as col:
        for i, (name, _, _) in enumerate(roster[1:]):
            add(col, name, values(typical_cases=i % 3, inspectors__total=2 + i % 2), findings=())
        keep_views(col)
        decoded: list[int] = []
        real = type(col.ledger).figures
        monkeypatch.setattr(type(col.ledger), "figures",
                            lambda led, ids: real(led, decoded.extend(ids := list(ids)) or ids))
        late = add(col, roster[0][0], values(typical_cases=40, inspectors__total=3), findings=())
        ov = overview(col)
        kept = {t.field.id: t.value for t in totals(col.form, ov, col.ledger)}
        late_id = col.ledger.db.execute("SELECT id FROM returns WHERE sha256 = ?", (late.sha256,)).fetchone()[0]
        assert decoded == [late_id]
        for key in ("outliers", "outlier-figures", "totals"):
            col.ledger.put(key, "")
        fresh = overview(col)
        assert {t.field.id: t.value for t in totals(col.form, fresh, col.ledger)} == kept
        assert len(decoded) == 1 + 9  # afresh: every judged return again
    assert [(s.school.name, s.status, [(f.rule, f.cells, f.message) for f in s.findings]) for s in ov.schools] == \
        [(s.school.name, s.status, [(f.rule, f.cells, f.message) for f in s.findings]) for s in fresh.schools]
    assert ov.schools[0].status == "returned" and [f.cells for f in ov.schools[0].findings] == [("C25",)]
    assert kept["inspectors.total"] == sum(2 + i % 2 for i in range(8))  # the late one is to explain its 40: not summed


def test_the_summarys_unit_sums_are_the_ledgers_kept_and_equal_those_added_up_return_by_return(tmp_path, monkeypatch):
    """consolidate's per-unit (and so the district's) sums are added up by the ledger in the
    returns' JSON and kept: the next consolidate over the same returns adds up nothing. They equal
    those added up return by return; a figure with decimals is added up return by return."""
    from aggregator.collection.views.tally import kept_sums
    from aggregator.outputs.summary.plan import unit_sums

    roster = [("城南小学", "小学", "城南中心学校"), ("城南初中", "初中", "城南中心学校"), ("城北小学", "小学", "城北中心学校"),
              ("城东小学", "小学", "")]
    with make_collection(tmp_path, roster) as col:
        add(col, "城南小学", values(inspectors__total=3, inspectors__primary=2, inspectors__middle=1), findings=())
        add(col, "城南初中", values(inspectors__total=4, inspectors__primary=1, inspectors__middle=3), findings=())
        add(col, "城北小学", values(), findings=(ROW_SUM,))  # sent back: not summed
        ov = overview(col)
        included = [s for s in ov.schools if s.accepted]

        def by_ledger():
            return unit_sums(col.form, ov.schools, included, add=lambda g, f: kept_sums(col.ledger, g, f))

        sums, whole = by_ledger()
        by_hand, _ = unit_sums(col.form, ov.schools, included)
        assert whole and sums == by_hand
        assert list(sums) == ["城南中心学校", "城北中心学校", "未填所属单位"]  # every unit of the roster, in its order
        assert (sums["城南中心学校"]["inspectors.total"], sums["城北中心学校"]["inspectors.total"],
                sums["未填所属单位"]["inspectors.total"]) == (7, 0, 0)
        monkeypatch.setattr(type(col.ledger), "group_sums", lambda *a: pytest.fail("added up again"))
        assert by_ledger() == (sums, True)  # kept
        monkeypatch.undo()
        add(col, "城南小学", values(inspectors__total=2.5), findings=(), received_at="2023-11-19T11:00:00")
        ov = overview(col)
        included = [s for s in ov.schools if s.accepted]
        sums, whole = by_ledger()
        assert not whole and sums["城南中心学校"]["inspectors.total"] == 6.5


def test_an_overview_keeps_its_records_out_of_the_collectors_sight_and_frees_young_garbage_first(tmp_path):
    """After an overview of N schools every collection of the cyclic collector walked its records
    again (0.1-0.15 s each at 10,000 schools, the window standing still): they are frozen once
    made. Garbage of the moment is collected first, so it is not kept for good with them."""
    import gc
    import weakref

    class Node:
        pass

    with make_collection(tmp_path, ROSTER) as col:
        add(col, "城南小学", values(), findings=())
        node = Node()
        node.me = node  # a cycle nobody holds any more
        gone = weakref.ref(node)
        del node
        before = gc.get_freeze_count()
        ov = overview(col)
        assert gone() is None
        assert gc.get_freeze_count() - before >= len(ov.schools) == 3
        assert gc.isenabled()


# --- a ledger the clerk's machine damaged -------------------------------------------------------------


@pytest.mark.parametrize("damage, said", [
    ("not a database", "（不是数据库文件）"),
    ("cut short", "（数据库文件已损坏）"),
])
def test_a_damaged_ledger_is_told_in_chinese_with_the_way_back(tmp_path, capsys, damage, said):
    """A sync client's half copy, a disk that lost blocks: no traceback, the file named, and what
    the clerk can do (a backup, else the archive collected again into a new collection)."""
    from aggregator.cli import main

    col = make_collection(tmp_path, [("城南小学", "小学", "中心学校")])
    for i in range(300):  # enough pages that a cut leaves a header and a broken body
        col.ledger.put(f"padding-{i}", "x" * 200)
    col.close()
    path = tmp_path / "col" / "ledger.sqlite"
    data = path.read_bytes()
    path.write_bytes(b"these bytes were never a database" * 100 if damage == "not a database" else data[: len(data) // 3])
    for wal in ("ledger.sqlite-wal", "ledger.sqlite-shm"):
        (tmp_path / "col" / wal).unlink(missing_ok=True)
    assert main(["status", str(tmp_path / "col")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：收集文件夹中的 ledger.sqlite 已损坏，无法打开" + said) and "Traceback" not in err
    assert "archive 中的文件全部收取一次" in err
