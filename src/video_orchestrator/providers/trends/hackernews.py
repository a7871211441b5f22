"""Hacker News as a trend source (its open Firebase API).

Documented protocol: ``GET {base}/topstories.json`` (or ``beststories``/``newstories``) is a
JSON array of up to 500 item ids, best first; ``GET {base}/item/{id}.json`` is an item
``{"id", "type": "story", "by", "title", "url", "score", "descendants", "time"}`` or ``null``
(deleted). No key and no published rate limit; the first ``count`` stories are read (one
request each), deleted and non-story items skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx

from video_orchestrator.errors import InputError, ProviderError
from video_orchestrator.ports.provider import Provider
from video_orchestrator.ports.trends import Fetched, SourceQuery, TrendItem
from video_orchestrator.providers import transport
from video_orchestrator.providers.trends import _http

DEFAULT_BASE_URL = "https://hacker-news.firebaseio.com/v0"
LISTS = ("top", "best", "new")
MAX_COUNT = 100


class HackerNewsSettings(_http.TrendSettings):
    required: ClassVar[str] = "nothing (an open API)"

    trends_hackernews_base_url: str = DEFAULT_BASE_URL


def story(data: Any) -> TrendItem | None:
    """One item as a trend item (None: deleted, dead, or not a story)."""
    if not isinstance(data, dict) or data.get("type") != "story" or data.get("dead"):
        return None
    title = str(data.get("title") or "").strip()
    if not title or data.get("deleted"):
        return None
    item_id = data.get("id")
    discussion = f"https://news.ycombinator.com/item?id={item_id}"
    when = data.get("time")
    return TrendItem(
        external_id=str(item_id),
        title=title,
        url=str(data.get("url") or discussion),
        kind="story",
        metric=float(data["score"]) if isinstance(data.get("score"), int | float) else None,
        published_at=datetime.fromtimestamp(when, UTC) if isinstance(when, int | float) else None,
    )


class HackerNews(Provider[HackerNewsSettings]):
    """The stories on Hacker News's front page."""

    name = "hackernews"
    settings_model = HackerNewsSettings
    requests_per_minute = 600.0

    def __init__(self, settings: HackerNewsSettings | None = None) -> None:
        self.settings = settings or HackerNewsSettings()

    @classmethod
    def from_settings(cls, settings: HackerNewsSettings) -> HackerNews:
        return cls(settings)

    def check(self, config: Mapping[str, str]) -> dict[str, str]:
        which = (config.get("list") or "top").strip().lower()
        if which not in LISTS:
            raise InputError(f"a Hacker News list is one of {', '.join(LISTS)}, not {which!r}")
        count = (config.get("count") or "30").strip()
        if not count.isdigit() or not 1 <= int(count) <= MAX_COUNT:
            raise InputError(f"count must be a number from 1 to {MAX_COUNT}")
        return {"list": which, "count": count}

    def label(self, config: Mapping[str, str]) -> str:
        return f"Hacker News {config.get('list', 'top')}"

    def fetch(self, query: SourceQuery) -> Fetched:
        base = self.settings.trends_hackernews_base_url.rstrip("/")
        count = int(query.config.get("count", "30"))
        with transport.client_for(None, self.settings.trends_timeout) as client:
            answer = self._get(client, f"{base}/{query.config.get('list', 'top')}stories.json")
            ids = answer.json("Hacker News")
            if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
                raise ProviderError("Hacker News returned a story list that is not a list of ids")
            items = []
            for item_id in ids[:count]:
                found = story(self._get(client, f"{base}/item/{item_id}.json").json("Hacker News"))
                if found is not None:
                    items.append(found)
        return Fetched(tuple(items), requests=1 + min(count, len(ids)))

    def _get(self, client: httpx.Client, url: str) -> _http.Answer:
        return _http.get(url, provider="Hacker News", settings=self.settings, client=client)
