"""Publishing on a phone and from the keyboard, in a real browser against a real ``vo serve``
with the platforms' sandbox (``VO_PLATFORMS_SANDBOX=1``).

- The Post dialog at 390×844: the Post button and TikTok's consent sit in an action bar that
  is on screen without scrolling, and the button stays disabled until every required choice
  is made (a privacy chosen with no default, the consent, a date and time for "At a time").
- The calendar's week view: an hour label beside every row and a "now" line on today; a
  focused scheduled post moves with the arrow keys (one day, one hour), Enter confirms and
  the database has it exactly that much later, Escape leaves it where it was, and a post
  that has started uploading is refused with a message and does not move."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.ui.conftest import WAIT_MS, free_port, launch, stop
from tests.ui.shots import shoot
from tests.ui.test_publishing_browser import both_themes, render_one

PHONE = {"width": 390, "height": 844}
ZONE = "Europe/Bucharest"  # the browser's zone: the calendar shows and moves posts in it


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, ui_cache: Path) -> Iterator[tuple[str, Path]]:
    """A sandbox ``vo serve``: its base URL and its data directory."""
    data_dir = tmp_path_factory.mktemp("vo-publishing-phone") / "data"
    process, base = launch(data_dir, ui_cache, free_port(), VO_PLATFORMS_SANDBOX="1")
    try:
        yield base, data_dir
    finally:
        stop(process)


@pytest.fixture(scope="module")
def base(server: tuple[str, Path]) -> str:
    return server[0]


@pytest.fixture(scope="module")
def accounts(base: str) -> dict[str, str]:
    """A sandbox YouTube channel and TikTok account connected through the API (the consent
    page answers at once and sends the browser back to ``/accounts/callback``): platform → id."""
    with httpx.Client(base_url=base, timeout=30) as http:
        for platform in ("youtube", "tiktok"):
            start = http.post("/accounts/connect", json={"platform": platform})
            assert start.status_code == 200, start.text
            back = httpx.get(start.json()["authorization_url"], follow_redirects=True, timeout=30)
            assert back.status_code == 200 and "Connected" in back.text, back.text
        return {a["platform"]: a["id"] for a in http.get("/accounts").json()}


@pytest.fixture(scope="module")
def rendered(base: str) -> str:
    return render_one(base)


def in_view(locator: Locator, page: Page) -> None:
    """``locator`` is drawn inside the viewport as it is now (nothing scrolled to it)."""
    expect(locator).to_be_in_viewport()
    box = locator.bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"], box


def test_the_post_dialog_on_a_phone_keeps_post_in_reach_and_disabled_until_ready(
    browser: Browser, base: str, accounts: dict[str, str], rendered: str
) -> None:
    context = browser.new_context(viewport=PHONE, has_touch=True, timezone_id=ZONE)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(error.message))
    try:
        page.goto(f"{base}/ui/calendar")
        page.locator(".calendar-new-post").click()
        dialog = page.locator(".post-dialog")
        submit = dialog.locator(".post-submit")
        # nothing chosen: the button is on screen, disabled, and the bar says what is missing
        in_view(submit, page)
        expect(submit).to_be_disabled()
        expect(dialog.locator(".post-missing")).to_contain_text("Choose at least one account")
        dialog.locator(".post-youtube").click()
        dialog.locator(".post-tiktok").click()
        expect(dialog.locator(".tiktok-creator")).to_contain_text("Posting to TikTok as ")
        # TikTok's screen is long; the bar stays where it is, the consent in it
        consent = dialog.locator(".tiktok-consent")
        in_view(submit, page)
        in_view(consent, page)
        expect(consent).to_contain_text("Music Usage Confirmation")
        expect(submit).to_be_disabled()
        expect(dialog.locator(".post-missing")).to_contain_text("no default")
        for name in ("comment", "duet", "stitch"):  # interactions start off
            expect(dialog.locator(f".tiktok-{name}")).to_have_attribute("aria-checked", "false")
        both_themes(page, "publishing-post-dialog-phone-bar", check=True)

        dialog.locator(".tiktok-privacy").click()  # scrolled to inside the dialog's body
        page.get_by_role("option", name="Everyone").click()
        expect(submit).to_be_disabled()  # the consent is still missing
        expect(dialog.locator(".post-missing")).to_contain_text("Agree to TikTok's terms")
        consent.click()
        expect(submit).to_be_enabled()
        expect(submit).to_have_accessible_name("Post")
        # branded content only for an audience beyond "Only me", with its own consent text
        dialog.locator(".tiktok-disclose").click()
        expect(submit).to_be_disabled()
        expect(dialog.locator(".post-missing")).to_contain_text("promotes yourself")
        dialog.locator(".tiktok-branded").click()
        expect(consent).to_contain_text("Branded Content Policy")
        expect(submit).to_be_enabled()
        dialog.locator(".tiktok-disclose").click()
        # "At a time" needs a date and a time; the button then says Schedule
        dialog.get_by_text("At a time").click()
        expect(submit).to_be_disabled()
        expect(dialog.locator(".post-missing")).to_contain_text("date and the time")
        tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
        dialog.locator(".post-date input").fill(tomorrow.isoformat())
        dialog.locator(".post-time input").fill("09:30")
        expect(submit).to_be_enabled()
        expect(submit).to_have_accessible_name("Schedule")
        in_view(submit, page)
        shoot(page, "publishing-post-dialog-phone-ready")
        submit.click()
        expect(dialog).to_have_count(0)
        posts = httpx.get(f"{base}/posts", timeout=30).json()
        assert sorted(p["platform"] for p in posts) == ["tiktok", "youtube"], posts
        assert all(p["state"] == "scheduled" for p in posts), posts
        assert not errors, errors
    finally:
        context.close()


def scheduled_at(base: str, post_id: str) -> datetime:
    found = httpx.get(f"{base}/posts/{post_id}", timeout=30).json()["scheduled_at"]
    return datetime.fromisoformat(str(found))


def wait_for(base: str, post_id: str, wanted: datetime) -> datetime:
    """The post's time once it is ``wanted`` (or whatever it is after a bounded wait)."""
    deadline = time.monotonic() + WAIT_MS / 1000
    found = scheduled_at(base, post_id)
    while found != wanted and time.monotonic() < deadline:
        time.sleep(0.2)
        found = scheduled_at(base, post_id)
    return found


