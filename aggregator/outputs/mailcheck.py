"""发送测试邮件: one short message to the clerk's own mailbox, before any school is written to.

A wrong port or a login code mistaken for the password shows up here, in one sentence, rather
than halfway through sending feedback to three hundred schools.
"""

from __future__ import annotations

import smtplib

from .. import clock
from ..messages import Note
from .mail import Mailer, MailError, build_message, describe_failure, for_sending, parse_addresses, smtp_settings
from ..collection.store.folder import Collection, CollectionError

SUBJECT = "【测试邮件】学校报表收集汇总"


def send_test_mail(col: Collection, to: str = "") -> str:
    """Send a test message to ``to`` (default: the sender itself); returns the address it went to.

    Raises ``CollectionError`` (``MailError`` is one) with what to fix when it does not go out.
    """
    smtp = smtp_settings(col.mail())
    if smtp.user and not smtp.password:
        raise CollectionError(Note.of("no-mail-password"))
    good, bad = parse_addresses(to or smtp.sender)
    if bad or not good:
        raise CollectionError(Note.of("bad-test-address", to=to))
    body = (f"这是“{col.settings.name}”的收集《{col.form.title(col.settings.name)}》发出的测试邮件"
            f"（{clock.now():%Y-%m-%d %H:%M}）。\n收到它，说明发信设置正确，反馈和催报邮件可以直接发出。")
    msg = build_message(to=good, sender=smtp.sender, subject=SUBJECT, body=body, draft=False)
    try:
        with Mailer(smtp) as mailer:
            refused = mailer.send(good, for_sending(msg, smtp.sender))
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"测试邮件没有发出：{describe_failure(exc)}") from None
    if refused:
        raise MailError("测试邮件被拒收：" + "；".join(f"{a}（{r}）" for a, r in refused.items()))
    return good[0]
