"""In a real browser against a real ``vo serve`` (ADR 0044): the Analytics page's "What to
change" shows the hook weights the planted posts propose, in plain words, and Apply makes the
scorer use them (the API says so) and Reset takes them back; on the Experiments page a
variant is linked to an imported video with the picker, and unlinked."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.hook_posts import plant_posts
from tests.ui.a11y import axe_violations
from video_orchestrator.config import Settings
from video_orchestrator.store import Database


def _plant(data_dir: Path) -> None:
    db = Database(Settings(data_dir=data_dir).database())
    db.migrate()
    plant_posts(db, posts=32)
    db.dispose()


def test_apply_the_proposed_hook_weights_then_reset(
    page: Page, ui_server: str, ui_data_dir: Path, tmp_path: Path
) -> None:
    _plant(ui_data_dir)
    page.goto(ui_server + "/ui/analytics")
    section = page.locator(".what-to-change")
    expect(section.get_by_role("heading", name="What to change")).to_be_visible()
    expect(section.locator(".weights-source")).to_have_text("In use: the shipped weights.")
    expect(section.locator(".proposed-change")).to_have_count(1)
    expect(section.locator(".proposed-change")).to_have_text(
        re.compile(
            r"A number in the hook: \+\d\.\d points — hooks with it got \d+ % more views at "
            r"72 h over 32 posts, t = \d\.\d"
        )
    )
    proposal = httpx.get(ui_server + "/analytics/hook-weights/proposal").json()
    section.scroll_into_view_if_needed()
    page.screenshot(path=tmp_path / "what-to-change.png", full_page=True)
    found = axe_violations(page, context=".what-to-change")
    assert not found, "what to change: " + found.summary

    section.get_by_role("button", name="Apply these weights").click()
    expect(section.locator(".weights-source")).to_contain_text(
        "In use: learned from your results (applied by studio"
    )
    expect(section.locator(".weights-history")).to_have_count(1)
    expect(section.locator(".weights-history")).to_contain_text("Applied")
    expect(section.locator(".no-proposal")).to_contain_text("the same 32 posts")
    weights = httpx.get(ui_server + "/analytics/hook-weights").json()
    assert weights["source"] == "learned" and weights["weights"] == proposal["proposed"]

    section.get_by_role("button", name="Reset to the shipped weights").click()
    expect(section.locator(".weights-source")).to_have_text("In use: the shipped weights.")
    expect(section.locator(".weights-history")).to_have_count(2)
    assert httpx.get(ui_server + "/analytics/hook-weights").json()["source"] == "shipped"


def test_link_a_variant_to_an_imported_video_and_unlink_it(
    page: Page, ui_server: str, tmp_path: Path
) -> None:
    project = httpx.post(ui_server + "/projects", json={"topic": "why the deep ocean glows"})
    experiment = httpx.post(
        ui_server + "/experiments",
        json={
            "project_id": project.json()["id"],
            "name": "Caption test",
            "factors": {"caption_style": ["karaoke", "pop"]},
        },
    ).json()
    csv = "platform,video_id,date,views\r\ntiktok,linkme01,2026-11-01,120\r\n"
    imported = httpx.post(
        ui_server + "/analytics/imports?filename=one.csv",
        content=csv.encode(),
        headers={"content-type": "text/csv"},
    )
    assert imported.status_code == 201, imported.text

    page.goto(ui_server + "/ui/experiments")
    page.locator(".experiment-card").filter(has_text="Caption test").get_by_role(
        "button", name="Open"
    ).click()
    detail = page.locator(".experiment-detail")
    expect(detail).to_be_visible()
    detail.get_by_role("combobox", name="Variant").click()
    page.get_by_role("option", name="B", exact=True).click()
    picker = detail.get_by_role("combobox", name="Published post or imported video")
    picker.click()
    picker.fill("linkme01")
    page.get_by_role("option", name=re.compile(r"Imported · tiktok · .*\(linkme01\)")).click()
    detail.get_by_role("button", name="Link").click()

    expect(detail.locator(".linked-video")).to_contain_text("tiktok:linkme01")
    expect(detail.locator(".variant-videos")).to_contain_text("B's videos:")
    stored = httpx.get(ui_server + f"/experiments/{experiment['id']}").json()
    assert [v["remote_id"] for v in stored["items"][1]["videos"]] == ["linkme01"]
    page.screenshot(path=tmp_path / "linked.png", full_page=True)
    found = axe_violations(page, context=".experiment-detail")
    assert not found, "experiment detail: " + found.summary

    detail.get_by_role("button", name="Unlink tiktok:linkme01").click()
    expect(detail.locator(".linked-video")).to_have_count(0)
    stored = httpx.get(ui_server + f"/experiments/{experiment['id']}").json()
    assert all(v["videos"] == [] for v in stored["items"])
