"""What the metric sources (``ports.metrics_source``: YouTube Analytics, TikTok's video query,
Instagram's media insights) share, as ``_publishing.py`` is for the publishers: one
authorised read over the one transport, and the checks of the figures a platform answers.

* A read is retried on 429 and 5xx with the platform's ``Retry-After`` (a minute at most:
  a longer wait is the platform's quota, reported as :class:`ProviderRateLimited` by
  ``transport``), and sent once more with ``tokens.refresh()`` when the platform says the
  token is no good (``auth_failed``: HTTP 401 unless the platform says otherwise); a second
  refusal is the account's :class:`ProviderAuthError` (``_failure``: connect it again).
* A figure must be a number (a whole one for counts); anything else is a
  :class:`ProviderError` naming the platform and the field, never a stored guess.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import httpx

from video_orchestrator.errors import ProviderAuthError, ProviderError
from video_orchestrator.ports.publishing import TokenSource
from video_orchestrator.providers import transport

#: Statuses a metric read is retried on.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def expired(response: httpx.Response) -> bool:
    """The default sign of an expired token: HTTP 401."""
    return response.status_code == 401


class HTTPMetricsSource:
    """The base of a metric source that reads a platform's HTTP API for a connected
    account (the token is the caller's ``TokenSource``)."""

    #: The platform's name in messages.
    label: ClassVar[str] = "the platform"
    #: How the token is sent: ``Authorization: <scheme> <token>``.
    scheme: ClassVar[str] = "Bearer"

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 30.0,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_retries: int = 2,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.client = client
        self.sleep = sleep
        self.retry = transport.RetryPolicy(
            max_retries=max_retries,
            base_delay=1.0,
            max_delay=30.0,
            statuses=RETRY_STATUSES,
            give_up_over=60.0,
        )

    def _read(
        self,
        tokens: TokenSource,
        method: str,
        path: str,
        *,
        auth_failed: Callable[[httpx.Response], bool] = expired,
        **kwargs: Any,
    ) -> httpx.Response:
        """``method base_url+path`` with the account's token, refreshed once when
        the platform refuses it; the answer, whatever its status."""
        token = tokens.current()
        response = self._send(token, method, path, **kwargs)
        if auth_failed(response):
            response = self._send(tokens.refresh(), method, path, **kwargs)
        return response

    def _failure(self, response: httpx.Response) -> ProviderError:
        """The error of an error answer: a refused token or scope is the account's (connect
        it again), the rest as ``transport`` words them."""
        if response.status_code in (401, 403):
            return ProviderAuthError(
                f"{self.label} refused the account's access (HTTP {response.status_code}: "
                f"{transport.response_detail(response)}); connect the account again, "
                "granting the analytics permissions."
            )
        return transport.failure(response, self.label)

    def _send(self, token: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return transport.send(
            self.client,
            method,
            f"{self.base_url}{path}",
            retry=self.retry,
            timeout=self.timeout,
            label=self.label,
            sleep=self.sleep,
            headers={"Authorization": f"{self.scheme} {token}"},
            **kwargs,
        )


def figure(label: str, cells: Mapping[str, Any], name: str, *, whole: bool = False) -> float | None:
    """The number ``cells[name]`` (None when absent); a ProviderError when it is not one (a
    count must be a whole number)."""
    value = cells.get(name)
    if value is None:
        return None
    kinds = int if whole else int | float
    if isinstance(value, bool) or not isinstance(value, kinds):
        what = "a whole number" if whole else "a number"
        raise ProviderError(f"{label} answered {name} = {value!r}, not {what}")
    return float(value)


def count(label: str, cells: Mapping[str, Any], name: str) -> int | None:
    """A whole-number figure (see :func:`figure`)."""
    value = figure(label, cells, name, whole=True)
    return None if value is None else int(value)
