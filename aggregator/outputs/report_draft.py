"""The draft of the district's own 督导工作落实情况报告, for the clerk to finish in Word.

Its wording is a file beside the plan (``report`` in the plan; the bundled one is
``excel_templates/plans/reports/shuangjian-2023.toml``): headings from the plan's 督导内容 and
督导方式, sentences with the district's figures as ``{placeholders}`` and places for the clerk's
own words as ``[[…]]``. Here the figures are filled in from the summary (the same totals the
summary's form holds) and the register, each underlined so the clerk checks it, and the clerk's
places are highlighted yellow. ``report_docx`` takes the template and plain figures and returns
bytes; ``consolidate`` saves it as ``summary/<本级名称>督导工作落实情况报告（草稿）.docx``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Mapping, Sequence

from docx.enum.text import WD_COLOR_INDEX

from ..form.declaration import FormError
from .docx_style import HEADING, docx_bytes, font, new_document, para
from ..messages import toml_words

_PART = re.compile(r"(\{[\w.:]+\}|\[\[.*?\]\])")


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class ReportTemplate:
    title: str
    file: str
    note: str
    closing: tuple[str, ...]
    sections: tuple[Section, ...]


def load_report(path: str | Path) -> ReportTemplate:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        head = data["report"]
        sections = tuple(Section(str(s["heading"]), tuple(str(p) for p in s.get("paragraphs", ())))
                         for s in data.get("sections", ()))
        return ReportTemplate(str(head["title"]), str(head.get("file") or head["title"]), str(head.get("note", "")),
                              tuple(str(c) for c in head.get("closing", ())), sections)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError, KeyError, TypeError) as exc:
        raise FormError(f"报告模板 {path.name} 无法读取（{toml_words(exc)}），请检查它的写法") from None


def fill(text: str, figures: Mapping[str, str]) -> str:
    """``text`` with its placeholders filled in (the clerk's places kept as they are)."""
    return "".join(_value(part, figures) if part.startswith("{") else part for part in _PART.split(text))


def report_figures(*, district: str, unit: str, day: date, expected: int, included: int, missing: Sequence[str],
                   totals: Mapping[str, Any], problems: Sequence[str], register: Mapping[str, int]) -> dict[str, str]:
    """Every placeholder's text, from the summary's figures and the register's counts."""
    figures = {"district": district, "unit": unit, "date": f"{day.year}年{day.month}月{day.day}日",
               "expected": str(expected), "included": str(included),
               "coverage": f"{included / expected:.1%}" if expected else "—",
               "missing": f"未汇总的学校：{'、'.join(missing)}。" if missing else "",
               "main_problems": "\n".join(f"{n}. {line}" for n, line in enumerate(problems, start=1)) or "（各校未报告问题）"}
    figures |= {k: _number(v) for k, v in totals.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    figures |= {f"register.{k}": str(v) for k, v in register.items()}
    return figures


def report_docx(template: ReportTemplate, figures: Mapping[str, str]) -> bytes:
    doc = new_document(fill(template.title, figures))
    para(doc, fill(template.title, figures), size=18, name=HEADING, align="centre", after=6, line=1.3)
    if template.note:
        note = para(doc, "", align="centre", after=12)
        font(note.add_run(template.note), size=10.5).font.highlight_color = WD_COLOR_INDEX.YELLOW
    for section in template.sections:
        para(doc, section.heading, size=14, name=HEADING, before=10, after=4)
        for text in section.paragraphs:
            for line in _lines(text, figures):
                _paragraph(doc, line, figures)
    for n, line in enumerate(template.closing):
        para(doc, fill(line, figures), align="right", before=24 if n == 0 else 0)
    return docx_bytes(doc)


def _lines(text: str, figures: Mapping[str, str]) -> list[str]:
    """A paragraph whose only placeholder holds several lines (the main problems) is one
    paragraph per line."""
    parts = [p for p in _PART.split(text) if p]
    if len(parts) == 1 and parts[0].startswith("{") and "\n" in figures.get(parts[0][1:-1], ""):
        return ["\0" + line for line in figures[parts[0][1:-1]].split("\n")]
    return [text]


def _paragraph(doc, text: str, figures: Mapping[str, str]) -> None:
    p = para(doc, "", indent=True, line=1.5)
    if text.startswith("\0"):  # a line of a filled list: a figure as a whole
        run = font(p.add_run(text[1:]))
        run.font.underline = True
        return
    for part in _PART.split(text):
        if not part:
            continue
        if part.startswith("[["):
            font(p.add_run(f"【{part[2:-2]}】")).font.highlight_color = WD_COLOR_INDEX.YELLOW
        elif part.startswith("{"):
            value = _value(part, figures)
            run = font(p.add_run(value))
            run.font.underline = part[1:-1] not in ("district", "unit", "date", "missing")
        else:
            font(p.add_run(part))


def _value(part: str, figures: Mapping[str, str]) -> str:
    key = part[1:-1]
    return figures.get(key, f"【？{key}】")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
