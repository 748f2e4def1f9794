"""A declaration file to a ``Form``, or every mistake in it at once, each with its line.

Forms are written outside this repository by people who are not us: a mistake must read like a
compiler's, ``annex3.toml:41: 规则 note-needed: …``, and all of them come in one run
(``dudao check-form``), not one per try. Parsing keeps going past a broken part; ``problems``
then checks what only a whole form can tell (rules, roles, hints).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Callable

from .changes import KEYS as CHANGE_KEYS, for_each_keys, parse_change
from ..resources import TEMPLATES_DIR
from .declaration import (
    DEFAULT_FORM, DEFAULT_LEVELS, DEFAULT_SUMMARY, LEVELS, ROLES, SCOPES, SECTION_KINDS, Column, Field, Form,
    FormError, OutlierSpec, Row, RuleSpec, Section,
)
from .lines import FormProblem, Locator, Problems
from .types import SUMMARIES, TYPES
from ..messages import toml_words

_KEYS = {
    "form": {"id", "version", "annex", "title", "sheet", "note", "widths", "check_label"},
    "header": {"id", "label", "type", "role", "choices", "decimals", "aliases"},
    "sections": {"id", "label", "kind", "head", "columns", "rows", "items", "summary"},
    "columns": {"id", "label", "span", "aliases", "type", "choices", "decimals"},
    "rows": {"id", "label", "aliases", "suffix", "type", "choices", "decimals"},
    "items": {"id", "label", "group", "aliases"},
    "rules": {"id", "level", "check", "message", "fix", "name", "hint", "for_each", "scope", "about"},
    "outliers": {"id", "level", "factor", "floor", "min_peers", "message", "name", "about"},
    "changes": CHANGE_KEYS,
}
_TOP = {"form", "header", "sections", "rules", "outliers", "changes"}
_LEVEL_WORDS = "error（错误）、warning（提示）或 explain（须说明）"
_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def load(path: Path) -> Form:
    return _load(path, path.stat().st_mtime_ns)


def load_form(name_or_path: str | Path = DEFAULT_FORM) -> Form:
    """Load a declaration by name (a file in ``excel_templates/``) or by path; ``FormError``
    lists every problem of a declaration that is not right."""
    path = Path(name_or_path)
    if not path.suffix:
        path = TEMPLATES_DIR / f"{name_or_path}.toml"
        if not path.exists():
            names = "、".join(p.stem for p in sorted(TEMPLATES_DIR.glob("*.toml")))
            raise FormError(f"没有名为“{name_or_path}”的自带表单（自带的有：{names}）；"
                            "自己编写的表单请写 .toml 文件的路径")
    return load(path.resolve())


def bundled() -> list[tuple[Path, Form]]:
    """The forms that ship with the tool and their files, in file name order (``dudao forms``)."""
    return [(p, load_form(p)) for p in sorted(TEMPLATES_DIR.glob("*.toml"))]


def bundled_forms() -> list[Form]:
    return [form for _, form in bundled()]


@cache
def _load(path: Path, _mtime: int) -> Form:
    """Cached per file version: a form edited while the desktop runs is read again."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FormError([FormProblem("missing-file", "文件", f"找不到表单声明 {path}", 0, path.name)]) from None
    except UnicodeDecodeError:
        raise FormError([FormProblem("syntax", "文件", "不是 UTF-8 编码的文本，请用 UTF-8 保存", 0, path.name)]) from None
    return parse_text(text, source=path.name, path=str(path))


