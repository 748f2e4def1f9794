"""The register against a school's own Annex 5: where a school has items, the problems it
reports as closed (已完成整改问题数) and in progress (正在整改问题数) are compared with its items
closed (已销号) and not closed; a difference is a 请核对 warning quoting both, on the cells of
the school's own workbook. Which figures are compared is declared (``[[compare]]`` in the
督办单's declaration), per form.

Worked out with the school states (``status``), like the outlier warnings; the clerk confirms
it (``dudao confirm 学校 与整改台账不符``) or the school corrects its figures.
"""

from __future__ import annotations

from typing import Mapping

from ..store.folder import Collection
from ..store.ledger import ReturnRecord
from ...findings import WARNING, Finding
from ...form.declaration import Form
from ...messages import message
from .order import load_order
from .records import CLOSED
from .register import register

RULE = "register-mismatch"


def register_findings(col: Collection, form: Form, current: Mapping[str, ReturnRecord]
                      ) -> dict[str, tuple[Finding, ...]]:
    """The warnings, by the return (sha256) they are about."""
    compare = load_order().compare_for(form.id)
    if compare is None or not (form.has_field(compare.closed) and form.has_field(compare.open)):
        return {}
    counts: dict[str, list[int]] = {}
    for i in register(col):
        counts.setdefault(i.school.id, [0, 0])[0 if i.state == CLOSED else 1] += 1
    judged = {sid: r for sid, r in current.items() if sid in counts and not r.review and r.id is not None}
    if not judged:
        return {}
    figures = col.ledger.figures(r.id for r in judged.values())
    cells = col.ledger.cell_maps(r.id for r in judged.values())
    out = {}
    for sid, ret in judged.items():
        closed, still = (figures.get(ret.id, {}).get(f) for f in (compare.closed, compare.open))
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (closed, still)):
            continue  # a figure the reader could not take has findings of its own
        done, left = counts[sid]
        if (closed, still) == (done, left):
            continue
        where = cells.get(ret.id, {})
        at = (where.get(compare.closed, ""), where.get(compare.open, ""))
        text = message(RULE, closed_cell=at[0], closed_label=form.field(compare.closed).display, closed=_n(closed),
                       open_cell=at[1], open_label=form.field(compare.open).display, open=_n(still),
                       items=done + left, closed_items=done, open_items=left)
        out[ret.sha256] = (Finding(RULE, WARNING, text, (compare.closed, compare.open), tuple(c for c in at if c),
                                   (closed, still)),)
    return out


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
