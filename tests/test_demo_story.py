"""``dudao demo`` tells one story on one simulated clock (issue 11, point 8).

The forms go out on 1 November 2023, the clerk collects and writes back at 17:00 on deadline day
(20 November), and consolidates on 22 November once a late return is in. Every date the demo's
files carry belongs to that story: received times, archive folders, lateness, the letters.
"""

from __future__ import annotations

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
    assert late == ["淅河镇蒋家岗小学"]  # received 11-22: the only one after the deadline
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
    assert "今天（2023年11月20日）是报送截止日期" in reminder


def test_a_school_that_returned_early_is_not_told_the_deadline_passed(demo):
    text = (demo / "feedback" / "曾都区季梁小学-请核对.txt").read_bytes().decode("utf-8-sig")
    assert "已过" not in text and "请核对" in text
    returned = (demo / "feedback" / "曾都区东城小学-退回修改.txt").read_bytes().decode("utf-8-sig")
    assert "今天（11月20日）是截止日期" in returned


def test_the_summary_is_of_22_november(demo):
    working = next(p for p in (demo / "summary").glob("*.xlsx") if "上报" not in p.name)
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
