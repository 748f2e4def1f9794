"""The engine: declared forms, templates, reading, rules, ledger, consolidation, feedback, CLI.

Nothing in this package imports Qt or xlwings: the desktop app and the Excel side sit on top.
"""

import os

__version__ = "0.2.0"

# python-docx, our .docx writer, needs lxml; openpyxl switches to lxml whenever it is importable,
# and then parses without defusedxml and writes cells its other way (the issued workbooks'
# placeholders and the streamed summary sheets depend on its own writer). Keep openpyxl on its
# own XML: read by openpyxl when it is first imported, and inherited by the reading processes.
os.environ.setdefault("OPENPYXL_LXML", "False")
