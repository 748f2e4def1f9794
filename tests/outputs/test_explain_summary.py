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

from aggregator.demo import fill_workbook
from aggregator.form.explanations import SHEET
from aggregator.outputs.consolidate import FINDINGS, PERIODS, RETURNS
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
    assert rows[1][0].startswith("上期：曾都区2023年“双减”督导有关情况统计表（曾都区双减），汇总 6 所学校；本期：汇总 6 所学校。")
    by = {}
    for row in rows[3:]:
        if row[1] or row[0]:
            by.setdefault(row[0] or last, {})[row[1]] = row[2:]
            last = row[0] or last
    before = sum(v["inspectors.total"] for v in old.values())
    now = sum(v["inspectors.total"] for v in new.values())
    assert now - before == 6  # 实验小学: 2 -> 8
    assert by["派出责任督学数（人）"]["合计"] == [before, now, "+6", f"+{round(6 / before * 100, 1):g}%"]
    primary = sum(v["inspectors.primary"] for v in old.values())
    assert by["派出责任督学数（人）"]["小学"] == [primary, primary + 6, "+6", f"+{round(6 / primary * 100, 1):g}%"]
    cases = sum(v["typical_cases"] for v in old.values())
    assert by["共发现典型经验"][None] == [cases, cases, "0", "0%"]
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
