"""TikTok Display API v2 video query as a ``MetricsSource``.

Documented protocol (developers.tiktok.com/doc/tiktok-api-v2-video-query):

* ``POST {base}/v2/video/query/?fields=id,title,create_time,duration,view_count,like_count,
  comment_count,share_count`` with ``{"filters": {"video_ids": [...]}}`` (at most 20 ids a
  request); the user's token in ``Authorization: Bearer`` (scope ``video.list``).
* The answer: ``{"data": {"videos": [...]}, "error": {"code": "ok", "message": "",
  "log_id": …}}``; an error answer carries its ``error.code`` (``access_token_invalid``
  with 401: refreshed once through the ``TokenSource``; ``scope_not_authorized``;
  ``rate_limit_exceeded`` with 429: retried with ``Retry-After``).
* The counts are lifetime totals as of the request (no watch time, no days): each video
  becomes one period row from its post day to the pull's last day, which replaces the
  previous pull's row for the same video (ADR 0029: a later measurement of the same period
  start is kept).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, ClassVar

import httpx

from video_orchestrator.errors import ProviderError
from video_orchestrator.metrics.records import MetricRow, Number, ParsedExport, VideoRecord
from video_orchestrator.ports.metrics_source import PullRequest
from video_orchestrator.ports.provider import Provider, ProviderSettings
from video_orchestrator.ports.publishing import TokenSource
from video_orchestrator.providers import transport
from video_orchestrator.providers._metrics import HTTPMetricsSource, count

DEFAULT_BASE_URL = "https://open.tiktokapis.com"
LABEL = "TikTok"
FIELDS = "id,title,create_time,duration,view_count,like_count,comment_count,share_count"
#: Video ids a query takes at most.
BATCH = 20


class TikTokDisplaySettings(ProviderSettings):
    """``VO_TIKTOK_DISPLAY_BASE_URL``; tokens come from the connected account."""

    required: ClassVar[str] = "a connected TikTok account"

    tiktok_display_base_url: str = DEFAULT_BASE_URL
    tiktok_display_timeout: float = 30.0


class TikTokDisplay(HTTPMetricsSource, Provider[TikTokDisplaySettings]):
    name = "tiktok-display"
    label = LABEL
    platform = "tiktok"
    lag_days = 0
    settings_model = TikTokDisplaySettings

    @classmethod
    def from_settings(cls, settings: TikTokDisplaySettings) -> TikTokDisplay:
        return cls(settings.tiktok_display_base_url, timeout=settings.tiktok_display_timeout)

    def pull(self, tokens: TokenSource, request: PullRequest) -> ParsedExport:
        videos: list[VideoRecord] = []
        rows: list[MetricRow] = []
        ids = list(request.video_ids)
        for first in range(0, len(ids), BATCH):
            for item in self._query(tokens, ids[first : first + BATCH]):
                video, row = _video(item, request)
                videos.append(video)
                if row is not None:
                    rows.append(row)
        return ParsedExport(
            source="api",
            videos=tuple(videos),
            metrics=tuple(rows),
            period=(request.start, request.end),
            parts=(f"{LABEL} video query",),
        )

    def _query(self, tokens: TokenSource, video_ids: Sequence[str]) -> list[Any]:
        response = self._read(
            tokens,
            "POST",
            "/v2/video/query/",
            auth_failed=_expired,
            params={"fields": FIELDS},
            json={"filters": {"video_ids": list(video_ids)}},
        )
        if response.status_code >= 400:
            raise self._failure(response)
        body = transport.json_body(response, LABEL)
        error = body.get("error", {}) if isinstance(body, dict) else {}
        if isinstance(error, dict) and error.get("code") not in (None, "ok"):
            raise ProviderError(
                f"{LABEL} refused the video query ({error.get('code')}: "
                f"{error.get('message') or 'no message'})"
            )
        videos = body.get("data", {}).get("videos") if isinstance(body, dict) else None
        if not isinstance(videos, list):
            raise ProviderError(f"{LABEL} answered without data.videos")
        return videos


def _expired(response: httpx.Response) -> bool:
    """TikTok's expired token: 401 ``access_token_invalid`` (a missing scope is a 401 too,
    which no refresh mends)."""
    if response.status_code != 401:
        return False
    try:
        body = response.json()
    except ValueError:
        return True
    error = body.get("error") if isinstance(body, dict) else None
    return not isinstance(error, dict) or error.get("code") in (None, "access_token_invalid")


def _count(item: dict[str, Any], name: str) -> Number | None:
    return count(LABEL, item, name)


def _video(item: Any, request: PullRequest) -> tuple[VideoRecord, MetricRow | None]:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str | int):
        raise ProviderError(f"{LABEL} answered a video without an id")
    video_id = str(item["id"])
    created = item.get("create_time")
    posted = (
        datetime.fromtimestamp(created, UTC) if isinstance(created, int) and created > 0 else None
    )
    duration = item.get("duration")
    video = VideoRecord(
        platform="tiktok",
        remote_id=video_id,
        title=str(item.get("title") or ""),
        account=request.account,
        url=f"https://www.tiktok.com/@{request.account}/video/{video_id}",
        published_at=posted,
        duration_seconds=float(duration) if isinstance(duration, int | float) else None,
    )
    start: date = posted.date() if posted else request.end
    if start > request.end:
        return video, None
    values = {
        "views": _count(item, "view_count"),
        "likes": _count(item, "like_count"),
        "comments": _count(item, "comment_count"),
        "shares": _count(item, "share_count"),
    }
    return video, MetricRow("tiktok", video_id, start, request.end, values)


__all__: Sequence[str] = ["TikTokDisplay", "TikTokDisplaySettings"]
