"""The main journey in a real browser against a real ``vo serve`` (API, UI, one render
worker): a person who has never used the product makes and downloads a video, on a desktop
(1366×900) and on a phone (390×844, touch).

A topic with no language model → the no-writer card at once; material → Create → the script
is there → a clip named after a scene is uploaded and goes to that scene by itself → the
phone-shaped draft preview plays → hear a voice, pick a caption style → Render (the sticky
button) → progress reaches 100 % → the video plays → the download is a valid MP4 with a
readable name. Each step is photographed (tests/ui/artifacts/; with VO_UPDATE_SCREENSHOTS=1
the README's pictures in docs/screenshots/) and checked with axe-core in the light and the
dark theme (colour contrast included)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.media import ffmpeg_exe, make_video
from tests.ui.a11y import axe_violations
from tests.ui.conftest import WAIT_MS
from tests.ui.shots import shoot

RENDER_MS = 240_000  # a ~20 s short, voice included, on a busy 2-core machine


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
    """Named after scene 2's words (the Mariana Trench)."""
    return make_video(tmp_path_factory.mktemp("journey") / "mariana-trench.mp4", seconds=2.5)


def assert_accessible_both_themes(page: Page, where: str) -> None:
    """axe (colour contrast included) in the light theme, then in the dark one, then back."""
    assert_accessible(page, where + " (light)")
    toggle = page.get_by_role("button", name="Switch light or dark theme")
    toggle.click()
    expect(page.locator("body.body--dark")).to_have_count(1)
    assert_accessible(page, where + " (dark)")
    toggle.click()
    expect(page.locator("body.body--dark")).to_have_count(0)
    page.mouse.move(1, 400)  # away from the button: its tooltip would be in the pictures


def create_from_material(page: Page, base: str, *, phone: bool) -> str:
    """Projects → New project → a topic first (no model here: the card says so at once), then
    material → Create; returns the project id of the material project."""
    page.goto(base + "/")
    expect(page.get_by_role("button", name="New project")).to_be_visible()
    page.get_by_role("button", name="New project").click()
    dialog = page.get_by_role("dialog", name="New project")
    tabs = dialog.get_by_role("tab")
    expect(tabs).to_have_count(4)
    for index in range(4):  # every tab label whole, none under a scroll arrow
        fits = tabs.nth(index).evaluate(
            "t => { const l = t.querySelector('.q-tab__label');"
            " return l.scrollWidth <= l.clientWidth + 1 && t.getBoundingClientRect().right"
            " <= t.closest('.q-tabs').getBoundingClientRect().right + 1; }"
        )
        assert fits, f"tab {index + 1} of the New project dialog is clipped"
    expect(dialog.locator(".q-tabs__arrow:visible")).to_have_count(0)
    shoot(page, ("phone-" if phone else "") + "new-project")
    dialog.get_by_role("tab", name="Material").click()
    dialog.get_by_label("Article, notes or a web address").fill(MATERIAL)
    dialog.get_by_role("button", name="Create").click()
    expect(page).to_have_url(re.compile(r"/ui/projects/[0-9a-f]+$"))
    expect(page.locator(".scene-card").first).to_be_visible()  # written at once, no 2nd click
    return page.url.rsplit("/", 1)[1]


def upload_matched_clip(page: Page, clip: Path) -> None:
    open_tab(page, "Background")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name=re.compile(r"choose files$")).last.click()
    chooser.value.set_files(clip)
    scene = page.locator(".scene-background").filter(has=page.locator(".scene-match"))
    expect(scene).to_have_count(1, timeout=60_000)  # auto-assigned by its name
    expect(scene.locator(".scene-choice")).to_have_text("mariana-trench.mp4")
    expect(scene.locator(".scene-match")).to_contain_text("mariana")


def preview_plays(page: Page) -> None:
    player = page.locator(".draft-player")
    expect(player).to_have_attribute(
        "src", re.compile(r"/media/preview/[0-9a-f]+\.mp4"), timeout=RENDER_MS
    )
    handle = player.element_handle()
    page.evaluate("v => { v.muted = true; return v.play(); }", handle)
    page.wait_for_function("v => v.currentTime > 0.3 && !v.paused", arg=handle)
    size = page.evaluate("v => [v.videoWidth, v.videoHeight]", handle)
    assert size == [360, 640], size


def render_and_download(
    page: Page, base: str, project_id: str, tmp_path: Path, shot: str | None = None
) -> Path:
    page.locator(".sticky-render").click()  # always in reach, whichever tab is open
    expect(page.get_by_role("tab", name="Export")).to_have_attribute("aria-selected", "true")
    expect(page.locator(".job-card").first).to_be_visible()
    expect(page.locator(".job-step").first).to_contain_text(re.compile(r"\d+ ?%"))
    if shot is not None:
        shoot(page, shot)
    done = page.locator(".job-card.job-succeeded").first
    expect(done).to_be_visible(timeout=RENDER_MS)
    jobs = json.loads(page.request.get(f"{base}/renders?project_id={project_id}").text())
    assert [(j["status"], j["progress"]) for j in jobs["items"]] == [("succeeded", 1.0)]
    with page.expect_download() as download_info:
        done.locator(".download-video").click()
    name = download_info.value.suggested_filename
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*\.mp4", name), name
    saved = tmp_path / name
    download_info.value.save_as(saved)
    measured = probe(saved)
    assert (measured["width"], measured["height"]) == (1080, 1920)
    assert 5 <= measured["duration"] <= 60
    return saved


MATERIAL = """# The deep ocean
The deep ocean begins about 200 metres down, where sunlight fades to nothing.
Below 1,000 metres there is no sunlight at all, and the water stays near freezing.
The pressure at the bottom of the Mariana Trench is more than 1,000 times that at the surface.
Many animals there make their own light, a glow called bioluminescence.
"""


