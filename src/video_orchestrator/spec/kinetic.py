"""Kinetic typography's layout and timing, pure: which words of a :class:`KineticText` share a
line, and the frame each word starts to enter (``render/kinetic.py`` draws them; the spec
builder uses the line count to place an illustration below the phrase; ADR 0050)."""

from __future__ import annotations

from itertools import combinations, pairwise

from video_orchestrator.spec.captions import display_text, joiner_for, text_width
from video_orchestrator.spec.model import KineticText

#: A line advances this many ems below the one above it (Anton's capitals leave room).
LINE_STEP = 1.18
#: One unit of ``max_chars_per_line`` is about this many ems wide (Anton's capitals average
#: 0.47 em; a full-width character is two units of 0.5 em).
UNIT_EMS = 0.5


def shown_words(text: KineticText) -> list[str]:
    """The words as drawn (spaces tidied; capitals when ``uppercase``)."""
    words = [display_text(word) for word in text.words]
    return [word.upper() for word in words] if text.uppercase else words


def kinetic_lines(text: KineticText) -> list[list[int]]:
    """The word indices of each line: the fewest lines whose widths stay within
    ``max_chars_per_line`` (a word wider than that has a line of its own), then the split
    whose widest line is narrowest (ties: the earliest lines fuller)."""
    widths = [text_width(word) for word in shown_words(text)]
    gap = text_width(joiner_for(text.language))
    limit = text.max_chars_per_line
    count = len(widths)

    def width(first: int, stop: int) -> int:
        return sum(widths[first:stop]) + gap * (stop - first - 1)

    for lines in range(1, count + 1):
        best: tuple[tuple[int, tuple[int, ...]], list[list[int]]] | None = None
        for cuts in combinations(range(1, count), lines - 1):
            bounds = (0, *cuts, count)
            spans = list(pairwise(bounds))
            if not all(width(a, b) <= limit or b - a == 1 for a, b in spans):
                continue
            rank = (max(width(a, b) for a, b in spans), tuple(a - b for a, b in spans))
            if best is None or rank < best[0]:
                best = (rank, [list(range(a, b)) for a, b in spans])
        if best is not None:
            return best[1]
    return [[index] for index in range(count)]


def entrances(text: KineticText, total: int) -> list[int]:
    """The frame each word starts to enter: ``stagger`` apart from ``start``, closer together
    when the phrase is too short to let the last word finish entering before it fades out."""
    end = min(text.end if text.end is not None else total, total)
    count = len(text.words)
    room = end - text.exit - text.enter - text.start
    step = text.stagger
    if count > 1 and step * (count - 1) > room:
        step = max(room, 0) // (count - 1)
    return [text.start + index * step for index in range(count)]


def phrase_height(text: KineticText) -> int:
    """How far below ``area.top`` the phrase's last line ends, in px."""
    return round(len(kinetic_lines(text)) * LINE_STEP * text.size)
