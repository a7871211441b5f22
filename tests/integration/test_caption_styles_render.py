"""Every caption style rendered for real (FFmpeg + libass), checked by pixels.

Each style draws a 2 s narration over a plain background; one frame while "hearts" (word 2)
is spoken is measured: text is there, inside the frame's lower half, and the style's own mark
(the highlight colour, the box, the emphasis colour, the opaque box) is present. The frames
are saved as PNG under ``test-artifacts/caption-styles/`` for a person to look at.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tests.integration.test_caption_render import ARTIFACTS, _ink, _render
from video_orchestrator.render.fonts import FontEnvironment
from video_orchestrator.spec.caption_styles import caption_design
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
from video_orchestrator.spec.vocabulary import CAPTION_PRESETS

pytestmark = pytest.mark.render

WIDTH, HEIGHT, FPS = 360, 640, 30
SAFE = CaptionPosition(safe=Box(top=90, bottom=220, left=22, right=60), anchor="bottom")
TEXTS = ["Octopuses", "have", "3", "hearts,", "blue", "blood."]
AT = 3 * 9 + 4  # "hearts," is spoken from frame 27


def _spec(preset: str) -> RenderSpec:
    words = [
        Word(text=t, start=9 * i, end=9 * i + 8, sentence_end=t.endswith("."))
        for i, t in enumerate(TEXTS)
    ]
    style = CaptionStyle(preset=preset)  # type: ignore[arg-type]
    # The style's own look at a third of the size (the frame is a third of 1080x1920).
    style = style.model_copy(
        update={"size": style.size // 3, "outline": style.outline / 3, "shadow": style.shadow / 3}
    )
    return RenderSpec(
        output=Output(width=WIDTH, height=HEIGHT, fps=FPS),
        clips=[ColourClip(duration=60)],
        captions=CaptionTrack(words=words, style=style, position=SAFE),
    )


def _near(frame: np.ndarray, colour: str, tolerance: int = 40) -> np.ndarray:
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return np.abs(frame.astype(int) - rgb).max(axis=2) <= tolerance


@pytest.mark.parametrize("preset", CAPTION_PRESETS)
def test_each_style_draws_its_mark(preset: str, fonts: FontEnvironment, tmp_path) -> None:  # type: ignore[no-untyped-def]
    spec = _spec(preset)
    frame = _render(spec, fonts, tmp_path)[AT]
    folder = ARTIFACTS.parent / "caption-styles"
    folder.mkdir(parents=True, exist_ok=True)
    Image.fromarray(frame).save(folder / f"{preset}.png")
    ink = _ink(frame)
    assert ink.sum() > 300, "captions are drawn"
    rows = np.nonzero(ink.any(axis=1))[0]
    assert rows.min() > HEIGHT // 3 and rows.max() < HEIGHT - SAFE.safe.bottom + 5
    style = spec.captions.style  # type: ignore[union-attr]
    design = caption_design(style.preset)
    if design.active in ("colour", "scale", "fill", "pop"):
        assert _near(frame, style.highlight_colour).sum() > 40, "the spoken word is marked"
    if design.active == "box":
        assert style.box_colour is not None
        assert _near(frame, style.box_colour).sum() > 300, "a box behind the spoken word"
    if design.emphasis and style.emphasis_colour is not None and not design.one_word:
        assert _near(frame, style.emphasis_colour).sum() > 40, "the number is emphasised"
    if design.border == "box":
        assert (frame.max(axis=2) < 30).sum() > 2000, "an opaque dark box behind the lines"
    if design.gradient is not None:
        # The fill runs from the top colour to the bottom one down the letters.
        top, bottom = design.gradient
        assert _near(frame, top, 30).sum() > 20 and _near(frame, bottom, 30).sum() > 20
        rows_top = np.nonzero(_near(frame, top, 30).any(axis=1))[0]
        rows_bottom = np.nonzero(_near(frame, bottom, 30).any(axis=1))[0]
        assert np.median(rows_top) < np.median(rows_bottom), "top colour above bottom colour"
    if design.border == "hollow":
        # Hollow letters: the outline is drawn, most of the unspoken words' insides are not.
        assert _near(frame, style.outline_colour).sum() > 100
