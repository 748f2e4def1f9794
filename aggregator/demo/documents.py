"""The documents the sample district sends beside its workbooks, as the plan asks for them.

Most schools send their case article before 11月10日 and their report before 11月20日; the
中心学校 and 区直学校 recommend a supervisor, one of them as a photo of the stamped form; one
case comes late, one is two lines long, one is a 新建文档 that names no school, one report is a
PDF; and one school fills Annex 5 in the Word table the plan shipped with instead of the
workbook. Nothing here is a mistake the clerk should be told is "unreadable".
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any, Mapping
from xml.sax.saxutils import escape

from ..collection.store.plan import Plan
from .files import put_received

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/'
       'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
       'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
       'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
       '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
       '</Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.'
         'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
         'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
_SENTENCES = [
    "我校坚持把“双减”工作作为“一号工程”，成立了以校长为组长的工作专班。",
    "严格落实作业公示制度，各年级书面作业时间控制在规定范围内。",
    "课后服务实行“5+2”全覆盖，开设了书法、篮球、合唱等二十余门课程。",
    "责任督学每月到校督导两次，发现问题当场反馈、限期整改。",
    "家长满意度调查显示，学生睡眠时间明显增加，家长满意度达到百分之九十六。",
]


def word(blocks: list[Any], title: str = "", extra: Mapping[str, bytes] | None = None) -> bytes:
    """A .docx as Word writes one. ``blocks``: a str is a paragraph (a newline in it a line
    break); a list of rows is a table, each cell its text or (text, span, merge) with merge
    "restart" or "continue" (Word's vertical merge). ``extra``: more package parts."""
    def p(text: str) -> str:
        runs = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in str(text).split("\n"))
        return f"<w:p><w:r>{runs}</w:r></w:p>"

    def cell(c: Any) -> str:
        text, span, merge = c, 1, ""
        if isinstance(c, tuple):  # (text,), (text, span) or (text, span, merge)
            text, span, merge = (*c, 1, "")[:3] if len(c) == 1 else (*c, "")[:3]
        props = (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "") + \
            ('<w:vMerge w:val="restart"/>' if merge == "restart" else "<w:vMerge/>" if merge else "")
        body = "".join(p(line) for line in ("" if text is None else str(text)).split("\n"))
        return f"<w:tc>{f'<w:tcPr>{props}</w:tcPr>' if props else ''}{body}</w:tc>"

    body = "".join(p(b) if isinstance(b, str) else
                   "<w:tbl>" + "".join("<w:tr>" + "".join(cell(c) for c in row) + "</w:tr>" for row in b) + "</w:tbl>"
                   for b in blocks)
    core = ('<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/'
            'package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>{escape(title)}</dc:title></cp:coreProperties>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/document.xml", f'<?xml version="1.0" encoding="UTF-8"?><w:document {_W}><w:body>{body}'
                                        "</w:body></w:document>")
        z.writestr("docProps/core.xml", core)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def essay(rng: random.Random, title: str, chars: int) -> bytes:
    text = ""
    while len(text) < chars:
        text += rng.choice(_SENTENCES)
    return word([title, text[: chars // 2], text[chars // 2:]])


def photo(width: int = 2480, height: int = 3508) -> bytes:
    """A phone photo of a stamped page, as far as its header goes (a small real PNG body)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xee" * width * 3 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def simulate_documents(folder: Path, plan: Plan, schools: list, missing: set[str], seed: int = 2023) -> dict[str, str]:
    """Write the documents into ``folder`` (the WeChat download folder). Returns what happened."""
    rng = random.Random(seed)
    story: dict[str, str] = {}
    owes = {s.name: {m.id for m in plan.owed_by(s)} for s in schools}
    for i, s in enumerate(schools):
        if s.name in missing:
            continue
        day = 6 + i % 4
        if "case" in owes[s.name] and i == 3:  # a file name with no school: its title names it
            put_received(folder / "双减督导优秀工作案例.docx", essay(rng, f"{s.name}“双减”督导优秀工作案例", 900),
                         "2023-11-10T10:00:00")
            story[s.name] = "案例的文件名没写学校，按标题识别"
        if "case" in owes[s.name] and i % 11 != 3:
            late = i % 13 == 5
            name = f"{s.name}“双减”督导优秀工作案例.docx" if i % 2 else f"双减优秀案例（{s.name}）.docx"
            put_received(folder / name, essay(rng, f"{s.name}“双减”督导优秀工作案例", 900),
                         f"2023-11-{12 if late else day:02d}T1{i % 9}:20:00")
            story[s.name] = "案例逾期" if late else "按时报送案例"
        if "report" in owes[s.name] and i % 7 != 2:
            put_received(folder / f"{s.name}督导工作落实情况报告.docx",
                         essay(rng, f"{s.name}“双减”督导工作落实情况报告", 1200), f"2023-11-{15 + i % 5}T09:30:00")
        if "cadre" in owes[s.name]:
            if i % 5 == 1:
                put_received(folder / f"{s.name}优秀督导干部推荐表（盖章）.png", photo(), "2023-11-09T16:00:00")
            else:
                put_received(folder / f"{s.name}推荐优秀督导干部.docx",
                             essay(rng, f"{s.name}推荐“双减”优秀督导干部事迹材料", 500), "2023-11-09T15:00:00")
    # A case article two lines long, and one that names no school: the clerk sees both.
    short = next(s for s in schools if s.name not in missing and "case" in owes[s.name] and s.parent != "区直学校")
    put_received(folder / f"{short.name}案例.docx", word([f"{short.name}优秀工作案例", "我校认真落实了双减。"]),
                 "2023-11-11T08:00:00")
    story[short.name] = "案例只有两句话，提示核对"
    put_received(folder / "新建 DOCX 文档.docx", essay(rng, "“双减”工作典型案例", 800), "2023-11-08T20:00:00")
    return story
