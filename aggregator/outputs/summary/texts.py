"""The summary's lists of what schools wrote: one sheet per section whose texts are listed.

A lines section (主要问题 1/2/3) lists each school's lines, one row per line filled in; any other
listed text (a checklist's 问题说明, an inline text) is listed item by item, then school by school,
so that every 说明 about one item reads together.
"""

from __future__ import annotations

from typing import Any, Iterator

from openpyxl.worksheet.worksheet import Worksheet

from ...collection.views.status import STATE_LABELS, STATES
from ...form.declaration import Field, Form, Section
from ..bulk_rows import SheetRows, Styles, Tall
from ..xlstyle import print_wide, set_widths, wrapped_height
from .cells import header_row, row_styles, table_end
from .plan import Plan


def text_sections(form: Form) -> list[tuple[Section, tuple[Field, ...]]]:
    """Each section with listed text fields, and those fields, in form order."""
    out = []
    for s in form.sections:
        fields = tuple(f for f in form.fields if f.section == s.id and f.summary == "list" and f.type == "text")
        if fields:
            out.append((s, fields))
    return out


def sheet_label(section: Section, fields: tuple[Field, ...]) -> str:
    """主要问题 for a lines section; the text column's own name (问题说明) for a checklist."""
    if section.kind == "lines" or not fields[0].column_label:
        return section.label or fields[0].label
    return fields[0].column_label


def write_texts(ws: Worksheet, plan: Plan, styles: Styles, section: Section, fields: tuple[Field, ...]) -> SheetRows:
    look = row_styles(styles) if plan.draft else dict.fromkeys(STATES, row_styles(styles)["accepted"])
    found: list[tuple[Any, ...]] = []
    if section.kind == "lines":
        head = ("学校", "序号", sheet_label(section, fields))
        for state in plan.included:
            for n, f in enumerate(fields, start=1):
                text = _text(state.current.values.get(f.id))
                if text:
                    found.append((state, (state.school.name, n, text)))
        widths: tuple[float, ...] = (22, 5, 70)
    else:
        head = ("项目", "学校", sheet_label(section, fields))
        for f in fields:
            for state in plan.included:
                text = _text(state.current.values.get(f.id))
                if text:
                    found.append((state, (f.label, state.school.name, text)))
        widths = (40, 26, 70)
    if plan.draft:
        head += ("状态",)
        widths += (14,)
    header_row(ws, head)
    heights = [wrapped_height(list(zip(values, widths))) for _, values in found]

    def rows() -> Iterator[list[tuple[Any, int]]]:
        for (state, values), height in zip(found, heights):
            plain, _, wrap, _ = look[state.status]
            row = [(v, wrap) for v in values]
            yield Tall(row + [(STATE_LABELS[state.status], plain)] if plan.draft else row, height)

    set_widths(ws, widths)
    table_end(ws, len(head), 1, 1 + len(found), "B2")
    print_wide(ws, widths, title_cols=1, title_rows="1:1", body=heights)
    return SheetRows(ws.title, 2, 1 + len(found), len(head), rows(), styles.quoted)


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""
