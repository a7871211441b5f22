r"""Colour emoji in burned-in captions: a gap in the ASS line, a picture laid over it.

libass draws glyphs in one colour, so an emoji of a caption is not left to it: the emoji's
place in the line is held by an invisible ASS drawing of the picture's width (a "spacer",
``\p1``), and the compiler overlays the emoji drawn in colour (``render/emoji.py``) at that
place, from the first to the last frame of each caption event that shows it: the same single
FFmpeg pass, in sync with the word. Where libass puts the spacer is worked out here from the
font's own advances (``render/text_measure.py``): lines are centred on the anchor, lines are
``(win ascent + win descent) × size`` apart, the picture is centred on the capital letters'
middle. An emoji the emoji font lacks stays text (ADR 0040).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from video_orchestrator.render.text_measure import TextMeasure
from video_orchestrator.spec.captions import graphemes

#: The picture's side, as a share of the em size: a little larger than capital letters.
EMOJI_SIDE = 0.92
#: Room on each side of the picture inside its gap, as a share of the em size.
EMOJI_PAD = 0.06


@dataclass(frozen=True, slots=True)
class EmojiPlacement:
    """One colour emoji over the captions: its top-left corner and side in output px,
    shown from frame ``start`` to ``end`` (exclusive)."""

    emoji: str
    x: int
    y: int
    side: int
    start: int
    end: int


def split_emoji(text: str, drawable: Callable[[str], bool]) -> list[tuple[str, bool]]:
    """``text`` as runs: ``(text, False)`` for letters, ``(emoji, True)`` for each emoji
    that ``drawable`` says is drawn in colour."""
    runs: list[tuple[str, bool]] = []
    for cluster in graphemes(text):
        if drawable(cluster):
            runs.append((cluster, True))
        elif runs and not runs[-1][1]:
            runs[-1] = (runs[-1][0] + cluster, False)
        else:
            runs.append((cluster, False))
    return runs


@dataclass(frozen=True)
class EmojiLayout:
    """How the captions of one track are set: enough to find where libass puts each gap."""

    measure: TextMeasure
    family: str
    weight: int
    size: float  # em size in px
    x: float  # the anchor: lines are centred on x
    y: float  # … and hang from / stand on / centre on y
    anchor: str  # "top" | "bottom" | "center"
    drawable: Callable[[str], bool]

    def side(self, scale: float = 1.0) -> int:
        """The picture's side in px for a word drawn at ``scale``."""
        return max(4, round(self.size * EMOJI_SIDE * scale))

    def gap(self) -> int:
        """The spacer's width at the word's own size (libass scales it with the word): the
        picture and a little room either side."""
        return self.side() + 2 * round(self.size * EMOJI_PAD)

    def box_extent(self) -> tuple[int, int]:
        """How far a boxed gap reaches above and below the baseline, in px: as the box
        behind the letters (from the capitals' top to the descent)."""
        metrics = self.measure.metrics(self.family, self.weight)
        return round(metrics.cap_height * self.size), round(metrics.descent * self.size * 0.8)

    def place(
        self,
        lines: Sequence[Sequence[str]],
        joiner: str,
        scales: Sequence[float],
        start: int,
        end: int,
    ) -> list[EmojiPlacement]:
        """The emoji of a cue shown from ``start`` to ``end``: ``lines`` of words as shown
        (case applied), each word drawn at ``scales[i]`` (words counted across lines)."""
        metrics = self.measure.metrics(self.family, self.weight)
        line_height = self.size * (metrics.ascent + metrics.descent)
        # A line holding a grown word is as much taller (libass sizes lines by their glyphs).
        grown: list[float] = []
        counted = 0
        for line in lines:
            grown.append(line_height * max(scales[counted : counted + len(line)], default=1.0))
            counted += len(line)
        block = sum(grown)
        top = {"top": self.y, "bottom": self.y - block, "center": self.y - block / 2}[self.anchor]
        placed: list[EmojiPlacement] = []
        index = 0
        for number, line in enumerate(lines):
            line_scale = grown[number] / line_height
            baseline = top + sum(grown[:number]) + metrics.ascent * self.size * line_scale
            items: list[tuple[str, bool, float]] = []  # (text, is emoji, scale)
            for position, word in enumerate(line):
                scale = scales[index] if index < len(scales) else 1.0
                index += 1
                if position:
                    items.append((joiner, False, 1.0))
                items.extend((run, emoji, scale) for run, emoji in split_emoji(word, self.drawable))
            widths = [self._width(text, emoji, scale) for text, emoji, scale in items]
            left = self.x - sum(widths) / 2
            for (text, emoji, scale), width in zip(items, widths, strict=True):
                if emoji:
                    side = self.side(scale)
                    middle = baseline - metrics.cap_height * self.size * scale / 2
                    placed.append(
                        EmojiPlacement(
                            text,
                            round(left + (width - side) / 2),
                            round(middle - side / 2),
                            side,
                            start,
                            end,
                        )
                    )
                left += width
        return placed

    def _width(self, text: str, emoji: bool, scale: float) -> float:
        if emoji:
            return self.gap() * scale
        return self.measure.width(self.family, self.weight, self.size * scale, text)

    def has_emoji(self, text: str) -> bool:
        return any(emoji for _, emoji in split_emoji(text, self.drawable))


def merge(placements: Sequence[EmojiPlacement]) -> list[EmojiPlacement]:
    """Back-to-back showings of the same emoji at the same place become one."""
    merged: list[EmojiPlacement] = []
    open_at: dict[tuple[str, int, int, int], int] = {}
    for item in sorted(placements, key=lambda p: (p.start, p.x, p.y)):
        key = (item.emoji, item.x, item.y, item.side)
        at = open_at.get(key)
        if at is not None and merged[at].end == item.start:
            before = merged[at]
            merged[at] = EmojiPlacement(
                before.emoji, before.x, before.y, before.side, before.start, item.end
            )
            continue
        open_at[key] = len(merged)
        merged.append(item)
    return merged
