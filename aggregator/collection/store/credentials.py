"""The mail password, kept where the system keeps passwords, never in 收集设置.toml.

A collection folder is zipped and handed to colleagues; a password in it would travel too. On a
clerk's PC ``keyring`` stores it in the Windows Credential Manager (the macOS Keychain, the
Secret Service on a Linux desktop). It is filed under the mail account, not the collection: one
district sends every collection from the same mailbox, and the clerk types the code once.

Where the system has no store at all (a Linux server, CI), saving says so in a sentence and the
password can come from the ``DUDAO_SMTP_PASSWORD`` environment variable instead; a password
written into an old settings file by hand is still read, last.
"""

from __future__ import annotations

import os
from typing import Mapping

SERVICE = "dudao-mail"
ENV = "DUDAO_SMTP_PASSWORD"
NO_STORE = ("这台电脑没有可用的密码保管处（Windows 上是“凭据管理器”），密码没有保存。"
            f"可以改用环境变量 {ENV} 提供邮箱授权码，或在 Windows 电脑上设置")
NO_ACCOUNT = "请先填写发信服务器和邮箱账号，再保存密码"


class CredentialError(ValueError):
    """The password could not be kept; the message says what to do instead."""


def account(mail: Mapping[str, object]) -> str:
    """The name a password is filed under: the mailbox and its server."""
    user = str(mail.get("smtp_user") or mail.get("sender") or "").strip()
    host = str(mail.get("smtp_host") or "").strip()
    return f"{user}@{host}" if user and host else ""


def store_password(mail: Mapping[str, object], password: str) -> None:
    """Keep (or, with an empty password, forget) the password of the mailbox in ``mail``."""
    who = account(mail)
    if not who:
        raise CredentialError(NO_ACCOUNT)
    if not password.isascii():  # SMTP logins are ASCII: smtplib would fail at the first send
        raise CredentialError("密码（授权码）中有中文或全角字符，请切换到英文输入法后重新填写")
    import keyring  # here, not at the top: its backends take a tenth of opening a collection
    from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

    try:
        if password:
            keyring.set_password(SERVICE, who, password)
        else:
            try:
                keyring.delete_password(SERVICE, who)
            except PasswordDeleteError:
                pass  # nothing was kept: forgetting it is already done
    except NoKeyringError:
        raise CredentialError(NO_STORE) from None
    except KeyringError as exc:
        raise CredentialError(f"密码没有保存：系统的密码保管处拒绝了（{exc}）。请重试，或改用环境变量 {ENV}") from None


def stored_password(mail: Mapping[str, object]) -> str:
    """The password to send with: the system's store, else the environment, else an old settings file."""
    who = account(mail)
    if who:
        import keyring
        from keyring.errors import KeyringError

        try:
            found = keyring.get_password(SERVICE, who)
        except KeyringError:  # no store on this system (NoKeyringError), or it refused
            found = None
        if found:
            return found
    return os.environ.get(ENV) or str(mail.get("smtp_password") or "")


def has_password(mail: Mapping[str, object]) -> bool:
    return bool(stored_password(mail))
