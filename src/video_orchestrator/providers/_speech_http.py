"""HTTP for the speech providers: one request with retries, errors mapped to the tree.

429 and 5xx are retried ``max_retries`` times (honouring ``Retry-After`` up to
:data:`MAX_RETRY_AFTER` seconds, otherwise exponential backoff); 401/403 become
:class:`ProviderAuthError`, 429 :class:`ProviderRateLimited`, 5xx, timeouts and connection
failures :class:`ProviderUnavailable`, other answers :class:`ProviderError` with the
provider's own message. Nothing here logs or repeats a credential.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

from video_orchestrator.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
)
from video_orchestrator.providers._http import retry_after as advised_wait

_LOGGER = logging.getLogger(__name__)

MAX_RETRY_AFTER = 30.0  # seconds; a longer wait is reported instead of slept


def retry_after(response: httpx.Response) -> float | None:
    """``Retry-After`` in seconds (delta-seconds or an HTTP date), if the answer has one."""
    seconds = advised_wait(response.headers)
    return None if seconds is None else max(0.0, seconds)


def error_message(response: httpx.Response) -> str:
    """The provider's own explanation from an error body (OpenAI, ElevenLabs shapes)."""
    try:
        body: Any = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        text = response.text.strip().replace("\n", " ")
        return text[:200]
    if isinstance(body, dict):
        for key in ("error", "detail"):
            value = body.get(key)
            if isinstance(value, dict):
                message = value.get("message") or value.get("status")
                if message:
                    return str(message)[:200]
            elif isinstance(value, str):
                return value[:200]
        if isinstance(body.get("message"), str):
            return str(body["message"])[:200]
    return json.dumps(body)[:200]


def request(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    provider: str,
    max_retries: int,
    backoff: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
    **kwargs: Any,
) -> httpx.Response:
    """Send one request (retrying 429/5xx); return a 2xx response or raise a VoError."""
    attempt = 0
    while True:
        try:
            response = client.request(method, url, **kwargs)
        except httpx.TimeoutException as error:
            raise ProviderUnavailable(
                f"{provider} did not answer in time ({type(error).__name__}); try again later "
                "or raise VO_TTS_TIMEOUT."
            ) from error
        except httpx.TransportError as error:
            raise ProviderUnavailable(
                f"could not reach {provider} at {_origin(url)} ({type(error).__name__}); check "
                "the network and the base URL setting."
            ) from error
        status = response.status_code
        if status < 400:
            return response
        message = error_message(response)
        if status in (429, 500, 502, 503, 504) and attempt < max_retries:
            wait = retry_after(response) if status == 429 else None
            if wait is None:
                wait = backoff * (2**attempt)
            if wait <= MAX_RETRY_AFTER:
                attempt += 1
                _LOGGER.info("%s answered %s; retry %s in %.1f s", provider, status, attempt, wait)
                sleep(wait)
                continue
        if status in (401, 403):
            raise ProviderAuthError(
                f"{provider} refused the credentials (HTTP {status}: {message}); check the "
                "API key setting."
            )
        if status == 429:
            after = retry_after(response)
            when = f" after {after:.0f} s" if after is not None else " later"
            raise ProviderRateLimited(
                f"{provider} is rate limiting requests (HTTP 429: {message}); try again{when}.",
                retry_after=after,
            )
        if status >= 500:
            raise ProviderUnavailable(
                f"{provider} failed (HTTP {status}: {message}); try again later."
            )
        raise ProviderError(f"{provider} rejected the request (HTTP {status}: {message}).")


def _origin(url: str) -> str:
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