def parse_text(text: str, source: str = "", path: str = "") -> Form:
    """A declaration's text to a ``Form``; ``FormError`` with every problem otherwise."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise FormError([FormProblem("syntax", "TOML 语法", f"无法解析（{toml_words(exc)}），请检查引号、括号和逗号",
                                     int(m.group(1)) if m else 0, source)]) from None
    return parse_form(data, source=source, text=text, path=path)


def parse_form(data: dict, source: str = "", *, text: str = "", path: str = "") -> Form:
    """Build a ``Form`` from a parsed declaration and check it; ``FormError`` lists every problem."""
    from .problems import semantic_problems

    p = Problems(source, Locator(text))
    form = _build(data, p)
    if form is not None:
        semantic_problems(form, p)
    if p.items:
        raise FormError(p.items)
    assert form is not None
    return replace(form, path=path)


# ------------------------------------------------------------------------------------------------
# Building
# ------------------------------------------------------------------------------------------------


def _unknown_keys(raw: dict, table: str, where: str, p: Problems, line: int) -> None:
    for key in sorted(set(raw) - _KEYS[table]):
        p.add("unknown-key", where, f"不认识的键“{key}”（可用：{'、'.join(sorted(_KEYS[table]))}）", line)


def _text(raw: dict, key: str, where: str, p: Problems, line: int, *, required: bool = True,
          default: str = "") -> str:
    value = raw.get(key, None)
    if value is None:
        if required:
            p.add("missing-key", where, f"缺少“{key}”", line)
        return default
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        p.add("bad-value", where, f"“{key}”应为文字", line)
        return default
    return str(value)


def _build(data: dict, p: Problems) -> Form | None:
    for key in sorted(set(data) - _TOP):
        p.add("unknown-key", "文件", f"不认识的表“{key}”（可用：{'、'.join(sorted(_TOP))}）")
    meta = data.get("form")
    if not isinstance(meta, dict):
        p.add("missing-key", "[form]", "缺少 [form] 表（id、version、title、sheet）")
        return None
    line = p.at.find("form")
    _unknown_keys(meta, "form", "[form]", p, line)
    form_id = _text(meta, "id", "[form]", p, line)
    widths = meta.get("widths", [])
    if not isinstance(widths, list) or not all(isinstance(w, (int, float)) and w > 0 for w in widths):
        p.add("bad-value", "[form]", "widths 应为正数列表，如 [16, 40, 11, 11, 11, 30]", p.at.find("form", key="widths"))
        widths = []
    header = tuple(h for i, raw in enumerate(_tables(data, "header", p)) if (h := _header(raw, i, p)))
    sections = []
    for i, raw in enumerate(_tables(data, "sections", p)):
        section = _section(raw, i, p)
        if section is not None:
            sections.append(section)
    fields = _roles_by_name(header)
    for s in sections:
        fields.extend(_fields_of(s))
    rules = tuple(spec for i, raw in enumerate(_tables(data, "rules", p))
                  for spec in _rules(raw, i, {s.id: s for s in sections}, p))
    outliers = tuple(o for i, raw in enumerate(_tables(data, "outliers", p)) if (o := _outlier(raw, i, p)))
    by_id = {s.id: s for s in sections}
    changes = tuple(c for i, raw in enumerate(_tables(data, "changes", p))
                    if (c := parse_change(raw, i, fields, by_id, p)))
    return Form(
        id=form_id,
        version=_text(meta, "version", "[form]", p, line, default="1"),
        annex=_text(meta, "annex", "[form]", p, line, required=False),
        title_template=_text(meta, "title", "[form]", p, line),
        sheet=_text(meta, "sheet", "[form]", p, line, default="Sheet1")[:31],
        note=_text(meta, "note", "[form]", p, line, required=False),
        widths=tuple(int(w) for w in widths),
        check_label=_text(meta, "check_label", "[form]", p, line, required=False, default="自动校验"),
        header=tuple(f for f in fields if f.section == "header"),
        sections=tuple(sections),
        rules=rules,
        outliers=outliers,
        changes=changes,
        source=p.source,
        fields=tuple(fields),
    )


def _tables(data: dict, name: str, p: Problems) -> list[dict]:
    value = data.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        p.add("bad-value", f"[[{name}]]", f"应写成 [[{name}]] 表的列表")
        return []
    return value


def _typed(raw: dict, where: str, p: Problems, line: int, default: str) -> tuple[str, tuple[str, ...], int]:
    """A field's type, choices and decimals, each checked against the type registry."""
    kind = raw.get("type", default) or default
    if kind not in TYPES:
        p.add("unknown-type", where, f"不认识的类型“{kind}”（可用：{'、'.join(TYPES)}）", line)
        return default, (), 0  # what goes with the type cannot be judged without it
    choices = raw.get("choices", [])
    if not isinstance(choices, list) or not all(isinstance(c, str) and c.strip() for c in choices):
        p.add("choices", where, "choices 应为文字列表，如 [\"是\", \"否\"]", line)
        choices = []
    decimals = raw.get("decimals", 0)
    if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 6:
        p.add("decimals", where, "decimals 应为 0 到 6 的整数", line)
        decimals = 0
    if kind == "choice" and not choices:
        p.add("choices", where, "选项类型（choice）需要 choices，如 choices = [\"是\", \"否\"]", line)
    if choices and kind != "choice":
        p.add("choices", where, f"只有选项类型（choice）可以有 choices，这里的类型是“{kind}”", line)
    if "decimals" in raw and kind != "number":
        p.add("decimals", where, f"只有数字类型（number）可以有 decimals，这里的类型是“{kind}”", line)
    return kind, tuple(choices), decimals


