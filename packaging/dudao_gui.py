"""The bundle's ``dudao-gui`` (``dudao-gui.exe``): the window, frozen by ``dudao.spec``.

``freeze_support`` first, as in ``dudao_cli.py``: the window's collect starts its reading workers
as this program. On Windows this is a windowed program (no console window when the clerk
double-clicks it), so it has no standard output; started from a console with ``--version``,
``--help`` or ``--screenshot`` it writes to that console instead of nowhere.
"""

import multiprocessing
import sys


def _parent_console() -> None:
    """Windows only, and only without a standard output: borrow the console we were started from."""
    if sys.platform != "win32" or sys.stdout is not None:
        return
    import ctypes

    if ctypes.windll.kernel32.AttachConsole(-1):  # ATTACH_PARENT_PROCESS; fails when double-clicked
        sys.stdout = open("CONOUT$", "w", encoding="utf-8", errors="replace")
        sys.stderr = open("CONOUT$", "w", encoding="utf-8", errors="replace")


if __name__ == "__main__":
    multiprocessing.freeze_support()
    _parent_console()
    from desktop.app import main

    sys.exit(main())
