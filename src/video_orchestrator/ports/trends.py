"""Trend source port: what is rising now, as one source reports it (ADR 0030).

Adapters (``providers/trends/``: Google Trends "Trending now" RSS, YouTube most popular,
Reddit listings, any RSS/Atom feed, Hacker News, Wikipedia top pageviews) register under the
entry-point group ``ports.TREND_ENTRY_POINTS`` and subclass ``ports.provider.Provider`` like
every other adapter (ADR 0012). One *source* is an adapter plus its configuration (a region,
a subreddit, a feed's URL …); the poller (``services/trends.py``) keeps each source's state
(its validators for conditional requests, its health) and hands the adapter a
:class:`SourceQuery`; the adapter makes the requests over the one transport and answers a
:class:`Fetched`: the items in the order the source ranks them, or ``None`` when the source
said nothing changed (HTTP 304).

Errors are those of :mod:`video_orchestrator.errors`: ``ProviderRateLimited`` (with the
advised wait), ``ProviderUnavailable`` (unreachable, too slow, 5xx), ``ProviderAuthError``
(a refused key), ``ProviderError`` (a malformed answer), ``InputError`` (a configuration
the source cannot use, from :meth:`TrendSource.check`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

from video_orchestrator.ports.provider import ProviderKind

#: What an item is, for the evidence a trend shows.
ItemKind = Literal["search", "video", "post", "article", "story", "page"]


@dataclass(frozen=True, slots=True)
class TrendLink:
    """A link that explains an item: a news article of a Google trend, the item's own page."""

    title: str
    url: str
    publisher: str = ""
    published_at: datetime | None = None
    summary: str = ""


@dataclass(frozen=True, slots=True)
class TrendItem:
    """One item of a source's list. ``metric`` is the source's own measure when it has one
    (approximate searches, views, upvotes, pageviews, points); ``links`` are the articles
    that explain it (Google's news items)."""

    external_id: str
    title: str
    url: str
    kind: ItemKind
    summary: str = ""
    metric: float | None = None
    published_at: datetime | None = None
    links: tuple[TrendLink, ...] = ()


@dataclass(frozen=True, slots=True)
class SourceQuery:
    """One poll of one source: its configuration (checked by :meth:`TrendSource.check`),
    its region and language (None: everywhere / any), the validators of its last answer for
    a conditional request, and the time of the poll (sources that ask for a date)."""

    config: Mapping[str, str]
    now: datetime
    region: str | None = None
    language: str | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class Fetched:
    """A source's answer: ``items`` in its own order, or None when it has not changed since
    the validators sent (304); the validators to send next time; how many requests it took."""

    items: tuple[TrendItem, ...] | None
    etag: str | None = None
    last_modified: str | None = None
    requests: int = 1
    notes: tuple[str, ...] = field(default_factory=tuple)


@runtime_checkable
class TrendSource(Protocol):
    """A kind of trend source.

    ``requests_per_minute`` is the pace the service allows this client (Reddit's
    unauthenticated 10 a minute); the poller spends it across every source of this kind and
    defers the rest. ``check`` normalises a source's configuration (or raises
    ``InputError`` saying what is wrong); ``label`` names a configured source for people;
    ``fetch`` polls it once.
    """

    name: str
    kind: ProviderKind
    configured: bool
    requests_per_minute: float

    def check(self, config: Mapping[str, str]) -> dict[str, str]: ...

    def label(self, config: Mapping[str, str]) -> str: ...

    def fetch(self, query: SourceQuery) -> Fetched: ...
