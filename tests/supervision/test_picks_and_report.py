"""Issue 22, part 4: picking the best, and the district's own report.

``dudao pick DIR 案例 学校`` recommends a school's document (``--undo`` takes it back); ``status
--json`` says ``materials[].picked``; ``consolidate`` copies the picked documents into
``summary/上报材料/`` named 所属单位-学校-材料, with 推荐名单.xlsx, and drafts the district's
own report from the wording beside the plan with the summary's own figures.
"""

from __future__ import annotations

import datetime as dt
import re

import docx
import openpyxl
import pytest

from aggregator import clock
from aggregator.cli import main
from aggregator.form.parse import load_form
from aggregator.form.layout import layout_of
from cli_helpers import dudao, status_json

DAY = dt.datetime(2023, 11, 22, 10, 30)


@pytest.fixture(scope="module")
def demo_master(tmp_path_factory):
    import contextlib
    import io

    root = tmp_path_factory.mktemp("demo") / "演示"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["demo", str(root)]) == 0
    return root


@pytest.fixture
def demo(tmp_path, demo_master):
    import shutil

    return shutil.copytree(demo_master, tmp_path / "演示")


def materials(capsys, folder, school: str) -> dict[str, dict]:
    s = next(s for s in status_json(capsys, folder)["schools"] if s["name"] == school)
    return {m["id"]: m for m in s["materials"]}


def test_pick_marks_a_school_s_document_and_undo_takes_it_back(demo, capsys):
    assert materials(capsys, demo, "曾都区实验小学")["case"]["picked"] is False
    with clock.pinned(DAY):
        code, out, _ = dudao(capsys, "pick", demo, "案例", "实验小学", "--note", "作业公示做法可推广")
    assert code == 0
    assert out.startswith("已推荐：曾都区实验小学的“双减”督导优秀工作案例（双减优秀案例（曾都区实验小学）.docx）")
    got = materials(capsys, demo, "曾都区实验小学")
    assert (got["case"]["picked"], got["report"]["picked"], got["data"]["picked"]) == (True, False, False)
    code, _, err = dudao(capsys, "pick", demo, "案例", "曾都区实验小学")
    assert code == 2 and "已经推荐过了" in err
    code, _, err = dudao(capsys, "pick", demo, "报告", "北郊八角楼小学")
    assert code == 2 and "北郊八角楼小学还没有交督导工作落实情况报告，无法推荐" in err
    code, _, err = dudao(capsys, "pick", demo, "照片", "曾都区实验小学")
    assert code == 2 and "“照片”不是本次收集的一项材料" in err
    assert dudao(capsys, "pick", demo, "案例", "曾都区实验小学", "--undo")[0] == 0
    assert materials(capsys, demo, "曾都区实验小学")["case"]["picked"] is False


def test_a_collection_of_the_form_alone_has_nothing_to_pick_and_says_so(tmp_path, capsys):
    from ledger_helpers import make_collection

    make_collection(tmp_path, [("城南小学", "小学", "中心学校")]).close()
    code, _, err = dudao(capsys, "pick", tmp_path / "col", "案例", "城南小学")
    assert code == 2 and "本次收集只有表格，没有案例、推荐等材料，没有可以推荐上报的材料" in err


def test_consolidate_writes_the_picked_documents_and_the_list(demo, capsys):
    with clock.pinned(DAY):
        dudao(capsys, "pick", demo, "案例", "曾都区实验小学", "--note", "作业公示做法可推广")
        dudao(capsys, "pick", demo, "推荐", "万店镇中心小学", "--note", "事迹突出")
        dudao(capsys, "pick", demo, "案例", "南郊中心学校")
        dudao(capsys, "pick", demo, "案例", "南郊中心学校", "--undo")
        code, out, _ = dudao(capsys, "consolidate", demo)
    assert "推荐材料 2 份和推荐名单在 summary 文件夹的“上报材料”中" in out
    folder = demo / "summary" / "上报材料"
    assert sorted(p.name for p in folder.iterdir()) == [
        "万店镇中心学校-万店镇中心小学-优秀督导干部推荐（附简要工作事例）.docx",
        "区直学校-曾都区实验小学-“双减”督导优秀工作案例.docx", "推荐名单.xlsx"]
    assert (folder / "区直学校-曾都区实验小学-“双减”督导优秀工作案例.docx").read_bytes() == next(
        (demo / "archive").rglob("*-双减优秀案例（曾都区实验小学）.docx")).read_bytes()
    ws = openpyxl.load_workbook(folder / "推荐名单.xlsx").active
    assert ws["A1"].value == "曾都区推荐材料名单"
    rows = [r for r in ws.iter_rows(min_row=3, values_only=True)]
    assert rows == [(1, "“双减”督导优秀工作案例", "曾都区实验小学", "区直学校",
                     "区直学校-曾都区实验小学-“双减”督导优秀工作案例.docx", "作业公示做法可推广", "2023-11-22"),
                    (2, "优秀督导干部推荐（附简要工作事例）", "万店镇中心小学", "万店镇中心学校",
                     "万店镇中心学校-万店镇中心小学-优秀督导干部推荐（附简要工作事例）.docx", "事迹突出", "2023-11-22")]
    assert (demo / "summary" / "上报材料.zip").is_file()


