"""The one exception the reader raises: a whole file it cannot open.

Everything smaller than a whole file (a cell with "三", a missing row) is a finding in the
``Submission``; only a file the clerk must ask for again is an exception, and it always carries a
stable ``kind`` (the collector's "unreadable" reason) and the Chinese message to show for it.
"""

from __future__ import annotations

from ..messages import message

UNREADABLE_KINDS = (
    "empty-file",
    "corrupt",
    "corrupt-document",
    "encrypted",
    "not-spreadsheet",
    "oversized",
    "zip-bomb",
    "unsafe-xml",
    "too-many-cells",
    "old-excel",
)
# What collect records when the reading worker itself failed on a file (see collection.pool).
WORKER_KINDS = ("read-error", "read-crash", "read-timeout", "read-memory")


class UnreadableFile(Exception):
    """The file as a whole cannot be read; ``kind`` is a key of the message catalogue."""

    def __init__(self, kind: str, /, *, detail: str = "", **values: object) -> None:
        # ``kind`` is positional-only: "not-spreadsheet" fills a {kind} placeholder of its own.
        if kind not in UNREADABLE_KINDS:
            raise ValueError(f"unknown unreadable kind {kind!r}")
        self.kind = kind
        self.detail = detail  # short Chinese detail shown in the message (and kept for logs)
        self.message = message(kind, detail=f"（{detail}）" if detail else "", **values)
        super().__init__(self.message)


def human_size(n: int) -> str:
    """Sizes as a clerk reads them: '23.5 MB', '812 KB'."""
    if n >= 1024**3:
        return f"{n / 1024**3:.1f} GB"
    if n >= 1024**2:
        return f"{n / 1024**2:.1f} MB"
    return f"{max(n // 1024, 1)} KB"
