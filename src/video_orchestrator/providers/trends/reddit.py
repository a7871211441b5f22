"""Reddit listings as a trend source: what a subreddit finds hot, rising or top today.

Documented protocol (no OAuth): ``GET {base}/r/{subreddit}/{hot|rising|top}.json?limit=100``
(``&t=day`` for ``top``) with a descriptive ``User-Agent`` (generic agents are throttled);
10 requests a minute without OAuth. The answer is a ``Listing``: ``{"kind": "Listing",
"data": {"after", "children": [{"kind": "t3", "data": {"id", "name", "title", "selftext",
"url", "permalink", "score", "num_comments", "created_utc", "stickied", "over_18"}}]}}``.
A 429 carries ``X-Ratelimit-Remaining``/``-Used``/``-Reset`` (seconds); a private subreddit
is 403 ``{"reason": "private"}``, a banned one 404; an unknown name redirects to a search of
subreddits (its children are ``t5``, not posts, and are ignored).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from video_orchestrator.errors import InputError, ProviderError
from video_orchestrator.ports.provider import Provider
from video_orchestrator.ports.trends import Fetched, SourceQuery, TrendItem
from video_orchestrator.providers.trends import _http

DEFAULT_BASE_URL = "https://www.reddit.com"
LISTINGS = ("hot", "rising", "top")
_SUBREDDIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{1,20}$")


class RedditSettings(_http.TrendSettings):
    required: ClassVar[str] = "nothing (public listings)"

    trends_reddit_base_url: str = DEFAULT_BASE_URL


def parse(data: Any, base: str = "https://www.reddit.com") -> tuple[TrendItem, ...]:
    if not isinstance(data, dict) or data.get("kind") != "Listing":
        raise ProviderError("Reddit returned something that is not a listing")
    children = (data.get("data") or {}).get("children")
    if not isinstance(children, list):
        raise ProviderError("Reddit returned a listing without children")
    items = []
    for child in children:
        if not isinstance(child, dict) or child.get("kind") != "t3":
            continue
        post = child.get("data") or {}
        title = str(post.get("title") or "").strip()
        if not title or post.get("stickied") or post.get("over_18"):
            continue
        created = post.get("created_utc")
        permalink = str(post.get("permalink") or "")
        items.append(
            TrendItem(
                external_id=str(post.get("name") or post.get("id") or title),
                title=title,
                url=f"{base.rstrip('/')}{permalink}" if permalink else str(post.get("url") or ""),
                kind="post",
                summary=str(post.get("selftext") or "")[:1000],
                metric=float(post["score"]) if isinstance(post.get("score"), int | float) else None,
                published_at=datetime.fromtimestamp(created, UTC)
                if isinstance(created, int | float)
                else None,
            )
        )
    return tuple(items)


class RedditListings(Provider[RedditSettings]):
    """A subreddit's hot, rising or top-of-the-day posts."""

    name = "reddit"
    settings_model = RedditSettings
    requests_per_minute = 10.0  # the unauthenticated limit

    def __init__(self, settings: RedditSettings | None = None) -> None:
        self.settings = settings or RedditSettings()

    @classmethod
    def from_settings(cls, settings: RedditSettings) -> RedditListings:
        return cls(settings)

    def check(self, config: Mapping[str, str]) -> dict[str, str]:
        subreddit = (config.get("subreddit") or "").strip().removeprefix("r/").strip("/")
        if not _SUBREDDIT.match(subreddit):
            raise InputError(f"{subreddit!r} is not a subreddit name (e.g. worldnews)")
        listing = (config.get("listing") or "hot").strip().lower()
        if listing not in LISTINGS:
            raise InputError(f"a Reddit listing is one of {', '.join(LISTINGS)}, not {listing!r}")
        return {"subreddit": subreddit, "listing": listing}

    def label(self, config: Mapping[str, str]) -> str:
        return f"r/{config.get('subreddit')} {config.get('listing', 'hot')}"

    def fetch(self, query: SourceQuery) -> Fetched:
        listing = query.config.get("listing", "hot")
        params = {"limit": "100", "raw_json": "1"}
        if listing == "top":
            params["t"] = "day"
        base = self.settings.trends_reddit_base_url.rstrip("/")
        answer = _http.get(
            f"{base}/r/{query.config['subreddit']}/{listing}.json",
            provider="Reddit",
            settings=self.settings,
            params=params,
            etag=query.etag,
            last_modified=query.last_modified,
            headers={"Accept": "application/json"},
        )
        if answer.not_modified:
            return Fetched(None, answer.etag, answer.last_modified)
        return Fetched(parse(answer.json("Reddit")), answer.etag, answer.last_modified)
