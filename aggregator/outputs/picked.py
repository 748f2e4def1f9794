"""What the district recommends upward (四.3): ``summary/上报材料/`` with each picked document
named ``所属单位-学校-材料``, and ``推荐名单.xlsx`` listing them (material, school, unit, file,
why, when), ready to send to the level above as it is, with a zip of the same beside it."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Sequence

from openpyxl import Workbook

from ..collection.store.folder import Collection
from ..collection.clerk.picks import Pick
from .documents_folder import Exported, named_folder
from .summary.cells import head, put
from .xlstyle import GRID, LEFT, font, page_setup, set_widths, text_height

FOLDER = "上报材料"
LIST = "推荐名单.xlsx"
HEAD = ("序号", "推荐材料", "学校", "所属单位", "文件（在“上报材料”中）", "推荐理由", "推荐时间")
WIDTHS = (6, 24, 20, 16, 40, 30, 12)


@dataclass(frozen=True)
class Recommended:
    material: str
    school: str
    unit: str
    file: str
    note: str
    at: str  # YYYY-MM-DD


def export_picked(col: Collection, chosen: Sequence[Pick]) -> Exported:
    def listing(named: dict[tuple[str, str], str]) -> dict[str, bytes]:
        rows = [Recommended(p.material.label, p.school.name, p.school.parent, named[(p.school.id, p.material.id)],
                            p.decision.note, p.decision.at[:10]) for p in chosen]
        rows.sort(key=lambda r: (r.material, r.unit, r.school))
        return {LIST: recommended_workbook(rows, f"{col.settings.name}推荐材料名单")}

    return named_folder(col, FOLDER, [(p.school, p.document) for p in chosen], listing)


def recommended_workbook(rows: Sequence[Recommended], title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "推荐名单"
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEAD))
    put(ws, 1, 1, title).font = font(16, bold=True)
    ws.row_dimensions[1].height = 28
    for c, label in enumerate(HEAD, start=1):
        head(put(ws, 2, c, label))
    for r, row in enumerate(rows, start=3):
        values = (r - 2, row.material, row.school, row.unit, row.file, row.note, row.at)
        ws.row_dimensions[r].height = max(text_height(str(v), w) for v, w in zip(values, WIDTHS))
        for c, value in enumerate(values, start=1):
            cell = put(ws, r, c, value)
            cell.border, cell.alignment = GRID, LEFT
    set_widths(ws, WIDTHS)
    ws.freeze_panes = "A3"
    page_setup(ws, landscape=True, title_rows="2:2")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
