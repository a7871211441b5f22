"""The studio's words in eight locales (ADR 0042): every text the code marks is translated in
every catalogue with the same placeholders, the catalogues are up to date with the code, the
translated pages pass no bare English to a widget, plural forms and numbers follow each
locale's rules, and the browser's Accept-Language picks the locale."""

from __future__ import annotations

import ast
import shutil
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from video_orchestrator.ui import i18n

OTHER = [code for code in i18n.LOCALES if code != i18n.DEFAULT]
#: The pages whose every text goes through the catalogue (more join as they are translated).
TRANSLATED = [
    "shell.py",
    "session.py",
    "queue_page.py",
    "projects_page.py",
    "common.py",
    "jobs_view.py",
    "trends_page.py",
    "notifications.py",
    "accounts_page.py",
    "calendar_page.py",
    "post_dialog.py",
    "experiments_page.py",
    "settings_page.py",
    "tab_voice.py",
    "tab_audio.py",
    "tab_background.py",
    "library.py",
    "media.py",
    "predictions_panel.py",
    "editor.py",
    "project_state.py",
    "tab_script.py",
    "tab_captions.py",
    "tab_export.py",
    "languages_panel.py",
    "preview_panel.py",
    "analytics_page.py",
    "feedback_panel.py",
]
#: Widget calls whose text arguments a user reads.
TEXT_CALLS = {"label", "button", "notify", "tooltip", "input", "select", "textarea", "upload"}
TEXT_KEYWORDS = {"label", "placeholder", "empty", "text"}
#: Names that are the same in every language (the product, file formats).
BRAND = {"Video Orchestrator", "CSV", "PDF"}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def catalogue(code: str) -> dict[object, object]:
    with (i18n.CATALOGUES / f"{code}.po").open("rb") as handle:
        return {m.id: m.string for m in read_po(handle, locale=code) if m.id}


@pytest.mark.parametrize("code", OTHER)
def test_every_marked_text_is_translated_with_the_same_placeholders(code: str) -> None:
    translated = catalogue(code)
    for key in i18n.used_messages():
        assert key in translated, f"{code}: {key!r} is not in the catalogue"
        got = translated[key]
        sources = [key] if isinstance(key, str) else list(key)
        forms = [got] if isinstance(got, str) else list(got)  # type: ignore[arg-type]
        assert forms and all(forms), f"{code}: {key!r} is untranslated"
        for form in forms:
            assert isinstance(form, str)
            assert fields(form) == fields(sources[-1]), f"{code}: {form!r} lost a placeholder"
            assert '"' not in form, f"{code}: {form!r} has a double quote (breaks props)"


def test_the_catalogues_are_up_to_date_with_the_code(tmp_path: Path) -> None:
    """Running the upkeep command adds and drops nothing: a developer ran it after editing."""
    copy = tmp_path / "locales"
    shutil.copytree(i18n.CATALOGUES, copy)
    i18n.update_catalogues(copy)
    for code in OTHER:
        assert (copy / f"{code}.po").read_text() == (i18n.CATALOGUES / f"{code}.po").read_text(), (
            f"{code}.po is out of date: run python -m video_orchestrator.ui.i18n"
        )


def bare_texts(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr not in TEXT_CALLS:
            continue
        args = list(node.args)
        args += [k.value for k in node.keywords if k.arg in TEXT_KEYWORDS]
        for arg in args:
            if isinstance(arg, ast.JoinedStr) or (
                isinstance(arg, ast.Constant)
                and isinstance(arg.value, str)
                and any(c.isalpha() for c in arg.value)
                and arg.value not in BRAND
            ):
                found.append(f"{path.name}:{node.lineno}: {ast.unparse(arg)[:60]}")
    return found


@pytest.mark.parametrize("name", TRANSLATED)
def test_a_translated_page_passes_no_bare_english_to_a_widget(name: str) -> None:
    assert bare_texts(i18n.UI_DIR / name) == []


def test_the_guard_finds_bare_english(tmp_path: Path) -> None:
    page = tmp_path / "page.py"
    page.write_text('ui.label("Hello")\nui.button(f"Go {x}")\nui.input(label="Name")\n')
    assert len(bare_texts(page)) == 3


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("ro-RO,ro;q=0.9,en-US;q=0.8", "ro"),
        ("pt-BR", "pt"),
        ("de-AT,de;q=0.9", "de"),
        ("fr;q=0.5, ja", "ja"),
        ("zh-CN", "en"),
        ("", "en"),
        (None, "en"),
        ("en-US,en;q=0.9,ja;q=0.8", "en"),
    ],
)
def test_the_browser_language_picks_the_locale(header: str | None, locale: str) -> None:
    assert i18n.from_header(header) == locale


def in_locale(monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    monkeypatch.setattr(i18n, "current", lambda: code)


def test_texts_plurals_and_numbers_follow_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    assert i18n.tr("Projects") == "Projects"  # outside a page: English
    in_locale(monkeypatch, "ro")
    assert i18n.tr("Projects") == "Proiecte"
    assert i18n.tr("Delete “{name}”?", name="Ocean") == "Ștergi „Ocean”?"
    plural = ("{count} render", "{count} renders")
    assert [i18n.tr_n(*plural, n) for n in (1, 3, 25)] == [
        "1 randare",
        "3 randări",
        "25 de randări",
    ]
    assert i18n.number(1234567.5, 1) == "1.234.567,5"
    in_locale(monkeypatch, "ja")
    assert i18n.tr_n(*plural, 5) == "5 件のレンダリング"
    in_locale(monkeypatch, "en")
    assert i18n.tr_n(*plural, 1) == "1 render" and i18n.tr_n(*plural, 2) == "2 renders"
    assert i18n.number(1234567.5, 1) == "1,234,567.5"
    in_locale(monkeypatch, "xx")  # an unknown code reads as English
    assert i18n.tr("Projects") == "Projects"
