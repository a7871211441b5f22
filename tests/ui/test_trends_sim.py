"""The Trends page's smaller behaviours through NiceGUI's simulated user (no browser): the
empty state says what to do; a bad feed address is refused with a message and no source;
a feed is added and removed; a keyword is watched, refused when it has no word, unwatched;
the bell counts unread alerts and "Mark all read" clears it. The sparkline's numbers on
planted data. Trend sources are a local server speaking their formats (tests/trend_servers.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from nicegui import run
from nicegui.testing import user_simulation

from tests.trend_servers import Entry, News, Search, TrendServer, World, adapters_for
from tests.ui.test_editor_sim import eventually, page_for
from video_orchestrator.config import Settings
from video_orchestrator.jobs.executor import ThreadExecutor
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.trend_jobs import poll_now
from video_orchestrator.services.worker import worker_runner
from video_orchestrator.services.workspace import Workspace
from video_orchestrator.ui import i18n, notifications, trends_page
from video_orchestrator.ui.trends_page import is_web_address, sparkline, strengths, updated_text


@pytest.fixture
def server() -> Iterator[TrendServer]:
    world = World(
        google={
            "US": [
                Search(
                    "Lunar eclipse",
                    "20K+",
                    [News("Eclipse lasts 58 minutes", "https://e.example/58", "Example News")],
                )
            ]
        },
        feeds={"news": ("atom", [Entry("n1", "Lunar eclipse tonight", "https://n.example/1")])},
    )
    with TrendServer(world) as running:
        yield running


@pytest.fixture
def ws(tmp_path: Path, server: TrendServer) -> Iterator[Workspace]:
    config = Settings(
        data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", default_voice="fake:fake-en"
    )
    ctx = AppContext(config, trend_sources=adapters_for(server.base_url))
    workspace = Workspace(ctx, executor=ThreadExecutor(config, ctx.db, worker_runner, workers=0))
    yield workspace
    ctx.db.dispose()


def test_the_sparkline_draws_the_stored_strengths() -> None:
    history = [["2026-12-04T09:00:00+00:00", 0.5], ["2026-12-04T09:30:00+00:00", 2.25]]
    values = strengths(history)
    assert values == [0.5, 2.25]
    svg = sparkline(values, width=100, height=20)
    assert 'data-values="0.5,2.25"' in svg
    points = re.search(r'points="([^"]*)"', svg)
    assert points is not None
    (x1, y1), (x2, y2) = (tuple(map(float, p.split(","))) for p in points.group(1).split())
    assert x1 < x2 and y2 < y1  # rising to the right (SVG y grows downwards)
    assert y2 == pytest.approx(3.0) and y1 == pytest.approx(3 + 14 * (1 - 0.5 / 2.25), abs=0.1)
    assert 'points=""' in sparkline([])
    assert is_web_address("https://n.example/1") and is_web_address("http://n.example/1")
    assert not is_web_address("javascript:alert(1)") and not is_web_address("data:text/html,x")
    flat = re.search(r'points="([^"]*)"', sparkline([1.0], width=100, height=20))
    assert flat is not None and len({p.split(",")[1] for p in flat.group(1).split()}) == 1


@pytest.mark.asyncio
async def test_empty_state_feeds_and_watchlist(ws: Workspace, server: TrendServer) -> None:
    async with user_simulation(root=page_for(ws)) as user:
        await user.open("/trends")
        await user.should_see("Add a source under Sources", retries=100)

        # a bad address: a message, no source
        feed = user.find(marker="feed-url")
        feed.type("ftp://example.com/feed")
        user.find(marker="feed-url-button").click()
        await user.should_see("a feed is an http(s) URL")
        assert ws.trends.list_sources() == []

        # a feed: added (once), shown, then removed
        feed.clear().type(f"{server.base_url}/feeds/news.xml")
        user.find(marker="feed-url-button").click()
        await eventually(lambda: len(ws.trends.list_sources()) == 1, "the feed is added")
        await user.should_see(f"{server.base_url}/feeds/news.xml")
        await user.should_see("No trends yet. Press Poll now")
        user.find(marker="poll-now").click()
        await user.should_see("Lunar eclipse tonight", retries=100)
        await user.open("/trends/" + "0" * 32)  # an alert's trend that is gone
        await user.should_see("no longer on this list", retries=100)
        await user.should_see("Lunar eclipse tonight")
        (source,) = ws.trends.list_sources()
        user.find(marker=f"remove-{source.id}").click()
        await eventually(lambda: ws.trends.list_sources() == [], "the feed is removed")
        await user.should_see("No sources yet.")

        # the watchlist: a word with nothing to watch is refused; one is added and removed
        word = user.find(marker="watch-word")
        word.type("the")
        user.find(marker="watch-word-button").click()
        await user.should_see("has no word to watch")
        assert ws.alerts.watches() == []
        word.clear().type("eclipse")
        user.find(marker="watch-word-button").click()
        await eventually(lambda: len(ws.alerts.watches()) == 1, "the keyword is watched")
        (watch,) = ws.alerts.watches()
        await user.should_see(marker=f"unwatch-{watch.id}")
        user.find(marker=f"unwatch-{watch.id}").click()
        await eventually(lambda: ws.alerts.watches() == [], "the keyword is unwatched")


@pytest.mark.asyncio
async def test_the_bell_counts_unread_alerts_and_marks_them_read(ws: Workspace) -> None:
    ws.trends.add_source("google-trends", {"geo": "US"})
    ws.alerts.watch("eclipse")
    async with user_simulation(root=page_for(ws)) as user:
        await user.open("/trends")
        await user.should_see("No trends yet. Press Poll now", retries=100)
        (bell,) = user.find(marker="alert-bell").elements
        (badge,) = [e for e in bell.descendants() if "alert-count" in e._markers]
        assert not badge.visible
        # a poll that raises an alert updates the bell at once (not at its next check)
        user.find(marker="poll-now").click()
        await eventually(lambda: ws.alerts.unread_count() == 1, "the alert is raised")
        await eventually(lambda: badge.visible and badge.text == "1", "the bell counts it", 5)  # type: ignore[attr-defined]
        assert notifications.CHECK_SECONDS > 5

        await user.open("/queue")  # on any page
        await user.should_see(marker="alert-bell", retries=100)
        (menu,) = user.find(marker="alert-menu").elements
        menu.open()  # type: ignore[attr-defined]  # as a click on the bell does
        await user.should_see("Lunar eclipse", retries=100)
        (badge,) = user.find(marker="alert-count").elements
        user.find(marker="mark-read").click()
        await eventually(lambda: ws.alerts.unread_count() == 0, "the alerts are read")
        await eventually(lambda: not badge.visible, "the badge hides")
        user.find(marker="alert-item").click()  # the alert opens its trend on the Trends page
        await user.should_see("Eclipse lasts 58 minutes", retries=100)  # its evidence, open
        await user.should_not_see("no longer on this list")


@pytest.mark.parametrize(
    ("code", "shown"),
    [("en", "Updated 09:05"), ("de", "Aktualisiert 09:05"), ("ja", "9:05 に更新")],
)
def test_updated_is_told_on_the_browsers_clock(
    monkeypatch: pytest.MonkeyPatch, code: str, shown: str
) -> None:
    monkeypatch.setattr(i18n, "current", lambda: code)
    at = datetime(2026, 12, 5, 0, 5, tzinfo=UTC)  # 09:05 in Tokyo, 01:05 in Paris
    assert updated_text(at, ZoneInfo("Asia/Tokyo")) == shown
    assert updated_text(at, ZoneInfo("Europe/Paris")) == shown.replace("9:", "1:")


@pytest.mark.asyncio
async def test_a_followed_update_and_the_sources_say_the_time_in_the_browsers_zone(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(trends_page, "FOLLOW_SECONDS", 0.2)
    tokyo = ZoneInfo("Asia/Tokyo")
    ws.trends.add_source("google-trends", {"geo": "US"})
    async with user_simulation(root=page_for(ws)) as user:
        user.javascript_rules[re.compile(r".*resolvedOptions\(\)\.timeZone")] = lambda _: (
            "Asia/Tokyo"
        )
        await user.open("/trends")
        await user.should_see("No trends yet. Press Poll now", retries=100)
        (label,) = user.find(marker="trends-updated").elements
        assert label.text == ""  # type: ignore[attr-defined]
        before = datetime.now(tokyo)
        await run.io_bound(poll_now, ws.ctx, ws.trends, ws.alerts, datetime.now(UTC), force=True)
        await user.should_see("Lunar eclipse", retries=100)  # the page followed the poll
        await eventually(lambda: bool(label.text), "the update is told")  # type: ignore[attr-defined]
        after = datetime.now(tokyo)
        # the browser's (Tokyo's) wall clock, not the server's UTC one
        assert label.text in {f"Updated {t:%H:%M}" for t in (before, after)}  # type: ignore[attr-defined]
        # and so is when each source was last read
        read = {f"OK, last read {t:%Y-%m-%d %H:%M}" for t in (before, after)}
        await eventually(
            lambda: any(
                getattr(e, "text", None) in read
                for e in user.client.layout.descendants()  # type: ignore[union-attr]
            ),
            "the source's last read in Tokyo's time",
        )
