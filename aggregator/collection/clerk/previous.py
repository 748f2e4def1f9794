"""The clerk names last period: an earlier collection of the same form, and (optionally) the
mapping of the schools renamed since. Its figures are taken then and kept (``store.previous``).

``prepare`` checks everything and takes the figures without writing anything, so ``init`` can
refuse a wrong ``--previous`` before it makes a folder; ``set_previous`` then keeps it.
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Iterable

from ... import clock
from ...form.declaration import Form
from ...messages import Note
from ..store.folder import Collection, CollectionError
from ..store.names import NameIndex
from ..store.previous import PreviousPeriod, keep_previous, open_previous, read_renames
from ..store.roster import RosterError, School
from ..views.status import overview

NAMES_FOLDER = "roster"  # where the mapping file's copy is kept, beside the roster's


def prepare(folder: str | Path, form: Form, schools: Iterable[School], levels: Iterable[str],
            names_file: str | Path | None = None, own: Path | None = None) -> PreviousPeriod:
    """Last period's figures from the collection in ``folder``: the returns its summary counts
    (accepted, with or without warnings), per school name, and their district totals; and the
    mapping of renamed schools, each name checked against both rosters. Nothing is written."""
    prev = open_previous(folder, form.id, own)
    try:
        theirs = prev.form
        passed = [s for s in overview(prev).schools if s.accepted and s.current is not None]
        ids = [s.current.id for s in passed]
        numeric = {f.id for f in theirs.numeric_fields}
        stored = prev.ledger.figures(ids)
        figures = {s.school.name: {k: v for k, v in stored.get(s.current.id, {}).items() if k in numeric}
                   for s in passed}
        totals = prev.ledger.sums(ids, [f.id for f in theirs.fields_summed("sum")])
        their_schools = [s.name for s in prev.schools()]
        title, their_levels = theirs.title(prev.settings.name), prev.settings.levels
    except sqlite3.Error:  # a ledger another program broke, or a folder we may not read
        raise CollectionError(Note.of("previous-not-a-collection", folder=folder)) from None
    finally:
        prev.close()
    renames = _renames(names_file, schools, levels, their_schools, their_levels) if names_file else {}
    return PreviousPeriod(str(Path(folder).resolve()), title, clock.stamp(), tuple(their_levels), figures, totals,
                          renames)


def _renames(names_file: str | Path, schools: Iterable[School], levels: Iterable[str], their_schools: list[str],
             their_levels: Iterable[str]) -> dict[str, str]:
    """Our roster's name -> its name last period, from the mapping file; every row whose names
    are not on the two rosters is named, and the file refused whole."""
    ours = {s.id: s.name for s in schools}
    now_index = NameIndex(ours, levels)
    then_index = NameIndex(dict(enumerate(their_schools)), their_levels)
    out, problems = {}, []
    for row, old, new in read_renames(names_file):
        then, now = then_index.match(old), now_index.match(new)
        if then is None:
            problems.append(f"第 {row} 行的上期名称“{old}”不在上期的学校名单中")
        if now is None:
            problems.append(f"第 {row} 行的本期名称“{new}”不在本次的学校名单中")
        if then is not None and now is not None:
            out[ours[now]] = their_schools[then]
    if problems:
        raise RosterError(Note.of("previous-names-unknown", source=Path(names_file).name,
                                  problems="；".join(problems)).render())
    return out


def keep(col: Collection, period: PreviousPeriod | None, names_file: str | Path | None = None) -> None:
    """Keep the figures taken (None: forget last period) and say so in the settings; the mapping
    file is copied into the collection, as the roster is."""
    names = col.settings.previous_names
    if period is None:
        names = ""
    elif names_file:
        copy = col.folder(NAMES_FOLDER) / Path(names_file).name
        if Path(names_file).resolve() != copy.resolve():
            shutil.copyfile(names_file, copy)
        names = f"{NAMES_FOLDER}/{copy.name}"
    with col.ledger.transaction():
        keep_previous(col.ledger, period)
    col.settings = replace(col.settings, previous=period.folder if period else "", previous_names=names)
    col.save_settings()


def set_previous(col: Collection, folder: str | Path | None, names_file: str | Path | None = None
                 ) -> PreviousPeriod | None:
    """``dudao settings DIR --previous OLD [--previous-names F]``: take last period's figures
    again (``folder`` None: from the folder already named; "": forget last period). A mapping
    given before is read again when none is given now."""
    if folder is None:
        folder = col.settings.previous
        if not folder:
            raise CollectionError(Note.of("previous-required"))
    if not str(folder).strip():
        keep(col, None)
        return None
    if names_file is None and col.settings.previous_names and (col.root / col.settings.previous_names).exists():
        names_file = col.root / col.settings.previous_names
    period = prepare(folder, col.form, col.schools(), col.settings.levels, names_file, own=col.root)
    keep(col, period, names_file)
    return period
