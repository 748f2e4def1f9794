"""Issue 22, part 1: rectification items and the 督办单 (Annex 4).

Items come from the clerk (``supervise add``) or the inspectors' list (``supervise import``),
refused whole with every bad row named; ``supervise issue`` writes one numbered 督办单 per school
in Annex 4's layout, read back here with python-docx as a school would open it.
"""

from __future__ import annotations

import datetime as dt

import docx
import openpyxl
import pytest

from aggregator import clock
from aggregator.collection.store.folder import open_collection
from aggregator.collection.clerk import supervise as service
from aggregator.outputs.orders import order_files
from aggregator.collection.supervision.order import load_order
from cli_helpers import dudao, status_json

ISSUED = dt.datetime(2023, 11, 2, 9, 30)
HEAD = ["学校名称", "发现的问题", "整改要求", "整改时限"]


def items_json(capsys, folder) -> list[dict]:
    import json

    code, out, err = dudao(capsys, "supervise", folder, "list", "--json")
    assert code == 0, err
    return json.loads(out)["items"]


def write_list(path, rows, *, encoding="utf-8") -> None:
    if path.suffix == ".csv":
        path.write_bytes("\r\n".join(",".join(map(str, r)) for r in rows).encode(encoding))
        return
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(list(r))
    wb.save(path)


def doc_text(path) -> tuple[list[str], list[list[str]]]:
    d = docx.Document(str(path))
    return [p.text for p in d.paragraphs], [[c.text for c in row.cells] for t in d.tables for row in t.rows]


# --- items ------------------------------------------------------------------------------------


def test_add_prints_the_new_item_s_id_on_its_last_line(col_dir, capsys):
    with clock.pinned(ISSUED):
        code, out, _ = dudao(capsys, "supervise", col_dir, "add", "--school", "实验小学", "--problem", "作业公示不及时",
                             "--requirement", "每周公示", "--due", "2023年11月30日")
    assert code == 0
    assert out.strip().splitlines()[-1] == "1"
    (item,) = items_json(capsys, col_dir)
    assert (item["school"], item["unit"], item["problem"], item["requirement"], item["due"], item["state"],
            item["sheet"]) == ("曾都区实验小学", "区直学校", "作业公示不及时", "每周公示", "2023-11-30", "open", None)


def test_add_refuses_an_unknown_school_and_a_date_that_is_not_a_date_at_once(col_dir, capsys):
    code, _, err = dudao(capsys, "supervise", col_dir, "add", "--school", "不存在小学", "--problem", "x",
                         "--due", "下周五")
    assert code == 2
    assert "名单中没有“不存在小学”这所学校" in err and "整改时限“下周五”不是日期，请写成 2023-12-10 的形式" in err
    assert items_json(capsys, col_dir) == []


@pytest.mark.parametrize("name,encoding", [("问题清单.xlsx", "utf-8"), ("问题清单.csv", "utf-8"),
                                           ("问题清单.csv", "gbk")])
def test_a_list_with_bad_rows_is_refused_whole_every_bad_row_named(col_dir, capsys, tmp_path, name, encoding):
    path = tmp_path / name
    write_list(path, [["督导组发现问题清单"], HEAD,
                      ["曾都区实验中学", "课后服务单一", "丰富课后服务", "2023-12-10"],
                      ["实验二小", "作业多", "减少作业", "2023-12-10"],
                      ["万店镇中心小学", "", "规范", "2023-12-10"],
                      [],
                      ["何店镇白龙小学", "未公示收费", "公示收费", "十二月底"]], encoding=encoding)
    code, _, err = dudao(capsys, "supervise", col_dir, "import", path)
    assert code == 2
    assert f"{name} 有 3 行有问题，整个清单没有导入（一项也没有导入）" in err
    lines = [line.strip() for line in err.splitlines() if line.strip().startswith("第")]
    assert lines == ["第 4 行：名单中没有“实验二小”这所学校，请写名单上的学校名称",
                     "第 5 行：没有填写发现的问题",
                     "第 7 行：整改时限“十二月底”不是日期，请写成 2023-12-10 的形式"]
    assert items_json(capsys, col_dir) == []  # not even the good first row


def test_a_good_list_is_imported_with_dates_however_written_and_not_twice(col_dir, capsys, tmp_path):
    path = tmp_path / "清单.xlsx"
    write_list(path, [HEAD, ["实验中学", "课后服务单一", "丰富课后服务", dt.datetime(2023, 12, 10)],
                      ["万店镇中心小学", "作业超量", "控制作业总量", "2023.11.5"],
                      ["何店镇白龙小学", "未公示收费", "", 45275]])
    code, out, _ = dudao(capsys, "supervise", col_dir, "import", path)
    assert code == 0 and "已导入 3 项问题，涉及 3 所学校" in out
    got = [(i["id"], i["school"], i["due"]) for i in items_json(capsys, col_dir)]
    assert got == [(1, "曾都区实验中学", "2023-12-10"), (2, "万店镇中心小学", "2023-11-05"),
                   (3, "何店镇白龙小学", "2023-12-15")]
    code, _, err = dudao(capsys, "supervise", col_dir, "import", path)
    assert code == 2 and "第 2 行：这一项已经在整改台账中（第 1 项），请不要重复导入" in err
    assert len(items_json(capsys, col_dir)) == 3


# --- 督办单 ---------------------------------------------------------------------------------


