"""Word timings for providers that give none (derived from the audio's pauses) or give
character timings, the sentence-by-sentence joiner, and the HTTP helpers' header parsing."""

from __future__ import annotations

import email.utils
import itertools
import tempfile
import time
import wave
from pathlib import Path

import httpx
import numpy as np
import pytest

from video_orchestrator.errors import ProviderError, ScriptError
from video_orchestrator.ports.tts import SpeechRequest, VoiceInfo
from video_orchestrator.providers._speech import (
    CharTiming,
    SentenceAudio,
    derive_timings,
    speak_by_sentence,
    tokens_from_char_timings,
    voiced_segments,
)
from video_orchestrator.providers.fake.tts import FakeTTS
from video_orchestrator.providers.transport import advised_wait as retry_after
from video_orchestrator.text import tokenize

RATE = 16000


def tones(text: str, pause: float = 0.0, speed: float = 1.0) -> tuple[np.ndarray, list]:  # type: ignore[type-arg]
    """FakeTTS tone bursts for ``text``: int16 samples and the exact word timings."""
    with tempfile.TemporaryDirectory() as folder:
        speech = FakeTTS(sample_rate=RATE).synthesize(
            SpeechRequest(text=text, voice="fake-en", sentence_pause=pause, speed=speed),
            Path(folder) / "tones.wav",
        )
        with wave.open(str(speech.audio_path), "rb") as handle:
            samples = np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2")
    return samples.astype(np.int16), list(speech.words)


def rms(samples: np.ndarray) -> float:  # type: ignore[type-arg]
    part = samples.astype(np.float64) / 32768.0
    return float(np.sqrt(np.mean(np.square(part)))) if part.size else 0.0


def test_voiced_segments_are_split_at_pauses_only() -> None:
    samples, words = tones("one two three. four five.", pause=0.5)
    segments = voiced_segments(samples, RATE)
    # word gaps (80 ms) are not pauses; the sentence pause is
    assert len(segments) == 2
    assert segments[0][0] == pytest.approx(words[0].start, abs=0.011)
    assert segments[0][1] == pytest.approx(words[2].end, abs=0.011)
    assert segments[1][0] == pytest.approx(words[3].start, abs=0.011)


def test_derived_timings_put_sentence_pauses_between_words() -> None:
    text = "A short first sentence here. Then the second, longer one follows it now."
    samples, truth = tones(text, pause=0.6)
    tokens = tokenize(text, "en")
    spans = derive_timings(tokens, samples, RATE)
    assert len(spans) == len(tokens)
    # the sentence boundary sits in the pause: "here." ends before it, "Then" starts after
    assert spans[4][1] <= truth[4].end + 0.011
    assert spans[5][0] >= truth[5].start - 0.011
    # every derived span is sound, and the first and last words start/end with the voice
    for begin, end in spans:
        assert end > begin
        assert rms(samples[int(begin * RATE) : int(end * RATE)]) > 0.1
    assert spans[0][0] == pytest.approx(truth[0].start, abs=0.011)
    assert spans[-1][1] == pytest.approx(truth[-1].end, abs=0.011)
    # ordered, not overlapping
    assert all(a[1] <= b[0] + 1e-9 for a, b in itertools.pairwise(spans))


def test_derived_timings_of_silence_spread_over_the_audio() -> None:
    spans = derive_timings(["a", "bbb"], np.zeros(RATE, dtype=np.int16), RATE)
    assert spans == [(0.0, 0.25), (0.25, 1.0)]
    assert derive_timings([], np.zeros(10, dtype=np.int16), RATE) == []


def test_char_timings_give_token_spans_and_fill_unsaid_tokens() -> None:
    # "ab 🎉 cd": the emoji (offset 3) was not said
    tokens = [(0, 2), (3, 4), (5, 7)]
    timings = [CharTiming(0, 1, 0.1, 0.2), CharTiming(1, 2, 0.2, 0.3), CharTiming(5, 7, 0.5, 0.9)]
    spans = tokens_from_char_timings(tokens, timings, 1.0)
    assert spans == [(0.1, 0.3), (0.3, 0.5), (0.5, 0.9)]
    # trailing unsaid tokens sit at the end; out-of-order times are clamped
    spans = tokens_from_char_timings(
        [(0, 1), (2, 3), (4, 5)], [CharTiming(0, 1, 0.4, 0.6), CharTiming(2, 3, 0.1, 0.2)], 1.0
    )
    assert spans == [(0.4, 0.6), (0.6, 0.6), (0.6, 0.6)]
    # no timings at all: spread over the whole audio
    assert tokens_from_char_timings([(0, 1), (2, 3)], [], 2.0) == [(0.0, 1.0), (1.0, 2.0)]


def test_speak_by_sentence_joins_with_pauses_and_offsets_words(tmp_path: Path) -> None:
    said: list[str] = []

    def speak(sentence: str) -> SentenceAudio:
        said.append(sentence)
        samples, _ = tones(sentence)
        return SentenceAudio(samples, RATE)

    request = SpeechRequest(text="First one. 🎉 Second one!", voice="x", sentence_pause=0.5)
    speech = speak_by_sentence(request, tmp_path / "v.wav", "test", speak)
    assert said == ["First one.", "  Second one!"]  # the emoji is blanked, offsets kept
    assert [w.text for w in speech.words] == ["First", "one.", "🎉", "Second", "one!"]
    assert [w.sentence_end for w in speech.words] == [False, True, False, False, True]
    first_len = tones("First one.")[0].size / RATE
    assert speech.words[3].start >= first_len + 0.5
    assert speech.duration == pytest.approx(first_len + 0.5 + tones("  Second one!")[0].size / RATE)


def test_speak_by_sentence_refuses_nothing_to_say(tmp_path: Path) -> None:
    def speak(sentence: str) -> SentenceAudio:
        raise AssertionError("nothing should be spoken")

    with pytest.raises(ScriptError):
        speak_by_sentence(SpeechRequest(text="🎉 🎉", voice="x"), tmp_path / "v.wav", "t", speak)
    with pytest.raises(ScriptError):
        speak_by_sentence(SpeechRequest(text="  ", voice="x"), tmp_path / "v.wav", "t", speak)


def test_speak_by_sentence_rejects_mixed_sample_rates(tmp_path: Path) -> None:
    rates = iter([16000, 22050])

    def speak(sentence: str) -> SentenceAudio:
        return SentenceAudio(np.full(1600, 1000, dtype=np.int16), next(rates))

    with pytest.raises(ProviderError, match="different sample rates"):
        speak_by_sentence(
            SpeechRequest(text="One. Two.", voice="x"), tmp_path / "v.wav", "t", speak
        )
    assert not (tmp_path / "v.wav").exists()


def test_voice_info_speaks_its_languages() -> None:
    voice = VoiceInfo(id="v", name="v", language="en-US", languages=("de", "pt"))
    assert voice.speaks("en") and voice.speaks("en_GB") and voice.speaks("DE-at")
    assert not voice.speaks("fr")
    assert VoiceInfo(id="v", name="v", language="ja-JP").speaks("ja")


def test_retry_after_reads_seconds_and_http_dates() -> None:
    def answer(value: str) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": value})

    assert retry_after(answer("12")) == 12.0
    assert retry_after(answer("-3")) == 0.0
    later = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert 50 <= (retry_after(answer(later)) or 0) <= 61
    assert retry_after(answer("soon")) is None
    assert retry_after(httpx.Response(429)) is None
