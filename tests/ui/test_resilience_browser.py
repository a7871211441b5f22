"""Bad days in a real browser: the server dies in the middle of a render and comes back (the
page reconnects and shows the job's true state), and two tabs edit the same project (the later
save is told about the conflict instead of overwriting)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.ui.conftest import SERVE, free_port, launch, stop
from tests.ui.shots import shoot

RENDER_MS = 180_000


def make_project(base: str, topic: str) -> str:
    """A project with a short script of its own (no language model is configured here)."""
    script = {
        "topic": topic,
        "title": topic.capitalize(),
        "hook": f"Three things about {topic}.",
        "scenes": [
            {"narration": "The first thing takes a moment to say.", "keywords": ["first"]},
            {"narration": "The second one is shorter.", "keywords": ["second"]},
        ],
    }
    with httpx.Client(base_url=base, timeout=30) as http:
        made = http.post("/projects", json={"topic": topic, "target_seconds": 10, "script": script})
        assert made.status_code == 201, made.text
        return str(made.json()["id"])


def test_the_page_shows_the_true_state_after_the_server_dies_mid_render(
    page: Page, tmp_path: Path, ui_cache: Path
) -> None:
    data_dir = tmp_path / "data"
    port = free_port()
    server, base = launch(data_dir, ui_cache, port)
    try:
        project_id = make_project(base, "the deep ocean")
        page.goto(f"{base}/ui/projects/{project_id}")
        page.get_by_role("tab", name="Export").click()
        # the sticky Render bar: the editor's one Render button
        page.locator(".sticky-render").click()
        expect(page.locator(".job-step").first).to_contain_text(re.compile(r"\d+ ?%"))

        os.killpg(server.pid, signal.SIGKILL)  # the server and its render worker, at once
        server.wait(timeout=10)
        shoot(page, "server-gone")

        server, _ = launch(data_dir, ui_cache, port)  # the same address, the same database
        # the page reconnects by itself and shows what the database says: the job, requeued
        # because its worker died, runs again and finishes
        expect(page.locator(".job-card.job-succeeded").first).to_be_visible(timeout=RENDER_MS)
        job = httpx.get(f"{base}/renders", params={"project_id": project_id}).json()["items"]
        assert [(j["status"], j["attempts"]) for j in job] == [("succeeded", 2)]
        expect(page.locator(".job-card.job-succeeded video")).to_be_visible()
    finally:
        stop(server)


def test_two_tabs_editing_one_project_the_later_save_is_told(
    browser: Browser, tmp_path: Path, ui_cache: Path
) -> None:
    server, base = launch(tmp_path / "data", ui_cache, free_port())
    try:
        project_id = make_project(base, "volcanoes")
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        first, second = context.new_page(), context.new_page()
        for tab in (first, second):
            tab.goto(f"{base}/ui/projects/{project_id}")
            expect(tab.get_by_label("Topic")).to_have_value("volcanoes")

        first.get_by_label("Topic").fill("volcanoes of Iceland")
        first.get_by_label("Topic").press("Tab")
        expect(first.locator(".save-status")).to_contain_text("saved")

        second.get_by_label("Topic").fill("volcanoes of Japan")
        second.get_by_label("Topic").press("Tab")
        banner = second.locator(".conflict-banner")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("your last change was not saved")
        shoot(second, "conflict")
        stored = httpx.get(f"{base}/projects/{project_id}").json()
        assert stored["topic"] == "volcanoes of Iceland"  # the first save stands

        banner.get_by_role("button", name="Load the newer version").click()
        expect(second.get_by_label("Topic")).to_have_value("volcanoes of Iceland")
        expect(banner).to_be_hidden()
        context.close()
    finally:
        stop(server)


def test_a_file_over_the_upload_limit_is_refused_with_a_message_and_nothing_stored(
    page: Page, tmp_path: Path, ui_cache: Path
) -> None:
    server, base = launch(tmp_path / "data", ui_cache, free_port(), VO_UPLOAD_MAX_BYTES="1000000")
    try:
        project_id = make_project(base, "tide pools")
        big = tmp_path / "holiday.mp4"
        big.write_bytes(os.urandom(1_500_000))
        page.goto(f"{base}/ui/projects/{project_id}")
        page.get_by_role("tab", name="Background").click()
        with page.expect_file_chooser() as chooser:
            page.get_by_role("button", name=re.compile(r"their names match: choose files$")).click()
        chooser.value.set_files(big)
        expect(page.get_by_text("That file was not taken")).to_be_visible()

        # a client that skips the page's check is stopped by the server before it reads
        refused = httpx.post(
            f"{base}/ui/_nicegui/client/any/upload/any",
            content=b"x" * 1_200_000,
            headers={"content-type": "multipart/form-data; boundary=x"},
        )
        assert refused.status_code == 413
        assert "too big" in refused.json()["detail"]
        assets = httpx.get(f"{base}/assets").json()
        assert assets["total"] == 0
    finally:
        stop(server)


def test_a_shared_server_asks_for_an_api_key_before_showing_anything(
    page: Page, tmp_path: Path, ui_cache: Path
) -> None:
    data_dir = tmp_path / "data"
    made = subprocess.run(
        [*SERVE[:-1], "apikey", "create", "studio"],
        env={**os.environ, "VO_DATA_DIR": str(data_dir), "VO_CACHE_DIR": str(ui_cache)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    server, base = launch(data_dir, ui_cache, free_port(), VO_REQUIRE_API_KEY="true")
    try:
        page.goto(base + "/")
        expect(page.get_by_text("Sign in").first).to_be_visible()
        expect(page.get_by_role("button", name="New project")).to_have_count(0)
        # files the UI shows are not served to a browser that has not signed in
        assert httpx.get(f"{base}/ui/media/asset/anything").status_code == 401

        page.get_by_label("API key").fill("vo_wrong")
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".text-negative")).to_contain_text("not valid")
        expect(page.get_by_role("button", name="New project")).to_have_count(0)

        page.get_by_label("API key").fill(key)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="New project")).to_be_visible()
        # the REST API still wants the key itself
        assert httpx.get(f"{base}/projects").status_code == 401
    finally:
        stop(server)
