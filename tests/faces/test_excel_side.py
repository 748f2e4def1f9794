"""The Excel side (macros/): the reader over a workbook open in Excel, and the clerk's buttons.

Excel cannot run here, so xlwings is replaced at its edge by small fakes that behave like its
``Book``/``Sheet``/``Range`` (values as Excel gives them: every number a float, blanks None,
the used range starting where the content starts). The contract: a workbook read through Excel
gives the same ``Submission`` as the same file read from disk.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from aggregator.reading import read_return, read_workbook
from builders import FORM, sample_values, write_return
from macros import excel
from macros.xlwings_workbook import XlwingsWorkbook


class FakeRange:
    def __init__(self, row: int, column: int, value):
        self.row, self.column, self.value = row, column, value

    def options(self, ndim=None):
        return self


class FakeSheet:
    def __init__(self, name, visible, cells: dict[tuple[int, int], object]):
        self.name, self.visible, self.cells = name, visible, cells
        self.deleted = False
        self.colours: dict[str, tuple] = {}

    @property
    def used_range(self):
        if not self.cells:
            return FakeRange(1, 1, [[None]])
        rows = [r for r, _ in self.cells]
        cols = [c for _, c in self.cells]
        top, left = min(rows), min(cols)
        value = [[self.cells.get((r, c)) for c in range(left, max(cols) + 1)] for r in range(top, max(rows) + 1)]
        return FakeRange(top, left, value)

    def range(self, ref):
        sheet = self

        class Writer:
            def options(self, ndim=None):
                return self

            @property
            def value(self):
                return None

            @value.setter
            def value(self, rows):
                for i, row in enumerate(rows):
                    for j, v in enumerate(row):
                        sheet.cells[(i + 1, j + 1)] = v

            @property
            def color(self):
                return sheet.colours.get(ref)

            @color.setter
            def color(self, rgb):
                sheet.colours[ref] = rgb

        return Writer()

    def delete(self):
        self.deleted = True


class FakeSheets(list):
    def __getitem__(self, key):
        if isinstance(key, str):
            return next(s for s in self if s.name == key and not s.deleted)
        return list.__getitem__(self, key)

    def __iter__(self):
        return (s for s in list.__iter__(self) if not s.deleted)

    def __len__(self):
        return sum(1 for _ in self)

    def add(self, name, after=None):
        sheet = FakeSheet(name, True, {})
        self.append(sheet)
        return sheet


class FakeBook:
    """What Excel shows of a saved workbook: calculated values, numbers as floats."""

    def __init__(self, path: Path):
        self.name = path.name
        self.path = path
        wb = openpyxl.load_workbook(path, data_only=True)
        self.sheets = FakeSheets(
            FakeSheet(ws.title, ws.sheet_state == "visible",
                      {(c.row, c.column): float(c.value) if isinstance(c.value, int) and not isinstance(c.value, bool)
                       else c.value for row in ws.iter_rows() for c in row if c.value not in (None, "")})
            for ws in wb.worksheets
        )

        class Api:
            @staticmethod
            def SaveCopyAs(target):  # noqa: N802 - Excel's name
                shutil.copyfile(path, target)

        self.api = Api()


def same(a, b):
    assert dict(a.values) == dict(b.values)
    assert dict(a.cells) == dict(b.cells)
    assert a.located_by == b.located_by
    assert [(f.rule, f.cells) for f in a.findings] == [(f.rule, f.cells) for f in b.findings]
    assert dict(a.meta) == dict(b.meta)


@pytest.mark.parametrize("layout", [
    {},
    {"insert_rows_at": 7},
    {"insert_cols_at": 3, "meta": False},
    {"offset": (4, 2), "sheet_name": "Sheet1", "meta": False},
    {"style": "reordered"},
    {"extra_sheets_before": 2},
])
def test_a_workbook_read_through_excel_is_the_same_return(tmp_path, layout):
    vals = sample_values(inspectors__primary="3个", notices__junior="３", typical_cases=None)
    path = write_return(tmp_path / "附件5.xlsx", vals, **layout)
    same(read_workbook(XlwingsWorkbook(FakeBook(path)), FORM, source=path.name), read_return(path, FORM))


def test_without_excel_the_buttons_say_what_to_do_instead():
    # This machine has xlwings but no Excel: exactly the clerk on a WPS-only PC.
    with pytest.raises(excel.ExcelUnavailable) as err:
        excel.check_active()
    assert "dudao collect" in str(err.value) and "Excel" in str(err.value)


def test_without_xlwings_installed(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_xlwings(name, *a, **kw):
        if name == "xlwings":
            raise ImportError(name)
        return real(name, *a, **kw)

    monkeypatch.setattr(builtins, "__import__", no_xlwings)
    with pytest.raises(excel.ExcelUnavailable):
        excel.active_book()


class FakeXlwings:
    class XlwingsError(Exception):
        pass

    def __init__(self, book):
        self.books = type("Books", (), {"active": book})()


def test_check_active_lays_the_findings_out_on_their_own_sheet(tmp_path, monkeypatch):
    path = write_return(tmp_path / "附件5.xlsx", sample_values(inspectors__total=99, reporter=""))
    book = FakeBook(path)
    monkeypatch.setattr(excel, "_xlwings", lambda: FakeXlwings(book))
    report = excel.check_active()
    assert {f.rule for f in report.errors} == {"row-sum", "required"}
    result = book.sheets[excel.RESULT_SHEET]
    texts = [v for (r, c), v in sorted(result.cells.items()) if c == 3]
    assert texts[0] == "问题（及改法）" and any("C8 合计(99)" in t for t in texts)
    # The window's words and the marked workbook's fills: 错误 in light red, every row of it.
    levels = [v for (r, c), v in sorted(result.cells.items()) if c == 1]
    assert levels == ["级别", "错误", "错误"]
    assert result.colours == {"A2": (0xFF, 0xC7, 0xCE), "A3": (0xFF, 0xC7, 0xCE)}
    excel.check_active()  # again: the old result sheet is replaced, not doubled
    assert [s.name for s in book.sheets].count(excel.RESULT_SHEET) == 1


def test_the_result_sheet_orders_and_colours_as_the_letters_do(tmp_path, monkeypatch):
    """Errors, then what to explain (orange), then what to check (yellow), as every letter orders
    them; an explained one is shown as 已说明 without a fill. The fills are the marked workbook's."""
    from aggregator.findings import Finding, Report
    from aggregator.outputs import xlstyle

    def rgb(hex_argb):
        return tuple(int(hex_argb[i:i + 2], 16) for i in (2, 4, 6))

    assert excel.FILLS == {"error": rgb(xlstyle.LIGHT_RED), "explain": rgb(xlstyle.ORANGE),
                           "warning": rgb(xlstyle.YELLOW)}
    findings = [Finding(rule="w", level="warning", message="请核对这里", cells=("D9",)),
                Finding(rule="x", level="explain", message="请说明这里", cells=("E8",)),
                Finding(rule="y", level="explain", message="已经说明", cells=("F8",), explanation="上级临时增派督学"),
                Finding(rule="e", level="error", message="要改这里", cells=("C8",))]
    book = FakeBook(write_return(tmp_path / "附件5.xlsx", sample_values()))
    excel.show_report(book, Report(findings=tuple(findings)))
    result = book.sheets[excel.RESULT_SHEET]
    rows = [[result.cells.get((r, c)) for c in (1, 2, 3)] for r in range(2, 6)]
    assert rows == [["错误", "C8", "要改这里"], ["须说明", "E8", "请说明这里"],
                    ["已说明", "F8", "已经说明"], ["提示", "D9", "请核对这里"]]
    assert result.colours == {"A2": excel.FILLS["error"], "A3": excel.FILLS["explain"], "A5": excel.FILLS["warning"]}
    assert excel.check_sentence(Report(findings=tuple(findings))) == (
        "发现 1 处错误、1 处须说明（在“情况说明”表写明原因）、1 处提示，详见工作表“校验结果”。")
    assert excel.check_sentence(Report(findings=tuple(findings[:1]))) == "发现 1 处提示，详见工作表“校验结果”。"
    assert excel.check_sentence(Report()) == "未发现问题，可以报送。"


