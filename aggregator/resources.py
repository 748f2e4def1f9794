"""Where the files that ship beside the code are found: ``excel_templates/`` (the bundled form
declarations, plans and the sample roster).

``excel_templates`` is a package of data: an installed wheel, ``pip install .`` and an editable
install all find it through ``importlib.resources`` (from a source tree it is the folder at the
repository's root, next to ``aggregator/``). Inside a frozen bundle (PyInstaller,
``packaging/dudao.spec``) the data files are unpacked into the bundle's own folder, which the boot
loader names in ``sys._MEIPASS``. One function decides, so no module guesses from ``__file__``.
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path


def frozen() -> bool:
    """True inside a bundle made by PyInstaller (``dudao.exe``), False when run from source."""
    return bool(getattr(sys, "frozen", False))


def templates_dir() -> Path:
    """``excel_templates/``: in the bundle's folder, else wherever its package was installed."""
    bundle = getattr(sys, "_MEIPASS", None)
    if frozen() and bundle:
        return Path(bundle) / "excel_templates"
    return Path(str(resources.files("excel_templates")))  # a folder on disk: pip never installs zipped


def root() -> Path:
    """The folder that holds ``excel_templates/``: the bundle's, site-packages, or the repository's."""
    return templates_dir().parent


TEMPLATES_DIR = templates_dir()
