"""espeak-ng: a robotic but always-available offline voice, used when it is installed.

Each sentence is spoken by the ``espeak-ng`` binary into a WAV (``-w``); espeak-ng gives no
word timings on its output, so they are derived from the pauses of the audio. This is the
only provider that starts a process (import-linter allows ``subprocess`` in this module
alone, see ``pyproject.toml``).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import threading
import wave
from pathlib import Path
from typing import ClassVar, Literal

import numpy as np

from video_orchestrator.errors import ConfigError, ProviderError, VoiceNotFoundError
from video_orchestrator.ports.provider import Provider, ProviderSettings
from video_orchestrator.ports.tts import Speech, SpeechRequest, VoiceInfo
from video_orchestrator.providers._speech import (
    SentenceAudio,
    check_request,
    speak_by_sentence,
)

__all__ = ["EspeakTTS"]

_LOGGER = logging.getLogger(__name__)
BASE_WPM = 175  # espeak-ng's default speaking rate, words per minute

Gender = Literal["female", "male", "neutral", "unknown"]


class EspeakSettings(ProviderSettings):
    """``VO_ESPEAK_NG`` (the binary) and ``VO_TTS_TIMEOUT``."""

    required: ClassVar[str] = "espeak-ng on PATH or VO_ESPEAK_NG"

    espeak_ng: str | None
    tts_timeout: float


class EspeakTTS(Provider[EspeakSettings]):
    """The ``espeak-ng`` voices, one per language it knows (ids such as ``en-us``, ``de``)."""

    name = "espeak-ng"
    kind = "local"
    settings_model = EspeakSettings

    @classmethod
    def from_settings(cls, settings: EspeakSettings) -> EspeakTTS:
        return cls(binary=settings.espeak_ng, timeout=settings.tts_timeout)

    def __init__(self, binary: str | None = None, timeout: float = 60.0) -> None:
        self._binary = shutil.which(binary) if binary else shutil.which("espeak-ng")
        self.configured = self._binary is not None
        self._timeout = timeout
        self._voices: list[VoiceInfo] | None = None
        self._lock = threading.Lock()

    def voices(self) -> list[VoiceInfo]:
        if self._binary is None:
            return []
        with self._lock:
            if self._voices is None:
                try:
                    listing = self._run(["--voices"], None).decode("utf-8", "replace")
                except ProviderError as error:
                    _LOGGER.warning("espeak-ng voices are not available: %s", error)
                    return []
                self._voices = _parse_voices(listing, self.name)
            return list(self._voices)

    def synthesize(self, request: SpeechRequest, out_path: Path) -> Speech:
        check_request(request)
        if self._binary is None:
            raise ConfigError(
                "espeak-ng is not installed (e.g. `apt-get install espeak-ng`), or "
                "VO_ESPEAK_NG does not point at it."
            )
        voices = {voice.id: voice for voice in self.voices()}
        voice = voices.get(request.voice)
        if voice is None:
            same = sorted(v.id for v in voices.values() if v.speaks(request.language))
            raise VoiceNotFoundError(
                f"espeak-ng has no voice {request.voice!r}; for {request.language!r} pick "
                f"{', '.join(same) or 'another provider'} (all voices: `vo voices`)."
            )
        if not voice.speaks(request.language):
            raise VoiceNotFoundError(
                f"espeak-ng voice {request.voice!r} speaks {voice.language}, not "
                f"{request.language!r}; pick the voice of that language."
            )
        wpm = str(round(BASE_WPM * request.speed))

        def speak(sentence: str) -> SentenceAudio:
            with tempfile.TemporaryDirectory(prefix="vo-espeak-") as folder:
                target = Path(folder) / "sentence.wav"
                self._run(
                    ["-v", request.voice, "-s", wpm, "-b", "1", "-w", str(target), "--stdin"],
                    sentence.encode("utf-8"),
                )
                return _read(target)

        return speak_by_sentence(request, out_path, self.name, speak)

    def _run(self, arguments: list[str], stdin: bytes | None) -> bytes:
        assert self._binary is not None
        try:
            done = subprocess.run(
                [self._binary, *arguments],
                input=stdin,
                capture_output=True,
                timeout=self._timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise ProviderError(f"espeak-ng took over {self._timeout:.0f} s; try again.") from error
        except OSError as error:
            raise ProviderError(f"espeak-ng could not be started ({error}).") from error
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise ProviderError(
                f"espeak-ng failed (exit {done.returncode}: {message[-1] if message else ''})."
            )
        return done.stdout


def _read(path: Path) -> SentenceAudio:
    try:
        with wave.open(str(path), "rb") as wav:
            if wav.getsampwidth() != 2:
                raise ProviderError("espeak-ng wrote audio that is not 16-bit PCM.")
            rate = wav.getframerate()
            channels = wav.getnchannels()
            samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    except (OSError, EOFError, wave.Error) as error:
        raise ProviderError(f"espeak-ng wrote no readable audio ({error}).") from error
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return SentenceAudio(samples.astype(np.int16), rate)


def _parse_voices(listing: str, provider: str) -> list[VoiceInfo]:
    """``espeak-ng --voices``: ``Pty Language Age/Gender VoiceName File Other Languages``."""
    voices: dict[str, VoiceInfo] = {}
    for line in listing.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 4:
            continue
        language, gender_field, name = fields[1], fields[2], fields[3]
        parts = language.split("-")
        tag = "-".join([parts[0], *(p.upper() if len(p) == 2 else p for p in parts[1:])])
        gender: Gender = {"M": "male", "F": "female"}.get(  # type: ignore[assignment]
            gender_field.rsplit("/", 1)[-1], "unknown"
        )
        voices.setdefault(
            language,
            VoiceInfo(
                id=language,
                name=f"espeak-ng {name.replace('_', ' ')}",
                language=tag,
                gender=gender,
                provider=provider,
                sample_rate=22050,
            ),
        )
    return list(voices.values())
