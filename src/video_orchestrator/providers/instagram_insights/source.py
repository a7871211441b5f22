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

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from video_orchestrator.metrics.records import Number, VideoRecord
from video_orchestrator.ports.provider import Provider
from video_orchestrator.providers._graph_insights import (
    GraphInsightsSource,
    GraphSettings,
    graph_time,
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


class InstagramInsightsSettings(GraphSettings):
    """The Graph API host and version (as the publisher's); tokens come from the connected
    account."""

    required: ClassVar[str] = "a connected Instagram account"

    instagram_insights_timeout: float = 30.0


class InstagramInsights(GraphInsightsSource, Provider[InstagramInsightsSettings]):
    name = "instagram-insights"
    label = LABEL
    platform = "instagram"
    lag_days = 2
    granting = "instagram_manage_insights"
    fields = MEDIA_FIELDS
    edge = "insights"
    query: ClassVar[Mapping[str, str]] = {"metric": ",".join(METRICS)}
    part = f"{LABEL} media insights"
    settings_model = InstagramInsightsSettings

    @classmethod
    def from_settings(cls, settings: InstagramInsightsSettings) -> InstagramInsights:
        return cls(settings.graph(), timeout=settings.instagram_insights_timeout)

    def video(self, video_id: str, found: dict[str, Any], account: str) -> VideoRecord:
        caption = str(found.get("caption") or "")
        link = found.get("permalink")
        return VideoRecord(
            platform="instagram",
            remote_id=video_id,
            title=caption.split("\n", 1)[0][:300],
            account=account,
            url=str(link) if link else None,
            published_at=graph_time(LABEL, found.get("timestamp")),
        )

    def values(self, found: dict[str, Any]) -> dict[str, Number | None]:
        """The insights as the stored metrics (milliseconds become seconds and hours)."""
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
