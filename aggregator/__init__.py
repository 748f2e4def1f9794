"""The engine: declared forms, templates, reading, rules, ledger, consolidation, feedback, CLI.

Nothing in this package imports Qt or xlwings: the desktop app and the Excel side sit on top.
"""

__version__ = "0.2.0"
