"""By when, as a school reads it: the form's deadline, each material's, and the date to resubmit.

A school sent back at 17:00 on deadline day cannot be told "请在今天内修改", and "请尽快" names no
day at all. So every message to a school that must send something again names a date: the one
the clerk set (``dudao settings --resubmit-by``), else ``resubmit_days`` working days (Monday to
Friday) after the message is written, and never before the form's own deadline. Dates are read
as "11月23日" everywhere a school reads them; "today" is the engine's clock, never the machine's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..collection.store.settings import Settings
from ..messages import Note


def month_day(d: date) -> str:
    """11月23日."""
    return f"{d.month}月{d.day}日"


def full_date(d: date) -> str:
    """2023年11月23日 (a letter's own date, under its signature)."""
    return f"{d.year}年{d.month}月{d.day}日"


def working_days_after(start: date, days: int) -> date:
    """The ``days``-th working day (Monday to Friday) after ``start``."""
    d = start
    while days > 0:
        d += timedelta(days=1)
        if d.weekday() < 5:
            days -= 1
    return d


def form_deadline(settings: Settings) -> date | None:
    return date.fromisoformat(settings.deadline) if settings.deadline else None


@dataclass(frozen=True)
class Resubmit:
    """The date to send again, and a note for the clerk when her own date had to be passed over."""

    by: date
    note: Note | None = None


def resubmit_date(settings: Settings, today: date) -> Resubmit:
    """The date a school sent back today must send again by."""
    default = working_days_after(today, settings.resubmit_days)
    deadline = form_deadline(settings)
    if deadline is not None and deadline > default:
        default = deadline  # sent back early: the school keeps its time until the deadline
    if settings.resubmit_by:
        chosen = date.fromisoformat(settings.resubmit_by)
        if chosen >= today:
            return Resubmit(chosen)
        return Resubmit(default, Note.of("resubmit-past", chosen=month_day(chosen), used=month_day(default)))
    return Resubmit(default)


def deadline_words(deadline: date | None, today: date, by: date) -> str:
    """By when a school that has not reported must report, in a few words; past the deadline,
    by the date to send again (``by``)."""
    if deadline is None:
        return "请尽快报送"
    if today > deadline:
        return f"截止日期（{month_day(deadline)}）已过，请于{month_day(by)}前报送"
    if today == deadline:
        return f"今天（{month_day(deadline)}）是截止日期，请在今天内报送"
    return f"请于{month_day(deadline)}前报送（还有 {(deadline - today).days} 天）"


def material_words(deadline: date | None, today: date, again_by: date) -> str:
    """By when a material still owed is due: "11月20日前", or past its own deadline, the date to
    send it by now."""
    if deadline is None:
        return f"请于{month_day(again_by)}前补交"
    if today <= deadline:
        return f"{month_day(deadline)}前"
    return f"{month_day(deadline)}已截止，请于{month_day(again_by)}前补交"
