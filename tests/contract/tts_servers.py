"""Local servers that speak the speech providers' documented protocols, with real audio.

The audio comes from :class:`FakeTTS` (tone bursts, one per word, exact timings), so a test
can check the adapters' word timings against what the "provider" really said:

* :func:`openai_speech_handler` — ``POST /v1/audio/speech`` → raw 24 kHz 16-bit PCM.
* :func:`elevenlabs_handler` — ``GET /v1/voices`` and ``POST /v1/text-to-speech/{id}/
  with-timestamps`` → JSON with ``audio_base64`` and the character ``alignment``.
* :class:`EdgeServer` — the read-aloud websocket protocol (``speech.config``, ``ssml``,
  ``turn.start``, binary ``Path:audio`` MP3 frames, ``audio.metadata`` word boundaries,
  ``turn.end``), the voice list over plain HTTP, and the ``Sec-MS-GEC`` check that answers
  403 with the server's ``Date`` when the client's clock is off.
"""

from __future__ import annotations

import base64
import email.utils
import html
import io
import json
import re
import tempfile
import threading
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import av
import numpy as np
from websockets.datastructures import Headers
from websockets.http11 import Request, Response
from websockets.sync.server import ServerConnection, serve

from tests.httpserver import Recorded, Reply
from video_orchestrator.ports.tts import SpeechRequest, WordTiming
from video_orchestrator.providers.edge_tts.tts import sec_ms_gec
from video_orchestrator.providers.fake.tts import FakeTTS

API_KEY = "sk-speech-secret-42"
RATE = 24000


def fake_speech(
    text: str, speed: float = 1.0, rate: int = RATE
) -> tuple[np.ndarray, tuple[WordTiming, ...]]:
    """``text`` as FakeTTS tone bursts: int16 samples and the exact word timings."""
    tts = FakeTTS(sample_rate=rate)
    with tempfile.TemporaryDirectory() as folder:
        speech = tts.synthesize(
            SpeechRequest(text=text, voice="fake-en", speed=speed, sentence_pause=0.0),
            Path(folder) / "s.wav",
        )
        with wave.open(str(speech.audio_path), "rb") as handle:
            samples = np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2")
    return samples.astype(np.int16), speech.words


# --- OpenAI speech -----------------------------------------------------------------------

OPENAI_VOICES = ("alloy", "nova")


def openai_speech_handler(recorded: Recorded) -> Reply:
    if recorded.headers.get("authorization") != f"Bearer {API_KEY}":
        return Reply(
            401,
            {
                "error": {
                    "message": "Incorrect API key provided.",
                    "type": "invalid_request_error",
                    "code": "invalid_api_key",
                }
            },
        )
    if recorded.method != "POST" or recorded.path != "/v1/audio/speech":
        return Reply(404, {"error": {"message": "Not found", "type": "invalid_request_error"}})
    body = recorded.body if isinstance(recorded.body, dict) else {}
    if body.get("voice") not in OPENAI_VOICES or not body.get("input"):
        return Reply(400, {"error": {"message": "Invalid voice or input", "code": None}})
    assert body.get("response_format") == "pcm"
    samples, _ = fake_speech(str(body["input"]), float(body.get("speed", 1.0)))
    return Reply(200, samples.astype("<i2").tobytes())


# --- ElevenLabs --------------------------------------------------------------------------

ELEVEN_VOICES = [
    {
        "voice_id": "21m00Tcm4TlvDq8ikWAM",
        "name": "Rachel",
        "category": "premade",
        "labels": {"accent": "american", "gender": "female", "age": "young"},
        "verified_languages": [
            {"language": "en", "model_id": "eleven_multilingual_v2", "locale": "en-US"}
        ],
    },
    {
        "voice_id": "pNInz6obpgDQGcFmaJgB",
        "name": "Adam",
        "category": "premade",
        "labels": {"gender": "male"},
    },
]


