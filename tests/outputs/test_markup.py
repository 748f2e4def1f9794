"""The workbook a school gets back, read cell by cell: what is marked, how, and what the first
sheet says. ``marked_workbook`` is called directly on real files (fast: no collection, no
LibreOffice), and the bytes it returns are opened again with openpyxl as Excel would show them.
test_feedback runs the same through ``dudao feedback``; this is where each branch is pinned.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from aggregator.collection.store.ledger import ReturnRecord
from aggregator.findings import ERROR, WARNING, Finding
from aggregator.form.layout import layout_of
from aggregator.outputs.markup import AUTHOR, CHECK, FEEDBACK_SHEET, RETURNED, marked_workbook
from aggregator.outputs.notice import Notice, items_for
from aggregator.outputs.template import build_template
from aggregator.outputs.xlstyle import LIGHT_RED, ORANGE, YELLOW
from aggregator.reading.submission import Submission
from builders import FORM

LAYOUT = layout_of(FORM)
CELLS = LAYOUT.cells
SCHOOL = "曾都区实验小学"
TITLE = "曾都区2023年“双减”督导有关情况统计表"
DEADLINE = "请于11月22日前修改后重新报送。"
VALUES = {"unit": SCHOOL, "reporter": "王丽", "phone": "13872301001", "training_orgs.total": 3,
          "training_orgs.subject": 1, "training_orgs.non_subject": 1, "inspectors.total": 5}


def own_workbook(path: Path, values: dict = VALUES) -> Path:
    """What the school sent: the form we issued, filled in."""
    build_template(FORM, values=values, unit=SCHOOL).save(path)
    return path


def ret_for(values: dict = VALUES, name: str = "附件5-实验小学.xlsx") -> ReturnRecord:
    sub = Submission(FORM.id, FORM.version, dict(values), dict(CELLS), sheet=FORM.sheet)
    return ReturnRecord(sub, "0" * 64, "S0001", "metadata", None, "2023-11-15T10:05:33", (),
                        original_name=name, archived="archive/x.xlsx")


ROW_SUM = Finding("total-parts", ERROR, "合计栏：C6 培训机构(3) ≠ 学科类(1) + 非学科类(1)，请改正",
                  ("training_orgs.total", "training_orgs.subject", "training_orgs.non_subject"), ("C6", "D6", "E6"))
PHONE = Finding("phone", WARNING, "联系电话“13872301001”请核对", ("phone",), ("F3",))
ON_C6 = Finding("outlier", WARNING, "C6 明显偏大，请核对", ("training_orgs.total",), ("C6",))


def notice_for(ret: ReturnRecord, findings, *, kind: str = RETURNED, remark: str = "") -> Notice:
    """What the school is told of ``findings``, as ``feedback`` makes it: sent back on 20 November
    (a Monday) to send again by the 22nd."""
    errors, warnings = items_for(FORM, ret, findings)
    return Notice(SCHOOL, kind, TITLE, date(2023, 11, 20), by=date(2023, 11, 22), deadline=date(2023, 11, 20),
                  file_name=ret.original_name, received_at=ret.received_at, errors=errors if kind == RETURNED else (),
                  warnings=warnings, remark=remark)


def mark(path: Path, findings, *, kind: str = RETURNED, remark: str = "", ret: ReturnRecord | None = None,
         district: str = "曾都区"):
    ret = ret or ret_for()
    marked = marked_workbook(path, FORM, ret, notice_for(ret, findings, kind=kind, remark=remark), district=district,
                             meta={"kind": "feedback"})
    return marked, openpyxl.load_workbook(io.BytesIO(marked.data))


def full_values() -> dict:
    """A value in every cell of the form, as a school that filled everything in."""
    return {f.id: SCHOOL if f.id == "unit" else (2 if f.type in ("count", "number") else "文本") for f in FORM.fields}


def vml_styles(data: bytes) -> str:
    z = zipfile.ZipFile(io.BytesIO(data))
    return "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".vml"))


def guide_lines(wb) -> list[str]:
    ws = wb[FEEDBACK_SHEET]
    return [str(ws.cell(r, 1).value) for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value is not None]


def listed(wb) -> list[tuple]:
    """The list of problems on the first sheet: (序号, 单元格, link, 问题)."""
    ws = wb[FEEDBACK_SHEET]
    rows = []
    for r in range(1, ws.max_row + 1):
        if isinstance(ws.cell(r, 1).value, int):
            where = ws.cell(r, 2)
            rows.append((ws.cell(r, 1).value, where.value, where.hyperlink.location if where.hyperlink else None,
                         ws.cell(r, 3).value))
    return rows


def fill_of(cell) -> str | None:
    f = cell.fill
    return f.fgColor.rgb if f.fill_type == "solid" else None


# ================================================================================================
# The school's own workbook, marked
# ================================================================================================


def test_the_schools_own_file_is_marked_where_it_is_wrong(tmp_path):
    marked, wb = mark(own_workbook(tmp_path / "own.xlsx"), [ROW_SUM, PHONE])
    assert (marked.rebuilt, marked.table) == ("", FORM.sheet)
    assert wb.sheetnames[0] == FEEDBACK_SHEET and wb.active.title == FEEDBACK_SHEET
    ws = wb[FORM.sheet]
    assert [fill_of(ws[c]) for c in ("C6", "D6", "E6")] == [LIGHT_RED, None, None]  # the total is what to change
    assert fill_of(ws["F3"]) == YELLOW
    assert [fill_of(ws[c]) for c in ("E3", "G3", "F4", "B5", "C5", "E5")] == [None] * 6  # and nothing beyond it
    assert fill_of(ws["C8"]) is None  # a right cell is left alone
    assert ws["C6"].comment.author == AUTHOR and ws["C6"].comment.text == f"{AUTHOR}：\n{ROW_SUM.message}"
    assert ws["D6"].comment.text == ws["E6"].comment.text == f"{AUTHOR}：\n这一格与问题有关，供参考，见 C6 的批注"
    assert ws["F3"].comment.text == f"{AUTHOR}：\n{PHONE.message}" and ws["E3"].comment is None
    assert "width:300px;height:48px" in vml_styles(marked.data)  # the box fits its two lines
    assert ws["B3"].value == SCHOOL and ws["C6"].value == 3  # what the school typed stays
    assert [(p.level, p.where, p.targets, p.to_change) for p in marked.problems] == [
        (ERROR, "C6", ((FORM.sheet, "C6"), (FORM.sheet, "D6"), (FORM.sheet, "E6")), ((FORM.sheet, "C6"),)),
        (WARNING, "F3", ((FORM.sheet, "F3"),), ((FORM.sheet, "F3"),))]


def test_the_first_sheet_says_what_to_do_and_lists_every_problem(tmp_path):
    _, wb = mark(own_workbook(tmp_path / "own.xlsx"), [PHONE, ROW_SUM], remark="电话已核实，只改合计")
    lines = guide_lines(wb)
    assert lines[0] == f"{SCHOOL}：《{TITLE}》退回修改说明"
    assert lines[1] == ("贵单位报送的文件“附件5-实验小学.xlsx”（2023-11-15 10:05 收到）经校验，有 1 处需要修改，"
                        "另有 1 处请核对，现退回。")
    assert lines[2] == DEADLINE
    assert lines[3] == "区教育局说明：电话已核实，只改合计"
    assert lines[4].startswith(f"修改方法：在“{FORM.sheet}”工作表中，标红的单元格必须修改，标黄的单元格请核对（确认无误可以不改）")
    assert not any(line.startswith("注意") for line in lines)
    assert "一、需要修改（共 1 处，标红的单元格）" in lines
    assert "二、请核对（共 1 处，标黄的单元格，确认无误可以不改）" in lines
    assert listed(wb) == [(1, "C6", f"'{FORM.sheet}'!C6", ROW_SUM.message),  # errors first, the cell to change
                          (2, "F3", f"'{FORM.sheet}'!F3", PHONE.message)]


def test_an_accepted_return_to_check_says_so_and_sets_no_deadline(tmp_path):
    _, wb = mark(own_workbook(tmp_path / "own.xlsx"), [PHONE], kind=CHECK)
    lines = guide_lines(wb)
    assert lines[0] == f"{SCHOOL}：《{TITLE}》核对说明"
    assert lines[1].startswith("贵单位报送的文件“附件5-实验小学.xlsx”（2023-11-15 10:05 收到）已通过校验，已计入汇总。有 1 处请核对：")
    assert DEADLINE not in lines and not any(line.startswith("区教育局说明") for line in lines)
    assert "一、请核对（共 1 处，标黄的单元格，确认无误可以不改）" in lines and not any("需要修改" in x for x in lines)


def test_one_cell_with_two_problems_gets_one_comment_errors_first(tmp_path):
    path = own_workbook(tmp_path / "own.xlsx")
    wb = openpyxl.load_workbook(path)
    wb[FORM.sheet]["C6"].comment = Comment("含线上机构", "王丽")  # the school's own note
    wb.save(path)
    _, wb = mark(path, [ON_C6, ROW_SUM])
    text = wb[FORM.sheet]["C6"].comment.text
    assert text == (f"{AUTHOR}：\n1. 【须修改】{ROW_SUM.message}\n2. 【请核对】{ON_C6.message}\n（原批注：含线上机构）")
    assert fill_of(wb[FORM.sheet]["C6"]) == LIGHT_RED  # an error outweighs a warning on the same cell


def test_a_cell_inside_a_merge_is_marked_on_the_merge(tmp_path):
    inside = Finding("problems-text", WARNING, "请核对", ("problem_1",), ("D11",))  # the line's merge is C11:F11
    _, wb = mark(own_workbook(tmp_path / "own.xlsx"), [inside])
    ws = wb[FORM.sheet]
    assert fill_of(ws["C11"]) == YELLOW and ws["C11"].comment.text == f"{AUTHOR}：\n请核对"


def test_a_message_with_a_control_character_still_makes_a_valid_comment(tmp_path):
    typed = Finding("text", WARNING, "填报人“王\x07丽”请核对", ("reporter",), ("D3",))
    _, wb = mark(own_workbook(tmp_path / "own.xlsx"), [typed])
    assert wb[FORM.sheet]["D3"].comment.text == f"{AUTHOR}：\n填报人“王丽”请核对"


@pytest.mark.parametrize("cells,where,targets", [
    (("C6:E6",), "C6:E6", ["C6", "D6", "E6"]),
    (("$C$8",), "$C$8", ["C8"]),
    (("c9",), "c9", ["C9"]),
    (("A1:J10",), "A1:J10", [f"{c}{r}" for r in range(1, 11) for c in "ABCDEFGHIJ"]),  # 100 cells: all
    (("A1:J11",), "A1:J11", ["A1"]),  # more: a finding names cells, not a whole sheet
    (("A1:A101",), "A1:A101", ["A1"]),
    (("合计",), "合计", []),
    (("C6", "D6", "E6", "C8", "D8"), "C6、D6、E6 等 5 格", ["C6", "D6", "E6", "C8", "D8"]),
    ((), "—", []),
])
def test_the_cells_a_finding_names_are_the_cells_marked(tmp_path, cells, where, targets):
    f = Finding("row-sum", ERROR, "请改正", (), cells)
    marked, wb = mark(own_workbook(tmp_path / "own.xlsx"), [f])
    (p,) = marked.problems
    assert (p.where, [c for _, c in p.targets]) == (where, targets)
    assert all(fill_of(wb[FORM.sheet][c]) == LIGHT_RED for c in targets[:1])  # (inside a merge only its first shows)
    link = listed(wb)[0][2]
    assert link == (f"'{FORM.sheet}'!{targets[0]}" if targets else None)


def test_a_cell_on_another_sheet_is_marked_there(tmp_path):
    path = own_workbook(tmp_path / "own.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("X附表'1")["B2"] = 7
    wb.save(path)
    f = Finding("row-sum", ERROR, "附表请改正", (), ("'X附表''1'!B2", "无此表!B2"))
    marked, wb = mark(path, [f])
    assert marked.problems[0].targets == (("X附表'1", "B2"),)
    assert fill_of(wb["X附表'1"]["B2"]) == LIGHT_RED and wb["X附表'1"]["B2"].value == 7
    assert listed(wb)[0][2] == "'X附表''1'!B2"


def test_a_renamed_sheet_after_another_visible_one_is_still_the_one_marked(tmp_path):
    values = full_values()
    path = own_workbook(tmp_path / "own.xlsx", values)
    wb = openpyxl.load_workbook(path)
    wb[FORM.sheet].title = "我校数据"
    notes = wb.create_sheet("填表说明", 0)
    notes["C6"] = 2  # one figure that happens to sit where the table's would
    wb.save(path)
    cells = {"unit": "封面!B3", **{k: v for k, v in CELLS.items() if k != "unit"}}  # one read from elsewhere
    sub = Submission(FORM.id, FORM.version, values, cells, sheet="我校数据")
    ret = ReturnRecord(sub, "0" * 64, "S0001", "metadata", None, "2023-11-15T10:05:33", (),
                       original_name="附件5-实验小学.xlsx", archived="archive/x.xlsx")
    marked, wb = mark(path, [ROW_SUM], ret=ret)
    assert marked.table == "我校数据"
    assert fill_of(wb["我校数据"]["C6"]) == LIGHT_RED and fill_of(wb["填表说明"]["C6"]) is None
    assert guide_lines(wb)[3].startswith("修改方法：在“我校数据”工作表中")


def test_a_hidden_copy_of_the_table_is_not_the_one_marked(tmp_path):
    values = full_values()
    path = own_workbook(tmp_path / "own.xlsx", values)
    wb = openpyxl.load_workbook(path)
    hidden = wb.copy_worksheet(wb[FORM.sheet])
    hidden.title, hidden.sheet_state = "备份", "hidden"
    wb.move_sheet(hidden, -wb.index(hidden))  # first
    wb[FORM.sheet].title = "我校数据"
    wb.save(path)
    marked, wb = mark(path, [ROW_SUM], ret=ret_for(values))
    assert marked.table == "我校数据" and fill_of(wb["备份"]["C6"]) is None


def resent(tmp_path: Path, title: str, state: str = "visible"):
    """Our marked copy sent back with the table sheet renamed (and hidden if asked), marked again."""
    values = full_values()
    first, _ = mark(own_workbook(tmp_path / "own.xlsx", values), [ROW_SUM], ret=ret_for(values))
    again = tmp_path / "resent.xlsx"
    again.write_bytes(first.data)
    wb = openpyxl.load_workbook(again)
    wb[FORM.sheet].title = title
    wb[title].sheet_state = state
    wb.save(again)
    return mark(again, [ROW_SUM], ret=ret_for(values))


def test_a_resent_copy_with_the_table_renamed_is_marked_on_the_table(tmp_path):
    marked, wb = resent(tmp_path, "改后")
    assert marked.table == "改后" and fill_of(wb["改后"]["C6"]) == LIGHT_RED


def test_a_table_hidden_behind_our_guide_is_still_found(tmp_path):
    """Only 请先看这里 is visible (the school hid its renamed table): the hidden sheets are searched."""
    marked, wb = resent(tmp_path, "数据", "hidden")
    assert marked.table == "数据" and fill_of(wb["数据"]["C6"]) == LIGHT_RED


def test_last_rounds_marks_are_cleared_and_the_schools_own_colours_kept(tmp_path):
    first, _ = mark(own_workbook(tmp_path / "own.xlsx"), [ROW_SUM, PHONE])
    again = tmp_path / "resent.xlsx"
    again.write_bytes(first.data)  # the school sent our marked copy back, C6 corrected, phone not
    wb = openpyxl.load_workbook(again)
    wb[FORM.sheet]["C8"].fill = PatternFill("solid", fgColor="FF00B0F0")  # its own blue
    wb[FORM.sheet]["C8"].comment = Comment("本校备注", "王丽")
    wb.save(again)
    _, wb = mark(again, [PHONE])
    ws = wb[FORM.sheet]
    assert [fill_of(ws[c]) for c in ("C6", "D6", "E6")] == [None] * 3 and ws["C6"].comment is None
    assert fill_of(ws["F3"]) == YELLOW and ws["F3"].comment.text == f"{AUTHOR}：\n{PHONE.message}"
    assert fill_of(ws["C8"]) == "FF00B0F0" and ws["C8"].comment.text == "本校备注"
    assert wb.sheetnames.count(FEEDBACK_SHEET) == 1 and listed(wb) == [(1, "F3", f"'{FORM.sheet}'!F3", PHONE.message)]


def test_a_template_file_goes_back_as_a_plain_workbook(tmp_path):
    path = tmp_path / "own.xltx"
    wb = build_template(FORM, values=VALUES, unit=SCHOOL)
    wb.template = True
    wb.save(path)
    marked, _ = mark(path, [ROW_SUM])
    types = zipfile.ZipFile(io.BytesIO(marked.data)).read("[Content_Types].xml").decode()
    assert marked.rebuilt == "" and "template.main" not in types and "sheet.main+xml" in types


def test_a_workbook_without_an_extension_is_still_marked_in_place(tmp_path):
    path = own_workbook(tmp_path / "own.xlsx").rename(tmp_path / "附件5")
    marked, wb = mark(path, [ROW_SUM])
    assert marked.rebuilt == "" and fill_of(wb[FORM.sheet]["C6"]) == LIGHT_RED


# ================================================================================================
# A file openpyxl cannot edit: the form rebuilt from the values read
# ================================================================================================


@pytest.mark.parametrize("name,data,reason", [
    ("gone.xlsx", None, "在 archive 文件夹中找不到"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "是 .xls 格式"),
    ("附件5", b"not a zip at all", "不是 .xlsx 格式"),
    ("damaged.xlsx", b"PK\x03\x04" + bytes(100), "无法用程序直接编辑"),
])
def test_a_file_that_cannot_be_edited_is_rebuilt_from_the_values_read(tmp_path, name, data, reason):
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    values = dict(VALUES, **{"not_a_field": 9, "inspectors.primary": None})
    values.pop("unit")  # not read: the rebuilt form still names the school
    marked, wb = mark(path, [ROW_SUM, PHONE], ret=ret_for(values), district="广水市")
    assert (marked.rebuilt, marked.table) == (reason, FORM.sheet)
    ws = wb[FORM.sheet]
    assert ws[CELLS["training_orgs.total"]].value == 3 and ws[CELLS["reporter"]].value == "王丽"
    title = " ".join(str(c.value) for row in ws.iter_rows(max_row=3) for c in row if c.value)
    assert ws[CELLS["unit"]].value == SCHOOL and "广水市2023年" in title
    meta = {row[0].value: row[1].value for row in wb["dudao_meta"].iter_rows() if row[0].value}
    assert meta.get("kind") == "feedback"  # what we send out is ours again, known by its metadata
    assert ws[CELLS["inspectors.primary"]].value is None  # nothing invented for what was not read
    assert [(p.where, p.targets) for p in marked.problems] == [
        ("C6", ((FORM.sheet, "C6"), (FORM.sheet, "D6"), (FORM.sheet, "E6"))),
        ("F3", ((FORM.sheet, "F3"),))]  # placed by the fields, in our layout
    assert [fill_of(ws[c]) for c in ("C6", "D6", "F3")] == [LIGHT_RED, None, YELLOW]
    assert next(line for line in guide_lines(wb) if line.startswith("修改方法")).startswith(
        f"修改方法：在“{FORM.sheet}”工作表中")
    note = next(line for line in guide_lines(wb) if line.startswith("注意"))
    said = "" if name == "gone.xlsx" else f"{reason}，"  # the school is not told of our archive folder
    assert note.startswith(f"注意：贵单位报送的文件{said}无法在原表上标注，已按读到的数据重新生成本表")


def test_a_rebuilt_form_moved_from_last_period_shows_last_periods_figure_it_quotes(tmp_path):
    """A damaged return asked to explain a figure against last period gets the 情况说明 sheet with
    that figure's last period filled in, as the finding quotes it (so its live check agrees)."""
    from aggregator.findings import EXPLAIN
    from aggregator.form.explanations import SHEET, explanation_layout

    path = tmp_path / "damaged.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    moved = Finding("vs-previous", EXPLAIN, "派出责任督学数（人）·合计本期填 8，上期为 2，请核对", ("inspectors.total",),
                    (CELLS["inspectors.total"],), (8, 2), explanation="=新增", explained_by="school")
    from dataclasses import replace

    from aggregator.outputs.notice import sorted_items

    ret = ret_for(VALUES)
    _, explain, _ = sorted_items(FORM, ret, [moved])
    notice = replace(notice_for(ret, []), explain=explain)
    marked = marked_workbook(path, FORM, ret, notice, district="曾都区", meta={"kind": "feedback"})
    wb = openpyxl.load_workbook(io.BytesIO(marked.data))
    assert marked.rebuilt
    rows = {r.field: r for r in explanation_layout(FORM).previous}
    ws = wb[SHEET]
    assert ws[rows["inspectors.total"].cell(3)].value == 2
    assert all(ws[r.cell(3)].value is None for f, r in rows.items() if f != "inspectors.total")
    # what the school wrote, too short, is kept to complete (as text: never a formula), marked orange
    said = ws[explanation_layout(FORM).row_of("vs-previous").text_cell]
    assert (said.value, said.data_type, fill_of(said)) == ("=新增", "s", ORANGE)