def issue_three(col_dir, capsys, tmp_path, prefix=("--prefix", "曾都督〔2023〕")):
    path = tmp_path / "清单.csv"
    write_list(path, [HEAD, ["曾都区实验中学", "课后服务内容单一", "增加兴趣类课程", "2023-12-10"],
                      ["曾都区实验中学", "作业公示不及时", "每周一公示", "2023-11-30"],
                      ["万店镇中心小学", "期中考试排名", "取消排名", "2023-11-25"]])
    assert dudao(capsys, "supervise", col_dir, "import", path)[0] == 0
    with clock.pinned(ISSUED):
        return dudao(capsys, "supervise", col_dir, "issue", *prefix)


def test_issue_numbers_one_sheet_per_school_and_goes_on_from_the_last(col_dir, capsys, tmp_path):
    code, out, _ = issue_three(col_dir, capsys, tmp_path)
    assert code == 0
    assert "曾都督〔2023〕1号  曾都区实验中学：2 项" in out and "曾都督〔2023〕2号  万店镇中心小学：1 项" in out
    with clock.pinned(ISSUED):
        dudao(capsys, "supervise", col_dir, "add", "--school", "曾都区实验中学", "--problem", "延时服务收费未公示",
              "--due", "2023-12-20")
        code, out, _ = dudao(capsys, "supervise", col_dir, "issue")  # the prefix is kept in the settings
    assert "曾都督〔2023〕3号  曾都区实验中学：1 项" in out
    code, out, _ = dudao(capsys, "supervise", col_dir, "issue")
    assert "没有待下发的问题" in out
    sheets = [(i["id"], i["sheet"], i["issued_at"]) for i in items_json(capsys, col_dir)]
    assert sheets == [(1, "曾都督〔2023〕1号", "2023-11-02T09:30:00"), (2, "曾都督〔2023〕1号", "2023-11-02T09:30:00"),
                      (3, "曾都督〔2023〕2号", "2023-11-02T09:30:00"), (4, "曾都督〔2023〕3号", "2023-11-02T09:30:00")]
    assert 'prefix = "曾都督〔2023〕"' in (col_dir / "收集设置.toml").read_text(encoding="utf-8")


def test_without_a_prefix_the_declared_default_of_the_year_is_used(col_dir, capsys, tmp_path):
    code, out, _ = issue_three(col_dir, capsys, tmp_path, prefix=())
    assert "督办〔2023〕1号  曾都区实验中学" in out


def test_the_sheet_read_back_has_annex_4_s_labels_the_school_every_problem_and_deadline(col_dir, capsys, tmp_path):
    issue_three(col_dir, capsys, tmp_path)
    path = col_dir / "supervision" / "曾都督〔2023〕1号-曾都区实验中学-督办单.docx"
    paragraphs, rows = doc_text(path)
    # The title comes from the collection's 本级名称 (the fixture's default name), not from code.
    with open_collection(col_dir) as col:
        district = col.settings.name
    assert paragraphs[0] == f"{district}“双减”教育督导问题整改督办单"
    assert paragraphs[1] == "编号：曾都督〔2023〕1号"
    assert rows[0] == ["督办对象", "曾都区实验中学"]
    assert rows[1] == ["督办时间", "2023年11月2日"]
    assert rows[2][0] == rows[2][1] == "发现的问题、整改要求（含时限）"
    body = rows[3][0].splitlines()
    assert body[:4] == ["1. 发现的问题：课后服务内容单一", "整改要求：增加兴趣类课程（整改时限：2023年12月10日前）",
                        "2. 发现的问题：作业公示不及时", "整改要求：每周一公示（整改时限：2023年11月30日前）"]
    assert "学校（单位）：" in body and "年    月    日" in body
    assert paragraphs[-1].startswith("联系人：") and paragraphs[-1].endswith("联系电话：")
    assert "期中考试排名" not in rows[3][0]  # another school's sheet
    chat = path.with_suffix(".txt").read_bytes().decode("utf-8-sig")
    assert chat.splitlines()[0] == f"【整改督办】曾都区实验中学 @黄伟：{district}教育局下发督办单（曾都督〔2023〕1号），请按要求整改："
    assert "课后服务内容单一" in chat and "2023年11月30日前" in chat


def test_what_went_out_is_recorded_as_the_school_s_feedback(col_dir, capsys, tmp_path):
    issue_three(col_dir, capsys, tmp_path)
    schools = {s["name"]: s for s in status_json(capsys, col_dir)["schools"]}
    (told,) = schools["万店镇中心小学"]["feedback"]
    assert (told["kind"], told["channel"], told["at"]) == ("supervise", "draft", "2023-11-02T09:30:00")
    assert told["detail"] == "曾都督〔2023〕2号-万店镇中心小学-督办单.docx、曾都督〔2023〕2号-万店镇中心小学-督办单.txt"
    assert schools["曾都区实验小学"]["feedback"] == []


def test_the_title_follows_the_declaration_and_the_settings(col_dir):
    order = load_order()
    assert order.title("某某县") == "某某县“双减”教育督导问题整改督办单"
    assert order.number("某督〔2024〕", 12) == "某督〔2024〕12号"
    with open_collection(col_dir) as col:
        col.change_settings(name="某某县")
        with clock.pinned(ISSUED):
            service.add_item(col, "曾都区实验小学", "问题", "要求", "2023-12-01")
            res = service.issue(col, order_files)
    paragraphs, _ = doc_text(res.sheets[0].docx)
    assert paragraphs[0] == "某某县“双减”教育督导问题整改督办单"


def test_openpyxl_keeps_its_own_xml_although_python_docx_brings_lxml():
    import openpyxl.xml

    import lxml  # noqa: F401 - python-docx's dependency, installed beside us

    assert openpyxl.xml.LXML is False and openpyxl.xml.DEFUSEDXML is True
