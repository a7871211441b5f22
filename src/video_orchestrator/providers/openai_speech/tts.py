"""OpenAI speech: ``POST {base_url}/v1/audio/speech`` (also Kokoro-FastAPI, openedai-speech
and other compatible servers).

The request asks for ``response_format: "pcm"`` (raw 24 kHz 16-bit mono); an answer that is
a WAV/MP3/Ogg file anyway (some compatible servers) is decoded with PyAV. The API gives no
word timings, so each sentence is requested on its own and its words are aligned to the
pauses of its audio (see ``providers/_speech.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import httpx

from video_orchestrator.errors import ConfigError, ProviderError, VoiceNotFoundError
from video_orchestrator.ports.provider import Provider, ProviderSettings
from video_orchestrator.ports.tts import Speech, SpeechRequest, VoiceInfo
from video_orchestrator.providers import transport
from video_orchestrator.providers._speech import (
    SentenceAudio,
    check_request,
    decode_audio,
    pcm16,
    speak_by_sentence,
)

__all__ = ["DEFAULT_VOICES", "OpenAISpeechTTS"]

DEFAULT_BASE_URL = "https://api.openai.com"
PCM_RATE = 24000  # the documented rate of response_format "pcm"
#: The voices OpenAI documents for its speech models.
DEFAULT_VOICES = (
    "alloy",
    "ash",
    "ballad",
    "coral",
    "echo",
    "fable",
    "nova",
    "onyx",
    "sage",
    "shimmer",
    "verse",
)
#: Languages the speech models speak (OpenAI: "the same languages as Whisper", the list
#: its text-to-speech guide gives).
LANGUAGES = tuple(
    [
        "af",
        "ar",
        "hy",
        "az",
        "be",
        "bs",
        "bg",
        "ca",
        "zh",
        "hr",
        "cs",
        "da",
        "nl",
        "en",
        "et",
        "fi",
        "fr",
        "gl",
        "de",
        "el",
        "he",
        "hi",
        "hu",
        "is",
        "id",
        "it",
        "ja",
        "kn",
        "kk",
        "ko",
        "lv",
        "lt",
        "mk",
        "ms",
        "mr",
        "mi",
        "ne",
        "no",
        "fa",
        "pl",
        "pt",
        "ro",
        "ru",
        "sr",
        "sk",
        "sl",
        "es",
        "sw",
        "sv",
        "tl",
        "ta",
        "th",
        "tr",
        "uk",
        "ur",
        "vi",
        "cy",
    ]
)
_AUDIO_MAGIC = (b"RIFF", b"ID3", b"OggS", b"fLaC", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")


class OpenAISpeechSettings(ProviderSettings):
    """``VO_OPENAI_SPEECH_*`` and the cloud-voice timeout and retries."""

    required: ClassVar[str] = "VO_OPENAI_SPEECH_API_KEY"

    openai_speech_api_key: str | None
    openai_speech_base_url: str | None
    openai_speech_model: str
    openai_speech_voices: list[str]
    tts_timeout: float
    tts_max_retries: int


class OpenAISpeechTTS(Provider[OpenAISpeechSettings]):
    """OpenAI's speech voices (or a compatible server's).

    Configured when an API key or a base URL is given; otherwise it lists no voices and
    refuses to speak with a one-line explanation.
    """

    name = "openai-speech"
    settings_model = OpenAISpeechSettings

    @classmethod
    def from_settings(cls, settings: OpenAISpeechSettings) -> OpenAISpeechTTS:
        return cls(
            api_key=settings.openai_speech_api_key,
            base_url=settings.openai_speech_base_url,
            model=settings.openai_speech_model,
            voices=settings.openai_speech_voices or None,
            timeout=settings.tts_timeout,
            max_retries=settings.tts_max_retries,
        )

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        model: str = "gpt-4o-mini-tts",
        voices: Sequence[str] | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
        retry_backoff: float = 0.5,
    ) -> None:
        self.configured = bool(api_key) or bool(base_url)
        self._api_key = api_key
        root = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self._base_url = root.removesuffix("/v1")
        self._model = model
        self._voice_ids = tuple(voices or DEFAULT_VOICES)
        self._timeout = timeout
        self._max_retries = max_retries
        self._backoff = retry_backoff

    def __repr__(self) -> str:
        return f"OpenAISpeechTTS(base_url={self._base_url!r}, model={self._model!r})"

    def voices(self) -> list[VoiceInfo]:
        if not self.configured:
            return []
        return [
            VoiceInfo(
                id=voice,
                name=f"OpenAI {voice}",
                language="en-US",
                gender="unknown",
                provider=self.name,
                sample_rate=PCM_RATE,
                languages=LANGUAGES,
            )
            for voice in self._voice_ids
        ]

    def synthesize(self, request: SpeechRequest, out_path: Path) -> Speech:
        check_request(request)
        if not self.configured:
            raise ConfigError(
                "OpenAI speech is not configured: set VO_OPENAI_SPEECH_API_KEY (or "
                "VO_OPENAI_SPEECH_BASE_URL for a compatible local server)."
            )
        voices = {voice.id: voice for voice in self.voices()}
        voice = voices.get(request.voice)
        if voice is None:
            raise VoiceNotFoundError(
                f"OpenAI speech has no voice {request.voice!r}; pick one of "
                f"{', '.join(voices)} (or list others in VO_OPENAI_SPEECH_VOICES)."
            )
        if not voice.speaks(request.language):
            raise VoiceNotFoundError(
                f"OpenAI speech voices do not speak {request.language!r}; pick a Piper "
                "voice for that language (see `vo voices --catalogue`)."
            )
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        with httpx.Client(timeout=self._timeout, headers=headers) as client:

            def speak(sentence: str) -> SentenceAudio:
                response = transport.request(
                    client,
                    "POST",
                    f"{self._base_url}/v1/audio/speech",
                    provider="OpenAI speech",
                    max_retries=self._max_retries,
                    backoff=self._backoff,
                    json={
                        "model": self._model,
                        "voice": request.voice,
                        "input": sentence,
                        "response_format": "pcm",
                        "speed": request.speed,
                    },
                )
                return _audio(response)

            return speak_by_sentence(request, out_path, self.name, speak)


def _audio(response: httpx.Response) -> SentenceAudio:
    data = response.content
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if data.startswith(_AUDIO_MAGIC) or content_type in (
        "audio/wav",
        "audio/x-wav",
        "audio/mpeg",
        "audio/ogg",
        "audio/flac",
    ):
        samples, rate = decode_audio(data, "OpenAI speech")
        return SentenceAudio(samples, rate)
    if content_type.startswith(("application/json", "text/")):
        raise ProviderError(
            f"OpenAI speech answered {content_type} instead of audio "
            f"({transport.response_detail(response)}); try again later."
        )
    return SentenceAudio(pcm16(data, "OpenAI speech"), PCM_RATE)
