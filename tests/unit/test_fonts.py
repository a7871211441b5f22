"""Packaged fonts, private fontconfig and coverage checks (render/fonts.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from video_orchestrator.errors import FontCoverageError
from video_orchestrator.render.fonts import (
    FontEnvironment,
    check_coverage,
    font_environment,
    font_heights,
    list_fonts,
    missing_characters,
)


@pytest.fixture(scope="module")
def fonts(tmp_path_factory: pytest.TempPathFactory) -> FontEnvironment:
    return font_environment(tmp_path_factory.mktemp("cache"))


def test_directory_and_private_config(fonts: FontEnvironment) -> None:
    files = sorted(p.name for p in fonts.fonts_dir.iterdir())
    assert any("Anton" in name for name in files)
    assert any("Montserrat" in name for name in files)
    assert any("NotoEmoji" in name for name in files)
    conf = Path(fonts.env["FONTCONFIG_FILE"])
    text = conf.read_text(encoding="utf-8")
    assert f"<dir>{fonts.fonts_dir}</dir>" in text
    # Only our directory: nothing from the system.
    assert text.count("<dir>") == 1
    assert "/usr/share/fonts" not in text and "<include" not in text
    for path in fonts.fonts_dir.iterdir():
        assert path.resolve().is_file()


def test_families(fonts: FontEnvironment) -> None:
    families = list_fonts(fonts)
    for family in (
        "Anton",
        "Montserrat",
        "Noto Sans",
        "Noto Emoji",
        "Noto Sans Hebrew",
        "Noto Sans Arabic",
        "Noto Sans Devanagari",
        "Noto Sans Thai",
        "Noto Sans CJK JP",
    ):
        assert family in families
    assert families == sorted(set(families))


def test_building_again_reuses_the_directory(fonts: FontEnvironment, tmp_path: Path) -> None:
    cache = fonts.fonts_dir.parent.parent.parent
    again = font_environment(cache)
    assert again.fonts_dir == fonts.fonts_dir
    assert again.env == fonts.env


def test_japanese_chinese_and_korean_are_covered_by_the_packaged_cjk_font(
    fonts: FontEnvironment,
) -> None:
    assert "Noto Sans CJK JP" in list_fonts(fonts)
    text = "日本語のテキスト、カタカナ！「東京」ｶﾀｶﾅ 한국어 简体中文 𠀋"
    assert missing_characters(text, fonts) == []
    check_coverage(text, fonts)
    conf = Path(fonts.env["FONTCONFIG_FILE"]).read_text(encoding="utf-8")
    assert "<family>Noto Sans CJK JP</family>" in conf  # a fallback for CJK glyphs


def test_ideographs_beyond_the_packaged_cjk_font_are_refused_with_cjk_advice(
    fonts: FontEnvironment,
) -> None:
    rare = "\U00030000"  # CJK Unified Ideographs Extension G
    assert missing_characters(f"日本{rare}", fonts) == [rare]
    with pytest.raises(FontCoverageError) as caught:
        check_coverage(f"Hello 日本{rare}!", fonts)
    message = str(caught.value)
    assert "U+30000" in message
    assert "CJK" in message and "noto-cjk-sans-jp-bold" in message


@pytest.mark.parametrize(
    "text",
    [
        "Hello, world!",
        "Ünïcödé àçcénts ñ ß ẞ",
        "שלום עולם",
        "مرحبا بالعالم",
        "नमस्ते",
        "สวัสดี",
        "Emoji 🙂🔥🚀 👍🏽 ❤️ 👨\u200d👩\u200d👧",
        "Zero\u200bwidth\u200d joiners\ufe0f and\tspaces\n",
        '{\\b1}Hi\\N "x", [y]; a:b \\\\ 🙂 שלום',
    ],
)
def test_covered_text_passes(fonts: FontEnvironment, text: str) -> None:
    check_coverage(text, fonts)


def test_heights_for_em_sizing(fonts: FontEnvironment) -> None:
    heights = font_heights(fonts)
    assert heights["anton"] == pytest.approx(1.7334, abs=1e-3)
    assert 1.0 < heights["noto sans"] < 2.0
    assert heights["noto sans cjk jp"] == pytest.approx(1.448, abs=1e-3)


def test_other_scripts_get_generic_advice(fonts: FontEnvironment) -> None:
    with pytest.raises(FontCoverageError, match="font for that script"):
        check_coverage("\u16a0\u16a1", fonts)  # runic
