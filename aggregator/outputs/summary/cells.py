"""What every sheet of the summary shares: how a value goes into a cell, heads, tables, states."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Sequence

from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from ...collection.views.status import STATES, SchoolState
from ...form.layout import col_letter
from ..bulk_rows import Styles
from ..xlstyle import CENTRE, GRID, HEAD_BLUE, LIGHT_RED, WRAP_TOP, fill, font, set_text

DATE_TIME_FORMAT = "mm-dd hh:mm"  # the year is the collection's: the column stays narrow
DATE_FORMAT = "yyyy-mm-dd"
NO_PARENT = "未填所属单位"
STATE_FILLS = {
    "missing": fill("FFFFF2CC"),  # light yellow
    "returned": fill(LIGHT_RED),
    "needs_review": fill("FFFFD8A8"),  # orange
}
BOLD = font(bold=True)
TOP = Alignment(vertical="top")  # beside wrapped text, a row's other cells start at its top


def put(ws: Worksheet, row: int, col: int, value: Any):
    """Numbers and dates as they are, every string as literal text, "" and None as a blank cell."""
    cell = ws.cell(row, col)
    if isinstance(value, str):
        if value:
            set_text(cell, value)
    elif isinstance(value, (datetime, date)):
        cell.value = value
        cell.number_format = DATE_TIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT
    elif value is not None:
        cell.value = value
    return cell


def head(cell) -> None:
    cell.font, cell.fill, cell.alignment, cell.border = BOLD, fill(HEAD_BLUE), CENTRE, GRID


def header_row(ws: Worksheet, labels: Sequence[str], row: int = 1) -> None:
    for i, label in enumerate(labels, start=1):
        head(put(ws, row, i, label))


def table_end(ws: Worksheet, n_cols: int, header_row: int, last_row: int, freeze: str) -> None:
    ws.freeze_panes = freeze
    ws.auto_filter.ref = f"A{header_row}:{col_letter(n_cols)}{max(last_row, header_row)}"


def when(received_at: str) -> datetime | str:
    """The file's time as an Excel date (sortable); an unparsable one stays as it was."""
    try:
        return datetime.fromisoformat(received_at).replace(tzinfo=None)
    except (TypeError, ValueError):
        return received_at or ""


def yes(flag: bool) -> str:
    return "是" if flag else "否"


def names(states: Sequence[SchoolState], limit: int = 30) -> str:
    listed = [s.school.name for s in states]
    shown = "、".join(listed[:limit])
    return shown + (f" 等 {len(listed)} 所" if len(listed) > limit else "")


def parent(state: SchoolState) -> str:
    return state.school.parent.strip() or NO_PARENT


def whole_district(district: str) -> str:
    """"某某区" -> "全区合计", "某某市" -> "全市合计"."""
    last = district[-1:] if district else ""
    return f"全{last}合计" if last in ("区", "市", "县", "省", "州", "旗") else "合计"


def row_styles(styles: Styles) -> dict[str, tuple[int, int, int, int]]:
    """Per school state: the style ids of a plain, a date-time, a wrapped and a date cell, all
    bordered: a printed table has its grid."""
    return {
        state: (styles.id(fill=f, border=GRID, alignment=TOP),
                styles.id(fill=f, number_format=DATE_TIME_FORMAT, border=GRID, alignment=TOP),
                styles.id(fill=f, alignment=WRAP_TOP, border=GRID),
                styles.id(fill=f, number_format=DATE_FORMAT, border=GRID, alignment=TOP))
        for state in STATES
        for f in (STATE_FILLS.get(state),)
    }


def styled(value: Any, look: tuple[int, int, int, int]) -> tuple[Any, int]:
    """A value with the style of its kind: dates and times formatted as such."""
    plain, moment, _, day = look
    if isinstance(value, datetime):
        return value, moment
    if isinstance(value, date):
        return value, day
    return value, plain


def sheet_title(text: str, taken: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, none of []:*?/\\), unique in the workbook."""
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in text).strip("'") or "Sheet"
    base = base[:31]
    name, n = base, 2
    while name in taken:
        suffix = f"({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name
