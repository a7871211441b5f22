"""HTTP plumbing shared by the stock footage adapters (Pexels, Pixabay).

* :class:`KeyRing` rotates API keys: a key that answered 429, or whose ``Remaining`` header
  reached 0, rests until its reset time; a key refused with 401/403 is not used again in
  this process. When no key is usable the ring raises ``ProviderRateLimited`` (with the wait
  until the first key is free) or ``ProviderAuthError``.
* :class:`StockHTTP` sends the search requests through the ring and the provider transport
  (:mod:`video_orchestrator.providers.transport`), honours the rate-limit headers and words
  every failure for a stock library, never showing a key.
* :meth:`StockHTTP.download` streams a file to disk atomically with a size limit (through
  :func:`video_orchestrator.providers.transport.download`).
* :func:`choose_rendition` picks the rendition of a video closest to the output frame.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from video_orchestrator.errors import (
    ConfigError,
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
)
from video_orchestrator.ports.media import StockQuery
from video_orchestrator.providers import transport

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How long a key rests after a 429 that named no reset time.
DEFAULT_REST_SECONDS = 60.0
#: The shortest rest after a 429, whatever the headers say.
MIN_REST_SECONDS = 1.0
#: A reset header above this is a UNIX timestamp (Pexels), below it seconds to wait (Pixabay).
_EPOCH_THRESHOLD = 1_000_000_000
_NO_RETRY = transport.RetryPolicy(max_retries=0)


class KeyRing:
    """API keys in rotation, with the time until which each one rests."""

    def __init__(
        self, keys: Sequence[str], *, label: str, setting: str, clock: Callable[[], float]
    ) -> None:
        self._keys = [k.strip() for k in keys if k and k.strip()]
        self._label = label
        self._setting = setting
        self._clock = clock
        self._resting: dict[int, float] = {}  # key index → rest until (epoch seconds)
        self._refused: set[int] = set()
        self._cursor = 0

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"KeyRing({self._label}, {len(self._keys)} keys)"

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(self._keys)

    def current(self) -> str:
        """The key to use now: the one in use, or the next usable one after it."""
        if not self._keys:
            raise ConfigError(f"no {self._label} API key: set {self._setting}")
        now = self._clock()
        for step in range(len(self._keys)):
            index = (self._cursor + step) % len(self._keys)
            if index in self._refused:
                continue
            if self._resting.get(index, 0.0) > now:
                continue
            self._resting.pop(index, None)
            self._cursor = index
            return self._keys[index]
        waits = [until - now for i, until in self._resting.items() if i not in self._refused]
        if waits:
            wait = max(min(waits), 0.0)
            count = len(self._keys)
            raise ProviderRateLimited(
                f"{self._label}: {'the API key is' if count == 1 else f'all {count} API keys are'}"
                f" over the rate limit; try again in {_human(wait)} or add a key to "
                f"{self._setting}",
                retry_after=wait,
            )
        raise ProviderAuthError(
            f"{self._label} refused {'the API key' if len(self._keys) == 1 else 'every API key'};"
            f" check {self._setting}"
        )

    def rest(self, key: str, until: float) -> None:
        """``key`` is over its limit until ``until``; later calls move on to the next key."""
        index = self._index(key)
        if index is not None:
            self._resting[index] = max(until, self._resting.get(index, 0.0))
            log.info("%s: key #%d rests for %.0fs", self._label, index + 1, until - self._clock())

    def refuse(self, key: str) -> None:
        """``key`` was refused (401/403); it is not used again."""
        index = self._index(key)
        if index is not None:
            self._refused.add(index)
            log.warning("%s refused API key #%d; trying the next one", self._label, index + 1)

    def _index(self, key: str) -> int | None:
        try:
            return self._keys.index(key)
        except ValueError:
            return None


def _human(seconds: float) -> str:
    if seconds < 90:
        return f"{math.ceil(seconds)} s"
    if seconds < 5400:
        return f"{math.ceil(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


@dataclass(frozen=True, slots=True)
class RateHeaders:
    """The names of a provider's rate-limit headers (looked up case-insensitively)."""

    limit: str = "X-RateLimit-Limit"
    remaining: str = "X-RateLimit-Remaining"
    reset: str = "X-RateLimit-Reset"


