"""Several materials per school: plans, documents received and checked, Annex 5 filled in Word.

Real files made by code (``documents_builders``): Word and OpenDocument packages, PDFs saved by
LibreOffice, photos; read back by the engine as a clerk's collection would.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import lo
from aggregator.checks.documents import check_document
from aggregator.checks.validate import Context, validate
from aggregator.collection.intake.identify_documents import identify_document
from aggregator.collection.store.names import NameIndex
from aggregator.collection.store.plan import load_plan, plan_toml
from aggregator.collection.store.roster import School
from aggregator.demo import fill_workbook, sample_values
from aggregator.form.declaration import FormError
from aggregator.form.parse import load_form
from aggregator.outputs.template import build_template
from aggregator.reading import UnreadableFile, read_return
from aggregator.reading.documents import document_format, read_document
from aggregator.reading.reader import read_word_return

from documents_builders import annex5_docx, article, docx, docx_bomb, docx_with_entities, odt, png

FORM = load_form()
PLAN = load_plan("shuangjian-2023")
SCHOOLS = {s.id: s for s in [
    School("S1", "曾都区实验小学", "小学", "区直学校", kind="区直学校"),
    School("S2", "万店镇中心小学", "小学", "万店镇中心学校", kind="中心学校"),
    School("S3", "万店镇牛王小学", "小学", "万店镇中心学校", kind="其他"),
]}
INDEX = NameIndex({s.id: s.name for s in SCHOOLS.values()}, "曾都区")


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# ================================================================================================
# The plan
# ================================================================================================


def test_the_seed_plan_declares_four_materials_and_who_owes_them():
    assert [(m.id, m.kind, m.deadline) for m in PLAN.materials] == [
        ("case", "document", "2023-11-10"), ("cadre", "document", "2023-11-10"),
        ("report", "document", "2023-11-20"), ("data", "form", "2023-11-20")]
    owes = {s.name: [m.id for m in PLAN.owed_by(s)] for s in SCHOOLS.values()}
    assert owes["万店镇牛王小学"] == ["case", "report", "data"]
    assert owes["万店镇中心小学"] == owes["曾都区实验小学"] == ["case", "cadre", "report", "data"]


def test_a_material_is_headed_by_its_short_name_and_the_plan_keeps_it(tmp_path):
    declared = tmp_path / "p.toml"
    declared.write_text('[plan]\nid = "p"\ntitle = "材料"\n'
                        '[[materials]]\nid = "a"\nlabel = "工作案例（附照片）"\nshort = "案例集"\nkeywords = ["案例"]\n'
                        '[[materials]]\nid = "b"\nlabel = "落实情况报告"\nkeywords = ["报告", "自查"]\n'
                        '[[materials]]\nid = "c"\nlabel = "简报"\n', encoding="utf-8")
    plan = load_plan(declared)
    assert [m.heading for m in plan.materials] == ["案例集", "报告", "简报"]  # declared, first keyword, label
    kept = tmp_path / "kept.toml"
    kept.write_text(plan_toml(plan), encoding="utf-8")  # as a collection keeps its plan
    assert load_plan(kept) == plan


def test_a_plan_with_mistakes_names_them(tmp_path):
    bad = tmp_path / "p.toml"
    bad.write_text('[[materials]]\nid = "a"\nkind = "video"\ndeadline = "11月10日"\nwho = "中心学校"\n', encoding="utf-8")
    with pytest.raises(FormError) as err:
        load_plan(bad)
    text = str(err.value)
    assert "form 或 document" in text and "2023-11-20 的形式" in text and "who" in text


# ================================================================================================
# Documents: format, title, text, checks
# ================================================================================================


def test_a_word_article(tmp_path):
    path = write(tmp_path, "案例.docx", article("曾都区实验小学", chars=600))
    assert document_format(path) == "docx"
    doc = read_document(path)
    assert doc.title == "曾都区实验小学“双减”督导优秀工作案例"
    assert doc.chars >= 600 and "作业公示" in doc.text
    assert check_document(doc, min_chars=200, label="案例") == ()


def test_an_odt_report(tmp_path):
    path = write(tmp_path, "报告.odt", odt(["万店镇中心小学督导工作落实情况报告", "一、基本情况" + "正文" * 200]))
    doc = read_document(path)
    assert (doc.format, doc.title) == ("odt", "万店镇中心小学督导工作落实情况报告") and doc.chars > 400


def test_a_photo_of_a_stamped_page(tmp_path):
    path = write(tmp_path, "推荐表（盖章）.png", png(2480, 3508))
    doc = read_document(path)
    assert (doc.format, doc.width, doc.height, doc.has_text) == ("png", 2480, 3508, False)
    assert check_document(doc, min_chars=100) == ()  # a photo has no text to count


def test_an_absurd_image_is_refused_from_its_header(tmp_path):
    path = write(tmp_path, "x.png", png(100_000, 100_000))
    with pytest.raises(UnreadableFile) as err:
        read_document(path)
    assert err.value.kind == "oversized"


@pytest.mark.parametrize("rule,doc_args", [
    ("doc-empty", dict(blocks=["", ""])),
    ("doc-short", dict(blocks=["曾都区实验小学案例", "我校开展了工作。"])),
])
def test_light_checks_answer_the_school(tmp_path, rule, doc_args):
    doc = read_document(write(tmp_path, "a.docx", docx(doc_args["blocks"])))
    (finding,) = check_document(doc, min_chars=200, label="优秀工作案例")
    assert finding.rule == rule and "优秀工作案例" in finding.message


def test_a_template_sent_back_unchanged(tmp_path):
    doc = read_document(write(tmp_path, "a.docx", article("x")))
    (finding,) = check_document(doc, unchanged=True, label="报告")
    assert finding.rule == "doc-unchanged" and finding.level == "error"


@pytest.mark.parametrize("data,kind", [(docx_bomb(), "zip-bomb"), (docx_with_entities(), "unsafe-xml")])
def test_hostile_word_files_are_refused_before_parsing(tmp_path, data, kind):
    with pytest.raises(UnreadableFile) as err:
        read_document(write(tmp_path, "a.docx", data))
    assert err.value.kind == kind


# ================================================================================================
# Whose document, which material
# ================================================================================================


@pytest.mark.parametrize("name,data,school,material,by", [
    ("实验小学双减督导优秀工作案例.docx", article("某校"), "S1", "case", "filename"),
    ("新建 DOCX 文档.docx", article("万店镇中心小学"), "S2", "case", "title"),
    ("万店镇牛王小学.docx", article("万店镇牛王小学", kind="督导工作落实情况报告"), "S3", "report", "filename"),
    ("推荐表.docx", article("万店镇中心小学", kind="优秀督导干部推荐表"), "S2", "cadre", "title"),
])
def test_documents_are_identified_by_name_or_title(tmp_path, name, data, school, material, by):
    doc = read_document(write(tmp_path, name, data))
    got = identify_document(name, doc, INDEX, SCHOOLS, PLAN)
    assert (got.school_id, got.material, got.by, got.review) == (school, material, by, None)


@pytest.mark.parametrize("name,data,why", [
    ("新建文档.docx", article("", title="工作总结"), "看不出是哪所学校"),
    ("实验小学.docx", article("曾都区实验小学", title="曾都区实验小学工作总结"), "看不出是哪一项材料"),
    ("实验小学案例.docx", article("万店镇牛王小学"), "请确认是哪所学校"),
])
def test_a_document_in_doubt_waits_for_the_clerk(tmp_path, name, data, why):
    doc = read_document(write(tmp_path, name, data))
    got = identify_document(name, doc, INDEX, SCHOOLS, PLAN)
    assert got.review is not None and why in got.review.render()


# ================================================================================================
# Annex 5 filled in Word
# ================================================================================================


def test_annex5_filled_in_word_reads_to_the_same_findings_as_in_a_workbook(tmp_path):
    vals = sample_values(random.Random(3), "九年一贯制", "曾都区实验小学", "王老师", "13872301001")
    vals["inspectors.total"] += 1  # a wrong sum
    vals["phone"] = ""  # a missing phone
    word = read_word_return(write(tmp_path, "附件5.docx", annex5_docx(vals)), FORM)
    issued = tmp_path / "issued.xlsx"
    build_template(FORM, unit="曾都区实验小学").save(issued)
    book = read_return(write(tmp_path, "附件5.xlsx", fill_workbook(issued, FORM, vals)), FORM)
    assert word.located_by == "docx"
    assert dict(word.values) == dict(book.values)
    ctx = Context(in_roster=True, stage="九年一贯制")
    assert sorted((f.rule, f.fields) for f in validate(FORM, word, ctx).findings) == \
        sorted((f.rule, f.fields) for f in validate(FORM, book, ctx).findings)
    row_sum = next(f for f in validate(FORM, word, ctx).findings if f.rule == "row-sum")
    assert row_sum.message.startswith("派出责任督学数（人）：表格第 3 行“合计”栏 合计(")


def test_a_word_table_of_another_kind_is_no_return(tmp_path):
    sub = read_word_return(write(tmp_path, "a.docx", article("曾都区实验小学")), FORM)
    assert [f.rule for f in sub.findings] == ["form-not-found"]


@pytest.mark.libreoffice
@pytest.mark.skipif(bool(lo.missing()), reason=lo.missing() or "-")
def test_annex5_in_word_saved_by_libreoffice_reads_back_the_same(tmp_path):
    vals = sample_values(random.Random(4), "小学", "万店镇中心小学", "朱红", "13872302001")
    ours = write(tmp_path / "a", "附件5.docx", annex5_docx(vals))
    odt_copy = lo.convert(ours, "odt", tmp_path / "odt")  # through LibreOffice's own format and back
    resaved = lo.convert(odt_copy, "docx", tmp_path / "lo")
    again = read_word_return(resaved, FORM)
    assert again.located_by == "docx" and dict(again.values) == dict(read_word_return(ours, FORM).values)
    assert dict(read_word_return(odt_copy, FORM, "odt").values) == dict(again.values)  # Writer's own format


@pytest.mark.libreoffice
@pytest.mark.skipif(bool(lo.missing(pdf=True)), reason=lo.missing(pdf=True) or "-")
def test_a_pdf_report_saved_from_word(tmp_path):
    source = write(tmp_path / "a", "报告.docx", article("万店镇中心小学", kind="督导工作落实情况报告", chars=800))
    pdf = lo.convert(source, "pdf", tmp_path / "pdf")
    doc = read_document(pdf)
    assert doc.format == "pdf" and doc.pages >= 1 and doc.chars >= 700
    got = identify_document("扫描件.pdf", doc, INDEX, SCHOOLS, PLAN)
    assert (got.school_id, got.material) == ("S2", "report")
