"""Fields of a record worked out on first use.

Opening a province's collection reads 10,000 returns and looks inside a few: the state of every
school needs a handful of columns, the values and findings of one school are read when the clerk
selects it. A record read from the ledger therefore carries its JSON texts and decodes them the
first time someone asks, in whatever thread asks.

``Deferred`` is a descriptor-typed dataclass field (frozen dataclasses included): give it a value
as usual, or ``Later(make)``; ``make()`` runs on the first access and its result replaces it.
Equality, ``repr``, ``dataclasses.replace`` and pickling all see the worked-out value.
``building`` keeps the cyclic garbage collector out of the way while many records are made.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Any, Callable, Iterator


class Later:
    """A value still to be worked out: ``make()`` gives it."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


_REQUIRED = object()


class Deferred:
    def __init__(self, default: Any = _REQUIRED) -> None:
        self.default = default

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}"

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None:  # asked by @dataclass for the field's default
            if self.default is _REQUIRED:
                raise AttributeError(self.slot)  # none: the field is required
            return self.default
        value = obj.__dict__[self.slot]
        if type(value) is Later:
            value = value.make()
            obj.__dict__[self.slot] = value
        return value

    def __set__(self, obj: object, value: Any) -> None:
        obj.__dict__[self.slot] = value


def settled(obj: object) -> dict[str, Any]:
    """``obj.__dict__`` with every ``Later`` worked out: the state to pickle or copy."""
    return {k: getattr(obj, k[1:]) if type(v) is Later else v for k, v in obj.__dict__.items()}


@contextmanager
def building() -> Iterator[None]:
    """While tens of thousands of small records are made (a province's overview), none of them in
    a reference cycle: the cyclic collector would otherwise walk every live object several times
    over (in the desktop, the previous overview included) and find nothing to free. It was most of
    the time of opening a 10,000-school collection. Reference counting frees as usual.

    Once made, they are kept out of its sight for good (``gc.freeze``): every later collection
    walked them again, a province's 280,000 objects, 0.1-0.15 s each with the interpreter held (in
    the window, moments it stood still; 0.3 s of a province's consolidate). Young garbage is
    collected first (``gc.collect(1)``, milliseconds), so that what is frozen is what lives; a
    cycle that dies later among what was frozen is freed when the process ends."""
    was = gc.isenabled()
    if was:
        gc.collect(1)
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.freeze()
            gc.enable()
