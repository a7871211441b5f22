"""Which packaged font sets text of a writing system: pure data and one choice (ADR 0032).

The caption styles (``caption_styles.py``) are designed in Latin display faces (Anton,
Montserrat, Noto Sans) that have no Chinese, Japanese or Korean glyphs. Text in those
scripts is set in the packaged CJK face instead, chosen from the language or, when the
language says nothing (an English script quoting 東京), from the text itself: one face per
caption track or overlay, so a line never mixes a Latin display face with fallback glyphs of
another design and size. Hebrew, Arabic, Devanagari, Thai … stay with fontconfig's fallback
to the Noto faces (``render/fonts.py``), which libass already does per glyph.
"""

from __future__ import annotations

from collections.abc import Iterable

#: The packaged face for Chinese, Japanese and Korean text (package ``noto-cjk-sans-jp-bold``:
#: Noto Sans CJK JP Bold, OFL-1.1; its Japanese glyph forms are the default).
CJK_FONT = "Noto Sans CJK JP"
#: Primary language subtags whose text is set in ``CJK_FONT``.
CJK_LANGUAGES = frozenset({"ja", "zh", "yue", "wuu", "ko"})

#: Code point ranges of CJK characters: kana, Han, Hangul, CJK punctuation, full-width forms.
_CJK_RANGES = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。「」)
    (0x3040, 0x30FF),  # hiragana, katakana
    (0x3100, 0x31FF),  # bopomofo, Hangul compatibility Jamo, kanbun, katakana extensions
    (0x3200, 0x4DBF),  # enclosed CJK, compatibility, extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF00, 0xFFEF),  # half-width and full-width forms
    (0x20000, 0x3FFFF),  # ideographic extensions B …
)


def is_cjk(char: str) -> bool:
    """Whether ``char`` is a Chinese, Japanese or Korean character (or CJK punctuation)."""
    point = ord(char)
    return any(low <= point <= high for low, high in _CJK_RANGES)


def _primary(language: str) -> str:
    return language.strip().replace("_", "-").split("-", 1)[0].lower()


def font_for_text(font: str, language: str, texts: Iterable[str]) -> str:
    """The family to set ``texts`` in: ``font`` (the style's), or ``CJK_FONT`` when the
    language is Chinese, Japanese or Korean or any of the texts has a CJK character."""
    if _primary(language) in CJK_LANGUAGES:
        return CJK_FONT
    if any(is_cjk(char) for text in texts for char in text):
        return CJK_FONT
    return font
