"""The working summary of a collection compared with last period (issue 23, phase B point 3).

Six schools; last period's figures are the ``last_period`` fixture's. This period 曾都区实验小学
sends 8 督学 where it had 2, and explains it on its 情况说明 sheet (accepted with it); 万店镇中心小学
sends a wrong first version and a right second one; the others send last period's figures again.
The 与上期比较 sheet's figures are computed here by hand; 校验问题 carries the explanation and
whose it is beside the finding; 报送情况 gives each school's version count; the upward version
carries none of it.
"""

from __future__ import annotations

import openpyxl
import pytest

from types import SimpleNamespace

from aggregator.checks.periods import summed as summed_over
from aggregator.collection.store.previous import PreviousPeriod
from aggregator.collection.store.roster import School
from aggregator.collection.views.previous import period_comparison
from aggregator.demo import fill_workbook
from aggregator.form.explanations import SHEET
from aggregator.outputs.consolidate import FINDINGS, PERIODS, RETURNS
from aggregator.outputs.summary.periods import Comparison, write_comparison
from cli_helpers import ROSTER, dudao, issued, put
from forms_helpers import FORM
from test_period import last_period  # noqa: F401 - the fixture: last period's six returns

SAID = "今年按区里要求为每个年级配齐了责任督学"


@pytest.fixture
def summed(tmp_path, capsys, last_period):  # noqa: F811
    old_dir, old = last_period
    roster = tmp_path / "本期名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    folder = tmp_path / "本期"
    assert dudao(capsys, "init", folder, "--name", "曾都区", "--roster", roster, "--previous", old_dir,
                 "--reporter", "张敏", "--phone", "0722-3251234")[0] == 0
    assert dudao(capsys, "distribute", folder)[0] == 0
    new = {name: dict(v) for name, v in old.items()}
    new["曾都区实验小学"].update({"inspectors.primary": 8, "inspectors.total": 8})
    for name, v in new.items():
        said = {"vs-previous": SAID} if name == "曾都区实验小学" else None
        wrong = dict(v, **{"orders.bureau": v["orders.total"] + 1}) if name == "万店镇中心小学" else None
        if wrong:
            put(folder / "inbox" / f"{name}-1.xlsx", fill_workbook(issued(folder, name), FORM, wrong),
                "2023-11-14T09:00:00")
        put(folder / "inbox" / f"{name}.xlsx", fill_workbook(issued(folder, name), FORM, v, explanations=said))
    assert dudao(capsys, "collect", folder)[0] == 0
    code, out, err = dudao(capsys, "consolidate", folder)
    assert code == 0, err
    working = next(p for p in (folder / "summary").glob("*.xlsx") if "上报" not in p.name)
    upward = next((folder / "summary").glob("*(上报).xlsx"))
    return old, new, openpyxl.load_workbook(working), openpyxl.load_workbook(upward)


def test_the_comparison_sheet_gives_each_total_then_and_now_computed_by_hand(summed):
    old, new, wb, _ = summed
    ws = wb[PERIODS]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[2] == ["项目", "栏目", "上期", "本期", "增减", "增减（%）"]
    # the same title both years: last period is named by its folder
    assert rows[1][0] == "上期：“曾都区双减”，汇总 6 所学校；本期：汇总 6 所学校。两期汇总的学校相同，合计数可以直接比较。"
    by = {}
    for row in rows[3:]:
        if row[1] or row[0]:
            by.setdefault(row[0] or last, {})[row[1]] = row[2:]
            last = row[0] or last
    before = sum(v["inspectors.total"] for v in old.values())
    now = sum(v["inspectors.total"] for v in new.values())
    assert now - before == 6  # 实验小学: 2 -> 8
    assert by["派出责任督学数（人）"]["合计"] == [before, now, "+6", f"+{6 / before * 100:.1f}%"]
    primary = sum(v["inspectors.primary"] for v in old.values())
    assert by["派出责任督学数（人）"]["小学"] == [primary, primary + 6, "+6", f"+{6 / primary * 100:.1f}%"]
    cases = sum(v["typical_cases"] for v in old.values())
    assert by["共发现典型经验"][None] == [cases, cases, "0", "0.0%"]
    lines = [r[0] for r in rows if isinstance(r[0], str) and r[0][:2] in ("1.", "2.")]
    assert lines == [f"1. 曾都区实验小学（区直学校）：派出责任督学数（人）·合计 本期 8，上期 2，是上期的 4 倍。学校说明：{SAID}"]
    assert ws.print_area and ws.page_setup.orientation == "portrait"


