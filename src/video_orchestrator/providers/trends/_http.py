"""The one request every trend source makes: a conditional GET over the transport.

``If-None-Match`` / ``If-Modified-Since`` carry the validators of the source's last answer; a
304 is "nothing changed". The body is streamed with a size limit (a feed the user added may
be anything). No retry happens here: a failure is raised at once, in the error tree
(``transport.failure``: 429 → ``ProviderRateLimited`` with the advised wait, 5xx and timeouts
→ ``ProviderUnavailable``, 401/403 → ``ProviderAuthError``), and the poller retries the
source later with backoff, so one slow or failing source never holds up the others.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

import httpx

from video_orchestrator.errors import ProviderError, ProviderRateLimited, ProviderUnavailable
from video_orchestrator.ports.provider import ProviderSettings
from video_orchestrator.providers import transport

#: The largest answer read from a trend source.
MAX_BYTES = 5_000_000
MAX_REDIRECTS = 5
DEFAULT_USER_AGENT = "python:video-orchestrator:0.1 (trend monitor; set VO_TRENDS_USER_AGENT)"


class TrendSettings(ProviderSettings):
    """What every trend source reads: the timeout, the User-Agent it names itself with, and
    whether feeds may point at private addresses (tests)."""

    required: ClassVar[str] = "nothing"

    trends_timeout: float = 15.0
    trends_user_agent: str = DEFAULT_USER_AGENT
    allow_private_urls: bool = False


@dataclass(frozen=True, slots=True)
class Answer:
    """A 200's body and validators, or ``not_modified`` (304)."""

    body: bytes
    etag: str | None
    last_modified: str | None
    not_modified: bool = False
    url: str = ""

    def json(self, provider: str) -> Any:
        try:
            return json.loads(self.body)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ProviderError(
                f"{provider} returned a malformed answer (not JSON: {error}); it is retried "
                "at the next poll"
            ) from error


def get(
    url: str,
    *,
    provider: str,
    settings: TrendSettings,
    etag: str | None = None,
    last_modified: str | None = None,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    secrets: tuple[str | None, ...] = (),
    check_url: Callable[[str], None] | None = None,
    client: httpx.Client | None = None,
) -> Answer:
    """GET ``url`` (redirects followed, each hop passed to ``check_url`` when given)."""
    sent = {"User-Agent": settings.trends_user_agent, "Accept": "*/*", **(headers or {})}
    if etag:
        sent["If-None-Match"] = etag
    if last_modified:
        sent["If-Modified-Since"] = last_modified
    current = url
    query: Mapping[str, str] | None = params
    with (
        transport.transport_errors(
            timeout=lambda exc: ProviderUnavailable(
                f"{provider} did not answer within {settings.trends_timeout:g} s; it is "
                "retried later"
            ),
            unreachable=lambda exc: ProviderUnavailable(
                f"cannot reach {provider} at {_origin(current)} ({type(exc).__name__})"
            ),
        ),
        transport.client_for(client, settings.trends_timeout) as http,
    ):
        for _ in range(MAX_REDIRECTS + 1):
            if check_url is not None:
                check_url(current)
            with http.stream(
                "GET", current, params=query, headers=sent, timeout=settings.trends_timeout
            ) as response:
                if response.is_redirect and response.headers.get("location"):
                    current = urljoin(str(response.url), response.headers["location"])
                    query = None  # the Location carries its own query
                    continue
                if response.status_code == 304:
                    return Answer(b"", etag, last_modified, not_modified=True, url=current)
                if response.status_code >= 400:
                    response.read()
                    error = transport.failure(response, provider)
                    if isinstance(error, ProviderRateLimited) and error.retry_after is None:
                        error.retry_after = reset_after(response.headers)
                    error.message = transport.redact(error.message, secrets)
                    error.args = (error.message,)
                    raise error
                buffer = io.BytesIO()
                transport.copy_limited(
                    response,
                    buffer,
                    max_bytes=MAX_BYTES,
                    too_large=lambda _n: f"{provider} sent more than {MAX_BYTES // 1_000_000} MB",
                )
                return Answer(
                    buffer.getvalue(),
                    response.headers.get("etag"),
                    response.headers.get("last-modified"),
                    url=current,
                )
    raise ProviderError(f"{provider} redirects more than {MAX_REDIRECTS} times")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def reset_after(headers: Mapping[str, str]) -> float | None:
    """Seconds until a rate-limit window resets (Reddit's ``X-Ratelimit-Reset``), when a
    429 carries no ``Retry-After``."""
    value = headers.get("x-ratelimit-reset", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
