"""The cover (thumbnail) of a Japanese and an English hook rendered for real at 1080×1920:
a few words of the hook in the cover's big type, two or three lines inside the picture
(the Japanese one in lines of whole phrases, since libass wraps only at spaces)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.integration.test_caption_render import SMALL_SAFE, _ink, _render, _save
from video_orchestrator.pipeline.build_spec import cover_words, thumbnail_spec
from video_orchestrator.render.fonts import FontEnvironment, font_environment
from video_orchestrator.spec.model import (
    CaptionStyle,
    CaptionTrack,
    ColourClip,
    Output,
    RenderSpec,
    Word,
)

WIDTH, HEIGHT = 1080, 1920


@pytest.fixture(scope="module")
def fonts(tmp_path_factory: pytest.TempPathFactory) -> FontEnvironment:
    return font_environment(tmp_path_factory.mktemp("font-cache"))


def _video(language: str) -> RenderSpec:
    return RenderSpec(
        output=Output(width=WIDTH, height=HEIGHT, fps=30),
        clips=[ColourClip(duration=1)],
        captions=CaptionTrack(
            words=[Word(text="x", start=0, end=1)],
            style=CaptionStyle(preset="karaoke", size=60, outline=3, shadow=1),
            position=SMALL_SAFE,
            language=language,
        ),
    )


def _lines(mask: np.ndarray) -> int:
    """Bands of inked rows separated by at least a few blank rows: lines of text."""
    rows = mask.any(axis=1)
    bands, inside, gap = 0, False, 0
    for inked in rows:
        if inked and not inside:
            bands, inside = bands + 1, True
        gap = 0 if inked else gap + 1
        if inside and gap > 12:
            inside = False
    return bands


@pytest.mark.render
@pytest.mark.parametrize(
    ("language", "hook"),
    [
        ("ja", "深海には不思議な生き物がたくさんいます。"),
        ("en", "Here is the thing about volcanoes in Iceland that most people never hear about."),
    ],
)
def test_a_cover_is_two_or_three_lines_of_the_hook_inside_the_picture(
    language: str, hook: str, fonts: FontEnvironment, tmp_path: Path
) -> None:
    thumb = thumbnail_spec(_video(language), cover_words(hook, language))
    frame = _render(thumb, fonts, tmp_path)[0]
    mask = _ink(frame)
    cols = np.nonzero(mask)[1]
    assert cols.min() > 40 and cols.max() < WIDTH - 40  # nothing runs off the picture
    assert 2 <= _lines(mask) <= 3
    _save(frame[::3, ::3], f"cover-{language}.png")
