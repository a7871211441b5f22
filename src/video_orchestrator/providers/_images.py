"""What the image-generation adapters share: sending a request over the one transport with
content-policy refusals told apart from other errors, and writing the returned picture."""

from __future__ import annotations

import io
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from PIL import Image, UnidentifiedImageError

from video_orchestrator import atomic
from video_orchestrator.errors import ContentRefused, ProviderError, ProviderUnavailable
from video_orchestrator.providers import transport

#: Largest picture accepted from a service (bytes).
MAX_IMAGE_BYTES = 40_000_000
_SUFFIX = {"PNG": ".png", "JPEG": ".jpg"}


def send(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    provider: str,
    max_retries: int,
    refusal: Callable[[httpx.Response], str | None] = lambda _: None,
    secret: str = "",
    sleep: Callable[[float], None] = time.sleep,
    **kwargs: Any,
) -> httpx.Response:
    """One request with the transport's retries (429 honouring ``Retry-After``, 5xx with
    backoff); a 2xx answer, or :class:`ContentRefused` when ``refusal`` finds the service's
    content-policy explanation in the error answer, or the transport's error. ``secret`` (the
    key) is kept out of every message, even when the service echoes it back."""
    response = transport.send(
        client,
        method,
        url,
        retry=transport.RetryPolicy(
            max_retries=max_retries,
            base_delay=0.5,
            max_delay=math.inf,
            statuses=frozenset({429, 500, 502, 503, 504}),
            give_up_over=transport.MAX_RETRY_AFTER,
        ),
        label=provider,
        sleep=sleep,
        advised=lambda r: transport.advised_wait(r) if r.status_code == 429 else None,
        on_timeout=lambda exc: ProviderUnavailable(
            f"{provider} did not answer in time ({type(exc).__name__}); try again later or "
            "raise VO_IMAGE_TIMEOUT."
        ),
        on_unreachable=lambda exc: ProviderUnavailable(
            f"could not reach {provider} at {transport.origin(url)} ({type(exc).__name__}); "
            "check the network and the base URL setting."
        ),
        **kwargs,
    )
    if response.status_code < 400:
        return response
    refused = refusal(response)
    if refused is not None:
        raise refused_error(provider, transport.redact(refused, [secret]))
    error = transport.failure(response, provider)
    error.message = transport.redact(error.message, [secret])
    error.args = (error.message,)
    raise error


def refused_error(provider: str, detail: str) -> ContentRefused:
    return ContentRefused(
        f"{provider} refused to draw this scene under its content policy ({detail[:200]}); "
        "the scene keeps its generated background."
    )


def write_image(data: bytes, target: Path, provider: str) -> tuple[Path, int, int]:
    """``data`` (a PNG or JPEG) written atomically to ``target`` with its format's suffix;
    the path and the picture's size. Anything else is a :class:`ProviderError`."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ProviderError(f"{provider} returned a picture over {MAX_IMAGE_BYTES} bytes")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, width, height = image.format or "", image.width, image.height
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ProviderError(
            f"{provider} returned something that is not a picture ({type(exc).__name__})"
        ) from exc
    suffix = _SUFFIX.get(kind)
    if suffix is None:
        raise ProviderError(f"{provider} returned a {kind or 'unknown'} picture, not PNG or JPEG")
    path = target.with_suffix(suffix)
    atomic.write_bytes(path, data)
    return path, width, height


def fetch_image(
    client: httpx.Client, url: str, target: Path, *, provider: str, max_retries: int
) -> tuple[Path, int, int]:
    """Download the picture a service left at ``url`` (no credentials are sent: it is a
    storage address, often on another host) and write it like :func:`write_image`."""
    if not url.startswith(("https://", "http://")):
        raise ProviderError(f"{provider} answered with an image address that is not HTTP(S)")
    response = send(client, "GET", url, provider=provider, max_retries=max_retries,
                    follow_redirects=True)  # fmt: skip
    return write_image(response.content, target, provider)
