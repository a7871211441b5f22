"""The Analytics page in a real browser against a real ``vo serve`` (issue 17, part 5): the
empty state; a realistic YouTube Studio zip and TikTok Studio CSVs (tests/analytics_exports.py,
every figure planted) uploaded through the page; the totals and the chart's own numbers (read
from ECharts in the page) equal to the planted figures and to the API's; a bad file named by
row and column; axe-core in both themes; screenshots light and dark at 1366×900 and 390×844."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.analytics_exports import (
    TikTokVideo,
    YouTubeVideo,
    generic_csv,
    tiktok_content,
    tiktok_overview,
    youtube_studio_zip,
)
from tests.ui.a11y import axe_violations
from tests.ui.shots import shoot

TODAY = date.today()
FIRST_DAY = TODAY - timedelta(days=20)
OCEAN = YouTubeVideo(
    "vidOcean01", "Ocean secrets explained", TODAY - timedelta(days=25), 42,
    [100 + 10 * i for i in range(14)], watch_hours=3.5, average_view_duration=31, likes=50,
    comments=5, shares=3, subscribers=4,
)  # fmt: skip
OCTO = YouTubeVideo(
    "vidOcto002", "Why do octopuses have three hearts?", TODAY - timedelta(days=22), 38,
    [300 - 7 * i for i in range(14)], watch_hours=5.0, average_view_duration=27, likes=80,
    comments=9, shares=6, subscribers=7,
)  # fmt: skip
HEARTS = TikTokVideo(
    "7301000000000000001", "Hearts", TODAY - timedelta(days=10), 9_000, 700, 30, 12
)
TIDES = TikTokVideo("7301000000000000002", "Tides", TODAY - timedelta(days=8), 4_000, 300, 10, 5)
#: The chart's ECharts option, or null while the chart is being (re)drawn.
CHART_JS = (
    "(() => { const el = document.querySelector('.analytics-chart');"
    " const vue = el && getElement(el); return vue && vue.chart ? vue.chart.getOption() : null;"
    " })()"
)


def series_sums(page: Page) -> dict[str, float]:
    option: dict[str, Any] = page.wait_for_function(CHART_JS).json_value()
    return {s["name"]: sum(v for v in s["data"] if v is not None) for s in option["series"]}


def upload(page: Page, paths: list[Path]) -> None:
    """Through the page's own button, as a user picks files."""
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Import analytics exports: choose files").click()
    chooser.value.set_files(paths)


