"""Marking a school's own workbook: every wrong cell filled and commented, a first sheet listing all.

Why it is done this way:

- A school fixes its return fastest in the workbook it filled in: its own cells, its own layout,
  its own typing. So the archived file itself is marked (a red fill and a comment on every wrong
  cell, yellow for what only needs a look) rather than a fresh form, and a first sheet
  "请先看这里" lists everything at once, so nobody goes back and forth five times. Only a file
  openpyxl cannot write (.xls, .ods, a damaged .xlsx) is rebuilt from the values read, and then
  the cells are those of our layout.
- Nothing a school typed is ever evaluated: every text we write goes through ``set_text``, and
  the school's own cells are left as they were (a "=HYPERLINK(...)" reporter stays text).
- Macros never travel back, nor links to other files: workbooks are loaded with
  ``keep_vba=False, keep_links=False`` and saved as .xlsx.
- The marks of an earlier round are ours to remove, so a resubmitted feedback copy is marked
  afresh instead of showing last week's red on cells that are now right.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from ..findings import ERROR, WARNING, Finding
from ..form.declaration import Form
from ..filenames import display_name
from ..form.layout import coord, layout_of, split_coord
from ..collection.store.ledger import ReturnRecord
from .template import build_template
from .xlstyle import LIGHT_RED, LINK_BLUE, RED, YELLOW, display_width, fill, font, page_setup, select_only, set_text, text_height

FEEDBACK_SHEET = "请先看这里"  # the reader should skip a sheet of this name in a resubmitted copy
RETURNED, CHECK = "returned", "check"  # a copy sent back, or an accepted one with things to check
AUTHOR = "区教育局"
EDITABLE_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")

# What openpyxl raises on a workbook it cannot load or write back: damaged zips, parts it does
# not expect (some WPS and mobile apps), bad XML (ParseError is a SyntaxError).
_OPENPYXL_FAILURES = (
    OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, AttributeError,
    IndexError, SyntaxError,
)

_FILLS = {ERROR: fill(LIGHT_RED), WARNING: fill(YELLOW)}
_CELL_REF = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}")
_LEVEL_TAG = {ERROR: "须修改", WARNING: "请核对"}


@dataclass(frozen=True)
class Problem:
    """One finding as the school is shown it: where, in words and as cells to mark, and what."""

    level: str
    where: str  # "C7、D7、E7", "表2!C7" or "—"
    message: str
    targets: tuple[tuple[str, str], ...]  # (sheet title, cell) in the workbook sent back


@dataclass(frozen=True)
class Marked:
    """A workbook ready to send back: its bytes, the problems as shown in it, and why it had to
    be rebuilt from the values ("" when it is the school's own file)."""

    data: bytes
    problems: list[Problem]
    rebuilt: str
    table: str = ""  # the sheet holding the table, as named in ``data``


def marked_workbook(path: Path, form: Form, ret: ReturnRecord, findings: list[Finding], *, school: str,
                    district: str, meta: Mapping[str, str], title: str, deadline: str, kind: str = RETURNED,
                    remark: str = "") -> Marked:
    """The school's file at ``path`` marked with ``findings`` (errors first), or, when openpyxl
    cannot edit it, the form rebuilt from ``ret.values`` (with ``meta``) and marked instead.

    ``kind``: RETURNED (sent back) or CHECK (accepted, warnings to look at); ``remark``: the
    clerk's own words for this school, shown on the first sheet."""
    guide = _Guide(kind, school, title, deadline, remark)
    suffix = path.suffix.lower()
    if not path.is_file():
        rebuilt = "在 archive 文件夹中找不到"
    elif not (suffix in EDITABLE_SUFFIXES or (not suffix and zipfile.is_zipfile(path))):
        rebuilt = f"是 {suffix} 格式" if suffix else "不是 .xlsx 格式"
    else:
        try:
            with path.open("rb") as fh:  # a file object: openpyxl then ignores a missing extension
                wb = load_workbook(fh, keep_vba=False, keep_links=False)
        except _OPENPYXL_FAILURES:
            rebuilt = "无法用程序直接编辑"
        else:
            wb.template = False  # an .xltx/.xltm return goes back as a plain .xlsx workbook
            _clear_old_marks(wb)
            table = _table_sheet(wb, form, ret)
            problems = [_problem_in_own(wb, table, f) for f in findings]
            _mark(wb, problems)
            _add_guide(wb, guide, ret, problems, table.title, rebuilt="")
            try:
                return Marked(workbook_bytes(wb), problems, "", table.title)
            except _OPENPYXL_FAILURES:
                rebuilt = "无法用程序直接保存"
    wb = build_template(form, district=district, meta=meta, unit=school, values=_known_values(form, ret.values))
    problems = [_problem_by_layout(form, f) for f in findings]
    _mark(wb, problems)
    _add_guide(wb, guide, ret, problems, form.sheet, rebuilt=rebuilt)
    return Marked(workbook_bytes(wb), problems, rebuilt, form.sheet)


def workbook_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _known_values(form: Form, values: dict) -> dict:
    return {k: v for k, v in values.items() if form.has_field(k) and v is not None}


def _table_sheet(wb: Workbook, form: Form, ret: ReturnRecord) -> Worksheet:
    """The sheet the table was read from: the form's sheet name, else the visible sheet whose
    cells hold the values read (a school may have renamed it), else the first visible one."""
    if form.sheet in wb.sheetnames and isinstance(wb[form.sheet], Worksheet):
        return wb[form.sheet]
    candidates = [ws for ws in wb.worksheets if ws.sheet_state == "visible" and ws.title != FEEDBACK_SHEET]
    candidates = candidates or list(wb.worksheets)

    def score(ws: Worksheet) -> int:
        hits = 0
        for fid, ref in ret.cells.items():
            value = ret.values.get(fid)
            if "!" in ref or value is None or not _CELL_REF.fullmatch(ref.replace("$", "").upper()):
                continue
            cell = ws._cells.get(split_coord(ref))  # not ws[ref]: that would create the cell
            if cell is not None and str(cell.value).strip() == str(value):
                hits += 1
        return hits

    return max(candidates, key=score)  # max keeps the first of equals


def _problem_in_own(wb: Workbook, table: Worksheet, f: Finding) -> Problem:
    targets = []
    for raw in f.cells:
        sheet, _, ref = raw.rpartition("!")
        sheet = sheet.strip("'").replace("''", "'") if sheet else table.title
        ref = ref.replace("$", "").upper()
        if sheet in wb.sheetnames and isinstance(wb[sheet], Worksheet):
            targets.extend((sheet, cell) for cell in _expand_range(ref))
    return Problem(f.level, _where(f.cells), f.message, tuple(targets))


def _where(cells: tuple[str, ...] | list[str]) -> str:
    """The cells in a few characters: a group of connected findings names many."""
    if len(cells) > 4:
        return f"{'、'.join(cells[:3])} 等 {len(cells)} 格"
    return "、".join(cells) or "—"


def _problem_by_layout(form: Form, f: Finding) -> Problem:
    """A finding placed on the rebuilt form: its fields' cells in our layout."""
    cells = layout_of(form).cells
    refs = [cells[fid] for fid in f.fields if fid in cells]
    return Problem(f.level, _where(refs), f.message, tuple((form.sheet, r) for r in refs))


def _expand_range(ref: str) -> list[str]:
    """'C7' -> ['C7']; 'C7:E7' -> ['C7', 'D7', 'E7']; anything else -> []."""
    first, _, last = ref.partition(":")
    if not _CELL_REF.fullmatch(first) or (last and not _CELL_REF.fullmatch(last)):
        return []
    (r1, c1), (r2, c2) = split_coord(first), split_coord(last or first)
    if (r2 - r1 + 1) * (c2 - c1 + 1) > 100:  # a finding names cells, not whole sheets
        return [first]
    return [coord(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def _clear_old_marks(wb: Workbook) -> None:
    """Remove what an earlier feedback round added, so only today's problems show."""
    for ws in wb.worksheets:
        # The cells that exist, without creating the empty rectangle ``iter_rows`` would fill.
        for cell in list(ws._cells.values()):
            comment = getattr(cell, "comment", None)
            if comment is not None and comment.author == AUTHOR:
                cell.comment = None
            old = cell.fill
            if old.fill_type == "solid" and old.fgColor.type == "rgb" and old.fgColor.rgb in (LIGHT_RED, YELLOW):
                cell.fill = PatternFill()


def _mark(wb: Workbook, problems: Iterable[Problem]) -> None:
    """Fill and comment every target cell; one comment per cell lists all its problems."""
    by_cell: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        for target in dict.fromkeys(p.targets):
            by_cell.setdefault(target, []).append(p)
    for (sheet, ref), found in by_cell.items():
        ws = wb[sheet]
        anchor, area = _merged_area(ws, ref)
        level = ERROR if any(p.level == ERROR for p in found) else WARNING
        for cell in area:
            cell.fill = _FILLS[level]
        found = sorted(found, key=lambda p: p.level != ERROR)
        if len(found) == 1:
            lines = [found[0].message]
        else:
            lines = [f"{i}. 【{_LEVEL_TAG[p.level]}】{p.message}" for i, p in enumerate(found, start=1)]
        old = anchor.comment
        if old is not None:  # the school's own note stays readable
            lines.append(f"（原批注：{old.text}）")
        # A message quotes what was typed: a control character there would make the XML invalid.
        text = ILLEGAL_CHARACTERS_RE.sub("", f"{AUTHOR}：\n" + "\n".join(lines))
        anchor.comment = Comment(text, AUTHOR, height=_comment_height(text), width=300)


def _merged_area(ws: Worksheet, ref: str):
    """The top-left cell (which carries the comment) and every cell of the merge holding ``ref``."""
    for rng in ws.merged_cells.ranges:
        if ref in rng:
            cells = [ws.cell(r, c) for r in range(rng.min_row, rng.max_row + 1)
                     for c in range(rng.min_col, rng.max_col + 1)]
            return cells[0], cells
    cell = ws[ref]
    return cell, [cell]


def _comment_height(text: str) -> int:
    """Points for a 300 pt wide comment box to show ``text`` whole (about 60 narrow characters a line)."""
    lines = sum(max(1, -(-int(display_width(line)) // 60)) for line in text.split("\n"))
    return min(20 + lines * 14, 480)


# --- the first sheet ----------------------------------------------------------------------------

_WRAP = Alignment(wrap_text=True, vertical="center")
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_GUIDE_WIDTHS = {"A": 8, "B": 18, "C": 90}


@dataclass(frozen=True)
class _Guide:
    kind: str
    school: str
    title: str
    deadline: str
    remark: str


def _add_guide(wb: Workbook, guide: _Guide, ret: ReturnRecord, problems: list[Problem], table_title: str,
               *, rebuilt: str) -> None:
    """Insert "请先看这里" first and make it the sheet that opens."""
    for old in [ws for ws in wb.worksheets if ws.title == FEEDBACK_SHEET]:
        wb.remove(old)
    ws = wb.create_sheet(FEEDBACK_SHEET, 0)
    for col, width in _GUIDE_WIDTHS.items():
        ws.column_dimensions[col].width = width
    errors = [p for p in problems if p.level == ERROR]
    warnings = [p for p in problems if p.level == WARNING]
    received = ret.received_at.replace("T", " ")[:16]
    row = 1

    def prose(text: str, font: Font, height_min: float = 20) -> None:
        nonlocal row
        cell = ws.cell(row, 1)
        set_text(cell, text)
        cell.font, cell.alignment = font, _WRAP
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        ws.row_dimensions[row].height = max(height_min, text_height(text, sum(_GUIDE_WIDTHS.values()), font.size))
        row += 1

    sent = f"贵单位报送的文件“{display_name(ret.original_name)}”（{received} 收到）"
    if guide.kind == CHECK:
        prose(f"{guide.school}：《{guide.title}》核对说明", font(14, bold=True), 28)
        prose(f"{sent}已通过校验，已计入汇总。有 {len(warnings)} 处数字请核对：确认无误不用修改，"
              "回复告知即可；如需修改，改好后用本文件重新报送。", font(11))
    else:
        prose(f"{guide.school}：《{guide.title}》退回修改说明", font(14, bold=True), 28)
        prose(f"{sent}经校验，发现 {len(errors)} 处错误"
              + (f"、{len(warnings)} 处需要核对的地方" if warnings else "") + "，现退回，请修改后重新报送。",
              font(11))
        prose(guide.deadline, font(11, bold=True, color=RED))
    if guide.remark:
        prose(f"区教育局说明：{guide.remark}", font(11, bold=True))
    prose(f"修改方法：在“{table_title}”工作表中，标红的单元格有错误，必须修改；标黄的单元格请核对，确认无误可以不改。"
          "把鼠标移到单元格上可以看到批注（问题和改法）；点击下表“单元格”一栏可跳到该单元格。"
          "改好后保存，用本文件重新报送即可（本页和底色不用删除）。", font(11))
    if rebuilt:
        prose(f"注意：贵单位报送的文件{rebuilt}，无法在原表上标注，已按读到的数据重新生成本表；"
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

    seq = 0
    groups = [(errors, f"一、必须修改的错误（共 {len(errors)} 处）", ERROR),
              (warnings, f"二、请核对的地方（共 {len(warnings)} 处，确认无误可以不改）", WARNING)]
    for items, heading, level in groups:
        if not items:
            continue
        cell = ws.cell(row, 1)
        set_text(cell, heading)
        cell.font, cell.fill = head, _FILLS[level]
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        ws.row_dimensions[row].height = 22
        row += 1
        for p in items:
            seq += 1
            ws.cell(row, 1).value = seq
            ws.cell(row, 1).alignment = _CENTRE
            where = ws.cell(row, 2)
            set_text(where, p.where)
            where.alignment = _CENTRE
            where.fill = _FILLS[level]
            if p.targets:
                sheet, ref = p.targets[0]
                where.hyperlink = Hyperlink(ref="", location=f"'{sheet.replace(chr(39), chr(39) * 2)}'!{ref}")
                where.font = font(11, color=LINK_BLUE, underline="single")
            else:
                where.font = font(11)
            msg = ws.cell(row, 3)
            set_text(msg, p.message)
            msg.alignment = _WRAP_TOP
            msg.font = font(11)
            ws.cell(row, 1).font = font(11)
            ws.row_dimensions[row].height = max(20, text_height(p.message, _GUIDE_WIDTHS["C"]))
            row += 1

    page_setup(ws, landscape=True, title_rows=f"{table_head}:{table_head}")
    select_only(wb, ws)
