"""Real FFmpeg + libass renders of captions, checked by pixels.

Frames are also saved as PNG under ``test-artifacts/captions/`` (git-ignored) for a person
to look at.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from video_orchestrator.render.ass import build_ass
from video_orchestrator.render.fonts import FontEnvironment
from video_orchestrator.spec.model import (
    Box,
    CaptionPosition,
    CaptionStyle,
    CaptionTrack,
    ColourClip,
    Output,
    RenderSpec,
    TextOverlay,
    Word,
)

pytestmark = pytest.mark.render

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "captions"
WIDTH, HEIGHT, FPS = 360, 640, 30
BACKGROUND = (16, 24, 32)
HOSTILE = '{\\b1}Hi\\N "x", [y]; a:b \\\\ 🙂 שלום'
SMALL_SAFE = CaptionPosition(safe=Box(top=90, bottom=220, left=22, right=60), anchor="bottom")


def _render(
    spec: RenderSpec, fonts: FontEnvironment, workdir: Path, filter_name: str = "subtitles"
) -> np.ndarray:
    """All frames of a ``color`` source with the spec's ASS burned in, as RGB arrays."""
    document = build_ass(spec)
    assert document is not None
    ass_file = workdir / "captions.ass"
    ass_file.write_text(document, encoding="utf-8")
    width, height = spec.output.width, spec.output.height
    seconds = spec.duration / spec.output.fps
    colour = "0x{:02X}{:02X}{:02X}".format(*BACKGROUND)
    env: Mapping[str, str] = {**os.environ, **fonts.env}
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-f",
        "lavfi",
        "-i",
        f"color=c={colour}:s={width}x{height}:r={spec.output.fps}:d={seconds}",
        "-vf",
        f"{filter_name}=filename={ass_file}:fontsdir={fonts.fonts_dir}",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-",
    ]
    result = subprocess.run(command, env=env, capture_output=True, check=True, timeout=120)
    frames = np.frombuffer(result.stdout, dtype=np.uint8)
    return frames.reshape(-1, height, width, 3)