def alignment(text: str, words: tuple[WordTiming, ...]) -> dict[str, list[Any]]:
    """Character alignment of ``text`` from word timings (characters share their word's
    span; spaces get the gap between words)."""
    starts = [0.0] * len(text)
    ends = [0.0] * len(text)
    cursor = 0
    previous_end = 0.0
    for word in words:
        at = text.find(word.text, cursor)
        for index in range(cursor, at):  # the gap before the word
            starts[index], ends[index] = previous_end, word.start
        step = (word.end - word.start) / len(word.text)
        for k in range(len(word.text)):
            starts[at + k] = word.start + k * step
            ends[at + k] = word.start + (k + 1) * step
        cursor = at + len(word.text)
        previous_end = word.end
    for index in range(cursor, len(text)):
        starts[index], ends[index] = previous_end, previous_end
    return {
        "characters": list(text),
        "character_start_times_seconds": [round(t, 3) for t in starts],
        "character_end_times_seconds": [round(t, 3) for t in ends],
    }


def elevenlabs_handler(recorded: Recorded) -> Reply:
    if recorded.headers.get("xi-api-key") != API_KEY:
        return Reply(
            401,
            {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}},
        )
    url = urlsplit(recorded.path)
    if recorded.method == "GET" and url.path == "/v1/voices":
        return Reply(200, {"voices": ELEVEN_VOICES})
    match = re.fullmatch(r"/v1/text-to-speech/([^/]+)/with-timestamps", url.path)
    if recorded.method != "POST" or match is None:
        return Reply(404, {"detail": "Not Found"})
    if match.group(1) not in {v["voice_id"] for v in ELEVEN_VOICES}:
        return Reply(404, {"detail": {"status": "voice_not_found", "message": "Voice not found"}})
    assert parse_qs(url.query).get("output_format") == ["pcm_24000"]
    body = recorded.body if isinstance(recorded.body, dict) else {}
    text = str(body.get("text", ""))
    speed = float((body.get("voice_settings") or {}).get("speed", 1.0))
    samples, words = fake_speech(text, speed)
    return Reply(
        200,
        {
            "audio_base64": base64.b64encode(samples.astype("<i2").tobytes()).decode(),
            "alignment": alignment(text, words),
            "normalized_alignment": alignment(text, words),
        },
    )


# --- Edge read-aloud ---------------------------------------------------------------------

EDGE_VOICES = [
    {
        "Name": "Microsoft Server Speech Text to Speech Voice (en-US, AriaNeural)",
        "ShortName": "en-US-AriaNeural",
        "Gender": "Female",
        "Locale": "en-US",
        "SuggestedCodec": "audio-24khz-48kbitrate-mono-mp3",
        "FriendlyName": "Microsoft Aria Online (Natural) - English (United States)",
        "Status": "GA",
        "VoiceTag": {"ContentCategories": ["News"], "VoicePersonalities": ["Friendly"]},
    },
    {
        "Name": "Microsoft Server Speech Text to Speech Voice (de-DE, KatjaNeural)",
        "ShortName": "de-DE-KatjaNeural",
        "Gender": "Female",
        "Locale": "de-DE",
        "SuggestedCodec": "audio-24khz-48kbitrate-mono-mp3",
        "FriendlyName": "Microsoft Katja Online (Natural) - German (Germany)",
        "Status": "GA",
        "VoiceTag": {"ContentCategories": ["General"], "VoicePersonalities": ["Friendly"]},
    },
]


def mp3(samples: np.ndarray, rate: int = RATE) -> bytes:
    """Encode int16 mono samples as MP3 with PyAV (libmp3lame)."""
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp3") as container:
        stream = container.add_stream("libmp3lame", rate=rate)
        stream.bit_rate = 48000
        stream.layout = "mono"
        frame_size = 1152
        pts = 0
        for start in range(0, samples.size, frame_size):
            chunk = samples[start : start + frame_size].reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(chunk, format="s16", layout="mono")
            frame.sample_rate = rate
            frame.pts = pts
            pts += chunk.shape[1]
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buffer.getvalue()


