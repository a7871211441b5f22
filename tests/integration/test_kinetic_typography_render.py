"""Kinetic typography rendered for real (ADR 0050): a generated scene's key phrase, placed by
the spec builder, burned in by the compiler's one libass pass; OCR reads the phrase in the
upper part of the frame while its scene shows, its words arrive one after another, and
nothing of it is left once the scene is over.

Frames are saved under ``test-artifacts/kinetic/`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from video_orchestrator.pipeline.build_spec import VideoFormat, phrase_overlay, place_phrase
from video_orchestrator.pipeline.scene_look import palette_for
from video_orchestrator.render.ffmpeg import ffmpeg_binary
from video_orchestrator.render.fonts import font_environment
from video_orchestrator.render.renderer import Renderer
from video_orchestrator.spec.model import (
    Box,
    CaptionPosition,
    CaptionStyle,
    CaptionTrack,
    GeneratedClip,
    KineticText,
    Output,
    RenderSpec,
    Word,
)

pytestmark = pytest.mark.render

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "kinetic"
TESSERACT = shutil.which("tesseract")
WIDTH, HEIGHT, FPS = 540, 960, 30
SAFE = Box(top=135, bottom=335, left=32, right=90)  # TikTok's zones at half size
NARRATION = "Octopuses have three hearts and blue blood."
SCENE, NEXT = 48, 27  # frames: the phrase's scene, then a scene after it


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24").astype(np.int16) for f in container.decode(video=0)]


def _ink(frame: np.ndarray, phrase: KineticText) -> np.ndarray:
    """Where the phrase's letters are: pixels of its fill or its accent colour."""
    mask = np.zeros(frame.shape[:2], dtype=bool)
    for colour in (phrase.colour, phrase.accent_colour):
        rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
        mask |= np.abs(frame - rgb).max(axis=2) < 45
    return mask


def _caption_top(frames: list[np.ndarray], phrase: KineticText) -> int:
    """The first row of the captions' white letters, on a frame after the phrase's scene."""
    rows = np.flatnonzero(_ink(frames[SCENE + 10], phrase).any(axis=1))
    assert rows.size, "the captions are not on screen"
    return int(rows[0])


def _ocr(mask: np.ndarray, path: Path) -> str:
    assert TESSERACT is not None
    Image.fromarray(np.where(mask, 0, 255).astype(np.uint8)).save(path)
    done = subprocess.run(
        [TESSERACT, str(path), "-", "-l", "eng", "--psm", "6"],
        capture_output=True,
        check=True,
        timeout=60,
        text=True,
    )
    return done.stdout


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[np.ndarray], KineticText]:
    tmp = tmp_path_factory.mktemp("kinetic")
    fmt = VideoFormat(width=WIDTH, height=HEIGHT, fps=FPS, safe=SAFE)
    colours = palette_for(["octopus"], NARRATION)
    found = phrase_overlay(NARRATION, ["octopus"], "en", colours)
    assert found is not None
    phrase = place_phrase(found, (2, SCENE), fmt, "bottom")
    assert phrase is not None
    spec = RenderSpec(
        output=Output(width=WIDTH, height=HEIGHT, fps=FPS),
        clips=[
            GeneratedClip(duration=SCENE, pattern="aurora", colours=list(colours)),
            GeneratedClip(duration=NEXT, pattern="gradient", colours=list(colours), seed=1),
        ],
        overlays=[phrase],
        captions=CaptionTrack(
            words=[
                Word(text="Octopuses", start=0, end=20),
                Word(text="have", start=20, end=35),
                Word(text="three", start=35, end=50),
                Word(text="hearts", start=50, end=70),
            ],
            style=CaptionStyle(size=46, outline=3, shadow=1),
            position=CaptionPosition(safe=SAFE, anchor="bottom"),
        ),
    )
    renderer = Renderer(ffmpeg_binary(), font_environment(tmp / "fonts"))
    frames = _frames(renderer.render(spec, tmp / "phrase.mp4").path)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for index in (3, 8, 14, 30, SCENE + 10):
        Image.fromarray(frames[index].astype(np.uint8)).save(ARTIFACTS / f"frame-{index}.png")
    return frames, phrase


def test_the_phrase_is_the_narrations_words_placed_above_the_captions_in_the_safe_zone(
    rendered: tuple[list[np.ndarray], KineticText],
) -> None:
    frames, phrase = rendered
    # the scene's keyword counts: the phrase names the octopus
    assert phrase.words == ["Octopuses", "have", "three", "hearts"]
    captions = _caption_top(frames, phrase)
    ink = _ink(frames[30], phrase)[:captions]
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    assert rows.size and cols.size
    # inside the safe zone, in the upper part of the frame, clear of the captions below
    assert rows[0] >= SAFE.top and rows[-1] < HEIGHT // 2, (rows[0], rows[-1])
    assert captions - rows[-1] > phrase.size // 2, (rows[-1], captions)
    assert cols[0] >= SAFE.left and cols[-1] < WIDTH - SAFE.right, (cols[0], cols[-1])
    # while the phrase is on screen the captions' place shows only the captions
    assert _ink(frames[30], phrase)[captions - 20 : captions].sum() == 0


@pytest.mark.skipif(TESSERACT is None, reason="tesseract is not installed")
def test_ocr_reads_the_phrase_during_its_scene_and_nothing_after_it(
    rendered: tuple[list[np.ndarray], KineticText], tmp_path: Path
) -> None:
    frames, phrase = rendered
    upper = slice(0, _caption_top(frames, phrase))
    read = _ocr(_ink(frames[30], phrase)[upper], tmp_path / "during.png")
    letters = "".join(c for c in read.upper() if c.isalpha() or c.isspace()).split()
    assert letters == [w.upper() for w in phrase.words], read
    after = _ink(frames[SCENE + 10], phrase)[upper]
    assert after.sum() < 50, after.sum()  # the next scene shows no phrase
    assert _ocr(after, tmp_path / "after.png").strip() == ""


def test_words_arrive_one_after_another_then_hold(
    rendered: tuple[list[np.ndarray], KineticText],
) -> None:
    frames, phrase = rendered
    upper = slice(0, _caption_top(frames, phrase))
    shown = [int(_ink(frames[i], phrase)[upper].sum()) for i in (3, 8, 14, 22, 30, 36)]
    # more of the phrase at each step while words arrive, then the same while it holds
    assert shown[0] < shown[1] < shown[2] < shown[3] < shown[4], shown
    assert abs(shown[5] - shown[4]) <= 0.02 * shown[4], shown
    # the first word is there before the last one has begun to show: the last word's line
    # (the lowest) has no ink yet on frame 8, all of it on frame 30
    rows = np.flatnonzero(_ink(frames[30], phrase)[upper].any(axis=1))
    lowest = slice(rows[-1] - phrase.size // 2, rows[-1] + 1)
    assert _ink(frames[8], phrase)[lowest].sum() < 0.05 * _ink(frames[30], phrase)[lowest].sum()
    assert phrase.words[phrase.accent or 0] == "Octopuses"  # the noun in the accent colour
