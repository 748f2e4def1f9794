"""Documents made by code, as schools send them: Word and OpenDocument text files written as raw
XML packages, Annex 5 filled in the Word table the plan shipped, PDFs (through LibreOffice), and
photos. Also what goes wrong: an empty document, a bomb, entities.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import Any, Mapping
from xml.sax.saxutils import escape

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/'
       'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
       'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
       'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
       '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
       '</Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.'
         'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
         'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def _p(text: str) -> str:
    runs = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in text.split("\n"))
    return f"<w:p><w:r>{runs}</w:r></w:p>"


def _tc(text: Any = "", span: int = 1, merge: str = "") -> str:
    props = ""
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if merge:
        props += '<w:vMerge w:val="restart"/>' if merge == "restart" else "<w:vMerge/>"
    body = "".join(_p(line) for line in ("" if text is None else str(text)).split("\n"))
    return f"<w:tc>{f'<w:tcPr>{props}</w:tcPr>' if props else ''}{body}</w:tc>"


def docx(blocks: list, title: str = "", extra: Mapping[str, bytes] | None = None) -> bytes:
    """``blocks``: a str is a paragraph; a list of rows of cells is a table, each cell text or a
    (text, span, merge) tuple with merge "restart" or "continue"."""
    body = []
    for block in blocks:
        if isinstance(block, str):
            body.append(_p(block))
        else:
            rows = "".join("<w:tr>" + "".join(_tc(*c) if isinstance(c, tuple) else _tc(c) for c in row) + "</w:tr>"
                           for row in block)
            body.append(f"<w:tbl>{rows}</w:tbl>")
    xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{"".join(body)}</w:body></w:document>'
    core = ('<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/'
            'package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>{escape(title)}</dc:title></cp:coreProperties>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/document.xml", xml)
        z.writestr("docProps/core.xml", core)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def article(school: str, kind: str = "“双减”督导优秀工作案例", chars: int = 600, title: str | None = None) -> bytes:
    """A case article or report as a school writes one: a title naming the school, then text."""
    heading = f"{school}{kind}" if title is None else title
    sentence = "我校坚持把“双减”工作作为一号工程，严格落实作业公示制度，课后服务实现全覆盖，家长满意度明显提升。"
    text = (sentence * (chars // len(sentence) + 1))[:chars]
    return docx([heading, text[: chars // 2], text[chars // 2:]])


def annex5_docx(values: Mapping[str, Any]) -> bytes:
    """Annex 5 filled in the Word table the plan shipped with, cell for cell as in the seed:
    the header line a paragraph, the first row's three figures typed inside its sentence, the
    典型经验 figure inside its sentence, merged section cells."""
    v = lambda fid: "" if values.get(fid) is None else values[fid]  # noqa: E731

    def grid(row: str) -> list:
        return [("", 1, "continue"), LABELS[row]] + [v(f"{row}.{c}") for c in ("total", "primary", "junior")]

    header = f"填报单位：{v('unit')}           填报人：{v('reporter')}                      联系电话：{v('phone')}"
    table = [
        ["责任督学到培训机构督导工作情况",
         (f"实地督导校外培训机构数量 {v('training_orgs.total')} （个），其中：\n学科类 {v('training_orgs.subject')} ，"
          f"非学科类 {v('training_orgs.non_subject')} ", 4)],
        [("责任督学到校督导工作情况", 1, "restart"), "落实内容", "合计", "小学", "初中"],
        grid("inspectors"), grid("schools_visited"), grid("notices"),
        [("主要问题", 1, "restart"), "1", (v("problem_1"), 3)],
        [("", 1, "continue"), "2", (v("problem_2"), 3)],
        [("", 1, "continue"), "3", (v("problem_3"), 3)],
        [("学校整改落实情况", 1, "restart"), "整改进展", "合计", "小学", "初中"],
        *[grid(r) for r in ("problem_schools", "rectified_schools", "problems", "problems_rectified",
                            "problems_in_progress")],
        [("问责情况", 1, "restart"), "问责情况", "合计", ("其中：区教育督导部门", 2)],
        *[[("", 1, "continue"), LABELS[r], v(f"{r}.total"), (v(f"{r}.bureau"), 2)]
          for r in ("orders", "circulars", "interviews", "accountabilities")],
        ["典型经验", (f"共发现典型经验 {v('typical_cases')} 例（附相关材料）", 4)],
    ]
    return docx(["附件5", "曾都区2023年“双减”督导有关情况统计表", header, table,
                 "说明：“学校整改落实情况”栏中，存在问题=已完成整改+正在整改问题"])


LABELS = {
    "inspectors": "派出责任督学数（人）", "schools_visited": "实地督导学校数量（所）",
    "notices": "责任督学已出具整改通知书及问题清单（套）", "problem_schools": "存在问题学校（所）",
    "rectified_schools": "已完成整改学校数", "problems": "存在问题（个）", "problems_rectified": "已完成整改问题数",
    "problems_in_progress": "正在整改问题数", "orders": "印发督办单（件）", "circulars": "通报（次）",
    "interviews": "约谈（人次）", "accountabilities": "问责（人次）",
}


def odt(paragraphs: list[str]) -> bytes:
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    body = "".join(f"<text:p>{escape(p)}</text:p>" for p in paragraphs)
    content = f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}><office:body><office:text>{body}' \
              "</office:text></office:body></office:document-content>"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:'
                   'tc:opendocument:xmlns:manifest:1.0"/>')
    return buf.getvalue()


def png(width: int, height: int) -> bytes:
    """A real (tiny-bodied) PNG of the given size: a photo of a stamped page, as far as headers go."""
    raw = b"".join(b"\x00" + b"\xff" * width * 3 for _ in range(min(height, 4)))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def docx_with_entities() -> bytes:
    return docx(["x"], extra={"word/settings.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'})


def docx_bomb() -> bytes:
    """A Word file whose one part inflates to 60 MB from a few dozen kilobytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("word/document.xml", b"<w:document " + W.encode() + b"><w:body>" + b" " * (60 * 1024 * 1024)
                   + b"</w:body></w:document>")
    return buf.getvalue()
