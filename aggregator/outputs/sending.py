"""Sending the feedback drafts over SMTP, once: what was sent to a school is handed back to be
kept in the ledger (a ``told`` record of channel ``mail``, by the session).

The bytes sent are the draft's bytes (``mail.for_sending``), so what the clerk can open is what
the school received. A return already sent back is not sent twice, nor a reminder twice on one
day, so re-running after a failure only retries the failures; a server that refuses one school
is a note, and the next school is tried.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from typing import Callable
from email.message import EmailMessage
from pathlib import Path

from .. import clock
from ..collection.store.folder import Collection
from ..collection.store.roster import School
from ..collection.views.told import Told, told_by_school
from ..messages import Note
from ..progress import Cancel, Job, Progress
from .mail import Mailer, MailError, SmtpSettings, describe_failure, for_sending

# What an output hands back to be kept among what each school was told (``views.told.tell``):
# (school id, kind, channel, sha256, detail) each; the session records them.
Keep = Callable[[list[tuple[str, str, str, str, str]]], None]


@dataclass
class Draft:
    school: School
    kind: str  # returned | check | reminder
    path: Path
    message: EmailMessage
    to: list[str]
    sha256: str = ""


def send_all(col: Collection, smtp: SmtpSettings, drafts: list[Draft], status: dict[str, str], notes: list,
             cancel: Cancel | None, keep: Keep) -> Job[int]:
    """Send what has not been sent; ``status`` gets, per school id, how it went; ``keep`` is given
    each message as it goes out (the caller records it: a run stopped half-way never sends one
    twice). Returns how many messages went out."""
    today = clock.today().isoformat()
    sent = 0
    pending = []
    told = told_by_school(col)
    for d in drafts:
        previous = _as_record(_last_mail(told.get(d.school.id, ())))
        if not d.to:
            status[d.school.id] = "未发送：没有可用的邮箱"
        elif previous and previous.get("kind") == d.kind and (
            previous.get("sha256") == d.sha256 if d.kind != "reminder" else previous.get("at", "")[:10] == today
        ):
            at = previous.get("at", "").replace("T", " ")
            status[d.school.id] = f"此前已发送（{at}）"
            notes.append(Note.of("mail-already-sent", school=d.school.name, at=at, draft=d.path.name))
        else:
            pending.append(d)
    if not pending:
        return 0
    try:
        with Mailer(smtp) as mailer:
            for done, d in enumerate(pending, start=1):
                if cancel is not None:
                    cancel.check()
                yield Progress(done, len(pending), d.school.name, "发送邮件")
                try:
                    refused = mailer.send(d.to, for_sending(d.message, smtp.sender))
                except (smtplib.SMTPException, OSError) as exc:
                    why = describe_failure(exc)
                    status[d.school.id] = f"发送失败：{why}"
                    notes.append(Note.of("mail-not-sent", school=d.school.name, why=why, draft=d.path.name))
                    continue
                sent += 1
                status[d.school.id] = "已发送"
                if refused:
                    why = "；".join(f"{a}（{r}）" for a, r in refused.items())
                    status[d.school.id] = f"已发送，部分收件人被拒绝：{why}"
                    notes.append(Note.of("mail-refused", school=d.school.name, why=why))
                keep([(d.school.id, d.kind, "mail", d.sha256, "、".join(d.to))])
    except MailError as exc:
        raise MailError(f"{exc}。已发出 {sent} 封；邮件草稿都已保存在 {col.folder('feedback')}，"
                        "也可以用邮件程序打开后手动发送") from None
    notes.append(Note.of("mail-sent", count=sent))
    return sent


def sent_record(col: Collection, school_id: str) -> dict:
    """What was last sent to the school by e-mail: {"kind": returned | check | reminder, "at", "to",
    "sha256"}, or {} when nothing was."""
    return _as_record(_last_mail(told_by_school(col).get(school_id, ())))


def _last_mail(told: tuple[Told, ...]) -> Told | None:
    return next((t for t in reversed(told) if t.channel == "mail"), None)


def _as_record(t: Told | None) -> dict:
    return {"kind": t.kind, "at": t.at, "to": t.detail.split("、") if t.detail else [], "sha256": t.sha256} \
        if t else {}

