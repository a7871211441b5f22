"""Publishing in a real browser against a real ``vo serve`` with the platforms' sandbox
(``VO_PLATFORMS_SANDBOX=1``: YouTube and TikTok served on 127.0.0.1 by the faithful fakes).

One journey: connect a sandbox YouTube channel and a sandbox TikTok account on the Accounts
page (the consent page opens in a new tab and comes back to ``/accounts/callback``), schedule
a rendered video (made in the fixture: the fake voice, a few seconds) to both from the
calendar's Post dialog with TikTok's required screen filled in (the creator's nickname shown,
a privacy chosen with no default, the consent), drag the YouTube post to another day (the
posts service says it moved), then bring both posts' time to a few seconds from now (time
accelerated) and see both published in the calendar. Screenshots at 1366×900 and 390×844,
light and dark."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.ui.a11y import axe_violations
from tests.ui.conftest import WAIT_MS, free_port, launch, stop
from tests.ui.shots import shoot

FAKE_VOICE = "fake:fake-en"
FINAL = ("published", "failed", "needs_attention", "cancelled")
RENDER_SECONDS = 240


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory, ui_cache: Path) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("vo-publishing") / "data"
    server, base = launch(data_dir, ui_cache, free_port(), VO_PLATFORMS_SANDBOX="1")
    try:
        yield base
    finally:
        stop(server)


@pytest.fixture(scope="module")
def rendered(sandbox: str) -> str:
    """A finished render of a one-scene project with the fake voice: its job id."""
    return render_one(sandbox)


def render_one(sandbox: str) -> str:
    """Render a one-scene project with the fake voice on the server at ``sandbox``; the
    finished job's id."""
    script = {
        "topic": "tides",
        "title": "Why the tides turn",
        "hook": "The moon pulls the sea.",
        "scenes": [{"narration": "Twice a day the sea rises.", "keywords": ["sea"]}],
    }
    with httpx.Client(base_url=sandbox, timeout=30) as http:
        made = http.post(
            "/projects",
            json={
                "topic": "tides",
                "target_seconds": 5,
                "script": script,
                "voice": {"voice": FAKE_VOICE},
                "export": {"quality": "draft"},
            },
        )
        assert made.status_code == 201, made.text
        jobs = http.post(
            "/renders", json={"project_id": made.json()["id"], "platforms": ["youtube-shorts"]}
        )
        assert jobs.status_code == 202, jobs.text
        job_id = str(jobs.json()[0]["id"])
        deadline = time.monotonic() + RENDER_SECONDS
        while time.monotonic() < deadline:
            job = http.get(f"/renders/{job_id}").json()
            if job["status"] not in ("queued", "running"):
                break
            time.sleep(0.5)
        assert job["status"] == "succeeded", job
        return job_id


def both_themes(page: Page, name: str, *, check: bool = False) -> None:
    """Screenshots in the light and the dark theme; ``check``: axe-core (colour contrast
    included) in both."""
    shoot(page, f"{name}-light")
    if check:
        found = axe_violations(page)
        assert not found, f"{name} (light): {found.summary}"
    toggle = page.get_by_role("button", name="Switch light or dark theme")
    toggle.dispatch_event("click")  # straight to the button: an open dialog covers the header
    expect(page.locator("body.body--dark")).to_have_count(1)
    shoot(page, f"{name}-dark")
    if check:
        found = axe_violations(page)
        assert not found, f"{name} (dark): {found.summary}"
    toggle.dispatch_event("click")
    expect(page.locator("body.body--dark")).to_have_count(0)


def connect(page: Page, platform: str) -> None:
    page.locator(f".connect-{platform}").click()
    link = page.locator(".consent-link")
    with page.context.expect_page() as opened:
        link.click()
    consent = opened.value
    expect(consent.locator("h1")).to_contain_text("Connected")  # back at /accounts/callback
    consent.close()
    expect(page.locator(f".account-{platform}")).to_be_visible(timeout=WAIT_MS)


