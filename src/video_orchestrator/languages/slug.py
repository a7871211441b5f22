"""File names made from a video's title, in any language.

Letters of Latin-script languages are transliterated, not dropped: ``"Știați că în
București"`` → ``stiati-ca-in-bucuresti`` (``anyascii``, ISC licence; ``unidecode`` is GPL
and ``python-slugify`` needs ``text-unidecode``, Artistic/GPL). A title whose letters
transliterate badly — Chinese characters in Japanese, which anyascii reads as Mandarin
pinyin — keeps its own letters instead: a Unicode name is safe on every file system this
product writes to (NFC, no separators, no characters Windows reserves, at most 60
characters and 200 bytes).
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

MAX_CHARS = 60
MAX_BYTES = 200
_ASCII_RUN = re.compile(r"[^a-z0-9]+")
_UNICODE_RUN = re.compile(r"[^\w]+|_+")


def _han(char: str) -> bool:
    point = ord(char)
    return 0x3400 <= point <= 0x9FFF or 0xF900 <= point <= 0xFAFF or 0x20000 <= point <= 0x3FFFF


def slugify(text: str, fallback: str = "video", *, max_chars: int = MAX_CHARS) -> str:
    """A lower-case file name stem for ``text``: words joined by ``-``, never empty."""
    text = unicodedata.normalize("NFC", text)
    # emoji and symbols name nothing in a file name (anyascii would spell 🔥 as "fire")
    text = "".join(" " if unicodedata.category(ch) in ("So", "Cf", "Co") else ch for ch in text)
    if any(_han(ch) for ch in text):
        slug = _UNICODE_RUN.sub("-", text.casefold()).strip("-")
    else:
        slug = _ASCII_RUN.sub("-", anyascii(text).lower()).strip("-")
    slug = _cut(slug, max_chars)
    return slug or fallback


def _cut(slug: str, max_chars: int) -> str:
    """At most ``max_chars`` characters and :data:`MAX_BYTES` bytes, cut between words (at
    a ``-``) and never inside one unless the first word alone is too long; never ending in
    ``-``."""
    if len(slug) <= max_chars and len(slug.encode()) <= MAX_BYTES:
        return slug
    cut = slug[: max_chars + 1]  # one more: a word ending exactly at the limit is kept
    while len(cut.encode()) > MAX_BYTES + 1:
        cut = cut[:-1]
    dash = cut.rfind("-")
    cut = cut[:dash] if dash > 0 else cut[:max_chars]
    return cut.strip("-")
