"""One local server speaking the documented formats of every trend source, for adapter and
poll tests: Google Trends' "Trending now" RSS with the ``ht:`` namespace, the YouTube Data
API's ``videos.list`` (``youtube#video`` resources, key checked, quota errors), Reddit
listings (``Listing``/``t3`` JSON, a User-Agent rule and the 10-a-minute limit with
``X-Ratelimit-*`` headers), RSS 2.0 and Atom 1.0 feeds, Hacker News' Firebase JSON and
Wikimedia's top pageviews. Every payload is generated here from :class:`World`, the state a
test edits between polls; every answer carries an ``ETag`` and ``Last-Modified`` and a
matching conditional request is answered 304.

Faults are queued per path prefix (:meth:`TrendServer.fail`): 429 with ``Retry-After``, 5xx,
malformed XML or JSON, slow answers.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from tests.httpserver import HTTPTestServer, Recorded, Reply

YOUTUBE_KEY = "yt-test-key-0123456789"
MODIFIED = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


@dataclass
class News:
    title: str
    url: str
    source: str
    snippet: str = ""


@dataclass
class Search:
    title: str
    traffic: str  # "2,000+", "50K+"
    news: list[News] = field(default_factory=list)


@dataclass
class Video:
    id: str
    title: str
    views: int
    description: str = ""
    channel: str = "A channel"


@dataclass
class Post:
    id: str
    title: str
    score: int
    selftext: str = ""
    stickied: bool = False


@dataclass
class Entry:
    id: str
    title: str
    link: str
    summary: str = ""


@dataclass
class Story:
    id: int
    title: str
    url: str
    score: int


@dataclass
class World:
    google: dict[str, list[Search]] = field(default_factory=dict)
    youtube: dict[str, list[Video]] = field(default_factory=dict)
    reddit: dict[tuple[str, str], list[Post]] = field(default_factory=dict)
    feeds: dict[str, tuple[str, list[Entry]]] = field(default_factory=dict)  # name → (rss|atom)
    hackernews: list[Story] = field(default_factory=list)
    wikipedia: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def google_rss(geo: str, searches: list[Search]) -> str:
    items = []
    for search in searches:
        news = "".join(
            "<ht:news_item>"
            f"<ht:news_item_title>{escape(n.title)}</ht:news_item_title>"
            f"<ht:news_item_snippet>{escape(n.snippet)}</ht:news_item_snippet>"
            f"<ht:news_item_url>{escape(n.url)}</ht:news_item_url>"
            "<ht:news_item_picture>https://encrypted-tbn0.gstatic.com/images?q=tbn:x</ht:news_item_picture>"
            f"<ht:news_item_source>{escape(n.source)}</ht:news_item_source>"
            "</ht:news_item>"
            for n in search.news
        )
        items.append(
            f"<item><title>{escape(search.title)}</title>"
            f"<ht:approx_traffic>{escape(search.traffic)}</ht:approx_traffic>"
            "<description></description>"
            f"<link>https://trends.google.com/trending/rss?geo={geo}</link>"
            f"<pubDate>{format_datetime(MODIFIED)}</pubDate>"
            "<ht:picture>https://encrypted-tbn0.gstatic.com/images?q=tbn:y</ht:picture>"
            "<ht:picture_source>Example</ht:picture_source>"
            f"{news}</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:ht="https://trends.google.com/trending/rss" version="2.0"><channel>'
        "<title>Daily Search Trends</title><description>Recent searches</description>"
        f"<link>https://trends.google.com/trending/rss?geo={geo}</link>"
        f'<atom:link href="https://trends.google.com/trending/rss?geo={geo}" rel="self" '
        'type="application/rss+xml"/>' + "".join(items) + "</channel></rss>"
    )


def youtube_list(region: str, videos: list[Video]) -> dict[str, Any]:
    return {
        "kind": "youtube#videoListResponse",
        "etag": "list-etag",
        "items": [
            {
                "kind": "youtube#video",
                "etag": f"etag-{v.id}",
                "id": v.id,
                "snippet": {
                    "publishedAt": "2026-12-03T18:00:00Z",
                    "channelId": "UC" + v.id,
                    "title": v.title,
                    "description": v.description,
                    "channelTitle": v.channel,
                    "tags": [],
                    "categoryId": "24",
                    "defaultAudioLanguage": "en",
                },
                "statistics": {"viewCount": str(v.views), "likeCount": "10", "commentCount": "2"},
            }
            for v in videos
        ],
        "nextPageToken": "CDIQAA",
        "pageInfo": {"totalResults": len(videos), "resultsPerPage": 50},
    }


def reddit_listing(subreddit: str, posts: list[Post]) -> dict[str, Any]:
    return {
        "kind": "Listing",
        "data": {
            "after": None,
            "dist": len(posts),
            "children": [
                {
                    "kind": "t3",
                    "data": {
                        "id": p.id,
                        "name": f"t3_{p.id}",
                        "subreddit": subreddit,
                        "title": p.title,
                        "selftext": p.selftext,
                        "score": p.score,
                        "ups": p.score,
                        "num_comments": 12,
                        "created_utc": 1796371200.0,
                        "permalink": f"/r/{subreddit}/comments/{p.id}/slug/",
                        "url": f"https://example.org/{p.id}",
                        "stickied": p.stickied,
                        "over_18": False,
                    },
                }
                for p in posts
            ],
        },
    }


def rss_feed(name: str, entries: list[Entry]) -> str:
    items = "".join(
        f"<item><title>{escape(e.title)}</title><link>{escape(e.link)}</link>"
        f"<guid>{escape(e.id)}</guid><description>{escape(e.summary)}</description>"
        f"<pubDate>{format_datetime(MODIFIED)}</pubDate></item>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{escape(name)}</title><link>https://news.example/</link>"
        "<description>News</description><language>en</language>"
        f"{items}</channel></rss>"
    )


def atom_feed(name: str, entries: list[Entry]) -> str:
    items = "".join(
        f'<entry><title>{escape(e.title)}</title><link href="{escape(e.link)}"/>'
        f"<id>{escape(e.id)}</id><updated>2026-12-04T08:00:00Z</updated>"
        f"<summary>{escape(e.summary)}</summary></entry>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(name)}</title><id>urn:feed:{escape(name)}</id>"
        "<updated>2026-12-04T08:00:00Z</updated>"
        f"{items}</feed>"
    )


class TrendServer(HTTPTestServer):
    """``with TrendServer() as server: … server.base_url …``"""

    def __init__(self, world: World | None = None, *, reddit_per_minute: int = 10) -> None:
        super().__init__(self._answer)
        self.world = world or World()
        self.faults: dict[str, list[Reply]] = defaultdict(list)
        self.reddit_per_minute = reddit_per_minute
        self._reddit_times: list[float] = []
        #: The clock of the rate limit (a test that moves its own clock moves this one too).
        self.clock: Callable[[], float] = time.monotonic

    def fail(self, prefix: str, *replies: Reply) -> None:
        """The next requests whose path starts with ``prefix`` get ``replies``, in order."""
        self.faults[prefix].extend(replies)

    def count(self, prefix: str) -> int:
        return sum(1 for r in self.requests if r.path.startswith(prefix))

    # -- routing ---------------------------------------------------------------------------

    def _answer(self, request: Recorded) -> Reply:
        for prefix, queued in self.faults.items():
            if request.path.startswith(prefix) and queued:
                return queued.pop(0)
        parts = urlsplit(request.path)
        path, query = parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}
        if path == "/trending/rss":
            geo = query.get("geo", "US")
            return self._conditional(request, google_rss(geo, self.world.google.get(geo, [])))
        if path == "/youtube/v3/videos":
            return self._youtube(request, query)
        if path.startswith("/r/"):
            return self._reddit(request, path)
        if path.startswith("/feeds/"):
            name = path.removeprefix("/feeds/").removesuffix(".xml")
            if name not in self.world.feeds:
                return Reply(404, "<html>not found</html>")
            kind, entries = self.world.feeds[name]
            text = atom_feed(name, entries) if kind == "atom" else rss_feed(name, entries)
            return self._conditional(request, text)
        if path.startswith("/v0/"):
            return self._hackernews(path)
        if path.startswith("/api/rest_v1/metrics/pageviews/top/"):
            return self._wikipedia(request, path)
        return Reply(404, {"error": "not found"})

    def _conditional(self, request: Recorded, body: str | dict[str, Any]) -> Reply:
        payload = body if isinstance(body, str) else json.dumps(body)
        etag = '"' + hashlib.sha256(payload.encode()).hexdigest()[:16] + '"'
        headers = {"ETag": etag, "Last-Modified": format_datetime(MODIFIED, usegmt=True)}
        if request.headers.get("if-none-match") == etag:
            return Reply(304, b"", headers)
        return Reply(200, payload.encode() if isinstance(body, str) else body, headers)

    def _youtube(self, request: Recorded, query: dict[str, str]) -> Reply:
        if query.get("key") != YOUTUBE_KEY:
            return Reply(
                400,
                {
                    "error": {
                        "code": 400,
                        "message": "API key not valid. Please pass a valid API key.",
                        "errors": [{"message": "API key not valid.", "reason": "badRequest"}],
                        "status": "INVALID_ARGUMENT",
                    }
                },
            )
        if query.get("chart") != "mostPopular" or "snippet" not in query.get("part", ""):
            return Reply(400, {"error": {"code": 400, "message": "bad chart or part"}})
        region = query.get("regionCode", "US")
        return self._conditional(request, youtube_list(region, self.world.youtube.get(region, [])))

    def _reddit(self, request: Recorded, path: str) -> Reply:
        agent = request.headers.get("user-agent", "")
        if not agent or agent.startswith(("python-httpx", "python-requests", "curl")):
            return Reply(429, {"message": "Too Many Requests", "error": 429})
        now = self.clock()
        self._reddit_times = [t for t in self._reddit_times if now - t < 60]
        if len(self._reddit_times) >= self.reddit_per_minute:
            return Reply(
                429,
                {"message": "Too Many Requests", "error": 429},
                {
                    "X-Ratelimit-Used": str(len(self._reddit_times)),
                    "X-Ratelimit-Remaining": "0",
                    "X-Ratelimit-Reset": "42",
                },
            )
        self._reddit_times.append(now)
        _, _, subreddit, listing = path.split("/", 3)
        listing = listing.removesuffix(".json")
        if (subreddit, listing) not in self.world.reddit:
            return Reply(404, {"reason": "banned", "message": "Not Found", "error": 404})
        posts = self.world.reddit[(subreddit, listing)]
        return self._conditional(request, reddit_listing(subreddit, posts))

    def _hackernews(self, path: str) -> Reply:
        if path == "/v0/topstories.json":
            return Reply(200, [s.id for s in self.world.hackernews] + [999_999])
        item_id = int(path.removeprefix("/v0/item/").removesuffix(".json"))
        for s in self.world.hackernews:
            if s.id == item_id:
                return Reply(
                    200,
                    {
                        "by": "someone",
                        "descendants": 10,
                        "id": s.id,
                        "kids": [1, 2],
                        "score": s.score,
                        "time": 1796371200,
                        "title": s.title,
                        "type": "story",
                        "url": s.url,
                    },
                )
        return Reply(200, None)  # a deleted item is null

    def _wikipedia(self, request: Recorded, path: str) -> Reply:
        rest = path.removeprefix("/api/rest_v1/metrics/pageviews/top/").split("/")
        project, _access, year, month, day = rest[:5]
        articles = self.world.wikipedia.get(project)
        if articles is None or (year, month, day) == ("2026", "12", "03"):
            return Reply(
                404,
                {
                    "type": "https://mediawiki.org/wiki/HyperSwitch/errors/not_found",
                    "title": "Not found.",
                    "method": "get",
                    "detail": "The date(s) you used are valid, but we either do not have data "
                    "for those date(s), or the project you asked for is not loaded yet.",
                    "uri": path,
                },
            )
        return self._conditional(
            request,
            {
                "items": [
                    {
                        "project": project,
                        "access": "all-access",
                        "year": year,
                        "month": month,
                        "day": day,
                        "articles": [
                            {"article": name, "views": views, "rank": rank + 1}
                            for rank, (name, views) in enumerate(articles)
                        ],
                    }
                ]
            },
        )


def adapters_for(base_url: str, *, timeout: float = 2.0) -> dict[str, Any]:
    """Every trend adapter, pointed at a :class:`TrendServer` (by kind)."""
    from video_orchestrator.providers.trends.feeds import Feeds, FeedSettings
    from video_orchestrator.providers.trends.google import GoogleTrends, GoogleTrendsSettings
    from video_orchestrator.providers.trends.hackernews import HackerNews, HackerNewsSettings
    from video_orchestrator.providers.trends.reddit import RedditListings, RedditSettings
    from video_orchestrator.providers.trends.wikipedia import WikipediaSettings, WikipediaTop
    from video_orchestrator.providers.trends.youtube import YouTubeTrends, YouTubeTrendsSettings

    common: dict[str, Any] = {
        "trends_timeout": timeout,
        "trends_user_agent": "python:vo-tests:1.0 (by /u/vo-tests)",
        "allow_private_urls": True,
    }
    return {
        "google-trends": GoogleTrends(
            GoogleTrendsSettings(trends_google_url=f"{base_url}/trending/rss", **common)
        ),
        "youtube": YouTubeTrends(
            YouTubeTrendsSettings(
                trends_youtube_api_key=YOUTUBE_KEY,
                trends_youtube_base_url=f"{base_url}/youtube/v3",
                **common,
            )
        ),
        "reddit": RedditListings(RedditSettings(trends_reddit_base_url=base_url, **common)),
        "feed": Feeds(FeedSettings(**common)),
        "hackernews": HackerNews(
            HackerNewsSettings(trends_hackernews_base_url=f"{base_url}/v0", **common)
        ),
        "wikipedia": WikipediaTop(
            WikipediaSettings(trends_wikipedia_base_url=f"{base_url}/api/rest_v1", **common)
        ),
    }
