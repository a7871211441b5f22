"""libass gets only the fonts a render's captions draw with (ADR 0047): the families the
ASS document names and, for characters those lack, the first font that has them."""

from pathlib import Path

from video_orchestrator.render.font_subset import fonts_for, link_fonts
from video_orchestrator.render.fonts import FontFile

ASCII = frozenset(range(32, 127))
FONTS = [
    FontFile("anton.ttf", "Anton", ASCII),
    FontFile("montserrat.ttf", "Montserrat", ASCII | {0xE9}),
    FontFile("noto-sans.ttf", "Noto Sans", ASCII | {0xE9, 0x0103}),
    FontFile("noto-emoji.ttf", "Noto Emoji", frozenset({0x1F419})),
    FontFile("cjk.otf", "Noto Sans CJK JP", ASCII | {0x65E5, 0x672C}),
]


def document(style_font: str, text: str) -> str:
    return (
        "[V4+ Styles]\n"
        "Format: Name, Fontname, Fontsize, PrimaryColour\n"
        f"Style: Caption,{style_font},92,&H00FFFFFF\n\n[Events]\n"
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
        f"Dialogue: 0,0:00:00.00,0:00:01.00,Caption,,0,0,0,,{text}\n"
    )


def test_latin_captions_need_only_their_own_font() -> None:
    assert fonts_for(document("Anton", r"{\c&H00FFFF&}DEEP, OCEAN!\NNEXT"), FONTS) == ["anton.ttf"]


def test_characters_the_font_lacks_bring_the_first_font_that_has_them() -> None:
    # ă is only in Noto Sans; 日本 only in the CJK font; é is then covered by Noto Sans
    names = fonts_for(document("Anton", "ADÂNC ă é 日本"), FONTS)
    assert names == ["anton.ttf", "noto-sans.ttf", "cjk.otf"]
    assert fonts_for(document("Anton", "🐙"), FONTS) == ["anton.ttf", "noto-emoji.ttf"]


def test_override_fonts_and_style_families_are_all_kept() -> None:
    names = fonts_for(document("anton", r"A {\fnMontserrat}B"), FONTS)
    assert names == ["anton.ttf", "montserrat.ttf"]


def test_no_document_needs_no_font() -> None:
    assert fonts_for("", FONTS) == []


def test_linked_fonts_are_the_same_files(tmp_path: Path) -> None:
    source = tmp_path / "all"
    source.mkdir()
    (source / "anton.ttf").write_bytes(b"font bytes")
    (source / "cjk.otf").write_bytes(b"big font")
    target = link_fonts(["anton.ttf"], source, tmp_path / "render" / "fonts")
    assert sorted(p.name for p in target.iterdir()) == ["anton.ttf"]
    assert (target / "anton.ttf").read_bytes() == b"font bytes"
