"""Documents schools send beside their workbooks: what kind each is, its title and its text.

A case article, a report, a recommendation: Word (.docx, .doc, WPS .wps), OpenDocument (.odt),
PDF, or a photo of a signed and stamped page (.jpg, .png). They are received, not rejected: the
collection needs the title and the first lines (whose, which material), the length of the text
(a two-line "article" is flagged) and whether it is really the format it claims.

Everything is read from the bytes, within limits: zip packages through ``zipguard`` (no
entities, no bombs), PDFs through pypdf with a page and text budget, images from their headers
only (dimensions, never decoded), old Word files by their UTF-16 text runs.
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

from . import ole
from .errors import UnreadableFile
from .formats import FORMATS, by_magic
from .wordml import read_body
from .zipguard import ZIP_ERRORS

TEXT_BUDGET = 200_000  # characters read from one document: far beyond any article
PAGE_BUDGET = 60  # PDF pages read
MAX_PIXELS = 80_000_000  # a photo of a page is a few megapixels; 80 is no photo a school takes
MAX_FILE = 50 * 1024 * 1024
_CJK_RUN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffefA-Za-z0-9，。、；：？！“”‘’（）《》\s]{6,}")


@dataclass(frozen=True)
class Document:
    format: str  # one of formats.DOCUMENT_FORMATS
    title: str  # the document's title, or its first line of text, or ""
    text: str  # its text, up to TEXT_BUDGET ("" for images)
    chars: int  # characters of text, spaces not counted
    pages: int = 0  # PDF pages
    width: int = 0  # images
    height: int = 0

    @property
    def has_text(self) -> bool:
        return FORMATS[self.format].has_text


def document_format(path: Path) -> str:
    """The document format of ``path`` from its bytes, or "" when it is not a document we take."""
    with path.open("rb") as fh:
        head = fh.read(8)
    by_bytes = by_magic(head)
    if by_bytes:
        return by_bytes
    if head.startswith(ole.OLE_MAGIC):
        data = path.read_bytes()
        if "WordDocument" in ole.stream_names(data, ("WordDocument",)):
            return "wps" if path.suffix.lower() == ".wps" else "doc"
        return ""
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
                if "word/document.xml" in names:
                    return "docx"
                if "mimetype" in names and zf.read("mimetype")[:60].strip() == b"application/vnd.oasis.opendocument.text":
                    return "odt"
        except ZIP_ERRORS:
            return ""
    return ""


def read_document(path: Path, fmt: str = "") -> Document:
    """The document at ``path``; ``UnreadableFile`` when it is damaged, unsafe, encrypted or
    not what its bytes claim."""
    fmt = fmt or document_format(path)
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFile("empty-file")
    if size > MAX_FILE:
        raise UnreadableFile("oversized", size=f"{size // 1024 // 1024} MB")
    if fmt in ("docx", "odt"):
        body = read_body(path, fmt)
        return _texted(fmt, body.title, body.text[:TEXT_BUDGET])
    if fmt == "pdf":
        return _pdf(path)
    if fmt in ("doc", "wps"):
        return _old_word(path, fmt)
    if fmt in ("jpg", "png"):
        width, height = _image_size(path.read_bytes(), fmt)
        if width * height > MAX_PIXELS:
            raise UnreadableFile("oversized", size=f"{width}×{height} 像素")
        return Document(fmt, "", "", 0, width=width, height=height)
    raise UnreadableFile("not-spreadsheet", kind="无法识别的文件")


def _texted(fmt: str, title: str, text: str, pages: int = 0) -> Document:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    first = lines[0] if lines else ""
    return Document(fmt, (title or first)[:80], text, len(re.sub(r"\s", "", text)), pages)


def _pdf(path: Path) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PyPdfError

    try:
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableFile("encrypted")
        pages = len(reader.pages)
        chunks, total = [], 0
        for page in reader.pages[:PAGE_BUDGET]:
            chunk = page.extract_text() or ""
            chunks.append(chunk)
            total += len(chunk)
            if total > TEXT_BUDGET:
                break
        title = str((reader.metadata or {}).get("/Title", "") or "") if reader.metadata else ""
    except UnreadableFile:
        raise
    except FileNotDecryptedError:
        raise UnreadableFile("encrypted") from None
    # pypdf raises its own errors and, on damaged files, whatever its parser meets.
    except (PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, struct.error, OSError,
            RecursionError, ZeroDivisionError, OverflowError) as exc:
        raise UnreadableFile("corrupt-document", detail="PDF 文件无法解析") from exc
    return _texted("pdf", title, "\n".join(chunks)[:TEXT_BUDGET], pages)


def _old_word(path: Path, fmt: str) -> Document:
    """Word 97–2003 and WPS keep their text as runs of UTF-16 (or single-byte) characters inside
    the compound file; the runs of Chinese and ordinary text are the document's text, closely
    enough to tell its title, whose it is and how long it is."""
    data = path.read_bytes()
    if ole.stream_names(data, ("EncryptionInfo",)):
        raise UnreadableFile("encrypted")
    runs = []
    for start in (0, 1):  # the text may begin at an odd offset of the stream
        text = data[start:].decode("utf-16-le", errors="replace")
        runs += [m.group(0).strip() for m in _CJK_RUN.finditer(text)]
    body = "\n".join(r for r in runs if len(r.strip()) >= 6 and _mostly_words(r))
    return _texted(fmt, "", body[:TEXT_BUDGET])


def _mostly_words(run: str) -> bool:
    """A run of real text rather than binary data that happens to decode: some Chinese or
    several ordinary words."""
    cjk = sum(1 for ch in run if "\u4e00" <= ch <= "\u9fff")
    return cjk >= 2 or len(run.split()) >= 3


def _image_size(data: bytes, fmt: str) -> tuple[int, int]:
    """Width and height from the header alone; a file that is no image of its kind is damaged."""
    if fmt == "png":
        if len(data) < 24 or data[12:16] != b"IHDR":
            raise UnreadableFile("corrupt-document", detail="图片文件不完整")
        return struct.unpack(">II", data[16:24])
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            break
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return width, height
        i += 2 + length
    raise UnreadableFile("corrupt-document", detail="图片文件不完整")
