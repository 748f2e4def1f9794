"""What a collection asks each school for: its materials, each with its own kind, deadline and
schools.

The seed plan (四.3 及时提交材料) asks every school for a case article by 11月10日, a report and
the data (Annex 5) by 11月20日, and every 中心学校 and 区直学校 for one recommended supervisor.
Schools send all of it into the same chat folders. A plan declares this once:

    [plan]
    id = "shuangjian-2023"
    title = "2023年“双减”督导材料"

    [[materials]]
    id = "case"
    label = "“双减”督导优秀工作案例"
    kind = "document"              # document | form
    deadline = "2023-11-10"
    who = "all"                    # or { kind = ["中心学校", "区直学校"] } or { parent = "区直学校" }
    keywords = ["案例"]            # how a file name or a title says it is this material
    min_chars = 200                # a text shorter than this is flagged

A collection made with ``--form`` alone has one material, the form, and behaves as before.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ...form.declaration import FormError
from ...resources import TEMPLATES_DIR
from .roster import School
from ...messages import toml_words

PLANS_DIR = TEMPLATES_DIR / "plans"
KINDS = ("form", "document")
FORM_MATERIAL = "form"  # the id of the one material of a collection made with a form alone


@dataclass(frozen=True)
class Who:
    """Which schools of the roster owe a material: all, or those whose 学校类型 (``kind``) or
    所属单位 (``parent``) is one of the listed values."""

    kinds: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()

    def owes(self, school: School) -> bool:
        if not self.kinds and not self.parents:
            return True
        return (school.kind.strip() in self.kinds) or (school.parent.strip() in self.parents)

    def describe(self) -> str:
        parts = ["、".join(self.kinds), "、".join(self.parents)]
        return "、".join(p for p in parts if p) or "全部学校"


@dataclass(frozen=True)
class Material:
    id: str
    label: str
    kind: str  # form | document
    deadline: str = ""  # YYYY-MM-DD; "" = the collection's own deadline
    who: Who = Who()
    keywords: tuple[str, ...] = ()
    min_chars: int = 0  # a document with less text than this is flagged ("doc-short")
    form: str = ""  # for a form material: the bundled form's name or a path
    template: str = ""  # a document to fill in that the collection sends out (a 推荐表): its path
    short: str = ""  # a column heading's worth of the label ("案例"); "" = the first keyword

    @property
    def is_form(self) -> bool:
        return self.kind == "form"

    @property
    def heading(self) -> str:
        """What a table's column calls this material: the declared ``short``, else the first
        keyword (the word a school's file name uses for it), else the label itself. A full label
        such as “双减”督导优秀工作案例 would be cut off in a column a clerk can afford."""
        return self.short or (self.keywords[0] if self.keywords else self.label)


@dataclass(frozen=True)
class Plan:
    id: str
    title: str
    materials: tuple[Material, ...]
    report: str = ""  # the wording of the district's own report (a file beside the plan), or ""

    @property
    def form_material(self) -> Material | None:
        return next((m for m in self.materials if m.is_form), None)

    @property
    def documents(self) -> tuple[Material, ...]:
        return tuple(m for m in self.materials if not m.is_form)

    def material(self, material_id: str) -> Material:
        return next(m for m in self.materials if m.id == material_id)

    def owed_by(self, school: School) -> tuple[Material, ...]:
        return tuple(m for m in self.materials if m.who.owes(school))

    def named(self, text: str) -> tuple[Material, ...]:
        """The documents a clerk means by ``text``: its id, its label or a part of it, its
        heading or one of its keywords (案例, 报告 …)."""
        word = text.strip()
        return tuple(m for m in self.documents if word and (word in (m.id, m.label, m.heading) or word in m.label
                                                            or word in m.keywords))


def single_form_plan(form_title: str, deadline: str = "") -> Plan:
    """The plan of a collection of one form: one material, as before materials existed."""
    return Plan("", form_title, (Material(FORM_MATERIAL, form_title, "form", deadline),))


def load_plan(name_or_path: str | Path) -> Plan:
    """A bundled plan by name (``excel_templates/plans/``) or a plan file; ``FormError`` says
    what is wrong in it."""
    path = Path(name_or_path)
    if not path.suffix:
        path = PLANS_DIR / f"{name_or_path}.toml"
        if not path.exists():
            names = "、".join(p.stem for p in sorted(PLANS_DIR.glob("*.toml")))
            raise FormError(f"没有名为“{name_or_path}”的自带计划（自带的有：{names}）；自己编写的计划请写 .toml 文件的路径")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise FormError(f"找不到计划文件 {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FormError(f"{path.name}：无法解析（{toml_words(exc)}）") from None
    return parse_plan(data, path.name, path.parent)


def parse_plan(data: dict, source: str = "", folder: Path | None = None) -> Plan:
    problems: list[str] = []
    meta = data.get("plan", {})
    materials = []
    for i, raw in enumerate(data.get("materials", []), start=1):
        where = f"{source}：第 {i} 项材料（{raw.get('id', '?')}）"
        kind = raw.get("kind", "document")
        if kind not in KINDS:
            problems.append(f"{where} 的 kind 应为 form 或 document，不是“{kind}”")
        deadline = str(raw.get("deadline", ""))
        if deadline:
            try:
                date.fromisoformat(deadline)
            except ValueError:
                problems.append(f"{where} 的截止日期“{deadline}”应写成 2023-11-20 的形式")
        form = str(raw.get("form", ""))
        if kind == "form" and not form:
            problems.append(f"{where} 是表单（form），需要 form = \"表单名称或文件\"")
        if form and folder is not None and Path(form).suffix and not Path(form).is_absolute():
            form = str((folder / form).resolve())
        template = str(raw.get("template", ""))
        if template and folder is not None and not Path(template).is_absolute():
            template = str((folder / template).resolve())
        if template and not Path(template).is_file():
            problems.append(f"{where} 的模板文件“{raw.get('template')}”不存在")
        materials.append(Material(
            id=str(raw.get("id", f"m{i}")), label=str(raw.get("label", "")), kind=kind, deadline=deadline,
            who=_who(raw.get("who", "all"), where, problems), keywords=tuple(raw.get("keywords", ())),
            min_chars=int(raw.get("min_chars", 0)), form=form, template=template, short=str(raw.get("short", "")),
        ))
    if not materials:
        problems.append(f"{source}：没有任何材料（[[materials]]）")
    if sum(1 for m in materials if m.is_form) > 1:
        problems.append(f"{source}：一次收集只能有一张表单（form），其余材料请用 document")
    ids = [m.id for m in materials]
    if len(set(ids)) != len(ids):
        problems.append(f"{source}：材料的 id 有重复")
    report = str(meta.get("report", ""))
    if report and folder is not None and not Path(report).is_absolute():
        report = str((folder / report).resolve())
    if report and not Path(report).is_file():
        problems.append(f"{source}：报告模板“{meta.get('report')}”不存在")
    if problems:
        raise FormError(problems)
    return Plan(str(meta.get("id", "")), str(meta.get("title", "")), tuple(materials), report)


def _who(value: Any, where: str, problems: list[str]) -> Who:
    if value in ("all", "", None):
        return Who()
    if isinstance(value, dict) and set(value) <= {"kind", "parent"}:
        def listed(v: Any) -> tuple[str, ...]:
            return (v,) if isinstance(v, str) else tuple(str(x) for x in v or ())
        return Who(listed(value.get("kind")), listed(value.get("parent")))
    problems.append(f"{where} 的 who 应为 \"all\"，或 {{ kind = [\"中心学校\", \"区直学校\"] }}，或 {{ parent = \"区直学校\" }}")
    return Who()


def plan_toml(plan: Plan, *, form_file: str = "", templates: dict[str, str] | None = None, report: str = "") -> str:
    """The plan as a collection keeps it: its form material pointing at the collection's own copy
    of the form's declaration (``form_file``), and each template at the collection's own copy
    (``templates``: material id -> path in the collection), so the collection keeps working if
    the original plan, form or templates move or change."""
    lines = ["# 本次收集要各校报送的材料（建立收集时复制，请勿修改 id）。", "[plan]",
             f"id = {_q(plan.id)}", f"title = {_q(plan.title)}"]
    if report or plan.report:
        lines.append(f"report = {_q(report or plan.report)}")
    for m in plan.materials:
        lines += ["", "[[materials]]", f"id = {_q(m.id)}", f"label = {_q(m.label)}", f"kind = {_q(m.kind)}",
                  f"deadline = {_q(m.deadline)}"]
        if m.who.kinds or m.who.parents:
            parts = [f"kind = [{', '.join(map(_q, m.who.kinds))}]"] if m.who.kinds else []
            parts += [f"parent = [{', '.join(map(_q, m.who.parents))}]"] if m.who.parents else []
            lines.append(f"who = {{ {', '.join(parts)} }}")
        else:
            lines.append('who = "all"')
        if m.short:
            lines.append(f"short = {_q(m.short)}")
        if m.keywords:
            lines.append(f"keywords = [{', '.join(map(_q, m.keywords))}]")
        if m.min_chars:
            lines.append(f"min_chars = {m.min_chars}")
        if m.is_form:
            lines.append(f"form = {_q(form_file or m.form)}")
        if m.template:
            lines.append(f"template = {_q((templates or {}).get(m.id, m.template))}")
    return "\n".join(lines) + "\n"


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
