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


_LEVELS = {"error": "错误", "warning": "提示"}


def show_report(book: Any, report: Report) -> None:
    """Lay the findings out on a sheet of their own at the end of the workbook (replaced on rerun)."""
    if RESULT_SHEET in [s.name for s in book.sheets]:
        book.sheets[RESULT_SHEET].delete()
    sheet = book.sheets.add(RESULT_SHEET, after=book.sheets[len(book.sheets) - 1])
    rows = [["级别", "单元格", "问题（及改法）"]]
    rows += [[_LEVELS[f.level] if f.level != "explain" else ("已说明" if f.explained else "须说明"),
              "、".join(f.cells), f.message] for f in report.findings if f.level in ("error", "warning", "explain")]
    if len(rows) == 1:
        rows.append(["", "", "未发现问题，可以报送。"])
    # Text goes in as text: a message never starts a formula in Excel.
    sheet.range("A1").options(ndim=2).value = [[f"'{c}" if str(c)[:1] in "=+-@" else c for c in r] for r in rows]


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
    errors, warnings = len(report.errors), len(report.warnings)
    unexplained = sum(1 for f in report.explain if not f.explained)
    asked = f"{unexplained} 处须说明（在“情况说明”表中写明原因）、" if unexplained else ""
    text = (f"发现 {errors} 处错误、{asked}{warnings} 处提示，详见工作表“{RESULT_SHEET}”。"
            if errors or warnings or unexplained else "未发现问题，可以报送。")
    _alert(text, "校验本表")


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
