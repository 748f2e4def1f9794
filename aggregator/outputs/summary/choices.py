"""What the schools chose, counted: per item, how many gave each choice and the share of the
first (已落实), then a school × item matrix of the choices themselves.

The district wants to know how far a policy is carried out across its schools, item by item,
and which schools to visit: the two sheets answer those two questions.
"""

from __future__ import annotations

from typing import Any, Iterator

from openpyxl.worksheet.worksheet import Worksheet

from ...form.declaration import Field, Form
from ..bulk_rows import SheetRows, Styles
from ..xlstyle import CENTRE, GRID, WRAP_TOP, print_wide, set_widths
from .cells import header_row, put, row_styles, styled, table_end
from .figures import share
from .plan import Plan

NONE_GIVEN = "未填"


def counted_fields(form: Form) -> tuple[Field, ...]:
    return form.fields_summed("count")


def _groups(form: Form) -> dict[str, str]:
    """Row id -> the group its item is printed in (一、学校教育教学), for checklists."""
    return {r.id: r.group for s in form.sections for r in s.rows if r.group}


def _choices(fields: tuple[Field, ...]) -> list[str]:
    seen: dict[str, None] = {}
    for f in fields:
        seen.update(dict.fromkeys(f.choices))
    return list(seen)


def write_counts(ws: Worksheet, plan: Plan) -> None:
    fields = counted_fields(plan.form)
    groups = _groups(plan.form)
    choices = _choices(fields)
    with_group = bool(groups)
    fixed = ("序号",) + (("类别",) if with_group else ()) + ("项目",)
    rate = f"{choices[0]}比例" if choices else "比例"  # 已落实比例: the share of the first choice
    head_labels = fixed + tuple(choices) + (NONE_GIVEN, "合计", rate)
    header_row(ws, head_labels)
    for i, f in enumerate(fields, start=1):
        row = i + 1
        counts = plan.counts[f.id]
        values: list[Any] = [i] + ([groups.get(f.row, "")] if with_group else []) + [f.display]
        values += [counts.get(c) if c in f.choices else None for c in choices]
        values += [counts.get("", 0), sum(counts.values())]
        for col, value in enumerate(values, start=1):
            cell = put(ws, row, col, value)
            cell.alignment, cell.border = WRAP_TOP if col == len(fixed) else CENTRE, GRID
        rate = share(counts, f.choices[0]) if f.choices else None
        cell = put(ws, row, len(values) + 1, rate)
        cell.number_format, cell.alignment, cell.border = "0.0%", CENTRE, GRID
    widths = (6,) + ((16,) if with_group else ()) + (60,) + (10,) * (len(choices) + 3)
    set_widths(ws, widths)
    table_end(ws, len(head_labels), 1, 1 + len(fields), f"{'D' if with_group else 'C'}2")
    print_wide(ws, widths, title_cols=len(fixed), title_rows="1:1")


def _group_starts(form: Form, fields: tuple[Field, ...], first: int) -> list[int]:
    """Where each checklist group (一、学校教育教学 …) starts among the matrix columns."""
    groups = _groups(form)
    return [first + i for i, f in enumerate(fields) if i == 0 or groups.get(f.row) != groups.get(fields[i - 1].row)]


def _short(f: Field, n: int) -> str:
    label = f.label if len(f.label) <= 14 else f.label[:13] + "…"
    return f"{n}.{label}"


def write_matrix(ws: Worksheet, plan: Plan, styles: Styles) -> SheetRows:
    """A row per included school, a column per counted item, the choice in each cell."""
    fields = counted_fields(plan.form)
    fixed = ("序号", "学校名称", "所属单位")
    labels = fixed + tuple(_short(f, i) for i, f in enumerate(fields, start=1))
    header_row(ws, labels)
    ws.row_dimensions[1].height = 72
    look = row_styles(styles)
    centred = {state: styles.id(fill=None, alignment=CENTRE) for state in look}

    def rows() -> Iterator[list[tuple[Any, int]]]:
        for seq, state in enumerate(plan.included, start=1):
            values = state.current.values
            row = [styled(v, look[state.status]) for v in (seq, state.school.name, state.school.parent)]
            yield row + [(values.get(f.id), centred[state.status]) for f in fields]

    widths = (6, 26, 16, *(10,) * len(fields))
    set_widths(ws, widths)
    table_end(ws, len(labels), 1, 1 + len(plan.included), "C2")
    print_wide(ws, widths, title_cols=2, title_rows="1:1", groups=[3] + _group_starts(plan.form, fields, 4))
    return SheetRows(ws.title, 2, 1 + len(plan.included), len(labels), rows(), styles.quoted)