def _id(raw: dict, where: str, p: Problems, line: int, default: str = "") -> str:
    value = raw.get("id", default)
    if not isinstance(value, str) or not _ID.match(value):
        p.add("bad-id", where, f"id“{value}”只能用英文字母、数字和下划线，且不以数字开头", line)
        return default or f"_bad{line}"
    return value


def _header(raw: dict, i: int, p: Problems) -> Field | None:
    line = p.at.find("header", i)
    where = f"表头字段 {raw.get('id', i + 1)}"
    _unknown_keys(raw, "header", where, p, line)
    fid = _id(raw, where, p, line)
    label = _text(raw, "label", where, p, line)
    kind, choices, decimals = _typed(raw, where, p, line, "text")
    role = raw.get("role", "")
    if role and role not in ROLES:
        p.add("role", where, f"不认识的角色“{role}”（可用：{'、'.join(ROLES)}）", line)
        role = ""
    return Field(fid, label, kind, "header", fid, role=role, choices=choices, decimals=decimals)


def _roles_by_name(header: tuple[Field, ...]) -> list[Field]:
    """A declaration written before roles existed names its fields ``unit``, ``reporter`` and
    ``phone``: each takes the role of its name unless another field declares that role."""
    declared = {f.role for f in header if f.role}
    out = []
    for f in header:
        if not f.role and f.id in ROLES and f.id not in declared:
            f = Field(f.id, f.label, f.type, f.section, f.row, role=f.id, choices=f.choices, decimals=f.decimals)
        out.append(f)
    return out


def _columns(raw: dict, where: str, i: int, p: Problems, default_type: str) -> tuple[Column, ...]:
    out = []
    entries = raw.get("columns", [])
    if not isinstance(entries, list):
        p.add("bad-value", where, "columns 应为列表", p.at.find("sections", i, key="columns"))
        return ()
    for c in entries:
        if not isinstance(c, dict):
            p.add("bad-value", where, "columns 的每一项应写成 { id = …, label = … }", p.at.find("sections", i))
            continue
        line = p.at.find("sections", i, entry=str(c.get("id", "")))
        cwhere = f"{where} 的列 {c.get('id', '?')}"
        _unknown_keys(c, "columns", cwhere, p, line)
        kind, choices, decimals = _typed(c, cwhere, p, line, default_type)
        span = c.get("span", 1)
        if not isinstance(span, int) or isinstance(span, bool) or span < 1:
            p.add("bad-value", cwhere, "span 应为正整数", line)
            span = 1
        out.append(Column(_id(c, cwhere, p, line), _text(c, "label", cwhere, p, line), span,
                          tuple(c.get("aliases", ())), kind if "type" in c else "", choices, decimals))
    return tuple(out)


def _rows(raw: dict, key: str, where: str, i: int, p: Problems, default_type: str) -> tuple[Row, ...]:
    out = []
    entries = raw.get(key, [])
    if not isinstance(entries, list):
        p.add("bad-value", where, f"{key} 应为列表", p.at.find("sections", i, key=key))
        return ()
    for r in entries:
        if not isinstance(r, dict):
            p.add("bad-value", where, f"{key} 的每一项应写成 {{ id = …, label = … }}", p.at.find("sections", i))
            continue
        line = p.at.find("sections", i, entry=str(r.get("id", "")))
        rwhere = f"{where} 的{'项目' if key == 'items' else '行'} {r.get('id', '?')}"
        _unknown_keys(r, key, rwhere, p, line)
        kind, choices, decimals = _typed(r, rwhere, p, line, default_type) if key == "rows" else ("", (), 0)
        out.append(Row(_id(r, rwhere, p, line), _text(r, "label", rwhere, p, line), tuple(r.get("aliases", ())),
                       _text(r, "suffix", rwhere, p, line, required=False), kind if "type" in r else "", choices,
                       decimals, _text(r, "group", rwhere, p, line, required=False)))
    return tuple(out)


def _section(raw: dict, i: int, p: Problems) -> Section | None:
    line = p.at.find("sections", i)
    where = f"节 {raw.get('id') or raw.get('label') or i + 1}"
    _unknown_keys(raw, "sections", where, p, line)
    kind = raw.get("kind")
    if kind not in SECTION_KINDS:
        p.add("unknown-kind", where, f"不认识的节类型“{kind}”（可用：{'、'.join(SECTION_KINDS)}）",
              p.at.find("sections", i, key="kind"))
        return None
    sid = _id(raw, where, p, line, default=f"section{i + 1}")
    summary = raw.get("summary", "")
    if summary and summary not in SUMMARIES:
        p.add("summary", where, f"不认识的汇总方式“{summary}”（可用：{'、'.join(SUMMARIES)}）",
              p.at.find("sections", i, key="summary"))
        summary = ""
    if kind == "checklist":
        columns = _columns(raw, where, i, p, "text")
        rows = _rows(raw, "items", where, i, p, "")
        if not rows:
            p.add("missing-key", where, "清单（checklist）需要 items", line)
        if not columns:
            p.add("missing-key", where, "清单（checklist）需要 columns（如 落实情况、问题说明）", line)
    else:
        columns = _columns(raw, where, i, p, "count") if kind == "grid" else ()
        rows = _rows(raw, "rows", where, i, p, "count" if kind != "lines" else "text")
        if not rows:
            p.add("missing-key", where, "需要 rows", line)
    return Section(sid, _text(raw, "label", where, p, line, required=kind in ("grid", "lines")), kind, rows, columns,
                   _text(raw, "head", where, p, line, required=False), summary)


