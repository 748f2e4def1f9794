"""A small spreadsheet formula evaluator for the tests: the formulas the template writes, computed
as Excel computes them, without a spreadsheet application.

Only what the template emits is understood: numbers, strings, TRUE/FALSE, cell references with or
without ``$`` (ranges only as arguments of COUNTA), the operators ``+ - * / & = <> < <= > >=`` and
the functions in ``FUNCTIONS``.
Anything else raises ``NotUnderstood``, so a new construct in the template fails loudly here
rather than being guessed at. To teach it a new function, add one entry to ``FUNCTIONS``.

Excel's rules that matter for the live checks, all modelled:
- a blank cell is 0 in arithmetic and in a comparison with a number, "" next to text;
- a date is its serial number (days since 1899-12-30), as Excel stores it;
- text in arithmetic is converted when it reads as a number ("3" + 0 is 3), else ``#VALUE!``;
- comparing text with a number never fails: any text is greater than any number, TRUE greater
  than any text; text compares without regard to case;
- an error value passes through every operator and function except ``IFERROR``;
- ``IF``/``IFERROR`` evaluate only the branch they return.
LibreOffice recalculating the real file (``test_libreoffice.py``) remains the real-client check.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Mapping

from aggregator.form.layout import coord, split_coord  # cell addresses only: no formula logic


class NotUnderstood(ValueError):
    """The formula uses something this evaluator does not model."""


@dataclass(frozen=True)
class XlError:
    code: str  # "#VALUE!", "#DIV/0!", ...

    def __str__(self) -> str:
        return self.code


VALUE = XlError("#VALUE!")
DIV0 = XlError("#DIV/0!")
NA = XlError("#N/A")
_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (day 60, 1900-02-29, never comes up here)


def serial(day: dt.date) -> float:
    """A date as Excel stores it."""
    if isinstance(day, dt.datetime):
        return (day - dt.datetime(1899, 12, 30)).total_seconds() / 86400
    return float((day - _EPOCH).days)


@dataclass(frozen=True)
class Range:
    """The cells of a range such as C11:E11, as a function argument."""

    values: tuple

# --- tokens -------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>"(?:[^"]|"")*")
    | (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
    | (?P<func>[A-Z][A-Z0-9.]*)\(
    | (?P<range>\$?[A-Z]{1,3}\$?[1-9]\d*:\$?[A-Z]{1,3}\$?[1-9]\d*)
    | (?P<ref>\$?[A-Z]{1,3}\$?[1-9]\d*)(?![A-Z0-9(])
    | (?P<bool>TRUE|FALSE)(?![A-Z0-9(])
    | (?P<op><=|>=|<>|[-+*/&=<>(),])
    )""",
    re.VERBOSE,
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise NotUnderstood(f"cannot read {text[pos:pos + 20]!r} in {text!r}")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


# --- values -------------------------------------------------------------------------------------

Getter = Callable[[str], Any]  # "C7" -> the cell's value (None when blank)


def _is_error(v: Any) -> bool:
    return isinstance(v, XlError)


_NUMERIC_TEXT = re.compile(r" *[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)? *")  # ASCII: "２" is #VALUE!


def to_number(v: Any) -> Any:
    """A value in arithmetic: a float, or an ``XlError``."""
    if _is_error(v):
        return v
    if v is None:
        return 0.0
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, dt.date):
        return serial(v)
    if isinstance(v, str) and _NUMERIC_TEXT.fullmatch(v):
        return float(v)
    return VALUE


def to_text(v: Any) -> Any:
    if _is_error(v):
        return v
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float)):
        return str(int(v)) if float(v).is_integer() else f"{v:.15g}"
    return str(v)


def to_bool(v: Any) -> Any:
    """A value where a condition is wanted (IF, AND, OR, NOT)."""
    if _is_error(v):
        return v
    if v is None:
        return False
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return v != 0
    if isinstance(v, str) and v.upper() in ("TRUE", "FALSE"):
        return v.upper() == "TRUE"
    return VALUE


def _comparable(v: Any) -> Any:
    return serial(v) if isinstance(v, dt.date) else v


def _rank(v: Any) -> int:
    return 2 if isinstance(v, bool) else 1 if isinstance(v, str) else 0


