"""Voice step: each spoken part of the script → cached speech → one narration track.

Parts (hook, scenes, call to action) are synthesised one by one so that editing one scene
re-synthesises only that scene; the cache key is the text, voice, provider and settings.
The parts are then joined into one WAV with a short gap, and their word timings shifted.
"""

from __future__ import annotations

import json
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from video_orchestrator import atomic
from video_orchestrator.errors import ProviderError
from video_orchestrator.pipeline.cache import ContentCache
from video_orchestrator.ports.tts import Speech, SpeechRequest, TTSProvider, WordTiming

VOICE_STEP = "voice-v1"


@dataclass(frozen=True, slots=True)
class Narration:
    """The whole narration: one WAV, all words, and where each part starts and ends (s)."""

    audio_path: Path
    sample_rate: int
    duration: float
    words: tuple[WordTiming, ...]
    part_spans: tuple[tuple[float, float], ...]
    provider: str


def _speech_to_json(speech: Speech) -> str:
    return json.dumps(
        {
            "sample_rate": speech.sample_rate,
            "duration": speech.duration,
            "provider": speech.provider,
            "words": [[w.text, w.start, w.end, w.sentence_end] for w in speech.words],
        },
        ensure_ascii=False,
    )


def _speech_from_entry(entry: Path) -> Speech:
    data = json.loads((entry / "speech.json").read_text(encoding="utf-8"))
    return Speech(
        audio_path=entry / "speech.wav",
        sample_rate=int(data["sample_rate"]),
        duration=float(data["duration"]),
        words=tuple(WordTiming(t, float(s), float(e), bool(b)) for t, s, e, b in data["words"]),
        provider=str(data["provider"]),
    )


def synthesize_part(tts: TTSProvider, request: SpeechRequest, cache: ContentCache) -> Speech:
    """One part of the narration, from the cache when the same request was made before."""

    def make(staging: Path) -> None:
        speech = tts.synthesize(request, staging / "speech.wav")
        (staging / "speech.json").write_text(_speech_to_json(speech), encoding="utf-8")

    parts = {"provider": tts.name, **request.cache_key_parts()}
    return cache.get_or_create(VOICE_STEP, parts, make, _speech_from_entry)


def _read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as handle:
        if handle.getsampwidth() != 2:
            raise ProviderError(f"voice audio {path.name} is not 16-bit PCM")
        rate = handle.getframerate()
        channels = handle.getnchannels()
        samples = np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2")
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1).astype("<i2")
    return samples, rate


def join_parts(speeches: Sequence[Speech], out_path: Path, *, gap: float = 0.35) -> Narration:
    """Concatenate part WAVs with ``gap`` seconds of silence and shift their word timings."""
    if not speeches:
        raise ProviderError("there is nothing to say: the script has no spoken text")
    rate = speeches[0].sample_rate
    chunks: list[np.ndarray] = []
    words: list[WordTiming] = []
    spans: list[tuple[float, float]] = []
    offset_samples = 0
    gap_samples = round(gap * rate)
    for index, speech in enumerate(speeches):
        samples, part_rate = _read_wav(speech.audio_path)
        if part_rate != rate:
            raise ProviderError("voice parts have different sample rates; use one voice")
        start = offset_samples / rate
        chunks.append(samples)
        offset_samples += len(samples)
        end = offset_samples / rate
        spans.append((start, end))
        words.extend(
            WordTiming(w.text, w.start + start, w.end + start, w.sentence_end or False)
            for w in speech.words
        )
        if index < len(speeches) - 1:
            chunks.append(np.zeros(gap_samples, dtype="<i2"))
            offset_samples += gap_samples
    audio = np.concatenate(chunks)
    with atomic.replacing(out_path, suffix=".tmp") as tmp, wave.open(str(tmp), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(audio.astype("<i2").tobytes())
    return Narration(
        audio_path=out_path,
        sample_rate=rate,
        duration=len(audio) / rate,
        words=tuple(words),
        part_spans=tuple(spans),
        provider=speeches[0].provider,
    )


def narrate(
    parts: Sequence[str],
    tts: TTSProvider,
    *,
    voice: str,
    speed: float,
    language: str,
    cache: ContentCache,
    out_path: Path,
    sentence_pause: float = 0.25,
    on_part: Callable[[int, int], None] | None = None,
) -> Narration:
    """Synthesise every part (cached) and join them into ``out_path``."""
    speeches = []
    for index, text in enumerate(parts):
        request = SpeechRequest(
            text=text, voice=voice, speed=speed, sentence_pause=sentence_pause, language=language
        )
        speeches.append(synthesize_part(tts, request, cache))
        if on_part is not None:
            on_part(index + 1, len(parts))
    return join_parts(speeches, out_path)
