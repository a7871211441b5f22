"""Google Trends "Trending now" as a trend source: the public RSS feed per region.

Documented shape (``https://trends.google.com/trending/rss?geo=XX``; the official API is an
alpha by application, and the unofficial pytrends is unmaintained): RSS 2.0 with the
``ht:`` namespace; about 20 ``item``\\ s, each a search with ``title``, ``pubDate``,
``ht:approx_traffic`` ("2,000+", "50K+"), ``ht:picture`` and one or more ``ht:news_item``
(``ht:news_item_title``, ``ht:news_item_url``, ``ht:news_item_source``,
``ht:news_item_snippet`` on some) — the articles that explain the search. The namespace URI
changed once (``…/trends/trendingsearches/daily`` → ``…/trending/rss``): elements are read by
their local name. A document type declaration is refused (no entity expansion).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import ClassVar
from xml.etree import ElementTree

from video_orchestrator.errors import InputError, ProviderError
from video_orchestrator.ports.provider import Provider
from video_orchestrator.ports.trends import Fetched, SourceQuery, TrendItem, TrendLink
from video_orchestrator.providers.trends import _http

DEFAULT_URL = "https://trends.google.com/trending/rss"
_GEO = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
_TRAFFIC = re.compile(r"^\s*([\d.,]+)\s*([KMB]?)\+?\s*$", re.I)
_SCALE = {"": 1, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000}


class GoogleTrendsSettings(_http.TrendSettings):
    required: ClassVar[str] = "nothing (a public feed)"

    trends_google_url: str = DEFAULT_URL


def approx_traffic(text: str) -> float | None:
    """``"2,000+"`` → 2000, ``"50K+"`` → 50000; None when it is not such a figure."""
    match = _TRAFFIC.match(text or "")
    if not match:
        return None
    try:
        number = float(match.group(1).replace(",", ""))
    except ValueError:
        return None
    return number * _SCALE[match.group(2).upper()]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(element: ElementTree.Element, name: str) -> str:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _date(text: str) -> datetime | None:
    try:
        return parsedate_to_datetime(text) if text else None
    except (TypeError, ValueError, IndexError):
        return None


def parse(body: bytes, provider: str = "Google Trends") -> tuple[TrendItem, ...]:
    """The items of a "Trending now" RSS document, in its order."""
    if b"<!DOCTYPE" in body[:2048].upper():
        raise ProviderError(f"{provider} sent a document type declaration; it is not read")
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as error:
        raise ProviderError(
            f"{provider} returned malformed XML ({error}); it is retried at the next poll"
        ) from error
    channel = next((c for c in root if _local(c.tag) == "channel"), None)
    if _local(root.tag) != "rss" or channel is None:
        raise ProviderError(f"{provider} returned XML that is not an RSS feed")
    items: list[TrendItem] = []
    for element in channel:
        if _local(element.tag) != "item":
            continue
        title = _child_text(element, "title")
        if not title:
            continue
        links = []
        for news in element:
            if _local(news.tag) != "news_item":
                continue
            url = _child_text(news, "news_item_url")
            if url:
                links.append(
                    TrendLink(
                        title=_child_text(news, "news_item_title"),
                        url=url,
                        publisher=_child_text(news, "news_item_source"),
                        summary=_child_text(news, "news_item_snippet"),
                    )
                )
        items.append(
            TrendItem(
                external_id=title.casefold(),
                title=title,
                url=links[0].url if links else _child_text(element, "link"),
                kind="search",
                summary=_child_text(element, "description"),
                metric=approx_traffic(_child_text(element, "approx_traffic")),
                published_at=_date(_child_text(element, "pubDate")),
                links=tuple(links),
            )
        )
    return tuple(items)


class GoogleTrends(Provider[GoogleTrendsSettings]):
    """What people search for, per country (``geo``), with the news that explains it."""

    name = "google-trends"
    settings_model = GoogleTrendsSettings
    requests_per_minute = 6.0  # unpublished; a feed that changes every few minutes

    def __init__(self, settings: GoogleTrendsSettings | None = None) -> None:
        self.settings = settings or GoogleTrendsSettings()

    @classmethod
    def from_settings(cls, settings: GoogleTrendsSettings) -> GoogleTrends:
        return cls(settings)

    def check(self, config: Mapping[str, str]) -> dict[str, str]:
        geo = (config.get("geo") or "US").strip().upper()
        if not _GEO.match(geo):
            raise InputError(f"{geo!r} is not a country code for Google Trends (e.g. US, RO)")
        return {"geo": geo}

    def label(self, config: Mapping[str, str]) -> str:
        return f"Google Trends {config.get('geo', 'US')}"

    def fetch(self, query: SourceQuery) -> Fetched:
        answer = _http.get(
            self.settings.trends_google_url,
            provider="Google Trends",
            settings=self.settings,
            params={"geo": query.config.get("geo", "US")},
            etag=query.etag,
            last_modified=query.last_modified,
            headers={"Accept": "application/rss+xml, application/xml;q=0.9"},
        )
        if answer.not_modified:
            return Fetched(None, answer.etag, answer.last_modified)
        return Fetched(parse(answer.body), answer.etag, answer.last_modified)