def choose(page: Page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_imports_fill_the_dashboard_and_the_charts_numbers_match(
    page: Page, ui_server: str, tmp_path: Path
) -> None:
    # a project the YouTube video's title links to
    made = httpx.post(ui_server + "/projects", json={"topic": OCEAN.title})
    assert made.status_code == 201, made.text
    project_id = made.json()["id"]

    # a saved report, listed once the board is drawn
    report = {"name": "Monthly by platform", "recipients": ["me@example.com"],
              "spec": {"dimension": "platform", "last_days": 28}}  # fmt: skip
    assert httpx.post(ui_server + "/analytics/reports", json=report).status_code == 201

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(ui_server + "/ui/analytics")
    expect(page.locator(".analytics-empty")).to_contain_text("vo analytics import FILE")

    files = {
        "Studio export.zip": youtube_studio_zip([OCEAN, OCTO], FIRST_DAY),
        "Content.csv": tiktok_content([HEARTS, TIDES]).encode(),
        "Overview.csv": tiktok_overview(
            [(TODAY - timedelta(days=i), 500, 20, 40, 2, 1) for i in range(3)]
        ).encode(),
    }
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    upload(page, paths)
    done = page.locator(".import-done")
    expect(done).to_have_count(3)
    expect(done.filter(has_text="Studio export.zip")).to_contain_text("2 videos")
    expect(page.locator(".analytics-chart")).to_be_visible()

    youtube_views = OCEAN.views + OCTO.views
    planted_views = youtube_views + HEARTS.views + TIDES.views
    expect(page.locator(".total-views")).to_have_text(f"{planted_views:,}")
    planted_likes = OCEAN.likes + OCTO.likes + HEARTS.likes + TIDES.likes
    expect(page.locator(".total-likes")).to_have_text(f"{planted_likes:,}")
    expect(page.locator(".total-subscribers")).to_have_text(
        f"{OCEAN.subscribers + OCTO.subscribers}"
    )

    # the period the page shows, and the API's figures for it (the same services)
    start = (TODAY - timedelta(days=20)).isoformat()
    end = TODAY.isoformat()
    totals = httpx.get(ui_server + "/analytics/totals", params={"start": start, "end": end})
    assert totals.json()["groups"][0]["values"]["views"] == planted_views
    assert totals.json()["groups"][0]["values"]["watch_hours"] == OCEAN.watch_hours + 5.0
    expect(page.locator(".total-watch-hours")).to_have_text("8.5 h")

    # the chart: day rows only (YouTube's Chart data; TikTok's Content CSV gives totals)
    assert series_sums(page) == {"All": youtube_views}
    choose(page, "Lines", "By video")
    expect(page.locator(".analytics-chart")).to_be_visible()
    page.wait_for_function(f"{CHART_JS}?.series.length === 2")
    by_video = series_sums(page)
    assert by_video == {OCEAN.title: OCEAN.views, OCTO.title: OCTO.views}
    api_series = httpx.get(
        ui_server + "/analytics/series", params={"start": start, "end": end, "split": "video"}
    ).json()["points"]
    for title, total in by_video.items():
        assert total == sum(p["values"]["views"] for p in api_series if p["key"]["title"] == title)
    days: list[str] = page.evaluate(f"{CHART_JS}.xAxis[0].data")
    assert days[0] == start and days[-1] == end and len(days) == 21

    choose(page, "Lines", "By platform")
    page.wait_for_function(f"{CHART_JS}?.series[0].name === 'YouTube'")
    assert series_sums(page) == {"YouTube": youtube_views}

    # breakdowns, top and bottom (the top TikTok video; the linked video links its project)
    platforms = page.locator(".breakdown-platform")
    expect(platforms.get_by_role("row").filter(has_text="TikTok")).to_contain_text(
        f"{HEARTS.views + TIDES.views:,}"
    )
    expect(platforms.get_by_role("row").filter(has_text="YouTube")).to_contain_text(
        f"{youtube_views:,}"
    )
    top = page.locator(".top-videos")
    expect(top.locator(".font-bold").nth(1)).to_have_text(f"{HEARTS.views:,}")
    expect(page.locator(".bottom-videos")).to_contain_text(OCEAN.title)
    link = page.get_by_role("link", name=OCEAN.title).first
    expect(link).to_have_attribute("href", re.compile(f"/projects/{project_id}$"))
    expect(page.locator(".what-worked")).to_contain_text("at least 10 videos")
    expect(page.locator(".posting-times")).to_contain_text("scheduler's default hours")

    expect(page.locator(".report-row")).to_contain_text("By platform, the last 28 days")

    # a bad file: the row and the column, nothing stored
    bad = tmp_path / "bad.csv"
    header = ["platform", "video_id", "date", "views"]
    bad.write_text(generic_csv([["youtube", "x1", start, "lots"]], header=header))
    upload(page, [bad])
    expect(page.locator(".import-error")).to_have_text(
        "Not imported: bad.csv, row 2, column 'views': not a number (the cell says 'lots')"
    )
    expect(page.locator(".total-views")).to_have_text(f"{planted_views:,}")

    shoot(page, "analytics-1366-light")
    found = axe_violations(page)
    assert not found, "analytics, light: " + found.summary
    page.get_by_role("button", name="Switch light or dark theme").click()
    expect(page.locator("body.body--dark")).to_have_count(1)
    shoot(page, "analytics-1366-dark")
    found = axe_violations(page)
    assert not found, "analytics, dark: " + found.summary
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function(
        "getElement(document.querySelector('.analytics-chart')).chart?.getWidth() < 390"
    )
    shoot(page, "analytics-390-dark")
    page.get_by_role("button", name="Switch light or dark theme").click()
    expect(page.locator("body.body--dark")).to_have_count(0)
    shoot(page, "analytics-390-light")

    assert page.errors == [], page.errors  # type: ignore[attr-defined]