def test_a_workbook_that_loads_but_cannot_be_saved_is_rebuilt(tmp_path, monkeypatch):
    """Some files load but fail on writing (parts openpyxl keeps but cannot write back): injected
    here at the first save, which is the school's own workbook."""
    from aggregator.outputs import markup

    real, calls = markup.workbook_bytes, []

    def first_fails(wb):
        calls.append(wb)
        if len(calls) == 1:
            raise ValueError("cannot write this part")
        return real(wb)

    monkeypatch.setattr(markup, "workbook_bytes", first_fails)
    marked, wb = mark(own_workbook(tmp_path / "own.xlsx"), [ROW_SUM])
    assert marked.rebuilt == "无法用程序直接保存" and len(calls) == 2
    assert any(line.startswith("注意：贵单位报送的文件无法用程序直接保存") for line in guide_lines(wb))


def test_a_long_comment_gets_a_taller_box(tmp_path):
    long = Finding("row-sum", ERROR, "合计栏" + "请核对各列数字之和" * 14, (), ("C6",))  # about 130 characters
    marked, _ = mark(own_workbook(tmp_path / "own.xlsx"), [long])
    assert "width:300px;height:104px" in vml_styles(marked.data)  # 1 + 5 lines of 60 narrow characters


def test_links_to_other_workbooks_never_travel_back(tmp_path):
    from openpyxl.workbook.external_link.external import ExternalBook, ExternalLink

    path = own_workbook(tmp_path / "own.xlsx")
    wb = openpyxl.load_workbook(path)
    link = ExternalLink(externalBook=ExternalBook(id="rId1"))
    link.file_link = __import__("openpyxl.packaging.relationship", fromlist=["Relationship"]).Relationship(
        type="externalLinkPath", Target="file:///C:/学校/私人名单.xlsx", TargetMode="External", Id="rId1")
    wb._external_links.append(link)
    wb.save(path)
    assert any("externalLink" in n for n in zipfile.ZipFile(path).namelist())  # the school's file has one
    marked, _ = mark(path, [ROW_SUM])
    assert marked.rebuilt == "" and not any("externalLink" in n for n in zipfile.ZipFile(io.BytesIO(marked.data)).namelist())
