"""Text-to-speech port: text in, a WAV file and per-word timings out."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from video_orchestrator.ports.provider import ProviderKind


@dataclass(frozen=True, slots=True)
class VoiceInfo:
    id: str
    name: str
    language: str  # BCP-47-ish, e.g. "en-US"
    gender: Literal["female", "male", "neutral", "unknown"] = "unknown"
    provider: str = ""
    sample_rate: int = 22050
    installed: bool = True
    #: Further languages a multilingual voice speaks (primary subtags, e.g. ``("de", "fr")``).
    languages: tuple[str, ...] = ()

    def speaks(self, language: str) -> bool:
        """Whether this voice speaks ``language`` (compared by primary subtag)."""
        wanted = _primary(language)
        return wanted == _primary(self.language) or wanted in {
            _primary(other) for other in self.languages
        }


def _primary(language: str) -> str:
    return language.strip().replace("_", "-").split("-", 1)[0].lower()


@dataclass(frozen=True, slots=True)
class WordTiming:
    """A token of the text and when it is spoken, in seconds from the start of the audio.

    A token is a word for languages that use spaces; for languages that do not (Japanese)
    the tokenizer decides, so nothing here assumes spaces.
    """

    text: str
    start: float
    end: float
    sentence_end: bool = False


@dataclass(frozen=True, slots=True)
class SpeechRequest:
    text: str
    voice: str
    speed: float = 1.0  # 1.0 = the voice's natural pace; 1.2 = 20 % faster
    sentence_pause: float = 0.25  # seconds of silence after each sentence
    language: str = "en"

    def cache_key_parts(self) -> dict[str, object]:
        return {
            "text": self.text,
            "voice": self.voice,
            "speed": round(self.speed, 4),
            "sentence_pause": round(self.sentence_pause, 4),
            "language": self.language,
        }


@dataclass(frozen=True, slots=True)
class Speech:
    """Synthesised speech: a mono 16-bit WAV at ``sample_rate`` and its word timings."""

    audio_path: Path
    sample_rate: int
    duration: float
    words: tuple[WordTiming, ...] = field(default_factory=tuple)
    provider: str = ""


@runtime_checkable
class TTSProvider(Protocol):
    """A speech synthesiser. Implementations raise ``VoiceNotFoundError`` for unknown voices
    and ``ProviderError`` for failures; they write the WAV atomically to ``out_path``.

    ``kind`` is ``"local"`` for voices that work offline (the settings' ``local_voice_provider``
    is the one a cloud voice falls back to), ``configured`` is False when the provider cannot
    serve as configured (no key), and ``last_error`` says why listing its voices last failed.
    Adapters subclass ``ports.provider.Provider``, which gives these their defaults.
    """

    name: str

    @property
    def kind(self) -> ProviderKind: ...

    @property
    def configured(self) -> bool: ...

    @property
    def last_error(self) -> str | None: ...

    def voices(self) -> list[VoiceInfo]: ...

    def synthesize(self, request: SpeechRequest, out_path: Path) -> Speech: ...


@runtime_checkable
class VoicePreloader(Protocol):
    """A speech synthesiser whose voices take a while to load (a neural model held in
    memory): ``preload`` loads ``voice`` for ``language`` now, on the caller's thread, so
    that a synthesis started later does not wait for it. Loading twice loads once; errors
    are those ``synthesize`` would raise for that voice (ADR 0053)."""

    def preload(self, voice: str, language: str) -> None: ...
