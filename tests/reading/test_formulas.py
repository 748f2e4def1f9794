"""Formulas: a saved result is the value; without one, the evaluator computes what a school's sum is worth."""


import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.reading import read_return
from aggregator.reading.evaluate import ExcelError, Unsupported, evaluate
from aggregator.reading.xlsx_parts import saved_formulas

from builders import (
    FORM,
    patch_zip,
    sample_values,
    save_results,
    sheet_member,
    write_return,
)

from reader_helpers import ENGINES, flat, noted, read


# ================================================================================================
# Formulas
# ================================================================================================


@pytest.mark.parametrize("engine", ENGINES)
def test_formula_with_saved_result_is_its_value(tmp_path, engine):
    path = write_return(tmp_path / "r.xlsx", sample_values(inspectors__total="=D8+E8"))
    save_results(path, {"C8": "3"})
    sub = read_return(path, FORM, engine=engine)
    assert sub.values["inspectors.total"] == 3
    assert sub.notes == () and sub.findings == ()


@pytest.mark.parametrize("engine", ENGINES)
def test_formula_with_saved_error_is_formula_error(tmp_path, engine):
    path = write_return(tmp_path / "r.xlsx", sample_values(inspectors__total="=D8/0"))
    save_results(path, {"C8": "#DIV/0!"})
    sub = read_return(path, FORM, engine=engine)
    assert sub.values["inspectors.total"] is None
    assert flat(sub) == [("C8", "formula-error", "error")]
    assert "#DIV/0!" in sub.findings[0].message


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("formula", ["=D8+E8", "=SUM(D8:E8)", "=sum(D8,E8)", "=$D$8+E8", "=(D8*2+E8*2)/2"])
def test_formula_without_saved_result_is_computed(tmp_path, engine, formula):
    sub = read(tmp_path, sample_values(inspectors__total=formula), engine=engine)
    assert sub.values["inspectors.total"] == 3
    assert noted(sub) == [("C8", "formula-computed", formula, 3)]


@pytest.mark.parametrize("engine", ENGINES)
def test_formula_chain_without_saved_results(tmp_path, engine):
    vals = sample_values(inspectors__total="=D8+E8", inspectors__primary="=1+1")
    sub = read(tmp_path, vals, engine=engine)
    assert (sub.values["inspectors.total"], sub.values["inspectors.primary"]) == (3, 2)


@pytest.mark.parametrize("engine", ENGINES)
def test_formula_dividing_by_zero_is_formula_error(tmp_path, engine):
    sub = read(tmp_path, sample_values(inspectors__total="=1/0"), engine=engine)
    assert sub.values["inspectors.total"] is None
    assert flat(sub) == [("C8", "formula-error", "error")]
    assert "“#DIV/0!”" in sub.findings[0].message


@pytest.mark.parametrize("engine", ENGINES)
def test_unsupported_formula(tmp_path, engine):
    formula = '=VLOOKUP("小学",A1:E31,3,FALSE)'
    sub = read(tmp_path, sample_values(inspectors__total=formula), engine=engine)
    assert sub.values["inspectors.total"] is None
    assert flat(sub) == [("C8", "formula-unsupported", "error")]
    assert sub.findings[0].values == (formula,)


def test_formula_on_another_sheet_is_unsupported(tmp_path):
    sub = read(tmp_path, sample_values(inspectors__total="=Sheet9!D8"))
    assert flat(sub) == [("C8", "formula-unsupported", "error")]


def test_circular_formula_is_unsupported(tmp_path):
    sub = read(tmp_path, sample_values(inspectors__total="=D8+E8", inspectors__primary="=C8"))
    assert ("C8", "formula-unsupported", "error") in flat(sub)


def test_saved_error_value_without_formula(tmp_path):
    path = write_return(tmp_path / "r.xlsx", sample_values(inspectors__total="=NA()"))
    save_results(path, {"C8": "#N/A"})
    patch_zip(path, sheet_member(path), lambda x: x.replace(b"<f>NA()</f>", b""))
    sub = read_return(path, FORM)
    assert flat(sub) == [("C8", "formula-error", "error")]


