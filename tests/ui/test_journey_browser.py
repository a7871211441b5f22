"""The main journey in a real browser against a real ``vo serve`` (API, UI, one render
worker): a person who has never used the product makes and downloads a video.

Topic → no writer, so the script is made from pasted material → choose a voice and hear it →
upload a clip for scene 1 →
pick a caption style → render → progress reaches 100 % → the video plays → the download is
a valid MP4. Each tab is photographed (tests/ui/artifacts/; with VO_UPDATE_SCREENSHOTS=1 the
README's pictures in docs/screenshots/) and checked with axe-core."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.media import ffmpeg_exe, make_video
from tests.ui.a11y import axe_violations
from tests.ui.shots import shoot

RENDER_MS = 180_000  # a ~10 s short, voice included, on a 2-core machine: well under this


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    expect(page.get_by_role("tab", name=name)).to_have_attribute("aria-selected", "true")


def assert_accessible(page: Page, where: str) -> None:
    found = axe_violations(page)
    assert not found, f"{where}: {found.summary}"


def probe(path: Path) -> dict[str, float]:
    """Duration and video size of ``path`` as FFmpeg reads them (it must decode the file)."""
    result = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    size = re.search(r"Video: h264.*?, (\d{3,4})x(\d{3,4})", result.stderr)
    duration = re.search(r"Duration: (\d+):(\d+):([\d.]+)", result.stderr)
    assert size and duration, result.stderr[-2000:]
    hours, minutes, seconds = duration.groups()
    return {
        "width": float(size.group(1)),
        "height": float(size.group(2)),
        "duration": int(hours) * 3600 + int(minutes) * 60 + float(seconds),
    }


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("journey") / "ocean-waves.mp4", seconds=2.5)


MATERIAL = """# The deep ocean
The deep ocean begins about 200 metres down, where sunlight fades to nothing.
Below 1,000 metres there is no sunlight at all, and the water stays near freezing.
The pressure at the bottom of the Mariana Trench is more than 1,000 times that at the surface.
Many animals there make their own light, a glow called bioluminescence.
"""


def test_a_first_time_user_makes_and_downloads_a_video(
    page: Page, ui_server: str, clip: Path, tmp_path: Path
) -> None:
    page.goto(ui_server + "/")
    shoot(page, "projects-empty")

    # -- a project from a topic
    page.get_by_role("button", name="New project").click()
    page.get_by_label("Topic").fill("the deep ocean")
    page.get_by_role("button", name="Create").click()
    expect(page).to_have_url(re.compile(r"/ui/projects/[0-9a-f]+$"))
    project_id = page.url.rsplit("/", 1)[1]

    # -- 1. Story & Script: a short target, then generate
    length = page.get_by_label("Target length (s)")
    length.fill("12")
    length.press("Tab")
    expect(page.locator(".save-status")).to_contain_text("saved")
    # no language model here: the studio says so plainly, and the script comes from material
    page.get_by_role("button", name="Generate script").click()
    expect(page.get_by_text("No script writer is configured", exact=True)).to_be_visible()
    page.get_by_label("Your script").fill(MATERIAL)
    page.get_by_role("button", name="Make a script from this material").click()
    expect(page.locator(".scene-card").first).to_be_visible()
    expect(page.locator(".script-stats")).to_contain_text("words")
    shoot(page, "1-script")
    assert_accessible(page, "Story & Script")

    # -- 2. Voice (reached by keyboard: the tab bar moves with the arrow keys, Enter opens)
    page.get_by_role("tab", name="Story & Script").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(page.get_by_role("tab", name="Voice")).to_have_attribute("aria-selected", "true")
    joe = page.locator(".voice-row", has_text="Joe (en-US, medium)")
    expect(joe).to_contain_text("In use")  # the default neural voice, listed first
    page.get_by_role("button", name="Play a sample of Joe (en-US, medium)").click()
    player = page.locator(".voice-player audio")
    expect(player).to_have_attribute("src", re.compile(r"/media/preview/[0-9a-f]+\.wav"))
    page.wait_for_function(
        "el => el.readyState >= 1 && el.duration > 0.5", arg=player.element_handle()
    )
    expect(page.locator(".voice-player")).to_contain_text("Joe")
    shoot(page, "2-voice")
    assert_accessible(page, "Voice")

    # -- 3. Background: upload a clip, use it for scene 1
    open_tab(page, "Background")
    with page.expect_file_chooser() as chooser:
        page.get_by_role(
            "button", name=re.compile(r"add them to the library: choose files$")
        ).click()
    chooser.value.set_files(clip)
    expect(page.locator(".asset-tile", has_text="ocean-waves.mp4").first).to_be_visible(
        timeout=60_000
    )
    page.get_by_role("button", name="Choose a background for scene 1").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name=re.compile("ocean-waves.mp4")).first.click()
    expect(page.locator(".scene-background").first.locator(".scene-choice")).to_have_text(
        "ocean-waves.mp4"
    )
    page.keyboard.press("Escape")
    shoot(page, "3-background")
    assert_accessible(page, "Background")

    # -- 4. Audio: nothing to change; it must draw and pass the checks
    open_tab(page, "Audio")
    expect(page.get_by_role("button", name=re.compile("Hear the mix"))).to_be_visible()
    shoot(page, "4-audio")
    assert_accessible(page, "Audio")

    # -- 5. Captions: the pop style, with its preview frame from the real renderer
    open_tab(page, "Captions")
    preview = page.locator(".tab-captions img").first
    expect(preview).to_have_attribute("src", re.compile(r"/media/preview/[0-9a-f]+\.jpg"))
    karaoke = preview.get_attribute("src")
    page.get_by_role("radio", name=re.compile(r"^Pop")).click()
    expect(preview).not_to_have_attribute("src", karaoke or "")  # a new frame, drawn for pop
    expect(preview).to_have_attribute("src", re.compile(r"/media/preview/[0-9a-f]+\.jpg"))
    shoot(page, "5-captions")
    assert_accessible(page, "Captions")

    # -- 6. Export: render and watch it finish
    open_tab(page, "Export")
    page.get_by_role("button", name=re.compile(r"^Render")).click()
    expect(page.locator(".job-card").first).to_be_visible()
    # while it runs: a progress bar and the step in words, updated live
    expect(page.locator(".job-progress").first).to_be_visible()
    expect(page.locator(".job-step").first).to_contain_text(re.compile(r"\d+ ?%"))
    shoot(page, "6-export-rendering")
    expect(page.locator(".job-card.job-succeeded").first).to_be_visible(timeout=RENDER_MS)
    done = page.locator(".job-card.job-succeeded").first
    expect(done.locator(".job-progress")).to_have_count(0)
    jobs = json.loads(page.request.get(f"{ui_server}/renders?project_id={project_id}").text())
    assert [(j["status"], j["progress"]) for j in jobs["items"]] == [("succeeded", 1.0)]
    video = done.locator("video")
    expect(video).to_be_visible()
    playing = page.evaluate_handle("() => document.querySelector('.job-card video')")
    page.evaluate("v => { v.muted = true; return v.play(); }", playing)
    page.wait_for_function("v => v.currentTime > 0.3 && !v.paused", arg=playing)
    shoot(page, "6-export")
    assert_accessible(page, "Export")

    with page.expect_download() as download_info:
        done.locator(".download-video").click()
    saved = tmp_path / "short.mp4"
    download_info.value.save_as(saved)
    measured = probe(saved)
    assert (measured["width"], measured["height"]) == (1080, 1920)
    assert 5 <= measured["duration"] <= 40

    # the queue and the settings, as the person finds them afterwards
    page.locator(".nav-queue").click()
    expect(page.locator(".job-card.job-succeeded").first).to_be_visible()
    shoot(page, "7-queue")
    assert_accessible(page, "Queue")
    page.locator(".nav-settings").click()
    expect(page.get_by_text("Status").first).to_be_visible()
    shoot(page, "8-settings")
    assert_accessible(page, "Settings")
    page.locator(".nav-projects").click()
    expect(page.locator(".project-card img").first).to_be_visible()  # the render's thumbnail
    shoot(page, "0-projects")

    # the project the UI edited is the one the API serves, with every choice in it
    project = json.loads(page.request.get(f"{ui_server}/projects/{project_id}").text())
    assert project["captions"]["style"] == "pop"
    assert project["background"]["assets"][0]
    assert not page.errors, page.errors  # type: ignore[attr-defined]
