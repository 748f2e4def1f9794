"""File formats: the bytes decide, never the extension; every spreadsheet format a school may send."""


import pytest

from aggregator.reading import read_return
from aggregator.reading import ods_parts
from aggregator.reading.sniff import sniff
from aggregator.reading.submission import BY_LAYOUT

import lo
from optional import require
from builders import (
    FORM,
    sample_values,
    write_return,
)

from reader_helpers import ODFPY, XLWT, assert_values, flat, noted, read

VALID = sample_values()


# ================================================================================================
# File formats (the extension never matters)
# ================================================================================================


def test_xlsm(tmp_path):
    sub = read(tmp_path, fmt="xlsm")
    assert sniff(tmp_path / "附件5.xlsm").format == "xlsm"
    assert_values(sub, VALID)


def test_xls(tmp_path):
    require("xlwt", XLWT)
    sub = read(tmp_path, fmt="xls")
    assert sniff(tmp_path / "附件5.xls").format == "xls"
    assert (sub.located_by, sub.sheet) == (BY_LAYOUT, FORM.sheet)
    assert_values(sub, VALID)


def test_xls_with_problems_and_moved_rows(tmp_path):
    require("xlwt", XLWT)
    sub = read(tmp_path, sample_values(inspectors__total="3个", notices__junior="x"), fmt="xls", insert_rows_at=8)
    assert sub.values["inspectors.total"] == 3
    assert flat(sub) == [("E11", "not-a-number", "error")]


def test_ods(tmp_path):
    require("odf", ODFPY)
    sub = read(tmp_path, fmt="ods")
    assert sniff(tmp_path / "附件5.ods").format == "ods"
    assert_values(sub, VALID)
    assert sub.meta["form_id"] == FORM.id


def test_ods_formula_without_saved_value_is_computed(tmp_path):
    require("odf", ODFPY)
    sub = read(tmp_path, sample_values(inspectors__total="=SUM(D8:E8)", notices__total="=1/0"), fmt="ods")
    assert sub.values["inspectors.total"] == 3
    assert noted(sub) == [("C8", "formula-computed", "=SUM(D8:E8)", 3)]
    assert flat(sub) == [("C10", "formula-error", "error")]


def test_ods_saved_errors_and_formulas_are_found_by_position():
    t = 'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    o = 'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    x = 'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"'
    p = 'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    content = f"""<office:document-content {t} {o} {x} {p}><office:body><office:spreadsheet>
      <table:table table:name="其他"><table:table-row><table:table-cell calcext:value-type="error"/>
      </table:table-row></table:table>
      <table:table table:name="统计表">
        <table:table-row table:number-rows-repeated="2"><table:table-cell/></table:table-row>
        <table:table-row><table:table-cell table:number-columns-repeated="2"/><table:covered-table-cell/>
          <table:table-cell table:formula="of:=1/0" office:value-type="string" calcext:value-type="error">
            <text:p>#DIV/0!</text:p></table:table-cell>
          <table:table-cell table:formula="of:=[.D3]+[.$A$1]"/>
          <table:table-cell table:formula="of:=1+1" office:value-type="float" office:value="2"/>
        </table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"""
    assert ods_parts.saved_formulas(content.encode(), "统计表") == {"D3": "#DIV/0!", "E3": "=D3+$A$1"}
    assert ods_parts.saved_formulas(b"<a/>", "统计表") == {}


def test_xls_readers_agree(tmp_path):
    require("xlwt", XLWT)
    vals = sample_values(inspectors__total="3个", notices__junior="x", phone=13872345678, typical_cases=None)
    path = write_return(tmp_path / "r.xls", vals, fmt="xls", insert_cols_at=4)
    first, second = (read_return(path, FORM, engine=e) for e in ("xlrd", "calamine"))
    assert (first.values, first.cells, first.notes, first.findings) == (
        second.values, second.cells, second.notes, second.findings)


def test_xls_named_xlsx_is_read_as_xls(tmp_path):
    require("xlwt", XLWT)
    path = write_return(tmp_path / "r.xls", VALID, fmt="xls")
    renamed = path.rename(tmp_path / "附件5(1).xlsx")
    assert_values(read_return(renamed, FORM), VALID)


@pytest.mark.libreoffice
@pytest.mark.skipif(not lo.soffice_available(), reason=lo.missing() or "-")
def test_saved_by_libreoffice_in_every_format(tmp_path):
    """Files as an office suite writes them: real .xls/.ods/.xlsx with saved formula results.
    (Typed into and saved through LibreOffice as a school would: test_libreoffice.py.)"""
    vals = sample_values(inspectors__total="=D8+E8", schools_visited__total="=SUM(D9:E9)", notices__total="=1/0")
    src = write_return(tmp_path / "src.xlsx", vals)
    for fmt in ("xls", "ods", "xlsx"):
        sub = read_return(lo.convert(src, fmt, tmp_path / "out"), FORM)
        assert sub.located_by == BY_LAYOUT, fmt
        assert_values(sub, sample_values(notices__total=None))
        assert flat(sub) == [("C10", "formula-error", "error")], fmt
        assert sub.notes == (), fmt  # saved results are plain values
