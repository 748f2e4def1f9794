"""A tiny, safe evaluator for the formulas schools put in count cells.

Excel and WPS save a formula's result with it, so this is only needed for files written by
programs that do not (openpyxl, some web exports): ``=D7+E7`` or ``=SUM(D7:E7)`` in a 合计 cell,
with nothing cached. Numbers, same-sheet cell references (``$`` allowed), ``+ - * /``,
parentheses and ``SUM`` over ranges and lists: enough for a total. Anything else raises
``Unsupported`` and the school is asked to save the file once in Excel. Never ``eval``.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from ..form.values import EXCEL_ERRORS

MAX_RANGE_CELLS = 10_000
Lookup = Callable[[int, int], Any]  # (row, col) -> the referenced cell's value


class Unsupported(Exception):
    """The formula uses something this evaluator does not do (another function, a string, ...)."""


class ExcelError(str):
    """An Excel error value travelling through a computation: '#DIV/0!', '#VALUE!', ..."""


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
     |(?P<ref>(?:(?P<sheet>'(?:[^']|'')+'|[^\s!'"(),:+\-*/^&=<>;{}\[\]]+)!)?
              \$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)(?![\w(])
     |(?P<func>[A-Za-z_][A-Za-z0-9_.]*)\s*\(
     |(?P<err>\#(?:DIV/0!|VALUE!|REF!|NAME\?|N/A|NUM!|NULL!))
     |(?P<op>[-+*/(),])
     |(?P<other>\S)
    )""",
    re.X,
)
_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


def evaluate(formula: str, lookup: Lookup, sheet: str = "") -> float | ExcelError:
    """The value of ``formula`` ("=D7+E7") on ``sheet``; raises ``Unsupported``."""
    text = formula[1:] if formula.startswith("=") else formula
    tokens = _tokenise(text)
    parser = _Parser(tokens, lookup, sheet)
    value = parser.expr()
    if parser.pos != len(tokens):
        raise Unsupported(f"unexpected {tokens[parser.pos][1]!r}")
    return value


def _tokenise(text: str) -> list[tuple[str, str]]:
    out = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise Unsupported(text[pos:])
        kind = m.lastgroup if m.lastgroup != "sheet" else "ref"
        if kind == "other":
            raise Unsupported(m.group(kind))
        out.append((kind, m.group(kind).strip() if kind != "ref" else m.group("ref")))
        pos = m.end()
    return out


def _cell(ref: str) -> tuple[int, int]:
    m = _CELL.fullmatch(ref)
    if not m:
        raise Unsupported(ref)
    letters, digits = m.groups()
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return int(digits), col


class _Parser:
    """Recursive descent over the token list; evaluates as it parses (formulas are tiny)."""

    def __init__(self, tokens: list[tuple[str, str]], lookup: Lookup, sheet: str) -> None:
        self.tokens = tokens
        self.pos = 0
        self.lookup = lookup
        self.sheet = sheet

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok[0] == "end":
            raise Unsupported("formula ends too early")
        self.pos += 1
        return tok

    def expect(self, op: str) -> None:
        if self.take() != ("op", op):
            raise Unsupported(f"expected {op!r}")

    # expr := term (("+"|"-") term)*
    def expr(self) -> Any:
        value = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            right = self.term()
            value = _arith(op, value, right)
        return value

    # term := unary (("*"|"/") unary)*
    def term(self) -> Any:
        value = self.unary()
        while self.peek() in (("op", "*"), ("op", "/")):
            op = self.take()[1]
            right = self.unary()
            value = _arith(op, value, right)
        return value

    def unary(self) -> Any:
        if self.peek() in (("op", "-"), ("op", "+")):
            op = self.take()[1]
            value = _number(self.unary())
            if isinstance(value, ExcelError):
                return value
            return -value if op == "-" else value
        return self.primary()

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "num":
            return float(text)
        if kind == "err":
            return ExcelError(text.upper())
        if kind == "ref":
            cells = self.ref_cells(text)
            if len(cells) != 1:
                raise Unsupported("a range outside SUM")
            return _number(self.lookup(*cells[0]))
        if kind == "op" and text == "(":
            value = self.expr()
            self.expect(")")
            return value
        if kind == "func" and text.upper() == "SUM":
            return self.sum_args()
        raise Unsupported(text)

    def sum_args(self) -> Any:
        total: float = 0.0
        if self.peek() == ("op", ")"):
            self.take()
            return total
        while True:
            kind, text = self.peek()
            if kind == "ref" and self.tokens[self.pos + 1 : self.pos + 2] in ([("op", ",")], [("op", ")")]):
                self.take()
                for cell in self.ref_cells(text):  # references: only numbers count, as in Excel
                    value = self.lookup(*cell)
                    if isinstance(value, ExcelError) or (isinstance(value, str) and value in EXCEL_ERRORS):
                        return ExcelError(value)
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        total += value
            else:
                value = _number(self.expr())
                if isinstance(value, ExcelError):
                    return value
                total += value
            kind, text = self.take()
            if (kind, text) == ("op", ")"):
                return total
            if (kind, text) != ("op", ","):
                raise Unsupported(text)

    def ref_cells(self, text: str) -> list[tuple[int, int]]:
        sheet, _, ref = text.rpartition("!")
        if sheet:
            name = sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet
            if name != self.sheet:
                raise Unsupported(f"another sheet: {name}")
        first, _, last = ref.partition(":")
        r1, c1 = _cell(first)
        r2, c2 = _cell(last) if last else (r1, c1)
        r1, r2 = sorted((r1, r2))
        c1, c2 = sorted((c1, c2))
        if (r2 - r1 + 1) * (c2 - c1 + 1) > MAX_RANGE_CELLS:
            raise Unsupported("range too large")
        return [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def _number(value: Any) -> float | ExcelError:
    """A value as arithmetic sees it in Excel: blank is 0, TRUE is 1, "3" is 3, "abc" is #VALUE!."""
    if isinstance(value, ExcelError):
        return value
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text in EXCEL_ERRORS:
            return ExcelError(text)
        try:
            return float(text)
        except ValueError:
            return ExcelError("#VALUE!")
    raise Unsupported(f"a {type(value).__name__} value")


def _arith(op: str, left: Any, right: Any) -> Any:
    left, right = _number(left), _number(right)
    if isinstance(left, ExcelError):
        return left
    if isinstance(right, ExcelError):
        return right
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if right == 0:
        return ExcelError("#DIV/0!")
    return left / right
