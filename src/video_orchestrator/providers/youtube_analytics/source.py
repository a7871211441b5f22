"""YouTube Analytics API v2 as a ``MetricsSource``.

Documented protocol (developers.google.com/youtube/analytics/reference/reports/query):

* ``GET {base}/v2/reports`` with ``ids=channel==MINE``, ``startDate``/``endDate``
  (YYYY-MM-DD), ``metrics`` (comma list), ``dimensions=day``, ``filters=video==ID``,
  ``sort=day``; the OAuth token in ``Authorization: Bearer``. One request per video: a
  ``video`` filter with several ids adds them up.
* The answer: ``{"kind": "youtubeAnalytics#resultTable", "columnHeaders": [{"name",
  "columnType", "dataType"}…], "rows": [[…]…]}`` (``rows`` absent when there is no data).
* Errors: ``{"error": {"code", "message", "errors": [{"reason", …}]}}``; 401 an expired token
  (refreshed once through the ``TokenSource``); 403 ``quotaExceeded`` / ``dailyLimitExceeded``
  the project's daily quota (reported as rate limited, to try tomorrow), other 403s a
  missing scope (``yt-analytics.readonly``); 429 and 5xx retried with ``Retry-After``.
* Figures lag by about two to three days (``lag_days``). Impressions and their CTR are not in
  this API (only in the Reporting API's reach reports).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, ClassVar

import httpx

from video_orchestrator.errors import ProviderError, ProviderRateLimited
from video_orchestrator.metrics.records import MetricRow, Number, ParsedExport, VideoRecord
from video_orchestrator.ports.metrics_source import PullRequest
from video_orchestrator.ports.provider import Provider, ProviderSettings
from video_orchestrator.ports.publishing import TokenSource
from video_orchestrator.providers import transport
from video_orchestrator.providers._metrics import HTTPMetricsSource, figure

DEFAULT_BASE_URL = "https://youtubeanalytics.googleapis.com"
LABEL = "YouTube Analytics"
#: What is asked for, in this order.
METRICS = (
    "views",
    "estimatedMinutesWatched",
    "averageViewDuration",
    "averageViewPercentage",
    "likes",
    "comments",
    "shares",
    "subscribersGained",
    "subscribersLost",
)
QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded", "rateLimitExceeded"})


class YouTubeAnalyticsSettings(ProviderSettings):
    """``VO_YOUTUBE_ANALYTICS_BASE_URL``; tokens come from the connected account."""

    required: ClassVar[str] = "a connected YouTube account"

    youtube_analytics_base_url: str = DEFAULT_BASE_URL
    youtube_analytics_timeout: float = 30.0


class YouTubeAnalytics(HTTPMetricsSource, Provider[YouTubeAnalyticsSettings]):
    name = "youtube-analytics"
    label = LABEL
    platform = "youtube"
    lag_days = 3
    settings_model = YouTubeAnalyticsSettings

    @classmethod
    def from_settings(cls, settings: YouTubeAnalyticsSettings) -> YouTubeAnalytics:
        return cls(settings.youtube_analytics_base_url, timeout=settings.youtube_analytics_timeout)

    def pull(self, tokens: TokenSource, request: PullRequest) -> ParsedExport:
        if request.end < request.start:
            raise ProviderError(f"{LABEL}: the window ends before it starts")
        rows: list[MetricRow] = []
        for video_id in request.video_ids:
            table = self._query(tokens, video_id, request.start, request.end)
            rows.extend(_rows(video_id, table))
        return ParsedExport(
            source="api",
            videos=tuple(
                VideoRecord(
                    "youtube",
                    video_id,
                    account=request.account,
                    url=f"https://www.youtube.com/watch?v={video_id}",
                )
                for video_id in request.video_ids
            ),
            metrics=tuple(rows),
            period=(request.start, request.end),
            parts=(f"{LABEL} reports.query",),
        )

    def _query(self, tokens: TokenSource, video_id: str, start: date, end: date) -> Any:
        params = {
            "ids": "channel==MINE",
            "startDate": start.isoformat(),
            "endDate": end.isoformat(),
            "metrics": ",".join(METRICS),
            "dimensions": "day",
            "filters": f"video=={video_id}",
            "sort": "day",
        }
        response = self._read(tokens, "GET", "/v2/reports", params=params)
        if response.status_code == 403 and _reasons(response) & QUOTA_REASONS:
            raise ProviderRateLimited(
                f"{LABEL}: the project's daily quota is used up "
                f"({transport.response_detail(response)}); the pull is tried again tomorrow"
            )
        if response.status_code >= 400:
            raise self._failure(response)
        return transport.json_body(response, LABEL)


def _reasons(response: httpx.Response) -> set[str]:
    try:
        body = response.json()
    except ValueError:
        return set()
    errors = body.get("error", {}).get("errors", []) if isinstance(body, dict) else []
    return {e.get("reason", "") for e in errors if isinstance(e, dict)}


def _rows(video_id: str, table: Any) -> list[MetricRow]:
    if not isinstance(table, dict) or not isinstance(table.get("columnHeaders"), list):
        raise ProviderError(f"{LABEL} answered without columnHeaders: not a result table")
    names = [str(h.get("name")) for h in table["columnHeaders"] if isinstance(h, dict)]
    if "day" not in names:
        raise ProviderError(f"{LABEL} answered without the day column")
    rows = table.get("rows") or []
    out: list[MetricRow] = []
    for raw in rows:
        if not isinstance(raw, list) or len(raw) != len(names):
            raise ProviderError(f"{LABEL} answered a row that does not match its columns")
        cells = dict(zip(names, raw, strict=True))
        try:
            day = date.fromisoformat(str(cells["day"]))
        except ValueError:
            raise ProviderError(f"{LABEL} answered a day that is not a date") from None
        out.append(MetricRow("youtube", video_id, day, day, _values(cells)))
    return out


def _number(cells: Mapping[str, Any], name: str) -> float | None:
    return figure(LABEL, cells, name)


def _values(cells: Mapping[str, Any]) -> dict[str, Number | None]:
    def whole(name: str) -> int | None:
        value = _number(cells, name)
        return None if value is None else round(value)

    minutes = _number(cells, "estimatedMinutesWatched")
    gained, lost = whole("subscribersGained"), whole("subscribersLost")
    return {
        "views": whole("views"),
        "watch_hours": None if minutes is None else minutes / 60,
        "average_view_duration": _number(cells, "averageViewDuration"),
        "average_percentage_viewed": _number(cells, "averageViewPercentage"),
        "likes": whole("likes"),
        "comments": whole("comments"),
        "shares": whole("shares"),
        "subscribers": None if gained is None else gained - (lost or 0),
    }


__all__: Sequence[str] = ["YouTubeAnalytics", "YouTubeAnalyticsSettings"]
