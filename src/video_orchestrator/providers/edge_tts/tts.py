"""Microsoft Edge's read-aloud voices, spoken over their websocket protocol.

The protocol (as the Edge browser and the ``edge-tts`` project speak it): open
``wss://…/readaloud/edge/v1?TrustedClientToken=…&Sec-MS-GEC=…&Sec-MS-GEC-Version=…
&ConnectionId=…``; send a ``Path:speech.config`` text message asking for
``audio-24khz-48kbitrate-mono-mp3`` with word boundaries, then a ``Path:ssml`` message with
the SSML; receive ``turn.start``, binary ``Path:audio`` frames (a 2-byte big-endian header
length, the headers, then MP3 bytes), ``audio.metadata`` messages with ``WordBoundary``
events (offset and duration in 100 ns ticks) and finally ``turn.end``.

``Sec-MS-GEC`` is the SHA-256 of the current Windows file time rounded down to 5 minutes
followed by the client token. A wrong clock makes the service refuse the handshake with
HTTP 403 — the failure MoneyPrinterTurbo users meet most — so on a 403 the clock skew is
taken from the answer's ``Date`` header and the connection is tried once more.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
import uuid
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal
from xml.sax.saxutils import escape

import httpx
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI
from websockets.sync.client import connect

from video_orchestrator.errors import (
    ConfigError,
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
    VoiceNotFoundError,
)
from video_orchestrator.ports.provider import Provider, ProviderSettings
from video_orchestrator.ports.tts import Speech, SpeechRequest, VoiceInfo
from video_orchestrator.providers._speech import (
    CharTiming,
    SentenceAudio,
    check_request,
    decode_audio,
    speak_by_sentence,
)
from video_orchestrator.text import primary_language

__all__ = ["EdgeTTS", "sec_ms_gec"]

_LOGGER = logging.getLogger(__name__)
_PROVIDER = "Edge read-aloud"
TRUSTED_CLIENT_TOKEN = "6A5AA1D4EAFF4E9FB37E23D68491D6F4"
CHROMIUM_FULL_VERSION = "130.0.2849.68"
SEC_MS_GEC_VERSION = f"1-{CHROMIUM_FULL_VERSION}"
_MAJOR = CHROMIUM_FULL_VERSION.split(".", 1)[0]
_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    f"Chrome/{_MAJOR}.0.0.0 Safari/537.36 Edg/{_MAJOR}.0.0.0"
)
WSS_HEADERS = {
    "Pragma": "no-cache",
    "Cache-Control": "no-cache",
    "Origin": "chrome-extension://jdiccldimpdaibmpdkjnbmckianbfold",
    "User-Agent": _USER_AGENT,
    "Accept-Language": "en-US,en;q=0.9",
}
SAMPLE_RATE = 24000
OUTPUT_FORMAT = "audio-24khz-48kbitrate-mono-mp3"
_WINDOWS_EPOCH = 11644473600  # seconds from 1601-01-01 to 1970-01-01
_TICKS = 10_000_000  # 100 ns ticks per second
_VOICE_ID = re.compile(r"^([a-z]{2,3})-([A-Z]{2}|[A-Za-z]{4}-[A-Z]{2})-(\w+)$")

Gender = Literal["female", "male", "neutral", "unknown"]


def sec_ms_gec(now: float) -> str:
    """The ``Sec-MS-GEC`` token for Unix time ``now`` (seconds)."""
    ticks = int((now + _WINDOWS_EPOCH) * _TICKS)
    ticks -= ticks % 3_000_000_000  # 5 minutes
    return hashlib.sha256(f"{ticks}{TRUSTED_CLIENT_TOKEN}".encode("ascii")).hexdigest().upper()


class EdgeTTSSettings(ProviderSettings):
    """``VO_EDGE_TTS_*`` and ``VO_TTS_TIMEOUT``."""

    edge_tts_enabled: bool
    edge_tts_url: str
    edge_tts_voices_url: str
    tts_timeout: float


class EdgeTTS(Provider[EdgeTTSSettings]):
    """Edge's online voices (no key). Off unless ``VO_EDGE_TTS_ENABLED=1``."""

    name = "edge-tts"
    settings_model = EdgeTTSSettings

    @classmethod
    def from_settings(cls, settings: EdgeTTSSettings) -> EdgeTTS:
        return cls(
            enabled=settings.edge_tts_enabled,
            url=settings.edge_tts_url,
            voices_url=settings.edge_tts_voices_url,
            timeout=settings.tts_timeout,
        )

    def __init__(
        self,
        *,
        enabled: bool = True,
        url: str = "wss://speech.platform.bing.com/consumer/speech/synthesize/readaloud/edge/v1",
        voices_url: str = (
            "https://speech.platform.bing.com/consumer/speech/synthesize/readaloud/voices/list"
        ),
        timeout: float = 60.0,
    ) -> None:
        self.configured = enabled
        self._url = url
        self._voices_url = voices_url
        self._timeout = timeout
        self._skew = 0.0  # seconds to add to the local clock (learnt from a 403's Date)
        self._voices: list[VoiceInfo] | None = None
        self._lock = threading.Lock()
        self.last_error: str | None = None

    def __repr__(self) -> str:
        return f"EdgeTTS(url={self._url!r})"

    def _token(self) -> str:
        return sec_ms_gec(time.time() + self._skew)

    def _learn_skew(self, date: str | None) -> bool:
        """Adopt the server's clock from a ``Date`` header; whether the skew changed."""
        if not date:
            return False
        try:
            server = parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            return False
        skew = server - time.time()
        changed = sec_ms_gec(time.time() + skew) != self._token()
        self._skew = skew
        return changed

    # --- voices ------------------------------------------------------------------------

    def voices(self) -> list[VoiceInfo]:
        if not self.configured:
            return []
        try:
            return list(self._voice_list())
        except ProviderError as error:
            self.last_error = str(error)
            _LOGGER.warning("Edge read-aloud voices are not available: %s", error)
            return []

    def _voice_list(self) -> list[VoiceInfo]:
        with self._lock:
            if self._voices is None:
                self._voices = _parse_voices(self._fetch_voices(), self.name)
            return self._voices

    def _fetch_voices(self) -> Any:
        headers = {"User-Agent": _USER_AGENT, "Accept": "*/*"}
        with httpx.Client(timeout=self._timeout, headers=headers) as client:
            for attempt in range(2):
                params = {
                    "trustedclienttoken": TRUSTED_CLIENT_TOKEN,
                    "Sec-MS-GEC": self._token(),
                    "Sec-MS-GEC-Version": SEC_MS_GEC_VERSION,
                }
                try:
                    response = client.get(self._voices_url, params=params)
                except httpx.TimeoutException as error:
                    raise ProviderUnavailable(f"{_PROVIDER} did not answer in time.") from error
                except httpx.TransportError as error:
                    raise ProviderUnavailable(
                        f"could not reach {_PROVIDER} ({type(error).__name__}); check the network."
                    ) from error
                if (
                    response.status_code == 403
                    and attempt == 0
                    and self._learn_skew(response.headers.get("date"))
                ):
                    continue
                _raise_for_status(response.status_code, response.headers.get("retry-after"))
                try:
                    return response.json()
                except ValueError as error:
                    raise ProviderError(
                        f"{_PROVIDER} returned a malformed voice list (not JSON)."
                    ) from error
        raise ProviderAuthError(f"{_PROVIDER} refused the voice list (HTTP 403).")

    # --- speech ------------------------------------------------------------------------

    def synthesize(self, request: SpeechRequest, out_path: Path) -> Speech:
        check_request(request)
        if not self.configured:
            raise ConfigError(
                "Edge read-aloud voices are off: set VO_EDGE_TTS_ENABLED=1 to use them."
            )
        match = _VOICE_ID.match(request.voice)
        known: list[VoiceInfo] | None
        try:
            known = self._voice_list()
        except ProviderError as error:  # the list is a convenience; speaking may still work
            _LOGGER.info("Edge voice list unavailable (%s); trying the voice anyway", error)
            known = None
        if known is not None:
            by_id = {voice.id: voice for voice in known}
            if request.voice not in by_id:
                same = sorted(v.id for v in known if v.speaks(request.language))[:8]
                raise VoiceNotFoundError(
                    f"Edge has no voice {request.voice!r}; for {request.language!r} try "
                    f"{', '.join(same) or 'a Piper voice'} (see `vo voices`)."
                )
            locale = by_id[request.voice].language
        elif match is None:
            raise VoiceNotFoundError(
                f"{request.voice!r} is not an Edge voice name (like en-US-AriaNeural)."
            )
        else:
            locale = f"{match.group(1)}-{match.group(2)}"
        if primary_language(locale) != primary_language(request.language):
            raise VoiceNotFoundError(
                f"Edge voice {request.voice!r} speaks {locale}, not {request.language!r}; "
                "pick a voice of that language (see `vo voices`)."
            )
        rate = f"{round((request.speed - 1.0) * 100):+d}%"

        def speak(sentence: str) -> SentenceAudio:
            return self._speak(sentence, request.voice, locale, rate)

        return speak_by_sentence(request, out_path, self.name, speak)

    def _speak(self, sentence: str, voice: str, locale: str, rate: str) -> SentenceAudio:
        for attempt in range(2):
            url = (
                f"{self._url}?TrustedClientToken={TRUSTED_CLIENT_TOKEN}"
                f"&Sec-MS-GEC={self._token()}&Sec-MS-GEC-Version={SEC_MS_GEC_VERSION}"
                f"&ConnectionId={uuid.uuid4().hex}"
            )
            try:
                with connect(
                    url,
                    additional_headers=WSS_HEADERS,
                    open_timeout=self._timeout,
                    close_timeout=2,
                    max_size=None,
                    user_agent_header=None,
                ) as socket:
                    return self._turn(socket, sentence, voice, locale, rate)
            except InvalidStatus as error:
                status = error.response.status_code
                date = error.response.headers.get("Date")
                if status == 403 and attempt == 0 and self._learn_skew(date):
                    _LOGGER.info("Edge refused the token (403); retrying with the server clock")
                    continue
                if status == 403:
                    raise ProviderAuthError(
                        f"{_PROVIDER} refused the connection (HTTP 403) although the clock "
                        "matches the server's; Microsoft may have changed the protocol — use "
                        "another voice or update Video Orchestrator."
                    ) from error
                _raise_for_status(status, error.response.headers.get("Retry-After"))
                raise ProviderError(
                    f"{_PROVIDER} refused the connection (HTTP {status})."
                ) from error
            except (TimeoutError, ConnectionClosed, OSError, InvalidHandshake) as error:
                raise ProviderUnavailable(
                    f"{_PROVIDER} failed ({type(error).__name__}: {error}); check the network "
                    "or try again later."
                ) from error
            except InvalidURI as error:
                raise ConfigError(f"VO_EDGE_TTS_URL is not a websocket URL: {error}") from error
        raise ProviderAuthError(f"{_PROVIDER} refused the connection (HTTP 403).")

    def _turn(
        self, socket: Any, sentence: str, voice: str, locale: str, rate: str
    ) -> SentenceAudio:
        stamp = time.strftime("%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)")
        socket.send(
            f"X-Timestamp:{stamp}\r\nContent-Type:application/json; charset=utf-8\r\n"
            "Path:speech.config\r\n\r\n"
            '{"context":{"synthesis":{"audio":{"metadataoptions":{'
            '"sentenceBoundaryEnabled":"false","wordBoundaryEnabled":"true"},'
            f'"outputFormat":"{OUTPUT_FORMAT}"}}}}}}\r\n'
        )
        long_name = _long_voice_name(voice)
        ssml = (
            f"<speak version='1.0' xmlns='http://www.w3.org/2001/10/synthesis' "
            f"xml:lang='{locale}'><voice name='{long_name}'>"
            f"<prosody pitch='+0Hz' rate='{rate}' volume='+0%'>"
            f"{escape(_clean(sentence))}</prosody></voice></speak>"
        )
        socket.send(
            f"X-RequestId:{uuid.uuid4().hex}\r\nContent-Type:application/ssml+xml\r\n"
            f"X-Timestamp:{stamp}Z\r\nPath:ssml\r\n\r\n{ssml}"
        )
        audio = bytearray()
        boundaries: list[tuple[str, float, float]] = []
        started = False
        deadline = time.monotonic() + self._timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no turn.end within {self._timeout:.0f} s")
            message = socket.recv(timeout=remaining)
            if isinstance(message, str):
                headers, body = _split(message.encode("utf-8"))
                path = headers.get("Path", "")
                if path == "turn.start":
                    started = True
                elif path == "turn.end":
                    break
                elif path == "audio.metadata":
                    boundaries.extend(_word_boundaries(body))
                continue
            data = bytes(message)
            if len(data) < 2:
                raise ProviderError(f"{_PROVIDER} sent a malformed audio frame.")
            header_length = int.from_bytes(data[:2], "big")
            if len(data) < 2 + header_length:
                raise ProviderError(f"{_PROVIDER} sent a malformed audio frame.")
            headers, _ = _split(data[2 : 2 + header_length] + b"\r\n\r\n")
            if headers.get("Path") != "audio":
                continue
            if not started:
                raise ProviderError(f"{_PROVIDER} sent audio before the turn started.")
            audio.extend(data[2 + header_length :])
        if not audio:
            raise ProviderError(
                f"{_PROVIDER} sent no audio for {sentence[:40]!r}; check the voice name."
            )
        samples, sample_rate = decode_audio(bytes(audio), _PROVIDER)
        return SentenceAudio(samples, sample_rate, _timings(sentence, boundaries) or None)


