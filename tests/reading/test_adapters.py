"""The adapters: one contract, the same answers from calamine, openpyxl and xlrd."""

import subprocess
import sys

import pytest

from aggregator.reading import read_return
from aggregator.reading.port import value_at
from aggregator.reading.reader import open_workbook
from aggregator.reading.sniff import sniff

from optional import require
from builders import (
    FORM,
    sample_values,
    write_return,
)

from reader_helpers import ENGINES, ODFPY, XLWT


# ================================================================================================
# Adapters: one contract, same answers
# ================================================================================================

LAYOUTS = {
    "issued": {},
    "rows": {"insert_rows_at": 9},
    "cols": {"insert_cols_at": 4},
    "offset": {"meta": False, "offset": (3, 1)},
    "reordered": {"style": "reordered", "meta": False},
    "word": {"style": "word", "meta": False},
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_adapters_agree(tmp_path, layout):
    vals = sample_values(inspectors__total="3个", notices__junior="x", phone=13872345678, typical_cases=None)
    path = write_return(tmp_path / "r.xlsx", vals, **LAYOUTS[layout])
    subs = [read_return(path, FORM, engine=e) for e in ENGINES]
    first, second = subs
    assert (first.values, first.cells, first.notes, first.findings, first.sheet, first.located_by) == (
        second.values, second.cells, second.notes, second.findings, second.sheet, second.located_by)


ADAPTERS = [("xlsx", "calamine"), ("xlsx", "openpyxl"), ("xls", "calamine"), ("xls", "xlrd"), ("ods", "calamine")]


@pytest.mark.parametrize("fmt, engine", ADAPTERS)
def test_port_contract(tmp_path, fmt, engine):
    """Absolute coordinates, whole numbers as int, text as typed, sheets in order with visibility."""
    if fmt == "xls":
        require("xlwt", XLWT)
    if fmt == "ods":
        require("odf", ODFPY)
    from builders import WRITERS, SheetSpec

    path = tmp_path / f"contract.{fmt}"
    WRITERS[fmt](path, [SheetSpec("一", {(5, 3): 3, (6, 4): " 3个 ", (7, 5): 2.5, (9, 2): 13872345678}),
                        SheetSpec("二", {(1, 1): "x"}, state="hidden" if fmt != "ods" else "visible")])
    wb = open_workbook(sniff(path), engine)
    try:
        assert wb.sheet_names() == ["一", "二"]
        assert wb.is_visible("一") and (fmt == "ods" or not wb.is_visible("二"))
        grid = wb.grid("一")
        assert value_at(grid, 5, 3) == 3 and type(value_at(grid, 5, 3)) is int
        assert value_at(grid, 6, 4) == " 3个 "
        assert value_at(grid, 7, 5) == 2.5
        assert value_at(grid, 9, 2) == 13872345678
        assert value_at(grid, 1, 1) in ("", None) and value_at(grid, 99, 99) is None
        assert wb.formulas("一") == {}
    finally:
        wb.close()


def test_fast_path_does_not_load_openpyxl(tmp_path):
    path = write_return(tmp_path / "r.xlsx", sample_values(inspectors__total="=D8+E8"))
    code = (
        "import sys; from aggregator.form.parse import load_form; from aggregator.reading import read_return; "
        f"s = read_return({str(path)!r}, load_form()); assert s.values['inspectors.total'] == 3; "
        "assert 'openpyxl' not in sys.modules, 'openpyxl loaded'; assert 'xlrd' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