def test_collect_active_takes_a_copy_into_the_collection(tmp_path, monkeypatch, capsys):
    from aggregator.cli import main
    from aggregator.demo import fill_workbook, sample_values as demo_values
    import random

    roster = tmp_path / "r.csv"
    roster.write_text("学校名称,学段\n曾都区实验小学,小学\n", encoding="utf-8")
    folder = tmp_path / "c"
    main(["init", str(folder), "--name", "曾都区", "--roster", str(roster)])
    main(["distribute", str(folder)])
    filled = tmp_path / "附件5-曾都区实验小学.xlsx"
    vals = demo_values(random.Random(1), "小学", "曾都区实验小学", "王老师", "13872301001")
    filled.write_bytes(fill_workbook(folder / "outbox" / filled.name, FORM, vals))
    before = filled.read_bytes()
    monkeypatch.setattr(excel, "_xlwings", lambda: FakeXlwings(FakeBook(filled)))
    assert excel.collect_active(folder) == "已收取：曾都区实验小学，已通过"
    assert excel.collect_active(folder) == "这份表之前已经收取过了。"
    assert filled.read_bytes() == before


def test_check_active_takes_the_form_from_the_workbooks_own_metadata(tmp_path, monkeypatch):
    from aggregator.demo import fill_workbook
    from aggregator.form.parse import load_form
    from aggregator.outputs.template import build_template

    annex3 = load_form("annex3_checklist_2023")
    issued = tmp_path / "附件3.xlsx"
    build_template(annex3, unit="曾都区实验小学").save(issued)
    filled = tmp_path / "附件3-填好.xlsx"
    filled.write_bytes(fill_workbook(issued, annex3, {"reporter": "王老师", "phone": "13872301001",
                                                      "courses.status": "未落实"}))
    monkeypatch.setattr(excel, "_xlwings", lambda: FakeXlwings(FakeBook(filled)))
    rules = {f.rule for f in excel.check_active().findings}
    assert {"note-needed", "not-implemented", "status-required"} <= rules  # Annex 3's own rules


