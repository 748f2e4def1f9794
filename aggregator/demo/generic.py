"""Deadline day for any declared form: plausible returns made from the declaration alone.

Each field gets a value of its type; sums and bounds the form's rules state (``a == b + c``,
``a <= b``) are then made to hold, and a checklist's 说明 is written where an answer is not the
first (best) choice. A few schools make the mistakes that do not depend on the form (a number
cell typed in words, a choice without its 说明, a missing phone number), one is late, one sends
through a 中心学校's zip, one sends the same file twice, and three never answer.
"""

from __future__ import annotations

import ast
import random
from datetime import date
from pathlib import Path
from typing import Any

from ..checks.validate import Context, failing
from ..form.declaration import CONTEXT_NAMES, Field, Form
from ..form.expr import compile_expr, ref_name
from ..outputs.distribute import issued_name
from .annex5 import WECHAT
from .files import fill_workbook, gbk_zip, put_received

_SAMPLE_TEXT = "（示例）{label}方面还有不足，已制定整改措施，正在落实"


_DRAWS = 30  # figures drawn again when settling left an error (rules that pull against each other)


def typed_values(form: Form, school: Any, rng: random.Random) -> dict[str, Any]:
    """A return from ``school`` that a careful reporter would send: every error rule of the form
    holds where the rules are plain sums and bounds (drawn again until they do)."""
    values = _drawn(form, school, rng)
    for _ in range(_DRAWS):
        if not failing(form, values, Context(in_roster=True)):
            break
        values = _drawn(form, school, rng)
    return values


def _drawn(form: Form, school: Any, rng: random.Random) -> dict[str, Any]:
    by_role = {"unit": school.name, "reporter": school.contact or "张老师", "phone": school.phone or "13872300000",
               "date": date(2023, 11, rng.randint(10, 19))}
    values: dict[str, Any] = {}
    for f in form.fields:
        if f.role:
            values[f.id] = by_role[f.role]
        elif f.numeric:
            values[f.id] = round(rng.uniform(0, 50), f.decimals) if f.type == "number" else rng.randint(0, 4)
        elif f.choices:
            values[f.id] = f.choices[0] if rng.random() < 0.95 else rng.choice(f.choices[1:])
        elif f.type == "date":
            values[f.id] = date(2023, 11, rng.randint(1, 19))
        else:
            values[f.id] = ""
    _explain_choices(form, values)
    for f in form.fields:  # other texts (主要问题): a sample sentence
        if f.type == "text" and not f.role and not values[f.id] and not _beside_a_choice(form, f):
            values[f.id] = _SAMPLE_TEXT.format(label=f.label[:12])
    settle(form, values)
    return values


def _beside_a_choice(form: Form, f: Field) -> bool:
    return any(o.choices and o.row == f.row and o.section == f.section for o in form.fields)


def _explain_choices(form: Form, values: dict[str, Any]) -> None:
    """A 说明 beside every answer that is not the first choice, as the form asks."""
    for f in form.fields:
        if f.choices and values.get(f.id) not in (None, f.choices[0]):
            for other in form.fields:
                if other.row == f.row and other.section == f.section and other.type == "text":
                    values[other.id] = _SAMPLE_TEXT.format(label=f.label[:12])


def settle(form: Form, values: dict[str, Any], passes: int = 6) -> None:
    """Make the form's plain arithmetic rules hold: ``total == a + b`` sets the total, ``a <= b``
    lowers ``a`` (``a < b``: below ``b``), ``c <= a + b`` lowers ``c``, ``implies(p, b >= 1)``
    raises ``b`` where ``p`` holds. Rules of other shapes are left to chance, as a real school's
    figures are."""
    # An error's rule has the last word over a warning's, and a total over its parts' bounds.
    ordered = sorted(form.rules, key=lambda r: (r.level == "error", "==" in r.check and "implies" not in r.check))
    for _ in range(passes):
        for rule in ordered:
            tree = ast.parse(rule.check, mode="eval").body
            if isinstance(tree, ast.Call) and getattr(tree.func, "id", "") == "implies" and len(tree.args) == 2:
                condition = compile_expr(ast.unparse(tree.args[0]), form.has_field, CONTEXT_NAMES)
                if condition.run(values, {}) is not True:
                    continue
                tree = tree.args[1]
            if isinstance(tree, ast.Compare) and len(tree.ops) == 1:
                _hold(form, values, tree.left, tree.ops[0], tree.comparators[0])


_FLIPPED = {ast.LtE: ast.GtE, ast.Lt: ast.Gt, ast.GtE: ast.LtE, ast.Gt: ast.Lt, ast.Eq: ast.Eq}


