"""The first sheet of a marked workbook, "请先看这里": the school's notice, laid out on one page.

It says what every other channel says (``notice``): for a new version, what it put right and
what not; how many items must change, how many to explain (or correct) and how many only need a
look, each item once with its number (errors first), the cells to change (a click jumps to the
one that carries the comment), what the school still owes with each material's own deadline, and
the date to send again. The colours it names are the colours on the table: red, orange, yellow.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.styles import Alignment, Font
from openpyxl.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink

from ..filenames import display_name
from ..findings import ERROR, EXPLAIN, MIN_EXPLANATION, WARNING
from ..form.explanations import SHEET as EXPLAIN_SHEET
from ..form.layout import split_coord
from .notice import CHECK, EXPLAIN_HEAD, Notice
from .xlstyle import (LIGHT_RED, LINK_BLUE, ORANGE, RED, YELLOW, fill, font, page_setup, select_only, set_text,
                      text_height)

FEEDBACK_SHEET = "请先看这里"  # the reader should skip a sheet of this name in a resubmitted copy
HOW_TO = ("修改方法：在“{table}”工作表中，标红的单元格必须修改，{explain}标黄的单元格请核对（确认无误可以不改）。"
          "问题和改法写在批注中：把鼠标移到单元格上即可看到；同一处问题的其他单元格有一行批注指向它。"
          "点击下表“单元格”一栏可跳到该单元格。改好后保存，用本文件重新报送即可（本页和底色不用删除）。")
HOW_TO_EXPLAIN = "标橙的单元格需要说明：数字确实无误的，在“{sheet}”表该项的“说明”栏写明原因（不少于 {min} 个字），填错了的改正数字；"
_WRAP = Alignment(wrap_text=True, vertical="center")
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WIDTHS = {"A": 8, "B": 18, "C": 90}
_FILLS = {ERROR: fill(LIGHT_RED), EXPLAIN: fill(ORANGE), WARNING: fill(YELLOW)}
Target = tuple[str, str]  # (sheet title, cell) in the workbook sent back


@dataclass(frozen=True)
class Problem:
    """One item as the school is shown it: its number, the cells to change (in a few characters
    and as cells), every cell it names, and what it says. ``markup`` marks them in the table; this
    sheet lists them."""

    level: str
    where: str  # the cells to change: "C8", "C15、E15、C18 等 6 格", "表2!C7" or "—"
    message: str
    targets: tuple[Target, ...]  # every cell the item names
    change: tuple[Target, ...] = ()  # the cells to change (of ``targets``); () : all of them
    number: int = 0

    @property
    def to_change(self) -> tuple[Target, ...]:
        return self.change or self.targets


def add_guide(wb: Workbook, notice: Notice, problems: list[Problem], table_title: str, *, rebuilt: str) -> None:
    """Insert "请先看这里" first and make it the sheet that opens. ``problems``: the items as
    marked in the table (their cells); an item with no cell (a document's) is listed all the same."""
    for old in [ws for ws in wb.worksheets if ws.title == FEEDBACK_SHEET]:
        wb.remove(old)
    ws = wb.create_sheet(FEEDBACK_SHEET, 0)
    for col, width in _WIDTHS.items():
        ws.column_dimensions[col].width = width
    row = 1

    def prose(text: str, look: Font, height_min: float = 20) -> None:
        nonlocal row
        cell = ws.cell(row, 1)
        set_text(cell, text)
        cell.font, cell.alignment = look, _WRAP
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        ws.row_dimensions[row].height = max(height_min, text_height(text, sum(_WIDTHS.values()), look.size))
        row += 1

    received = notice.received_at.replace("T", " ")[:16]
    sent = f"贵单位报送的文件“{display_name(notice.file_name)}”（{received} 收到）"
    since = f"{notice.since_words()}。" if notice.since else ""
    if notice.kind == CHECK:
        prose(f"{notice.school_name}：《{notice.title}》核对说明", font(14, bold=True), 28)
        prose(f"{sent}已通过校验，已计入汇总。{notice.counts()}：确认无误不用修改，回复告知即可；"
              "如需修改，改好后用本文件重新报送。", font(11))
    else:
        prose(f"{notice.school_name}：《{notice.title}》退回修改说明", font(14, bold=True), 28)
        if since:  # what the new version put right comes first
            prose(since, font(11, bold=True))
        prose(f"{sent}经校验，{notice.counts()}，现退回。", font(11))
        prose(f"{notice.by_words()}。", font(11, bold=True, color=RED))
    if notice.remark:
        prose(f"区教育局说明：{notice.remark}", font(11, bold=True))
    for text in notice.due_words():
        prose(text, font(11))
    explain = HOW_TO_EXPLAIN.format(sheet=EXPLAIN_SHEET, min=MIN_EXPLANATION) if notice.explain else ""
    prose(HOW_TO.format(table=table_title, explain=explain), font(11))
    if rebuilt:
        why = "" if "archive" in rebuilt else f"{rebuilt}，"  # where we keep files is the clerk's business
        prose(f"注意：贵单位报送的文件{why}无法在原表上标注，已按读到的数据重新生成本表；"
              "下表中的单元格指本表中的位置，请在本表中核对全部数字、修改后报送。", font(11, color=RED))
    row += 1

    head = font(11, bold=True)
    table_head = row  # the head of the list of problems repeats on every printed page
    for col, text in enumerate(("序号", "单元格", "问题（及改法）"), start=1):
        cell = ws.cell(row, col)
        set_text(cell, text)
        cell.font, cell.alignment = head, _CENTRE
    ws.row_dimensions[row].height = 22
    row += 1

    marked = {p.number: p for p in problems}
    by_level = {level: [(n, i) for n, i in notice.numbered() if i.level == level] for level in _FILLS}
    headings = {ERROR: "需要修改（共 {n} 处，标红的单元格）",
                EXPLAIN: "需要说明（共 {n} 处，标橙的单元格）：" + EXPLAIN_HEAD,
                WARNING: "请核对（共 {n} 处，标黄的单元格，确认无误可以不改）"}
    groups = [(by_level[level], headings[level].format(n=len(by_level[level])), level) for level in _FILLS
              if by_level[level]]
    for number, (items, heading, level) in zip("一二三", groups):
        cell = ws.cell(row, 1)
        set_text(cell, f"{number}、{heading}")
        cell.font, cell.fill = head, _FILLS[level]
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        ws.row_dimensions[row].height = 22
        row += 1
        for n, item in items:
            p = marked.get(n)
            ws.cell(row, 1).value = n
            ws.cell(row, 1).alignment, ws.cell(row, 1).font = _CENTRE, font(11)
            where = ws.cell(row, 2)
            set_text(where, p.where if p is not None else "—")
            where.alignment = _CENTRE
            where.fill = _FILLS[level]
            if p is not None and p.to_change:  # the table's first cell (not the 情况说明 one)
                sheet, ref = min(p.to_change, key=lambda t: (t[0] != p.to_change[0][0], split_coord(t[1])))
                where.hyperlink = Hyperlink(ref="", location=f"'{sheet.replace(chr(39), chr(39) * 2)}'!{ref}")
                where.font = font(11, color=LINK_BLUE, underline="single")
            else:
                where.font = font(11)
            msg = ws.cell(row, 3)
            set_text(msg, item.text)
            msg.alignment, msg.font = _WRAP_TOP, font(11)
            ws.row_dimensions[row].height = max(20, text_height(item.text, _WIDTHS["C"]))
            row += 1
    if notice.owed or notice.unopened:
        row += 1
    for text in notice.unopened_words():
        prose(f"{text}。", font(11, bold=True))
    if notice.owed:
        prose(f"{notice.owed_words()}。材料请直接发到工作群或回复邮件，文件名写上学校名称和材料名称。",
              font(11, bold=True))

    page_setup(ws, landscape=True, title_rows=f"{table_head}:{table_head}")
    select_only(wb, ws)
