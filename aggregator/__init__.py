"""The engine: declared forms, templates, reading, rules, ledger, consolidation, feedback, CLI.

Nothing in this package imports Qt or xlwings: the desktop app and the Excel side sit on top.
"""

import os
import sys
from contextlib import suppress

__version__ = "0.2.0"

# python-docx, our .docx writer, needs lxml; openpyxl switches to lxml whenever it is importable,
# and then parses without defusedxml and writes cells its other way (the issued workbooks'
# placeholders and the streamed summary sheets depend on its own writer). Keep openpyxl on its
# own XML: read by openpyxl when it is first imported, and inherited by the reading processes.
os.environ.setdefault("OPENPYXL_LXML", "False")


class _OpenpyxlWithoutNumpy:
    """openpyxl imports numpy, when it is installed, only to accept numpy's number types as cell
    values (``openpyxl.compat.numbers``), which we never give it; numpy takes 0.07 s of every
    command that writes a workbook (distribute, consolidate, feedback) to import. So that one
    optional import fails, as if numpy were absent, and every other import of numpy (a
    benchmark's pandas) is left alone. Removes itself once openpyxl has looked."""

    @classmethod
    def find_spec(cls, name: str, path: object = None, target: object = None) -> None:
        if name != "numpy":
            return None
        numbers = sys.modules.get("openpyxl.compat.numbers")
        spec = getattr(numbers, "__spec__", None)
        if numbers is None or not getattr(spec, "_initializing", False):
            return None
        with suppress(ValueError):
            sys.meta_path.remove(cls)
        raise ImportError("numpy is not imported for openpyxl", name=name)


if "openpyxl" not in sys.modules and "numpy" not in sys.modules:
    sys.meta_path.insert(0, _OpenpyxlWithoutNumpy)
