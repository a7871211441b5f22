"""What the metric sources on Meta's Graph API share (Instagram media insights, Facebook
Reels video insights): one Graph read with the account's token, and the reading of an
insights answer.

* A read sends ``Authorization: OAuth TOKEN``; Graph's expired token (code 190 or 102) is
  refreshed once through the ``TokenSource`` (``_meta.token_refused``), then it is the
  account's :class:`ProviderAuthError`, as is a missing permission (code 10, 200–299:
  connect again, granting :attr:`GraphInsightsSource.granting`). Codes 4/17/32/613 and HTTP
  429 are rate limits (waited out when short, else :class:`ProviderRateLimited`); 5xx and
  codes 1/2 :class:`ProviderUnavailable`; an object that no longer exists (code 100,
  subcode 33) is None, so the other videos' figures still come; any other refusal (code 100:
  a metric the API version does not know) a :class:`ProviderError` in Meta's words.
* An insights answer is ``{"data": [{"name", "period", "values": [{"value"}], "title",
  "id"}…]}`` (newer metrics may answer ``total_value: {"value"}`` instead).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from video_orchestrator.errors import ProviderError, ProviderUnavailable
from video_orchestrator.ports.publishing import TokenSource
from video_orchestrator.providers import transport
from video_orchestrator.providers._meta import (
    error_of,
    raise_refused,
    token_refused,
    transient,
    words,
)
from video_orchestrator.providers._metrics import HTTPMetricsSource

#: Graph's "this object does not exist" (a deleted media or video).
GONE_SUBCODE = 33


class GraphInsightsSource(HTTPMetricsSource):
    """The base of a Graph API metric source (see the module docstring)."""

    scheme = "OAuth"
    #: The permissions to grant when the platform refuses the account's access.
    granting: ClassVar[str] = "the insights permissions"

    def _get(self, tokens: TokenSource, path: str, params: dict[str, str]) -> dict[str, Any] | None:
        """A Graph read's JSON object; None for an object that no longer exists."""
        label = self.label
        response = self._read(tokens, "GET", path, auth_failed=token_refused, params=params)
        if response.status_code < 400 and not error_of(response):
            body = transport.json_body(response, label)
            if not isinstance(body, dict):
                raise ProviderError(f"{label} answered {path} without a JSON object")
            return body
        error = error_of(response)
        said = words(response)
        if error.get("code") == 100 and error.get("error_subcode") == GONE_SUBCODE:
            return None
        raise_refused(label, said, response, granting=self.granting)
        if transient(response):
            raise ProviderUnavailable(f"{label} failed ({said}); try again later.")
        raise ProviderError(f"{label} refused the insights query ({said}).")


def lifetime_values(label: str, insights: dict[str, Any]) -> dict[str, Any]:
    """Each insight's value by name (the first of ``values``, else ``total_value``)."""
    found: dict[str, Any] = {}
    data = insights.get("data")
    if not isinstance(data, list):
        raise ProviderError(f"{label} answered insights without data")
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ProviderError(f"{label} answered an insight without a name")
        values = item.get("values")
        first = values[0] if isinstance(values, list) and values else {}
        total = item.get("total_value")
        value = first.get("value") if isinstance(first, dict) else None
        if value is None and isinstance(total, dict):
            value = total.get("value")
        found[item["name"]] = value
    return found


def graph_time(label: str, stamp: object) -> datetime | None:
    """Graph's ISO 8601 time with a ``+0000`` offset (None when absent)."""
    if not stamp:
        return None
    try:
        return datetime.strptime(str(stamp), "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        raise ProviderError(f"{label} answered a timestamp that is not a date: {stamp!r}") from None
