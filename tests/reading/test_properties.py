"""Random cell contents in random layouts: the reader and the validator never fail, and every
number read is the number written, or a finding names the cell that says why not.

Values are what people type into a count cell (3, -2, 3.0, 2.5, "3", "3个", "３", " 3 ", TRUE,
a date, junk with control characters, nothing) and into a text cell; layouts are what schools do
to the issued workbook (rows and columns inserted, the table moved, the sheet renamed, the
metadata dropped). Then the two writers that quote a school's text back (the marked workbook
and the form rebuilt from values) must still produce workbooks that open.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
import unicodedata
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from aggregator.findings import ERROR, WARNING
from aggregator.form.layout import coord, layout_of, split_coord
from aggregator.collection.store.ledger import ReturnRecord
from aggregator.outputs.markup import marked_workbook, workbook_bytes
from aggregator.outputs.notice import RETURNED, Notice, items_for
from aggregator.reading import UnreadableFile, read_return
from aggregator.outputs.template import build_template
from aggregator.checks.validate import Context, validate
from aggregator.messages import MESSAGES

from builders import FORM, write_return

LAYOUT = layout_of(FORM)
COUNT_FIELDS = [f.id for f in FORM.count_fields]
TEXT_FIELDS = [f.id for f in FORM.fields if not f.is_count]

# --- what people type -----------------------------------------------------------------------------

UNITS = ["个", "所", "人", "人次", "件", "次", "套"]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
NOTHING = {"无", "-", "/"}
ANY = object()  # junk: any reading is fine as long as it is explained (see ``check_count``)

# Junk: control characters (calamine returns them, openpyxl refuses to write them), letters,
# digits, punctuation, a few Chinese characters that are not measure words. No "=" (a formula,
# tested elsewhere), no "_" (Excel's escape for control characters), no "\r" (XML turns it into "\n").
_JUNK = list("\x01\x02\x07\x0b\x0c\x1b\x1f\x7f \t\nabcXYZ0123456789.,-+#/!?()三无零。、")
junk = st.text(alphabet=st.sampled_from(_JUNK), min_size=1, max_size=8)


def _float_expected(x: float):
    nearest = round(x)
    return nearest if nearest >= 0 and abs(x - nearest) <= 1e-9 * max(1.0, abs(x)) else None


# (raw value written, what it must read as: an int, None = a finding must say why, or ANY)
count_values = st.one_of(
    st.none().map(lambda v: (v, 0)),
    st.integers(0, 10**9).map(lambda n: (n, n)),
    st.integers(-10**6, -1).map(lambda n: (n, None)),
    st.integers(0, 10**6).map(lambda n: (float(n), n)),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False).map(lambda x: (x, _float_expected(x))),
    st.integers(0, 99999).map(lambda n: (str(n), n)),
    st.tuples(st.integers(0, 999), st.sampled_from(UNITS), st.sampled_from(["", " "])).map(
        lambda t: (f"{t[0]}{t[2]}{t[1]}", t[0])),
    st.integers(0, 9999).map(lambda n: (str(n).translate(FULL_WIDTH), n)),
    st.integers(0, 999).map(lambda n: (f"  {n}\u3000", n)),
    st.sampled_from(sorted(NOTHING)).map(lambda s: (s, 0)),
    st.booleans().map(lambda b: (b, None)),
    st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)).map(lambda d: (dt.datetime(d.year, d.month, d.day), None)),
    junk.map(lambda s: (s, ANY)),
)
text_values = st.one_of(
    st.none(),
    junk,
    st.text(alphabet=st.sampled_from(list("曾都区实验小学王丽作业公示 ")), min_size=1, max_size=12),
    st.integers(10**10, 2 * 10**10),  # a phone number typed as a number
)

layouts = st.fixed_dictionaries({
    "insert_rows_at": st.none() | st.integers(1, LAYOUT.last_row),
    "insert_rows": st.integers(1, 3),
    "insert_cols_at": st.none() | st.integers(1, LAYOUT.n_cols),
    "insert_cols": st.integers(1, 2),
    "offset": st.tuples(st.integers(0, 4), st.integers(0, 3)),
    "sheet_name": st.sampled_from([None, "Sheet1", "附件5（修改）"]),
    "meta": st.booleans(),
    "extra_sheets_before": st.integers(0, 1),
})


# --- writing them as Excel would ----------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def as_written(raw):
    """Excel stores a control character in a cell's text as "_x0001_"; openpyxl refuses the
    character itself, so write the escape (calamine reads it back as the character)."""
    if isinstance(raw, str):
        return _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", raw)
    return raw


def expected_cell(field: str, layout: dict) -> str:
    """Where ``builders.write_return`` put the field's value under ``layout``."""
    r, c = split_coord(LAYOUT.cells[field])
    rows_at, cols_at = layout["insert_rows_at"], layout["insert_cols_at"]
    r += (layout["insert_rows"] if rows_at is not None and r >= rows_at else 0) + layout["offset"][0]
    c += (layout["insert_cols"] if cols_at is not None and c >= cols_at else 0) + layout["offset"][1]
    return coord(r, c)


