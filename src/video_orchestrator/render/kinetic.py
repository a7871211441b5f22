r"""Kinetic typography (:class:`KineticText`) as ASS events, burned in by the same libass
filter as the captions, in the same single FFmpeg pass (ADR 0001, ADR 0050).

Each line of the phrase is one event anchored at its bottom centre (``\an2\pos``), so a word
growing does not move the other lines. Every word is its own run of override tags: hidden
and squashed to ``RISE_FROM`` % height until its entrance, then, over ``enter`` frames, it
grows up out of its baseline to full height and fades in (``\t`` with an easing that starts
fast and settles), holds, and fades out over the ``exit`` frames before the end. Only the
height and the transparency change, never a width, so the line never reflows while its words
arrive. Times inside ``\t`` are milliseconds from the event's start.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from video_orchestrator.render.ass_escape import escape_text, style_name_field
from video_orchestrator.render.ass_units import (
    ass_colour,
    ass_size,
    ass_time,
    frame_to_centiseconds,
    num,
    rgba,
    style_line,
)
from video_orchestrator.spec.captions import joiner_for
from video_orchestrator.spec.kinetic import LINE_STEP, entrances, kinetic_lines, shown_words
from video_orchestrator.spec.model import KineticText
from video_orchestrator.spec.scripts import font_for_text

#: Under the captions (layer 10), over text overlays (layer 5).
KINETIC_LAYER = 6
#: A word starts its entrance at this percentage of its height …
RISE_FROM = 20
#: … and grows with this ``\t`` acceleration (below 1: fast at first, then settling).
EASE = 0.5
#: The shadow's opacity, as the captions'.
SHADOW_OPACITY = 0.55


def kinetic_font(text: KineticText) -> str:
    """The family the phrase is set in (the packaged CJK face for CJK, ADR 0032)."""
    return font_for_text(text.font, text.language, text.words)


def kinetic_style(name: str, text: KineticText, heights: Mapping[str, float]) -> str:
    """The ASS style line of the phrase ``name``."""
    font = kinetic_font(text)
    return style_line(
        name,
        font=style_name_field(font, "kinetic typography font"),
        size=ass_size(text.size, font, heights),
        primary=ass_colour(text.colour),
        secondary=ass_colour(text.colour),
        outline_colour=ass_colour(text.outline_colour),
        back=ass_colour(text.outline_colour, opacity=SHADOW_OPACITY),
        border_style=1,
        outline=text.outline,
        shadow=text.shadow,
        alignment=2,
        margins=(0, 0, 0),
    )


def _alpha(value: int) -> str:
    return f"&H{value:02X}&"


def _colour(colour: str) -> str:
    red, green, blue, _ = rgba(colour)
    return f"&H{blue:02X}{green:02X}{red:02X}&"


def kinetic_events(
    name: str, text: KineticText, width: int, total: int, fps: int
) -> list[tuple[int, str]]:
    """``(start frame, Dialogue line)`` of each line of the phrase (none when it starts at or
    after ``total``)."""
    end = min(text.end if text.end is not None else total, total)
    if text.start >= end:
        return []
    words = shown_words(text)
    arrive = entrances(text, total)
    start_ms = 10 * frame_to_centiseconds(text.start, fps)

    def ms(frame: int) -> int:
        return max(round(Fraction(1000 * frame, fps)) - start_ms, 0)

    fill = 255 - rgba(text.colour)[3]
    edge = 255 - rgba(text.outline_colour)[3]
    shade = 255 - round(rgba(text.outline_colour)[3] * SHADOW_OPACITY)
    shown = f"\\1a{_alpha(fill)}\\3a{_alpha(edge)}\\4a{_alpha(shade)}"
    hidden = f"\\1a{_alpha(255)}\\3a{_alpha(255)}\\4a{_alpha(255)}"
    out_from = max(end - text.exit, text.start)

    def run(index: int) -> str:
        colour = text.accent_colour if index == text.accent else text.colour
        begin, done = ms(arrive[index]), ms(min(arrive[index] + text.enter, end))
        tags = f"\\1c{_colour(colour)}{hidden}\\fscy{RISE_FROM}"
        tags += f"\\t({begin},{done},{num(EASE)},{shown}\\fscy100)"
        if text.exit:
            tags += f"\\t({ms(out_from)},{ms(end)},{hidden})"
        return f"{{{tags}}}{escape_text(words[index], newlines='space')}"

    left, right = text.area.left, width - text.area.right
    if right <= left:
        left, right = 0, width
    x = (left + right) / 2
    joiner = joiner_for(text.language)
    events: list[tuple[int, str]] = []
    for number, line in enumerate(kinetic_lines(text), start=1):
        bottom = text.area.top + number * LINE_STEP * text.size
        body = joiner.join(run(index) for index in line)
        events.append(
            (
                text.start,
                f"Dialogue: {KINETIC_LAYER},{ass_time(text.start, fps)},{ass_time(end, fps)},"
                f"{name},,0,0,0,,{{\\an2\\pos({num(x)},{num(bottom)})}}{body}",
            )
        )
    return events