def test_the_week_view_labels_hours_and_moves_a_post_with_the_keyboard(
    browser: Browser, server: tuple[str, Path], accounts: dict[str, str], rendered: str
) -> None:
    base, data_dir = server
    zone = ZoneInfo(ZONE)
    at = (datetime.now(UTC) + timedelta(days=2)).replace(
        hour=10, minute=15, second=0, microsecond=0
    )
    made = httpx.post(
        f"{base}/schedule",
        json={"job_id": rendered, "accounts": [accounts["youtube"]], "at": at.isoformat()},
        timeout=30,
    )
    assert made.status_code == 201, made.text
    post_id = made.json()[0]["id"]
    assert scheduled_at(base, post_id) == at

    context = browser.new_context(viewport={"width": 1366, "height": 900}, timezone_id=ZONE)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(error.message))
    try:
        page.goto(f"{base}/ui/calendar")
        page.get_by_role("button", name="Week").click()
        # every hour row has its label, level with the row's top edge
        labels = page.locator(".cal-hour-label")
        expect(labels).to_have_count(24)
        expect(labels.first).to_have_text("00:00")
        expect(page.locator('.cal-hour-label[data-hour="13"]')).to_have_text("13:00")
        for hour in (0, 9, 23):
            label = page.locator(f'.cal-hour-label[data-hour="{hour}"]').bounding_box()
            row = page.locator(f'.cal-cell[data-hour="{hour}"]').first.bounding_box()
            assert label is not None and row is not None
            assert row["y"] - label["height"] <= label["y"] <= row["y"] + row["height"] / 2, (
                hour,
                label,
                row,
            )
            assert label["x"] + label["width"] <= row["x"] + 1  # in its own column
        # the "now" line: in today's column, in this hour's row
        before = datetime.now(zone)
        line = page.locator(".cal-now")
        expect(line).to_have_count(1)
        where = line.evaluate(
            "n => [n.previousElementSibling.dataset.day, n.previousElementSibling.dataset.hour]"
        )
        after = datetime.now(zone)
        assert where[0] in {before.date().isoformat(), after.date().isoformat()}, where
        assert int(where[1]) in {before.hour, after.hour}, where
        shoot(page, "calendar-week-hours-now")

        # the post's week (the day after tomorrow may be next week)
        local = at.astimezone(zone)
        weeks_on = (local.date() - local.date().weekday() * timedelta(days=1)) - (
            before.date() - before.date().weekday() * timedelta(days=1)
        )
        for _ in range(weeks_on.days // 7):
            page.get_by_role("button", name="Later").click()
        chip = page.locator(f'.cal-post[data-post="{post_id}"]')
        expect(chip).to_have_count(1)
        status = page.locator(".calendar-move-status")
        # a drag leaves the chip faint where it was until the drag ends (here: cancelled)
        chip.dispatch_event("dragstart")
        expect(chip).to_have_class(re.compile("cal-dragging"))
        chip.dispatch_event("dragend")
        expect(chip).not_to_have_class(re.compile("cal-dragging"))
        ghost = page.locator(f'.cal-ghost[data-ghost-of="{post_id}"]')
        expect(ghost).to_have_count(0)

        # a day later, two hours later, confirmed: the database has it exactly 26 hours on;
        # each key is answered (the status says where the post would go) before the next
        chip.focus()
        for pressed, days, hours in (
            ("ArrowRight", 1, 0),
            ("ArrowDown", 1, 1),
            ("ArrowDown", 1, 2),
        ):
            page.keyboard.press(pressed)
            then = local + timedelta(days=days, hours=hours)
            expect(status).to_contain_text(f"to {then:%a %d %b %H:%M}: Enter to confirm")
            expect(chip).to_have_class(re.compile("cal-moving"))
            expect(chip).to_be_focused()
        moved = (local + timedelta(days=1, hours=2)).strftime("%H:%M")
        expect(chip).to_contain_text(moved)
        # the preview sits in its new hour's row
        expect(page.locator(f'.cal-cell[data-hour="{local.hour + 2}"] .cal-moving')).to_have_count(
            1
        )
        assert scheduled_at(base, post_id) == at  # nothing moves before Enter
        # its ghost stays in the cell it left, faint, until the move is made
        origin = f'.cal-cell[data-day="{local.date().isoformat()}"][data-hour="{local.hour}"]'
        expect(page.locator(f"{origin} .cal-ghost")).to_have_count(1)
        expect(ghost).to_contain_text(local.strftime("%H:%M"))
        shoot(page, "calendar-week-keyboard-moving")
        expect(chip).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.get_by_text("Moved to ")).to_be_visible()
        expect(ghost).to_have_count(0)
        assert wait_for(base, post_id, at + timedelta(days=1, hours=2)) == at + timedelta(
            days=1, hours=2
        )
        expect(chip).to_be_focused()  # the keyboard stays on the post
        expect(chip).not_to_have_class(re.compile("cal-moving"))

        # a week on with the arrows: the view follows the preview into the next week; Escape
        # puts the post and the view back, and nothing changes in the database
        heading = page.locator(".calendar-title").inner_text()
        for n in range(1, 8):
            page.keyboard.press("ArrowRight")
            then = local + timedelta(days=1 + n, hours=2)
            expect(status).to_contain_text(f"to {then:%a %d %b %H:%M}: Enter to confirm")
            expect(chip).to_be_focused()
        expect(page.locator(".calendar-title")).not_to_have_text(heading)
        expect(chip).to_have_class(re.compile("cal-moving"))
        page.keyboard.press("Escape")
        expect(status).to_contain_text("Not moved")
        expect(page.locator(".calendar-title")).to_have_text(heading)
        expect(chip).to_be_focused()
        expect(chip).not_to_have_class(re.compile("cal-moving"))
        assert scheduled_at(base, post_id) == at + timedelta(days=1, hours=2)

        # a post that has started uploading is refused with a message, and stays
        with sqlite3.connect(data_dir / "vo.db", timeout=30) as db:
            db.execute("UPDATE posts SET state = 'uploading' WHERE id = ?", (post_id,))
        expect(chip).to_have_class(re.compile("cal-uploading"))  # the calendar follows
        chip.focus()
        page.keyboard.press("ArrowLeft")
        expect(page.get_by_text("only a scheduled post or a draft can be moved")).to_be_visible()
        expect(chip).not_to_have_class(re.compile("cal-moving"))
        assert scheduled_at(base, post_id) == at + timedelta(days=1, hours=2)

        page.set_viewport_size(PHONE)
        page.get_by_role("button", name="Today").click()
        expect(page.locator(".cal-now")).to_have_count(1)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= PHONE["width"], f"the week view is {wide} px wide on a phone"
        shoot(page, "calendar-week-phone")
        assert not errors, errors
    finally:
        context.close()
