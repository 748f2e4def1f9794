"""zlib as the engine uses it: zlib-ng's where its wheel is installed, else the standard library's.

Every return is inflated and CRC-checked part by part before anything parses it (``reading.zipguard``),
and every issued copy deflates its personalised parts (``outputs.personalise``): zlib-ng does the
first in half the time and the CRC in a tenth, the second in under half, for the same streams
(it reads and writes plain deflate, as every zip reader does). A platform without its wheel (32-bit
Windows) runs the same code on the standard module.
"""

from __future__ import annotations

import zlib as _standard

try:
    from zlib_ng import zlib_ng as zlib
except ImportError:  # no wheel for this platform
    zlib = _standard

# What either module raises on a damaged stream (``zipfile`` itself uses the standard one).
ERRORS: tuple[type[Exception], ...] = tuple({_standard.error, zlib.error})
