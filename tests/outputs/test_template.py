"""The workbook we issue: the printed form, its guard rails, its live checks and fast copies."""

from __future__ import annotations

import io
import re
import tomllib
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from aggregator.atomic import save_workbook_atomic, write_atomic
from aggregator.form.expr import compile_expr
from aggregator.form.declaration import FormError
from aggregator.resources import TEMPLATES_DIR
from aggregator.form.parse import load_form
from aggregator.form.parse import parse_form
from aggregator.form.layout import layout_of, split_coord
from aggregator.outputs.live_checks import live_checks, live_rules, summary_formula
from aggregator.outputs.personalise import personalise, template_bytes
from aggregator.outputs.template import META_SHEET, SCHOOL_KEYS, build_template, read_meta_rows
from aggregator.outputs.xlstyle import set_text

FORM = load_form()
LAYOUT = layout_of(FORM)
SCHOOL = {
    "collection_id": "2023-双减-11",
    "school_id": "S042",
    "school_name": "曾都区<实验>&“二”小学",
    "issued_at": "2023-11-01T09:00:00",
}
PORTABLE_FUNCTIONS = {"IF", "IFERROR", "AND", "OR", "NOT", "LEN", "TRIM", "SUMPRODUCT", "INT", "COUNTA", "NA", "DATE"}


# --- helpers ------------------------------------------------------------------------------------


def save(wb: openpyxl.Workbook, path: Path) -> Path:
    wb.save(path)
    return path


def cells_of(rng: str) -> list[str]:
    first, _, last = rng.partition(":")
    (r1, c1), (r2, c2) = split_coord(first), split_coord(last or first)
    return [f"{openpyxl.utils.get_column_letter(c)}{r}" for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def field_cells() -> set[str]:
    return {c for fid in LAYOUT.cells for c in cells_of(LAYOUT.value_spans.get(fid, LAYOUT.cells[fid]))}


def all_values(wb: openpyxl.Workbook) -> dict[str, list[list]]:
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def calamine_rows(path: Path, sheet: str = FORM.sheet) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def cell_value(rows: list[list], ref: str):
    r, c = split_coord(ref)
    return rows[r - 1][c - 1]


@pytest.fixture(scope="module")
def template_file(tmp_path_factory) -> Path:
    wb = build_template(FORM, district="随县", meta={"kind": "template", **SCHOOL}, unit=SCHOOL["school_name"])
    return save(wb, tmp_path_factory.mktemp("template") / "附件5.xlsx")


@pytest.fixture(scope="module")
def book(template_file) -> openpyxl.Workbook:
    return openpyxl.load_workbook(template_file)


@pytest.fixture(scope="module")
def ws(book):
    return book[FORM.sheet]


# --- the printed form ---------------------------------------------------------------------------


def test_template_opens_on_the_form_sheet(book):
    assert book.sheetnames == [FORM.sheet, META_SHEET]
    assert book.active.title == FORM.sheet


def test_every_declared_label_is_at_its_layout_cell(ws):
    for text in LAYOUT.texts:
        if text.kind != "title":
            assert ws[text.cell].value == text.text, text


def test_title_names_the_district(ws):
    assert ws["A1"].value == "附件5"
    assert ws["A2"].value == FORM.title("随县")
    assert "随县" in ws["A2"].value
    assert ws["A2"].font.b and ws["A2"].font.sz > 11


def test_merged_ranges_are_those_of_the_layout(ws):
    assert {str(r) for r in ws.merged_cells.ranges} == set(LAYOUT.merges)


def test_table_has_thin_borders_and_a_chinese_font(ws):
    first, last = LAYOUT.table_rows
    for row in ws.iter_rows(min_row=first, max_row=last, max_col=LAYOUT.n_cols):
        for cell in row:  # openpyxl gives the inner cells of a merge only its outer edges on load
            if not isinstance(cell, openpyxl.cell.cell.MergedCell):
                assert cell.border.left.style == cell.border.bottom.style == "thin", cell.coordinate
    assert ws["B8"].font.name in ("宋体", "等线") and ws["B8"].font.sz == 11
    assert ws["B8"].alignment.wrap_text
    assert ws["A7"].alignment.horizontal == "center" and ws["A7"].alignment.wrap_text
    assert ws["C7"].font.b


def test_column_widths_and_row_heights(ws):
    for i, width in enumerate(FORM.widths, start=1):
        assert ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width == width
    heights = [ws.row_dimensions[r].height for r in range(1, LAYOUT.last_row + 1)]
    assert all(15 <= h <= 80 for h in heights)
    assert ws.row_dimensions[10].height > ws.row_dimensions[9].height  # the two-line label


def test_header_values_have_a_line_to_write_on(ws):
    for f in FORM.header:
        assert ws[LAYOUT.cells[f.id]].border.bottom.style == "thin"


def test_page_is_one_a4_portrait(ws):
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 1
    assert ws.print_options.horizontalCentered
    # The form as printed: the table and its 说明, not the live-check column nor the line below.
    assert ws.print_area == f"'{FORM.sheet}'!$A$1:$F${LAYOUT.note_row}"


# --- guard rails --------------------------------------------------------------------------------


def test_only_field_cells_are_unlocked(ws):
    unlocked = {
        c.coordinate
        for row in ws.iter_rows(min_row=1, max_row=LAYOUT.last_row + 2, max_col=LAYOUT.n_cols + 2)
        for c in row
        if not c.protection.locked
    }
    assert unlocked == field_cells()


def test_sheet_is_protected_without_password(ws):
    p = ws.protection
    assert p.sheet and not p.password
    assert not p.formatColumns and not p.formatRows  # False = allowed
    assert not p.selectLockedCells and not p.selectUnlockedCells


def test_count_cells_take_whole_numbers_from_zero(ws):
    whole = [dv for dv in ws.data_validations.dataValidation if dv.type == "whole"]
    assert len(whole) == 1
    dv = whole[0]
    assert (dv.operator, dv.formula1, dv.errorStyle) == ("greaterThanOrEqual", "0", "stop")
    assert dv.showErrorMessage and dv.showInputMessage and "0" in dv.error and dv.prompt
    for f in FORM.count_fields:
        assert LAYOUT.cells[f.id] in dv.sqref, f.id


def test_text_cells_only_prompt(ws):
    prompts = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation if dv.type is None}
    for f in FORM.text_fields:
        dv = prompts[LAYOUT.value_spans.get(f.id, LAYOUT.cells[f.id])]
        assert dv.showInputMessage and dv.prompt and not dv.showErrorMessage
    assert "手机" in prompts[LAYOUT.value_spans.get("phone", LAYOUT.cells["phone"])].prompt


