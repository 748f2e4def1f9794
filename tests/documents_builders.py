"""Documents made by code, as schools send them: Word and OpenDocument text files written as raw
XML packages, Annex 5 filled in the Word table the plan shipped, PDFs (through LibreOffice), and
photos. Also what goes wrong: an empty document, a bomb, entities.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from aggregator.demo.annex5 import word_return as annex5_docx  # noqa: F401 - the Word-filled Annex 5
from aggregator.demo.documents import photo, word as docx

def article(school: str, kind: str = "“双减”督导优秀工作案例", chars: int = 600, title: str | None = None) -> bytes:
    """A case article or report as a school writes one: a title naming the school, then text."""
    heading = f"{school}{kind}" if title is None else title
    sentence = "我校坚持把“双减”工作作为一号工程，严格落实作业公示制度，课后服务实现全覆盖，家长满意度明显提升。"
    text = (sentence * (chars // len(sentence) + 1))[:chars]
    return docx([heading, text[: chars // 2], text[chars // 2:]])


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
    return photo(width, height)


def docx_with_entities() -> bytes:
    return docx(["x"], extra={"word/settings.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'})


def docx_bomb() -> bytes:
    """A Word file whose one part inflates to 60 MB from a few dozen kilobytes."""
    return docx(["x"], extra={"word/comments.xml": b"<c>" + b" " * (60 * 1024 * 1024) + b"</c>"})
