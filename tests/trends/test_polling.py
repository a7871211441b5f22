"""Polling every source against the local server: a failing source is marked and retried
with backoff, never stops the others; conditional requests; the request budget; two polls
where one subject rises across three sources make ONE trend with the right momentum."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.httpserver import Reply
from tests.trend_servers import (
    Entry,
    News,
    Post,
    Search,
    Story,
    TrendServer,
    Video,
    World,
    adapters_for,
)
from video_orchestrator.services.trends import TrendService
from video_orchestrator.store import Database
from video_orchestrator.store.tables import TrendPoll

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[TrendServer]:
    with TrendServer(World()) as running:
        yield running


def add_every_source(service: TrendService, base: str) -> dict[str, str]:
    ids = {}
    for kind, config in (
        ("google-trends", {"geo": "US"}),
        ("youtube", {"region": "US"}),
        ("reddit", {"subreddit": "space", "listing": "hot"}),
        ("feed", {"url": f"{base}/feeds/news.xml"}),
        ("hackernews", {"count": "5"}),
        ("wikipedia", {"project": "en.wikipedia"}),
    ):
        source, created = service.add_source(kind, config)
        assert created
        ids[kind] = source.id
    return ids


def fill(world: World) -> None:
    world.google["US"] = [Search("Champions League final", "50K+")]
    world.youtube["US"] = [Video("v1", "Cooking pasta at home", 5000)]
    world.reddit[("space", "hot")] = [Post("p1", "Best telescope deals", 900)]
    world.feeds["news"] = ("rss", [Entry("n1", "Parliament passes budget", "https://n.example/1")])
    world.hackernews[:] = [Story(1, "Rust 2.0 released", "https://rust.example", 300)]
    world.wikipedia["en.wikipedia"] = [("Champions_League", 50_000)]


def test_failing_sources_are_marked_and_the_others_still_update(
    trend_db: Database, server: TrendServer
) -> None:
    fill(server.world)
    adapters = adapters_for(server.base_url, timeout=0.5)
    service = TrendService(trend_db, adapters, poll_seconds=1800)
    ids = add_every_source(service, server.base_url)
    # adding the same feed again gives the same source, not a second one
    again, created = service.add_source("feed", {"url": f"{server.base_url}/feeds/news.xml"})
    assert not created and again.id == ids["feed"]

    server.fail("/trending", Reply(500, "<html>oops</html>"))
    server.fail("/youtube", Reply(429, {"error": {"message": "slow"}}, {"Retry-After": "300"}))
    server.fail("/r/", Reply(200, b'{"kind": "Listing", "data": {"children": [{'))
    server.fail("/api/", Reply(200, {"items": []}, delay=2.0))  # slower than the timeout

    report = service.poll_all(T0)
    status = {o.label: o.status for o in report.outcomes}
    assert sorted(status.values()) == ["failed", "failed", "failed", "failed", "ok", "ok"]
    sources = {s.id: s for s in service.list_sources()}
    assert sources[ids["feed"]].last_error is None and sources[ids["feed"]].failures == 0
    google = sources[ids["google-trends"]]
    assert google.failures == 1 and "HTTP 500" in (google.last_error or "")
    assert google.next_poll_at == T0 + timedelta(seconds=60)
    youtube = sources[ids["youtube"]]
    assert youtube.next_poll_at == T0 + timedelta(seconds=300)  # its Retry-After
    assert "malformed" in (sources[ids["reddit"]].last_error or "")
    assert "did not answer" in (sources[ids["wikipedia"]].last_error or "")
    titles = {t.title for t in service.list_trends()}
    assert titles == {"Parliament passes budget", "Rust 2.0 released"}

    # a minute later the failed ones (but not YouTube, told to wait 5 min) are tried again
    report = service.poll_all(T0 + timedelta(seconds=61))
    polled = {o.source_id: o.status for o in report.outcomes}
    assert polled == {ids["google-trends"]: "ok", ids["reddit"]: "ok", ids["wikipedia"]: "ok"}
    assert "Best telescope deals" in {t.title for t in service.list_trends()}
    # Google Trends and Wikipedia are one subject here: one trend, two sources
    champions = [t for t in service.list_trends() if "Champions" in t.title]
    assert len(champions) == 1 and champions[0].breadth == 2

    # half an hour on: every source is due; unchanged lists are answered 304
    report = service.poll_all(T0 + timedelta(minutes=40))
    statuses = {o.source_id: o.status for o in report.outcomes}
    assert statuses[ids["feed"]] == "not_modified"
    assert statuses[ids["google-trends"]] == "not_modified"
    assert statuses[ids["youtube"]] == "ok"
    assert statuses[ids["hackernews"]] == "ok"  # Firebase sends no validators
    assert all(s.failures == 0 for s in service.list_sources())


def test_the_reddit_budget_defers_sources_beyond_ten_requests_a_minute(
    trend_db: Database, server: TrendServer
) -> None:
    adapters = adapters_for(server.base_url)
    service = TrendService(trend_db, adapters)
    for number in range(12):
        name = f"sub{number:02d}"
        server.world.reddit[(name, "hot")] = [Post(f"p{number}", f"Post number {number}", 10)]
        service.add_source("reddit", {"subreddit": name})
    report = service.poll_all(T0)
    assert sorted(o.status for o in report.outcomes).count("ok") == 10
    assert sum(1 for o in report.outcomes if o.status == "deferred") == 2
    assert server.count("/r/") == 10  # the server's own limit was never hit
    server.clock = lambda: 1e9  # a minute later on the server's clock too
    later = service.poll_all(T0 + timedelta(seconds=61))
    assert [o.status for o in later.outcomes] == ["ok", "ok"]


def test_two_polls_one_subject_rising_across_three_sources_is_one_trend(
    trend_db: Database, server: TrendServer
) -> None:
    world = server.world
    eclipse_news = [
        News(
            "Total lunar eclipse lasts 82 minutes tonight",
            "https://news.example/eclipse",
            "Example News",
        )
    ]
    world.google["US"] = [
        Search("Champions League final", "50K+"),
        Search("lunar eclipse", "200+", eclipse_news),
    ]
    world.reddit[("space", "hot")] = [Post("p1", "Best telescope deals", 900)]
    world.hackernews[:] = [Story(1, "Rust 2.0 released", "https://rust.example", 300)]
    service = TrendService(trend_db, adapters_for(server.base_url))
    service.add_source("google-trends", {"geo": "US"})
    service.add_source("reddit", {"subreddit": "space"})
    service.add_source("hackernews", {"count": "5"})
    service.poll_all(T0)
    (first,) = [t for t in service.list_trends() if "eclipse" in t.title.lower()]
    before = math.log1p(200) / math.log1p(50_000)
    assert first.strength == pytest.approx(before, abs=1e-6)

    world.google["US"] = [
        Search("Lunar eclipse", "100K+", eclipse_news),
        Search("Champions League final", "50K+"),
    ]
    world.reddit[("space", "hot")] = [
        Post("p2", "Tonight's lunar eclipse is the longest this century", 5000),
        Post("p1", "Best telescope deals", 900),
    ]
    world.hackernews[:] = [
        Story(2, "The physics of a lunar eclipse", "https://physics.example/eclipse", 400),
        Story(1, "Rust 2.0 released", "https://rust.example", 300),
    ]
    service.poll_all(T0 + timedelta(minutes=31))
    eclipses = [t for t in service.list_trends() if "eclipse" in t.title.lower()]
    assert len(eclipses) == 1, [t.title for t in eclipses]
    trend = eclipses[0]
    assert trend.id == first.id  # the same trend, continued
    assert trend.breadth == 3 and trend.region == "US"
    assert trend.strength == pytest.approx(3.0)
    assert trend.momentum == pytest.approx(3.0 - before, abs=1e-6)
    assert [point[1] for point in trend.history] == pytest.approx([before, 3.0], abs=1e-6)
    assert service.list_trends()[0].id == trend.id  # the rising subject ranks first
    detail = service.get(trend.id)
    urls = {e.url for e in detail.evidence}
    assert {
        "https://news.example/eclipse",
        "https://physics.example/eclipse",
        "https://www.reddit.com/r/space/comments/p2/slug/",  # the post's page on Reddit
    } <= urls
    headline = next(e for e in detail.evidence if e.url == "https://news.example/eclipse")
    assert headline.kind == "headline" and headline.publisher == "Example News"
    with trend_db.session() as session:  # each poll stored once per source
        assert len(session.scalars(select(TrendPoll)).all()) == 6


def test_two_servers_polling_at_once_ask_each_source_once(
    trend_db: Database, server: TrendServer
) -> None:
    import threading

    fill(server.world)
    first = TrendService(trend_db, adapters_for(server.base_url))
    second = TrendService(trend_db, adapters_for(server.base_url))
    first.add_source("feed", {"url": f"{server.base_url}/feeds/news.xml"})
    server.fail("/feeds/", Reply(200, b"", delay=0.5))  # slow: both servers start meanwhile
    threads = [threading.Thread(target=s.poll_all, args=(T0,)) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert server.count("/feeds/") == 1


def test_old_lists_are_pruned_but_each_sources_latest_list_and_the_trends_stay(
    trend_db: Database, server: TrendServer
) -> None:
    from video_orchestrator.store.tables import TrendItemRow

    service = TrendService(trend_db, adapters_for(server.base_url))
    service.add_source("hackernews", {"count": "5"})
    feed, _ = service.add_source("feed", {"url": f"{server.base_url}/feeds/news.xml"})
    server.world.feeds["news"] = ("rss", [Entry("n1", "Parliament passes budget", "https://n/1")])
    server.world.hackernews[:] = [Story(1, "Rust 2.0 released", "https://rust.example", 300)]
    service.poll_all(T0)
    (rust,) = [t for t in service.list_trends() if t.title == "Rust 2.0 released"]
    server.world.hackernews[:] = [Story(2, "Zig 1.0 released", "https://zig.example", 300)]
    service.poll_all(T0 + timedelta(days=3), force=True)  # the feed answers 304
    with trend_db.session() as session:
        titles = sorted(session.scalars(select(TrendItemRow.title)))
    # Hacker News's first list is gone; the feed's only list (3 days old) is still its latest
    assert titles == ["Parliament passes budget", "Zig 1.0 released"]
    # the feed's list is confirmed by its 304: still current; Rust is no longer listed
    assert {t.title for t in service.list_trends()} == {
        "Parliament passes budget",
        "Zig 1.0 released",
    }
    kept = service.get(rust.id)  # the trend and its evidence are not pruned
    assert kept.breadth == 0 and kept.evidence[0].url == "https://rust.example"
    service.poll_all(T0 + timedelta(days=20), force=True)
    with trend_db.session() as session:
        polls = session.scalars(select(TrendPoll)).all()
        at_t0 = [p for p in polls if p.started_at == T0]
        # of the first day only the feed's list is left: still its latest (304s since)
        assert [(p.source_id, p.status) for p in at_t0] == [(feed.id, "ok")]
        assert all(p.started_at >= T0 + timedelta(days=3) for p in polls if p not in at_t0)


def test_the_revision_changes_when_a_reader_would_see_a_change_and_only_then(
    trend_db: Database, server: TrendServer
) -> None:
    """What an open Trends page compares every few seconds to know it should read again."""
    fill(server.world)
    service = TrendService(trend_db, adapters_for(server.base_url))
    empty = service.revision()
    assert service.revision() == empty  # reading it changes nothing
    source, _ = service.add_source("google-trends", {"geo": "US"})
    added = service.revision()
    assert added != empty
    service.poll_all(T0)
    polled = service.revision()
    assert polled != added
    service.list_trends()
    service.get(service.list_trends()[0].id)
    assert service.revision() == polled  # reading trends changes nothing
    service.poll_all(T0 + timedelta(minutes=31))  # the same list again: still a new poll
    again = service.revision()
    assert again != polled
    service.poll_all(T0 + timedelta(minutes=32))  # nothing due: nothing polled or merged
    assert service.revision() == again
    service.remove_source(source.id)
    assert service.revision() != again
