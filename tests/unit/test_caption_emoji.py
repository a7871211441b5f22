"""Caption emoji in colour (a gap in the ASS line, a picture over it), the kinetic and the
gradient caption styles: the ASS they write and where the pictures go (ADR 0040)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from video_orchestrator.render.ass import (
    GRADIENT_BANDS,
    POP_ACTIVE_PEAK,
    POP_ACTIVE_SCALE,
    SWEEP_MS,
    build_ass,
    build_captions,
)
from video_orchestrator.render.caption_emoji import EmojiPlacement, merge, split_emoji
from video_orchestrator.render.emoji import can_draw, colour_emoji, draw_emoji
from video_orchestrator.render.text_measure import FontMetrics
from video_orchestrator.spec.captions import emoji_only, is_emoji
from video_orchestrator.spec.model import (
    Box,
    CaptionPosition,
    CaptionStyle,
    CaptionTrack,
    ColourClip,
    Output,
    RenderSpec,
    Word,
)

WIDTH, HEIGHT = 1000, 1600
SAFE = CaptionPosition(safe=Box(top=100, bottom=300, left=0, right=0), anchor="bottom")


class EvenMeasure:
    """Every character half an em wide; a font one em and a quarter high."""

    def width(self, family: str, weight: int, size: float, text: str) -> float:
        return size * 0.5 * len(text)

    def metrics(self, family: str, weight: int) -> FontMetrics:
        return FontMetrics(ascent=1.0, descent=0.25, cap_height=0.7)


def _spec(texts: list[str], preset: str = "clean", **style: object) -> RenderSpec:
    words = [Word(text=t, start=10 * i, end=10 * i + 9) for i, t in enumerate(texts)]
    return RenderSpec(
        output=Output(width=WIDTH, height=HEIGHT, fps=30),
        clips=[ColourClip(duration=10 * len(texts) + 10)],
        captions=CaptionTrack(
            words=words,
            style=CaptionStyle(preset=preset, uppercase=False, size=40, **style),  # type: ignore[arg-type]
            position=SAFE,
        ),
    )


def test_emoji_are_told_from_letters_digits_and_symbols() -> None:
    assert is_emoji("🐙") and is_emoji("❤️") and is_emoji("👍🏽") and is_emoji("🇷🇴")
    assert not is_emoji("3") and not is_emoji("a") and not is_emoji("#") and not is_emoji("é")
    assert colour_emoji("🐙") and can_draw("👩‍🚀")
    assert not colour_emoji("3"), "a digit in the emoji font (keycaps) is still a digit"
    assert split_emoji("blood🐙!", colour_emoji) == [("blood", False), ("🐙", True), ("!", False)]


def test_drawn_emoji_is_in_colour_and_fits_its_square() -> None:
    picture = draw_emoji("🐙", 48)
    assert picture.size == (48, 48) and picture.mode == "RGBA"
    pixels = np.asarray(picture).astype(int)
    opaque = pixels[pixels[..., 3] > 200]
    assert len(opaque) > 300
    # The octopus is red: many opaque pixels far from grey.
    assert (opaque[:, 0] - opaque[:, 1:3].max(axis=1) > 80).sum() > 100


def test_an_emoji_becomes_an_invisible_gap_and_a_placement_on_its_word() -> None:
    spec = _spec(["hot", "🔥", "take"])
    captions = build_captions(spec, measure=EvenMeasure())
    assert captions.document is not None
    assert "🔥" not in captions.document, "libass never draws the emoji"
    spacer = r"\{\\bord0\\shad0\\p1\}m 0 0 l (\d+) 0\{\\p0\\bord([\d.]+)\\shad"
    gap = re.search(spacer, captions.document)
    assert gap is not None, captions.document
    assert float(gap.group(2)) == spec.captions.style.outline  # type: ignore[union-attr]
    (placement,) = captions.emoji
    assert placement.emoji == "🔥"
    # One cue "hot 🔥 take" shown from the first word past the last: the picture too.
    assert placement.start == 0 and placement.end >= 39
    width = int(gap.group(1))
    # Centred line: "hot " + gap + " take" (20 px a character) around x = 500.
    line = 4 * 20 + width + 5 * 20
    left = 500 - line / 2 + 4 * 20
    assert placement.x == round(left + (width - placement.side) / 2)
    # On the one line (foot at y = 1300, 50 px high): centred on the capitals' middle.
    baseline = 1300 - 50 + 40
    assert placement.y == round(baseline - 0.7 * 40 / 2 - placement.side / 2)
    # Without a measure (nothing to place by), the emoji stays text for libass.
    assert "🔥" in (build_ass(spec) or "")


def test_an_emoji_the_font_lacks_stays_text() -> None:
    spec = _spec(["hot", "🔥"])
    captions = build_captions(spec, measure=EvenMeasure(), drawable=lambda cluster: False)
    assert captions.emoji == () and "🔥" in (captions.document or "")


def test_a_one_word_style_shows_each_emoji_with_its_word_only() -> None:
    spec = _spec(["so", "good", "😋", "really"], preset="pop")
    placements = build_captions(spec, measure=EvenMeasure()).emoji
    assert [(p.emoji, p.start, p.end) for p in placements] == [("😋", 20, 30)]
    # Popped words are drawn at 125 %: so is the picture.
    assert placements[0].side == round(40 * 0.92 * 1.25)


def test_showings_back_to_back_at_one_place_merge() -> None:
    a = EmojiPlacement("🐙", 10, 20, 30, 0, 10)
    b = EmojiPlacement("🐙", 10, 20, 30, 10, 25)
    moved = EmojiPlacement("🐙", 14, 20, 30, 25, 30)
    assert merge([b, a, moved]) == [EmojiPlacement("🐙", 10, 20, 30, 0, 25), moved]


def test_kinetic_pops_the_spoken_word_and_sweeps_its_colour() -> None:
    spec = _spec(["Octopuses", "have", "three", "hearts"], preset="kinetic")
    document = build_ass(spec) or ""
    style = spec.captions.style  # type: ignore[union-attr]
    assert style.highlight_colour == "#FFD400" and style.emphasis_colour == "#39E75F"
    events = [line for line in document.splitlines() if line.startswith("Dialogue:")]
    # One event per spoken word, starting on that word's frame.
    starts = [line.split(",")[1] for line in events]
    assert starts == ["0:00:00.00", "0:00:00.33", "0:00:00.66", "0:00:00.99"]
    sweep = f"\\t(0,{SWEEP_MS},\\1c&H00D4FF&"
    grow = f"\\fscx{POP_ACTIVE_PEAK}\\fscy{POP_ACTIVE_PEAK}"
    settle = f"\\fscx{POP_ACTIVE_SCALE}\\fscy{POP_ACTIVE_SCALE}"
    for number, line in enumerate(events):
        marked = line.split(sweep, 1)
        assert len(marked) == 2, line
        # The word right after the sweep is the one being spoken, back to 100 % after it.
        spoken = marked[1].split("}", 1)[1].split("{", 1)[0]
        assert spoken.strip().lower() == spec.captions.words[number].text.lower()  # type: ignore[union-attr]
        assert grow in marked[1] and settle in marked[1] and "\\fscx100\\fscy100" in marked[1]
    # A key word not being spoken is in the emphasis colour (green: &H5FE739&).
    assert "{\\1c&H5FE739&\\1a&H00&}Octopuses" not in events[0]  # spoken: it pops instead
    assert "{\\1c&H5FE739&\\1a&H00&}Octopuses" in events[1]


def test_gradient_draws_clipped_bands_from_top_to_bottom_colour() -> None:
    spec = _spec(["Octopuses", "have", "three", "hearts"], preset="gradient")
    document = build_ass(spec) or ""
    events = [line for line in document.splitlines() if line.startswith("Dialogue:")]
    assert len(events) == 4 * GRADIENT_BANDS
    first = [line for line in events if ",0:00:00.00," in line]
    layers = [int(line.split(",")[0].split()[1]) for line in first]
    assert layers == list(range(10, 10 + GRADIENT_BANDS))
    colours = [re.findall(r"\\1c&H([0-9A-F]{6})&", line)[0] for line in first]
    assert colours[0] == "7AF2FF" and colours[-1] == "8B4FFF"  # #FFF27A … #FF4F8B (BGR)
    reds = [int(c[4:6], 16) for c in colours]
    greens = [int(c[2:4], 16) for c in colours]
    assert greens == sorted(greens, reverse=True) and len(set(reds)) == 1
    tops: list[int] = []
    for line in first[1:]:
        clip = re.search(r"\\clip\(m 0 (\d+) l", line)
        assert clip is not None and "\\bord0" in line
        # Every word of the band is in its colour, not only the marked ones.
        assert re.search(r"\\clip\([^)]*\)\\1c&H[0-9A-F]{6}&\\1a&H00&\}", line), line
        tops.append(int(clip.group(1)))
    assert tops == sorted(tops) and len(set(tops)) == len(tops), "each band starts lower"


@pytest.mark.parametrize("preset", ["kinetic", "gradient"])
def test_new_styles_keep_the_word_timings(preset: str) -> None:
    spec = _spec(["one", "two", "three"], preset=preset)
    document = build_ass(spec) or ""
    starts = sorted({line.split(",")[1] for line in document.splitlines() if "Dialogue:" in line})
    assert starts == ["0:00:00.00", "0:00:00.33", "0:00:00.66"]


def test_an_emoji_word_stays_with_the_word_before_it() -> None:
    assert emoji_only("🐙") and emoji_only("🌊!") and emoji_only("❤️")
    assert not emoji_only("blood🐙") and not emoji_only("3") and not emoji_only("!")
    from video_orchestrator.spec.captions import group_words

    spec = _spec(["Octopuses", "have", "three", "hearts", "💙", "and", "blue", "blood"])
    track = spec.captions
    assert track is not None
    track = track.model_copy(
        update={"style": track.style.model_copy(update={"max_words": 4, "max_lines": 1})}
    )
    cues = group_words(track, spec.duration, fps=30)
    texts = [" ".join(word.text for word in cue.words) for cue in cues]
    assert all(not text.startswith("💙") for text in texts), texts
    assert any("hearts 💙" in text for text in texts), texts
