"""Instagram media insights (Instagram Graph API) as a ``MetricsSource``.

Documented protocol (developers.facebook.com/docs/instagram-platform/reference/instagram-media/
insights):

* ``GET {graph}/{version}/{media-id}?fields=id,caption,permalink,timestamp,media_product_type``
  names the Reel (its post time dates the figures), then
  ``GET {graph}/{version}/{media-id}/insights?metric=views,reach,likes,comments,shares,saved,
  total_interactions,ig_reels_avg_watch_time,ig_reels_video_view_total_time`` answers
  ``{"data": [{"name", "period": "lifetime", "values": [{"value"}], "title", "id"}…]}``.
  The token (the account's, as the publisher's: ``Authorization: OAuth``) is the Instagram
  account's user token (``instagram_manage_insights``).
* ``plays`` and ``impressions`` were deprecated in April 2025 (``views`` replaces them);
  the two watch times are in milliseconds; ``reach`` (unique accounts) has no column here.
* Errors are Graph errors (``{"error": {"message", "type", "code", "error_subcode",
  "fbtrace_id"}}``, ``_meta.py``): code 190 an expired token (refreshed once through the
  ``TokenSource``), 4/17/32/613 or HTTP 429 rate limits (waited out when short, else
  ``ProviderRateLimited``), 10 and 200–299 a missing permission, 100 with subcode 33 a
  media that no longer exists (left out: the other videos' figures still come).
* The figures are lifetime totals that settle over about 48 hours (``lag_days``): each Reel
  becomes one period row from its post day to the pull's last day, which replaces the
  previous pull's row (ADR 0029, as TikTok's video query).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from video_orchestrator.errors import (
    ProviderError,
    ProviderUnavailable,
)
from video_orchestrator.metrics.records import MetricRow, Number, ParsedExport, VideoRecord
from video_orchestrator.ports.metrics_source import PullRequest
from video_orchestrator.ports.provider import Provider, ProviderSettings
from video_orchestrator.ports.publishing import TokenSource
from video_orchestrator.providers import transport
from video_orchestrator.providers._meta import (
    error_of,
    raise_refused,
    token_refused,
    transient,
    words,
)
from video_orchestrator.providers._metrics import HTTPMetricsSource, count

LABEL = "Instagram"
#: The insights asked for (Reels, API v21+).
METRICS = (
    "views",
    "reach",
    "likes",
    "comments",
    "shares",
    "saved",
    "total_interactions",
    "ig_reels_avg_watch_time",
    "ig_reels_video_view_total_time",
)
MEDIA_FIELDS = "id,caption,permalink,timestamp,media_product_type"
#: Graph's "this object does not exist" (a deleted media).
GONE_SUBCODE = 33


class InstagramInsightsSettings(ProviderSettings):
    """The Graph API host and version (``VO_META_GRAPH_URL``, ``VO_META_API_VERSION``, as
    the publisher's); tokens come from the connected account."""

    required: ClassVar[str] = "a connected Instagram account"

    meta_graph_url: str = "https://graph.facebook.com"
    meta_api_version: str = "v21.0"
    instagram_insights_timeout: float = 30.0


class InstagramInsights(HTTPMetricsSource, Provider[InstagramInsightsSettings]):
    name = "instagram-insights"
    label = LABEL
    scheme = "OAuth"
    platform = "instagram"
    lag_days = 2
    settings_model = InstagramInsightsSettings

    @classmethod
    def from_settings(cls, settings: InstagramInsightsSettings) -> InstagramInsights:
        graph = f"{settings.meta_graph_url.rstrip('/')}/{settings.meta_api_version}"
        return cls(graph, timeout=settings.instagram_insights_timeout)

    def pull(self, tokens: TokenSource, request: PullRequest) -> ParsedExport:
        videos: list[VideoRecord] = []
        rows: list[MetricRow] = []
        for media_id in request.video_ids:
            media = self._get(tokens, f"/{media_id}", {"fields": MEDIA_FIELDS})
            if media is None:
                continue
            video = _video(media_id, media, request.account)
            videos.append(video)
            start = video.published_at.date() if video.published_at else request.end
            if start > request.end:
                continue
            insights = self._get(tokens, f"/{media_id}/insights", {"metric": ",".join(METRICS)})
            if insights is not None:
                rows.append(MetricRow("instagram", media_id, start, request.end, _values(insights)))
        return ParsedExport(
            source="api",
            videos=tuple(videos),
            metrics=tuple(rows),
            period=(request.start, request.end),
            parts=(f"{LABEL} media insights",),
        )

    def _get(self, tokens: TokenSource, path: str, params: dict[str, str]) -> dict[str, Any] | None:
        """A Graph read's JSON object; None for a media that no longer exists."""
        response = self._read(tokens, "GET", path, auth_failed=token_refused, params=params)
        if response.status_code < 400 and not error_of(response):
            body = transport.json_body(response, LABEL)
            if not isinstance(body, dict):
                raise ProviderError(f"{LABEL} answered {path} without a JSON object")
            return body
        error = error_of(response)
        said = words(response)
        if error.get("code") == 100 and error.get("error_subcode") == GONE_SUBCODE:
            return None
        raise_refused(LABEL, said, response, granting="instagram_manage_insights")
        if transient(response):
            raise ProviderUnavailable(f"{LABEL} failed ({said}); try again later.")
        raise ProviderError(f"{LABEL} refused the insights query ({said}).")


def _video(media_id: str, media: dict[str, Any], account: str) -> VideoRecord:
    stamp = media.get("timestamp")
    try:  # Graph's ISO 8601 with a +0000 offset
        posted = datetime.strptime(str(stamp), "%Y-%m-%dT%H:%M:%S%z") if stamp else None
    except ValueError:
        raise ProviderError(f"{LABEL} answered a timestamp that is not a date: {stamp!r}") from None
    caption = str(media.get("caption") or "")
    link = media.get("permalink")
    return VideoRecord(
        platform="instagram",
        remote_id=media_id,
        title=caption.split("\n", 1)[0][:300],
        account=account,
        url=str(link) if link else None,
        published_at=posted,
    )


def _values(insights: dict[str, Any]) -> dict[str, Number | None]:
    """The insights as the stored metrics (milliseconds become seconds and hours)."""
    found: dict[str, Any] = {}
    data = insights.get("data")
    if not isinstance(data, list):
        raise ProviderError(f"{LABEL} answered insights without data")
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ProviderError(f"{LABEL} answered an insight without a name")
        values = item.get("values")
        first = values[0] if isinstance(values, list) and values else {}
        total = item.get("total_value")
        value = first.get("value") if isinstance(first, dict) else None
        if value is None and isinstance(total, dict):
            value = total.get("value")
        found[item["name"]] = value
    watch_ms = count(LABEL, found, "ig_reels_video_view_total_time")
    average_ms = count(LABEL, found, "ig_reels_avg_watch_time")
    return {
        "views": count(LABEL, found, "views"),
        "likes": count(LABEL, found, "likes"),
        "comments": count(LABEL, found, "comments"),
        "shares": count(LABEL, found, "shares"),
        "saves": count(LABEL, found, "saved"),
        "watch_hours": None if watch_ms is None else watch_ms / 3_600_000,
        "average_view_duration": None if average_ms is None else average_ms / 1000,
    }


__all__: Sequence[str] = ["InstagramInsights", "InstagramInsightsSettings"]
