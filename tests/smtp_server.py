"""A local SMTP server (aiosmtpd) that keeps what it receives, for the tests of e-mail:
optionally with a login (AUTH PLAIN/LOGIN over the plain connection) that accepts one user."""

from __future__ import annotations

import email
import email.policy
import socket
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

PORTS = range(20400, 20500)


@dataclass
class Mailbox:
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 20400–20499")


@contextmanager
def smtp_server(*, user: str | None = None, password: str | None = None) -> Iterator[Mailbox]:
    port = free_port()
    box = Mailbox(port)
    kwargs: dict[str, Any] = {}
    if user is not None:

        def authenticator(
            server: Any, session: Any, envelope: Any, mechanism: str, data: Any
        ) -> AuthResult:
            ok = isinstance(data, LoginPassword) and (
                data.login.decode() == user and data.password.decode() == password
            )
            return AuthResult(success=ok, handled=False)

        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=False)
    controller = Controller(box, hostname="127.0.0.1", port=port, **kwargs)
    with warnings.catch_warnings():  # AUTH without TLS: this server is on 127.0.0.1 only
        warnings.simplefilter("ignore", UserWarning)
        controller.start()
    try:
        yield box
    finally:
        controller.stop()
