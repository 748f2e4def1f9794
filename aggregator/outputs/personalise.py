"""A thousand per-school copies of the issued workbook, fast: built once, patched per school.

``template_bytes`` builds the template once with placeholders where the school's name and ids go;
``personalise`` rewrites only the zip members that hold them, copying every other member as it
was compressed, so a copy costs a tenth of a millisecond instead of openpyxl's 15 to 27.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping

from ..deflate import zlib
from ..form.declaration import Form
from ..form.explanations import PREVIOUS_PREFIX
from ..reading.xlsx_parts import escape

# openpyxl's own ``ILLEGAL_CHARACTERS_RE``: a copy costs nothing to import, and openpyxl (with
# the template builder) is imported only when the template is built.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

_OPEN, _CLOSE = "⟦", "⟧"
# openpyxl writes every string inline in the worksheet part: <c r=".." s=".." t="inlineStr"><is><t>…</t></is></c>.
# A placeholder is always a cell's whole text, so the whole cell can be rewritten as openpyxl
# itself would have written the value (an empty value is an empty cell, not an empty string).
_PLACEHOLDER_CELL = re.compile(
    rf'(<c [^>]*?t="inlineStr")><is><t>{_OPEN}(\w+){_CLOSE}</t></is></c>'.encode()
)


def placeholder(key: str) -> str:
    return f"{_OPEN}{key}{_CLOSE}"


def template_bytes(
    form: Form,
    *,
    district: str = "",
    meta_keys: Iterable[str] | None = None,
    meta: Mapping[str, str] | None = None,
    unit_key: str = "school_name",
    previous: bool = False,
) -> bytes:
    """The template as .xlsx bytes, with a placeholder for each of ``meta_keys``.

    The metadata sheet holds ``meta`` (fixed for the collection; ``kind`` defaults to "template")
    then one placeholder per key; 填报单位 holds the ``unit_key`` placeholder. Give the result to
    ``personalise`` once per school. ``meta_keys``: by default ``template.SCHOOL_KEYS``.
    Equivalent to ``build_template(form, district=district, meta={"kind": "template", **meta,
    **fields}, unit=fields[unit_key], explain=previous, previous=…)``: the 情况说明 sheet lists
    the comparison with last period when ``previous``, with a placeholder for each of the school's
    figures then (``form.explanations.previous_key``; a school with none leaves them out).
    """
    from .template import SCHOOL_KEYS, build_template  # openpyxl: only where a template is built

    keys = list(SCHOOL_KEYS if meta_keys is None else meta_keys)
    fixed = {"kind": "template", **(meta or {})}
    clash = sorted(fixed.keys() & set(keys))
    if clash:
        raise ValueError(f"keys are both fixed and per school: {clash}")
    figures = None
    if previous:  # the block of last period: each school's own figures, filled in by ``personalise``
        from ..form.explanations import explanation_layout

        layout = explanation_layout(form)
        figures = {r.field: placeholder(r.key) for r in (layout.previous if layout else ())}
    wb = build_template(
        form,
        district=district,
        meta={**fixed, **{k: placeholder(k) for k in keys}},
        unit=placeholder(unit_key) if unit_key in keys else "",
        explain=previous,
        previous=figures,
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# A member to patch, split once at its placeholders: its bytes in turn with (cell head, key).
Pieces = tuple["bytes | tuple[bytes, str]", ...]


@dataclass(frozen=True)
class _Parts:
    base: bytes  # a complete zip of every member without placeholders, compressed once
    patchable: tuple[tuple[zipfile.ZipInfo, Pieces], ...]  # members with placeholders, split at them
    keys: frozenset[str]
    optional: frozenset[str]  # of ``keys``, those a copy may leave out: last period's figures
    # The base cut for ``_zip``: its members, its central directory, how many entries that lists.
    body: bytes = b""
    directory: bytes = b""
    count: int = 0

    @classmethod
    def cut(cls, base: bytes, patchable: tuple[tuple[zipfile.ZipInfo, Pieces], ...], keys: frozenset[str]) -> "_Parts":
        end = base.rindex(zipfile.stringEndArchive)
        _, _, _, _, count, size, start, _ = struct.unpack(zipfile.structEndArchive,
                                                          base[end:end + zipfile.sizeEndCentDir])
        optional = frozenset(k for k in keys if k.startswith(PREVIOUS_PREFIX))
        return cls(base, patchable, keys, optional, base[:start], base[start:start + size], count)


@lru_cache(maxsize=4)
def _parts(template: bytes) -> _Parts:
    """Split the template once: the members that never change, and the ones to patch, cut at
    their placeholder cells (so a copy joins bytes instead of searching 30 KB of XML)."""
    base = io.BytesIO()
    patchable, keys = [], set()
    with zipfile.ZipFile(io.BytesIO(template)) as src, zipfile.ZipFile(base, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if _OPEN.encode() in data:
                found = list(_PLACEHOLDER_CELL.finditer(data))
                if data.count(_OPEN.encode()) != len(found):
                    raise ValueError(f"{info.filename}: a placeholder is not a whole cell's text")
                pieces: list[bytes | tuple[bytes, str]] = []
                end = 0
                for m in found:
                    pieces += [data[end:m.start()], (m.group(1), m.group(2).decode())]
                    end = m.end()
                pieces.append(data[end:])
                keys |= {key for _, key in pieces[1::2]}
                patchable.append((info, tuple(pieces)))
            else:
                dst.writestr(info, data, compress_type=info.compress_type)
    return _Parts.cut(base.getvalue(), tuple(patchable), frozenset(keys))


def _xml_cell(head: bytes, value: Any) -> bytes:
    """The cell as openpyxl writes it for this value: a number as a number (last period's
    figures), else the text cleaned and XML-escaped."""
    if type(value) in (int, float):
        return head.replace(b' t="inlineStr"', b' t="n"') + f"><v>{value!r}</v></c>".encode()
    text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
    if not text:
        return head + b"/>"
    space = ' xml:space="preserve"' if text != text.strip() else ""
    body = escape(text).replace('"', "&quot;").replace("'", "&apos;")
    return head + f"><is><t{space}>{body}</t></is></c>".encode()


def personalise(template: bytes, fields: Mapping[str, Any]) -> bytes:
    """One school's copy: ``template`` (from ``template_bytes``) with its placeholders filled.

    Only the members holding placeholders are rewritten; every other member is copied as it was
    compressed in the template, so a copy costs a tenth of a millisecond. ``fields`` must give exactly
    the template's keys: a forgotten key would otherwise issue a workbook showing "⟦school_id⟧";
    only last period's figures may be left out (a school that was not in it has none).
    """
    parts = _parts(template)
    if parts.optional:
        fields = {**dict.fromkeys(parts.optional - fields.keys()), **fields}
    missing, unknown = parts.keys - fields.keys(), fields.keys() - parts.keys
    if missing or unknown:
        raise ValueError(f"personalise: missing {sorted(missing)}, unknown {sorted(unknown)}")
    return _zip(parts, [(info, b"".join(p if type(p) is bytes else _xml_cell(p[0], fields[p[1]]) for p in pieces))
                        for info, pieces in parts.patchable])


def _zip(parts: _Parts, patched: list[tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    """The base with the patched members appended, byte for byte what ``zipfile`` writes when it
    appends them (``ZipFile(base, "a").writestr(..., ZIP_DEFLATED, compresslevel=1)``), without
    its reading of the base and its bookkeeping per member: half of a copy's time. Deflated by
    ``deflate.zlib`` (zlib-ng's where installed: under half the time of the standard one)."""
    body, count = parts.body, parts.count
    out, central = [body], [parts.directory]
    offset = len(body)
    for info, data in patched:
        squeeze = zlib.compressobj(1, zlib.DEFLATED, -15)
        packed = squeeze.compress(data) + squeeze.flush()
        entry = zipfile.ZipInfo(info.filename, info.date_time)
        entry.external_attr = info.external_attr
        entry.compress_type, entry.flag_bits = zipfile.ZIP_DEFLATED, 0
        entry.CRC, entry.compress_size, entry.file_size = zlib.crc32(data), len(packed), len(data)
        header = entry.FileHeader(False)
        dt = entry.date_time
        name, flags = entry._encodeFilenameFlags()
        central.append(struct.pack(
            zipfile.structCentralDir, zipfile.stringCentralDir, entry.create_version, entry.create_system,
            entry.extract_version, entry.reserved, flags, entry.compress_type,
            dt[3] << 11 | dt[4] << 5 | (dt[5] // 2), (dt[0] - 1980) << 9 | dt[1] << 5 | dt[2], entry.CRC,
            entry.compress_size, entry.file_size, len(name), len(entry.extra), 0, 0, entry.internal_attr,
            entry.external_attr, offset) + name + entry.extra)
        out += [header, packed]
        offset += len(header) + len(packed)
    size = sum(map(len, central))
    total = count + len(patched)
    end = struct.pack(zipfile.structEndArchive, zipfile.stringEndArchive, 0, 0, total, total, size, offset, 0)
    return b"".join(out + central + [end])

