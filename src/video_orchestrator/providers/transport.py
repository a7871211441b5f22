"""The one HTTP transport of every provider family (language models, voices, stock footage,
the Piper voice catalogue, URL imports).

Shaped after httpx itself: one way to send, one exception map.

* :func:`send` sends a request (on the caller's client, or a fresh one with the timeout)
  and retries the statuses a :class:`RetryPolicy` names, waiting as the provider advises
  (``retry-after-ms``, ``Retry-After`` in seconds or as an HTTP date, see
  :func:`retry_after`) or with exponential backoff.
* :func:`transport_errors` maps httpx's transport failures (timeouts, refused connections,
  TLS, DNS) onto :class:`~video_orchestrator.errors.ProviderUnavailable`; the family gives
  the words. :func:`status_error` is the one map from an HTTP status to the error tree:
  401/403 :class:`ProviderAuthError`, 429 :class:`ProviderRateLimited`, 5xx
  :class:`ProviderUnavailable`, anything else :class:`ProviderError`.
* :func:`error_detail` finds the provider's own explanation in an error body;
  :func:`redact` keeps secrets (API keys) out of every message, and
  :func:`redact_key_queries_in_httpx_logs` out of httpx's request logs.
* :func:`copy_limited` and :func:`download` stream a body to disk with a size limit
  (:class:`~video_orchestrator.errors.PayloadTooLarge`), atomically for :func:`download`.
* :func:`request` and :func:`json_body` are the whole round trip for adapters that need no
  more: send with retries, then every failure mapped with the provider's name.

The families keep only their protocol: the request body, the headers, where the answer is,
and the advice their messages give.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import httpx

from video_orchestrator import atomic
from video_orchestrator.errors import (
    PayloadTooLarge,
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
)

logger = logging.getLogger(__name__)

#: Statuses worth another try: timeout, rate limited, server errors, Anthropic's 529.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 529})

# --------------------------------------------------------------------------- retries


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``max_retries`` more tries after the first on one of ``statuses``; waits of
    ``base_delay · 2^(n-1)`` seconds unless the provider advises one, never over
    ``max_delay``. A wait over ``give_up_over`` is not slept: the error is reported."""

    max_retries: int = 1
    base_delay: float = 1.0
    max_delay: float = 5.0
    statuses: frozenset[int] = field(default=RETRY_STATUSES)
    give_up_over: float | None = None

    def delay(self, retry: int, advised: float | None) -> float | None:
        """Seconds to wait before retry number ``retry`` (1-based); None: do not retry."""
        wait = advised if advised is not None else self.base_delay * 2 ** (retry - 1)
        if self.give_up_over is not None and wait > self.give_up_over:
            return None
        return min(max(wait, 0.0), max(self.max_delay, 0.0))


def retry_after(
    headers: Mapping[str, str], *, now: Callable[[], float] = time.time
) -> float | None:
    """Seconds from ``retry-after-ms``, or ``Retry-After`` (seconds or an HTTP date)."""
    millis = headers.get("retry-after-ms", "").strip()
    if millis:
        try:
            return float(millis) / 1000
        except ValueError:
            pass
    header = headers.get("retry-after", "").strip()
    if not header:
        return None
    try:
        return float(header)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(header).timestamp() - now()
    except (TypeError, ValueError, IndexError):
        return None


def advised_wait(response: httpx.Response, *, now: Callable[[], float] = time.time) -> float | None:
    """The wait a response advises, in seconds from now (never negative), if it advises one."""
    seconds = retry_after(response.headers, now=now)
    return None if seconds is None else max(0.0, seconds)


# --------------------------------------------------------------------------- errors


def redact(text: str, secrets: Iterable[str | None], *, limit: int | None = None) -> str:
    """``text`` on one line with every secret replaced by ``***`` (cut at ``limit``)."""
    text = " ".join(text.split())
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text if limit is None else text[:limit]


def error_detail(body: Any) -> str:
    """The provider's own message in a JSON error body, or ``""``.

    Understands the shapes of OpenAI (``{"error": {"message"}}``), Google
    (``{"error": {"status"}}``), ElevenLabs and FastAPI (``{"detail": …}``), and plain
    ``{"error"|"message"|"code": "…"}``.
    """
    if not isinstance(body, dict):
        return ""
    for key in ("error", "message", "detail", "code"):
        value = body.get(key)
        if isinstance(value, dict):
            found = value.get("message") or value.get("status")
            if found:
                return str(found)
        elif isinstance(value, str):
            if value:
                return value
        elif value and key != "code":
            return str(value)
    return ""


