"""A district (or city, or province) of returns, made fast enough to benchmark 10,000 of them.

Every school gets the workbook ``distribute`` issued to it (so the hidden metadata matches the
collection and identification works as it does for real), filled in with its own figures from
``demo.sample_values``: no two files are alike, so hashing and de-duplication do real work.
Filling a copy patches the value cells into the sheet's XML (about a millisecond), where openpyxl
would take 40 ms a file. About 6 % of the returns are what a district really gets besides:

- typed text in count cells ("3个", "2 所", full-width digits), read and noted;
- sums that do not add up (sent back);
- a row inserted above the table (openpyxl, as Excel would: the reader finds it by its labels);
- the table retyped in a blank workbook without our metadata (identified by 填报单位);
- a corrected second version, a little later; the same file sent twice; a few never answer.
"""

from __future__ import annotations

import csv
import io
import os
import random
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl

from aggregator.demo import PROBLEMS, retyped_workbook, sample_values
from aggregator.form.declaration import Form
from aggregator.form.layout import layout_of
from aggregator.reading.xlsx_parts import sheet_parts
from aggregator.outputs.xlstyle import set_text

DISTRICT = "曾都区"
TOWNS = ("万店", "何店", "洛阳", "府河", "淅河", "南郊", "北郊", "东城", "西城", "季梁", "烈山", "编钟", "擂鼓墩",
         "义地岗", "白云湖", "文峰", "新街", "草店", "三里岗", "长岗", "殷店", "厉山", "高城", "吴山", "环潭",
         "均川", "万和", "小林", "唐县", "安居")
STAGES = (("小学", "小学"), ("初级中学", "初中"), ("九年一贯制学校", "九年一贯制"))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


@dataclass
class Workload:
    folder: Path  # where the returns are, as a clerk's download folder
    files: list[Path]  # every file dropped there, duplicates included
    schools_answering: int
    kinds: dict[str, int] = field(default_factory=dict)


def roster_rows(n: int) -> list[dict[str, str]]:
    """``n`` schools in towns of about n/30 schools each, under their town's 中心学校."""
    rows = []
    for i in range(n):
        town, k = TOWNS[i % len(TOWNS)], i // len(TOWNS)
        suffix, stage = STAGES[0] if k % 5 < 3 else STAGES[1 if k % 5 == 3 else 2]  # 60 % 小学
        rows.append({
            "学校名称": f"{town}镇第{k + 1}{suffix}",
            "学段": stage,
            "所属单位": f"{town}镇中心学校",
            "联系人": f"{SURNAMES[i % len(SURNAMES)]}老师",
            "联系电话": str(13872300000 + i),
            "邮箱": f"s{i:05d}@zdedu.example",
        })
    return rows


def write_roster(path: Path, n: int) -> Path:
    rows = roster_rows(n)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


# --- filling a copy by patching its XML -----------------------------------------------------

_EMPTY_CELL = re.compile(rb'<c r="([A-Z]{1,3}\d+)"((?: s="\d+")?) t="n" ?/>')


def _xml_text(text: str) -> bytes:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode()


def patch_cells(xml: bytes, values_by_ref: dict[str, Any]) -> bytes:
    """Write values into the empty cells openpyxl left for them (numbers as numbers, text inline)."""

    def sub(m: re.Match) -> bytes:
        ref = m.group(1).decode()
        if ref not in values_by_ref:
            return m.group(0)
        value = values_by_ref[ref]
        head = b'<c r="' + m.group(1) + b'"' + m.group(2)
        if value is None or value == "":
            return m.group(0)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return head + b' t="n"><v>' + str(value).encode() + b"</v></c>"
        return head + b' t="inlineStr"><is><t>' + _xml_text(str(value)) + b"</t></is></c>"

    return _EMPTY_CELL.sub(sub, xml)


