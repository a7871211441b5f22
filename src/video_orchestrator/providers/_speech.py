"""Helpers every TTS adapter shares: request checks, atomic WAV writing, sentence-by-sentence
synthesis with word timings (from the provider's character timings or derived from the
audio's pauses) and decoding of provider audio."""

from __future__ import annotations

import io
import itertools
import math
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from numpy.typing import NDArray

from video_orchestrator import atomic
from video_orchestrator.errors import ConfigError, ProviderError, ScriptError
from video_orchestrator.ports.tts import Speech, SpeechRequest, WordTiming
from video_orchestrator.text import (
    distribute,
    sentence_end_flags,
    sentence_ranges,
    speakable,
    token_spans,
    word_weight,
)

MIN_SPEED = 0.5
MAX_SPEED = 2.0
MAX_SENTENCE_PAUSE = 5.0


def check_request(request: SpeechRequest) -> None:
    """Speed and sentence pause inside what every voice supports."""
    if not (math.isfinite(request.speed) and MIN_SPEED <= request.speed <= MAX_SPEED):
        raise ConfigError(
            f"Speech speed {request.speed} is out of range; use a value from {MIN_SPEED} "
            f"to {MAX_SPEED} (1.0 is the voice's natural pace)."
        )
    pause = request.sentence_pause
    if not (math.isfinite(pause) and 0.0 <= pause <= MAX_SENTENCE_PAUSE):
        raise ConfigError(
            f"Sentence pause {pause} s is out of range; use 0 to {MAX_SENTENCE_PAUSE} seconds."
        )


def write_wav(out_path: Path, samples: NDArray[np.int16], sample_rate: int) -> None:
    """Write mono 16-bit PCM to a temporary file beside ``out_path``, then rename it."""
    try:
        with (
            atomic.replacing(out_path, suffix=".part") as temporary,
            wave.open(str(temporary), "wb") as wav,
        ):
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(sample_rate)
            wav.writeframes(samples.astype("<i2").tobytes())
    except OSError as error:
        raise ProviderError(
            f"Could not write the speech audio to {out_path} ({error}); check that the "
            "folder is writable and the path is not a directory."
        ) from error


# --- sentence-by-sentence synthesis for cloud and command-line voices --------------------


@dataclass(frozen=True, slots=True)
class CharTiming:
    """A stretch of characters of a sentence and when it is spoken (seconds into its audio).

    ``start``/``stop`` are character offsets into the sentence text that was sent.
    """

    start: int
    stop: int
    begin: float
    end: float


@dataclass(frozen=True, slots=True)
class SentenceAudio:
    """One sentence spoken by a provider: mono 16-bit samples, and character timings when
    the provider gives them (``None``: derive them from the audio)."""

    samples: NDArray[np.int16]
    sample_rate: int
    timings: Sequence[CharTiming] | None = None


def speak_by_sentence(
    request: SpeechRequest,
    out_path: Path,
    provider: str,
    speak: Callable[[str], SentenceAudio],
) -> Speech:
    """Speak ``request.text`` one sentence at a time through ``speak`` and join the audio
    with ``request.sentence_pause`` seconds of silence between sentences.

    Every sentence is sent as :func:`speakable` text (emoji blanked, same length, so
    character offsets stay valid). Word timings come from the provider's character timings
    when it gives them, otherwise from the audio itself (:func:`derive_timings`).
    """
    text, language = request.text, request.language
    spans = token_spans(text, language)
    if not spans:
        raise ScriptError("There is no text to speak; write some words and try again.")
    chunks: list[NDArray[np.int16]] = []
    words: list[WordTiming] = []
    rate: int | None = None
    position = 0  # samples written so far
    ranges = sentence_ranges(text, language)
    for number, (first, stop) in enumerate(ranges):
        sentence_start = spans[first][0]
        sentence = text[sentence_start : spans[stop - 1][1]]
        tokens = [text[a:b] for a, b in spans[first:stop]]
        local = [(a - sentence_start, b - sentence_start) for a, b in spans[first:stop]]
        spoken = speakable(sentence)
        if not any(char.isalnum() for char in spoken):
            # Nothing to say (only emoji or symbols): the tokens are shown, not spoken.
            at = position / rate if rate else 0.0
            words.extend(WordTiming(token, at, at) for token in tokens)
        else:
            audio = speak(spoken)
            if rate is None:
                rate = audio.sample_rate
            elif audio.sample_rate != rate:
                raise ProviderError(
                    f"{provider} returned sentences at different sample rates "
                    f"({rate} and {audio.sample_rate} Hz); try again or pick another voice."
                )
            samples = np.asarray(audio.samples, dtype=np.int16)
            if samples.size == 0:
                raise ProviderError(f"{provider} returned no audio for {sentence[:40]!r}.")
            seconds = samples.size / rate
            if audio.timings:
                placed = tokens_from_char_timings(local, audio.timings, seconds)
            else:
                placed = derive_timings(tokens, samples, rate)
            offset = position / rate
            words.extend(
                WordTiming(token, offset + a, offset + b)
                for token, (a, b) in zip(tokens, placed, strict=True)
            )
            chunks.append(samples)
            position += samples.size
        if number < len(ranges) - 1 and rate is not None:
            pause = round(request.sentence_pause * rate)
            chunks.append(np.zeros(pause, dtype=np.int16))
            position += pause
    if rate is None:
        raise ScriptError("There is nothing to say in this text (only symbols or emoji).")
    flags = sentence_end_flags(text, language)
    words = [
        WordTiming(w.text, w.start, w.end, sentence_end=flag)
        for w, flag in zip(words, flags, strict=True)
    ]
    pcm = np.concatenate(chunks)
    write_wav(out_path, pcm, rate)
    return Speech(
        audio_path=out_path,
        sample_rate=rate,
        duration=pcm.size / rate,
        words=tuple(words),
        provider=provider,
    )


