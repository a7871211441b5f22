"""What a generated scene's kinetic typography says and in which colours (ADR 0050).

:func:`key_phrase` picks 2–5 consecutive words of the scene's narration, as written (a viewer
recognises them when they are spoken): a run inside one clause that never begins or ends
with a stop word, scored by the nouns the keyword code ranks (``pipeline/keywords.py``:
lemmas, names, no units or generic words) and the scene's keywords. Languages written
without spaces take one to three whole BudouX phrases (``text.tokenize``) with the most
kanji and katakana, no particle left hanging. :func:`phrase_colours` derives the outline and
the accent from the scene's palette (``data/palettes.json``): a near-black outline of its
darkest colour, an accent of the complement of its most colourful one.
"""

from __future__ import annotations

import colorsys
import re
from collections.abc import Sequence
from dataclasses import dataclass

from video_orchestrator.languages import primary
from video_orchestrator.languages.lemmas import lemma_of
from video_orchestrator.pipeline.keywords import ranked_terms
from video_orchestrator.pipeline.script_writer import language_data, stop_words_for
from video_orchestrator.spec.captions import text_width
from video_orchestrator.text import (
    content_words,
    one_line,
    sentences_by_punctuation,
    tokenize,
    uses_spaces,
)

MIN_WORDS = 2
MAX_WORDS = 5
#: A phrase is at most this wide (display cells, a full-width character two): three lines.
MAX_WIDTH = 30
#: Languages without spaces: at most this many characters, in at most this many phrases.
MAX_UNSPACED_CHARS = 10
MAX_UNSPACED_PHRASES = 3
#: What each content word adds beside the nouns' scores (a noun with its adjective or verb
#: beats the noun alone); what a stop word inside the run costs.
CONTENT_BONUS = 0.25
INNER_STOP_COST = 0.4
#: A word the keyword code counts fully (a noun the sentence shows as one, or a name); a
#: phrase ending on anything else (a verb, an adjective, a possible noun) pays
#: :data:`VERB_END_COST`.
SURE_NOUN = 1.0
#: What ending on a word that is no sure noun costs ("giant tube worms" beats "giant tube worms
#: live beside").
VERB_END_COST = 1.0
#: A scene keyword's extra weight.
KEYWORD_BONUS = 1.0
#: WCAG contrast the accent keeps against the outline around it.
ACCENT_CONTRAST = 7.0
TEXT_COLOUR = "#FFFFFF"
#: How colourful the accent is (HSV saturation): a light colour, never read as white.
ACCENT_SATURATION = 0.6

_CLAUSE = re.compile(r"[,;:—–()\[\]\"“”«»]|\s-\s|[、，；：]")
_EDGE_PUNCTUATION = "\"'“”‘’«»()[]¿¡.,;:!?…"
_CONTENT_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff々\u30a1-\u30faー]")
_HANGING = ("が", "は", "を", "に", "で", "と", "も", "の", "へ", "や", "、")


@dataclass(frozen=True, slots=True)
class KeyPhrase:
    """The words of a scene's phrase as written, and the one to draw in the accent colour."""

    words: tuple[str, ...]
    accent: int | None


def _clauses(narration: str) -> list[str]:
    return [
        part.strip()
        for sentence in sentences_by_punctuation(one_line(narration))
        for part in _CLAUSE.split(sentence)
        if part.strip()
    ]


def key_phrase(narration: str, language: str, keywords: Sequence[str] = ()) -> KeyPhrase | None:
    """The scene's key phrase (2–5 words), or None when no run of its narration has a noun
    worth showing."""
    if not narration.strip():
        return None
    if not uses_spaces(language):
        return _unspaced_phrase(narration, language, keywords)
    code = primary(language)
    stops = stop_words_for(language)
    data = language_data(language)
    # two and up (never "one", which is an article in many languages: un, um, ein)
    numbers = frozenset(w.casefold() for w in data.number_words)
    scores = {term.key: term.score for term in ranked_terms(narration, language)}
    for key in {word.casefold() for keyword in keywords for word in keyword.split()}:
        if key in scores:  # each word of a keyword ("tube worm": tube, worm)
            scores[key] += KEYWORD_BONUS

    def value(word: str) -> float:
        lemma = lemma_of(word, code).text.casefold()
        return scores.get(lemma, scores.get(word.casefold(), 0.0))

    best: tuple[float, int] | None = None
    chosen: KeyPhrase | None = None
    order = 0
    for clause in _clauses(narration):
        words = [w.strip(_EDGE_PUNCTUATION) for w in clause.split()]
        words = [w for w in words if w and any(ch.isalnum() for ch in w)]
        content = [bool(content_words(w, stops)) for w in words]
        values = [value(w) if c else 0.0 for w, c in zip(words, content, strict=True)]
        # a number may open a phrase before a content word (three hearts, 3,000 metres)
        # unless it belongs to the word before it (Voyager 1); it never ends one, nor opens
        # a run of stop words (soixante-dix pour cent de la Terre)
        opens = [
            c
            or (
                (w.casefold() in numbers or w[:1].isdigit())
                and index + 1 < len(words)
                and content[index + 1]
                and (index == 0 or not content[index - 1])
            )
            for index, (w, c) in enumerate(zip(words, content, strict=True))
        ]
        for first in range(len(words)):
            for stop in range(first + MIN_WORDS, min(first + MAX_WORDS, len(words)) + 1):
                order += 1
                if not (opens[first] and content[stop - 1]):
                    continue
                run = words[first:stop]
                if text_width(" ".join(run)) > MAX_WIDTH:
                    break
                nouns = values[first:stop]
                if max(nouns) <= 0:
                    continue
                kept = sum(opens[first:stop])
                score = sum(nouns) + CONTENT_BONUS * kept - INNER_STOP_COST * (len(run) - kept)
                if nouns[-1] < SURE_NOUN:
                    score -= VERB_END_COST
                rank = (score, -order)
                if best is None or rank > best:
                    accent = max(range(len(run)), key=lambda i: (nouns[i], -i))
                    best, chosen = rank, KeyPhrase(tuple(run), accent)
    return chosen


