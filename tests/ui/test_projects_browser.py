"""The projects page in a real browser against a real ``vo serve``: create a project through
the dialog, find it, search, delete; keyboard access and an axe-core accessibility check."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.ui.a11y import axe_violations
from tests.ui.shots import shoot


def open_projects(page: Page, base: str) -> None:
    page.goto(base + "/")
    expect(page).to_have_url(base + "/ui/")
    expect(page.get_by_role("button", name="New project")).to_be_visible()


def test_a_project_is_created_found_searched_and_deleted(page: Page, ui_server: str) -> None:
    open_projects(page, ui_server)

    page.get_by_role("button", name="New project").click()
    dialog = page.get_by_role("dialog", name="New project")
    expect(dialog.get_by_role("tab", name="Topic")).to_be_visible()
    page.locator(".new-topic input").fill("tide pools of the north coast")
    shoot(page, "new-project-dialog")
    page.locator(".create-project").click()
    expect(page).to_have_url(re.compile(re.escape(ui_server) + r"/ui/projects/[0-9a-f]{8,}$"))

    # a second project through the REST API, which shares the services with the UI
    made = httpx.post(
        ui_server + "/projects", json={"topic": "volcanoes of iceland", "platforms": ["tiktok"]}
    )
    assert made.status_code == 201, made.text

    page.locator(".nav-projects").click()
    expect(page).to_have_url(ui_server + "/ui/")
    cards = page.locator(".project-card")
    tide = cards.filter(has_text="tide pools of the north coast")
    expect(tide).to_have_count(1)
    expect(cards).to_have_count(2)
    shoot(page, "projects")

    search = page.get_by_label("Search projects")
    search.fill("tide")
    expect(cards).to_have_count(1)
    expect(tide).to_be_visible()
    search.fill("no such project anywhere")
    expect(cards).to_have_count(0)
    expect(page.get_by_text("No project matches.")).to_be_visible()
    search.fill("")
    expect(cards).to_have_count(2)

    tide.get_by_role("button", name="Delete").click()
    confirm = page.get_by_role("dialog")
    expect(confirm.get_by_text("Delete “tide pools of the north coast”?")).to_be_visible()
    confirm.get_by_role("button", name="Delete").click()
    expect(tide).to_have_count(0)
    expect(cards.filter(has_text="volcanoes of iceland")).to_have_count(1)
    listed = httpx.get(ui_server + "/projects").json()
    assert [p["name"] for p in listed["items"]] == ["volcanoes of iceland"]

    assert page.errors == [], page.errors  # type: ignore[attr-defined]


def test_the_projects_page_has_no_serious_accessibility_violations(
    page: Page, ui_server: str
) -> None:
    made = httpx.post(ui_server + "/projects", json={"topic": "coral reefs at night"})
    assert made.status_code == 201, made.text
    open_projects(page, ui_server)
    card = page.locator(".project-card").filter(has_text="coral reefs at night")
    expect(card).to_be_visible()
    found = axe_violations(page)
    assert not found, "projects page: " + found.summary

    page.get_by_role("button", name="New project").click()
    expect(page.get_by_role("dialog", name="New project")).to_be_visible()
    found = axe_violations(page, context=".q-dialog")  # the page behind was checked above
    assert not found, "new project dialog: " + found.summary
    page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("dialog")).to_have_count(0)

    card.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("dialog", name="Delete coral reefs at night")).to_be_visible()
    found = axe_violations(page, context=".q-dialog")
    assert not found, "delete dialog: " + found.summary


def test_the_keyboard_reaches_new_project_and_opens_the_dialog(page: Page, ui_server: str) -> None:
    open_projects(page, ui_server)
    page.locator("body").focus()
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.new-project') !== null"):
            break
    else:
        raise AssertionError("20 presses of Tab never reached the “New project” button")
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog").get_by_role("tab", name="Topic")).to_be_visible()
    expect(page.locator(".new-topic input")).to_be_focused()
    shoot(page, "new-project-dialog-keyboard")
    assert page.errors == [], page.errors  # type: ignore[attr-defined]