# --- the district's own report ------------------------------------------------------------------


def report_text(root) -> list[str]:
    d = docx.Document(str(root / "summary" / "曾都区督导工作落实情况报告（草稿）.docx"))
    return [p.text for p in d.paragraphs]


def summary_figure(root, field_id: str):
    """A district total as the summary's form holds it (the cell the declaration lays it out in)."""
    form = load_form()
    ws = openpyxl.load_workbook(root / "summary" / "曾都区附件5汇总表.xlsx", data_only=True)[form.sheet]
    return ws[layout_of(form).cells[field_id]].value


def test_the_report_draft_s_figures_are_the_summary_s(demo_master):
    text = report_text(demo_master)
    assert text[0] == "曾都区“双减”督导工作落实情况报告"
    headings = [t for t in text if re.match(r"^[一二三四五六七]、", t)]
    assert headings == ["一、基本情况", "二、督导内容落实情况", "三、督导方式", "四、发现的主要问题", "五、问题整改情况",
                        "六、典型经验", "七、下一步工作"]
    body = "\n".join(text)
    cover = {r[0]: r[1] for r in openpyxl.load_workbook(demo_master / "summary" / "曾都区附件5汇总表.xlsx")["汇总说明"]
             .iter_rows(values_only=True) if r[0]}
    included, expected = re.match(r"已汇总 (\d+) / 应报 (\d+)", cover["完成情况"]).groups()
    assert f"全区应报送学校 {expected} 所，已汇总 {included} 所，汇总率 {int(included) / int(expected):.1%}" in body
    f = {k: summary_figure(demo_master, k) for k in (
        "inspectors.total", "schools_visited.total", "notices.total", "training_orgs.total", "training_orgs.subject",
        "training_orgs.non_subject", "problem_schools.total", "rectified_schools.total", "problems.total",
        "problems_rectified.total", "problems_in_progress.total", "orders.total", "circulars.total",
        "interviews.total", "accountabilities.total", "typical_cases")}
    assert all(isinstance(v, int) and v > 0 for v in f.values()), f
    assert (f"各校责任督学共 {f['inspectors.total']} 人，实地督导学校 {f['schools_visited.total']} 所次，出具整改通知书及问题清单 "
            f"{f['notices.total']} 套；实地督导校外培训机构 {f['training_orgs.total']} 个，其中学科类 "
            f"{f['training_orgs.subject']} 个、非学科类 {f['training_orgs.non_subject']} 个。") in body
    assert (f"各校报告存在问题的学校 {f['problem_schools.total']} 所，已完成整改的学校 {f['rectified_schools.total']} 所；"
            f"存在问题 {f['problems.total']} 个，已完成整改 {f['problems_rectified.total']} 个，正在整改 "
            f"{f['problems_in_progress.total']} 个。各校印发督办单 {f['orders.total']} 件，通报 {f['circulars.total']} 次，"
            f"约谈 {f['interviews.total']} 人次，问责 {f['accountabilities.total']} 人次。") in body
    assert f"各校共报告典型经验 {f['typical_cases']} 例。" in body
    # The register's counts, as 整改台账.xlsx says them.
    register = openpyxl.load_workbook(demo_master / "summary" / "整改台账.xlsx")["整改台账"]["A2"].value
    assert "共 4 项问题（涉及 3 所学校），已销号 1 项，已反馈待核 2 项，未整改 1 项；其中逾期 1 项" in register
    assert "整改台账共登记问题 4 项，下发督办单 3 份；已销号 1 项，学校已反馈待核 2 项，未整改 1 项，其中逾期 1 项。" in body
    # The main problems: the summary's grouped problems, in its order.
    grouped = [r[1] for r in openpyxl.load_workbook(demo_master / "summary" / "曾都区附件5汇总表.xlsx")["主要问题归纳"]
               .iter_rows(min_row=3, values_only=True) if r[1]]
    listed = [t.split(". ", 1)[1] for t in text if re.match(r"^\d+\. ", t)]
    assert [re.sub(r"（\d+校）$", "", line) for line in listed] == grouped[:len(listed)] and len(listed) == 8
    assert text[-2:] == ["曾都区教育局", "2023年11月22日"]


def test_the_clerk_s_places_are_highlighted_and_the_figures_underlined(demo_master):
    d = docx.Document(str(demo_master / "summary" / "曾都区督导工作落实情况报告（草稿）.docx"))
    runs = [r for p in d.paragraphs for r in p.runs]
    highlighted = [r.text for r in runs if r.font.highlight_color is not None]
    assert "【请简述组织领导、工作机制和部署情况】" in highlighted and len(highlighted) >= 12
    underlined = [r.text for r in runs if r.font.underline]
    assert underlined[:3] == ["40", "30", "75.0%"]  # 编钟小学 explained in its second version: 30 summed
    assert not any("{" in r.text or "【？" in r.text for r in runs)  # every placeholder filled