def _raise_for_status(status: int, retry_after: str | None) -> None:
    if status < 400:
        return
    if status in (401, 403):
        raise ProviderAuthError(f"{_PROVIDER} refused the request (HTTP {status}).")
    if status == 429:
        try:
            after: float | None = float(retry_after) if retry_after else None
        except ValueError:
            after = None
        raise ProviderRateLimited(
            f"{_PROVIDER} is rate limiting requests (HTTP 429); try again later.",
            retry_after=after,
        )
    if status >= 500:
        raise ProviderUnavailable(f"{_PROVIDER} failed (HTTP {status}); try again later.")
    raise ProviderError(f"{_PROVIDER} rejected the request (HTTP {status}).")


def _split(raw: bytes) -> tuple[dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    headers: dict[str, str] = {}
    for line in head.split(b"\r\n"):
        key, sep, value = line.partition(b":")
        if sep:
            headers[key.decode("utf-8", "replace").strip()] = value.decode(
                "utf-8", "replace"
            ).strip()
    return headers, body


def _word_boundaries(body: bytes) -> list[tuple[str, float, float]]:
    try:
        metadata = json.loads(body)["Metadata"]
    except (ValueError, KeyError, TypeError) as error:
        raise ProviderError(f"{_PROVIDER} sent malformed word boundaries.") from error
    found: list[tuple[str, float, float]] = []
    for item in metadata if isinstance(metadata, list) else []:
        if not isinstance(item, dict) or item.get("Type") != "WordBoundary":
            continue
        try:
            data = item["Data"]
            offset = float(data["Offset"]) / _TICKS
            duration = float(data["Duration"]) / _TICKS
            text = str(data["text"]["Text"])
        except (KeyError, TypeError, ValueError) as error:
            raise ProviderError(f"{_PROVIDER} sent a malformed word boundary.") from error
        found.append((text, offset, offset + duration))
    return found


def _timings(sentence: str, boundaries: list[tuple[str, float, float]]) -> list[CharTiming]:
    """Word boundaries → timed character stretches, found in order in the sentence."""
    lowered = sentence.lower()
    cursor = 0
    timings: list[CharTiming] = []
    for word, begin, end in boundaries:
        needle = word.lower().strip()
        if not needle:
            continue
        at = lowered.find(needle, cursor)
        if at < 0:
            continue  # a word the service normalised ("three" for "3"): left to the gaps
        timings.append(CharTiming(at, at + len(needle), begin, end))
        cursor = at + len(needle)
    return timings


def _clean(text: str) -> str:
    """Control characters the service rejects become spaces."""
    return "".join(
        " " if (ord(c) < 32 and c not in "\t\n\r") or ord(c) in (11, 12) else c for c in text
    )


def _long_voice_name(voice: str) -> str:
    match = _VOICE_ID.match(voice)
    if match is None:
        return voice
    locale, name = f"{match.group(1)}-{match.group(2)}", match.group(3)
    return f"Microsoft Server Speech Text to Speech Voice ({locale}, {name})"


def _parse_voices(body: Any, provider: str) -> list[VoiceInfo]:
    if not isinstance(body, list):
        raise ProviderError(f"{_PROVIDER} returned a malformed voice list (not a list).")
    voices: list[VoiceInfo] = []
    for item in body:
        if not isinstance(item, dict) or not isinstance(item.get("ShortName"), str):
            continue
        gender = str(item.get("Gender", "")).lower()
        voices.append(
            VoiceInfo(
                id=item["ShortName"],
                name=str(item.get("FriendlyName") or item["ShortName"]),
                language=str(item.get("Locale") or item["ShortName"][:5]),
                gender=_gender(gender),
                provider=provider,
                sample_rate=SAMPLE_RATE,
            )
        )
    return voices


def _gender(label: str) -> Gender:
    if label in ("female", "male", "neutral"):
        return label  # type: ignore[return-value]
    return "unknown"
