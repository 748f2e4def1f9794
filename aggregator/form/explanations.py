"""The 情况说明 sheet: where a school explains a figure an explain rule questions.

An explain rule (核实性, ``level = "explain"``) lets a school keep a figure it can explain. The
issued workbook carries a sheet named ``情况说明`` listing every explain rule of the form (its
Chinese name and what it checks), each with an empty 说明 cell; the reader takes what the school
wrote there, by the rule's name. Both read this module: the template builder draws
``explanation_layout(form)``, the reader (``reading.explanations``) finds the rows again by their
names and falls back on its columns. Pure data derived from the ``Form``, like ``layout``.

The sheet, column by column (row 1 the title, row 2 what to do, row 3 the heads, then a row per
rule)::

    序号 | 核实项目 (the rule's name) | 检查内容 (what it checks) | 说明 (the school's) | 自动校验

The last column is the workbook's live check (``outputs.explain_sheet``): it shows one of
``CHECK_TEXTS``, which the reader knows are not the school's words. A declared explain rule is
checked there as the form sheet checks its rules; an outlier (peers) cannot be computed in a
school's copy, so its row only says when to write.

Last period (提取上期数, as the statistics systems show the reporter): when the comparison is
listed, a block under the rules gives each bounded figure with the school's own figure last
period (filled in per school at issue, ``previous_key``), this period's (a formula over the form
sheet) and whether it moved beyond its bound; the comparison's row then asks for a 说明 exactly
when the engine's ``vs-previous`` would. The block starts with a line of its own left of the
说明 column, so the reader never takes it for more of the row above::

    上期数字（…）
         | 项目 (the figure) | 上期 | 本期 | 自动校验
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ..findings import MIN_EXPLANATION, PUNCTUATION
from ..messages import RULE_NAMES, message
from .declaration import PERIOD_RULE, Form
from .layout import coord

SHEET = "情况说明"
HEAD_ROW = 3
HEADS = ("序号", "核实项目", "检查内容", "说明", "自动校验")
NUMBER_COL, NAME_COL, ABOUT_COL, TEXT_COL, CHECK_COL = 1, 2, 3, 4, 5
PREVIOUS_COL, CURRENT_COL = ABOUT_COL, TEXT_COL  # the block of last period: 上期, 本期
WIDTHS = (6.0, 22.0, 44.0, 48.0, 22.0)
# What the live check column may show (never the school's words; the reader skips them).
CHECK_TEXTS = {
    "needed": f"请填写说明（不少于{MIN_EXPLANATION}个字）",
    "short": f"说明太短（不少于{MIN_EXPLANATION}个字）",
    "done": "已填写说明",
    "none": "",
    # Rows the workbook cannot check (``ExplainRule.kind``): when to write, honestly.
    "outlier": "如数字明显偏大，请在此说明",
    "changes": "如与上期相比变化很大，请在此说明",
    "moved": "变化超出范围，须在上面说明",  # a figure's row in the block of last period
}
PREVIOUS_HEADS = ("", "项目", "上期", "本期", "自动校验")


@dataclass(frozen=True)
class ExplainRule:
    """A rule a school may answer with an explanation, as the 情况说明 sheet lists it."""

    id: str  # the rule id its findings carry (outlier, vs-previous, a declared id)
    name: str  # its Chinese name: the row's 核实项目, found again by the reader
    about: str  # what it checks, in a sentence: the row's 检查内容
    kind: str  # rule | outlier | changes: where the form declares it


def explain_rules(form: Form, *, previous: bool = True) -> tuple[ExplainRule, ...]:
    """Every explain rule of ``form``, in the order of the declaration: declared rules (one per
    id), outlier checks, then the period check when the form bounds any change (``previous``:
    False leaves it out, for a collection with no last period to compare with)."""
    out: list[ExplainRule] = []
    seen: set[str] = set()
    for r in form.rules:
        if r.level == "explain" and r.id not in seen:
            seen.add(r.id)
            name = form.rule_name(r.id) or r.id
            out.append(ExplainRule(r.id, name, _about(form, r.id) or r.hint or name, "rule"))
    for o in form.outliers:
        if o.level == "explain" and o.id not in seen:
            seen.add(o.id)
            out.append(ExplainRule(o.id, o.name or RULE_NAMES.get(o.id, o.id), o.about or message("outlier-about"),
                                   "outlier"))
    bounds = [c for c in form.changes if c.level == "explain"]
    if previous and bounds and PERIOD_RULE not in seen:
        labels = list(dict.fromkeys(form.field(fid).label for c in bounds for fid in c.fields))
        shown = "、".join(labels[:3]) + ("等" if len(labels) > 3 else "")
        factor = min(c.factor for c in bounds)
        out.append(ExplainRule(PERIOD_RULE, RULE_NAMES[PERIOD_RULE],
                               message("vs-previous-about", labels=shown, factor=f"{factor:g}"), "changes"))
    return tuple(out)


def _about(form: Form, rule_id: str) -> str:
    return next((r.about for r in form.rules if r.id == rule_id and r.about), "")


@dataclass(frozen=True)
class ExplanationRow:
    rule: str  # rule id
    number: int  # 序号, from 1
    name: str
    about: str
    row: int  # its row on the sheet

    def cell(self, col: int) -> str:
        return coord(self.row, col)

    @property
    def text_cell(self) -> str:
        """The 说明 cell the school fills in."""
        return coord(self.row, TEXT_COL)

    @property
    def check_cell(self) -> str:
        return coord(self.row, CHECK_COL)


@dataclass(frozen=True)
class PreviousRow:
    """A bounded figure in the block of last period: its label, the school's figure then (filled
    in per school under ``key``), this period's (a formula), and whether it moved too far."""

    field: str
    label: str
    row: int
    key: str  # the issued copy's placeholder for last period's figure (``previous_key``)
    factor: float
    floor: float

    def cell(self, col: int) -> str:
        return coord(self.row, col)


