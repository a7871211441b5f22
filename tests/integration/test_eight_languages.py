"""Eight languages end to end (issue 15): a 2–3 s script in each of en, ro, es, fr, de, pt,
it and ja made into a video by the real pipeline (``MakeVideo``: voice, captions, one FFmpeg
render), then checked:

- the voice that spoke is of that language (Piper's packaged English voice; espeak-ng for
  ro/es/fr/de/pt/it until h6's Piper voices land; Kokoro for Japanese);
- the captions' text (the SRT sidecar) is exactly the script's words, in order;
- a frame at a caption's time shows the glyphs, read back by OCR (``tesseract`` with that
  language's data): every word of the cue is read, and each language's own letters
  (ă ș ț, ñ, ç à, ß, ã õ, à è, kana and kanji) are read as themselves — a tofu box or a
  missing accent reads as another character and fails.

OCR rather than comparing pixels with a Pillow rendering: libass and Pillow rasterise
differently (hinting, outline, subpixel positions), so a pixel comparison needs a loose
threshold that a box-shaped glyph of the same size can pass; OCR fails on a box and on a
dropped accent. The caption style is ``subtitles`` (sentence case: ß and lower-case accents
stay as written; upper case would turn ß into SS). Frames are kept under
``test-artifacts/languages/`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from video_orchestrator.config import Settings
from video_orchestrator.ports.tts import TTSProvider
from video_orchestrator.providers.espeak.tts import EspeakTTS
from video_orchestrator.providers.kokoro_ja.tts import KokoroJaTTS
from video_orchestrator.providers.piper.tts import PiperTTS
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.make import MakeRequest, MakeVideo
from video_orchestrator.services.progress import SilentReporter
from video_orchestrator.spec.options import (
    AudioSettings,
    BackgroundSettings,
    CaptionSettings,
    ExportSettings,
    VideoOptions,
    VoiceSettings,
)
from video_orchestrator.text import tokenize, uses_spaces

pytestmark = [pytest.mark.render, pytest.mark.voice]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "languages"
TESSERACT = shutil.which("tesseract")
ESPEAK = shutil.which("espeak-ng")


@dataclass(frozen=True)
class Case:
    language: str
    script: str
    voice: str  # provider:voice
    ocr: str  # tesseract language
    letters: str  # the language's own letters that must be read back as themselves


CASES = (
    Case("en", "Deep oceans hide giant squid.", "piper:en_US-joe-medium", "eng", ""),
    Case("ro", "Știința și arta în țară.", "espeak-ng:ro", "ron", "ăîșțȘ"),
    Case("es", "El niño come piña.", "espeak-ng:es", "spa", "ñ"),
    Case("fr", "Ça va à la plage.", "espeak-ng:fr-fr", "fra", "Çà"),
    Case("de", "Große Straße, schöne Grüße.", "espeak-ng:de", "deu", "ßöü"),
    Case("pt", "As lições são difíceis.", "espeak-ng:pt", "por", "çõãí"),
    Case("it", "La città è bella.", "espeak-ng:it", "ita", "àè"),
    Case("ja", "今日は海の話をします。", "kokoro-ja:jf_alpha", "jpn", "今日海話"),
)


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> AppContext:
    root = tmp_path_factory.mktemp("languages")
    voices: dict[str, TTSProvider] = {
        "piper": PiperTTS(),
        "espeak-ng": EspeakTTS(),
        "kokoro-ja": KokoroJaTTS(),
    }
    return AppContext(Settings(cache_dir=root / "cache", data_dir=root / "data"), tts=voices)


def _cues(srt: str) -> list[tuple[float, float, str]]:
    """(start s, end s, text with lines joined by a space) of every SRT cue."""
    cues = []
    for block in srt.strip().split("\n\n"):
        lines = block.splitlines()
        start, end = (
            sum(
                float(x) * f
                for x, f in zip(re.split("[:,]", t.strip())[:3], (3600, 60, 1), strict=True)
            )
            + int(t.strip()[-3:]) / 1000
            for t in lines[1].split("-->")
        )
        cues.append((start, end, " ".join(lines[2:])))
    return cues


def _frame(video: Path, seconds: float, target: Path) -> Image.Image:
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-ss",
            f"{seconds:.3f}",
            "-i",
            str(video),
            "-frames:v",
            "1",
            str(target),
        ],
        check=True,
        timeout=60,
    )
    return Image.open(target).convert("RGB")


def _caption_ink(frame: Image.Image) -> Image.Image:
    """The caption's white letters as black on white, cropped to the lines they are on
    (the generated background and its colours are dropped, so OCR sees only the text)."""
    pixels = np.asarray(frame, dtype=np.int16)
    white = (pixels.min(axis=2) > 200) & (np.ptp(pixels, axis=2) < 40)
    rows = np.flatnonzero(white.sum(axis=1) > 2)
    assert rows.size, "no caption text is visible in the frame"
    top, bottom = max(rows[0] - 20, 0), min(rows[-1] + 20, white.shape[0])
    ink = np.where(white[top:bottom], 0, 255).astype(np.uint8)
    picture = Image.fromarray(ink)
    return picture.resize((picture.width // 2, picture.height // 2), Image.Resampling.LANCZOS)


def _ocr(picture: Image.Image, language: str, path: Path) -> str:
    assert TESSERACT is not None
    picture.save(path)
    done = subprocess.run(
        [TESSERACT, str(path), "-", "-l", language, "--psm", "6"],
        capture_output=True,
        check=True,
        timeout=120,
        text=True,
    )
    return unicodedata.normalize("NFC", done.stdout)


def _comparable(text: str, spaced: bool) -> str:
    """Letters only (OCR's punctuation and spacing vary); cedilla s/t read as comma s/t."""
    text = text.replace("ş", "ș").replace("ţ", "ț").replace("Ş", "Ș").replace("Ţ", "Ț")
    kept = "".join(c for c in text if c.isalnum() or (spaced and c.isspace()))
    return " ".join(kept.split()) if spaced else kept


@pytest.mark.skipif(
    TESSERACT is None, reason="tesseract is not installed (apt-get install tesseract-ocr)"
)
@pytest.mark.parametrize("case", CASES, ids=[case.language for case in CASES])
def test_a_video_in_each_language(case: Case, ctx: AppContext, tmp_path: Path) -> None:
    provider, _, voice_id = case.voice.partition(":")
    if provider == "espeak-ng" and ESPEAK is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    if provider == "kokoro-ja" and not ctx.tts(provider).configured:
        pytest.skip("the Japanese voice is not installed (pip install '.[ja]')")
    installed = subprocess.run(
        [TESSERACT, "--list-langs"], capture_output=True, text=True, check=False
    ).stdout.split()
    if case.ocr not in installed:
        pytest.skip(f"tesseract has no {case.ocr} data (apt-get install tesseract-ocr-{case.ocr})")

    result = MakeVideo(ctx)(
        MakeRequest(
            script_text=case.script,
            options=VideoOptions(
                language=case.language,
                voice=VoiceSettings(voice=case.voice),
                background=BackgroundSettings(illustrations=False),
                audio=AudioSettings(music="none"),
                captions=CaptionSettings(style="subtitles"),
                export=ExportSettings(quality="draft"),
            ),
            out=tmp_path / "out",
        ),
        SilentReporter(),
    )

    # The voice that spoke is of the script's language.
    assert result.voice is not None and result.voice_fallback is None
    spoke = {v.id: v for v in ctx.tts(provider).voices()}[voice_id]
    assert spoke.speaks(case.language), (spoke.language, case.language)
    assert 1.0 < result.duration < 8.0

    # The captions are the script's words, in order.
    cues = _cues(result.srt.read_text(encoding="utf-8"))
    assert cues
    if uses_spaces(case.language):
        assert " ".join(text for _, _, text in cues).split() == tokenize(case.script, "en")
    else:
        assert "".join(text.replace(" ", "") for _, _, text in cues) == case.script

    # A frame in the middle of each cue shows its glyphs; together they show every one of
    # the language's own letters.
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    spaced = uses_spaces(case.language)
    everything_read = ""
    for number, (start, end, text) in enumerate(cues):
        shot = ARTIFACTS / f"{case.language}-{number}.png"
        read = _ocr(
            _caption_ink(_frame(result.video, (start + end) / 2, shot)),
            case.ocr,
            tmp_path / "ink.png",
        )
        wanted, seen = _comparable(text, spaced), _comparable(read, spaced)
        assert wanted == seen or wanted in seen, (read, text)
        everything_read += seen
    assert all(letter in case.script for letter in case.letters)
    for letter in case.letters:
        assert letter in everything_read, f"{letter!r} was not read back: {everything_read!r}"
