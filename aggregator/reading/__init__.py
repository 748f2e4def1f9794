"""Reading returned workbooks: whatever a school sends back, as a ``Submission``.

``read_return(path, form)`` is the one entry point; ``UnreadableFile`` is the one exception.
Modules, in the order a file goes through them: ``sniff`` (+ ``zipguard``, ``ole``); the
adapters behind ``port`` (``calamine_adapter`` + ``xlsx_parts``, ``xlrd_adapter`` for .xls,
``openpyxl_adapter``); ``meta``; ``locate`` (+ ``patterns``, ``search``); ``raw_values``
(+ ``evaluate``); ``normalise`` and ``assemble``.
"""

from typing import TYPE_CHECKING, Any

from .errors import UnreadableFile

if TYPE_CHECKING:
    from .reader import read_return, read_workbook

__all__ = ["UnreadableFile", "read_return", "read_workbook"]


def __getattr__(name: str) -> Any:
    """The reader is loaded when first asked for: the roster and the outputs use this package's
    format registry (``formats``) and no reader (0.02 s of every consolidate, status, distribute)."""
    if name in ("read_return", "read_workbook"):
        from . import reader

        return getattr(reader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