def previous_key(n: int) -> str:
    """The per-school key of the ``n``-th figure of last period (``personalise``'s placeholders
    are word characters: a field id has dots)."""
    return f"{PREVIOUS_PREFIX}{n}"


PREVIOUS_PREFIX = "previous_"


@dataclass(frozen=True)
class ExplanationLayout:
    sheet: str
    title: str  # A1, merged across the columns
    intro: str  # A2, merged: what the school does here
    heads: tuple[str, ...]  # row ``HEAD_ROW``
    rows: tuple[ExplanationRow, ...]
    widths: tuple[float, ...] = WIDTHS
    previous: tuple[PreviousRow, ...] = ()  # the block of last period's figures, when listed
    previous_title: str = ""

    @property
    def merges(self) -> tuple[str, ...]:
        """The title and what to do, across the printed columns (the live check is for the screen)."""
        last = coord(1, TEXT_COL)[:-1]
        return (f"A1:{last}1", f"A2:{last}2")

    @property
    def last_row(self) -> int:
        if self.previous:
            return self.previous[-1].row
        return self.rows[-1].row if self.rows else HEAD_ROW

    @property
    def previous_title_row(self) -> int:
        """The block's own line (its title, left of the 说明 column), then its heads."""
        return self.rows[-1].row + 2

    @property
    def text_cells(self) -> dict[str, str]:
        """Rule id -> its 说明 cell: what the template leaves unlocked."""
        return {r.rule: r.text_cell for r in self.rows}

    def row_of(self, rule_id: str) -> ExplanationRow | None:
        return next((r for r in self.rows if r.rule == rule_id), None)


@cache
def explanation_layout(form: Form, *, previous: bool = True) -> ExplanationLayout | None:
    """The 情况说明 sheet of ``form`` (None when it has no explain rule: no sheet is issued)."""
    rules = explain_rules(form, previous=previous)
    if not rules:
        return None
    rows = tuple(ExplanationRow(r.id, n, r.name, r.about, HEAD_ROW + n) for n, r in enumerate(rules, start=1))
    previous_rows: tuple[PreviousRow, ...] = ()
    title = ""
    if any(r.kind == "changes" for r in rules):
        first = rows[-1].row + 4  # a blank line, the block's title, its heads
        bounded = [(f, b) for f in form.fields if (b := form.change_bound(f.id)) is not None and b.level == "explain"]
        previous_rows = tuple(PreviousRow(f.id, f.display, first + i, previous_key(i + 1), b.factor, b.floor)
                              for i, (f, b) in enumerate(bounded))
        title = message("previous-block", name=RULE_NAMES[PERIOD_RULE]) if previous_rows else ""
    return ExplanationLayout(SHEET, SHEET, message("explain-intro", min=MIN_EXPLANATION), HEADS, rows,
                             previous=previous_rows, previous_title=title)


def _xl_text(ch: str) -> str:
    """One character as an Excel expression: control characters by CHAR(), a quote doubled."""
    if ch in "\t\r\n":
        return f"CHAR({ord(ch)})"
    return '"' + ch.replace('"', '""') + '"'


def length_formula(cell: str) -> str:
    """An Excel expression (no leading "=") counting the characters of ``cell`` as the engine
    counts an explanation (``findings.explanation_length``): without spaces and punctuation.
    The live check compares it with ``MIN_EXPLANATION`` and agrees with the engine."""
    inner = cell
    for ch in PUNCTUATION:
        inner = f"SUBSTITUTE({inner},{_xl_text(ch)},\"\")"
    return f"LEN({inner})"


def explained_formula(cell: str) -> str:
    """TRUE when ``cell`` holds an explanation that counts (``findings.is_explanation``)."""
    return f"{length_formula(cell)}>={MIN_EXPLANATION}"
