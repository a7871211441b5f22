"""ElevenLabs: ``POST {base_url}/v1/text-to-speech/{voice_id}/with-timestamps``.

The answer is JSON with ``audio_base64`` (raw 16-bit PCM, asked for as ``pcm_24000``) and a
character-level ``alignment`` (``characters``, ``character_start_times_seconds``,
``character_end_times_seconds``) from which every word's timing is taken. Voices come from
``GET /v1/voices`` (listed once per process). Authentication is the ``xi-api-key`` header.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal

import httpx

from video_orchestrator.errors import (
    ConfigError,
    ProviderError,
    VoiceNotFoundError,
)
from video_orchestrator.ports.provider import Provider, ProviderSettings
from video_orchestrator.ports.tts import Speech, SpeechRequest, VoiceInfo
from video_orchestrator.providers import transport
from video_orchestrator.providers._speech import (
    CharTiming,
    SentenceAudio,
    check_request,
    pcm16,
    speak_by_sentence,
)

__all__ = ["ElevenLabsTTS"]

_LOGGER = logging.getLogger(__name__)
_PROVIDER = "ElevenLabs"
PCM_RATE = 24000
OUTPUT_FORMAT = f"pcm_{PCM_RATE}"
MIN_SPEED, MAX_SPEED = 0.7, 1.2  # the range ElevenLabs accepts for voice_settings.speed
#: Languages of the multilingual models (eleven_multilingual_v2; v2.5/v3 add hu, no, vi).
MULTILINGUAL = tuple(
    [
        "en",
        "ja",
        "zh",
        "de",
        "hi",
        "fr",
        "ko",
        "pt",
        "it",
        "es",
        "id",
        "nl",
        "tr",
        "tl",
        "pl",
        "sv",
        "bg",
        "ro",
        "ar",
        "cs",
        "el",
        "fi",
        "hr",
        "ms",
        "sk",
        "da",
        "ta",
        "uk",
        "ru",
        "hu",
        "no",
        "vi",
    ]
)

Gender = Literal["female", "male", "neutral", "unknown"]


class ElevenLabsSettings(ProviderSettings):
    """``VO_ELEVENLABS_*`` and the cloud-voice timeout and retries."""

    required: ClassVar[str] = "VO_ELEVENLABS_API_KEY"

    elevenlabs_api_key: str | None
    elevenlabs_base_url: str
    elevenlabs_model: str
    tts_timeout: float
    tts_max_retries: int


class ElevenLabsTTS(Provider[ElevenLabsSettings]):
    """ElevenLabs voices with character timestamps. Configured by an API key."""

    name = "elevenlabs"
    settings_model = ElevenLabsSettings

    @classmethod
    def from_settings(cls, settings: ElevenLabsSettings) -> ElevenLabsTTS:
        return cls(
            api_key=settings.elevenlabs_api_key,
            base_url=settings.elevenlabs_base_url,
            model=settings.elevenlabs_model,
            timeout=settings.tts_timeout,
            max_retries=settings.tts_max_retries,
        )

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str = "https://api.elevenlabs.io",
        model: str = "eleven_multilingual_v2",
        timeout: float = 60.0,
        max_retries: int = 2,
        retry_backoff: float = 0.5,
    ) -> None:
        self.configured = bool(api_key)
        self._api_key = api_key or ""
        self._base_url = base_url.rstrip("/").removesuffix("/v1")
        self._model = model
        self._timeout = timeout
        self._max_retries = max_retries
        self._backoff = retry_backoff
        self._voices: list[VoiceInfo] | None = None
        self._lock = threading.Lock()
        self.last_error: str | None = None

    def __repr__(self) -> str:
        return f"ElevenLabsTTS(base_url={self._base_url!r}, model={self._model!r})"

    def _client(self) -> httpx.Client:
        return httpx.Client(timeout=self._timeout, headers={"xi-api-key": self._api_key})

    # --- voices ------------------------------------------------------------------------

    def voices(self) -> list[VoiceInfo]:
        """The account's voices; empty (with a logged warning) when unconfigured or when
        ElevenLabs cannot be reached, so listing voices never fails because of it."""
        if not self.configured:
            return []
        try:
            return list(self._voice_list())
        except ProviderError as error:
            self.last_error = str(error)
            _LOGGER.warning("ElevenLabs voices are not available: %s", error)
            return []

    def _voice_list(self) -> list[VoiceInfo]:
        with self._lock:
            if self._voices is None:
                with self._client() as client:
                    response = transport.request(
                        client,
                        "GET",
                        f"{self._base_url}/v1/voices",
                        provider=_PROVIDER,
                        max_retries=self._max_retries,
                        backoff=self._backoff,
                    )
                self._voices = self._parse_voices(transport.json_body(response, _PROVIDER))
            return self._voices

    def _parse_voices(self, body: Any) -> list[VoiceInfo]:
        if not isinstance(body, dict) or not isinstance(body.get("voices"), list):
            raise ProviderError("ElevenLabs returned a malformed voice list (no 'voices').")
        multilingual = any(tag in self._model for tag in ("multilingual", "v2_5", "v3"))
        found: list[VoiceInfo] = []
        for item in body["voices"]:
            if not isinstance(item, dict) or not isinstance(item.get("voice_id"), str):
                continue
            raw_labels = item.get("labels")
            labels: dict[str, Any] = raw_labels if isinstance(raw_labels, dict) else {}
            verified = [
                entry
                for entry in item.get("verified_languages") or []
                if isinstance(entry, dict) and isinstance(entry.get("language"), str)
            ]
            language = "en-US"
            if verified:
                first = verified[0]
                language = str(first.get("locale") or first["language"]).replace("_", "-")
            others = {str(entry["language"]) for entry in verified}
            if multilingual:
                others |= set(MULTILINGUAL)
            gender = str(labels.get("gender", "")).lower()
            found.append(
                VoiceInfo(
                    id=item["voice_id"],
                    name=str(item.get("name") or item["voice_id"]),
                    language=language,
                    gender=_gender(gender),
                    provider=self.name,
                    sample_rate=PCM_RATE,
                    languages=tuple(sorted(others)),
                )
            )
        return found

    # --- speech ------------------------------------------------------------------------

    def synthesize(self, request: SpeechRequest, out_path: Path) -> Speech:
        check_request(request)
        if not self.configured:
            raise ConfigError("ElevenLabs is not configured: set VO_ELEVENLABS_API_KEY.")
        voices = {voice.id: voice for voice in self._voice_list()}
        voice = voices.get(request.voice)
        if voice is None:
            raise VoiceNotFoundError(
                f"ElevenLabs has no voice {request.voice!r} in this account; pick one of "
                f"{', '.join(sorted(voices)) or 'none'} (see `vo voices`)."
            )
        if not voice.speaks(request.language):
            raise VoiceNotFoundError(
                f"ElevenLabs voice {voice.name!r} does not speak {request.language!r} with "
                f"model {self._model}; pick another voice or model."
            )
        body: dict[str, Any] = {"model_id": self._model}
        speed = min(MAX_SPEED, max(MIN_SPEED, request.speed))
        if speed != request.speed:
            _LOGGER.info(
                "ElevenLabs speed %.2f is outside 0.7–1.2; using %.2f", request.speed, speed
            )
        if speed != 1.0:
            body["voice_settings"] = {"speed": speed}
        with self._client() as client:

            def speak(sentence: str) -> SentenceAudio:
                response = transport.request(
                    client,
                    "POST",
                    f"{self._base_url}/v1/text-to-speech/{request.voice}/with-timestamps",
                    provider=_PROVIDER,
                    max_retries=self._max_retries,
                    backoff=self._backoff,
                    params={"output_format": OUTPUT_FORMAT},
                    json={**body, "text": sentence},
                )
                return _sentence_audio(transport.json_body(response, _PROVIDER), sentence)

            return speak_by_sentence(request, out_path, self.name, speak)


def _gender(label: str) -> Gender:
    if label in ("female", "male", "neutral"):
        return label  # type: ignore[return-value]
    return "unknown"


def _sentence_audio(body: Any, sentence: str) -> SentenceAudio:
    if not isinstance(body, dict) or not isinstance(body.get("audio_base64"), str):
        raise ProviderError("ElevenLabs returned a malformed answer (no 'audio_base64').")
    try:
        data = base64.b64decode(body["audio_base64"], validate=True)
    except (binascii.Error, ValueError) as error:
        raise ProviderError(
            "ElevenLabs returned a malformed answer ('audio_base64' is not base64)."
        ) from error
    samples = pcm16(data, _PROVIDER)
    alignment = body.get("alignment")
    timings = _char_timings(alignment, sentence) if isinstance(alignment, dict) else None
    if not timings:
        _LOGGER.info("ElevenLabs gave no usable alignment; deriving word timings from audio")
    return SentenceAudio(samples, PCM_RATE, timings or None)


def _char_timings(alignment: dict[str, Any], sentence: str) -> list[CharTiming]:
    """Character alignment → timed character offsets into ``sentence``.

    The characters normally spell the text sent; if the provider changed it, the two are
    aligned with difflib and only matching characters keep their times.
    """
    chars = alignment.get("characters")
    starts = alignment.get("character_start_times_seconds")
    ends = alignment.get("character_end_times_seconds")
    if not (
        isinstance(chars, list)
        and isinstance(starts, list)
        and isinstance(ends, list)
        and len(chars) == len(starts) == len(ends)
        and all(isinstance(c, str) for c in chars)
        and all(isinstance(t, int | float) for t in (*starts, *ends))
    ):
        return []
    spoken = "".join(chars)
    offsets: Sequence[int | None]
    if spoken == sentence:
        offsets = list(range(len(chars)))
    else:
        mapped: list[int | None] = [None] * len(chars)
        # characters may be multi-character strings; align on the joined text
        owner: list[int] = [index for index, char in enumerate(chars) for _ in char]
        matcher = difflib.SequenceMatcher(None, spoken, sentence, autojunk=False)
        for block in matcher.get_matching_blocks():
            for k in range(block.size):
                if mapped[owner[block.a + k]] is None:
                    mapped[owner[block.a + k]] = block.b + k
        offsets = mapped
    timings: list[CharTiming] = []
    for offset, char, begin, end in zip(offsets, chars, starts, ends, strict=True):
        if offset is None or not char.strip():
            continue
        timings.append(CharTiming(offset, offset + 1, float(begin), float(end)))
    return timings