def compare(a: Any, b: Any, op: str) -> Any:
    if _is_error(a):
        return a
    if _is_error(b):
        return b
    a, b = _comparable(a), _comparable(b)
    # A blank takes the type of the other side.
    if a is None:
        a = "" if isinstance(b, str) else False if isinstance(b, bool) else 0.0
    if b is None:
        b = "" if isinstance(a, str) else False if isinstance(a, bool) else 0.0
    if _rank(a) != _rank(b):
        x, y = _rank(a), _rank(b)
    elif isinstance(a, str):
        x, y = a.lower(), b.lower()
    else:
        x, y = float(a), float(b)
    return {"=": x == y, "<>": x != y, "<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


def _arith(a: Any, b: Any, op: str) -> Any:
    a, b = to_number(a), to_number(b)
    if _is_error(a):
        return a
    if _is_error(b):
        return b
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    return DIV0 if b == 0 else a / b


# --- functions ----------------------------------------------------------------------------------
# Each takes its arguments unevaluated (thunks), so IF and IFERROR evaluate only what they return.
# Reuse these coercions for a new one: DATE(y, m, d) would be ``to_number`` of each argument.

Thunk = Callable[[], Any]


def _if(cond: Thunk, then: Thunk, other: Thunk | None = None) -> Any:
    c = to_bool(cond())
    if _is_error(c):
        return c
    if c:
        return then()
    return other() if other is not None else False


def _iferror(value: Thunk, fallback: Thunk) -> Any:
    v = value()
    return fallback() if _is_error(v) else v


def _logical(combine: Callable[[list[bool]], bool]) -> Callable[..., Any]:
    def fn(*args: Thunk) -> Any:
        seen = []
        for arg in args:
            v = arg()
            if v is None:  # a blank cell is left out, as Excel does
                continue
            b = to_bool(v)
            if _is_error(b):
                return b
            seen.append(b)
        return combine(seen) if seen else VALUE

    return fn


def _not(arg: Thunk) -> Any:
    b = to_bool(arg())
    return b if _is_error(b) else not b


def _len(arg: Thunk) -> Any:
    t = to_text(arg())
    return t if _is_error(t) else float(len(t))


def _trim(arg: Thunk) -> Any:
    t = to_text(arg())
    return t if _is_error(t) else re.sub(" +", " ", t.strip(" "))


def _substitute(text: Thunk, old: Thunk, new: Thunk) -> Any:
    t, o, n = to_text(text()), to_text(old()), to_text(new())
    bad = next((v for v in (t, o, n) if _is_error(v)), None)
    return bad if bad is not None else (t.replace(o, n) if o else t)


def _char(code: Thunk) -> Any:
    n = to_number(code())
    return n if _is_error(n) else chr(int(n))


def _int(arg: Thunk) -> Any:
    n = to_number(arg())
    return n if _is_error(n) else float(math.floor(n))


def _date(year: Thunk, month: Thunk, day: Thunk) -> Any:
    parts = [to_number(x()) for x in (year, month, day)]
    bad = next((p for p in parts if _is_error(p)), None)
    if bad is not None:
        return bad
    y, m, d = (int(p) for p in parts)
    return serial(dt.date(y + (m - 1) // 12, (m - 1) % 12 + 1, 1)) + d - 1


def _counta(*args: Thunk) -> Any:
    n = 0
    for arg in args:
        v = arg()
        n += sum(x is not None for x in v.values) if isinstance(v, Range) else v is not None
    return float(n)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "IF": _if,
    "IFERROR": _iferror,
    "AND": _logical(all),
    "OR": _logical(any),
    "NOT": _not,
    "LEN": _len,
    "TRIM": _trim,
    "SUBSTITUTE": _substitute,
    "CHAR": _char,
    "INT": _int,
    "NA": lambda: NA,
    "DATE": _date,
    "COUNTA": _counta,
}


# --- parsing and evaluating ---------------------------------------------------------------------
# A formula compiles once to a function of the cell getter; each node is such a function, and a
# function's arguments reach it as thunks over the same getter.
# Precedence, lowest first: comparison, &, + -, * /, unary minus.

Node = Callable[[Getter], Any]


def _binary(left: Node, right: Node, op: str) -> Node:
    if op == "&":
        def joined(get: Getter) -> Any:
            a, b = to_text(left(get)), to_text(right(get))
            return a if _is_error(a) else b if _is_error(b) else a + b

        return joined
    if op in ("+", "-", "*", "/"):
        return lambda get: _arith(left(get), right(get), op)
    return lambda get: compare(left(get), right(get), op)


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.i = 0
        self.text = text

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (value is not None and tok[1] != value):
            raise NotUnderstood(f"expected {value or 'more'} in {self.text!r}")
        self.i += 1
        return tok

    def at(self, *ops: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "op" and tok[1] in ops

    def level(self, ops: tuple[str, ...], below: Callable[[], Node]) -> Node:
        left = below()
        while self.at(*ops):
            op = self.take()[1]
            left = _binary(left, below(), op)
        return left

    def comparison(self) -> Node:
        return self.level(("=", "<>", "<", "<=", ">", ">="), self.concat)

    def concat(self) -> Node:
        return self.level(("&",), self.additive)

    def additive(self) -> Node:
        return self.level(("+", "-"), self.term)

    def term(self) -> Node:
        return self.level(("*", "/"), self.unary)

    def unary(self) -> Node:
        if self.at("-"):
            self.take()
            inner = self.unary()
            return lambda get: _arith(0.0, inner(get), "-")
        if self.at("+"):
            self.take()
            return self.unary()
        return self.primary()

    def primary(self) -> Node:
        kind, value = self.take()
        if kind == "number":
            return lambda get, v=float(value): v
        if kind == "string":
            return lambda get, v=value[1:-1].replace('""', '"'): v
        if kind == "bool":
            return lambda get, v=value == "TRUE": v
        if kind == "ref":
            return lambda get, r=value.replace("$", ""): get(r)
        if kind == "range":
            first, last = value.replace("$", "").split(":")
            refs = _cells(first, last)
            return lambda get: Range(tuple(get(r) for r in refs))
        if kind == "func":
            if value not in FUNCTIONS:
                raise NotUnderstood(f"{value}() is not modelled (add it to FUNCTIONS)")
            args: list[Node] = []
            if not self.at(")"):
                args.append(self.comparison())
                while self.at(","):
                    self.take()
                    args.append(self.comparison())
            self.take(")")
            fn = FUNCTIONS[value]
            return lambda get: fn(*[(lambda a=a: a(get)) for a in args])
        if kind == "op" and value == "(":
            inner = self.comparison()
            self.take(")")
            return inner
        raise NotUnderstood(f"unexpected {value!r} in {self.text!r}")


def _cells(first: str, last: str) -> list[str]:
    (r1, c1), (r2, c2) = split_coord(first), split_coord(last)
    return [coord(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


@lru_cache(maxsize=1024)
def compile_formula(formula: str) -> Node:
    """``formula`` (with or without its leading "=") as a function of the cell getter."""
    parser = _Parser(formula[1:] if formula.startswith("=") else formula)
    node = parser.comparison()
    if parser.peek() is not None:
        raise NotUnderstood(f"unexpected {parser.peek()[1]!r} in {formula!r}")
    return node


def evaluate(formula: str, get: Getter) -> Any:
    """The value of ``formula`` over cells given by ``get`` ("C7" -> value, None when blank)."""
    return compile_formula(formula)(get)


class Sheet:
    """A sheet's cells as typed (numbers, text, None for blank) and its formulas, each formula
    evaluated once, on demand, over the others."""

    def __init__(self, values: Mapping[str, Any], formulas: Mapping[str, str] = {}) -> None:
        self.values = dict(values)
        self.formulas = dict(formulas)
        self._done: dict[str, Any] = {}

    def __getitem__(self, ref: str) -> Any:
        if ref in self.formulas:
            if ref not in self._done:
                self._done[ref] = evaluate(self.formulas[ref], self.__getitem__)
            return self._done[ref]
        return self.values.get(ref)

    def formula(self, formula: str) -> Any:
        """A formula that is not in a cell (conditional formatting), evaluated over this sheet."""
        return evaluate(formula, self.__getitem__)
