"""Issue 22, part 2: the school answers, the clerk closes (销号).

A school's answer to a 督办单 (the sheet filled in, an 整改报告, photos) is taken by ``dudao
collect`` like any file: by the 编号 in its name or text, else by its school and the words 整改 or
督办; it is archived byte for byte and its sheet's items become 已反馈待核. ``close``/``reopen``
are records with who, when and why; an item not closed after its deadline is overdue on the
engine's clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from aggregator import clock
from aggregator.collection.store.folder import open_collection
from aggregator.demo.documents import photo, word
from aggregator.collection.supervision.records import ItemState
from aggregator.collection.supervision.register import register
from cli_helpers import dudao, put
from test_supervise import ISSUED, issue_three, items_json

ANSWERED = "2023-11-20T09:00:00"


def collect_at(capsys, folder, when: str, *paths):
    with clock.pinned(dt.datetime.fromisoformat(when)):
        return dudao(capsys, "collect", folder, *paths)


def test_an_answer_naming_its_sheet_s_number_is_its_evidence_archived_byte_for_byte(col_dir, capsys, tmp_path):
    issue_three(col_dir, capsys, tmp_path)
    data = word(["督办单回复", "编号：曾都督〔2023〕２号", "我校已取消期中考试排名。"])  # full-width digit
    put(col_dir / "inbox" / "回复.docx", data, ANSWERED)
    code, out, _ = collect_at(capsys, col_dir, "2023-11-20T17:00:00")
    assert "已收到      万店镇中心小学  整改材料（曾都督〔2023〕2号）  ← 回复.docx" in out
    items = {i["id"]: i for i in items_json(capsys, col_dir)}
    assert (items[3]["state"], items[3]["evidence"]) == ("answered", ["回复.docx"])
    assert items[1]["state"] == items[2]["state"] == "open"  # the other school's sheet
    with open_collection(col_dir) as col:
        (answer,) = register(col)[2].answers
    assert answer.by == "number" and answer.at == "2023-11-20T17:00:00"
    assert hashlib.sha256((col_dir / answer.archived).read_bytes()).hexdigest() == hashlib.sha256(data).hexdigest()


def test_brackets_and_第_as_people_type_them_and_3号_is_not_13号(col_dir, capsys, tmp_path):
    issue_three(col_dir, capsys, tmp_path)
    put(col_dir / "inbox" / "曾都督[2023]第1号 整改回复.pdf.docx", word(["回复"]), ANSWERED)
    put(col_dir / "inbox" / "曾都督〔2023〕12号.docx", word(["别的督办单"]), ANSWERED)
    collect_at(capsys, col_dir, "2023-11-20T17:00:00")
    items = {i["id"]: i for i in items_json(capsys, col_dir)}
    assert items[1]["evidence"] == items[2]["evidence"] == ["曾都督[2023]第1号 整改回复.pdf.docx"]
    assert items[3]["evidence"] == []


def test_an_answer_by_school_and_keyword_a_photo_included(col_dir, capsys, tmp_path):
    issue_three(col_dir, capsys, tmp_path)
    put(col_dir / "inbox" / "万店镇中心小学整改照片.png", photo(800, 600), ANSWERED)
    put(col_dir / "inbox" / "报告.docx", word(["曾都区实验中学关于课后服务问题的整改报告", "我校已增加兴趣类课程。"]),
        ANSWERED)
    collect_at(capsys, col_dir, "2023-11-20T17:00:00")
    items = {i["id"]: i for i in items_json(capsys, col_dir)}
    assert items[3]["evidence"] == ["万店镇中心小学整改照片.png"]
    assert items[1]["evidence"] == items[2]["evidence"] == ["报告.docx"]
    with open_collection(col_dir) as col:
        assert {a.by for i in register(col) for a in i.answers} == {"keywords"}


def test_a_document_that_answers_nothing_is_what_it_always_was(col_dir, capsys, tmp_path):
    issue_three(col_dir, capsys, tmp_path)
    # No keyword: a case article; a keyword but a school without a 督办单; a school with one, no keyword.
    put(col_dir / "inbox" / "万店镇中心小学案例.docx", word(["案例", "我校认真整改。"]), ANSWERED)
    put(col_dir / "inbox" / "何店镇白龙小学整改报告.docx", word(["整改报告"]), ANSWERED)
    code, out, _ = collect_at(capsys, col_dir, "2023-11-20T17:00:00")
    # A collection of the form alone asks for no documents: they are turned away as before.
    assert out.count("无法读取") == 3 and "整改材料" not in out
    assert all(i["evidence"] == [] for i in items_json(capsys, col_dir))


def test_close_and_reopen_are_records_with_who_when_and_why(col_dir, capsys, tmp_path):
    issue_three(col_dir, capsys, tmp_path)
    put(col_dir / "inbox" / "曾都督〔2023〕2号.docx", word(["回复"]), ANSWERED)
    collect_at(capsys, col_dir, "2023-11-20T17:00:00")
    code, _, err = dudao(capsys, "supervise", col_dir, "close", "3")
    assert code == 2 and err.strip() == "错误：请写明销号的依据（如：已查看整改报告和照片，问题已整改到位）（--note）"
    with clock.pinned(dt.datetime(2023, 11, 21, 9, 0)):
        code, out, _ = dudao(capsys, "supervise", col_dir, "close", "3", "--note", "已核查整改报告，问题已整改到位")
    assert code == 0 and out.strip() == "第 3 项（万店镇中心小学：期中考试排名）现为：已销号"
    (item,) = [i for i in items_json(capsys, col_dir) if i["id"] == 3]
    assert (item["state"], item["closed_at"], item["note"]) == ("closed", "2023-11-21T09:00:00",
                                                                 "已核查整改报告，问题已整改到位")
    code, _, err = dudao(capsys, "supervise", col_dir, "close", "3", "--note", "again")
    assert code == 2 and "第 3 项已于 2023-11-21 09:00 销号" in err
    with clock.pinned(dt.datetime(2023, 11, 28, 9, 0)):
        dudao(capsys, "supervise", col_dir, "reopen", "3", "--note", "复查发现仍有排名")
    (item,) = [i for i in items_json(capsys, col_dir) if i["id"] == 3]
    # The answer came before the reopening: the item is open again until a new one comes.
    assert (item["state"], item["closed_at"], item["note"]) == ("open", None, "复查发现仍有排名")
    with open_collection(col_dir) as col:
        events = register(col)[2].events
    assert [(e.kind, e.at, e.note) for e in events] == [("close", "2023-11-21T09:00:00", "已核查整改报告，问题已整改到位"),
                                                        ("reopen", "2023-11-28T09:00:00", "复查发现仍有排名")]
    assert all(e.by == events[0].by for e in events)
    put(col_dir / "inbox" / "曾都督〔2023〕2号（第二次）.docx", word(["再次回复"]), "2023-11-29T09:00:00")
    collect_at(capsys, col_dir, "2023-11-29T10:00:00")
    (item,) = [i for i in items_json(capsys, col_dir) if i["id"] == 3]
    assert item["state"] == "answered" and len(item["evidence"]) == 2
    code, _, err = dudao(capsys, "supervise", col_dir, "reopen", "3", "--note", "x")
    assert code == 2 and "第 3 项还没有销号" in err


def test_overdue_and_near_on_the_engine_s_clock(col_dir, capsys, tmp_path):
    issue_three(col_dir, capsys, tmp_path)  # due 12-10, 11-30 (实验中学) and 11-25 (万店镇中心小学)

    def states(day: dt.date) -> dict[int, tuple[bool, bool, int]]:
        with open_collection(col_dir) as col:
            return {i.item.id: (i.overdue, i.near, i.days_left) for i in register(col, day)}

    assert states(dt.date(2023, 11, 22)) == {1: (False, False, 18), 2: (False, False, 8), 3: (False, True, 3)}
    assert states(dt.date(2023, 11, 25))[3] == (False, True, 0)  # its deadline is today: not yet overdue
    assert states(dt.date(2023, 11, 26))[3] == (True, False, -1)
    with clock.pinned(dt.datetime(2023, 11, 26, 8, 0)):
        json_now = {i["id"]: i["overdue"] for i in items_json(capsys, col_dir)}
        dudao(capsys, "supervise", col_dir, "close", "3", "--note", "已整改")
        closed = {i["id"]: i["overdue"] for i in items_json(capsys, col_dir)}
    assert json_now == {1: False, 2: False, 3: True}
    assert closed[3] is False  # closed late is closed


def test_the_json_keys_are_exactly_the_issue_s(col_dir, capsys, tmp_path):
    issue_three(col_dir, capsys, tmp_path)
    (first, *_) = items_json(capsys, col_dir)
    assert list(first) == ["id", "sheet", "school", "unit", "problem", "requirement", "due", "issued_at", "state",
                           "overdue", "evidence", "closed_at", "note"]
    assert ItemState.to_json.__doc__