def response_detail(response: httpx.Response, *, limit: int = 200) -> str:
    """:func:`error_detail` of a response, or its JSON, or its text (one line, cut)."""
    try:
        body: Any = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return response.text.strip().replace("\n", " ")[:limit]
    return (error_detail(body) or json.dumps(body))[:limit]


def status_error(status: int, message: str, *, retry_after: float | None = None) -> ProviderError:
    """The error of the tree for an HTTP error ``status``, with ``message``."""
    if status in (401, 403):
        return ProviderAuthError(message)
    if status == 429:
        return ProviderRateLimited(message, retry_after=retry_after)
    if status >= 500:
        return ProviderUnavailable(message)
    return ProviderError(message)


@contextmanager
def transport_errors(
    *,
    timeout: Callable[[httpx.TimeoutException], ProviderError],
    unreachable: Callable[[httpx.TransportError], ProviderError],
) -> Iterator[None]:
    """Map httpx's transport failures onto the error tree, in the family's words."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise timeout(exc) from exc
    except httpx.TransportError as exc:
        raise unreachable(exc) from exc


class KeyQueryFilter(logging.Filter):
    """Redacts ``key=…`` query values from log records (httpx logs request URLs at INFO)."""

    _KEY = re.compile(r"([?&]key=)[^&\s\"']+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "key=" in message:
            record.msg = self._KEY.sub(r"\1***", message)
            record.args = ()
        return True


def redact_key_queries_in_httpx_logs() -> None:
    """Install :class:`KeyQueryFilter` on the ``httpx`` logger once."""
    httpx_logger = logging.getLogger("httpx")
    if not any(isinstance(f, KeyQueryFilter) for f in httpx_logger.filters):
        httpx_logger.addFilter(KeyQueryFilter())


# --------------------------------------------------------------------------- sending


@contextmanager
def client_for(client: httpx.Client | None, timeout: float | None) -> Iterator[httpx.Client]:
    """``client`` when the caller has one (tests, connection reuse), else a fresh one."""
    if client is not None:
        yield client
        return
    with httpx.Client(timeout=timeout) as fresh:
        yield fresh


def _unavailable(label: str) -> Callable[[httpx.TransportError], ProviderError]:
    return lambda exc: ProviderUnavailable(f"cannot reach {label} ({type(exc).__name__})")


def send(
    client: httpx.Client | None,
    method: str,
    url: str,
    *,
    retry: RetryPolicy,
    timeout: float | None = None,
    label: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
    advised: Callable[[httpx.Response], float | None] | None = None,
    on_timeout: Callable[[httpx.TimeoutException], ProviderError] | None = None,
    on_unreachable: Callable[[httpx.TransportError], ProviderError] | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """Send one request, retrying ``retry.statuses``; the last response, whatever its status.

    ``timeout`` None keeps the client's own timeout. ``advised`` reads the provider's wait
    advice from a response (default: :func:`advised_wait`). Transport failures are mapped by
    :func:`transport_errors` (default words: "cannot reach ``label``").
    """
    label = label or urlsplit(url).netloc
    unreachable = on_unreachable or _unavailable(label)
    timed_out = on_timeout or unreachable
    read_advice = advised or advised_wait
    per_call: Any = httpx.USE_CLIENT_DEFAULT if timeout is None else timeout
    retries = max(0, retry.max_retries)
    attempt = 0
    with client_for(client, timeout) as http:
        while True:
            with transport_errors(timeout=timed_out, unreachable=unreachable):
                response = http.request(method, url, timeout=per_call, **kwargs)
            status = response.status_code
            if status in retry.statuses and attempt < retries:
                wait = retry.delay(attempt + 1, read_advice(response))
                if wait is not None:
                    attempt += 1
                    logger.info("%s answered HTTP %s; retry %s in %.1fs", label, status, attempt,
                                wait)  # fmt: skip
                    if wait > 0:
                        sleep(wait)
                    continue
            return response


def request(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    provider: str,
    max_retries: int,
    backoff: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
    timeout_setting: str = "VO_TTS_TIMEOUT",
    **kwargs: Any,
) -> httpx.Response:
    """Send one request (retrying 429/5xx); return a 2xx response or raise a VoError.

    429 and 5xx are retried ``max_retries`` times, honouring ``Retry-After`` on a 429 up to
    :data:`MAX_RETRY_AFTER` seconds, otherwise with exponential backoff from ``backoff``.
    """
    policy = RetryPolicy(
        max_retries=max_retries,
        base_delay=backoff,
        max_delay=math.inf,
        statuses=frozenset({429, 500, 502, 503, 504}),
        give_up_over=MAX_RETRY_AFTER,
    )
    response = send(
        client,
        method,
        url,
        retry=policy,
        label=provider,
        sleep=sleep,
        advised=lambda r: advised_wait(r) if r.status_code == 429 else None,
        on_timeout=lambda exc: ProviderUnavailable(
            f"{provider} did not answer in time ({type(exc).__name__}); try again later "
            f"or raise {timeout_setting}."
        ),
        on_unreachable=lambda exc: ProviderUnavailable(
            f"could not reach {provider} at {origin(url)} ({type(exc).__name__}); check "
            "the network and the base URL setting."
        ),
        **kwargs,
    )
    if response.status_code < 400:
        return response
    raise failure(response, provider)


def failure(response: httpx.Response, provider: str) -> ProviderError:
    """The error of the tree for an error answer of ``provider``, in the words every family
    uses (what went wrong, the provider's own explanation, what to do)."""
    status = response.status_code
    message = response_detail(response)
    if status in (401, 403):
        text = (
            f"{provider} refused the credentials (HTTP {status}: {message}); check the "
            "API key setting."
        )
    elif status == 429:
        after = advised_wait(response)
        when = f" after {after:.0f} s" if after is not None else " later"
        text = f"{provider} is rate limiting requests (HTTP 429: {message}); try again{when}."
        return status_error(status, text, retry_after=after)
    elif status >= 500:
        text = f"{provider} failed (HTTP {status}: {message}); try again later."
    else:
        text = f"{provider} rejected the request (HTTP {status}: {message})."
    return status_error(status, text)


#: seconds; a longer advised wait is reported by :func:`request` instead of slept
MAX_RETRY_AFTER = 30.0


def origin(url: str) -> str:
    """``scheme://host[:port]`` of ``url`` (no path, no credentials)."""
    parsed = httpx.URL(url)
    return f"{parsed.scheme}://{parsed.host}" + (f":{parsed.port}" if parsed.port else "")


def json_body(response: httpx.Response, provider: str) -> Any:
    """The JSON of a successful answer, or a ProviderError saying it is malformed."""
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError) as error:
        raise ProviderError(
            f"{provider} returned a malformed answer (not JSON: {error}); try again later."
        ) from error


