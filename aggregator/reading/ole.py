"""Which streams an OLE2 compound file (.xls, .doc, a password-protected .xlsx) holds.

A password-protected .xlsx is not a zip but an OLE2 file with "EncryptionInfo" and
"EncryptedPackage" streams; a .doc has "WordDocument"; an .xls has "Workbook" (or "Book" before
Excel 97). Stream names sit in 128-byte directory entries as UTF-16LE, followed by their byte
length at offset 64, so they can be told without an OLE library and without false hits on the
same words inside cell text.
"""

from __future__ import annotations

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENTRY = 128
_HEADER = 512

KNOWN_STREAMS = ("EncryptionInfo", "EncryptedPackage", "Workbook", "Book", "WordDocument", "PowerPoint Document")


def stream_names(data: bytes, names: tuple[str, ...] = KNOWN_STREAMS) -> set[str]:
    """The ``names`` that appear as directory entries of the compound file ``data``, as written or
    in capitals: directory names compare without case, and some writers call it "WORKBOOK"."""
    found = set()
    for name in names:
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        length = len(encoded).to_bytes(2, "little")
        for variant in dict.fromkeys((encoded, name.upper().encode("utf-16-le") + b"\x00\x00")):
            pos = data.find(variant, _HEADER)
            while pos != -1 and name not in found:
                if pos % _ENTRY == 0 and data[pos + 64 : pos + 66] == length:
                    found.add(name)
                pos = data.find(variant, pos + 1)
    return found