def tokens_from_char_timings(
    tokens: Sequence[tuple[int, int]], timings: Sequence[CharTiming], total: float
) -> list[tuple[float, float]]:
    """Span of every token (character offsets) from timed character stretches.

    A token takes the span of the stretches that overlap it; tokens no stretch covers
    (symbols the provider did not say) get the gap between their neighbours. The result is
    in order, non-overlapping and inside ``[0, total]``.
    """
    begins: list[float | None] = [None] * len(tokens)
    ends: list[float | None] = [None] * len(tokens)
    for timing in timings:
        if timing.end < timing.begin:
            continue
        for index, (start, stop) in enumerate(tokens):
            if timing.start < stop and start < timing.stop:
                old_begin, old_end = begins[index], ends[index]
                begins[index] = timing.begin if old_begin is None else min(old_begin, timing.begin)
                ends[index] = timing.end if old_end is None else max(old_end, timing.end)
    return _fill_gaps(begins, ends, total, tokens)


def _fill_gaps(
    begins: Sequence[float | None],
    ends: Sequence[float | None],
    total: float,
    tokens: Sequence[tuple[int, int]],
) -> list[tuple[float, float]]:
    spans: list[tuple[float, float]] = []
    previous = 0.0
    index = 0
    count = len(begins)
    while index < count:
        begin, end = begins[index], ends[index]
        if begin is not None and end is not None:
            begin = min(max(begin, previous), total)
            end = min(max(end, begin), total)
            spans.append((begin, end))
            previous = end
            index += 1
            continue
        stop = index
        while stop < count and begins[stop] is None:
            stop += 1
        following = begins[stop] if stop < count else None
        if following is None:  # trailing unsaid symbols sit at the end of the speech
            gap_end = total if index == 0 else previous
        else:
            gap_end = min(max(previous, following), total)
        weights = ["x" * max(1, b - a) for a, b in tokens[index:stop]]
        for timing in distribute(weights, previous, max(previous, gap_end)):
            spans.append((timing.start, timing.end))
        previous = max(previous, gap_end)
        index = stop
    return spans


# --- word timings derived from the audio ------------------------------------------------

_FRAME_SECONDS = 0.01
_MIN_PAUSE_SECONDS = 0.12
_PUNCTUATION_PAUSE = frozenset(",;:.!?…—–)")


def voiced_segments(
    samples: NDArray[np.int16], rate: int, min_pause: float = _MIN_PAUSE_SECONDS
) -> list[tuple[float, float]]:
    """Stretches of the audio with voice in them, in seconds, separated by pauses of at
    least ``min_pause`` seconds (quieter than a tenth of the loudest 10 ms frame)."""
    frame = max(1, round(rate * _FRAME_SECONDS))
    count = samples.size // frame
    if count == 0:
        return []
    frames = samples[: count * frame].astype(np.float64).reshape(count, frame) / 32768.0
    energy = np.sqrt(np.mean(np.square(frames), axis=1))
    peak = float(energy.max())
    if peak <= 1e-4:
        return []
    voiced = energy > max(0.1 * peak, 1e-3)
    segments: list[list[int]] = []
    for index in np.flatnonzero(voiced):
        at = int(index)
        if segments and (at - segments[-1][1]) * _FRAME_SECONDS < min_pause:
            segments[-1][1] = at + 1
        else:
            segments.append([at, at + 1])
    seconds = frame / rate
    return [(a * seconds, min(b * seconds, samples.size / rate)) for a, b in segments]


