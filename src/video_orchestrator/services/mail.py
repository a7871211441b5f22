"""Sending an e-mail over SMTP (analytics reports with their attachments, trend alerts):
settings from ``VO_SMTP_*``, one message per call, failures as errors of the one tree
(``ProviderUnavailable``: unreachable or refused; ``ProviderAuthError``: the login)."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from video_orchestrator.config import Settings
from video_orchestrator.errors import (
    ConfigError,
    InputError,
    ProviderAuthError,
    ProviderUnavailable,
)

MAX_RECIPIENTS = 50


@dataclass(frozen=True, slots=True)
class MailSettings:
    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None
    security: str = "starttls"
    timeout: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> MailSettings | None:
        """The SMTP settings, or None when no server is set (e-mail is then off)."""
        return mail_settings(settings) if settings.smtp_host else None


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    data: bytes
    media_type: str  # "application/pdf", "text/csv" …


def mail_settings(settings: Settings) -> MailSettings:
    if not settings.smtp_host:
        raise ConfigError("e-mail is not set up: set VO_SMTP_HOST and VO_SMTP_FROM")
    if not settings.smtp_from or "@" not in parseaddr(settings.smtp_from)[1]:
        raise ConfigError("VO_SMTP_FROM must be an address, e.g. reports@example.com")
    return MailSettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        user=settings.smtp_user,
        password=settings.smtp_password,
        security=settings.smtp_security,
        timeout=settings.smtp_timeout,
    )


def check_recipients(recipients: Sequence[str]) -> list[str]:
    cleaned = [r.strip() for r in recipients if r.strip()]
    if not cleaned:
        raise InputError("give at least one e-mail address to send to")
    if len(cleaned) > MAX_RECIPIENTS:
        raise InputError(f"at most {MAX_RECIPIENTS} recipients")
    for address in cleaned:
        _name, mail = parseaddr(address)
        local, _, domain = mail.partition("@")
        if not local or "." not in domain or any(c in mail for c in " ,;<>"):
            raise InputError(f"{address!r} is not an e-mail address")
    return cleaned


def send_mail(
    mail: MailSettings | None,
    recipients: Sequence[str],
    subject: str,
    body: str,
    attachments: Sequence[Attachment] = (),
    *,
    tls: ssl.SSLContext | None = None,
) -> str:
    """Send one message; returns its Message-ID. ``tls``: the context that checks the
    server's certificate (default: the system's trusted authorities)."""
    if mail is None:
        raise ConfigError("e-mail is not set up: set VO_SMTP_HOST and VO_SMTP_FROM")
    to = check_recipients(recipients)
    message = EmailMessage()
    message["From"] = mail.sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=parseaddr(mail.sender)[1].partition("@")[2] or None)
    message.set_content(body)
    for item in attachments:
        main, _, sub = item.media_type.partition("/")
        message.add_attachment(item.data, maintype=main, subtype=sub, filename=item.filename)
    where = f"the SMTP server {mail.host}:{mail.port}"
    try:
        client: smtplib.SMTP
        context = tls or ssl.create_default_context()
        if mail.security == "ssl":
            client = smtplib.SMTP_SSL(mail.host, mail.port, timeout=mail.timeout, context=context)
        else:
            client = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout)
        with client:
            if mail.security == "starttls":
                client.starttls(context=context)
            if mail.user:
                client.login(mail.user, mail.password or "")
            client.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise ProviderAuthError(f"{where} refused the user name or password") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        refused = ", ".join(sorted(exc.recipients))
        raise InputError(f"{where} refused the recipients {refused}") from exc
    except ssl.SSLCertVerificationError as exc:
        raise ProviderUnavailable(
            f"{where} showed a certificate this machine does not trust ({exc.verify_message})"
        ) from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise ConfigError(
            f"{where} does not offer {mail.security.upper()}: set VO_SMTP_SECURITY"
        ) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise ProviderUnavailable(f"{where} did not take the message: {exc}") from exc
    return str(message["Message-ID"])
