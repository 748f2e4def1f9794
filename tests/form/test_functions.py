"""The rule language's functions are one registry (``form/functions``): one entry gives the engine's
evaluation, the live check's Excel formula and how the solver reads it; a new function needs no
other code."""

from __future__ import annotations

import ast

import pytest

from aggregator.form import functions
from aggregator.form.expr import ExprError, compile_expr, to_excel
from aggregator.form.functions import FUNCTIONS, RuleFunction

FIELDS = {"a", "b", "phone"}


def run(source: str, **values):
    return compile_expr(source, FIELDS.__contains__, frozenset()).run(values, {})


def cells(ref: str) -> str:
    return {"a": "C5", "b": "D5", "phone": "B3"}[ref]


@pytest.mark.parametrize("source, values, expected", [
    ("implies(a > 0, b > 0)", {"a": 0, "b": 0}, True),
    ("implies(a > 0, b > 0)", {"a": 2, "b": 0}, False),
    ("implies(a > 0, b > 0)", {"a": None, "b": 0}, None),  # an unknown premise decides nothing
    ("present(phone)", {"phone": " "}, False),
    ("phone_like(phone)", {"phone": "0722-3251234"}, True),
    ("phone_like(phone)", {"phone": "12345"}, False),
])
def test_each_function_evaluates_three_valued(source, values, expected):
    assert run(source, **values) is expected


@pytest.mark.parametrize("source, formula", [
    ("implies(a > 0, b > 0)", "IF(C5>0,D5>0,TRUE)"),
    ("present(phone)", "LEN(TRIM(B3))>0"),
    ("a <= date('2024-03-01')", "C5<=DATE(2024,3,1)"),
])
def test_each_function_writes_its_excel_form(source, formula):
    assert to_excel(source, cells) == formula


def test_a_function_without_an_excel_form_is_refused_by_the_writer_only():
    assert FUNCTIONS["phone_like"].excel is None
    with pytest.raises(ExprError, match="has no Excel form"):
        to_excel("phone_like(phone)", cells)


@pytest.mark.parametrize("source, why", [
    ("implies(a > 0)", "implies(p, q) takes 2 arguments"),
    ("present(a, b)", "present(x) takes one argument"),
    ("date(a)", "date() takes one text argument"),
    ("present(x=a)", "takes no keywords"),
    ("max(a, b)", "is not allowed in a rule"),
])
def test_a_wrong_call_is_named_in_the_declaration_s_words(source, why):
    with pytest.raises(ExprError, match=why.replace("(", r"\(").replace(")", r"\)")):
        run(source, a=1, b=1)


def test_only_a_conditional_is_read_by_the_solver_and_as_premise_then_rule():
    node = ast.parse("implies(a > 0, b > 0)", mode="eval").body
    when, then = FUNCTIONS["implies"].premise(node)
    assert (ast.unparse(when), ast.unparse(then)) == ("a > 0", "b > 0")
    assert [f for f, fn in FUNCTIONS.items() if fn.premise is not None] == ["implies"]


def test_a_new_function_is_one_entry(monkeypatch):
    at_least = RuleFunction(
        "at_least_one", 1, "at_least_one(x)",
        lambda args, node: (lambda v, c: None if (x := args[0](v, c)) is None else x >= 1),
        lambda args, node: f"({args[0]})>=1")
    monkeypatch.setitem(functions.FUNCTIONS, "at_least_one", at_least)
    assert run("at_least_one(a)", a=0) is False and run("at_least_one(a)", a=3) is True
    assert run("at_least_one(a)", a=None) is None
    assert to_excel("at_least_one(a + b)", cells) == "((C5+D5))>=1"
