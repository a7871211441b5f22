"""The Trends page and the header's bell in a real browser against a real ``vo serve`` whose
trend sources are a local server speaking each source's format (tests/trend_servers.py).

One journey: the empty state → a bad feed address is refused with a message → a feed is
added in the page, Google Trends (two regions) and Reddit through the API → "eclipse" is
watched → Poll now, the world changes (the eclipse rises across three sources), Poll now
again → the eclipse is the top trend, its sparkline draws the stored strengths and its
momentum is their last rise → region and source filters → the evidence's links open in a new
tab → a failing feed says why and is removed → the bell counts the one alert, lists it, marks
it read → "Make a video" lands in the editor with a script holding a fact of the headlines.
Photographed at 1366×900 and 390×844, light and dark; axe-core checks both themes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.trend_servers import Entry, Post, Search, TrendServer, World
from tests.trends.test_make_from_trend import NEWS
from tests.ui.conftest import trends_studio
from tests.ui.shots import shoot
from tests.ui.test_journey_browser import assert_accessible_both_themes

FACT = "58 minutes"  # in the first headline of NEWS


def first_world() -> World:
    return World(
        google={
            "US": [
                Search("Lunar eclipse", "2,000+", [NEWS[0]]),
                Search("Champions League final", "50K+"),
            ],
            "GB": [Search("Bonfire night fireworks", "20K+")],
        },
        reddit={("space", "hot"): [Post("p1", "Best telescope deals this week", 900)]},
        feeds={
            "news": ("rss", [Entry("n1", "Parliament passes the budget", "https://n.example/1")])
        },
    )


def rise(world: World) -> None:
    """The eclipse rises: more searches, a hot Reddit post, a feed entry."""
    world.google["US"][0] = Search("Lunar eclipse", "500K+", list(NEWS))
    world.reddit[("space", "hot")].insert(
        0, Post("p2", "Lunar eclipse tonight: the last total one until 2029", 25_000)
    )
    world.feeds["news"][1].insert(
        0, Entry("n2", "Lunar eclipse draws crowds to the coast", "https://n.example/2")
    )


@pytest.fixture(scope="module")
def sources() -> Iterator[TrendServer]:
    with TrendServer(first_world()) as server:
        yield server


@pytest.fixture(scope="module")
def base(
    sources: TrendServer, tmp_path_factory: pytest.TempPathFactory, ui_cache: Path
) -> Iterator[str]:
    data = tmp_path_factory.mktemp("vo-trends-ui") / "data"
    with trends_studio(sources.base_url, data, ui_cache) as url:
        yield url


def poll(page: Page, then: str | re.Pattern[str]) -> None:
    """Poll now, then wait until the summary says ``then`` (e.g. "4 sources polled")."""
    page.get_by_role("button", name="Poll now").click()
    expect(page.locator(".q-notification").filter(has_text=then).last).to_be_visible()


def choose(page: Page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_trends_page_and_bell(browser: Browser, base: str, sources: TrendServer) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(e.message))
    api = httpx.Client(base_url=base, timeout=30)
    try:
        page.goto(base + "/ui/trends")
        expect(page.get_by_text("Add a source under Sources")).to_be_visible()
        expect(page.get_by_role("button", name="Poll now")).to_be_disabled()  # nothing to poll
        shoot(page, "trends-empty")

        # a bad address: a message, no source
        page.get_by_label("RSS or Atom feed address").fill("not a feed address")
        page.get_by_role("button", name="Add feed").click()
        expect(
            page.locator(".q-notification").filter(has_text="a feed is an http(s) URL")
        ).to_be_visible()
        assert api.get("/trends/sources").json() == []

        page.get_by_label("RSS or Atom feed address").fill(f"{sources.base_url}/feeds/news.xml")
        page.get_by_role("button", name="Add feed").click()
        expect(page.locator(".trend-source")).to_have_count(1)
        expect(page.get_by_text("No trends yet. Press Poll now")).to_be_visible()
        for kind, config in (
            ("google-trends", {"geo": "US"}),
            ("google-trends", {"geo": "GB"}),
            ("reddit", {"subreddit": "space", "listing": "hot"}),
        ):
            assert api.post("/trends/sources", json={"kind": kind, "config": config}).is_success
        page.get_by_label("Keyword or niche").fill("eclipse")
        page.get_by_role("button", name="Watch").click()
        expect(page.locator(".watch-item")).to_have_count(1)

        # the server's schedule may poll the new sources first (they are due at once) and
        # raise the alert itself; either way it is raised once (the bell says 1 below)
        poll(page, re.compile(r"4 sources polled, 0 failed; 5 trends, (1 new alert|0 new alerts)"))
        expect(page.locator(".trend-source")).to_have_count(4)  # the API's sources, shown
        rise(sources.world)
        poll(page, "4 sources polled, 0 failed; 5 trends, 0 new alerts")

        # the top trend, its sparkline and momentum are the stored ones
        stored = api.get("/trends").json()
        top = stored[0]
        assert "eclipse" in top["title"].lower() and top["breadth"] == 3
        card = page.locator(".trend-card").first
        expect(card.locator(".trend-title")).to_have_text(top["title"])
        values = [float(v) for v in card.locator("svg.trend-sparkline").get_attribute(
            "data-values"
        ).split(",")]  # fmt: skip
        assert values == pytest.approx([p[1] for p in top["history"]], abs=1e-3)
        assert len(values) == 2 and values[1] > values[0]
        assert top["momentum"] == pytest.approx(values[1] - values[0], abs=1e-3)
        expect(card.locator(".trend-momentum")).to_have_text(f"momentum {top['momentum']:+.2f}")
        points = card.locator("svg.trend-sparkline polyline").get_attribute("points") or ""
        ys = [float(p.split(",")[1]) for p in points.split()]
        assert len(ys) == 2 and ys[1] < ys[0]  # drawn rising (SVG y grows downwards)

        # filters: a region hides another region's trend; a source keeps its own trends
        expect(page.get_by_text("Bonfire night fireworks")).to_be_visible()
        choose(page, "Region", "US")
        expect(page.get_by_text("Bonfire night fireworks")).to_have_count(0)
        expect(page.locator(".trend-card").first.locator(".trend-title")).to_have_text(top["title"])
        choose(page, "Region", "Every region")
        choose(page, "Source", "Reddit")
        expect(page.get_by_text("Champions League final")).to_have_count(0)
        expect(page.locator(".trend-card")).to_have_count(2)  # the eclipse and the telescopes
        choose(page, "Source", "Every source")
        expect(page.get_by_text("Champions League final")).to_be_visible()

        # the evidence: headlines with their links, opened in a new tab
        card = page.locator(".trend-card").first
        card.get_by_text("Evidence").click()
        link = card.get_by_role("link", name=NEWS[0].title)
        expect(link).to_have_attribute("href", NEWS[0].url)
        expect(link).to_have_attribute("target", "_blank")
        expect(link).to_have_attribute("rel", re.compile("noopener"))
        expect(card.get_by_text(NEWS[1].snippet)).to_be_visible()

        # a failing source says why; it can be removed
        page.get_by_label("RSS or Atom feed address").fill(f"{sources.base_url}/feeds/missing.xml")
        page.get_by_role("button", name="Add feed").click()
        expect(page.locator(".trend-source")).to_have_count(5)
        poll(page, "5 sources polled, 1 failed")
        failing = page.locator(".source-failing")
        expect(failing).to_have_count(1)
        expect(failing.locator(".source-error")).to_contain_text("404")
        page.mouse.move(1, 400)  # no tooltip in the picture
        shoot(page, "trends")
        assert_accessible_both_themes(page, "the Trends page")
        page.get_by_role("button", name="Switch light or dark theme").click()
        expect(page.locator("body.body--dark")).to_have_count(1)
        page.mouse.move(1, 400)
        shoot(page, "trends-dark")
        page.get_by_role("button", name="Switch light or dark theme").click()
        expect(page.locator("body.body--dark")).to_have_count(0)
        page.mouse.move(1, 400)
        failing.get_by_role("button", name=re.compile("^Remove")).click()
        expect(page.locator(".trend-source")).to_have_count(4)

        # the bell: one alert (raised once, not at every poll), listed, marked read
        expect(page.locator(".alert-count")).to_have_text("1")
        page.locator(".alert-bell").click()
        item = page.locator(".alert-item")
        expect(item).to_have_count(1)
        expect(item).to_contain_text("eclipse")
        assert item.get_attribute("data-trend-id") == top["id"]
        shoot(page, "trends-bell")
        page.get_by_role("button", name="Mark all read").click()
        expect(page.locator(".alert-count")).to_be_hidden()
        page.keyboard.press("Escape")
        assert api.get("/alerts", params={"unread": "true"}).json()["unread"] == 0

        # on a phone, light and dark: nothing wider than the screen
        phone = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
        small = phone.new_page()
        small.goto(base + f"/ui/trends/{top['id']}")
        expect(small.locator(".trend-evidence").first).to_be_visible()  # the linked trend opens
        expect(small.get_by_text("no longer on this list")).to_have_count(0)
        wide = small.evaluate("document.documentElement.scrollWidth")
        assert wide <= 390, f"the Trends page is {wide} px wide on a 390 px phone"
        shoot(small, "phone-trends")
        small.get_by_role("button", name="Switch light or dark theme").click()
        expect(small.locator("body.body--dark")).to_have_count(1)
        small.reload()  # the theme is kept; the theme button's tooltip (a tap shows it) is gone
        expect(small.locator("body.body--dark")).to_have_count(1)
        expect(small.locator(".trend-evidence").first).to_be_visible()
        shoot(small, "phone-trends-dark")
        phone.close()

        # make a video: the editor opens with a script made of the evidence
        page.locator(".trend-card").first.get_by_role("button", name="Make a video").click()
        expect(page).to_have_url(re.compile(r"/ui/projects/[0-9a-f]+$"))
        project_id = page.url.rsplit("/", 1)[1]
        expect(page.locator(".scene-card").first).to_be_visible()
        script = api.get(f"/projects/{project_id}").json()["script"]
        spoken = " ".join(s["narration"] for s in script["scenes"])
        assert FACT in spoken + " " + script.get("hook", "")
        assert NEWS[0].url in script["description"]
        assert not errors, errors
    finally:
        api.close()
        context.close()