class Filler:
    """Fills issued copies of one template: the form sheet's zip member is found once."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.cells = layout_of(form).cells
        self._member: str | None = None

    def fill(self, issued: bytes, values: dict[str, Any]) -> bytes:
        by_ref = {self.cells[fid]: v for fid, v in values.items() if fid != "unit"}
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(issued)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            if self._member is None:
                parts = {n: src.read(n) for n in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")}
                self._member = sheet_parts(parts)[self.form.sheet]
            for info in src.infolist():
                data = src.read(info)
                if info.filename == self._member:
                    data = patch_cells(data, by_ref)
                dst.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
        return out.getvalue()


def inserted_row(issued: bytes, form: Form, values: dict[str, Any], rng: random.Random) -> bytes:
    """A school that filled the workbook in Excel and inserted a row in the table (openpyxl)."""
    wb = openpyxl.load_workbook(io.BytesIO(issued))
    ws = wb[form.sheet]
    cells = layout_of(form).cells
    for fid, value in values.items():
        if isinstance(value, str):
            set_text(ws[cells[fid]], value)
        else:
            ws[cells[fid]].value = value
    ws.protection.sheet = False
    ws.insert_rows(rng.randint(6, 20))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- the workload -------------------------------------------------------------------------------


def _put(path: Path, data: bytes, when: datetime) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    ts = when.timestamp()
    os.utime(path, (ts, ts))
    return path


def _file_name(rng: random.Random, annex: str, name: str, i: int) -> str:
    roll = rng.random()
    if roll < 0.6:
        return f"{annex}-{name}.xlsx"
    if roll < 0.8:
        return f"{name}双减统计表.xlsx"
    return f"{annex}({i % 9 + 1})-{i}.xlsx"  # a renamed download: only the metadata says whose


def make_returns(folder: Path, form: Form, outbox: Path, schools: list, seed: int = 2023) -> Workload:
    """One return per school (a few none, a few two), in WeChat-like per-day download folders."""
    rng = random.Random(seed)
    filler = Filler(form)
    files: list[Path] = []
    kinds = {"plain": 0, "typed-text": 0, "sum-error": 0, "inserted-row": 0, "retyped": 0,
             "second-version": 0, "duplicate": 0, "missing": 0}
    start = datetime(2023, 11, 13, 8, 0)
    answering = 0
    for i, s in enumerate(schools):
        roll = rng.random()
        if roll < 0.02:
            kinds["missing"] += 1
            continue
        answering += 1
        issued = (outbox / f"{form.annex}-{s.name}.xlsx").read_bytes()
        v = sample_values(rng, s.stage, s.name, s.contact, s.phone)
        when = start + timedelta(minutes=rng.randint(0, 7 * 24 * 60))
        day = folder / "WeChat Files" / "File" / when.strftime("%Y-%m-%d")
        name = _file_name(rng, form.annex, s.name, i)
        if roll < 0.035:
            kind, data = "inserted-row", inserted_row(issued, form, v, rng)
        elif roll < 0.04:
            kind, data = "retyped", retyped_workbook(form, v)
            name = f"{s.name}（手工录入）.xlsx"
        elif roll < 0.055:
            kind = "typed-text"
            v = dict(v)
            v["inspectors.primary"] = f"{v['inspectors.primary']}人"
            v["schools_visited.total"] = f"{v['schools_visited.total']} 所"
            v["typical_cases"] = chr(0xFF10 + v["typical_cases"])
            data = filler.fill(issued, v)
        elif roll < 0.065:
            kind = "sum-error"
            v = dict(v)
            v["inspectors.total"] += 1
            data = filler.fill(issued, v)
        else:
            kind, data = "plain", filler.fill(issued, v)
        kinds[kind] += 1
        # Distinct folders per file name keep two schools' "附件5(3)-…" apart, as downloads do.
        path = _put(day / name if not (day / name).exists() else day / f"{i}-{name}", data, when)
        files.append(path)
        if rng.random() < 0.01:  # a corrected version, sent later
            v2 = dict(v)
            v2["problem_1"] = rng.choice(PROBLEMS)
            later = when + timedelta(hours=rng.randint(2, 48))
            files.append(_put(folder / "WeChat Files" / "File" / later.strftime("%Y-%m-%d") / f"{i}-更正-{name}",
                              filler.fill(issued, v2), later))
            kinds["second-version"] += 1
        elif rng.random() < 0.005:  # the same file again, from the QQ download folder
            files.append(_put(folder / "QQ" / f"{i}-{name}", data, when))
            kinds["duplicate"] += 1
    return Workload(folder, files, answering, kinds)


def one_more(folder: Path, form: Form, outbox: Path, school, seed: int) -> Path:
    """A folder holding one corrected return of ``school`` (its own figures, another problem
    text), sent after every other: what a collect into a collection already collected brings."""
    rng = random.Random(seed)
    v = sample_values(rng, school.stage, school.name, school.contact, school.phone)
    v["problem_1"] = f"{rng.choice(PROBLEMS)}（更正{seed}）"
    issued = (outbox / f"{form.annex}-{school.name}.xlsx").read_bytes()
    if folder.exists():
        for old in folder.iterdir():
            old.unlink()
    _put(folder / f"更正-{form.annex}-{school.name}.xlsx", Filler(form).fill(issued, v), datetime(2023, 11, 21, 9, 0))
    return folder
