"""Emitting signals from Python without losing a reference to ``True``.

PySide6 6.12.0 on Python 3.11: ``SignalInstance.emit()`` returns ``True`` without owning a
reference to it, so every emit lowers True's reference count by one. After a few thousand
progress events (or at exit) the interpreter aborts with "Fatal Python error: bool_dealloc".
Python 3.12 made ``True`` immortal, so there it is harmless, and a fixed PySide will not lose it.
Rather than pin versions, ``emit`` measures once whether this PySide loses the reference and
gives it back only if it does. Every signal the desktop emits goes through ``emit``.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None
_PROBES = 8


class _Probe(QObject):
    ping = Signal()


def _measure() -> bool:
    if sys.version_info >= (3, 12):  # immortal True: nothing to lose
        return False
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(_PROBES):
        probe.ping.emit()
    lost = before - sys.getrefcount(True) >= _PROBES // 2
    if lost:
        for _ in range(_PROBES):
            _incref(True)  # the probe's own losses
    return lost


LOSES_REFERENCE = _measure()


def _none_lost() -> bool:
    """The same PySide also loses a reference to ``None`` on every call of a method that returns
    nothing (``setText``, ``setValue``, ``repaint``, ``processEvents``…): a few thousand of them
    (a long collect's progress, a benchmark's loop) and the interpreter aborts with "Fatal Python
    error: none_dealloc". Those calls are everywhere, so rather than wrap each, ``None`` is given
    references enough for any session (2**40), as Python 3.12 does by making it immortal."""
    if sys.version_info >= (3, 12):
        return False
    probe = _Probe()
    before = sys.getrefcount(None)
    for _ in range(_PROBES):
        probe.setObjectName("")
    lost = before - sys.getrefcount(None) >= _PROBES // 2
    if lost:
        ctypes.c_ssize_t.from_address(id(None)).value += 1 << 40  # ob_refcnt, the object's first field
    return lost


LOSES_NONE = _none_lost()


def emit(signal, *args) -> None:
    """``signal.emit(*args)``, giving back the reference a faulty PySide takes from its result."""
    result = signal.emit(*args)
    if LOSES_REFERENCE and isinstance(result, bool):
        _incref(result)
