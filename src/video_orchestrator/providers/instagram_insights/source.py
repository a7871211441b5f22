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
from typing import Any, ClassVar

from video_orchestrator.metrics.records import MetricRow, Number, ParsedExport, VideoRecord
from video_orchestrator.ports.metrics_source import PullRequest
from video_orchestrator.ports.provider import Provider, ProviderSettings
from video_orchestrator.ports.publishing import TokenSource
from video_orchestrator.providers._graph_insights import (
    GraphInsightsSource,
    graph_time,
    lifetime_values,
)
from video_orchestrator.providers._metrics import count

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


class InstagramInsightsSettings(ProviderSettings):
    """The Graph API host and version (``VO_META_GRAPH_URL``, ``VO_META_API_VERSION``, as
    the publisher's); tokens come from the connected account."""

    required: ClassVar[str] = "a connected Instagram account"

    meta_graph_url: str = "https://graph.facebook.com"
    meta_api_version: str = "v21.0"
    instagram_insights_timeout: float = 30.0


class InstagramInsights(GraphInsightsSource, Provider[InstagramInsightsSettings]):
    name = "instagram-insights"
    label = LABEL
    platform = "instagram"
    lag_days = 2
    granting = "instagram_manage_insights"
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


def _video(media_id: str, media: dict[str, Any], account: str) -> VideoRecord:
    caption = str(media.get("caption") or "")
    link = media.get("permalink")
    return VideoRecord(
        platform="instagram",
        remote_id=media_id,
        title=caption.split("\n", 1)[0][:300],
        account=account,
        url=str(link) if link else None,
        published_at=graph_time(LABEL, media.get("timestamp")),
    )


def _values(insights: dict[str, Any]) -> dict[str, Number | None]:
    """The insights as the stored metrics (milliseconds become seconds and hours)."""
    found = lifetime_values(LABEL, insights)
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
