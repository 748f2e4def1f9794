"""E-mail for schools: .eml drafts the clerk opens in Outlook or Foxmail, and plain SMTP sending.

Why it is done this way:

- A draft is a complete message file with ``X-Unsent: 1``: Outlook opens it as a new message
  ready to send, so a clerk without SMTP settings still sends in two clicks. It is written with
  CRLF line ends (``policy.SMTP``), which Outlook needs.
- Chinese attachment names: ``filename*=`` (RFC 2231) in Content-Disposition is the standard,
  but Outlook over POP/IMAP only reads ``name="=?utf-8?b?...?="`` (RFC 2047) in Content-Type and
  shows "ATT00001" otherwise, so both are written, as Outlook and MailKit themselves do. The
  ``email`` package mangles a Content-Type it refolds with such a parameter, so that one header is
  stored pre-folded and the message is serialised with ``refold_source="none"``.
- The bytes sent over SMTP are the bytes of the draft (minus ``X-Unsent``), so what the clerk
  can open is exactly what the school received.
- Settings the clerk can get wrong (no host, wrong password) raise ``MailError`` with a Chinese
  sentence; a recipient the server refuses is the caller's note, never a crash.
"""

from __future__ import annotations

import email.policy
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from typing import Iterable, Mapping

from .. import clock
from ..collection.store.folder import CollectionError
from ..messages import os_reason

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
# Header objects fold as usual; only raw headers we store pre-folded are left as they are.
EML_POLICY = email.policy.SMTP.clone(refold_source="none")
DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}
TIMEOUT = 30  # seconds; a school district's mail server can be slow, but not forever

_ADDRESS = re.compile(r"[A-Za-z0-9._%+'\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+")
_SEPARATORS = re.compile(r"[;；,，、\s]+")


class MailError(CollectionError):
    """Mail settings or the server refuse to work at all; the message says what to fix."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    mime: tuple[str, str] = XLSX_TYPE


def parse_addresses(text: str) -> tuple[list[str], list[str]]:
    """Addresses from a roster cell, as clerks type them ("a@qq.com；b@163.com", "王老师 <a@qq.com>").

    Returns (usable addresses, pieces that are not an address) so the caller can say which.
    """
    text = (text or "").strip()
    if not text:
        return [], []
    good: list[str] = []
    bad: list[str] = []
    for piece in _pieces(text):
        _, addr = getaddresses([piece])[0] if "<" in piece else ("", piece)
        addr = addr.strip()
        if _ADDRESS.fullmatch(addr):
            if addr.lower() not in {a.lower() for a in good}:
                good.append(addr)
        else:
            bad.append(piece)
    return good, bad


def _pieces(text: str) -> list[str]:
    """Split on separators, but keep "name <addr>" together."""
    out: list[str] = []
    for chunk in re.split(r"[;；,，、]+", text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if "<" in chunk:
            out.append(chunk)
        else:
            out.extend(p for p in _SEPARATORS.split(chunk) if p)
    return out


def _domain(address: str) -> str:
    return address.rpartition("@")[2] or "dudao.local"


def build_message(
    *,
    to: list[str],
    sender: str,
    subject: str,
    body: str,
    attachments: Iterable[Attachment] = (),
    draft: bool = True,
) -> EmailMessage:
    """One message, complete with Date and Message-ID; ``draft`` adds ``X-Unsent: 1``."""
    msg = EmailMessage(policy=EML_POLICY)
    if sender:
        msg["From"] = sender
    if to:
        msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(clock.aware_now())  # the clerk's local time, with its offset
    # make_msgid's default asks DNS for this machine's name, which can hang on an office PC.
    msg["Message-ID"] = make_msgid(domain=_domain(sender))
    if draft:
        msg["X-Unsent"] = "1"
    # base64: Chinese text survives any server, with or without 8BITMIME.
    msg.set_content(body, charset="utf-8", cte="base64")
    for att in attachments:
        msg.add_attachment(att.data, maintype=att.mime[0], subtype=att.mime[1], filename=att.filename)
        part = list(msg.iter_attachments())[-1]
        _add_legacy_name(part, att)
    return msg


def _add_legacy_name(part: EmailMessage, att: Attachment) -> None:
    """Content-Type with an RFC 2047 ``name`` for Outlook, stored pre-folded (see module doc)."""
    if att.filename.isascii():
        name = '"' + att.filename.replace("\\", "\\\\").replace('"', '\\"') + '"'
    else:
        name = '"' + Header(att.filename, "utf-8").encode(maxlinelen=60).replace("\n", "") + '"'
        name = name.replace("?= =?", "?=\r\n =?")  # one encoded word per line, each under 78
    del part["Content-Type"]
    part.set_raw("Content-Type", f"{att.mime[0]}/{att.mime[1]};\r\n name={name}")


def to_bytes(msg: EmailMessage) -> bytes:
    """The message as an .eml file: CRLF line ends, headers folded for SMTP."""
    return msg.as_bytes(policy=EML_POLICY)


def for_sending(msg: EmailMessage, sender: str) -> bytes:
    """The draft's bytes as they go out: without ``X-Unsent`` and with a From."""
    del msg["X-Unsent"]
    if sender and not msg["From"]:
        msg["From"] = sender
    return to_bytes(msg)


