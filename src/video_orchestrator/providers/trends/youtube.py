"""YouTube's most popular videos as a trend source (YouTube Data API v3, with a key).

Documented protocol: ``GET {base}/videos?part=snippet,statistics&chart=mostPopular
&regionCode=XX[&videoCategoryId=N]&maxResults=50&key=KEY`` (1 quota unit; since July 2025
the chart reflects the Music, Movies and Gaming charts). The answer is a
``youtube#videoListResponse`` whose ``items`` are ``youtube#video`` resources: ``id``,
``snippet`` (``title``, ``description``, ``channelTitle``, ``publishedAt``, ``tags``,
``defaultAudioLanguage``) and ``statistics`` (``viewCount`` … as strings). The list carries an
``ETag``; ``If-None-Match`` is answered 304. Errors are ``{"error": {"code", "message",
"errors": [{"reason"}]}}``: 400 ``keyInvalid``/"API key not valid" (a bad key), 403
``quotaExceeded`` or ``rateLimitExceeded`` (a limit, not a bad key), 404 for an unknown
category (``videoChartNotFound``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from video_orchestrator.errors import (
    InputError,
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
)
from video_orchestrator.ports.provider import Provider
from video_orchestrator.ports.trends import Fetched, SourceQuery, TrendItem
from video_orchestrator.providers.trends import _http

DEFAULT_BASE_URL = "https://www.googleapis.com/youtube/v3"
_REGION = re.compile(r"^[A-Z]{2}$")
#: A quota is spent for the day: tried again after this long (seconds).
QUOTA_WAIT = 3600.0


class YouTubeTrendsSettings(_http.TrendSettings):
    required: ClassVar[str] = "VO_TRENDS_YOUTUBE_API_KEY"

    trends_youtube_api_key: str | None = None
    trends_youtube_base_url: str = DEFAULT_BASE_URL


def parse(data: Any) -> tuple[TrendItem, ...]:
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise ProviderError("YouTube returned an answer without a list of videos")
    items = []
    for video in data["items"]:
        if not isinstance(video, dict) or not isinstance(video.get("snippet"), dict):
            continue
        snippet, stats = video["snippet"], video.get("statistics") or {}
        title = str(snippet.get("title") or "").strip()
        video_id = str(video.get("id") or "")
        if not title or not video_id:
            continue
        count = str(stats.get("viewCount") or "")
        views = float(count) if count.isdigit() else None
        published = None
        if isinstance(snippet.get("publishedAt"), str):
            try:
                published = datetime.fromisoformat(snippet["publishedAt"].replace("Z", "+00:00"))
            except ValueError:
                published = None
        items.append(
            TrendItem(
                external_id=video_id,
                title=title,
                url=f"https://www.youtube.com/watch?v={video_id}",
                kind="video",
                summary=str(snippet.get("description") or "")[:1000],
                metric=views,
                published_at=published,
            )
        )
    return tuple(items)


class YouTubeTrends(Provider[YouTubeTrendsSettings]):
    """The most popular videos of a region (and category)."""

    name = "youtube"
    settings_model = YouTubeTrendsSettings
    requests_per_minute = 30.0  # 1 unit a call; the default quota is 10,000 units a day

    def __init__(self, settings: YouTubeTrendsSettings) -> None:
        self.settings = settings
        self.configured = bool(settings.trends_youtube_api_key)

    @classmethod
    def from_settings(cls, settings: YouTubeTrendsSettings) -> YouTubeTrends:
        return cls(settings)

    def check(self, config: Mapping[str, str]) -> dict[str, str]:
        region = (config.get("region") or config.get("regionCode") or "US").strip().upper()
        if not _REGION.match(region):
            raise InputError(f"{region!r} is not a two-letter region code for YouTube")
        checked = {"region": region}
        category = (config.get("category") or "").strip()
        if category:
            if not category.isdigit():
                raise InputError(f"a YouTube category is a number (10: music), not {category!r}")
            checked["category"] = category
        return checked

    def label(self, config: Mapping[str, str]) -> str:
        category = f" category {config['category']}" if config.get("category") else ""
        return f"YouTube most popular {config.get('region', 'US')}{category}"

    def fetch(self, query: SourceQuery) -> Fetched:
        key = self.settings.trends_youtube_api_key
        if not key:
            raise ProviderAuthError("YouTube needs an API key: set VO_TRENDS_YOUTUBE_API_KEY")
        params = {
            "part": "snippet,statistics",
            "chart": "mostPopular",
            "regionCode": query.config.get("region", "US"),
            "maxResults": "50",
            "key": key,
        }
        if query.config.get("category"):
            params["videoCategoryId"] = query.config["category"]
        try:
            answer = _http.get(
                f"{self.settings.trends_youtube_base_url.rstrip('/')}/videos",
                provider="YouTube",
                settings=self.settings,
                params=params,
                etag=query.etag,
                secrets=(key,),
                headers={"Accept": "application/json"},
            )
        except ProviderError as error:
            raise _classified(error) from error
        if answer.not_modified:
            return Fetched(None, answer.etag, answer.last_modified)
        return Fetched(parse(answer.json("YouTube")), answer.etag, answer.last_modified)


def _classified(error: ProviderError) -> ProviderError:
    """YouTube's 403 quota errors are limits, and its 400 "API key not valid" a bad key."""
    text = error.message
    if isinstance(error, ProviderAuthError) and ("quota" in text.lower() or "rate" in text.lower()):
        return ProviderRateLimited(
            f"YouTube's quota is spent ({text}); it is tried again in an hour",
            retry_after=QUOTA_WAIT,
        )
    if "API key not valid" in text or "keyInvalid" in text:
        return ProviderAuthError(f"{text}; check VO_TRENDS_YOUTUBE_API_KEY")
    return error
