"""What only a whole form can tell is wrong: ids, roles, grids, rules, messages, hints, widths.

Run by every load (a collection never starts on a broken form) and by ``dudao check-form``,
which prints the same list. Each problem says where it is and how to mend it.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from .declaration import CONTEXT_NAMES, Form
from .expr import ExprError, compile_expr, compared_constants, to_excel
from .layout import layout_of, value_columns
from .values import choice_key

if TYPE_CHECKING:
    from .lines import Problems

MIN_GRID_COLUMNS, MAX_GRID_COLUMNS = 2, 8
_PLACEHOLDER = re.compile(r"\{(=|cell:|label:|col:)?([^{}]+)\}")
_LIST_LIMIT = 255  # Excel's limit on a drop-down list written into the validation


def semantic_problems(form: Form, p: "Problems") -> None:
    _ids(form, p)
    _roles(form, p)
    _grids(form, p)
    _choices(form, p)
    _rules(form, p)
    _explain_rules(form, p)
    _widths(form, p)


def _section_index(form: Form, section_id: str) -> int:
    return next((i for i, s in enumerate(form.sections) if s.id == section_id), 0)


def _field_line(form: Form, p: "Problems", field_id: str) -> int:
    f = form.field(field_id) if form.has_field(field_id) else None
    if f is None:
        return 0
    if f.section == "header":
        return p.at.find("header", [h.id for h in form.header].index(f.id))
    return p.at.find("sections", _section_index(form, f.section), entry=f.row)


def _ids(form: Form, p: "Problems") -> None:
    counts = Counter(f.id for f in form.fields)
    for fid, n in counts.items():
        if n > 1:
            p.add("duplicate-id", f"字段 {fid}", f"id“{fid}”出现了 {n} 次，每个字段的 id 必须不同",
                  _field_line(form, p, fid))
    sections = Counter(s.id for s in form.sections)
    for sid, n in sections.items():
        if n > 1:
            p.add("duplicate-id", f"节 {sid}", f"节的 id“{sid}”出现了 {n} 次", p.at.find("sections", _section_index(form, sid)))
    for s in form.sections:
        for what, ids in (("列", [c.id for c in s.columns]), ("行", [r.id for r in s.rows])):
            for dup, n in Counter(ids).items():
                if n > 1:
                    p.add("duplicate-id", f"节 {s.id}", f"{what} id“{dup}”出现了 {n} 次",
                          p.at.find("sections", _section_index(form, s.id), entry=dup))


def _roles(form: Form, p: "Problems") -> None:
    counts = Counter(f.role for f in form.header if f.role)
    for role, n in counts.items():
        if n > 1:
            p.add("role", "表头", f"角色“{role}”被 {n} 个字段声明，每个角色最多一个", p.at.find("header"))
    if not counts.get("unit"):
        p.add("role", "表头", "没有 role = \"unit\" 的字段：需要一个表头字段（如 填报单位）标明是哪所学校报的",
              p.at.find("header") or p.at.find("form"))
    for f in form.header:
        if f.role in ("unit", "reporter") and f.type != "text":
            p.add("role", f"表头字段 {f.id}", f"角色“{f.role}”的字段类型应为 text", _field_line(form, p, f.id))
        if f.role == "phone" and f.type not in ("phone", "text"):
            p.add("role", f"表头字段 {f.id}", "角色“phone”的字段类型应为 phone", _field_line(form, p, f.id))
        if f.role == "date" and f.type != "date":
            p.add("role", f"表头字段 {f.id}", "角色“date”的字段类型应为 date", _field_line(form, p, f.id))


def _grids(form: Form, p: "Problems") -> None:
    for i, s in enumerate(form.sections):
        if not s.has_table:
            continue
        width = sum(c.span for c in s.columns)
        low = MIN_GRID_COLUMNS if s.kind == "grid" else 1
        if s.columns and not low <= width <= MAX_GRID_COLUMNS:
            p.add("columns", f"节 {s.id}", f"有 {width} 个数值列，应为 {low} 到 {MAX_GRID_COLUMNS} 个",
                  p.at.find("sections", i, key="columns"))


def _choices(form: Form, p: "Problems") -> None:
    for f in form.fields:
        if not f.choices:
            continue
        keys = Counter(choice_key(c) for c in f.choices)
        if any(n > 1 for n in keys.values()):
            p.add("choices", f"字段 {f.id}", "choices 中有重复的选项", _field_line(form, p, f.id))
        if any("," in c for c in f.choices) or len(",".join(f.choices)) + 2 > _LIST_LIMIT:
            p.add("choices", f"字段 {f.id}", f"选项不能含英文逗号，且合起来不超过 {_LIST_LIMIT} 个字符（Excel 下拉列表的限制）",
                  _field_line(form, p, f.id))


def _rules(form: Form, p: "Problems") -> None:
    layout = None
    for rule in form.rules:
        where = f"规则 {rule.id}"
        line = p.at.find("rules", rule.index, key="check")
        try:
            compiled = compile_expr(rule.check, form.has_field, CONTEXT_NAMES)
        except ExprError as exc:
            p.add("rule-name" if "unknown name" in str(exc) else "rule-syntax", where, _explain(form, str(exc)), line)
            continue
        for ref, value in compared_constants(rule.check):
            f = form.field(ref) if form.has_field(ref) else None
            if f is not None and f.choices and isinstance(value, str) and value not in f.choices:
                p.add("rule-choice", where, f"“{value}”不是 {f.id} 的选项（{'、'.join(f.choices)}）", line)
        if rule.scope == "all":
            counted = [fid for fid in compiled.fields if form.field(fid).summary == "count"]
            if counted:
                p.add("scope", where, f"用到了汇总时只计数、不求和的字段（{'、'.join(counted[:3])}），"
                      "汇总表无法按它校验：请加 scope = \"return\"", p.at.find("rules", rule.index))
        _message(form, rule, where, p)
        if rule.hint:
            layout = layout or layout_of(form)
            _hint(form, layout, rule, compiled.fields, where, p)


def _explain_rules(form: Form, p: "Problems") -> None:
    """An explain rule is a row of the workbook's 情况说明 sheet, found again by its name: it
    needs one, and every table of its id must be explain (one 说明 per rule id)."""
    for rule_id in dict.fromkeys(r.id for r in form.rules):
        tables = [r for r in form.rules if r.id == rule_id]
        levels = {r.level for r in tables}
        first = tables[0]
        if "explain" in levels and len(levels) > 1:
            p.add("explain", f"规则 {rule_id}", "同一 id 的规则有的是 explain、有的不是：核实性规则的说明按 id 填写，"
                  "请给它们不同的 id，或都写 level = \"explain\"", p.at.find("rules", first.index, key="level"))
        if "explain" in levels and not any(r.name for r in tables):
            p.add("explain", f"规则 {rule_id}", "核实性规则（level = \"explain\"）需要 name：它是“情况说明”表中这一项的名称，"
                  "学校在它后面写说明", p.at.find("rules", first.index, key="level"))
    from .explanations import explain_rules

    named: dict[str, str] = {}
    for r in explain_rules(form):
        if r.name in named:
            p.add("explain", f"规则 {r.id}", f"核实性规则的名称“{r.name}”与 {named[r.name]} 相同：“情况说明”表按名称找到每一项，"
                  "请换一个名称", p.at.find("rules", next((x.index for x in form.rules if x.id == r.id), 0)))
        named[r.name] = r.id


def _explain(form: Form, error: str) -> str:
    """"unknown name 'x.total'": say which grid lacks the column, the usual cause."""
    m = re.search(r"unknown name '([\w.]+)'", error)
    if not m:
        return f"表达式无法使用：{expr_words(error)}"
    name = m.group(1)
    row, _, col = name.partition(".")
    if col:
        grid = next((s for s in form.sections if s.has_table and any(r.id == row for r in s.rows)), None)
        if grid is not None:
            return f"用到了 {name}，但节“{grid.label or grid.id}”没有 id 为“{col}”的列（有：{'、'.join(c.id for c in grid.columns)}）"
    return f"用到了不存在的字段或名称“{name}”"


# ``ExprError``'s words (English, the engine's and its tests') as the form's author reads them; the
# check-form line names the rule and its line already, so the expression quoted before them goes.
_EXPR_WORDS = (
    (r"cannot parse '(?P<src>.*)': (?P<why>.+)", "无法解析“{src}”：{why}"),
    (r"(?P<fn>\w+)\(\) takes no keywords", "{fn}() 的参数不能写成“名称=值”"),
    (r"(?P<usage>\S+) takes one text argument.*", "{usage} 需要一个写成文字的日期，如 date('2024-03-01')"),
    (r"(?P<usage>(?:(?!: ).)+) takes one argument", "{usage} 只能有 1 个参数"),
    (r"(?P<usage>(?:(?!: ).)+) takes (?P<n>\d+) arguments", "{usage} 需要 {n} 个参数"),
    (r"'(?P<part>(?:(?!': ).)*)' is not allowed in a rule", "规则中不能使用“{part}”"),
    (r"'(?P<part>(?:(?!': ).)*)' has no cell in the workbook", "“{part}”在表格中没有对应的单元格"),
    (r"'(?P<part>(?:(?!': ).)*)' has no Excel form", "“{part}”无法写成 Excel 公式"),
    (r"date\((?P<value>.*)\): write the date as 'YYYY-MM-DD'", "date({value}) 中的日期请写成 '2024-03-01' 的形式"),
)
_SYNTAX_WORDS = {  # Python's parser, for a rule's expression
    "'(' was never closed": "“(”没有配对的“)”", "unmatched ')'": "多了一个“)”", "invalid syntax": "写法不对",
    "invalid syntax. Perhaps you forgot a comma?": "写法不对，是否少了逗号？", "unexpected EOF while parsing": "表达式不完整",
}


def expr_words(error: str) -> str:
    """An expression's error in Chinese where we know the words (else as the engine said it)."""
    for at in [0, *(m.end() for m in re.finditer(": ", error))]:  # past each "'<expression>': " it is wrapped in
        for pattern, chinese in _EXPR_WORDS:
            m = re.fullmatch(pattern, error[at:], re.DOTALL)
            if m:
                parts = m.groupdict()
                if "why" in parts:
                    why = parts["why"]
                    parts["why"] = _SYNTAX_WORDS.get(why) or ("引号没有配对" if why.startswith("unterminated string") else why)
                return chinese.format(**parts)
    return error