def test_findings_carry_the_explanation_and_whose_and_returns_the_version_count(summed):
    _, _, wb, _ = summed
    ws = wb[FINDINGS]
    head = [c.value for c in ws[1]]
    assert head == ["学校（状态）", "级别", "规则", "单元格", "问题", "说明"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    (explained,) = [r for r in rows if r[2] == "与上期相比变化过大"]
    assert explained[0] == "曾都区实验小学\n（通过（有提示））" and explained[1] == "已说明"
    assert explained[5] == f"学校：{SAID}"
    assert all(r[5] in (None, "") for r in rows if r is not explained)
    returns = wb[RETURNS]
    head = [c.value for c in returns[1]]
    versions = {r[head.index("学校")]: r[head.index("版本")] for r in returns.iter_rows(min_row=2, values_only=True)}
    assert versions["万店镇中心小学"] == 2 and versions["曾都区实验小学"] == 1
    summary = {r[head.index("学校")]: r[head.index("校验问题摘要")] for r in returns.iter_rows(min_row=2, values_only=True)}
    assert summary["曾都区实验小学"] == "已说明：与上期相比变化过大（C8）"


def test_the_upward_version_carries_no_explanation_and_no_comparison(summed):
    _, _, _, up = summed
    assert PERIODS not in up.sheetnames and FINDINGS not in up.sheetnames and SHEET not in up.sheetnames
    texts = [str(c.value) for ws in up.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [t for t in texts if SAID in t or "上期" in t]


def test_when_the_periods_sum_other_schools_the_change_is_over_those_summed_in_both():
    """Four of six schools summed this period against six last period: -1/3 of every total would
    be read as a fall. The sheet gives both totals as they are and the change over the four."""
    schools = [School(f"s{i}", name) for i, name in enumerate(["甲小学", "乙小学", "丙小学", "丁小学", "戊中学"])]
    before = {s.name: {"inspectors.total": 10, "inspectors.primary": 10, "typical_cases": 1} for s in schools}
    before["己中学"] = {"inspectors.total": 10, "inspectors.primary": 0, "typical_cases": 1}
    period = PreviousPeriod("上期", "某某区2022年统计表", "2022-11-30T12:00:00", figures=before,
                            totals=summed_over(FORM, before.values()))
    now = [(s, {"inspectors.total": 12, "inspectors.primary": 12, "typical_cases": 2}) for s in schools[:4]]
    now.append((School("s9", "新建小学"), {"inspectors.total": 5, "inspectors.primary": 5, "typical_cases": 0}))
    data = period_comparison(FORM, period, now, summed_over(FORM, (v for _, v in now)))
    assert (data.before, data.now, data.both, data.like_for_like) == (6, 5, 4, False)
    total = next(t for t in data.totals if t.field == "inspectors.total")
    same = next(t for t in data.same if t.field == "inspectors.total")
    assert (total.previous, total.current) == (60, 53)  # as they are: 6 schools, then 5
    assert (same.previous, same.current, same.change, same.percent) == (40, 48, 8, 20.0)  # the 4 in both

    wb = openpyxl.Workbook()
    plan = SimpleNamespace(form=FORM, district="某某区", included=())
    write_comparison(wb.active, plan, Comparison(data, 6, "上期"))
    rows = [[c.value for c in row] for row in wb.active.iter_rows()]
    assert rows[1][0] == ("上期：某某区2022年统计表（上期），汇总 6 所学校；本期：汇总 5 所学校。两期汇总的学校不同，"
                          "增减按两期都汇总的 4 所学校计算（同口径），不含只在一期汇总的学校。")
    assert rows[2] == ["项目", "栏目", "上期合计\n（6 所）", "本期合计\n（5 所）", "同口径上期\n（4 所）",
                       "同口径本期\n（4 所）", "增减\n（同口径）", "增减%\n（同口径）"]
    line = next(r for r in rows[3:] if r[1] == "合计" and r[2] == 60)
    assert line[2:] == [60, 53, 40, 48, "+8", "+20.0%"]
    assert wb.active.print_area == "'Sheet'!$A$1:$H$" + str(len(rows))