def _unspaced_phrase(narration: str, language: str, keywords: Sequence[str]) -> KeyPhrase | None:
    """One to three whole BudouX phrases of one clause with the most kanji and katakana (a
    scene keyword counts extra), at most :data:`MAX_UNSPACED_CHARS` characters."""
    terms = [term.key for term in ranked_terms(narration, language)][:3] + list(keywords)
    best: tuple[float, int] | None = None
    chosen: KeyPhrase | None = None
    order = 0
    for clause in _clauses(narration):
        phrases = [p for p in tokenize(clause, language) if p.strip()]
        for first in range(len(phrases)):
            for stop in range(first + 1, min(first + MAX_UNSPACED_PHRASES, len(phrases)) + 1):
                order += 1
                run = [p.strip() for p in phrases[first:stop]]
                run[-1] = _unhung(run[-1].rstrip("。！？!?…"))
                text = "".join(run)
                if len(text) > MAX_UNSPACED_CHARS:
                    break
                content = len(_CONTENT_CHAR.findall(text))
                if not content or not run[-1]:
                    continue
                score = content + sum(2 for term in terms if term and term in text)
                rank = (score, -order)
                if best is None or rank > best:
                    accent = max(
                        range(len(run)), key=lambda i: (len(_CONTENT_CHAR.findall(run[i])), -i)
                    )
                    best, chosen = rank, KeyPhrase(tuple(run), accent)
    return chosen


def _unhung(text: str) -> str:
    """``text`` without a particle hanging at its end (a content word stays whole)."""
    if len(text) > 1 and text.endswith(_HANGING) and _CONTENT_CHAR.match(text[-2]):
        return text[:-1]
    return text


# ---------------------------------------------------------------- colours


def _channels(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _hex(channels: Sequence[float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02X}" for c in channels)


def _mix(colour: str, other: str, share: float) -> str:
    a, b = _channels(colour), _channels(other)
    return _hex([x + (y - x) * share for x, y in zip(a, b, strict=True)])


def luminance(colour: str) -> float:
    """WCAG relative luminance of ``#RRGGBB``."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(colour: str, other: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    high, low = sorted((luminance(colour), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def phrase_colours(palette: Sequence[str]) -> tuple[str, str, str]:
    """``(text, accent, outline)`` for a phrase over a background of ``palette``: white
    text; an outline of the palette's darkest colour, darkened to near black; the accent
    the complement of the palette's most colourful colour (its hue turned half way round),
    light (HSV value 1, saturation :data:`ACCENT_SATURATION`), so it stands out from the
    background the palette paints and from the white words, and keeps
    :data:`ACCENT_CONTRAST` against the outline around it (made lighter if it would not)."""
    darkest = min(palette, key=luminance)
    outline = _mix(darkest, "#000000", 0.6)
    source = max(palette, key=lambda c: (_saturation(c) * max(_channels(c)), c))
    red, green, blue = (channel / 255 for channel in _channels(source))
    hue, _, _ = colorsys.rgb_to_hsv(red, green, blue)
    complement = colorsys.hsv_to_rgb((hue + 0.5) % 1.0, ACCENT_SATURATION, 1.0)
    accent = _hex([channel * 255 for channel in complement])
    share = 0.0
    while contrast(_mix(accent, "#FFFFFF", share), outline) < ACCENT_CONTRAST and share < 1:
        share += 0.1
    return TEXT_COLOUR, _mix(accent, "#FFFFFF", min(share, 1.0)), outline


def _saturation(colour: str) -> float:
    channels = _channels(colour)
    high, low = max(channels), min(channels)
    return 0.0 if high == 0 else (high - low) / high
