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
* A pull reads each video (``GET /{id}?fields=…``: its post time dates the figures), then
  its lifetime insights (``GET /{id}/{edge}?…``): one period row per video from its post
  day to the pull's last day, which replaces the previous pull's row (ADR 0029).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from video_orchestrator.errors import ProviderError, ProviderUnavailable
from video_orchestrator.metrics.records import MetricRow, Number, ParsedExport, VideoRecord
from video_orchestrator.ports.metrics_source import PullRequest
from video_orchestrator.ports.provider import ProviderSettings
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


class GraphSettings(ProviderSettings):
    """The Graph API host and version (``VO_META_GRAPH_URL``, ``VO_META_API_VERSION``, as
    the publishers'); tokens come from the connected account."""

    meta_graph_url: str = "https://graph.facebook.com"
    meta_api_version: str = "v21.0"

    def graph(self) -> str:
        return f"{self.meta_graph_url.rstrip('/')}/{self.meta_api_version}"


class GraphInsightsSource(HTTPMetricsSource):
    """The base of a Graph API metric source (see the module docstring): a platform says
    which fields name a video, which edge and query answer its insights, and how both
    become a :class:`VideoRecord` and the stored metrics."""

    scheme = "OAuth"
    platform: ClassVar[str]
    #: The permissions to grant when the platform refuses the account's access.
    granting: ClassVar[str] = "the insights permissions"
    #: The video's fields asked for, the insights edge and its query, the pull's name.
    fields: ClassVar[str]
    edge: ClassVar[str]
    query: ClassVar[Mapping[str, str]]
    part: ClassVar[str]

    def pull(self, tokens: TokenSource, request: PullRequest) -> ParsedExport:
        videos: list[VideoRecord] = []
        rows: list[MetricRow] = []
        for video_id in request.video_ids:
            found = self._get(tokens, f"/{video_id}", {"fields": self.fields})
            if found is None:
                continue
            video = self.video(video_id, found, request.account)
            videos.append(video)
            start = video.published_at.date() if video.published_at else request.end
            if start > request.end:
                continue
            insights = self._get(tokens, f"/{video_id}/{self.edge}", dict(self.query))
            if insights is not None:
                values = self.values(lifetime_values(self.label, insights))
                rows.append(MetricRow(self.platform, video_id, start, request.end, values))
        return ParsedExport(
            source="api",
            videos=tuple(videos),
            metrics=tuple(rows),
            period=(request.start, request.end),
            parts=(self.part,),
        )

    def video(self, video_id: str, found: dict[str, Any], account: str) -> VideoRecord:
        """The video as the platform's fields name it."""
        raise NotImplementedError

    def values(self, found: dict[str, Any]) -> dict[str, Number | None]:
        """The stored metrics of the insights' values by name."""
        raise NotImplementedError

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
