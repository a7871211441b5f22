"""An open Trends page follows the server's polls, in a real browser against a real
``vo serve`` whose trend sources are a local server speaking each source's format.

The page is open on a phone, filtered to one region and scrolled down; the world changes
(a watched topic rises in that region, another appears in a region the filter hides) and a
poll runs on the server, as the schedule's would (``POST /trends/poll``, not the page's
button). Without a reload the new trend appears, marked new; the other region's stays
hidden; the filter, the scroll position and the opened evidence stay; the bell counts the
alert."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.trend_servers import Post, Search, TrendServer, World
from tests.ui.conftest import WAIT_MS, trends_studio
from tests.ui.shots import shoot

PHONE = {"width": 390, "height": 844}


def world() -> World:
    return World(
        google={
            "US": [
                Search("Champions League final", "50K+"),
                Search("Thanksgiving recipes", "20K+"),
                Search("Stock market today", "10K+"),
            ],
            "GB": [Search("Bonfire night fireworks", "20K+")],
        },
        reddit={("space", "hot"): [Post("p1", "Best telescope deals this week", 900)]},
    )


@pytest.fixture(scope="module")
def sources() -> Iterator[TrendServer]:
    with TrendServer(world()) as server:
        yield server


@pytest.fixture(scope="module")
def base(
    sources: TrendServer, tmp_path_factory: pytest.TempPathFactory, ui_cache: Path
) -> Iterator[str]:
    data = tmp_path_factory.mktemp("vo-trends-follow") / "data"
    with trends_studio(sources.base_url, data, ui_cache) as url:
        yield url


def test_an_open_trends_page_follows_a_poll_keeping_filters_and_scroll(
    browser: Browser, base: str, sources: TrendServer
) -> None:
    api = httpx.Client(base_url=base, timeout=30)
    context = browser.new_context(viewport=PHONE, has_touch=True)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(e.message))
    try:
        for kind, config in (
            ("google-trends", {"geo": "US"}),
            ("google-trends", {"geo": "GB"}),
            ("reddit", {"subreddit": "space", "listing": "hot"}),
        ):
            assert api.post("/trends/sources", json={"kind": kind, "config": config}).is_success
        assert api.post("/watchlists", json={"keyword": "eclipse"}).is_success
        assert api.post("/trends/poll", params={"all": "true"}).is_success
        assert len(api.get("/trends").json()) == 5

        page.goto(base + "/ui/trends")
        expect(page.locator(".trend-card")).to_have_count(5)
        page.get_by_role("combobox", name="Region").click()
        page.get_by_role("option", name="US", exact=True).click()
        expect(page.get_by_text("Bonfire night fireworks")).to_have_count(0)
        expect(page.locator(".trend-card")).to_have_count(4)  # US's three and Reddit's one
        card = page.locator(".trend-card").filter(has_text="Best telescope deals")
        card.get_by_text("Evidence").click()
        expect(card.locator(".trend-evidence")).to_have_count(1)
        expect(page.locator(".alert-count")).to_be_hidden()
        # scrolled down to the telescopes: the card the user is reading, 200 px from the top
        page.evaluate("window.scrollTo(0, 0)")
        top = card.bounding_box()
        assert top is not None
        page.evaluate(f"window.scrollTo(0, {top['y'] - 200})")
        scrolled = page.evaluate("window.scrollY")
        assert scrolled > 0
        reading = card.bounding_box()
        assert reading is not None and abs(reading["y"] - 200) <= 1, reading

        # the world changes and the server polls (as its schedule does): no reload here
        sources.world.google["US"].insert(0, Search("Lunar eclipse", "500K+"))
        sources.world.google["GB"].insert(0, Search("Premier League table", "100K+"))
        sources.world.reddit[("space", "hot")].insert(
            0, Post("p2", "Lunar eclipse tonight: the last total one until 2029", 25_000)
        )
        report = api.post("/trends/poll", params={"all": "true"}).json()
        assert len(report["alerts"]) == 1, report

        eclipse = page.locator(".trend-card").filter(has_text="Lunar eclipse")
        expect(eclipse).to_have_count(1)  # within WAIT_MS: the page follows on its own
        expect(eclipse.locator(".trend-new")).to_have_text("new")
        expect(page.locator(".trends-updated")).to_contain_text("Updated ")
        expect(page.get_by_text("Premier League table")).to_have_count(0)  # filtered out
        expect(page.get_by_text("Bonfire night fireworks")).to_have_count(0)
        expect(page.get_by_role("combobox", name="Region")).to_have_value("US")
        expect(page.locator(".trend-card").first.locator(".trend-title")).to_contain_text(
            "Lunar eclipse"
        )
        # the place is kept: the card being read has not moved on the screen (the new trend
        # came above it, so the page scrolled by as much), nor jumped back to the top
        after = card.bounding_box()
        assert after is not None and abs(after["y"] - reading["y"]) <= 1, (reading, after)
        assert page.evaluate("window.scrollY") > scrolled
        expect(card.locator(".trend-evidence")).to_have_count(1)  # still open
        expect(page.locator(".alert-count")).to_have_text("1")  # the bell counted again
        assert page.url.endswith("/ui/trends")  # the same page, never reloaded
        shoot(page, "phone-trends-followed")
        assert not errors, errors
    finally:
        api.close()
        context.close()