class StockHTTP:
    """GET JSON from a stock API with key rotation, rate limits and error mapping."""

    def __init__(
        self,
        *,
        label: str,
        base_url: str,
        keys: Sequence[str],
        setting: str,
        base_url_setting: str,
        authorize: Callable[[str], tuple[dict[str, str], dict[str, str]]],
        timeout: float,
        rate_headers: RateHeaders = RateHeaders(),
        is_auth_error: Callable[[httpx.Response], bool] | None = None,
        client: httpx.Client | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        parts = urlsplit(base_url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(
                f"the {label} URL {base_url!r} is not an http(s) URL; check {base_url_setting}"
            )
        if timeout <= 0:
            raise ConfigError(f"the {label} timeout must be positive, not {timeout}")
        self.label = label
        self.base_url = base_url.strip().rstrip("/")
        self.timeout = timeout
        self.keys = KeyRing(keys, label=label, setting=setting, clock=clock)
        self._authorize = authorize
        self._rate = rate_headers
        self._is_auth_error = is_auth_error
        self._client = client
        self._clock = clock
        #: the last rate-limit figures seen: (limit, remaining, reset-at epoch seconds)
        self.last_limit: tuple[float | None, float | None, float | None] = (None, None, None)

    def __repr__(self) -> str:
        return f"StockHTTP({self.label}, {self.base_url!r}, {len(self.keys)} keys)"

    # ------------------------------------------------------------------ search requests

    def get_json(self, path: str, params: Mapping[str, str | int]) -> Any:
        url = f"{self.base_url}{path}"
        while True:
            key = self.keys.current()
            headers, key_params = self._authorize(key)
            query = {**{k: str(v) for k, v in params.items()}, **key_params}
            with self.transport_errors():
                response = self._get(url, query, headers)
            reset_at = self._note_limits(key, response)
            status = response.status_code
            if status == 429:
                until = (
                    reset_at or self._retry_after(response) or self._clock() + DEFAULT_REST_SECONDS
                )
                # a reset already past must not send the same key straight back (a 429 loop)
                self.keys.rest(key, max(until, self._clock() + MIN_REST_SECONDS))
                continue
            if status in (401, 403) or (
                status == 400 and self._is_auth_error is not None and self._is_auth_error(response)
            ):
                self.keys.refuse(key)
                continue
            if status >= 500:
                raise ProviderUnavailable(
                    f"{self.label} answered HTTP {status}{self._detail(response)}; try again later"
                )
            if status >= 400:
                raise ProviderError(f"{self.label} answered HTTP {status}{self._detail(response)}")
            try:
                return response.json()
            except ValueError as exc:
                raise ProviderError(
                    f"{self.label} sent a response that is not JSON; check {self.base_url}"
                ) from exc

    def _get(self, url: str, params: dict[str, str], headers: dict[str, str]) -> httpx.Response:
        # no retries here: a 429 moves on to the next key in get_json
        return transport.send(
            self._client,
            "GET",
            url,
            params=params,
            headers={"Accept": "application/json", **headers},
            retry=_NO_RETRY,
            timeout=self.timeout,
            label=self.label,
            on_timeout=self._timed_out,
            on_unreachable=self._unreachable,
        )

    def _note_limits(self, key: str, response: httpx.Response) -> float | None:
        """Remember the rate-limit headers; a key with none left rests until the reset."""
        limit = _number(response.headers.get(self._rate.limit))
        remaining = _number(response.headers.get(self._rate.remaining))
        reset = _number(response.headers.get(self._rate.reset))
        reset_at: float | None = None
        if reset is not None:
            reset_at = reset if reset > _EPOCH_THRESHOLD else self._clock() + max(reset, 0.0)
        self.last_limit = (limit, remaining, reset_at)
        if remaining is not None and remaining <= 0 and response.status_code < 400:
            self.keys.rest(key, reset_at or self._clock() + DEFAULT_REST_SECONDS)
        return reset_at

    def _retry_after(self, response: httpx.Response) -> float | None:
        """When (on this library's clock) the provider said to come back, if it said."""
        seconds = transport.retry_after(response.headers, now=self._clock)
        return None if seconds is None else self._clock() + max(seconds, 0.0)

    def _detail(self, response: httpx.Response) -> str:
        try:
            body = response.json()
        except ValueError:
            text = response.text
        else:
            text = transport.error_detail(body)
        text = self.redact(text, limit=200)
        return f": {text}" if text else ""

    def redact(self, text: str, *, limit: int | None = None) -> str:
        return transport.redact(text, self.keys.secrets, limit=limit)

    def _timed_out(self, exc: Exception) -> ProviderError:
        return ProviderUnavailable(
            f"{self.label} did not answer within {self.timeout:g}s; try again later"
        )

    def _unreachable(self, exc: Exception) -> ProviderError:
        detail = self.redact(str(exc)) or type(exc).__name__
        return ProviderUnavailable(f"cannot reach {self.label} ({detail})")

    @contextmanager
    def transport_errors(self) -> Iterator[None]:
        with transport.transport_errors(timeout=self._timed_out, unreachable=self._unreachable):
            yield

    # ------------------------------------------------------------------ downloads

    def download(self, url: str, out_path: Path, *, max_bytes: int) -> Path:
        """Stream ``url`` to ``out_path`` (temp file + rename); at most ``max_bytes``."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ProviderError(f"{self.label} gave a download link that is not http(s)")

        def too_large(declared: int | None) -> str:
            if declared is not None:
                return (
                    f"the {self.label} file is {_megabytes(declared)}, over the "
                    f"{_megabytes(max_bytes)} download limit"
                )
            return f"the {self.label} file is over the {_megabytes(max_bytes)} download limit"

        return transport.download(
            self._client,
            url,
            out_path,
            max_bytes=max_bytes,
            timeout=self.timeout,
            too_large=too_large,
            status_failure=self._download_failure,
            on_timeout=self._timed_out,
            on_unreachable=self._unreachable,
        )

    def _download_failure(self, response: httpx.Response) -> ProviderError:
        status = response.status_code
        where = f"downloading from {self.label}"
        if status == 429:
            wait = self._retry_after(response)
            return ProviderRateLimited(
                f"{where}: HTTP 429, too many requests",
                retry_after=None if wait is None else max(wait - self._clock(), 0.0),
            )
        if status >= 500:
            return ProviderUnavailable(f"{where}: HTTP {status}; try again later")
        return ProviderError(f"{where}: HTTP {status}")


def _megabytes(size: float) -> str:
    return f"{size / 1_000_000:.1f} MB"


# ---------------------------------------------------------------------- choosing renditions


def fits_orientation(width: int, height: int, orientation: str) -> bool:
    if width <= 0 or height <= 0:
        return False
    if orientation == "portrait":
        return height > width
    if orientation == "landscape":
        return width > height
    if orientation == "square":
        return abs(width - height) <= 0.05 * max(width, height)
    return True


def choose_rendition(candidates: Iterable[tuple[int, int, T]], query: StockQuery) -> T | None:
    """The rendition at least ``min_width``×``min_height`` in the wanted orientation that is
    closest to ``target_width``×``target_height`` (ties go to the larger one)."""
    usable = [
        (width, height, value)
        for width, height, value in candidates
        if width >= query.min_width
        and height >= query.min_height
        and fits_orientation(width, height, query.orientation)
    ]
    if not usable:
        return None
    best = min(
        usable,
        key=lambda c: (
            abs(c[0] - query.target_width) + abs(c[1] - query.target_height),
            -(c[0] * c[1]),
        ),
    )
    return best[2]


def as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def slug_words(url: str) -> tuple[str, ...]:
    """Words of a page URL's last path segment: ``…/video/ocean-waves-123/`` → ocean, waves."""
    segment = urlsplit(url).path.rstrip("/").rpartition("/")[2]
    return tuple(w for w in re.split(r"[-_]+", segment) if w.isalpha())