def _hold(form: Form, values: dict[str, Any], left_node: ast.AST, op: ast.cmpop, right: ast.AST) -> None:
    left = ref_name(left_node)
    if left is None and ref_name(right) is not None and type(op) in _FLIPPED and not isinstance(op, ast.Eq):
        left_node, op, right = right, _FLIPPED[type(op)](), left_node  # "a + b >= c" is "c <= a + b"
        left = ref_name(left_node)
    if left is None or not isinstance(values.get(left), (int, float)):
        return
    if isinstance(op, ast.Eq):
        parts = _sum_of(right)
        if parts and all(isinstance(values.get(p), (int, float)) for p in parts):
            values[left] = round(sum(values[p] for p in parts), form.field(left).decimals or 6)
        return
    if not isinstance(op, (ast.LtE, ast.Lt, ast.GtE, ast.Gt)):
        return
    parts = _sum_of(right)
    if isinstance(right, ast.Constant):
        bound = right.value
    elif parts and all(isinstance(values.get(p), (int, float)) for p in parts):
        bound = sum(values[p] for p in parts)
    else:
        return
    if isinstance(bound, (int, float)) and not isinstance(bound, bool):
        low = isinstance(op, (ast.LtE, ast.Lt))
        if form.field(left).is_count and isinstance(op, (ast.Lt, ast.Gt)):  # strict, over whole numbers
            bound += -1 if low else 1
        values[left] = max(min(values[left], bound) if low else max(values[left], bound), 0)


def _sum_of(node: ast.AST) -> list[str]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _sum_of(node.left), _sum_of(node.right)
        return left + right if left and right else []
    ref = ref_name(node)
    return [ref] if ref else []


def simulate_generic(root: Path, form: Form, outbox: Path, inbox: Path, schools: list,
                     seed: int = 2023) -> dict[str, str]:
    """Write the download folder of deadline day for ``form``. Returns school -> what happened."""
    rng = random.Random(seed)
    wechat = inbox / WECHAT
    story: dict[str, str] = {}
    missing = {s.name for s in schools[-3:]}
    zipped = [s for s in schools[1:3]]
    late, duplicate, blunders = schools[3], schools[4], schools[5:8]

    def filled(school: Any, changes: dict[str, Any] | None = None) -> bytes:
        values = {**typed_values(form, school, rng), **(changes or {})}
        return fill_workbook(outbox / issued_name(form.annex, school.name), form, values)

    for i, s in enumerate(schools):
        if s.name in missing or s in zipped or s in blunders:
            continue
        when = f"2023-11-{22 if s is late else 13 + i % 7:02d}T{9 + i % 8:02d}:{i * 7 % 60:02d}:00"
        name = f"{form.annex}-{s.name}.xlsx" if i % 2 else f"{s.name}{form.annex}.xlsx"
        put_received(wechat / name, filled(s), when)
        story[s.name] = "逾期报送" if s is late else "按时报送"
    put_received(wechat / f"{form.annex}-{duplicate.name}(1).xlsx",
                 (wechat / f"{form.annex}-{duplicate.name}.xlsx").read_bytes()
                 if (wechat / f"{form.annex}-{duplicate.name}.xlsx").exists()
                 else (wechat / f"{duplicate.name}{form.annex}.xlsx").read_bytes(), "2023-11-18T10:00:00")
    story[duplicate.name] += "，同一文件发了两次（只算一次）"
    put_received(wechat / "中心学校各校报表.zip",
                 gbk_zip({f"各校报表/{form.annex}-{s.name}.xlsx": filled(s) for s in zipped}), "2023-11-18T16:25:00")
    for s in zipped:
        story[s.name] = "由中心学校打包（压缩包）报送"
    for s, (what, changes) in zip(blunders, _blunders(form)):
        put_received(wechat / f"{form.annex}-{s.name}.xlsx", filled(s, changes), "2023-11-17T15:40:00")
        story[s.name] = what
    for name in missing:
        story[name] = "未报送"
    return story


def _blunders(form: Form) -> list[tuple[str, dict[str, Any]]]:
    """Mistakes any form can suffer, as far as this form has the fields for them."""
    out = []
    numeric = form.numeric_fields
    if numeric:
        out.append((f"{numeric[0].display} 填了汉字，退回", {numeric[0].id: "三"}))
    choice = next((f for f in form.fields if f.choices and _beside_a_choice(form, f)
                   and any(o.type == "text" and o.row == f.row for o in form.fields if o is not f)), None)
    if choice is not None:
        note = next(o for o in form.fields if o.type == "text" and o.row == choice.row and o.section == choice.section)
        out.append((f"选了“{choice.choices[-1]}”却没写说明，退回", {choice.id: choice.choices[-1], note.id: ""}))
    phone = form.role("phone")
    if phone is not None:
        out.append(("漏填联系电话，退回", {phone.id: ""}))
    return out