# --------------------------------------------------------------------------- downloads


def declared_length(response: httpx.Response) -> int | None:
    """The ``Content-Length`` a response declares, if it is a number."""
    value = response.headers.get("content-length", "").strip()
    return int(value) if value.isdigit() else None


def copy_limited(
    response: httpx.Response,
    handle: IO[bytes],
    *,
    max_bytes: int,
    too_large: Callable[[int | None], str],
    written: int = 0,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Stream a response body into ``handle``; the bytes written in all (from ``written``).

    Raises :class:`PayloadTooLarge` (``too_large(declared size or None)`` as the message)
    as soon as the body declares or reaches more than ``max_bytes`` in all; nothing over
    the limit is written.
    """
    declared = declared_length(response)
    if written == 0 and declared is not None and declared > max_bytes:
        raise PayloadTooLarge(too_large(declared))
    for chunk in response.iter_bytes():  # as received: an interrupted body keeps its part
        if written + len(chunk) > max_bytes:
            raise PayloadTooLarge(too_large(None))
        handle.write(chunk)
        written += len(chunk)
        if progress is not None:
            progress(written)
    return written


def download(
    client: httpx.Client | None,
    url: str,
    target: Path,
    *,
    max_bytes: int,
    timeout: float,
    too_large: Callable[[int | None], str],
    status_failure: Callable[[httpx.Response], ProviderError],
    on_timeout: Callable[[httpx.TimeoutException], ProviderError],
    on_unreachable: Callable[[httpx.TransportError], ProviderError],
    mode: int = 0o644,
) -> Path:
    """Stream ``url`` (redirects followed) to ``target`` atomically, at most ``max_bytes``.

    An error status becomes ``status_failure(response)`` (its body read first).
    """
    with (
        atomic.replacing(target, mode=mode) as temporary,
        temporary.open("wb") as handle,
        transport_errors(timeout=on_timeout, unreachable=on_unreachable),
        client_for(client, timeout) as http,
        http.stream("GET", url, follow_redirects=True, timeout=timeout) as response,
    ):
        if response.status_code >= 400:
            response.read()
            raise status_failure(response)
        copy_limited(response, handle, max_bytes=max_bytes, too_large=too_large)
    return target
