"""The roster: which schools must report, their 学段, parent unit and contacts.

Read once at ``init`` from the clerk's own .xlsx or .csv. A roster with a missing or duplicate
school name is refused with the row numbers, because every later step keys on the name.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ...reading.formats import SPREADSHEET, TEXT, suffixes_where
from .names import fold, name_key

COLUMNS = {
    "name": ("学校名称", "学校", "单位名称", "学校全称", "名称"),
    "stage": ("学段", "学校学段"),
    "kind": ("学校类型", "单位类型", "学校类别", "类型", "类别"),
    "parent": ("所属单位", "上级单位", "所属", "中心学校"),
    "contact": ("联系人", "填报人"),
    "phone": ("联系电话", "电话", "手机", "手机号"),
    "email": ("邮箱", "电子邮箱", "email", "e-mail", "邮件"),
}


# What a 学段 column holds; a 学校类型 column holding only these is the 学段 under another name.
STAGES = frozenset({"小学", "初中", "九年一贯制", "高中", "完全中学", "十二年一贯制", "幼儿园", "特殊教育"})


class RosterError(ValueError):
    """A roster we refuse; the message is for the clerk."""


@dataclass(frozen=True)
class School:
    id: str
    name: str
    stage: str = ""
    parent: str = ""
    contact: str = ""
    phone: str = ""
    email: str = ""
    kind: str = ""  # 学校类型: 中心学校 / 区直学校 / 其他 … (a material may be asked of some kinds only)

    def to_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


SPREADSHEETS = suffixes_where(roster=True, kind=SPREADSHEET)
TEXTS = suffixes_where(roster=True, kind=TEXT)


def read_table(path: Path, what: str = "名单文件") -> list[list]:
    """The first sheet of an .xlsx/.xls/.ods or the rows of a .csv (UTF-8 or GBK), as lists of
    cell values; ``what`` names the file in a refusal ("名单文件", "问题清单")."""
    if path.suffix.lower() in TEXTS:
        return _rows_from_csv(path, what)
    return _rows_from_workbook(path, what)


def _rows_from_csv(path: Path, what: str = "名单文件") -> list[list[str]]:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GBK
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterError(f"{what} {path.name} 的编码无法识别，请在 Excel 中另存为 .xlsx 后再导入")
    return [row for row in csv.reader(io.StringIO(text))]


def _rows_from_workbook(path: Path, what: str = "名单文件") -> list[list]:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        return wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:  # calamine raises several unrelated types (in English) for a bad file
        raise RosterError(f"{what} {path.name} 无法打开，可能已损坏或不是真正的 Excel 表格。"
                          "请用 Excel 或 WPS 打开后另存为 .xlsx，再导入") from None


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


TEMPLATE_HEADER = ("学校名称", "学段", "所属单位", "联系人", "联系电话", "邮箱", "学校类型")


def template_bytes() -> bytes:
    """下载名单模板: an empty roster with the columns ``parse_roster`` knows, ready to fill in Excel."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "学校名单"
    ws.append(TEMPLATE_HEADER)
    for i, width in enumerate((30, 10, 22, 10, 16, 26, 12), start=1):
        ws.column_dimensions[chr(64 + i)].width = width
        cell = ws.cell(1, i)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("填写说明")
    for line in ("第一张表的第一行是列名，请勿修改；从第二行起每行一所学校。",
                 "学校名称必填，且不能重复；其余各列可以留空。",
                 "学段填 小学、初中、九年一贯制 等；所属单位填中心学校或“区直学校”，用于分单位统计。",
                 "邮箱用于直接发送反馈和催报邮件，多个邮箱用分号隔开。",
                 "学校类型（可不填）：中心学校、区直学校等。"):
        notes.append([line])
    notes.column_dimensions["A"].width = 90
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def load_roster(path: str | Path) -> list[School]:
    path = Path(path)
    if not path.exists():
        raise RosterError(f"找不到名单文件：{path}")
    if path.suffix.lower() not in SPREADSHEETS + TEXTS:
        raise RosterError(f"{path.name} 不是表格文件。学校名单请用 Excel 表格（.xlsx、.xls）或 .csv 文件，"
                          "可以先下载名单模板，填好后再导入")
    return parse_roster(read_table(path), path.name)


def parse_roster(rows: list[list], source: str = "名单") -> list[School]:
    # The header is the first row that names a school column (titles above it are allowed).
    header_at, columns = None, {}
    for i, row in enumerate(rows[:20]):
        cells = [fold(cell_text(c)).replace(" ", "") for c in row]
        found = {}
        for key, names in COLUMNS.items():
            for j, c in enumerate(cells):
                if c in {fold(n) for n in names}:
                    found[key] = j
                    break
        if "name" in found:
            header_at, columns = i, found
            break
    if header_at is not None and "stage" not in columns and "kind" in columns:
        values = {cell_text(r[columns["kind"]]) for r in rows[header_at + 1:] if columns["kind"] < len(r)} - {""}
        if values and values <= STAGES:  # a 学校类型 column holding 小学/初中: the 学段, by another name
            columns["stage"] = columns.pop("kind")
    if header_at is None:
        raise RosterError(f"{source} 中找不到“学校名称”列。名单第一行应为：学校名称、学段、所属单位、联系人、联系电话、邮箱")

    schools: list[School] = []
    missing: list[int] = []
    seen: dict[str, int] = {}
    dupes: list[str] = []
    for i, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        get = lambda key: cell_text(row[columns[key]]) if key in columns and columns[key] < len(row) else ""
        name = get("name")
        if not name:
            if any(cell_text(c) for c in row):
                missing.append(i)
            continue
        key = name_key(name)
        if key in seen:
            dupes.append(f"第 {seen[key]} 行与第 {i} 行（{name}）")
            continue
        seen[key] = i
        schools.append(
            School(
                id=f"S{len(schools) + 1:04d}",
                name=name,
                stage=get("stage"),
                parent=get("parent"),
                contact=get("contact"),
                phone=get("phone"),
                email=get("email"),
                kind=get("kind"),
            )
        )
    problems = []
    if missing:
        problems.append(f"第 {'、'.join(map(str, missing))} 行没有填学校名称")
    if dupes:
        problems.append("学校名称重复：" + "；".join(dupes))
    if problems:
        raise RosterError(f"{source} 有问题，请改正后重新导入：" + "；".join(problems))
    if not schools:
        raise RosterError(f"{source} 中没有任何学校")
    return schools
