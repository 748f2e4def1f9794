"""Several materials per school, through the CLI: a collection of the seed's plan takes case
articles, reports, recommendations and the form filled in Word from the same inbox as the
workbooks, and shows each school's standing on each material.

Real files made by code (``documents_builders``), a real collection folder and its SQLite ledger.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import lo
from aggregator.demo import fill_workbook, sample_values
from aggregator.demo.files import put_received
from aggregator.form.parse import load_form
from builders import ole_file
from cli_helpers import dudao, status_json
from documents_builders import annex5_docx, article, docx, odt, png

ROSTER = """学校名称,学段,所属单位,联系人,联系电话,邮箱,学校类型
曾都区实验小学,小学,区直学校,王丽,13872301001,syxx@zdedu.example,区直学校
万店镇中心小学,小学,万店镇中心学校,朱红,13872302001,wdzx@zdedu.example,中心学校
万店镇牛王小学,小学,万店镇中心学校,李明,13872302005,,其他
"""


@pytest.fixture
def plan_col(tmp_path, capsys):
    roster = tmp_path / "名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    folder = tmp_path / "双减材料"
    assert dudao(capsys, "init", folder, "--name", "曾都区", "--roster", roster, "--plan", "shuangjian-2023")[0] == 0
    assert dudao(capsys, "distribute", folder)[0] == 0
    return folder


def materials_of(capsys, folder) -> dict[str, dict[str, dict]]:
    """school name -> material id -> its entry in status --json."""
    data = status_json(capsys, folder)
    return {s["name"]: {m["id"]: m for m in s["materials"]} for s in data["schools"]}


def inbox(folder: Path, name: str, data: bytes, when: str = "2023-11-08T09:00:00") -> Path:
    return put_received(folder / "inbox" / name, data, when)


def test_documents_are_received_per_material_with_their_own_deadlines(plan_col, capsys):
    inbox(plan_col, "实验小学双减督导优秀工作案例.docx", article("曾都区实验小学"), "2023-11-08T10:00:00")
    inbox(plan_col, "新建 DOCX 文档.docx", article("万店镇中心小学"), "2023-11-12T10:00:00")  # after 11-10
    inbox(plan_col, "万店镇中心小学落实情况报告.odt",
          odt(["万店镇中心小学督导工作落实情况报告"] + ["我校认真落实“双减”政策，课后服务全覆盖。" * 12]),
          "2023-11-12T10:00:00")  # before its own 11-20
    inbox(plan_col, "实验小学推荐表.jpg", png(1200, 1600), "2023-11-09T10:00:00")  # a photo of a stamped page
    code, out, _ = dudao(capsys, "collect", plan_col)
    assert code == 0
    assert "无法读取" not in out.split("本次共")[0]  # nothing correct is called unreadable
    assert "其他材料 4 份" in out
    got = materials_of(capsys, plan_col)
    case, report = got["万店镇中心小学"]["case"], got["万店镇中心小学"]["report"]
    assert (case["status"], case["late"]) == ("accepted", True) and case["file"].endswith("新建 DOCX 文档.docx")
    assert (report["status"], report["late"]) == ("accepted", False)
    assert got["曾都区实验小学"]["case"]["late"] is False
    assert got["曾都区实验小学"]["cadre"]["status"] == "accepted"  # recognised by its name, a photo has no text
    assert got["曾都区实验小学"]["data"]["status"] == "missing"  # the form keeps its own states


def test_a_material_not_received_is_overdue_once_its_own_deadline_has_passed(plan_col, capsys, monkeypatch):
    monkeypatch.setenv("DUDAO_NOW", "2023-11-15T09:00:00+08:00")  # after the case's 11-10, before 11-20
    mine = materials_of(capsys, plan_col)["万店镇牛王小学"]
    assert {m: (e["status"], e["late"], e["overdue"]) for m, e in mine.items()} == {
        "case": ("missing", False, True), "report": ("missing", False, False), "data": ("missing", False, False)}
    _, out, _ = dudao(capsys, "status", plan_col)
    assert "“双减”督导优秀工作案例 逾期未交；督导工作落实情况报告 未交" in out
    monkeypatch.setenv("DUDAO_NOW", "2023-11-21T08:00:00+08:00")
    mine = materials_of(capsys, plan_col)["万店镇牛王小学"]
    assert all(e["overdue"] for e in mine.values())


def test_only_the_schools_a_material_is_for_owe_it(plan_col, capsys):
    got = materials_of(capsys, plan_col)
    assert set(got["万店镇中心小学"]) == {"case", "cadre", "report", "data"}
    assert set(got["万店镇牛王小学"]) == {"case", "report", "data"}  # 其他: no supervisor to recommend


def test_a_document_in_doubt_waits_for_the_clerk_and_is_assigned(plan_col, capsys):
    inbox(plan_col, "新建文档.docx", article("", title="工作总结"))
    code, out, _ = dudao(capsys, "collect", plan_col)
    assert code == 0 and "看不出是哪所学校" in out
    data = status_json(capsys, plan_col)
    (waiting,) = data["documents_waiting"]
    assert waiting["file"].endswith("新建文档.docx")
    code, out, err = dudao(capsys, "assign", plan_col, "新建文档.docx", "万店镇牛王小学", "--material", "案例")
    assert code == 0, err
    assert "万店镇牛王小学" in out and "优秀工作案例" in out
    data = status_json(capsys, plan_col)
    assert data["documents_waiting"] == []
    mine = {m["id"]: m for s in data["schools"] if s["name"] == "万店镇牛王小学" for m in s["materials"]}
    assert mine["case"]["status"] == "accepted" and mine["case"]["file"].endswith("新建文档.docx")


def test_a_junk_document_is_ignored_and_stays_archived(plan_col, capsys):
    inbox(plan_col, "新建文档.docx", article("", title="工作总结"))
    dudao(capsys, "collect", plan_col)
    code, out, err = dudao(capsys, "ignore", plan_col, "新建文档.docx", "--note", "群里误发的")
    assert code == 0, err
    data = status_json(capsys, plan_col)
    assert data["documents_waiting"] == []
    assert len(list((plan_col / "archive").rglob("*新建文档.docx"))) == 1
    code, out, err = dudao(capsys, "ignore", plan_col, "新建文档.docx", "--undo")
    assert code == 0, err
    assert [d["file"].rsplit("/", 1)[-1] for d in status_json(capsys, plan_col)["documents_waiting"]] == ["新建文档.docx"]
    code, _, err = dudao(capsys, "tie", plan_col, "新建文档.docx", "万店镇牛王小学")
    assert code != 0 and "无法读取的文件" in err  # a readable document is assigned, not tied


def test_assigning_a_document_needs_a_material_the_school_owes(plan_col, capsys):
    inbox(plan_col, "新建文档.docx", article("", title="工作总结"))
    dudao(capsys, "collect", plan_col)
    code, _, err = dudao(capsys, "assign", plan_col, "新建文档.docx", "万店镇牛王小学")
    assert code != 0 and "--material" in err and "案例" in err  # says which materials it could be
    code, _, err = dudao(capsys, "assign", plan_col, "新建文档.docx", "万店镇牛王小学", "--material", "推荐")
    assert code != 0 and "不需要报送" in err  # 其他 schools recommend no supervisor


def test_short_and_empty_documents_are_sent_back_with_a_reason(plan_col, capsys):
    inbox(plan_col, "万店镇牛王小学案例.docx", article("万店镇牛王小学", chars=60))
    inbox(plan_col, "曾都区实验小学案例.docx", docx(["曾都区实验小学“双减”督导优秀工作案例", ""]))
    dudao(capsys, "collect", plan_col)
    got = materials_of(capsys, plan_col)
    short = got["万店镇牛王小学"]["case"]
    assert short["status"] == "accepted_with_warnings" and short["findings"][0]["rule"] == "doc-short"
    empty = got["曾都区实验小学"]["case"]
    assert empty["status"] == "accepted" or empty["findings"][0]["rule"] in ("doc-empty", "doc-short")


def test_the_form_filled_in_word_is_a_return_checked_like_a_workbook(plan_col, capsys):
    vals = sample_values(random.Random(5), "小学", "万店镇中心小学", "朱红", "13872302001")
    vals["inspectors.total"] += 1  # a wrong sum, as in a workbook
    inbox(plan_col, "附件5（万店镇中心小学）.docx", annex5_docx(vals), "2023-11-15T10:00:00")
    code, out, _ = dudao(capsys, "collect", plan_col)
    assert code == 0 and "新收到报表 1 份" in out and "其他材料" not in out
    data = status_json(capsys, plan_col)
    school = next(s for s in data["schools"] if s["name"] == "万店镇中心小学")
    assert school["status"] == "returned"
    assert any(f["rule"] == "row-sum" and "表格第" in f["message"] for f in school["findings"])
    assert {m["id"]: m["status"] for m in school["materials"]}["data"] == "returned"


def test_an_old_word_file_with_the_form_is_asked_for_again_as_docx(plan_col, capsys):
    labels = "\n".join(["填报单位 万店镇中心小学", "派出责任督学数 人", "实地督导学校数量（所）", "存在问题学校",
                        "已完成整改学校数", "已完成整改问题数", "正在整改问题数", "印发督办单"])
    inbox(plan_col, "附件5.doc", ole_file(["WordDocument"]) + labels.encode("utf-16-le"))
    code, out, _ = dudao(capsys, "collect", plan_col)
    assert code == 0
    assert "另存为 .docx 或填写下发的 Excel 表" in out and "损坏" not in out


def test_a_template_sent_back_unchanged_is_no_answer(tmp_path, capsys):
    template = tmp_path / "计划" / "优秀督导干部推荐表.docx"
    template.parent.mkdir()
    template.write_bytes(docx(["优秀督导干部推荐表", "学校：", "姓名：", "主要事迹："]))
    plan = template.parent / "推荐.toml"
    plan.write_text('[plan]\nid = "t"\ntitle = "推荐"\n\n[[materials]]\nid = "cadre"\nlabel = "优秀督导干部推荐表"\n'
                    'kind = "document"\nkeywords = ["推荐"]\ntemplate = "优秀督导干部推荐表.docx"\n\n'
                    '[[materials]]\nid = "data"\nlabel = "统计表"\nkind = "form"\nform = "annex5_2023"\n',
                    encoding="utf-8")
    roster = tmp_path / "名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    folder = tmp_path / "c"
    assert dudao(capsys, "init", folder, "--name", "曾都区", "--roster", roster, "--plan", plan)[0] == 0
    sent = folder / "outbox" / "优秀督导干部推荐表.docx"
    assert sent.read_bytes() == template.read_bytes()  # goes out with the forms
    template.unlink()  # the collection keeps working from its own copy
    inbox(folder, "万店镇中心小学推荐表.docx", sent.read_bytes())
    assert dudao(capsys, "collect", folder)[0] == 0
    got = materials_of(capsys, folder)["万店镇中心小学"]["cadre"]
    assert got["status"] == "returned" and got["findings"][0]["rule"] == "doc-unchanged"


def test_a_form_only_collection_behaves_as_before(col_dir, capsys):
    inbox(col_dir, "实验小学案例.docx", article("曾都区实验小学"))
    code, out, _ = dudao(capsys, "collect", col_dir)
    assert "无法读取" in out and "请让学校发送填好的 Excel 表" in out
    data = status_json(capsys, col_dir)
    assert [m["id"] for m in data["schools"][0]["materials"]] == ["form"]


def test_a_reminder_lists_what_each_school_still_owes(plan_col, capsys):
    inbox(plan_col, "实验小学双减督导优秀工作案例.docx", article("曾都区实验小学"))
    dudao(capsys, "collect", plan_col)
    code, out, _ = dudao(capsys, "feedback", plan_col)
    assert code == 0
    texts = {p.name: p.read_text(encoding="utf-8") for p in (plan_col / "feedback").rglob("*.txt")}
    mine = next(t for n, t in texts.items() if "曾都区实验小学" in n)
    assert "督导工作落实情况报告" in mine and "11月20日" in mine
    assert "优秀工作案例" not in mine.split("还缺")[-1]  # received: not owed
    niuwang = next(t for n, t in texts.items() if "万店镇牛王小学" in n)
    assert "推荐" not in niuwang  # not asked of it


@pytest.mark.libreoffice
@pytest.mark.skipif(bool(lo.missing()), reason=lo.missing() or "-")
def test_a_real_doc_saved_by_libreoffice_with_the_form_is_asked_for_as_docx(plan_col, capsys, tmp_path):
    vals = sample_values(random.Random(6), "小学", "万店镇中心小学", "朱红", "13872302001")
    source = tmp_path / "src" / "附件5.docx"
    source.parent.mkdir()
    source.write_bytes(annex5_docx(vals))
    doc = lo.convert(source, "doc", tmp_path / "doc")
    inbox(plan_col, "附件5.doc", doc.read_bytes())
    code, out, _ = dudao(capsys, "collect", plan_col)
    assert code == 0 and "另存为 .docx" in out


def test_a_workbook_return_and_documents_in_one_batch(plan_col, capsys):
    vals = sample_values(random.Random(9), "小学", "曾都区实验小学", "王丽", "13872301001")
    issued = next((plan_col / "outbox").glob("*曾都区实验小学*.xlsx"))
    inbox(plan_col, "实验小学.xlsx", fill_workbook(issued, load_form(), vals))
    inbox(plan_col, "实验小学报告.docx", article("曾都区实验小学", kind="督导工作落实情况报告"))
    inbox(plan_col, "实验小学案例.pdf", b"%PDF-1.4 not really")  # damaged: named, not dropped
    code, out, _ = dudao(capsys, "collect", plan_col)
    assert code == 0 and "新收到报表 1 份，来自 1 所学校（现在已通过 1 所），其他材料 1 份" in out and "无法读取 1 个" in out
    got = materials_of(capsys, plan_col)["曾都区实验小学"]
    assert got["data"]["status"] in ("accepted", "accepted_with_warnings")
    assert got["report"]["status"] == "accepted" and got["case"]["status"] == "missing"
