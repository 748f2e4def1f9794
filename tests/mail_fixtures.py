"""Mail for tests: a credential store in memory, and a real SMTP server on loopback.

keyring is configured to use the store (``keyring.set_keyring``), as a clerk's PC is configured
to use the Windows Credential Manager; the engine is not mocked and calls keyring as it always
does. The server wants a login, so a test sees the stored password reach it.
"""

from __future__ import annotations

import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.kept: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.kept.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.kept[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.kept.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


@pytest.fixture
def memory_keyring():
    import keyring

    before = keyring.get_keyring()
    store = MemoryKeyring()
    keyring.set_keyring(store)
    yield store
    keyring.set_keyring(before)


@pytest.fixture
def no_keyring(monkeypatch):
    """A system without any credential store (a Linux server, CI without a keyring)."""
    import keyring
    from keyring.backends import fail

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    monkeypatch.delenv("DUDAO_SMTP_PASSWORD", raising=False)
    yield
    keyring.set_keyring(before)


PASSWORD = "abcd-1234-auth"


class _Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((login, password))
        return AuthResult(success=password == PASSWORD)


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback that wants a login with ``PASSWORD``."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = _Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=inbox.authenticate,
                        auth_require_tls=False)
    server.start()
    try:
        yield inbox, port
    finally:
        server.stop()
