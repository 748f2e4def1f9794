"""What each school was told, which way and when: e-mail, the group's chat, another way, drafts.

The 反馈 column of the desktop and ``status`` read these records; here the engine and the CLI
keep them. A school counts as told about what it must do now: a letter about an older version
does not count for its new one, and a draft written is not feedback sent.
"""

from __future__ import annotations

import json
import sqlite3

from aggregator.collection.store.folder import open_collection
from aggregator.collection.views.status import overview
from aggregator.collection.clerk.overrule import tell_schools
from aggregator.collection.views.told import tell
from aggregator.outputs.feedback import sent_record
from aggregator.session import Session
from aggregator.progress import run as drive
from cli_helpers import SCHOOLS, dudao, issued, put, status_json
from aggregator.demo import fill_workbook

import pytest

MISSING = SCHOOLS[5][0]  # 何店镇白龙小学: never reports here


def returned(capsys, col_dir, school_values, name: str = SCHOOLS[0][0], when: str = "2023-11-15T10:00:00",
             off: int = 1) -> None:
    """``name`` sends a return whose 派出责任督学数 合计 is ``off`` more than its parts."""
    with open_collection(col_dir) as col:
        form = col.form
    wrong = dict(school_values[name])
    wrong["inspectors.total"] = wrong["inspectors.total"] + off
    put(col_dir / "inbox" / f"{name}-{when[:10]}.xlsx", fill_workbook(issued(col_dir, name), form, wrong), when)
    assert dudao(capsys, "collect", col_dir)[0] == 0


def reported(capsys, col_dir, school_values, name: str) -> None:
    """``name`` sends a return that passes."""
    with open_collection(col_dir) as col:
        form = col.form
    put(col_dir / "inbox" / f"{name}.xlsx", fill_workbook(issued(col_dir, name), form, school_values[name]))
    assert dudao(capsys, "collect", col_dir)[0] == 0


def school_state(col_dir, name: str):
    with open_collection(col_dir) as col:
        return next(s for s in overview(col).schools if s.school.name == name)


def test_a_school_with_nothing_sent_needs_telling_and_a_draft_does_not_count(capsys, col_dir, school_values):
    returned(capsys, col_dir, school_values)
    fb = school_state(col_dir, SCHOOLS[0][0]).feedback
    assert fb.need == "returned" and fb.unsent and fb.records == ()
    with open_collection(col_dir) as col:
        drive(Session(col).feedback(phone=False))
    fb = school_state(col_dir, SCHOOLS[0][0]).feedback
    assert fb.unsent and fb.sent is None and fb.drafted.channel == "draft"
    assert fb.drafted.detail.endswith(".eml")
    assert school_state(col_dir, MISSING).feedback.drafted.kind == "reminder"


def test_the_chat_text_pasted_in_the_group_counts_for_the_return_it_was_about(capsys, col_dir, school_values):
    name, passed = SCHOOLS[0][0], SCHOOLS[1][0]
    returned(capsys, col_dir, school_values)
    reported(capsys, col_dir, school_values, passed)
    with open_collection(col_dir) as col:
        told = tell_schools(col, [(name, "chat", ""), (MISSING, "chat", ""), (passed, "chat", "")])
    assert [(t.kind, t.channel) for t in told] == [("returned", "chat"), ("reminder", "chat")]  # passed: nothing
    fb = school_state(col_dir, name).feedback
    assert not fb.unsent and fb.sent.label == "群消息"
    returned(capsys, col_dir, school_values, when="2023-11-16T10:00:00", off=2)  # a new version, still wrong
    assert school_state(col_dir, name).versions == 2
    fb = school_state(col_dir, name).feedback
    assert fb.unsent and fb.records == ()  # told about the old one only
    assert not school_state(col_dir, MISSING).feedback.unsent  # a reminder stands while the school owes


def test_told_another_way_through_the_cli_and_in_status(capsys, col_dir, school_values):
    code, out, _ = dudao(capsys, "told", col_dir, MISSING, "--note", "电话通知罗刚")
    assert code == 0 and "已记录" in out and "电话通知罗刚" in out
    school = next(s for s in status_json(capsys, col_dir)["schools"] if s["name"] == MISSING)
    assert [(f["kind"], f["channel"], f["label"], f["detail"]) for f in school["feedback"]] == [
        ("reminder", "other", "其他方式", "电话通知罗刚")]
    assert "[反馈：其他方式]" in dudao(capsys, "status", col_dir)[1]
    reported(capsys, col_dir, school_values, SCHOOLS[1][0])
    code, _, err = dudao(capsys, "told", col_dir, SCHOOLS[1][0], "--note", "电话")  # passed: nothing to tell
    assert code == 2 and "不需要反馈" in err
    code, out, err = dudao(capsys, "told", col_dir, "曾都区何店镇白龙小学", "--chat")  # the name as typed, forgiven
    assert code == 0 and "群消息" in out, err


def test_mail_sent_before_the_records_existed_becomes_one(capsys, col_dir, school_values):
    """A ledger of schema 2 kept the last e-mail per school in its meta table."""
    returned(capsys, col_dir, school_values)
    before = school_state(col_dir, SCHOOLS[0][0])
    sha = before.current.sha256
    db = sqlite3.connect(col_dir / "ledger.sqlite")
    with db:
        db.execute("UPDATE meta SET value = '2' WHERE key = 'schema'")
        db.execute("INSERT INTO meta VALUES (?, ?)", ("feedback-sent:" + before.school.id,
                   json.dumps({"kind": "returned", "sha256": sha, "at": "2023-11-16T09:00:00", "to": ["a@b.c"]})))
    db.close()
    state = school_state(col_dir, SCHOOLS[0][0])
    assert state.feedback.sent.channel == "mail" and state.feedback.sent.detail == "a@b.c"
    with open_collection(col_dir) as col:
        assert sent_record(col, state.school.id) == {"kind": "returned", "at": "2023-11-16T09:00:00",
                                                     "to": ["a@b.c"], "sha256": sha}
        assert col.ledger.get("feedback-sent:" + state.school.id) == ""


def test_an_unknown_channel_is_refused(col_dir):
    with open_collection(col_dir) as col, pytest.raises(ValueError):
        tell(col, [("S1", "reminder", "fax", "", "")])