# --- the oracle ---------------------------------------------------------------------------------


def explained(sub, report, field: str, cell: str) -> bool:
    """A finding of the reader (or the validator) names this field and its cell."""
    return any(field in f.fields and cell in f.cells for f in (*sub.findings, *report.findings))


def check_count(field: str, raw, expected, sub, report, cell: str) -> None:
    got = sub.values[field]
    assert got is None or (type(got) is int and got >= 0), (field, raw, got)
    if got is None:
        assert explained(sub, report, field, cell), (field, raw, "no finding says why it was not read")
        assert expected is None or expected is ANY, (field, raw, f"should read as {expected}")
        return
    if expected is ANY:  # junk read as a number: only a number it shows (or 0 for "nothing")
        shown = re.sub(r"[\s,]", "", unicodedata.normalize("NFKC", raw))
        assert got == 0 or str(got) in shown, (field, raw, got)
        return
    assert got == expected, (field, raw, got, expected)


def assert_well_formed(xlsx: bytes) -> None:
    """Every XML part parses: a control character in a comment or a cell would make Excel refuse
    the file (openpyxl refuses it as well, more slowly)."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zf:
        for name in zf.namelist():
            if name.endswith((".xml", ".rels")):
                ElementTree.fromstring(zf.read(name))


def expected_text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, int):
        return str(raw)
    return raw.strip()  # surrounding spaces of every width, as documented


# --- the properties ------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    counts=st.fixed_dictionaries({f: count_values for f in COUNT_FIELDS}),
    texts=st.fixed_dictionaries({f: text_values for f in TEXT_FIELDS}),
    layout=layouts,
    in_roster=st.sampled_from([None, True, False]),
    stage=st.sampled_from(["", "小学", "初中", "九年一贯制"]),
)
def test_every_value_read_is_what_was_written_or_a_finding_says_why(counts, texts, layout, in_roster, stage):
    written = {f: raw for f, (raw, _) in counts.items()} | texts
    with tempfile.TemporaryDirectory() as tmp:
        path = write_return(Path(tmp) / "附件5.xlsx", {f: as_written(v) for f, v in written.items()},
                            unit=None, **layout)
        try:
            sub = read_return(path, FORM)
        except UnreadableFile as exc:  # allowed, never anything else; but a return this is
            raise AssertionError(f"a return in a plain layout was refused: {exc.kind} {exc.message}") from exc
        report = validate(FORM, sub, Context(in_roster=in_roster, stage=stage))
        note(f"findings: {[(f.rule, f.cells) for f in report.findings]}")

        assert set(sub.values) == {f.id for f in FORM.fields}
        for field, (raw, expected) in counts.items():
            cell = expected_cell(field, layout)
            assert sub.cells.get(field) == cell, (field, sub.cells.get(field), cell)
            check_count(field, raw, expected, sub, report, cell)
        for field, raw in texts.items():
            assert sub.values[field] == expected_text(raw), (field, raw, sub.values[field])
        for f in report.findings:
            assert f.message and f.level in (ERROR, WARNING, "info"), f

        # What the school typed goes back to it: both writers must produce a workbook that opens.
        ret = ReturnRecord(sub, "0" * 64, None, "", None, "2023-11-15T10:00:00", report.findings,
                           original_name="附件5.xlsx", archived="附件5.xlsx")
        errors, warnings = items_for(FORM, ret, (f for f in report.findings if f.level in (ERROR, WARNING)))
        notice = Notice("曾都区实验小学", RETURNED, FORM.title("曾都区"), dt.date(2023, 11, 20), by=dt.date(2023, 11, 23),
                        deadline=dt.date(2023, 11, 20), file_name="附件5.xlsx", received_at=ret.received_at,
                        errors=errors, warnings=warnings)
        marked = marked_workbook(path, FORM, ret, notice, district="曾都区", meta={"kind": "feedback"})
        assert_well_formed(marked.data)
        values = {k: v for k, v in sub.values.items() if v is not None}
        assert_well_formed(workbook_bytes(build_template(FORM, values=values, unit=str(sub.values.get("unit") or ""))))


@settings(max_examples=30, deadline=None)
@given(st.binary(min_size=0, max_size=2048), st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]))
def test_random_bytes_are_a_reason_never_a_crash(data, head):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "附件5.xlsx"
        path.write_bytes(head + data)
        try:
            sub = read_return(path, FORM)
        except UnreadableFile as exc:
            assert exc.kind in MESSAGES and re.search(r"[\u4e00-\u9fff]", exc.message)
        else:  # bytes that happen to make a workbook hold no form: nothing read, one finding says so
            assert [f.rule for f in sub.findings] == ["form-not-found"]
            assert all(v is None for v in sub.values.values())
