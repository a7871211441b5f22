"""Every caption style's look, in one table: what the style picker, the API and the renderer read.

A style (``CaptionPreset``, declared in ``vocabulary.py``) is a :class:`CaptionDesign`: a
description for people, the ``CaptionStyle`` fields it starts from (``look``: font, size,
colours …; a user's or a spec's own values win) and how the renderer animates it (one word or
a cue at a time, how the spoken word is marked, the entrance, the border). ``render/ass.py``
turns a design into ASS; nothing here knows ASS. Pure data (see docs/adr/0022-caption-styles.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from video_orchestrator.spec.vocabulary import CAPTION_PRESETS, CaptionPreset

#: How the word being spoken stands out: not at all, in the highlight colour, in the highlight
#: colour and growing (a bounce), on a box in ``box_colour``, filled in (hollow letters), or
#: popping (overshooting its size, then settling larger) while its colour sweeps in.
Marking = Literal["none", "colour", "scale", "box", "fill", "pop"]
#: How a cue (or a single word) arrives: as it is, settling from 92 %, popping up from small,
#: or slamming down from large.
Entrance = Literal["none", "settle", "pop", "slam"]
#: The letters' edge: an outline (and shadow), an opaque box in ``box_colour`` behind every
#: line, or an outline only (hollow letters).
Border = Literal["outline", "box", "hollow"]


@dataclass(frozen=True)
class CaptionDesign:
    description: str
    look: Mapping[str, object] = field(default_factory=dict)
    one_word: bool = False
    active: Marking = "none"
    entrance: Entrance = "none"
    border: Border = "outline"
    #: Numbers and each sentence's key word in ``emphasis_colour``.
    emphasis: bool = False
    #: Blur of the edges in px: a glow in the outline colour.
    glow: float = 0
    #: The shadow's colour (``#RRGGBB[AA]``); None: the outline colour at 55 %.
    shadow_colour: str | None = None
    #: Font weight (100–900); None: bold.
    weight: int | None = None
    #: A vertical gradient fill of the letters, (top colour, bottom colour) ``#RRGGBB``;
    #: the style's ``colour`` should be the top one.
    gradient: tuple[str, str] | None = None


_MONTSERRAT_HEAVY = {"font": "Montserrat", "size": 80, "max_chars_per_line": 16}
_SENTENCE_CASE = {"uppercase": False, "max_chars_per_line": 30, "max_words": 12}

CAPTION_DESIGNS: Mapping[CaptionPreset, CaptionDesign] = {
    "karaoke": CaptionDesign(
        "the spoken word lights up in the highlight colour",
        active="colour",
        entrance="settle",
    ),
    "pop": CaptionDesign("one word at a time, popping in", one_word=True, entrance="pop"),
    "clean": CaptionDesign("two plain lines, no animation"),
    "bounce": CaptionDesign(
        "the spoken word grows and bounces in green",
        look={**_MONTSERRAT_HEAVY, "highlight_colour": "#4DFF7C", "outline": 8, "shadow": 4},
        active="scale",
        entrance="settle",
        weight=900,
    ),
    "highlight": CaptionDesign(
        "a coloured box behind the spoken word",
        look={**_MONTSERRAT_HEAVY, "highlight_colour": "#FFFFFF", "box_colour": "#7C3AED"},
        active="box",
        weight=900,
    ),
    "emphasis": CaptionDesign(
        "numbers and key words in an accent colour",
        look={**_MONTSERRAT_HEAVY, "emphasis_colour": "#FFD400", "outline": 8},
        entrance="settle",
        emphasis=True,
        weight=900,
    ),
    "punch": CaptionDesign(
        "one big word at a time, slammed in; numbers and key words in red",
        look={"size": 124, "max_chars_per_line": 12, "emphasis_colour": "#FF3B30", "outline": 9},
        one_word=True,
        entrance="slam",
        emphasis=True,
    ),
    "subtitles": CaptionDesign(
        "two clean lines in sentence case, like film subtitles",
        look={"font": "Noto Sans", "size": 60, "outline": 3, "shadow": 2, **_SENTENCE_CASE},
    ),
    "boxed": CaptionDesign(
        "white text on an opaque black box",
        look={
            "font": "Noto Sans",
            "size": 60,
            "box_colour": "#000000E0",
            "outline": 14,
            "shadow": 0,
            **_SENTENCE_CASE,
        },
        border="box",
    ),
    "outline": CaptionDesign(
        "hollow letters; the spoken word fills in",
        look={"size": 104, "outline_colour": "#FFFFFF", "outline": 4, "shadow": 0},
        active="fill",
        border="hollow",
    ),
    "neon": CaptionDesign(
        "glowing pink edges; the spoken word in cyan",
        look={
            **_MONTSERRAT_HEAVY,
            "highlight_colour": "#6CF6FF",
            "outline_colour": "#FF2BD6",
            "outline": 6,
            "shadow": 0,
        },
        active="colour",
        glow=5,
        weight=900,
    ),
    "shadow": CaptionDesign(
        "a hard indigo drop shadow, like a sticker",
        look={**_MONTSERRAT_HEAVY, "outline": 4, "shadow": 9},
        entrance="settle",
        shadow_colour="#1B1464",
        weight=900,
    ),
    "kinetic": CaptionDesign(
        "the spoken word pops up and sweeps into yellow; key words in green",
        look={
            **_MONTSERRAT_HEAVY,
            "size": 84,
            "highlight_colour": "#FFD400",
            "emphasis_colour": "#39E75F",
            "outline": 8,
            "shadow": 3,
        },
        active="pop",
        entrance="settle",
        emphasis=True,
        weight=900,
    ),
    "gradient": CaptionDesign(
        "letters filled with a sunset gradient; the spoken word pops",
        look={
            "size": 100,
            "colour": "#FFF27A",
            "highlight_colour": "#FFF27A",
            "outline_colour": "#2A0845",
            "outline": 7,
            "shadow": 4,
            "max_chars_per_line": 14,
        },
        active="pop",
        entrance="settle",
        gradient=("#FFF27A", "#FF4F8B"),
    ),
}

assert tuple(CAPTION_DESIGNS) == CAPTION_PRESETS, "one design per caption style, in order"


def caption_design(preset: CaptionPreset) -> CaptionDesign:
    """The design of the caption style ``preset``."""
    return CAPTION_DESIGNS[preset]


#: Each style's one-line description, in the vocabulary's order (the style picker, the API).
CAPTION_STYLE_DESCRIPTIONS: Mapping[CaptionPreset, str] = {
    name: design.description for name, design in CAPTION_DESIGNS.items()
}