def test_check_active_on_a_workbook_we_did_not_issue_says_what_to_do(tmp_path, monkeypatch):
    path = write_return(tmp_path / "自制表.xlsx", sample_values(), meta=False)
    monkeypatch.setattr(excel, "_xlwings", lambda: FakeXlwings(FakeBook(path)))
    with pytest.raises(excel.CollectionError) as err:
        excel.check_active()
    assert "无法判断是哪张表" in str(err.value) and "dudao collect" in str(err.value)


def test_the_vba_buttons_call_functions_that_exist_with_their_arguments():
    """macros/dudao.bas: every RunPython names a function of macros.excel and binds its arguments."""
    import ast
    import inspect
    import re
    from pathlib import Path

    bas = (Path(excel.__file__).parent / "dudao.bas").read_bytes()
    text = bas.decode("gbk")  # VBA imports a module in the system code page: GBK on Chinese Windows
    assert b"\r\n" in bas and "Attribute VB_Name" in text
    subs = re.findall(r"^Public Sub (\S+)\(\)", text, re.M)
    assert subs == ["校验本表", "收取本表"]
    calls = re.findall(r'RunPython "([^"]*)"', text)
    assert len(calls) == 2
    for call in calls:
        code = call.split('" & ')[0]  # the folder is appended by VBA: r'…'
        code = code + "x')" if code.endswith("(r'") else code
        tree = ast.parse(code)
        assert isinstance(tree.body[0], ast.Import) and tree.body[0].names[0].name == "macros.excel"
        call_node = tree.body[1].value
        name = call_node.func.attr
        assert hasattr(excel, name), name
        inspect.signature(getattr(excel, name)).bind(*[ast.literal_eval(a) for a in call_node.args])


def test_buttons_tell_the_clerk_in_a_message_box(tmp_path, monkeypatch):
    path = write_return(tmp_path / "附件5.xlsx", sample_values(inspectors__total=99))
    shown = []

    class App:
        def alert(self, text, title=""):
            shown.append((title, text))

    fake = FakeXlwings(FakeBook(path))
    fake.apps = type("Apps", (), {"active": App()})()
    monkeypatch.setattr(excel, "_xlwings", lambda: fake)
    excel.button_check()
    assert shown[-1][0] == "校验本表" and shown[-1][1] == (
        "发现 1 处错误，详见工作表“校验结果”。")
    excel.button_collect(str(tmp_path / "不是收集文件夹"))
    assert shown[-1][0] == "收取本表" and "不是收集文件夹" in shown[-1][1] and "dudao init" in shown[-1][1]
