"""The studio's words that come from outside ``ui/`` and its CJK web font (ADR 0042): the
marked copies equal their sources, days and language names follow the locale, the render's
problems are said in it, and the packaged font is served only under its own name, cached."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from video_orchestrator.domain.language_version import MADE_BY_LABEL, LanguageVersion
from video_orchestrator.domain.script import Scene, Script
from video_orchestrator.metrics.records import LABELS
from video_orchestrator.services.projects import ProjectOut
from video_orchestrator.spec.options import AudioSettings, BackgroundSettings
from video_orchestrator.ui import analytics_page, i18n, languages_panel, tab_export, webfont


def speak(monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    monkeypatch.setattr(i18n, "current", lambda: code)


def test_the_marked_copies_equal_their_sources() -> None:
    assert dict(LABELS) == analytics_page.METRIC_NAMES
    assert languages_panel.MADE_BY == MADE_BY_LABEL


def test_days_and_language_names_follow_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    day = date(2026, 11, 14)
    assert i18n.day(day) == "14 Nov 2026"
    assert analytics_page.period_text(day, date(2026, 11, 16)) == "14 Nov 2026 – 16 Nov 2026"
    assert i18n.language_title("es") == "Spanish"
    speak(monkeypatch, "de")
    assert i18n.day(day) == "14.11.2026"
    assert i18n.language_title("es") == "Spanisch"
    assert analytics_page.number(1234567) == "1.234.567"
    speak(monkeypatch, "fr")
    assert i18n.language_title("es") == "Espagnol"  # capitalised for a list
    speak(monkeypatch, "ja")
    assert i18n.day(day) == "2026/11/14"
    assert "toLocaleDateString('ja'" in analytics_page.short_day_js("ja")
    assert "toLocaleDateString('en-GB'" in analytics_page.short_day_js("en")  # "14 Nov"
    assert i18n.language_title("xx", "fallback") == "fallback"


def test_how_a_version_was_made_is_said_in_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    script = Script(
        topic="t", title="T", hook="H", scenes=[Scene(narration="N", keywords=[])], hashtags=[]
    )
    version = LanguageVersion(language="ro", script=script, made_by="llm", by="local-model")
    edited = version.model_copy(update={"edited": True})
    assert languages_panel.made_text(edited) == edited.describe()  # English as the domain says
    speak(monkeypatch, "de")
    assert languages_panel.made_text(edited) == (
        "vom Sprachmodell übersetzt und angepasst (local-model), bearbeitet"
    )
    assert languages_panel.name_of("ro") == "Rumänisch (ro)"


def test_the_render_problems_are_said_in_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    project = ProjectOut.model_construct(
        script=None,
        topic="",
        background=BackgroundSettings(assets=["gone", None]),
        audio=AudioSettings(music_asset="gone-too"),
    )
    speak(monkeypatch, "es")
    found = tab_export.problems(project, [], {"gone", "gone-too"})
    assert found == [
        "Elige al menos una plataforma para la que renderizar.",
        "El proyecto no tiene guion ni tema: primero escribe o genera un guion en Historia y "
        "guion.",
        "El fondo de la escena 1 ya no existe (se eliminó su archivo): elige otro o uno "
        "generado en la pestaña Fondo.",
        "La música ya no existe (se eliminó su archivo): elige otra música o ninguna en la "
        "pestaña Audio.",
    ]


def test_the_cjk_face_covers_only_cjk_and_comes_before_the_generic_family() -> None:
    font = webfont.packaged()
    assert font is not None and font.path.is_file()
    assert str(font.path.stat().st_size) in font.name  # a new file is a new URL
    css = webfont.css(font)
    assert f'url("{font.url}")' in css
    assert "unicode-range: U+1100-11FF" in css and "U+4E00-9FFF" in css
    assert "U+0000" not in css and "U+0041" not in css  # Latin never fetches it
    assert webfont.STACK.index('"VO CJK"') < webfont.STACK.index("sans-serif")
    assert webfont.css(None) == css  # the packaged one by default


def test_without_the_package_there_is_no_face(monkeypatch: pytest.MonkeyPatch) -> None:
    webfont.packaged.cache_clear()
    monkeypatch.setattr(webfont, "PACKAGE", "no_such_font_package")
    try:
        assert webfont.packaged() is None
        assert webfont.css() == ""
    finally:
        webfont.packaged.cache_clear()


def test_the_font_is_served_under_its_name_only_and_cached() -> None:
    font = webfont.packaged()
    assert font is not None
    app = FastAPI()
    webfont.register(app)
    with TestClient(app) as client:
        got = client.get(f"{webfont.FONTS_PATH}/{font.name}")
        assert got.status_code == 200
        assert got.headers["cache-control"] == webfont.CACHE_CONTROL
        assert got.headers["content-type"] == "font/otf"
        assert got.content[:4] == b"OTTO"  # an OpenType (CFF) font
        assert client.get(f"{webfont.FONTS_PATH}/../../etc/passwd").status_code == 404
        assert client.get(f"{webfont.FONTS_PATH}/cjk-0-1.otf").status_code == 404
