"""Marking a school's own workbook: the cells to change filled and commented, a first sheet listing all.

Why it is done this way:

- A school fixes its return fastest in the workbook it filled in: its own cells, its own layout,
  its own typing. So the archived file itself is marked rather than a fresh form, and a first
  sheet "请先看这里" (``guide``) lists everything at once, so nobody goes back and forth five
  times. Only a file openpyxl cannot write (.xls, .ods, a damaged .xlsx) is rebuilt from the
  values read, and then the cells are those of our layout.
- Only the cells to change are coloured, by level: red must change, orange to explain (or
  correct; the row of the 情况说明 sheet where the explanation goes is orange too), yellow to
  check (``checks.focus``: "C8 合计(3) ≠ 小学(2) + 初中(0)" colours C8 alone). Each item has one comment
  with its whole text, on the first cell to change; its other cells carry a one-line comment
  pointing there, so eight cells do not repeat one long paragraph. The workbook's own live check
  is taken off the cells we mark, so its colours never contradict ours.
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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Mapping

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.styles import PatternFill
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from ..findings import ERROR, EXPLAIN, WARNING
from ..form.explanations import SHEET as EXPLAIN_SHEET, explanation_layout
from ..form.declaration import PERIOD_RULE, Form
from ..form.layout import coord, layout_of, split_coord
from ..collection.store.ledger import ReturnRecord
from .guide import FEEDBACK_SHEET, Problem, Target, add_guide
from .items import Item
from .notice import CHECK, RETURNED, Notice
from .template import build_template
from .xlstyle import LIGHT_RED, ORANGE, YELLOW, display_width, fill, set_text

AUTHOR = "区教育局"
__all__ = ["AUTHOR", "CHECK", "FEEDBACK_SHEET", "RETURNED", "Marked", "Problem", "marked_workbook", "workbook_bytes"]
EDITABLE_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")

# What openpyxl raises on a workbook it cannot load or write back: damaged zips, parts it does
# not expect (some WPS and mobile apps), bad XML (ParseError is a SyntaxError).
_OPENPYXL_FAILURES = (
    OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, AttributeError,
    IndexError, SyntaxError,
)

_FILLS = {ERROR: fill(LIGHT_RED), EXPLAIN: fill(ORANGE), WARNING: fill(YELLOW)}
_CELL_REF = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}")
_LEVEL_TAG = {ERROR: "须修改", EXPLAIN: "须说明", WARNING: "请核对"}


@dataclass(frozen=True)
class Marked:
    """A workbook ready to send back: its bytes, the problems as shown in it, and why it had to
    be rebuilt from the values ("" when it is the school's own file)."""

    data: bytes
    problems: list[Problem]
    rebuilt: str
    table: str = ""  # the sheet holding the table, as named in ``data``


def marked_workbook(path: Path, form: Form, ret: ReturnRecord, notice: Notice, *, district: str,
                    meta: Mapping[str, str]) -> Marked:
    """The school's file at ``path`` marked with the items of ``notice`` (a RETURNED or CHECK one),
    or, when openpyxl cannot edit it, the form rebuilt from ``ret.values`` (with ``meta``) and
    marked instead."""
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
            problems = [_with_explanation_cell(wb, form, _problem_in_own(wb, table, n, item), item)
                        for n, item in notice.numbered()]
            _mark(wb, problems)
            add_guide(wb, notice, problems, table.title, rebuilt="")
            try:
                return Marked(workbook_bytes(wb), problems, "", table.title)
            except _OPENPYXL_FAILURES:
                rebuilt = "无法用程序直接保存"
    # A figure moved from last period: its block shows last period's figure the finding quotes.
    period = [f for _, item in notice.numbered() for f in item.findings if f.rule == PERIOD_RULE]
    wb = build_template(form, district=district, meta=meta, unit=notice.school_name,
                        values=_known_values(form, ret.values), explain=bool(period),
                        previous={f.fields[0]: f.values[1] for f in period if f.fields and len(f.values) > 1})
    _keep_explanations(wb, form, notice)
    problems = [_with_explanation_cell(wb, form, _problem_by_layout(form, ret, n, item), item)
                for n, item in notice.numbered()]
    _mark(wb, problems)
    add_guide(wb, notice, problems, form.sheet, rebuilt=rebuilt)
    return Marked(workbook_bytes(wb), problems, rebuilt, form.sheet)


def _keep_explanations(wb: Workbook, form: Form, notice: Notice) -> None:
    """A rebuilt form keeps what the school wrote on its 情况说明 sheet (a 说明 too short, to
    complete rather than write again), each in its rule's 说明 cell, as text."""
    layout = explanation_layout(form)
    if layout is None or EXPLAIN_SHEET not in wb.sheetnames:
        return
    for _, item in notice.numbered():
        for f in item.findings:
            row = layout.row_of(f.rule) if f.level == EXPLAIN and f.explanation and f.explained_by != "clerk" else None
            if row is not None and not wb[EXPLAIN_SHEET][row.text_cell].value:
                set_text(wb[EXPLAIN_SHEET][row.text_cell], f.explanation)


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


def _problem_in_own(wb: Workbook, table: Worksheet, number: int, item: Item) -> Problem:
    def targets(cells: tuple[str, ...]) -> tuple[Target, ...]:
        out = []
        for raw in cells:
            sheet, _, ref = raw.rpartition("!")
            sheet = sheet.strip("'").replace("''", "'") if sheet else table.title
            ref = ref.replace("$", "").upper()
            if sheet in wb.sheetnames and isinstance(wb[sheet], Worksheet):
                out.extend((sheet, cell) for cell in _expand_range(ref))
        return tuple(out)

    change = targets(item.to_change)
    return Problem(item.level, _where(_in_reading_order(item.to_change)), item.text, targets(item.cells), change,
                   number)


def _with_explanation_cell(wb: Workbook, form: Form, p: Problem, item: Item) -> Problem:
    """An item to explain also marks where the explanation goes: the 说明 cell of its rule's row
    on the workbook's 情况说明 sheet (found by the rule's name, as the reader finds it), when the
    workbook has that sheet."""
    layout = explanation_layout(form)
    if item.level != EXPLAIN or layout is None or EXPLAIN_SHEET not in wb.sheetnames:
        return p
    row = layout.row_of(item.findings[0].rule)
    ws = wb[EXPLAIN_SHEET]
    found = next((r for r in range(1, min(ws.max_row, 200) + 1) if ws.cell(r, 2).value == getattr(row, "name", None)),
                 None)
    if found is None:
        return p
    target = (EXPLAIN_SHEET, coord(found, split_coord(row.text_cell)[1]))
    return replace(p, targets=p.targets + (target,), change=p.to_change + (target,))


def _in_reading_order(cells: tuple[str, ...]) -> tuple[str, ...]:
    """Cells as a reader meets them: by sheet as named, then row, then column."""
    def key(raw: str) -> tuple[str, int, int]:
        sheet, _, ref = raw.rpartition("!")
        first = ref.replace("$", "").upper().partition(":")[0]
        return (sheet, *split_coord(first)) if _CELL_REF.fullmatch(first) else (sheet, 0, 0)
    return tuple(sorted(cells, key=key))


def _where(cells: tuple[str, ...] | list[str]) -> str:
    """The cells in a few characters: a group of connected findings names many."""
    if len(cells) > 4:
        return f"{'、'.join(cells[:3])} 等 {len(cells)} 格"
    return "、".join(cells) or "—"


def _problem_by_layout(form: Form, ret: ReturnRecord, number: int, item: Item) -> Problem:
    """An item placed on the rebuilt form: its fields' cells in our layout."""
    cells = layout_of(form).cells
    refs = [cells[fid] for fid in item.fields if fid in cells]
    change = [cells[fid] for fid in item.fields if fid in cells and ret.cells.get(fid) in item.to_change]
    change = change if set(item.to_change) != set(item.cells) else refs
    return Problem(item.level, _where(_in_reading_order(tuple(change or refs))), item.text,
                   tuple((form.sheet, r) for r in refs),
                   tuple((form.sheet, r) for r in change), number)


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
            if old.fill_type == "solid" and old.fgColor.type == "rgb" and old.fgColor.rgb in (LIGHT_RED, ORANGE, YELLOW):
                cell.fill = PatternFill()


def _mark(wb: Workbook, problems: Iterable[Problem]) -> None:
    """Colour the cells to change by level; one comment per item, with its whole text, on its
    first cell to change; a line on each of its other cells pointing there."""
    by_cell: dict[Target, list[tuple[Problem, str, str]]] = {}  # anchor cell -> (problem, role, its comment cell)
    for p in problems:
        change = {_anchor(wb, t) for t in p.to_change}
        table = p.to_change[0][0] if p.to_change else ""  # the comment goes on the table, not on 情况说明
        main = min(change, key=lambda t: (t[0] != table, _reading_order(t))) if change else None
        for target in dict.fromkeys(_anchor(wb, t) for t in p.targets):
            role = "main" if target == main else "change" if target in change else "related"
            by_cell.setdefault(target, []).append((p, role, _ref(main, target)))
    for (sheet, ref), found in by_cell.items():
        ws = wb[sheet]
        anchor, area = _merged_area(ws, ref)
        changed = [p.level for p, role, _ in found if role != "related"]
        if changed:
            level = next(level for level in (ERROR, EXPLAIN, WARNING) if level in changed)
            for cell in area:
                cell.fill = _FILLS[level]
        _quiet_live_check(ws, area)
        found = sorted(found, key=lambda x: (x[1] != "main", (ERROR, EXPLAIN, WARNING).index(x[0].level)))
        lines = [_comment_line(p, role, where, len(found) > 1) for p, role, where in found]
        old = anchor.comment
        if old is not None:  # the school's own note stays readable
            lines.append(f"（原批注：{old.text}）")
        # A message quotes what was typed: a control character there would make the XML invalid.
        text = ILLEGAL_CHARACTERS_RE.sub("", f"{AUTHOR}：\n" + "\n".join(lines))
        anchor.comment = Comment(text, AUTHOR, height=_comment_height(text), width=300)


def _comment_line(p: Problem, role: str, where: str, several: bool) -> str:
    if role == "main":
        return f"{p.number}. 【{_LEVEL_TAG[p.level]}】{p.message}" if several else p.message
    if role == "change":
        what = {ERROR: "这一格也需要修改", EXPLAIN: "这一项需要说明（或改正数字）"}.get(p.level, "这一格也请核对")
    else:
        what = "这一格与问题有关，供参考"
    return f"{p.number}. {what}，见 {where} 的批注" if several else f"{what}，见 {where} 的批注"


def _anchor(wb: Workbook, target: Target) -> Target:
    """A target as the cell that carries a merge's comment (its top-left)."""
    sheet, ref = target
    anchor, _ = _merged_area(wb[sheet], ref)
    return sheet, anchor.coordinate


def _reading_order(target: Target) -> tuple[int, int]:
    return split_coord(target[1])


def _ref(main: Target | None, here: Target) -> str:
    if main is None:
        return ""
    return main[1] if main[0] == here[0] else f"{main[0]}!{main[1]}"


def _quiet_live_check(ws: Worksheet, area: list) -> None:
    """Take the workbook's own live-check colouring off ``area``: our marks say what to change."""
    if not ws.conditional_formatting:
        return
    marked = {c.coordinate for c in area}
    kept = ConditionalFormattingList()
    for cf in ws.conditional_formatting:
        ranges = [str(r) for r in cf.sqref.ranges
                  if not marked & set(_expand_range(str(r)) if ":" in str(r) else [str(r)])]
        for rule in cf.rules if ranges else ():
            kept.add(" ".join(ranges), rule)
    ws.conditional_formatting = kept


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