def _save(frame: np.ndarray, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    Image.fromarray(frame).save(ARTIFACTS / name)


def _ink(frame: np.ndarray) -> np.ndarray:
    """Pixels that differ from the plain background (text, outline or shadow)."""
    return np.abs(frame.astype(int) - np.array(BACKGROUND)).sum(axis=2) > 60


def _yellow(frame: np.ndarray) -> np.ndarray:
    r, g, b = (frame[..., i].astype(int) for i in range(3))
    return (r > 200) & (g > 170) & (b < 140)


def _white(frame: np.ndarray) -> np.ndarray:
    return (frame > 215).all(axis=2)


WORDS = [
    Word(text="Three", start=15, end=24),
    Word(text="hearts", start=24, end=33),
    Word(text="beat", start=33, end=38, sentence_end=True),
]


def _spec(preset: str, words: list[Word] = WORDS, **style: object) -> RenderSpec:
    return RenderSpec(
        output=Output(width=WIDTH, height=HEIGHT, fps=FPS),
        clips=[ColourClip(duration=60)],
        captions=CaptionTrack(
            words=words,
            style=CaptionStyle(preset=preset, size=34, outline=3, shadow=1, **style),  # type: ignore[arg-type]
            position=SMALL_SAFE,
        ),
    )


def test_karaoke_pixels_follow_the_words(fonts: FontEnvironment, tmp_path: Path) -> None:
    frames = _render(_spec("karaoke"), fonts, tmp_path)
    assert len(frames) == 60
    # Nothing before the first word, including the frame just before it.
    for index in range(15):
        assert not _ink(frames[index]).any(), f"caption pixels on frame {index}"
    # Text while each word is spoken, with the highlight colour on the spoken word.
    centres = []
    for frame_index in (15, 28, 37):
        frame = frames[frame_index]
        assert _ink(frame).sum() > 500
        yellow = _yellow(frame)
        assert yellow.sum() > 40, f"no highlight on frame {frame_index}"
        assert _white(frame).sum() > 40, "the other words stay white"
        centres.append(np.nonzero(yellow)[1].mean())
    # The highlight moves from word to word, left to right.
    assert centres[0] < centres[1] < centres[2]
    # Captions sit inside the safe box.
    rows, cols = np.nonzero(_ink(frames[28]))
    assert rows.max() <= HEIGHT - SMALL_SAFE.safe.bottom + 6
    assert (
        cols.min() >= SMALL_SAFE.safe.left - 6 and cols.max() <= WIDTH - SMALL_SAFE.safe.right + 6
    )
    # Held 0.6 s (18 frames) after the last word ends at frame 38, then gone.
    assert _ink(frames[55]).any()
    assert not _ink(frames[56]).any()
    _save(frames[28], "karaoke-360.png")


def test_pop_and_clean_presets_render(fonts: FontEnvironment, tmp_path: Path) -> None:
    pop = _render(_spec("pop"), fonts, tmp_path)
    assert not _ink(pop[14]).any() and _ink(pop[15]).any()
    # One word at a time: the ink of "THREE" and of "BEAT" are different widths.
    assert _ink(pop[20]).any() and _ink(pop[40]).any()
    assert not _yellow(pop[20]).any()
    _save(pop[20], "pop-360.png")
    clean = _render(_spec("clean"), fonts, tmp_path)
    assert not _ink(clean[14]).any() and _ink(clean[15]).any()
    assert not _yellow(clean[30]).any()
    # Same text throughout the cue: no animation.
    assert (clean[20] == clean[35]).all()
    _save(clean[30], "clean-360.png")


def test_libass_ass_filter_too(fonts: FontEnvironment, tmp_path: Path) -> None:
    frames = _render(_spec("karaoke"), fonts, tmp_path, filter_name="ass")
    assert not _ink(frames[14]).any()
    assert _yellow(frames[15]).sum() > 40


def _glyph_cells(texts: list[str]) -> RenderSpec:
    """Each text in its own column (80 px wide) near the top, as a text overlay."""
    overlays = [
        TextOverlay(
            text=text,
            anchor="top",
            margins=Box(top=40, left=i * 80, right=WIDTH - (i + 1) * 80),
            font="Anton",
            size=44,
            outline=0,
        )
        for i, text in enumerate(texts)
    ]
    return RenderSpec(
        output=Output(width=WIDTH, height=HEIGHT, fps=FPS),
        clips=[ColourClip(duration=2)],
        overlays=overlays,
    )


def test_emoji_and_hebrew_are_real_glyphs_not_boxes(fonts: FontEnvironment, tmp_path: Path) -> None:
    texts = ["ש", "ל", "🙂", "🔥"]
    frame = _render(_glyph_cells(texts), fonts, tmp_path)[0]
    masks = [_ink(frame[30:140, i * 80 : (i + 1) * 80]) for i in range(len(texts))]
    assert all(mask.sum() > 30 for mask in masks)
    # Missing glyphs would all be the same box: real glyphs differ from each other.
    assert (masks[0] != masks[1]).sum() > 30
    assert (masks[2] != masks[3]).sum() > 30


def test_hostile_text_is_drawn_literally(fonts: FontEnvironment, tmp_path: Path) -> None:
    words = [Word(text=t, start=0, end=30) for t in HOSTILE.split(" ")]
    spec = RenderSpec(
        output=Output(width=1080, height=1920, fps=FPS),
        clips=[ColourClip(duration=2)],
        captions=CaptionTrack(
            words=words,
            style=CaptionStyle(
                preset="clean", size=56, uppercase=False, max_chars_per_line=40, max_words=20
            ),
        ),
        overlays=[TextOverlay(text=HOSTILE, size=52, box_colour="#000000C0")],
    )
    frame = _render(spec, fonts, tmp_path)[0]
    _save(frame, "hostile-1080.png")
    # The caption: one line (a literal \N breaks nothing), as wide as the literal text.
    ink = _ink(frame[1000:1300])
    rows = np.nonzero(ink.any(axis=1))[0]
    cols = np.nonzero(ink.any(axis=0))[0]
    assert 0 < rows.max() - rows.min() < 150, "the caption must stay on one line"
    assert cols.min() > 40 and cols.max() < 1040, "the caption fits the frame"
    assert cols.max() - cols.min() > 600, "braces, backslashes and tags must be drawn"
    # The overlay at the top, in its box, on one line.
    box = _ink(frame[250:600])
    box_rows = np.nonzero(box.any(axis=1))[0]
    assert 0 < box_rows.max() - box_rows.min() < 150


def test_override_tags_typed_by_a_user_change_nothing(
    fonts: FontEnvironment, tmp_path: Path
) -> None:
    # "{\\c&H0000FF&}" would turn the text red if it were interpreted.
    words = [Word(text="{\\c&H0000FF&}RED?", start=0, end=30)]
    spec = _spec("clean", words=words)
    frame = _render(spec, fonts, tmp_path)[0]
    r, g, b = (frame[..., i].astype(int) for i in range(3))
    assert not ((r > 180) & (g < 80) & (b < 80)).any()
    assert _white(frame).sum() > 300  # the braces and tag are drawn, in white
