"""What a school reads about a figure to explain, and about its new version (issue 23, phase B point 2).

One collection compared with last period: 曾都区实验小学 sends 8 督学 where it had 2 (an explain
finding, vs-previous) and an 其中 larger than its 合计 (an error). Every channel (the e-mail, the
chat text, the marked workbook and its first sheet, the phone page, the window's details) says
the same: one to change, one to explain, each under its own heading, the explain one orange and
not counted as an error. Its second version corrects the error but explains nothing: every
channel starts with what it put right and what is still there. Its third explains: accepted.
"""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from aggregator.collection.store.folder import open_collection
from aggregator.collection.views.status import overview
from aggregator.demo import fill_workbook
from aggregator.form.explanations import SHEET
from aggregator.form.layout import layout_of
from aggregator.outputs.guide import FEEDBACK_SHEET
from aggregator.outputs.notice import notice_lines, notice_of
from aggregator.outputs.phone import page_lines
from aggregator.outputs.xlstyle import LIGHT_RED, ORANGE, YELLOW
from cli_helpers import ROSTER, dudao, issued, put, status_json
from desktop.details_text import details_html
from forms_helpers import FORM
from test_feedback import read_eml
from test_period import last_period  # noqa: F401 - the fixture: last period's six returns

CELLS = layout_of(FORM).cells
SCHOOL = "曾都区实验小学"
EVENING = "2023-11-20T17:00:00+08:00"


@pytest.fixture
def compared(tmp_path, capsys, last_period, monkeypatch):  # noqa: F811
    """This period's collection of the six schools, compared with last period's; 实验小学's first
    version: 督学 8 (2 last period) and 其中 印发督办单 one more than its 合计."""
    old_dir, old = last_period
    roster = tmp_path / "本期名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    folder = tmp_path / "本期"
    assert dudao(capsys, "init", folder, "--name", "曾都区", "--roster", roster, "--previous", old_dir,
                 "--deadline", "2023-11-20")[0] == 0
    assert dudao(capsys, "distribute", folder)[0] == 0
    v = dict(old[SCHOOL], **{"inspectors.primary": 8, "inspectors.total": 8})
    first = dict(v, **{"orders.bureau": v["orders.total"] + 1})
    put(folder / "inbox" / "v1.xlsx", fill_workbook(issued(folder, SCHOOL), FORM, first), "2023-11-16T09:00:00")
    monkeypatch.setenv("DUDAO_NOW", EVENING)
    assert dudao(capsys, "collect", folder)[0] == 0
    return folder, v


def _feedback(capsys, folder):
    assert dudao(capsys, "feedback", folder, "--no-pdf")[0] == 0
    eml = read_eml(folder / "feedback" / f"{SCHOOL}-退回修改.eml").get_body(("plain",)).get_content()
    chat = (folder / "feedback" / f"{SCHOOL}-退回修改.txt").read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    marked = openpyxl.load_workbook(folder / "feedback" / f"{SCHOOL}-退回修改.xlsx")
    with open_collection(folder) as col:
        state = next(s for s in overview(col).schools if s.school.name == SCHOOL)
        notice = notice_of(col.form, col.settings, state, date(2023, 11, 20))
        details = details_html(state, notice)
    return eml.replace("\r\n", "\n"), chat, marked, notice, details


def _fill(ws, ref: str) -> str:
    return ws[ref].fill.fgColor.rgb if ws[ref].fill.fill_type == "solid" else ""


