"""A real, deterministic speech synthesiser for tests: one tone burst per token.

It behaves like a neural voice where tests care (a mono 16-bit WAV, word timings that
match the audio exactly, speed, sentence pauses, errors) and costs nothing: each token of
the text is a short sine burst at a fixed pace, with silence between tokens and the
requested pause between sentences.
"""

from __future__ import annotations

import math
import zlib
from pathlib import Path

import numpy as np

from video_orchestrator.errors import ScriptError, VoiceNotFoundError
from video_orchestrator.ports.provider import Provider, ProviderSettings
from video_orchestrator.ports.tts import Speech, SpeechRequest, VoiceInfo, WordTiming
from video_orchestrator.providers._speech import (
    check_request,
    write_wav,
)
from video_orchestrator.text import primary_language, sentence_end_flags, tokenize

__all__ = ["FakeTTS"]

_EDGE_SILENCE = 0.1  # seconds of silence before the first and after the last token
_TONE_SHARE = 0.8  # share of each token's slot that is sound; the rest is silence
_FADE = 0.005  # seconds of fade in and out of each burst, so it does not click


class FakeTTS(Provider[ProviderSettings]):
    """Deterministic tone-burst voices ``fake-en`` (en-US) and ``fake-ja`` (ja-JP).

    :param words_per_second: pace at speed 1.0, in tokens per second.
    :param sample_rate: sample rate of the WAV written.
    """

    name = "fake"
    kind = "local"
    settings_model = ProviderSettings

    def __init__(
        self,
        words_per_second: float = 2.5,
        sample_rate: int = 16000,
        *,
        more_languages: tuple[str, ...] = (),
    ) -> None:
        """``more_languages``: further voices ``fake-<primary subtag>`` (e.g. ``"ro-RO"``
        gives ``fake-ro``), for tests of other languages."""
        if words_per_second <= 0 or sample_rate <= 0:
            raise ValueError("words_per_second and sample_rate must be positive")
        self._words_per_second = words_per_second
        self._sample_rate = sample_rate
        self._voices: tuple[VoiceInfo, ...] = (
            VoiceInfo(
                id="fake-en",
                name="Fake English tones",
                language="en-US",
                gender="neutral",
                provider=self.name,
                sample_rate=sample_rate,
            ),
            VoiceInfo(
                id="fake-ja",
                name="Fake Japanese tones",
                language="ja-JP",
                gender="neutral",
                provider=self.name,
                sample_rate=sample_rate,
            ),
        )
        self._voices += tuple(
            VoiceInfo(
                id=f"fake-{primary_language(tag)}",
                name=f"Fake tones ({tag})",
                language=tag,
                gender="neutral",
                provider=self.name,
                sample_rate=sample_rate,
            )
            for tag in more_languages
        )

    def voices(self) -> list[VoiceInfo]:
        return list(self._voices)

    def synthesize(self, request: SpeechRequest, out_path: Path) -> Speech:
        check_request(request)
        voice = self._find(request)
        tokens = tokenize(request.text, request.language)
        if not tokens:
            raise ScriptError("There is no text to speak; write some words and try again.")
        flags = sentence_end_flags(request.text, request.language)
        rate = self._sample_rate
        slot = round(rate / (self._words_per_second * request.speed))
        tone = round(slot * _TONE_SHARE)
        pause = round(request.sentence_pause * rate)
        edge = round(_EDGE_SILENCE * rate)

        starts: list[int] = []
        position = edge
        for index, flag in enumerate(flags):
            starts.append(position)
            position += slot
            if flag and index < len(flags) - 1:
                position += pause
        total = position - (slot - tone) + edge

        samples = np.zeros(total, dtype=np.float32)
        burst_time = np.arange(tone, dtype=np.float32) / rate
        envelope = np.minimum(1.0, np.minimum(burst_time, burst_time[::-1]) / _FADE)
        words: list[WordTiming] = []
        for token, start, flag in zip(tokens, starts, flags, strict=True):
            frequency = 180.0 + zlib.crc32(f"{voice.id}:{token}".encode()) % 240
            samples[start : start + tone] = (
                0.5 * envelope * np.sin(2.0 * math.pi * frequency * burst_time)
            )
            words.append(
                WordTiming(
                    text=token, start=start / rate, end=(start + tone) / rate, sentence_end=flag
                )
            )
        pcm = np.round(samples * 32767.0).astype(np.int16)
        write_wav(out_path, pcm, rate)
        return Speech(
            audio_path=out_path,
            sample_rate=rate,
            duration=total / rate,
            words=tuple(words),
            provider=self.name,
        )

    def _find(self, request: SpeechRequest) -> VoiceInfo:
        ids = ", ".join(voice.id for voice in self._voices)
        for voice in self._voices:
            if voice.id == request.voice:
                if primary_language(voice.language) != primary_language(request.language):
                    raise VoiceNotFoundError(
                        f"Fake voice {voice.id!r} speaks {voice.language}, not "
                        f"{request.language!r}; pick one of {ids} for that language."
                    )
                return voice
        raise VoiceNotFoundError(
            f"Fake voice {request.voice!r} does not exist; pick one of {ids} (the fake "
            "provider has no other voices)."
        )
