"""Any RSS or Atom feed the user adds (news sites, blogs, Google News searches) as a trend
source, read by feedparser (RSS 0.9x/1.0/2.0, Atom 0.3/1.0; lenient with small faults).

The feed is fetched over the transport (feedparser never opens a connection), with the
feed's validators (``ETag``, ``Last-Modified``), and every address on the way (redirects
included) must be public unless private addresses are allowed (the server fetches what a
user typed). A document feedparser cannot make a feed of (no entries and a parse error) is a
``ProviderError`` naming the error.
"""

from __future__ import annotations

import calendar
import html
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import feedparser

from video_orchestrator.errors import InputError, ProviderError
from video_orchestrator.ports.provider import Provider
from video_orchestrator.ports.trends import Fetched, SourceQuery, TrendItem
from video_orchestrator.providers.trends import _http
from video_orchestrator.providers.web.fetch import check_url

_TAG = re.compile(r"<[^>]{0,500}>")


class FeedSettings(_http.TrendSettings):
    required: ClassVar[str] = "nothing (the feed's URL)"


def _plain(text: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", text or "")).split())


def _when(entry: Any) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC)


def parse(body: bytes, provider: str = "the feed") -> tuple[TrendItem, ...]:
    """The entries of an RSS or Atom document, in its order."""
    document = feedparser.parse(body)
    entries = list(document.get("entries") or [])
    if document.get("bozo") and not entries:
        reason = document.get("bozo_exception")
        raise ProviderError(
            f"{provider} is not a readable RSS or Atom feed ({reason}); it is retried at the "
            "next poll"
        )
    if not entries and not document.get("version"):
        raise ProviderError(f"{provider} is not an RSS or Atom feed")
    items = []
    for entry in entries:
        title = _plain(entry.get("title", ""))
        link = str(entry.get("link") or "")
        if not title:
            continue
        items.append(
            TrendItem(
                external_id=str(entry.get("id") or link or title),
                title=title,
                url=link,
                kind="article",
                summary=_plain(entry.get("summary", ""))[:1000],
                published_at=_when(entry),
            )
        )
    return tuple(items)


class Feeds(Provider[FeedSettings]):
    """An RSS or Atom feed named by its URL."""

    name = "feed"
    settings_model = FeedSettings
    requests_per_minute = 30.0  # per kind; feeds of many sites share it

    def __init__(self, settings: FeedSettings | None = None) -> None:
        self.settings = settings or FeedSettings()

    @classmethod
    def from_settings(cls, settings: FeedSettings) -> Feeds:
        return cls(settings)

    def _check_address(self, url: str) -> None:
        check_url(url, allow_private=self.settings.allow_private_urls)

    def check(self, config: Mapping[str, str]) -> dict[str, str]:
        url = (config.get("url") or "").strip()
        if urlsplit(url).scheme not in ("http", "https"):
            raise InputError(f"a feed is an http(s) URL, not {url!r}")
        self._check_address(url)
        return {"url": url}

    def label(self, config: Mapping[str, str]) -> str:
        return urlsplit(config.get("url", "")).netloc or "feed"

    def fetch(self, query: SourceQuery) -> Fetched:
        url = query.config["url"]
        provider = self.label(query.config)
        answer = _http.get(
            url,
            provider=provider,
            settings=self.settings,
            etag=query.etag,
            last_modified=query.last_modified,
            headers={"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9"},
            check_url=self._check_address,
        )
        if answer.not_modified:
            return Fetched(None, answer.etag, answer.last_modified)
        return Fetched(parse(answer.body, provider), answer.etag, answer.last_modified)
