"""整改台账.xlsx: the register as bureaus keep it by hand, one row per problem, coloured.

Green: closed (已销号); red: overdue; yellow: due within the declared few days. A second sheet
counts the items per 所属单位 (涉及学校, 问题, 已销号, 已反馈待核, 未整改, 逾期) with a 合计 row.
Both print on A4 landscape with their heads repeated and "第 N 页 共 M 页" at the foot. Takes the
register's records and returns bytes; ``supervision.register_file`` saves them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Sequence

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..collection.supervision.records import ANSWERED, CLOSED, OPEN, ItemState
from .letters import shown_date
from .summary.cells import NO_PARENT, head, put, table_end
from .xlstyle import (CENTRE, GRID, LEFT, LIGHT_RED, TOTAL_GREY, YELLOW, fill, font, page_setup, select_only,
                      set_widths, text_height)

GREEN = "FFC6EFCE"  # Excel's own "green fill"
FILLS = {"closed": GREEN, "near": YELLOW, "overdue": LIGHT_RED}
HEAD = ("序号", "督办单编号", "学校", "所属单位", "发现的问题", "整改要求", "整改时限", "状态", "整改材料", "销号时间",
        "销号说明")
WIDTHS = (4, 13, 14, 10, 24, 20, 10, 9, 16, 8, 14)  # one A4 landscape page across, at about 75 %
HEAD_ROW = 4
UNITS_HEAD = ("所属单位", "涉及学校", "问题数", "已销号", "已反馈待核", "未整改", "其中逾期", "销号率")
UNITS_WIDTHS = (22, 10, 10, 10, 12, 10, 10, 10)


@dataclass(frozen=True)
class Counts:
    schools: int
    items: int
    closed: int
    answered: int
    open: int
    overdue: int

    @classmethod
    def of(cls, items: Sequence[ItemState]) -> "Counts":
        return cls(len({i.school.id for i in items}), len(items), sum(i.state == CLOSED for i in items),
                   sum(i.state == ANSWERED for i in items), sum(i.state == OPEN for i in items),
                   sum(i.overdue for i in items))


def register_workbook(items: Sequence[ItemState], title: str, today: date, near_days: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "整改台账"
    _items_sheet(ws, items, title, today, near_days)
    _units_sheet(wb.create_sheet("分单位统计"), items, title, today)
    select_only(wb, ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def summary_line(counts: Counts, today: date) -> str:
    return (f"截至 {shown_date(today)}：共 {counts.items} 项问题（涉及 {counts.schools} 所学校），已销号 {counts.closed} 项，"
            f"已反馈待核 {counts.answered} 项，未整改 {counts.open} 项；其中逾期 {counts.overdue} 项")


def _titles(ws: Worksheet, n_cols: int, lines: Sequence[str]) -> None:
    for row, (text, size) in enumerate(zip(lines, (16, 11, 10)), start=1):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n_cols)
        cell = put(ws, row, 1, text)
        cell.font = font(size, bold=row == 1)
        cell.alignment = CENTRE if row == 1 else LEFT
    ws.row_dimensions[1].height = 30


def _items_sheet(ws: Worksheet, items: Sequence[ItemState], title: str, today: date, near_days: int) -> None:
    _titles(ws, len(HEAD), (title, summary_line(Counts.of(items), today),
                            f"绿色：已销号　黄色：{near_days} 天内到期　红色：已逾期未销号"))
    for c, label in enumerate(HEAD, start=1):
        head(put(ws, HEAD_ROW, c, label))
    for r, i in enumerate(items, start=HEAD_ROW + 1):
        issued = f"\n{_day(i.sheet.issued_at)} 下发" if i.sheet else ""
        state = i.state_label + ("（逾期）" if i.overdue else "")
        values = (i.item.id, (i.item.sheet or "未下发") + issued, i.school.name, i.school.parent or NO_PARENT,
                  i.item.problem, i.item.requirement, i.item.due, state, "\n".join(a.name for a in i.answers),
                  _day(i.closed_at), i.note if i.state == CLOSED else "")
        colour = FILLS.get(i.colour)
        ws.row_dimensions[r].height = max(text_height(str(v), w) for v, w in zip(values, WIDTHS))
        for c, value in enumerate(values, start=1):
            cell = put(ws, r, c, value)
            cell.alignment, cell.border = (CENTRE if c in (1, 7, 8, 10) else LEFT), GRID
            if colour:
                cell.fill = fill(colour)
    table_end(ws, len(HEAD), HEAD_ROW, HEAD_ROW + len(items), f"D{HEAD_ROW + 1}")
    set_widths(ws, WIDTHS)
    page_setup(ws, landscape=True, title_rows=f"{HEAD_ROW}:{HEAD_ROW}")


def _units_sheet(ws: Worksheet, items: Sequence[ItemState], title: str, today: date) -> None:
    _titles(ws, len(UNITS_HEAD), (f"{title}（分单位统计）", summary_line(Counts.of(items), today)))
    row = HEAD_ROW - 1
    for c, label in enumerate(UNITS_HEAD, start=1):
        head(put(ws, row, c, label))
    units: dict[str, list[ItemState]] = {}
    for i in items:
        units.setdefault(i.school.parent or NO_PARENT, []).append(i)
    for unit, mine in list(units.items()) + [("合计", list(items))]:
        row += 1
        n = Counts.of(mine)
        rate = f"{n.closed / n.items:.0%}" if n.items else "—"
        for c, value in enumerate((unit, n.schools, n.items, n.closed, n.answered, n.open, n.overdue, rate), start=1):
            cell = put(ws, row, c, value)
            cell.alignment, cell.border = CENTRE if c > 1 else LEFT, GRID
            if unit == "合计":
                cell.font, cell.fill = font(bold=True), fill(TOTAL_GREY)
    table_end(ws, len(UNITS_HEAD), HEAD_ROW - 1, row, f"B{HEAD_ROW}")
    set_widths(ws, UNITS_WIDTHS)
    page_setup(ws, title_rows=f"{HEAD_ROW - 1}:{HEAD_ROW - 1}")


def _day(stamp: str) -> str:
    return datetime.fromisoformat(stamp).strftime("%m-%d") if stamp else ""