@dataclass
class EdgeServer:
    """The read-aloud protocol on ``ws://127.0.0.1:PORT/edge/v1`` and the voice list on
    ``http://127.0.0.1:PORT/voices/list``.

    ``clock_skew``: seconds the server's clock is ahead of this machine's; a client whose
    ``Sec-MS-GEC`` does not match the server's clock gets 403 with the server's ``Date``.
    ``reject``: answer every handshake with this status. ``mode``: ``"ok"``, ``"silent"``
    (never answers the SSML), ``"close"`` (closes mid-turn), ``"no-audio"``,
    ``"bad-metadata"``.
    """

    clock_skew: float = 0.0
    reject: int | None = None
    mode: str = "ok"
    handshakes: list[dict[str, str]] = field(default_factory=list)
    ssml: list[str] = field(default_factory=list)
    rejected: int = 0

    def __post_init__(self) -> None:
        self._server = serve(
            self._handler,
            "127.0.0.1",
            0,
            process_request=self._process_request,
            compression=None,
            max_size=None,
        )
        self.port: int = self._server.socket.getsockname()[1]
        self.url = f"ws://127.0.0.1:{self.port}/edge/v1"
        self.voices_url = f"http://127.0.0.1:{self.port}/voices/list"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> EdgeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    def _respond(self, status: int, body: bytes, content_type: str) -> Response:
        reason = {200: "OK", 403: "Forbidden", 429: "Too Many Requests", 503: "Unavailable"}
        headers = Headers(
            [
                ("Content-Type", content_type),
                ("Content-Length", str(len(body))),
                ("Date", email.utils.formatdate(time.time() + self.clock_skew, usegmt=True)),
            ]
        )
        return Response(status, reason.get(status, "Error"), headers, body)

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        url = urlsplit(request.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        expected = sec_ms_gec(time.time() + self.clock_skew)
        if url.path == "/voices/list":
            if query.get("Sec-MS-GEC") != expected:
                self.rejected += 1
                return self._respond(403, b"", "text/plain")
            return self._respond(200, json.dumps(EDGE_VOICES).encode(), "application/json")
        self.handshakes.append({"path": url.path, **query})
        if self.reject is not None:
            self.rejected += 1
            return self._respond(self.reject, b"rejected", "text/plain")
        if query.get("Sec-MS-GEC") != expected:
            self.rejected += 1
            return self._respond(403, b"", "text/plain")
        return None

    def _handler(self, connection: ServerConnection) -> None:
        config = connection.recv()
        assert isinstance(config, str) and "Path:speech.config" in config
        message = connection.recv()
        assert isinstance(message, str) and "Path:ssml" in message
        self.ssml.append(message)
        if self.mode == "silent":
            time.sleep(3)
            return
        request_id = re.search(r"X-RequestId:(\w+)", message)
        rid = request_id.group(1) if request_id else "0"
        text = html.unescape(re.sub(r"<[^>]+>", "", message.split("\r\n\r\n", 1)[1]))
        rate = re.search(r"rate='([+-]\d+)%'", message)
        speed = 1.0 + int(rate.group(1)) / 100 if rate else 1.0
        samples, words = fake_speech(text, speed)
        stamp = "X-Timestamp:2026-01-01T00:00:00.000Z"
        connection.send(f"X-RequestId:{rid}\r\nContent-Type:application/json\r\n{stamp}\r\n"
                        "Path:turn.start\r\n\r\n{}")  # fmt: skip
        if self.mode == "close":
            connection.close()
            return
        if self.mode != "no-audio":
            data = mp3(samples)
            header = (
                f"X-RequestId:{rid}\r\nContent-Type:audio/mpeg\r\n{stamp}\r\nPath:audio".encode()
            )
            for start in range(0, len(data), 4096):
                connection.send(
                    len(header).to_bytes(2, "big") + header + data[start : start + 4096]
                )
        metadata: Any = {
            "Metadata": [
                {
                    "Type": "WordBoundary",
                    "Data": {
                        "Offset": round(word.start * 10_000_000),
                        "Duration": round((word.end - word.start) * 10_000_000),
                        "text": {
                            "Text": word.text.strip(".,!?;:\"'()…—“”"),
                            "Length": len(word.text),
                            "BoundaryType": "WordBoundary",
                        },
                    },
                }
                for word in words
                if word.text.strip(".,!?;:\"'()…—“”")
            ]
        }
        body = "{not json" if self.mode == "bad-metadata" else json.dumps(metadata)
        connection.send(f"X-RequestId:{rid}\r\nContent-Type:application/json\r\n{stamp}\r\n"
                        f"Path:audio.metadata\r\n\r\n{body}")  # fmt: skip
        connection.send(f"X-RequestId:{rid}\r\nContent-Type:application/json\r\n{stamp}\r\n"
                        "Path:turn.end\r\n\r\n{}")  # fmt: skip