# --- SMTP -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: str
    user: str
    password: str
    sender: str


def smtp_settings(mail: Mapping[str, object]) -> SmtpSettings:
    """Check the ``[mail]`` table of 收集设置.toml before anything is sent."""
    host = str(mail.get("smtp_host") or "").strip()
    if not host:
        raise MailError("还没有设置发信的邮件服务器：请先在 收集设置.toml 的 [mail] 中填写 smtp_host"
                        "（如 smtp.qq.com）、smtp_user、smtp_password（授权码）和 sender")
    tls = str(mail.get("tls") or "ssl").strip().lower()
    if tls not in DEFAULT_PORTS:
        raise MailError(f"收集设置.toml 的 [mail] 中 tls = “{tls}” 无法识别，请填写 ssl、starttls 或 none")
    raw_port = mail.get("smtp_port") or DEFAULT_PORTS[tls]
    try:
        port = int(raw_port)
        if not 0 < port < 65536:
            raise ValueError
    except (TypeError, ValueError):
        raise MailError(f"收集设置.toml 的 [mail] 中 smtp_port = “{raw_port}” 不是有效的端口号（如 465）") from None
    user = str(mail.get("smtp_user") or "").strip()
    sender = str(mail.get("sender") or "").strip() or user
    if not _ADDRESS.search(sender):
        raise MailError("请在 收集设置.toml 的 [mail] 中填写发件邮箱 sender（如 jyj@example.com）")
    return SmtpSettings(host, port, tls, user, str(mail.get("smtp_password") or ""), sender)


class Mailer:
    """One SMTP session for a batch of messages; reconnects once if the server hangs up."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "Mailer":
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def connect(self) -> None:
        s = self.settings
        where = f"{s.host}:{s.port}"
        try:
            if s.tls == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=TIMEOUT,
                                                      context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT)
                if s.tls == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
            if s.user:
                smtp.login(s.user, s.password)
        except smtplib.SMTPAuthenticationError:
            raise MailError(f"邮件服务器 {where} 拒绝登录：请检查 smtp_user 和 smtp_password"
                            "（QQ、163 等邮箱须填写“授权码”，不是登录密码）") from None
        except smtplib.SMTPNotSupportedError as exc:
            raise MailError(f"邮件服务器 {where} 不支持所需的功能（{exc}）：请检查 tls 是否应为 ssl、starttls 或 none，"
                            "以及这台服务器是否需要填写 smtp_user") from None
        except ssl.SSLCertVerificationError:
            raise MailError(f"邮件服务器 {where} 的证书无法验证：请检查 smtp_host 是否写的是邮箱服务商给的发信服务器"
                            "（如 smtp.qq.com），以及这台电脑的日期和时间是否正确") from None
        except ssl.SSLError as exc:
            why = "端口与加密方式不匹配" if "WRONG_VERSION_NUMBER" in str(exc) else str(exc)
            raise MailError(f"与邮件服务器 {where} 建立加密连接失败（{why}）：请检查 tls 与 smtp_port 是否匹配"
                            "（ssl 一般用 465，starttls 一般用 587）") from None
        except socket.gaierror:  # the name does not resolve: a typo in the host, or no network at all
            raise MailError(f"找不到邮件服务器 {s.host}（域名无法解析）：请检查 smtp_host 是否写对（如 smtp.qq.com），"
                            "以及这台电脑能否上网") from None
        except (OSError, smtplib.SMTPException) as exc:
            why = ("连接超时" if isinstance(exc, TimeoutError) else os_reason(exc) if isinstance(exc, OSError) and exc.errno
                   else str(exc) or type(exc).__name__)
            raise MailError(f"无法连接邮件服务器 {where}（{why}）：请检查 smtp_host、smtp_port 和网络") from None
        self.smtp = smtp

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass  # the messages are already handed over; a rude hang-up changes nothing
            self.smtp = None

    def send(self, recipients: list[str], data: bytes) -> dict[str, str]:
        """Hand one message over; returns refused recipients (address -> server's reason).

        Raises ``smtplib.SMTPException`` (or ``OSError``) when the message as a whole was not
        accepted; the caller notes it and goes on with the next school.
        """
        try:
            return self._send(recipients, data)
        except smtplib.SMTPServerDisconnected:
            self.close()
            self.connect()
            return self._send(recipients, data)

    def _send(self, recipients: list[str], data: bytes) -> dict[str, str]:
        if self.smtp is None:
            self.connect()
        refused = self.smtp.sendmail(self.settings.sender, recipients, data)
        return {addr: _reason(err) for addr, err in refused.items()}


def _reason(err: object) -> str:
    """An SMTP (code, message) pair as one readable line."""
    if isinstance(err, tuple) and len(err) == 2:
        code, text = err
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        return f"{code} {text}".strip()
    return str(err)


def describe_failure(exc: BaseException) -> str:
    """Why a message was not accepted, for a clerk's note."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "收件人被拒绝：" + "；".join(f"{a}（{_reason(e)}）" for a, e in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"发件人 {exc.sender} 被拒绝（{_reason((exc.smtp_code, exc.smtp_error))}）"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"服务器拒收（{_reason((exc.smtp_code, exc.smtp_error))}）"
    return f"发送失败（{exc}）"
