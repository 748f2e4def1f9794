"""Where the files that ship beside the code are found: ``excel_templates/`` (the bundled form
declarations, plans and the sample roster).

From a source tree they sit at the repository's root, next to ``aggregator/``. Inside a frozen
bundle (PyInstaller, ``packaging/dudao.spec``) the code is no longer a folder of ``.py`` files:
the data files are unpacked into the bundle's own folder, which the boot loader names in
``sys._MEIPASS``. One function decides, so no module guesses from ``__file__`` on its own.
"""

from __future__ import annotations

import sys
from pathlib import Path


def frozen() -> bool:
    """True inside a bundle made by PyInstaller (``dudao.exe``), False when run from source."""
    return bool(getattr(sys, "frozen", False))


def root() -> Path:
    """The folder that holds ``excel_templates/``: the bundle's, or the repository's."""
    bundle = getattr(sys, "_MEIPASS", None)
    if frozen() and bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


TEMPLATES_DIR = root() / "excel_templates"