def test_a_first_time_user_makes_and_downloads_a_video(
    page: Page, ui_server: str, clip: Path, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(ui_server + "/")
    shoot(page, "projects-empty")
    assert_accessible_both_themes(page, "Projects, empty")

    # -- a bare topic with no language model: Create says so at once, with the ways out
    page.get_by_role("button", name="New project").click()
    page.get_by_label("Topic").fill("the deep ocean")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_text("No script writer is configured", exact=True)).to_be_visible()

    # -- material → Create: the script is written at once
    project_id = create_from_material(page, ui_server, phone=False)
    shoot(page, "1-script")
    assert_accessible_both_themes(page, "Story & Script")

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
    shoot(page, "2-voice")
    assert_accessible_both_themes(page, "Voice")

    # -- 3. Background: a clip named after scene 2 goes to scene 2 by itself
    upload_matched_clip(page, clip)
    shoot(page, "3-background")
    assert_accessible_both_themes(page, "Background")

    # -- the draft preview beside the editor plays the whole video
    preview_plays(page)
    shoot(page, "preview")

    # -- 4. Audio: nothing to change; it must draw and pass the checks
    open_tab(page, "Audio")
    expect(page.get_by_role("button", name=re.compile("Hear the mix"))).to_be_visible()
    shoot(page, "4-audio")
    assert_accessible_both_themes(page, "Audio")

    # -- 5. Captions: the pop style, with its preview frame from the real renderer
    open_tab(page, "Captions")
    frame = page.locator(".tab-captions img").first
    expect(frame).to_have_attribute("src", re.compile(r"/media/preview/[0-9a-f]+\.jpg"))
    karaoke = frame.get_attribute("src")
    page.get_by_role("radio", name=re.compile(r"^Pop")).click()
    expect(frame).not_to_have_attribute("src", karaoke or "")  # a new frame, drawn for pop
    shoot(page, "5-captions")
    assert_accessible_both_themes(page, "Captions")

    # -- 6. Render from the sticky bar, watch it finish, play it, download it
    render_and_download(page, ui_server, project_id, tmp_path, shot="6-export-rendering")
    shoot(page, "6-export")
    done = page.locator(".job-card.job-succeeded").first
    playing = done.locator("video").element_handle()
    page.evaluate("v => { v.muted = true; return v.play(); }", playing)
    page.wait_for_function("v => v.currentTime > 0.3 && !v.paused", arg=playing)
    assert_accessible_both_themes(page, "Export")

    # the queue and the settings, as the person finds them afterwards
    page.locator(".nav-queue").click()
    expect(page.locator(".job-card.job-succeeded").first).to_be_visible()
    shoot(page, "7-queue")
    assert_accessible_both_themes(page, "Queue")
    page.locator(".nav-settings").click()
    expect(page.get_by_text("Status").first).to_be_visible()
    page.wait_for_timeout(1500)  # a toast would show by now
    expect(page.get_by_text("Saved: new projects")).to_have_count(0)  # nothing was changed
    shoot(page, "8-settings")
    assert_accessible_both_themes(page, "Settings")
    page.locator(".nav-projects").click()
    cover = page.locator(".project-card img").first
    expect(cover).to_be_visible()  # the render's thumbnail, whole: 9:16, not a strip
    box = cover.bounding_box()
    assert box is not None and 1.7 < box["height"] / box["width"] < 1.85, box
    shoot(page, "0-projects")
    assert_accessible_both_themes(page, "Projects")

    project = json.loads(page.request.get(f"{ui_server}/projects/{project_id}").text())
    assert project["captions"]["style"] == "pop"
    assert any(project["background"]["assets"])
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_on_a_phone_the_same_journey_fits_the_screen(
    browser: Browser, ui_server: str, clip: Path, tmp_path: Path
) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(error.message))
    try:
        project_id = create_from_material(page, ui_server, phone=True)
        header = page.locator(".studio-header").bounding_box()
        assert header is not None and header["height"] <= 64, header  # one row, not three
        tabs = page.locator(".editor-tabs .q-tab")
        expect(tabs).to_have_count(7)
        for index in range(7):
            box = tabs.nth(index).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
            whole = tabs.nth(index).evaluate(
                "t => { const l = t.querySelector('.q-tab__label');"
                " return l.scrollWidth <= l.clientWidth + 1; }"
            )
            assert whole, f"editor tab {index + 1} is clipped"
        expect(page.locator(".editor-tabs .q-tabs__arrow:visible")).to_have_count(0)
        render = page.locator(".sticky-render")
        expect(render).to_be_in_viewport()  # Render in reach without scrolling
        shoot(page, "phone-1-script")
        assert_accessible_both_themes(page, "phone: Story & Script")

        upload_matched_clip(page, clip)
        expect(page.get_by_text("Tap a clip to preview it.")).to_be_visible()
        expect(page.get_by_text("Hover over a clip to preview it.")).to_be_hidden()
        expect(render).to_be_in_viewport()
        shoot(page, "phone-3-background")
        assert_accessible_both_themes(page, "phone: Background")

        page.locator(".show-preview").click()
        preview_plays(page)
        shoot(page, "phone-preview")

        render_and_download(page, ui_server, project_id, tmp_path)
        shoot(page, "phone-6-export")
        assert_accessible_both_themes(page, "phone: Export")
        page.locator(".nav-menu").click()
        page.locator(".menu-projects").click()
        expect(page.locator(".project-card").first).to_be_visible()
        shoot(page, "phone-0-projects")
        assert_accessible_both_themes(page, "phone: Projects")
        assert not errors, errors
    finally:
        context.close()
