"""Workbooks encrypted with Excel's default password, which Excel opens without asking.

Excel encrypts a workbook with the password "VelvetSweatshop" when it has none from the user
(a workbook whose structure is protected, a file marked read-only recommended): Excel and WPS
open it without a word, so the school knows of no password and must not be told of one. Such a
file is decrypted here with that password (msoffcrypto-tool); one with a password of its own
stays encrypted and is reported so.
"""

from __future__ import annotations

import io
from pathlib import Path

DEFAULT_PASSWORD = "VelvetSweatshop"


def with_default_password(path: Path) -> bytes | None:
    """The decrypted file, or None when the default password does not open it."""
    try:
        import msoffcrypto
        from msoffcrypto.exceptions import DecryptionError, FileFormatError, InvalidKeyError, ParseError
    except ImportError:  # a dependency; without it the file is reported as encrypted
        return None
    errors = (DecryptionError, FileFormatError, InvalidKeyError, ParseError, ValueError, KeyError, IndexError, OSError,
              EOFError, AssertionError)
    out = io.BytesIO()
    try:
        with open(path, "rb") as fh:
            office = msoffcrypto.OfficeFile(fh)
            office.load_key(password=DEFAULT_PASSWORD)
            office.decrypt(out)
    except errors:
        return None
    return out.getvalue() or None