def derive_timings(
    tokens: Sequence[str], samples: NDArray[np.int16], rate: int
) -> list[tuple[float, float]]:
    """Word spans for a provider that gives none, aligned to the audio's pauses.

    The voiced stretches of the audio are found by energy. Words are laid over the voiced
    time only (pauses excluded) in proportion to their letters; then each pause is matched
    to the nearest word boundary (preferring one after punctuation) and the words between
    two matched pauses are spread over the speech between them. So sentence and comma
    pauses fall between words, and no word is placed in silence.
    """
    total = samples.size / rate
    if not tokens:
        return []
    segments = voiced_segments(samples, rate)
    if not segments:
        return [(t.start, t.end) for t in distribute(list(tokens), 0.0, total)]
    lengths = [b - a for a, b in segments]
    voiced = sum(lengths)
    weights = [word_weight(token) for token in tokens]
    cumulative = np.concatenate(([0.0], np.cumsum(weights))) / sum(weights) * voiced
    pauses = list(itertools.accumulate(lengths))[:-1]  # voiced time at each pause
    anchors: dict[int, float] = {0: 0.0, len(tokens): voiced}
    tolerance = 2.0 * voiced / len(tokens)
    last = 0
    for pause in pauses:
        best: int | None = None
        best_cost = math.inf
        for index in range(last + 1, len(tokens)):
            distance = abs(float(cumulative[index]) - pause)
            if distance > tolerance:
                if cumulative[index] > pause:
                    break
                continue
            cost = distance * (0.5 if tokens[index - 1][-1] in _PUNCTUATION_PAUSE else 1.0)
            if cost < best_cost:
                best, best_cost = index, cost
        if best is not None:
            anchors[best] = pause
            last = best
    positions: list[float] = [0.0] * (len(tokens) + 1)
    marks = sorted(anchors)
    for left, right in itertools.pairwise(marks):
        group = weights[left:right]
        span = anchors[right] - anchors[left]
        running = 0
        for offset, weight in enumerate(group):
            positions[left + offset] = anchors[left] + span * running / sum(group)
            running += weight
        positions[right] = anchors[right]

    def real(position: float, starting: bool) -> float:
        covered = 0.0
        for (begin, _end), length in zip(segments, lengths, strict=True):
            if position < covered + length - 1e-9 or (
                not starting and position <= covered + length + 1e-9
            ):
                return begin + max(0.0, position - covered)
            covered += length
        return segments[-1][1]

    spans: list[tuple[float, float]] = []
    previous = 0.0
    for index in range(len(tokens)):
        begin = max(previous, real(positions[index], True))
        end = max(begin, real(positions[index + 1], False))
        spans.append((begin, min(end, total)))
        previous = spans[-1][1]
    return spans


# --- decoding provider audio -----------------------------------------------------------


def decode_audio(data: bytes, provider: str) -> tuple[NDArray[np.int16], int]:
    """Any audio container/codec PyAV reads (MP3, WAV, Ogg …) → mono 16-bit samples."""
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.audio:
                raise ProviderError(f"{provider} returned a file without audio.")
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="s16", layout="mono")
            pieces: list[NDArray[np.int16]] = []
            rate = 0
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    rate = int(out.sample_rate)
                    pieces.append(np.asarray(out.to_ndarray(), dtype=np.int16).reshape(-1))
            for out in resampler.resample(None):
                pieces.append(np.asarray(out.to_ndarray(), dtype=np.int16).reshape(-1))
    except ProviderError:
        raise
    except (av.FFmpegError, OSError, ValueError) as error:
        raise ProviderError(
            f"{provider} returned audio that cannot be decoded ({error}); try again or "
            "pick another voice."
        ) from error
    if not pieces or rate <= 0:
        raise ProviderError(f"{provider} returned no audio; try again or pick another voice.")
    return np.concatenate(pieces), rate


def pcm16(data: bytes, provider: str) -> NDArray[np.int16]:
    """Raw little-endian 16-bit mono PCM (a trailing odd byte is a malformed answer)."""
    if not data or len(data) % 2:
        raise ProviderError(
            f"{provider} returned {len(data)} bytes, which is not 16-bit PCM audio; try again."
        )
    return np.frombuffer(data, dtype="<i2").astype(np.int16)
