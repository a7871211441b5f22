"""A webhook POST signed as the Standard Webhooks specification describes.

Each message carries three headers: ``webhook-id`` (the same on every retry of one message,
so a receiver can drop a repeat), ``webhook-timestamp`` (Unix seconds, so it can refuse an
old replay) and ``webhook-signature``: ``v1,`` and the base64 of HMAC-SHA256, keyed with the
webhook's secret, over ``"{id}.{timestamp}.{body}"``. A secret is ``whsec_`` and the base64 of
24 random bytes; it is shown once, when the webhook is added. The POST is one attempt (no
redirect followed: a receiver that moved must be re-added); the caller retries with backoff.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from video_orchestrator.errors import ConfigError, ProviderError
from video_orchestrator.providers import transport
from video_orchestrator.providers.web.fetch import check_url

PREFIX = "whsec_"
SIGNATURE_VERSION = "v1"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


def secret_bytes(secret: str) -> bytes:
    try:
        return base64.b64decode(secret.removeprefix(PREFIX), validate=True)
    except ValueError as error:
        raise ConfigError("a webhook secret is whsec_ and base64") from error


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_bytes(secret), signed, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode('ascii')}"


def post(
    url: str,
    body: bytes,
    *,
    secret: str,
    message_id: str,
    timestamp: int,
    timeout: float,
    user_agent: str,
    allow_private: bool = False,
) -> None:
    """POST ``body`` (JSON) signed; a 2xx is success, anything else a ``ProviderError``."""
    check_url(url, allow_private=allow_private)
    label = f"the webhook at {urlsplit(url).hostname}"
    response = transport.send(
        None,
        "POST",
        url,
        retry=transport.RetryPolicy(max_retries=0),
        timeout=timeout,
        label=label,
        content=body,
        headers={
            "content-type": "application/json",
            "user-agent": user_agent,
            "webhook-id": message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(secret, message_id, timestamp, body),
        },
        follow_redirects=False,
    )
    if not 200 <= response.status_code < 300:
        raise (
            transport.failure(response, label)
            if response.status_code >= 400
            else ProviderError(f"{label} answered HTTP {response.status_code}, not 2xx")
        )
