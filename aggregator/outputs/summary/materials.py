"""材料收取情况: school × material, with the date each was received and what is late or missing.

The clerk tracks the case articles and reports here as she tracks the form, instead of in a
separate list by hand: one row per school, one column per material it could owe.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from ...collection.store.plan import Plan
from ...collection.views.state import STATE_LABELS
from ..xlstyle import CENTRE, GRID, ROW_PT, print_wide, set_widths
from .cells import STATE_FILLS, head, put, table_end
from .plan import Plan as SummaryPlan

NOT_OWED = "—"


def write_materials(ws: Worksheet, summary: SummaryPlan, plan: Plan) -> None:
    fixed = ("序号", "学校", "所属单位")
    for i, label in enumerate(fixed + tuple(f"{m.label}（{m.deadline or '无截止'}）" for m in plan.materials), start=1):
        head(put(ws, 1, i, label))
    ws.row_dimensions[1].height = 48
    for r, state in enumerate(summary.states, start=2):
        for c, value in enumerate((r - 1, state.school.name, state.school.parent), start=1):
            put(ws, r, c, value).border = GRID
        by_id = {m.material.id: m for m in state.materials}
        for c, material in enumerate(plan.materials, start=len(fixed) + 1):
            m = by_id.get(material.id)
            cell = put(ws, r, c, _shown(m) if m is not None else NOT_OWED)
            cell.alignment, cell.border = CENTRE, GRID
            fill = STATE_FILLS.get(m.status) if m is not None else None
            if fill is not None:
                cell.fill = fill
    widths = (5, 22, 14, *(18,) * len(plan.materials))
    set_widths(ws, widths)
    table_end(ws, len(fixed) + len(plan.materials), 1, 1 + len(summary.states), "C2")
    print_wide(ws, widths, title_cols=2, title_rows="1:1", body=[ROW_PT] * len(summary.states))


def _shown(m: Any) -> str:
    """"11-08 收到", "11-22 收到（逾期）", "未报送", "退回修改"."""
    if m.status == "missing":
        return STATE_LABELS["missing"]
    when = datetime.fromisoformat(m.received_at).strftime("%m-%d") if m.received_at else ""
    text = f"{when} 收到" if m.status in ("accepted", "accepted_with_warnings") else STATE_LABELS.get(m.status, "")
    return text + ("（逾期）" if m.late else "")
