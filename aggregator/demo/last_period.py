"""Last period of the sample district: the same form collected a year earlier from the same 40
schools, so the demo's collection compares with it (``dudao init … --previous``).

A year earlier every school answered and every return was right; its figures are this period's,
a year younger: one fewer 非学科类 training organisation visited, one more 督办单 and one fewer
typical case where there were any, the rest as now. Two schools make the comparison worth reading:

- 编钟小学 already had 27 督学 (all its part-time inspectors counted), far above its peers, and
  explained it on the 情况说明 sheet then too: the window shows 27 beside this period's 30.
- ``MOVED`` issued many more 整改通知书 last period (a special inspection): this period's figure is
  under a third of it, and the school explains why on its 情况说明 sheet at once.

Built through the front door, as a clerk's earlier collection would have been: init, distribute,
the returns, collect.
"""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from .. import clock
from .annex5 import OUTLIER, sample_values
from .files import fill_workbook, put_received

FOLDER = "上期（2022年）"  # inside the demo's folder
ISSUED_AT = datetime(2022, 11, 1, 9, 0)
COLLECTED_AT = datetime(2022, 11, 21, 9, 0)
MOVED = "淅河镇三里岗小学"  # whose 整改通知书 fell to under a third of last period's
MOVED_SAID = "上期开展校外培训专项督导，出具整改通知书较多；本期各校问题减少，通知书相应减少"
OUTLIER_BEFORE = 27
OUTLIER_SAID_THEN = "本校派出的责任督学含各年级兼职督学，共 27 人次，数字无误"


def last_period_values(schools: list, now: dict[str, dict[str, Any]], seed: int = 2022) -> dict[str, dict[str, Any]]:
    """Every roster school's figures last period: ``now``'s (this period's, right) a year younger;
    a school that sends nothing this period, drawn afresh."""
    rng = random.Random(seed)
    out = {}
    for s in schools:
        v = dict(now[s.name]) if s.name in now else sample_values(rng, s.stage, s.name, s.contact, s.phone)
        if v["training_orgs.non_subject"]:
            v["training_orgs.non_subject"] -= 1
            v["training_orgs.total"] -= 1
        v["orders.total"] += 1
        v["typical_cases"] = max(v["typical_cases"] - 1, 0)
        if s.name == OUTLIER:
            v["inspectors.primary"] = OUTLIER_BEFORE
            v["inspectors.total"] = OUTLIER_BEFORE + v["inspectors.junior"]
        if s.name == MOVED:
            v["notices.primary"] = 3 * v["notices.total"] + 2  # 2 now: 8 then, under the outlier floor of 10
            v["notices.total"] = v["notices.primary"] + v["notices.junior"]
        out[s.name] = v
    return out


def build_last_period(root: Path, roster: Path, form: str, values: dict[str, dict[str, Any]],
                      drive: Callable, **own: str) -> Path:
    """The collection of last period in ``root``, every school's return collected; its folder."""
    from ..session import create_session

    with clock.pinned(ISSUED_AT):
        session = create_session(root, roster, name="曾都区", parents=("湖北省", "随州市"), deadline="2022-11-20",
                                 form=form, **own)
    with session:
        with clock.pinned(ISSUED_AT):
            issued = drive(session.distribute()).folder
        inbox = session.folder("inbox")
        for i, s in enumerate(session.schools()):
            said = {"outlier": OUTLIER_SAID_THEN} if s.name == OUTLIER else None
            data = fill_workbook(issued / f"{session.form.annex}-{s.name}.xlsx", session.form, values[s.name],
                                 explanations=said)
            put_received(inbox / f"{session.form.annex}-{s.name}.xlsx", data, f"2022-11-{10 + i % 9:02d}T10:00:00")
        with clock.pinned(COLLECTED_AT):
            drive(session.collect())
    return root