# --- values -------------------------------------------------------------------------------------


def test_unit_is_prefilled(ws):
    assert ws[LAYOUT.cells["unit"]].value == SCHOOL["school_name"]


def test_formula_like_text_stays_text(tmp_path):
    wb = build_template(FORM, unit="=HYPERLINK(\"x\")", values={"problem_1": "=1+1", "reporter": "@张三", "phone": "+86 13800000000"})
    path = save(wb, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(path)[FORM.sheet]
    assert ws["C11"].data_type == "s" and ws["C11"].value == "=1+1"
    assert ws[LAYOUT.cells["unit"]].value == "=HYPERLINK(\"x\")"
    assert ws[LAYOUT.cells["reporter"]].value == "@张三"
    rows = calamine_rows(path)
    assert cell_value(rows, "C11") == "=1+1"


def test_summary_values_fill_numbers_as_numbers(tmp_path):
    values = {"inspectors.total": 12, "inspectors.primary": 7, "inspectors.junior": 5, "problem_2": "作业偏多"}
    ws = openpyxl.load_workbook(save(build_template(FORM, values=values), tmp_path / "s.xlsx"))[FORM.sheet]
    assert [ws[c].value for c in ("C8", "D8", "E8")] == [12, 7, 5]
    assert ws["C8"].data_type == "n"
    assert ws[LAYOUT.cells["problem_2"]].value == "作业偏多"


def test_values_for_unknown_fields_are_refused():
    with pytest.raises(ValueError, match="nope"):
        build_template(FORM, values={"nope": 1})


def test_set_text_strips_characters_excel_refuses():
    cell = openpyxl.Workbook().active["A1"]
    set_text(cell, "曾都\x01区\x1f小学")
    assert cell.value == "曾都区小学" and cell.data_type == "s"
    set_text(cell, "-3")
    assert cell.value == "-3" and cell.data_type == "s" and cell.quotePrefix
    set_text(cell, None)
    assert cell.value is None


# --- metadata -----------------------------------------------------------------------------------


def test_metadata_sheet_is_very_hidden_and_identifies_the_copy(book):
    meta_ws = book[META_SHEET]
    assert meta_ws.sheet_state == "veryHidden"
    meta = read_meta_rows(meta_ws.iter_rows(values_only=True))
    assert meta["form_id"] == FORM.id
    assert meta["form_version"] == FORM.version
    assert meta["layout"] == LAYOUT.fingerprint
    assert meta["district"] == "随县"
    assert meta["kind"] == "template"
    for key, value in SCHOOL.items():
        assert meta[key] == value
    assert all(c.data_type == "s" for row in meta_ws.iter_rows() for c in row)


def test_metadata_reads_back_with_calamine(template_file):
    meta = read_meta_rows(calamine_rows(template_file, META_SHEET))
    assert meta["school_id"] == "S042" and meta["layout"] == LAYOUT.fingerprint


def test_read_meta_rows_tolerates_what_readers_return():
    rows = [["form_id", "x"], ["school_id", 12.0], [None, "orphan"], ["", ""], ["lonely"], [], ["k", None]]
    assert read_meta_rows(rows) == {"form_id": "x", "school_id": "12", "lonely": "", "k": ""}


def test_meta_cannot_overwrite_the_form_identity():
    with pytest.raises(ValueError, match="form_id"):
        build_template(FORM, meta={"form_id": "other"})


# --- live checks --------------------------------------------------------------------------------


def test_every_hinted_rule_has_a_live_check():
    checks = live_checks(FORM)
    hinted = [r for r in FORM.rules if r.hint]
    assert len(live_rules(FORM)) == len(hinted)
    for rule in hinted:
        fields = compile_expr(rule.check, FORM.has_field, frozenset({"in_roster", "stage"})).fields
        cell = LAYOUT.check_cells[FORM.field(fields[0]).row]
        assert rule.hint in checks[cell], rule
        for fid in fields:
            r, c = split_coord(LAYOUT.cells[fid])
            assert f"${openpyxl.utils.get_column_letter(c)}${r}" in checks[cell], (rule, fid)


def test_rules_without_a_hint_are_not_checked_live():
    formulas = "".join(live_checks(FORM).values())
    assert "$B$3" not in formulas and "$B$4" not in formulas  # required / phone: engine only


# What the formulas compute, read back from this file, is tested in test_live_checks.py.


def test_check_column_is_red_text_and_failing_cells_turn_the_colour_of_their_level(ws):
    for cell in live_checks(FORM):
        assert str(ws[cell].value).startswith("=")
        assert ws[cell].font.color.rgb.endswith("C00000")
    assert str(ws[LAYOUT.summary_cell].value).startswith("=")
    fills = {rule.dxf.fill.fgColor.rgb for cf in ws.conditional_formatting for rule in cf.rules}
    assert fills == {"FFFFC7CE", "FFFFEB9C"}  # an error's cells red, a warning's yellow (请核对)


def test_formulas_use_only_functions_every_spreadsheet_knows(ws):
    text = "".join(live_checks(FORM).values()) + summary_formula(FORM)
    text += "".join(x for cf in ws.conditional_formatting for r in cf.rules for x in r.formula)
    used = set(re.findall(r"([A-Z][A-Z0-9.]*)\(", re.sub(r'"[^"]*"', '""', text)))
    assert used <= PORTABLE_FUNCTIONS


def test_hinted_rule_that_excel_cannot_check_is_a_declaration_error():
    data = tomllib.loads((TEMPLATES_DIR / "annex5_2023.toml").read_text(encoding="utf-8"))
    data["rules"].append(
        {"id": "phone", "level": "warning", "check": "phone_like(phone)", "hint": "电话不对", "message": "m"}
    )
    with pytest.raises(FormError, match="phone"):
        build_template(parse_form(data, "bad.toml"))


# --- fast per-school copies ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def blank() -> bytes:
    return template_bytes(FORM, district="随县", meta={"note": "批次1"})


def direct(fields: dict, district: str = "随县") -> openpyxl.Workbook:
    meta = {"kind": "template", "note": "批次1", **{k: fields[k] for k in SCHOOL_KEYS}}
    return build_template(FORM, district=district, meta=meta, unit=fields["school_name"], explain=False)


@pytest.mark.parametrize(
    "fields",
    [
        SCHOOL,
        {**SCHOOL, "school_name": "  有空格的学校 ", "school_id": ""},
        {**SCHOOL, "school_name": "=1+1", "issued_at": "a'b\"c<d>&e\x07"},
    ],
    ids=["plain", "spaces-and-empty", "escapes"],
)
def test_personalised_copy_equals_a_direct_build(tmp_path, blank, fields):
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(personalise(blank, fields))
    built = save(direct(fields), tmp_path / "built.xlsx")
    assert all_values(openpyxl.load_workbook(copy)) == all_values(openpyxl.load_workbook(built))


def test_personalised_copy_reads_back_with_calamine(tmp_path, blank):
    paths = []
    for i, name in enumerate(["曾都区第一中学", "曾都区实验小学 & 分校"]):
        path = tmp_path / f"{i}.xlsx"
        write_atomic(path, personalise(blank, {**SCHOOL, "school_name": name, "school_id": f"S{i}"}))
        paths.append((path, name, f"S{i}"))
    for path, name, school_id in paths:
        assert cell_value(calamine_rows(path), LAYOUT.cells["unit"]) == name
        meta = read_meta_rows(calamine_rows(path, META_SHEET))
        assert meta["school_name"] == name and meta["school_id"] == school_id


def test_personalise_rewrites_only_the_members_with_placeholders(blank):
    copy = personalise(blank, SCHOOL)
    with zipfile.ZipFile(io.BytesIO(blank)) as a, zipfile.ZipFile(io.BytesIO(copy)) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        changed = {n for n in a.namelist() if a.read(n) != b.read(n)}
        for info in a.infolist():
            assert b.getinfo(info.filename).compress_type == info.compress_type
    assert changed == {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet3.xml"}  # the form, the metadata (not 情况说明)
    assert "⟦".encode() not in b"".join(zipfile.ZipFile(io.BytesIO(copy)).read(n) for n in changed)


@pytest.mark.parametrize("name", ["曾都区实验小学", " A&B<学校>\"'\x07 ", "长" * 3000, ""])
def test_a_personalised_copy_is_byte_for_byte_the_zip_that_zipfile_appends(blank, name, monkeypatch):
    """personalise writes the zip itself (half a copy's time): the same bytes as appending the
    patched members with zipfile, as it did before, to a copy of the members that do not change,
    zipfile deflating with the module personalise deflates with (``aggregator.deflate``)."""
    from aggregator import deflate
    from aggregator.outputs.personalise import _PLACEHOLDER_CELL, _xml_cell

    fields = {**SCHOOL, "school_name": name}
    base, patched = io.BytesIO(), []
    with zipfile.ZipFile(io.BytesIO(blank)) as src, zipfile.ZipFile(base, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if "⟦".encode() in data:
                patched.append((info, _PLACEHOLDER_CELL.sub(lambda m: _xml_cell(m.group(1), fields[m.group(2).decode()]),
                                                            data)))
            else:
                dst.writestr(info, data, compress_type=info.compress_type)
    with monkeypatch.context() as patch, zipfile.ZipFile(base, "a") as zf:
        patch.setattr(zipfile, "zlib", deflate.zlib)
        for info, data in patched:
            fresh = zipfile.ZipInfo(info.filename, info.date_time)
            fresh.external_attr = info.external_attr
            zf.writestr(fresh, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    copy = personalise(blank, fields)
    assert copy == base.getvalue()
    with zipfile.ZipFile(io.BytesIO(copy)) as zf:
        assert zf.testzip() is None and len(zf.infolist()) == len(zipfile.ZipFile(io.BytesIO(blank)).infolist())


def test_personalise_wants_exactly_the_template_keys(blank):
    with pytest.raises(ValueError, match="school_id"):
        personalise(blank, {k: v for k, v in SCHOOL.items() if k != "school_id"})
    with pytest.raises(ValueError, match="extra"):
        personalise(blank, {**SCHOOL, "extra": "x"})


# --- atomic writes ------------------------------------------------------------------------------


def test_write_atomic_replaces_and_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    save_workbook_atomic(build_template(FORM), target)
    assert openpyxl.load_workbook(target).sheetnames[0] == FORM.sheet
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_write_atomic_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr("aggregator.atomic.os.replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]
