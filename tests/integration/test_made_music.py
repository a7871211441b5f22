"""Music by default: a short real make gets the bed of its genre, audible in the narration's
pauses and ducked under the words; ``music="none"`` (``vo make --no-music``) gets none."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import av
import numpy as np
import pytest

from video_orchestrator.config import Settings
from video_orchestrator.providers.fake.tts import FakeTTS
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.facade import make_request
from video_orchestrator.services.make import MakeRequest, MakeVideo
from video_orchestrator.services.progress import SilentReporter
from video_orchestrator.spec.model import RenderSpec
from video_orchestrator.spec.options import AudioSettings, VideoOptions, VoiceSettings

pytestmark = pytest.mark.render

# Two short scenes: about 3 s of narration with a pause between them.
SCRIPT = "Music plays.\n\nThen it rests."


def _decode(path: Path) -> tuple[np.ndarray, int]:
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        chunks = [f.to_ndarray().mean(axis=0) for f in container.decode(stream)]
    return np.concatenate(chunks), rate


def _band_rms(samples: np.ndarray, rate: int, spans: list[tuple[float, float]]) -> float:
    """RMS of 1–8 kHz in ``spans`` (seconds): the bed's band; the fake voice's tones are all
    under 420 Hz, so this is the music alone, wherever the voice is."""
    parts = [samples[int(a * rate) : int(b * rate)] for a, b in spans if b - a > 0.05]
    energy = []
    for part in parts:
        spectrum = np.fft.rfft(part * np.hanning(len(part)))
        freqs = np.fft.rfftfreq(len(part), 1 / rate)
        band = (freqs > 1000) & (freqs < 8000)
        energy.append(np.sum(np.abs(spectrum[band]) ** 2) / len(part) ** 2)
    return float(np.sqrt(np.mean(energy)))


def _make(tmp_path: Path, audio: AudioSettings, name: str) -> tuple[RenderSpec, Path, dict]:
    settings = Settings(cache_dir=tmp_path / "cache", data_dir=tmp_path / "data")
    ctx = AppContext(settings, tts={"fake": FakeTTS()})
    result = MakeVideo(ctx)(
        MakeRequest(
            script_text=SCRIPT,
            genre="facts",
            options=VideoOptions(voice=VoiceSettings(voice="fake-en"), audio=audio),
            out=tmp_path / name,
        ),
        SilentReporter(),
    )
    spec = RenderSpec.model_validate_json(result.spec.read_text())
    return spec, result.video, json.loads(result.metadata.read_text())


def test_the_genres_bed_is_audible_in_pauses_and_ducked_under_words(tmp_path: Path) -> None:
    spec, video, metadata = _make(tmp_path, AudioSettings(), "with")
    bare_spec, bare_video, _ = _make(tmp_path, AudioSettings(music="none"), "without")
    assert spec.audio.music is not None and "sound-v1" in spec.audio.music.path
    assert spec.audio.music.gain_db == AudioSettings().music_gain_db
    assert any(
        "upbeat" in str(c["attribution"]) and "CC0" in c["licence"] for c in metadata["credits"]
    )
    assert bare_spec.audio.music is None

    fps = spec.output.fps
    assert spec.captions is not None
    words = [(w.start / fps, w.end / fps) for w in spec.captions.words]
    # the silences between words of at least 0.3 s, clear of the fades at both ends
    fade_in = spec.audio.music.fade_in / fps
    fade_out_start = spec.duration / fps - spec.audio.music.fade_out / fps
    pauses = [
        (end + 0.05, start - 0.05)
        for (_, end), (start, _) in itertools.pairwise(words)
        if start - end >= 0.3 and end >= fade_in and start <= fade_out_start
    ]
    assert pauses, f"no pause to measure in {words}"
    spoken = [(a, b) for a, b in words if a >= fade_in and b <= fade_out_start]

    samples, rate = _decode(video)
    bare, _ = _decode(bare_video)
    in_pauses = _band_rms(samples, rate, pauses)
    under_words = _band_rms(samples, rate, spoken)
    silence = _band_rms(bare, rate, pauses)
    # audible: the bed's band in the pauses is far above what the video without music has
    assert in_pauses > 10 * silence, (in_pauses, silence)
    # ducked: under the words the bed is at least 6 dB lower than in the pauses
    assert under_words < 0.5 * in_pauses, (under_words, in_pauses)


def test_no_music_and_a_mood_reach_the_options() -> None:
    request = make_request(
        topic="the deep ocean",
        script=None,
        genre="story",
        platform="tiktok",
        voice=None,
        speed=1.0,
        media=None,
        music=None,
        caption_style="karaoke",
        lang="en",
        trim=False,
        seconds=None,
        output=Path("out"),
        music_choice="none",
        sfx="whoosh",
    )
    assert request.options.audio.music == "none" and request.options.audio.sfx == "whoosh"
    assert VideoOptions().audio.music == "auto"  # music by default
