"""E-mail through the SMTP server the settings name (``VO_SMTP_*``): one plain-text message
to a few recipients. Failures are errors of the tree (``ProviderUnavailable``: the server is
unreachable or refused the message; ``ProviderAuthError``: it refused the login)."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from video_orchestrator.config import Settings
from video_orchestrator.errors import ConfigError, ProviderAuthError, ProviderUnavailable


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    sender: str
    security: str = "starttls"  # starttls | ssl | none
    user: str | None = None
    password: str | None = None
    timeout: float = 20.0

    @classmethod
    def from_settings(cls, settings: Settings) -> MailSettings | None:
        """The SMTP settings, or None when no server is set."""
        if not settings.smtp_host:
            return None
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            security=settings.smtp_security,
            user=settings.smtp_user,
            password=settings.smtp_password,
            timeout=settings.smtp_timeout,
        )


def send_mail(mail: MailSettings | None, to: Sequence[str], subject: str, text: str) -> str:
    """Send one message; its Message-ID."""
    if mail is None:
        raise ConfigError("e-mail needs an SMTP server: set VO_SMTP_HOST (and VO_SMTP_FROM)")
    message = EmailMessage()
    message["From"] = mail.sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=mail.sender.rpartition("@")[2] or None)
    message.set_content(text)
    try:
        smtp: smtplib.SMTP
        if mail.security == "ssl":
            smtp = smtplib.SMTP_SSL(
                mail.host, mail.port, timeout=mail.timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout)
        with smtp:
            if mail.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if mail.user and mail.password:
                smtp.login(mail.user, mail.password)
            smtp.send_message(message)
    except smtplib.SMTPAuthenticationError as error:
        raise ProviderAuthError(
            f"the SMTP server {mail.host} refused the login ({error.smtp_code}); check "
            "VO_SMTP_USER and VO_SMTP_PASSWORD"
        ) from error
    except (smtplib.SMTPException, OSError) as error:
        raise ProviderUnavailable(
            f"the SMTP server {mail.host}:{mail.port} did not take the message "
            f"({type(error).__name__}: {str(error)[:200]})"
        ) from error
    return str(message["Message-ID"])
