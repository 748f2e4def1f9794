"""``dudao demo`` tells one story on one simulated clock (issue 11, point 8).

The forms go out on 1 November 2023, the clerk collects and writes back at 17:00 on deadline day
(20 November), and consolidates on 22 November once a late return is in. Every date the demo's
files carry belongs to that story: received times, archive folders, lateness, the letters.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from pathlib import Path

import openpyxl

from aggregator.collection.store.folder import open_collection
from aggregator.collection.views.status import overview

from test_libreoffice import demo  # noqa: F401 - the sample district, run once for this module


def letters(root: Path) -> dict[str, email.message.EmailMessage]:
    return {p.name: email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in (root / "feedback").glob("*.eml")}


def test_archive_and_collection_dates_are_the_story_s(demo):
    assert sorted(p.name for p in (demo / "archive").iterdir()) == ["2023-11-20", "2023-11-22"]
    with open_collection(demo) as col:
        assert col.settings.created_at.startswith("2023-11-01")
        ov = overview(col)
    late = [s.school.name for s in ov.schools if s.late]
    # received after the deadline: 蒋家岗小学's only return, and 编钟小学's second version (11-21, explained)
    assert late == ["曾都区编钟小学", "淅河镇蒋家岗小学"]
    assert all(s.current.received_at < "2023-11-23" for s in ov.schools if s.current)


def test_letters_are_dated_deadline_day_in_china_time(demo):
    found = letters(demo)
    assert found
    for name, msg in found.items():
        assert msg["Date"] == "Mon, 20 Nov 2023 17:00:00 +0800", name
        assert msg["From"] == "曾都区教育局 <zdjyj@zdedu.example>"
        body = msg.get_body(("plain",)).get_content()
        assert "2023年11月20日" in body and "2026" not in body and "已过" not in body, name
    reminder = found["北郊八角楼小学-催报.eml"].get_body(("plain",)).get_content()
    assert "今天（11月20日）是截止日期，请在今天内报送。" in reminder


def test_a_school_that_returned_early_is_not_told_the_deadline_passed(demo):
    text = (demo / "feedback" / "曾都区季梁小学-请核对.txt").read_bytes().decode("utf-8-sig")
    assert "已过" not in text and "请核对" in text
    returned = (demo / "feedback" / "曾都区东城小学-退回修改.txt").read_bytes().decode("utf-8-sig")
    assert "于11月23日前重新发到群里" in returned and "已过" not in returned.split("还缺")[0]


def test_the_summary_is_of_22_november(demo):
    working = next(p for p in (demo / "summary").glob("*附件5汇总表.xlsx") if "上报" not in p.name)
    wb = openpyxl.load_workbook(working, data_only=True)
    cover = {r[0]: r[1] for r in wb["汇总说明"].iter_rows(values_only=True) if r[0]}
    assert cover["生成时间"] == "2023-11-22 10:30"
    late = {r[1]: r[6] for r in wb["报送情况"].iter_rows(min_row=2, values_only=True)}
    assert late["北郊八角楼小学"] == "是（未报）"  # still missing two days after the deadline
    upward = next((demo / "summary").glob("*(上报).xlsx"))
    form = openpyxl.load_workbook(upward, data_only=True).worksheets[0]
    dated = [c.value for row in form.iter_rows() for c in row if isinstance(c.value, str) and "填报日期" in c.value]
    assert dated == ["填报日期：2023年11月22日"]
    assert not re.search(r"已过 \d{3,} 天", "".join(str(v) for v in cover.values()))


def test_the_rectification_story(demo):
    """Items imported, 督办单 issued, two schools answer, one item closed, one overdue."""
    from aggregator.collection.supervision.register import register

    with open_collection(demo) as col:
        items = register(col, dt.date(2023, 11, 22))
    got = [(i.item.id, i.school.name, i.item.sheet, i.state, i.overdue, [a.name for a in i.answers]) for i in items]
    assert got == [
        (1, "曾都区东城小学", "曾都督〔2023〕1号", "closed", False, ["曾都督〔2023〕1号-曾都区东城小学-督办单（已填写）.docx"]),
        (2, "曾都区东城小学", "曾都督〔2023〕1号", "answered", False, ["曾都督〔2023〕1号-曾都区东城小学-督办单（已填写）.docx"]),
        (3, "万店镇牛王小学", "曾都督〔2023〕3号", "answered", False, ["万店镇牛王小学整改报告.docx"]),
        (4, "曾都区文峰学校", "曾都督〔2023〕2号", "open", True, []),
    ]
    assert all(i.sheet.issued_at == "2023-11-02T10:00:00" for i in items)
    assert items[0].closed_at == "2023-11-20T17:00:00"
    assert sorted(p.name for p in (demo / "supervision").glob("*.docx")) == [
        "曾都督〔2023〕1号-曾都区东城小学-督办单.docx", "曾都督〔2023〕2号-曾都区文峰学校-督办单.docx",
        "曾都督〔2023〕3号-万店镇牛王小学-督办单.docx"]
    # 文峰学校 is sent back (its rectification figures contradict each other on purpose): its overdue
    # item is told in the same text as everything else, after the date to send the form again.
    told = (demo / "feedback" / "曾都区文峰学校-退回修改.txt").read_bytes().decode("utf-8-sig").splitlines()
    assert told[-3:] == ["请在原表上改好后，于11月23日前重新发到群里。",
                         "贵校以下整改事项临近或超过整改时限，请抓紧落实，并把整改报告、照片等材料报送（文件名写上督办单编号）：",
                         "1. 期中考试后仍有按成绩排名的现象（曾都督〔2023〕2号，整改时限 11月17日，已逾期 3 天）"]
    assert not (demo / "feedback" / "曾都区文峰学校-整改督办.txt").exists()  # one text, not two
    register_book = openpyxl.load_workbook(demo / "summary" / "整改台账.xlsx")["整改台账"]
    assert register_book["A2"].value.startswith("截至 2023年11月22日：共 4 项问题（涉及 3 所学校），已销号 1 项")
    # The schools' own figures agree with their items but for 文峰学校's contradictory ones, which the
    # register questions too (a warning: the story moves no school's state).
    with open_collection(demo) as col:
        states = {s.school.name: s for s in overview(col).schools
                  if s.school.name in ("曾都区东城小学", "万店镇牛王小学", "曾都区文峰学校")}
    mismatched = {name for name, s in states.items() for f in s.findings if f.rule == "register-mismatch"}
    assert mismatched == {"曾都区文峰学校"} and states["曾都区文峰学校"].status == "returned"