def _summary_of(section: Section, kind: str) -> str:
    """The section's way if it suits the type (sum for numbers, count for choices, list for
    anything), else the type's own."""
    wanted = section.summary or DEFAULT_SUMMARY[section.kind]
    t = TYPES[kind]
    fits = wanted == "list" or (wanted == "sum" and t.numeric) or (wanted == "count" and t.summary == "count")
    return wanted if fits else t.summary


def _fields_of(section: Section) -> list[Field]:
    out = []
    for row in section.rows:
        if section.has_table:
            for col in section.columns:
                kind = row.type or col.type or ("count" if section.kind == "grid" else "text")
                out.append(Field(f"{row.id}.{col.id}", row.label, kind, section.id, row.id, col.id, col.label,
                                 choices=row.choices or col.choices, decimals=row.decimals or col.decimals,
                                 summary=_summary_of(section, kind)))
        elif section.kind == "lines":
            out.append(Field(row.id, f"{section.label}{row.label}", "text", section.id, row.id,
                             summary=_summary_of(section, "text")))
        else:  # inline: one value after its label
            kind = row.type or "count"
            out.append(Field(row.id, row.label, kind, section.id, row.id, choices=row.choices, decimals=row.decimals,
                             suffix=row.suffix, summary=_summary_of(section, kind)))
    return out


def _rules(raw: dict, i: int, sections: dict[str, Section], p: Problems) -> list[RuleSpec]:
    line = p.at.find("rules", i)
    where = f"规则 {raw.get('id', i + 1)}"
    _unknown_keys(raw, "rules", where, p, line)
    rid = _text(raw, "id", where, p, line)
    level = raw.get("level", DEFAULT_LEVELS["rules"])
    if level not in LEVELS:
        p.add("level", where, f"level 应为 {_LEVEL_WORDS}，不是“{level}”", p.at.find("rules", i, key="level"))
    scope = raw.get("scope", "all")
    if scope not in SCOPES:
        p.add("scope", where, f"scope 应为 all 或 return，不是“{scope}”", p.at.find("rules", i, key="scope"))
    check = _text(raw, "check", where, p, line)
    message = _text(raw, "message", where, p, line)
    keys = for_each_keys(raw.get("for_each"), sections, where, p, p.at.find("rules", i, key="for_each"))
    if keys != [None] and "$" not in check:
        p.add("for-each", where, "有 for_each 但 check 中没有用 $ 代表每一项", p.at.find("rules", i, key="check"))
    out = []
    for key in keys:
        sub: Callable[[str], str] = (lambda s: s) if key is None else (lambda s, k=key: s.replace("$", k))
        out.append(RuleSpec(rid, level, sub(check), sub(message), str(raw.get("hint", "")), scope, i,
                            fix=sub(str(raw.get("fix", ""))), name=str(raw.get("name", "")),
                            about=str(raw.get("about", ""))))
    return out


def _outlier(raw: dict, i: int, p: Problems) -> OutlierSpec | None:
    line = p.at.find("outliers", i)
    where = f"离群检查 {raw.get('id', i + 1)}"
    _unknown_keys(raw, "outliers", where, p, line)
    level = raw.get("level", DEFAULT_LEVELS["outliers"])
    if level not in LEVELS:
        p.add("level", where, f"level 应为 {_LEVEL_WORDS}，不是“{level}”", p.at.find("outliers", i, key="level"))
        level = DEFAULT_LEVELS["outliers"]
    try:
        return OutlierSpec(raw["id"], level, float(raw["factor"]), int(raw["floor"]), int(raw["min_peers"]),
                           raw["message"], str(raw.get("name", "")), str(raw.get("about", "")))
    except (KeyError, TypeError, ValueError) as exc:
        p.add("missing-key", where, f"缺少或写错“{exc}”（需要 id、factor、floor、min_peers、message）", line)
        return None