def test_a_figure_to_explain_is_its_own_item_orange_and_not_an_error_in_every_channel(compared, capsys):
    folder, _ = compared
    school = next(s for s in status_json(capsys, folder)["schools"] if s["name"] == SCHOOL)
    assert school["status"] == "returned"
    assert sorted((f["rule"], f["level"]) for f in school["findings"]) == [("subset", "error"),
                                                                           ("vs-previous", "explain")]
    eml, chat, marked, notice, details = _feedback(capsys, folder)
    counts = "有 1 处需要修改，1 处需要说明"
    c8, orders = CELLS["inspectors.total"], CELLS["orders.bureau"]

    # the e-mail: the count, then each item under its own heading, numbered on
    assert f"经校验，{counts}，现退回" in eml
    explain_head = "需要说明（1 处，附件表格中标橙的单元格；请在“情况说明”表写明原因，或改正数字）："
    assert "需要修改（1 处，附件表格中标红的单元格）：\n1. " in eml
    after = eml.split(explain_head, 1)[1].strip().split("\n")[0]
    assert after.startswith(f"2. {c8} 派出责任督学数（人）·合计本期填 8，上期为 2")
    assert "标橙的改正数字或在“情况说明”表写明原因" in eml
    # the chat text
    lines = chat.strip().split("\n")
    assert lines[0].endswith(f"《曾都区2023年“双减”督导有关情况统计表》{counts}：")
    assert lines[1].startswith("1. ") and lines[2].startswith(f"2. （需要说明）{c8} ")
    assert lines[3] == "请在原表上改好（需要说明的，数字确实无误可在“情况说明”表写明原因）后，于11月23日前重新发到群里。"
    # the marked workbook: red to change, orange to explain, on the table and where to write it
    table = marked[FORM.sheet]
    assert _fill(table, c8) == ORANGE and _fill(table, orders) == LIGHT_RED
    assert _fill(marked[SHEET], "D5") == ORANGE and _fill(marked[SHEET], "D4") == ""  # vs-previous's row
    assert "统计表!C8" in marked[SHEET]["D5"].comment.text and "需要说明" in marked[SHEET]["D5"].comment.text
    assert table[c8].comment is not None and "上期为 2" in table[c8].comment.text
    # its first sheet
    guide = [[c.value for c in row] for row in marked[FEEDBACK_SHEET].iter_rows()]
    heads = [row[0] for row in guide if isinstance(row[0], str) and row[0][:2] in ("一、", "二、", "三、")]
    assert heads == ["一、需要修改（共 1 处，标红的单元格）",
                     "二、需要说明（共 1 处，标橙的单元格）：请在“情况说明”表写明原因，或改正数字"]
    fills = {row[0].value: _fill(marked[FEEDBACK_SHEET], row[0].coordinate) for row in marked[FEEDBACK_SHEET].iter_rows()
             if isinstance(row[0].value, str) and row[0].value[:2] in ("一、", "二、")}
    assert list(fills.values()) == [LIGHT_RED, ORANGE]
    assert any(isinstance(row[0], str) and "标橙的单元格需要说明" in row[0] for row in guide)
    assert any(f"{counts}，现退回" in str(row[0]) for row in guide)
    # the phone page and the window
    page = page_lines(notice)
    assert page[0] == ("head", f"{SCHOOL}：{counts}")
    assert ("section", "需要说明（1 处，标橙的格；请在“情况说明”表写明原因，或改正数字）：") in page
    assert [style for style, text in page if text.startswith(("1. ", "2. "))] == ["error", "explain"]
    assert notice_lines(notice)[0] == ("head", f"退回修改：{counts}，请于11月23日前修改后重新报送")
    assert f"（退回修改）</b>：{counts}" in details and '#c05a00;font-weight:bold">[须说明]</span> 2. ' in details


def test_a_new_version_still_wrong_is_told_first_what_it_put_right(compared, capsys):
    folder, v = compared
    put(folder / "inbox" / "v2.xlsx", fill_workbook(issued(folder, SCHOOL), FORM, v), "2023-11-20T16:00:00")
    assert dudao(capsys, "collect", folder)[0] == 0
    school = next(s for s in status_json(capsys, folder)["schools"] if s["name"] == SCHOOL)
    assert (school["version"], school["status"]) == (2, "returned")
    assert [f["rule"] for f in school["fixed"]] == ["subset"] and [f["rule"] for f in school["still"]] == ["vs-previous"]
    eml, chat, marked, notice, details = _feedback(capsys, folder)
    since, counts = "贵校第 2 版：已改正 1 处，仍有 1 处", "有 1 处需要说明"
    assert notice.since_words() == since
    assert eml.split("\n")[2].startswith(f"您好！{since}。{SCHOOL}报送的") and f"经校验，{counts}，现退回" in eml
    assert chat.split("\n")[0].endswith(f"》{since}；{counts}：")
    guide = [row[0] for row in marked[FEEDBACK_SHEET].iter_rows(values_only=True) if row[0]]
    assert guide[1] == f"{since}。" and guide[2].endswith(f"经校验，{counts}，现退回。")
    assert page_lines(notice)[0] == ("head", f"{SCHOOL}：{since}；{counts}")
    assert notice_lines(notice)[0] == ("head", f"退回修改：{since}；{counts}，请于11月23日前修改后重新报送")
    assert f"{since}；{counts}" in details
    # the second version: only a figure to explain; every channel says so without a word of red
    assert chat.strip().split("\n")[-1] == ("数字确实无误的，请在原表的“情况说明”表写明原因，填错了的请改正，"
                                            "于11月23日前重新发到群里。")
    assert "标红" not in eml and "请在附件表格中标橙的改正数字或在“情况说明”表写明原因，改好后保存" in eml
    # the third version explains the figure on its 情况说明 sheet: accepted with it, told nothing
    wb = openpyxl.load_workbook(folder / "inbox" / "v2.xlsx")
    wb[SHEET]["D5"] = "今年按区里要求为每个年级配齐了责任督学"
    wb.save(folder / "inbox" / "v3.xlsx")
    assert dudao(capsys, "collect", folder)[0] == 0
    school = next(s for s in status_json(capsys, folder)["schools"] if s["name"] == SCHOOL)
    assert (school["version"], school["status"]) == (3, "accepted_with_warnings")
    assert school["findings"][0]["explanation"] == "今年按区里要求为每个年级配齐了责任督学"
    assert [f["rule"] for f in school["fixed"]] == ["vs-previous"] and school["still"] == []