def _message(form: Form, rule, where: str, p: "Problems") -> None:
    for key, text in (("message", rule.message), ("fix", rule.fix)):
        line = p.at.find("rules", rule.index, key=key)
        for kind, name in _PLACEHOLDER.findall(text):
            name = name.strip()
            if kind == "=":
                try:
                    compile_expr(name, form.has_field, CONTEXT_NAMES)
                except ExprError as exc:
                    p.add("message", where, f"{key} 中的 {{={name}}} 无法计算：{expr_words(str(exc))}", line)
            elif kind == "label:":
                if not any(f.row == name for f in form.fields):
                    p.add("message", where, f"{key} 中的 {{label:{name}}} 不是任何一行的 id", line)
            elif kind == "col:":
                if not any(c.id == name for s in form.sections for c in s.columns):
                    p.add("message", where, f"{key} 中的 {{col:{name}}} 不是任何一列的 id", line)
            elif not form.has_field(name) and name not in CONTEXT_NAMES:
                p.add("message", where, f"{key} 中的 {{{kind}{name}}} 不是字段 id", line)


def _hint(form: Form, layout, rule, fields: tuple[str, ...], where: str, p: "Problems") -> None:
    """A hint promises a live check in the issued workbook: its formula must be buildable there."""
    line = p.at.find("rules", rule.index, key="hint")
    try:
        to_excel(rule.check, lambda fid: layout.cells[fid])
    except (ExprError, KeyError) as exc:
        p.add("hint", where, f"有 hint，但这条规则无法在下发的表中实时检查（{expr_words(str(exc))}）：请去掉 hint，或不用名单信息",
              line)
        return
    if not fields:
        p.add("hint", where, "有 hint，但规则没有用到任何字段", line)
    elif form.field(fields[0]).row not in layout.check_cells:
        p.add("hint", where, f"有 hint，但 {fields[0]} 所在的行没有校验格（表头字段不能有实时检查）", line)


def _widths(form: Form, p: "Problems") -> None:
    if not form.widths:
        return
    need = value_columns(form) + 3
    if len(form.widths) < need:  # more value columns than the tables need: the header line uses them
        p.add("widths", "[form]", f"widths 有 {len(form.widths)} 个，这张表至少需要 {need} 个（分组、项目、"
              f"{need - 3} 个数值列、自动校验列）", p.at.find("form", key="widths"))
