"""What the clerk can do from Excel: check the workbook in front of them, or take it in.

The buttons are ``macros/dudao.bas`` (a VBA module the clerk imports; see ``macros/README.md``),
which call ``button_check`` and ``button_collect`` through xlwings' ``RunPython``: they tell the
clerk the outcome in an Excel message box, a Chinese sentence, never a Python traceback. The same
work is ``check_active`` and ``collect_active`` for Python. Without Excel, each raises
``ExcelUnavailable`` whose message says what to do instead; nothing else changes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from aggregator.session import STATE_LABELS, CollectionError, Form, Report, check_workbook, open_session, run

from .xlwings_workbook import XlwingsWorkbook

NO_EXCEL = (
    "没有检测到可用的 Microsoft Excel（此功能需要 Windows 或 macOS 上的 Excel 和 xlwings）。"
    "可以把文件保存到收集文件夹的 inbox 中，再运行 dudao collect 或在桌面程序中点“收取文件”。"
)
UNKNOWN_FORM = ("这个工作簿不是程序下发的表（或表格被重新制作过），无法判断是哪张表。"
                "请把文件保存到收集文件夹的 inbox 中，再运行 dudao collect 或在桌面程序中点“收取文件”")
RESULT_SHEET = "校验结果"


class ExcelUnavailable(CollectionError):
    """No Excel to talk to: the message names the plain-file way instead."""


def _xlwings():
    try:
        import xlwings
    except ImportError:
        raise ExcelUnavailable(NO_EXCEL) from None
    return xlwings


def active_book(xw: Any = None) -> Any:
    xw = xw or _xlwings()
    try:
        return xw.books.active
    except xw.XlwingsError:  # Linux: xlwings has no interactive mode there
        raise ExcelUnavailable(NO_EXCEL) from None


def check_book(book: Any, form: Form | None = None) -> Report:
    """The engine's findings for an open workbook, as if it had arrived as a file; the form is
    the one the workbook's own metadata names (the workbook we issued says which form it is)."""
    report = check_workbook(XlwingsWorkbook(book), book.name, form)
    if report is None:
        raise CollectionError(UNKNOWN_FORM)
    return report


# The clerk's words, as the window and the working summary have them (错误, 须说明 until explained
# then 已说明, 提示), on the fills of the marked workbook: red, orange, yellow
# (``aggregator.outputs.xlstyle``'s, as RGB).
_LEVELS = {"error": "错误", "warning": "提示"}
FILLS = {"error": (0xFF, 0xC7, 0xCE), "explain": (0xF4, 0xB1, 0x83), "warning": (0xFF, 0xEB, 0x9C)}


def _level_word(finding: Any) -> str:
    if finding.level == "explain":
        return "已说明" if finding.explained else "须说明"
    return _LEVELS[finding.level]


def show_report(book: Any, report: Report) -> None:
    """Lay the findings out on a sheet of their own at the end of the workbook (replaced on rerun)."""
    if RESULT_SHEET in [s.name for s in book.sheets]:
        book.sheets[RESULT_SHEET].delete()
    sheet = book.sheets.add(RESULT_SHEET, after=book.sheets[len(book.sheets) - 1])
    shown = [*report.errors, *report.explain, *report.warnings]  # in the order every letter numbers them
    rows = [["级别", "单元格", "问题（及改法）"]]
    rows += [[_level_word(f), "、".join(f.cells), f.message] for f in shown]
    if len(rows) == 1:
        rows.append(["", "", "未发现问题，可以报送。"])
    # Text goes in as text: a message never starts a formula in Excel.
    sheet.range("A1").options(ndim=2).value = [[f"'{c}" if str(c)[:1] in "=+-@" else c for c in r] for r in rows]
    for row, finding in enumerate(shown, start=2):
        if not (finding.level == "explain" and finding.explained):
            sheet.range(f"A{row}").color = FILLS[finding.level]


def check_active() -> Report:
    """The button: check the active workbook and show the result beside it."""
    book = active_book()
    report = check_book(book)
    show_report(book, report)
    return report


def collect_active(collection_dir: str | Path) -> str:
    """Take the active workbook into a collection: saved as a copy into a temp folder, then
    collected like any received file (archived first). The open workbook is left as it is."""
    book = active_book()
    with open_session(collection_dir) as session, tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / Path(book.name).name
        if copy.suffix.lower() not in (".xlsx", ".xlsm", ".xls"):
            copy = copy.with_suffix(".xlsx")
        book.api.SaveCopyAs(str(copy))
        result = run(session.collect([copy], workers=1))
    if result.unreadable:
        return f"无法读取：{result.unreadable[0][1]}"
    if not result.new_returns:
        return "这份表之前已经收取过了。"
    _, school, status = result.new_returns[0]
    return f"已收取：{school or '（未识别学校）'}，{STATE_LABELS[status]}"


# --- the buttons (macros/dudao.bas) ---------------------------------------------------------------


def button_check() -> None:
    """校验本表: the findings on a sheet of their own, and a message box saying how many."""
    try:
        report = check_active()
    except CollectionError as exc:
        _alert(exc.render(), "校验本表")
        return
    _alert(check_sentence(report), "校验本表")


def check_sentence(report: Report) -> str:
    """"发现 1 处错误、1 处须说明（在“情况说明”表写明原因）、2 处提示，详见工作表“校验结果”。"
    in the window's words; an explained item is not counted."""
    unexplained = sum(1 for f in report.explain if not f.explained)
    parts = [f"{n} 处{word}" for n, word in ((len(report.errors), "错误"),
                                             (unexplained, "须说明（在“情况说明”表写明原因）"),
                                             (len(report.warnings), "提示")) if n]
    return f"发现 {'、'.join(parts)}，详见工作表“{RESULT_SHEET}”。" if parts else "未发现问题，可以报送。"


def button_collect(collection_dir: str) -> None:
    """收取本表: take the open workbook into the collection, and say what became of it."""
    try:
        text = collect_active(collection_dir)
    except CollectionError as exc:
        text = exc.render()
    _alert(text, "收取本表")


def _alert(text: str, title: str) -> None:
    try:
        _xlwings().apps.active.alert(text, title=title)
    except ExcelUnavailable:
        print(f"{title}：{text}")