def test_connect_schedule_move_and_publish_on_two_sandbox_platforms(
    browser: Browser, sandbox: str, rendered: str
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(error.message))
    try:
        page.goto(f"{sandbox}/ui/accounts")
        expect(page.locator(".sandbox-note")).to_be_visible()
        connect(page, "youtube")
        connect(page, "tiktok")
        tiktok_card = page.locator(".account-tiktok")
        expect(tiktok_card.locator(".health-line").first).to_have_text("Token valid")
        expect(tiktok_card).to_contain_text("Creator: ")  # creator_info's nickname
        expect(page.locator(".account-youtube .health-line").first).to_have_text("Token valid")
        both_themes(page, "publishing-accounts-desktop", check=True)

        # schedule to both from the calendar: tomorrow at noon in the account's time zone
        page.goto(f"{sandbox}/ui/calendar")
        page.locator(".calendar-new-post").click()
        dialog = page.locator(".post-dialog")
        dialog.locator(".post-youtube").click()
        dialog.locator(".post-tiktok").click()
        expect(dialog.locator(".tiktok-creator")).to_contain_text("Posting to TikTok as ")
        expect(dialog.locator(".post-text-youtube input").first).not_to_have_value("")
        dialog.get_by_text("At a time").click()
        tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
        dialog.locator(".post-date input").fill(tomorrow.isoformat())
        dialog.locator(".post-time input").fill("12:00")
        # TikTok's screen is not filled in yet: the button waits, the bar says why
        expect(dialog.locator(".post-submit")).to_be_disabled()
        expect(dialog.locator(".post-missing")).to_contain_text("no default")
        # the interaction switches start off
        for name in ("comment", "duet", "stitch"):
            expect(dialog.locator(f".tiktok-{name}")).to_have_attribute("aria-checked", "false")
        dialog.locator(".tiktok-privacy").click()
        page.get_by_role("option", name="Everyone").click()
        dialog.locator(".tiktok-consent").click()
        both_themes(page, "publishing-post-dialog-desktop", check=True)
        dialog.locator(".post-submit").click()
        expect(dialog).to_have_count(0)

        posts = httpx.get(f"{sandbox}/posts", timeout=30).json()
        assert sorted(p["platform"] for p in posts) == ["tiktok", "youtube"], posts
        assert all(p["state"] == "scheduled" for p in posts), posts
        by_platform = {p["platform"]: p for p in posts}
        tiktok_options = by_platform["tiktok"]
        assert tiktok_options["title"], tiktok_options

        # drag the YouTube post to the day after: the posts service has it there
        chip = page.locator(".cal-post-youtube")
        expect(chip).to_have_count(1)
        day_after = tomorrow + timedelta(days=1)
        target = page.locator(f'.cal-cell[data-day="{day_after.isoformat()}"]')
        if target.count() == 0:  # tomorrow is the month's last day: the next month
            page.get_by_role("button", name="Later").click()
        chip.drag_to(page.locator(f'.cal-cell[data-day="{day_after.isoformat()}"]'))
        moved_id = by_platform["youtube"]["id"]

        def moved_day() -> str:
            return str(httpx.get(f"{sandbox}/posts/{moved_id}", timeout=30).json()["scheduled_at"])

        deadline = time.monotonic() + 20
        while not moved_day().startswith(day_after.isoformat()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert moved_day().startswith(day_after.isoformat()), moved_day()
        assert moved_day()[11:16] == "12:00"  # the time of day kept
        shoot(page, "publishing-calendar-scheduled")

        # time accelerated: both posts' time a few seconds from now
        soon = (datetime.now(UTC) + timedelta(seconds=3)).isoformat()
        for post in posts:
            answer = httpx.patch(f"{sandbox}/posts/{post['id']}", json={"at": soon}, timeout=30)
            assert answer.status_code == 200, answer.text
        page.get_by_role("button", name="Today").click()

        def states() -> list[dict[str, str]]:
            return [httpx.get(f"{sandbox}/posts/{p['id']}", timeout=30).json() for p in posts]

        deadline = time.monotonic() + 120  # the job queue publishes them at their time
        while time.monotonic() < deadline:
            if all(p["state"] in FINAL for p in states()):
                break
            time.sleep(0.5)
        for done in states():
            assert done["state"] == "published", (done["platform"], done["message"])
            assert done["url"], done
        expect(page.locator(".cal-published")).to_have_count(2)  # the calendar follows
        # a published post cannot move: dropped elsewhere, it stays, with a message
        tiktok_post = by_platform["tiktok"]["id"]
        before = httpx.get(f"{sandbox}/posts/{tiktok_post}", timeout=30).json()["scheduled_at"]
        page.locator(".cal-post-tiktok").drag_to(
            page.locator(f'.cal-cell[data-day="{tomorrow.isoformat()}"]')
        )
        expect(page.get_by_text("only a scheduled post or a draft can be moved")).to_be_visible()
        after = httpx.get(f"{sandbox}/posts/{tiktok_post}", timeout=30).json()["scheduled_at"]
        assert after == before
        page.locator(".cal-post-tiktok").click()
        expect(page.locator(".post-details .post-state")).to_have_text("Published")
        expect(page.locator(".post-details .post-events")).to_contain_text("published")
        both_themes(page, "publishing-calendar-details-desktop")
        page.keyboard.press("Escape")
        expect(page.locator(".post-details")).to_have_count(0)
        both_themes(page, "publishing-calendar-desktop", check=True)
        page.get_by_role("button", name="Week").click()
        expect(page.locator(".cal-hour .cal-published")).to_have_count(2)  # in their hour
        shoot(page, "publishing-calendar-week-desktop")
        page.get_by_role("button", name="Month").click()

        page.set_viewport_size({"width": 390, "height": 844})
        both_themes(page, "publishing-calendar-phone")
        page.goto(f"{sandbox}/ui/accounts")
        expect(page.locator(".account-tiktok")).to_be_visible()
        both_themes(page, "publishing-accounts-phone")
        # remove the YouTube account: confirmed, its access revoked at the platform
        page.locator(".account-youtube .remove-account").click()
        page.locator(".confirm-remove").click()
        expect(page.get_by_text("youtube access revoked")).to_be_visible()
        expect(page.locator(".account-youtube")).to_have_count(0)
        expect(page.locator(".accounts-count")).to_have_text("1 connected account")
        # the Post dialog from the project's Export tab (one Render button there: the bar's)
        project_id = httpx.get(f"{sandbox}/renders/{rendered}", timeout=30).json()["project_id"]
        page.goto(f"{sandbox}/ui/projects/{project_id}")
        page.get_by_role("tab", name="Export").click()
        expect(page.get_by_role("button", name="Render", exact=True)).to_have_count(1)
        page.locator(".post-button").click()
        page.locator(".post-dialog .post-tiktok").click()
        expect(page.locator(".post-dialog .tiktok-creator")).to_be_visible()
        both_themes(page, "publishing-post-dialog-phone")
        assert not errors, errors
    finally:
        context.close()