@pytest.mark.parametrize(
    "formula, value",
    [("=1+2*3", 7.0), ("=-(1+2)", -3.0), ("=SUM(A1:B2)", 10.0), ("=SUM(A1:B2,5,A1)", 16.0), ("=A1/B1", 0.5),
     ("=SUM()", 0.0), ("=$A$1+A$2+$B1", 6.0), ("=A1+C10", 1.0), ("=统计表!A1*2", 2.0), ("='统计表'!B2", 4.0),
     ("=A1/0", "#DIV/0!"), ("=A1+D1", "#VALUE!"), ("=SUM(A1:D1)", 3.0), ("=#REF!+1", "#REF!")],
)
def test_evaluator(formula, value):
    grid = {(1, 1): 1, (1, 2): 2, (2, 1): 3, (2, 2): 4, (1, 4): "abc"}
    result = evaluate(formula, lambda r, c: grid.get((r, c)), "统计表")
    assert result == value
    assert isinstance(result, ExcelError) == isinstance(value, str)


@pytest.mark.parametrize("formula", ["=IF(A1>0,1,0)", '="a"&"b"', "=A1^2", "=A:A", "=Other!A1", "=1+", "=(1", "=A1>2",
                                     "=SUM(A1:ZZ9999)", "=__import__('os')"])
def test_evaluator_refuses(formula):
    with pytest.raises(Unsupported):
        evaluate(formula, lambda r, c: 1, "统计表")


# Sums as schools write them: numbers, references (with $), + - *, parentheses, SUM; the value
# each must have is worked out alongside, independently of the evaluator.
_GRID = {(1, 1): 1, (1, 2): 2, (2, 1): 3, (2, 2): 4}
_REFS = {"A1": 1, "B1": 2, "A2": 3, "B2": 4, "$A$1": 1, "B$2": 4, "$A2": 3}
_operand = st.integers(0, 99).map(lambda n: (str(n), n)) | st.sampled_from(sorted(_REFS.items()))
_sums = st.recursive(_operand, lambda inner: st.one_of(
    st.tuples(inner, st.sampled_from("+-*"), inner).map(
        lambda t: (f"({t[0][0]}){t[1]}({t[2][0]})",
                   {"+": t[0][1] + t[2][1], "-": t[0][1] - t[2][1], "*": t[0][1] * t[2][1]}[t[1]])),
    inner.map(lambda a: (f"-({a[0]})", -a[1])),
    st.lists(inner, min_size=1, max_size=3).map(
        lambda xs: ("SUM(" + ",".join(x[0] for x in xs) + ")", sum(x[1] for x in xs))),
), max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(_sums)
def test_evaluator_computes_what_a_sum_is_worth(case):
    text, value = case
    assert evaluate("=" + text, lambda r, c: _GRID.get((r, c)), "统计表") == value


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ABCDE12345$:!+-*/(),.SUMsum #/0'统计表 ", max_size=40))
def test_evaluator_answers_a_number_or_an_excel_error_or_refuses(text):
    try:
        result = evaluate("=" + text, lambda r, c: (r * c) % 7 or None, "统计表")
    except Unsupported:
        return
    assert type(result) is float or isinstance(result, ExcelError), result


# A sheet part as a program writes it: each cell a value, a formula with or without its saved
# result, or an error value; the probe must list exactly the cells whose result is missing.
_FORMULAS = {"D7+E7": "=D7+E7", "SUM(A1:B2)": "=SUM(A1:B2)", 'IF(A1&lt;2,"a"&amp;"b",0)': '=IF(A1<2,"a"&"b",0)'}
_CELL_XML = {
    "value": lambda f: ("<v>3</v>", None),
    "formula+value": lambda f: (f"<f>{f}</f><v>3</v>", None),
    "formula": lambda f: (f"<f>{f}</f>", _FORMULAS[f]),
    "formula+empty-value": lambda f: (f"<f>{f}</f><v></v>", _FORMULAS[f]),
}


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.tuples(st.integers(1, 30), st.integers(1, 6)),
                       st.tuples(st.sampled_from(sorted(_CELL_XML) + ["error", "formula+error"]),
                                 st.sampled_from(sorted(_FORMULAS))), max_size=25))
