"""Golden snapshots of the exact ASS document of every caption style (``snapshots/captions/``).

One fixed narration (a number, a comma, a Romanian phrase that must not break as "pe | lângă",
an emoji) is drawn in each style of the vocabulary. Run with ``VO_UPDATE_GOLDEN=1`` to rewrite
the snapshots after an intended change of a style's look, then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from video_orchestrator.render.ass import build_ass
from video_orchestrator.spec.model import (
    CaptionStyle,
    CaptionTrack,
    ColourClip,
    Output,
    RenderSpec,
    Word,
)
from video_orchestrator.spec.vocabulary import CAPTION_PRESETS

SNAPSHOTS = Path(__file__).parent / "snapshots" / "captions"
TEXT = "Octopuses have 3 hearts, blue blood and nine brains 🐙 trec pe lângă noi."


def sample_spec(preset: str) -> RenderSpec:
    """The narration above, one word every 9 frames at 30 fps, in style ``preset``."""
    words = []
    tokens = TEXT.split()
    for index, token in enumerate(tokens):
        start = 6 + 9 * index
        words.append(
            Word(
                text=token,
                start=start,
                end=start + 8,
                sentence_end=token.endswith(".") or index + 1 == len(tokens),
            )
        )
    return RenderSpec(
        output=Output(width=1080, height=1920, fps=30),
        clips=[ColourClip(duration=6 + 9 * len(tokens) + 20)],
        captions=CaptionTrack(words=words, style=CaptionStyle(preset=preset)),  # type: ignore[arg-type]
    )


def test_there_are_at_least_ten_styles() -> None:
    assert len(CAPTION_PRESETS) >= 10


@pytest.mark.parametrize("preset", CAPTION_PRESETS)
def test_caption_style_matches_snapshot(preset: str) -> None:
    document = build_ass(sample_spec(preset))
    assert document is not None
    path = SNAPSHOTS / f"{preset}.ass"
    if os.environ.get("VO_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(document, encoding="utf-8")
    assert path.exists(), f"no snapshot for {preset}: run with VO_UPDATE_GOLDEN=1"
    assert document == path.read_text(encoding="utf-8")
