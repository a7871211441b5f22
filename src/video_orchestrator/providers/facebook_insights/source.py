"""Facebook Page Reels' video insights (Graph API) as a ``MetricsSource`` (ADR 0045).

Documented protocol (developers.facebook.com/docs/video-api/guides/insights, the Reels
section; reference: graph-api/reference/video/video_insights):

* ``GET {graph}/{version}/{video-id}?fields=id,title,description,permalink_url,
  created_time,length`` names the Reel (its post time dates the figures), then
  ``GET {graph}/{version}/{video-id}/video_insights?metric=blue_reels_play_count,
  post_impressions_unique,post_video_avg_time_watched,post_video_view_time,
  post_video_likes_by_reaction_type,post_video_social_actions,post_video_followers&period=
  lifetime`` answers ``{"data": [{"name", "period": "lifetime", "values": [{"value"}],
  "title", "description", "id"}…]}``. The token is the Page's (the account's, as the
  publisher's: ``Authorization: OAuth``), with ``read_insights`` and
  ``pages_read_engagement`` (the connector asks for both; accounts connected before must
  connect again).
* The values: ``blue_reels_play_count`` the plays (the ``views`` column);
  ``post_video_likes_by_reaction_type`` reactions by type (``{"REACTION_LIKE": n, …}``: their
  sum is the ``likes`` column); ``post_video_social_actions`` ``{"COMMENT": n, "SHARE": n}``;
  ``post_video_followers`` the followers gained; ``post_video_avg_time_watched`` and
  ``post_video_view_time`` in milliseconds (seconds and hours here);
  ``post_impressions_unique`` (reach: unique accounts) has no column.
* Errors are Graph errors (``_graph_insights.py``): code 190 an expired token (refreshed
  once), 4/17/32/613 or HTTP 429 rate limits, 10 and 200–299 a missing permission, 100 with
  subcode 33 a deleted video (left out), 100 otherwise a metric the API version refuses
  (the pull fails in Meta's words).
* The figures are lifetime totals that Page insights update about once a day
  (``lag_days = 1``): each Reel becomes one period row from its post day to the pull's last
  day, which replaces the previous pull's row (ADR 0029, as Instagram's).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from video_orchestrator.errors import ProviderError
from video_orchestrator.metrics.records import Number, VideoRecord
from video_orchestrator.ports.provider import Provider
from video_orchestrator.providers._graph_insights import (
    GraphInsightsSource,
    GraphSettings,
    graph_time,
)
from video_orchestrator.providers._metrics import count, figure

LABEL = "Facebook"
#: The Reels insights asked for.
METRICS = (
    "blue_reels_play_count",
    "post_impressions_unique",
    "post_video_avg_time_watched",
    "post_video_view_time",
    "post_video_likes_by_reaction_type",
    "post_video_social_actions",
    "post_video_followers",
)
VIDEO_FIELDS = "id,title,description,permalink_url,created_time,length"
SITE = "https://www.facebook.com"


class FacebookInsightsSettings(GraphSettings):
    """The Graph API host and version (as the publisher's); tokens come from the connected
    Page."""

    required: ClassVar[str] = "a connected Facebook Page"

    facebook_insights_timeout: float = 30.0


class FacebookInsights(GraphInsightsSource, Provider[FacebookInsightsSettings]):
    name = "facebook-insights"
    label = LABEL
    platform = "facebook"
    lag_days = 1
    granting = "read_insights and pages_read_engagement"
    fields = VIDEO_FIELDS
    edge = "video_insights"
    query: ClassVar[Mapping[str, str]] = {"metric": ",".join(METRICS), "period": "lifetime"}
    part = f"{LABEL} Reels insights"
    settings_model = FacebookInsightsSettings

    @classmethod
    def from_settings(cls, settings: FacebookInsightsSettings) -> FacebookInsights:
        return cls(settings.graph(), timeout=settings.facebook_insights_timeout)

    def video(self, video_id: str, found: dict[str, Any], account: str) -> VideoRecord:
        text = str(found.get("title") or found.get("description") or "")
        link = str(found.get("permalink_url") or "")
        if link.startswith("/"):  # Graph answers the Reel's path on the site
            link = SITE + link
        return VideoRecord(
            platform="facebook",
            remote_id=video_id,
            title=text.split("\n", 1)[0][:300],
            account=account,
            url=link or f"{SITE}/reel/{video_id}",
            published_at=graph_time(LABEL, found.get("created_time")),
            duration_seconds=figure(LABEL, found, "length"),
        )

    def values(self, found: dict[str, Any]) -> dict[str, Number | None]:
        """The insights as the stored metrics (milliseconds become seconds and hours)."""
        reactions = _by_type(found, "post_video_likes_by_reaction_type")
        actions = _by_type(found, "post_video_social_actions")
        answered = "post_video_social_actions" in found
        watch_ms = figure(LABEL, found, "post_video_view_time")
        average_ms = figure(LABEL, found, "post_video_avg_time_watched")
        return {
            "views": count(LABEL, found, "blue_reels_play_count"),
            "likes": sum(count(LABEL, reactions, kind) or 0 for kind in reactions)
            if "post_video_likes_by_reaction_type" in found
            else None,
            "comments": (count(LABEL, actions, "COMMENT") or 0) if answered else None,
            "shares": (count(LABEL, actions, "SHARE") or 0) if answered else None,
            "subscribers": count(LABEL, found, "post_video_followers"),
            "watch_hours": None if watch_ms is None else watch_ms / 3_600_000,
            "average_view_duration": None if average_ms is None else average_ms / 1000,
        }


def _by_type(found: dict[str, Any], name: str) -> dict[str, Any]:
    """A breakdown insight (``{"TYPE": n}``); a plain 0 or no value is an empty one."""
    value = found.get(name)
    if value is None or value == 0:
        return {}
    if not isinstance(value, dict):
        raise ProviderError(f"{LABEL} answered {name} = {value!r}, not counts by type")
    return value


__all__: Sequence[str] = ["FacebookInsights", "FacebookInsightsSettings"]
