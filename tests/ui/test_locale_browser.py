"""The studio in Japanese on a computer without a CJK font (ADR 0042): this Chromium has none,
so without the studio's web-font fallback every Japanese word is drawn as empty boxes. The
browser is asked which font it really drew a label with; the font is fetched only once a
page shows CJK text, and is cached. Screenshots of the editor and Analytics in Japanese and
German (long words) are kept as artifacts to look at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, Response, expect

from tests.analytics_exports import generic_csv
from tests.translation_server import SCRIPT
from tests.ui.conftest import free_port, launch, stop
from tests.ui.shots import shoot
from video_orchestrator.ui import webfont

FACE_STATUS_JS = """() => [...document.fonts]
    .filter(face => face.family.replaceAll('"', '') === 'VO CJK')
    .map(face => face.status)"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, ui_cache: Path) -> Iterator[str]:
    """A server with one project that has a script, for the editor's tabs."""
    data = tmp_path_factory.mktemp("vo-locale") / "data"
    server, base = launch(data, ui_cache, free_port(), VO_DEFAULT_VOICE="fake:fake-en")
    try:
        with httpx.Client(base_url=base, timeout=120) as http:
            made = http.post("/projects", json={"topic": "octopus facts", "script": SCRIPT})
            assert made.status_code == 201, made.text
            # two videos (one with a Japanese title) over two days: 1,234 views in all
            rows = [
                ["youtube", "v1", "2026-11-01", "タコの心臓は三つ", "@lab", 1000, 50],
                ["tiktok", "v2", "2026-11-02", "Octopus facts", "@lab", 234, 12],
            ]
            header = ["platform", "video_id", "date", "title", "account", "views", "likes"]
            imported = http.post(
                "/analytics/imports",
                params={"filename": "days.csv"},
                content=generic_csv(rows, header=header).encode(),
                headers={"Content-Type": "text/csv"},
            )
            assert imported.status_code == 201, imported.text
        yield base
    finally:
        stop(server)


def fonts_drawing(page: Page, selector: str) -> dict[str, int]:
    """The fonts Chromium drew the text of ``selector`` with: family → glyphs (DevTools)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, f"{selector} is not on the page"
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return {font["familyName"]: font["glyphCount"] for font in fonts}


NEW_PROJECT = {"en": "New project", "ja": "新規プロジェクト", "de": "Neues Projekt"}


def choose(page: Page, code: str) -> None:
    """Switch the studio to ``code`` in the header's menu (the page reloads in it)."""
    page.locator(".locale-menu").click()
    page.locator(f".locale-{code}").click()
    expect(page.locator(".new-project")).to_contain_text(NEW_PROJECT[code])


def test_japanese_is_drawn_in_the_served_cjk_font(page: Page, served: str) -> None:
    font = webfont.packaged()
    assert font is not None, "the noto-cjk-sans-jp-bold package is a dependency"
    fetched: list[Response] = []
    page.on("response", lambda r: fetched.append(r) if "/ui/fonts/" in r.url else None)

    page.goto(f"{served}/ui/")
    expect(page.locator(".new-project")).to_contain_text("New project")
    # an English page has no CJK text: the face is declared but not fetched
    assert page.evaluate(FACE_STATUS_JS) == ["unloaded"]
    assert fetched == []

    choose(page, "ja")
    assert page.evaluate("document.documentElement.lang") == "ja"
    page.wait_for_function(f"() => ({FACE_STATUS_JS})().includes('loaded')")
    assert page.evaluate(FACE_STATUS_JS) == ["loaded"]
    drawn = fonts_drawing(page, ".new-project .block")
    # the kana and kanji come from the served face (Noto Sans CJK JP), none from a
    # last-resort font drawing boxes
    cjk = {name: count for name, count in drawn.items() if "CJK" in name}
    assert sum(cjk.values()) >= len("新規プロジェクト"), drawn

    # only the served face (a page reloaded under load may fetch it a second time)
    assert {r.url for r in fetched} == {served + font.url}
    for response in fetched:
        assert response.status == 200
        assert response.headers["cache-control"] == webfont.CACHE_CONTROL
        assert response.headers["content-length"] == str(font.path.stat().st_size)

    shoot(page, "locale-ja-projects")


@pytest.mark.parametrize("code", ["ja", "de"])
def test_the_editor_and_analytics_read_well_in_japanese_and_german(
    page: Page, served: str, code: str
) -> None:
    """Each tab's words translated, and nothing pushed wider than the window (a long German
    compound or a Japanese sentence without spaces must wrap, not scroll the page sideways)."""
    page.goto(f"{served}/ui/")
    choose(page, code)
    with httpx.Client(base_url=served, timeout=30) as http:
        project_id = http.get("/projects").json()["items"][0]["id"]
    page.goto(f"{served}/ui/projects/{project_id}")
    tabs = {
        "ja": ["ストーリーと台本", "字幕", "言語", "書き出し"],
        "de": ["Story & Skript", "Untertitel", "Sprachen", "Export"],
    }[code]
    for name in tabs:
        page.get_by_role("tab", name=name).click()
        page.wait_for_timeout(300)  # the panel's own drawing (no assertion on time)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1280, f"{name}: the page is {width} px wide"
        shoot(page, f"locale-{code}-{tabs.index(name)}")
    page.goto(f"{served}/ui/analytics")
    expect(page.locator(".total-views")).to_have_text({"ja": "1,234", "de": "1.234"}[code])
    expect(page.locator(".breakdown-platform")).to_contain_text("YouTube")
    # the chart's days as the language writes them (the browser's own Intl data)
    expect(page.locator(".analytics-chart")).to_contain_text(
        {"ja": "11月1日", "de": "1. Nov."}[code]
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    shoot(page, f"locale-{code}-analytics")
