"""Reading returned workbooks: whatever a school sends back, as a ``Submission``.

``read_return(path, form)`` is the one entry point; ``UnreadableFile`` is the one exception.
Modules, in the order a file goes through them: ``sniff`` (+ ``zipguard``, ``ole``); the
adapters behind ``port`` (``calamine_adapter`` + ``xlsx_parts``, ``xlrd_adapter`` for .xls,
``openpyxl_adapter``); ``meta``; ``locate`` (+ ``patterns``, ``search``); ``raw_values``
(+ ``evaluate``); ``normalise`` and ``assemble``.
"""

from .errors import UnreadableFile
from .reader import read_return, read_workbook

__all__ = ["UnreadableFile", "read_return", "read_workbook"]