def test_formula_probe_lists_exactly_the_cells_without_a_saved_result(cells):
    rows: dict[int, list[str]] = {}
    expected = {}
    for (r, c), (kind, formula) in sorted(cells.items()):
        ref = f"{'ABCDEF'[c - 1]}{r}"
        if kind in ("error", "formula+error"):
            body = (f"<f>{formula}</f>" if kind == "formula+error" else "") + "<v>#DIV/0!</v>"
            rows.setdefault(r, []).append(f'<c r="{ref}" t="e">{body}</c>')
            expected[ref] = "#DIV/0!"
            continue
        body, missing = _CELL_XML[kind](formula)
        rows.setdefault(r, []).append(f'<c r="{ref}">{body}</c>')
        if missing:
            expected[ref] = missing
    xml = "<worksheet><sheetData>" + "".join(
        f'<row r="{r}">{"".join(cs)}</row>' for r, cs in rows.items()) + "</sheetData></worksheet>"
    assert dict(saved_formulas(xml.encode())) == expected


def test_shared_formulas_are_moved_to_their_cell():
    xml = (b'<sheetData><row r="7"><c r="C8"><f t="shared" ref="C8:C10" si="0">D8+E8</f><v></v></c></row>'
           b'<row r="8"><c r="C9"><f t="shared" si="0"/></c><c r="D9" t="e"><v>#REF!</v></c>'
           b'<c r="E9"><f>1+1</f><v>2</v></c></row></sheetData>')
    assert saved_formulas(xml) == {"C8": "=D8+E8", "C9": "=D9+E9", "D9": "#REF!"}


# Asked one cell at a time (the reader asks about a few blank count cells), the probe finds a cell
# by its reference without scanning every formula: it must say exactly what the scan says, also
# where the reference is written oddly, twice, or inside a text.
_ODD_SHEETS = {
    "plain": b'<row r="8"><c r="C8"><f>D8+E8</f></c><c r="D8"><v>1</v></c><c r="E8" t="e"><v>#N/A</v></c></row>',
    "twice": b'<row r="8"><c r="C8"><v>1</v></c><c r="C8"><f>D8+E8</f></c></row>',
    "quotes": b"<row r='8'><c r='C8'><f>D8+E8</f></c><c r='D8'><v>1</v></c></row>",
    "in a text": b'<row r="8"><c r="D8" t="inlineStr"><is><t> r="C8"</t></is></c><c r="C8"><f>1+1</f></c></row>',
    "prefixed": b'<x:row r="8"><x:c r="C8"><x:f>D8+E8</x:f></x:c><x:c r="D8" t="e"><x:v>#REF!</x:v></x:c></x:row>',
    "shared": b'<row r="8"><c r="C8"><f t="shared" ref="C8:C10" si="0">D8+E8</f><v></v></c>'
              b'<c r="C9"><f t="shared" si="0"/></c><c r="C10"><f t="shared" si="0"/><v>4</v></c></row>',
    "self-closing": b'<row r="8"><c r="C8" s="3"/><c r="D8"><f>C8*2</f></c></row>',
    "lower case": b'<row r="8"><c r="c8"><f>D8+E8</f></c><c r="D8"><v>1</v></c></row>',
    "text in a cell": b'<row r="9"><c r="D9"> r="C9"<f>1+1</f></c></row><row r="10"><c r="C10"><f>1</f></c></row>',
}


@pytest.mark.parametrize("name", list(_ODD_SHEETS))
def test_a_cell_asked_for_alone_is_what_the_scan_of_every_formula_says(name):
    xml = b"<worksheet><sheetData>" + _ODD_SHEETS[name] + b"</sheetData></worksheet>"
    scanned = dict(saved_formulas(xml))
    for ref in ("C8", "C9", "C10", "D8", "E8", "Z99"):
        alone = saved_formulas(xml)  # fresh: nothing scanned yet
        assert (ref in alone) == (ref in scanned), (name, ref)
        assert alone.get(ref) == scanned.get(ref), (name, ref)
    assert scanned  # every sheet holds a formula or an error the probe must find
