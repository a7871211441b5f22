"""Caption emoji drawn in colour by a real render (FFmpeg, libass, the OpenMoji picture laid
over the gap), on the frames of their caption only (ADR 0040).

A 2.6 s video with a voice (tones standing in for speech): while "🐙" is spoken, the
picture is where the layout says, its pixels those of the rasterised emoji (red, not the
white or yellow of the letters, not a box); before its caption, no red anywhere. Frames are
saved under ``test-artifacts/caption-emoji/`` for a person to look at.
"""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from video_orchestrator.render.ass import build_captions
from video_orchestrator.render.emoji import draw_emoji
from video_orchestrator.render.fonts import FontEnvironment
from video_orchestrator.render.renderer import Renderer
from video_orchestrator.spec.model import (
    AudioTracks,
    Box,
    CaptionPosition,
    CaptionStyle,
    CaptionTrack,
    ColourClip,
    Output,
    RenderSpec,
    VoiceTrack,
    Word,
)

pytestmark = pytest.mark.render

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "caption-emoji"
WIDTH, HEIGHT, FPS = 360, 640, 30
BACKGROUND = "#14202C"
SAFE = CaptionPosition(safe=Box(top=90, bottom=200, left=20, right=20), anchor="bottom")
TEXTS = ["Octopuses", "have", "blue", "blood.", "Meet", "this", "🐙", "today!"]
STEP = 9  # frames per word
EMOJI_AT = 6 * STEP + 4  # "🐙" is word 6


def _voice(path: Path, seconds: float) -> Path:
    """A stand-in voice: a tone per word (48 kHz mono)."""
    rate = 48_000
    t = np.arange(int(rate * seconds)) / rate
    samples = 0.3 * np.sin(2 * np.pi * 220 * t) * (np.sin(2 * np.pi * 3.3 * t) > 0)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((samples * 32767).astype("<i2").tobytes())
    return path


def _spec(voice: Path, preset: str) -> RenderSpec:
    words = [
        Word(text=t, start=STEP * i, end=STEP * i + STEP - 1, sentence_end=t.endswith("."))
        for i, t in enumerate(TEXTS)
    ]
    style = CaptionStyle(preset=preset)  # type: ignore[arg-type]
    style = style.model_copy(update={"size": style.size // 3, "outline": style.outline / 3})
    return RenderSpec(
        output=Output(width=WIDTH, height=HEIGHT, fps=FPS),
        clips=[ColourClip(duration=STEP * len(TEXTS) + 6, colour=BACKGROUND)],
        captions=CaptionTrack(words=words, style=style, position=SAFE),
        audio=AudioTracks(voice=VoiceTrack(path=str(voice))),
    )


def _frames(video: Path) -> np.ndarray:
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(video)]
    command += ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    raw = subprocess.run(command, capture_output=True, check=True, timeout=120).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, HEIGHT, WIDTH, 3)


def _red(pixels: np.ndarray) -> np.ndarray:
    rgb = pixels.astype(int)
    return rgb[..., 0] - rgb[..., 1:3].max(axis=-1) > 70


@pytest.mark.parametrize("preset", ["karaoke", "kinetic"])
def test_the_emoji_of_a_caption_is_drawn_in_colour_on_its_word(
    preset: str, fonts: FontEnvironment, tmp_path: Path
) -> None:
    renderer = Renderer(imageio_ffmpeg.get_ffmpeg_exe(), fonts)
    spec = _spec(_voice(tmp_path / "voice.wav", 3.0), preset)
    video = renderer.render(spec, tmp_path / "emoji.mp4").path
    frames = _frames(video)
    assert len(frames) == spec.duration
    frame = frames[EMOJI_AT]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    Image.fromarray(frame).save(ARTIFACTS / f"{preset}-emoji.png")

    shown = [
        p
        for p in build_captions(spec, measure=renderer.text_measure).emoji
        if p.start <= EMOJI_AT < p.end
    ]
    assert [p.emoji for p in shown] == ["🐙"]
    spot = shown[0]
    # The picture lies inside the captions' region, under the text's top and above the safe edge.
    assert spot.y > HEIGHT // 2 and spot.y + spot.side <= HEIGHT - SAFE.safe.bottom + 4
    crop = frame[spot.y : spot.y + spot.side, spot.x : spot.x + spot.side].astype(int)
    picture = np.asarray(draw_emoji("🐙", spot.side)).astype(float)
    alpha = picture[..., 3:4] / 255
    back = np.array([int(BACKGROUND[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
    expected = picture[..., :3] * alpha + back * (1 - alpha)
    # The rasterised emoji, as laid over (H.264 blurs edges a little): not tofu, not text.
    assert np.abs(crop - expected).mean() < 18
    assert _red(crop).sum() > 0.12 * spot.side**2, "the octopus is red"
    # The letters beside it are not covered: the picture sits in its gap.
    assert _red(frame).sum() < 2 * _red(crop).sum()

    # Never anywhere else: on no frame is there red above the captions' region (one overlay
    # serves every placement of a picture, positioned by time; a wrong window once drew the
    # last frame of each span at 0,0).
    assert max(int(_red(f[: HEIGHT // 2]).sum()) for f in frames) < 5

    # The first sentence's caption has no emoji: no red anywhere while it shows.
    early = frames[2 * STEP]
    assert _red(early).sum() < 5
    assert frames[2 * STEP].max(axis=2).astype(int).sum() > 0
