"""Adapter-specific behaviour of the cloud voices against local servers speaking their
protocols: requests as documented, 401/403, 429 with Retry-After, 5xx, timeouts,
malformed answers, unconfigured providers, Edge's 403 handshake and clock-skew retry."""

from __future__ import annotations

import io
import logging
import socket
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.contract.tts_servers import (
    API_KEY,
    EdgeServer,
    elevenlabs_handler,
    fake_speech,
    openai_speech_handler,
)
from tests.httpserver import HTTPTestServer, Recorded, Reply
from video_orchestrator.errors import (
    ConfigError,
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
    VoiceNotFoundError,
)
from video_orchestrator.ports.tts import SpeechRequest
from video_orchestrator.providers.edge_tts.tts import EdgeTTS
from video_orchestrator.providers.elevenlabs.tts import ElevenLabsTTS
from video_orchestrator.providers.openai_speech.tts import OpenAISpeechTTS
from video_orchestrator.text import tokenize

ELEVEN_VOICE = "21m00Tcm4TlvDq8ikWAM"
TEXT = "Hello there. Second sentence!"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def openai_server() -> Iterator[HTTPTestServer]:
    with HTTPTestServer(openai_speech_handler) as server:
        yield server


@pytest.fixture
def eleven_server() -> Iterator[HTTPTestServer]:
    with HTTPTestServer(elevenlabs_handler) as server:
        yield server


def openai(server: HTTPTestServer, **options: object) -> OpenAISpeechTTS:
    settings: dict[str, object] = {"api_key": API_KEY, "base_url": server.base_url}
    settings.update(retry_backoff=0.0, **options)
    return OpenAISpeechTTS(**settings)  # type: ignore[arg-type]


def eleven(server: HTTPTestServer, **options: object) -> ElevenLabsTTS:
    settings: dict[str, object] = {"api_key": API_KEY, "base_url": server.base_url}
    settings.update(retry_backoff=0.0, **options)
    return ElevenLabsTTS(**settings)  # type: ignore[arg-type]


# --- OpenAI speech -----------------------------------------------------------------------


def test_openai_sends_the_documented_request_per_sentence(
    openai_server: HTTPTestServer, tmp_path: Path
) -> None:
    speech = openai(openai_server, model="tts-1").synthesize(
        SpeechRequest(text="Big news 🎉 today. Really!", voice="nova", speed=1.25),
        tmp_path / "v.wav",
    )
    posts = [r for r in openai_server.requests if r.method == "POST"]
    assert [r.path for r in posts] == ["/v1/audio/speech"] * 2
    assert posts[0].headers["authorization"] == f"Bearer {API_KEY}"
    assert posts[0].body == {
        "model": "tts-1",
        "voice": "nova",
        "input": "Big news   today.",  # the emoji is shown in captions, not read aloud
        "response_format": "pcm",
        "speed": 1.25,
    }
    assert posts[1].body["input"] == "Really!"
    assert speech.sample_rate == 24000
    assert [w.text for w in speech.words] == ["Big", "news", "🎉", "today.", "Really!"]


def test_openai_base_url_may_end_in_v1(openai_server: HTTPTestServer, tmp_path: Path) -> None:
    provider = OpenAISpeechTTS(api_key=API_KEY, base_url=openai_server.base_url + "/v1/")
    provider.synthesize(SpeechRequest(text="Hi.", voice="alloy"), tmp_path / "v.wav")
    assert openai_server.requests[-1].path == "/v1/audio/speech"


def test_openai_wrong_key_is_an_auth_error_without_the_key(
    openai_server: HTTPTestServer, tmp_path: Path
) -> None:
    provider = OpenAISpeechTTS(api_key="sk-wrong-secret", base_url=openai_server.base_url)
    with pytest.raises(ProviderAuthError, match="401") as caught:
        provider.synthesize(SpeechRequest(text=TEXT, voice="alloy"), tmp_path / "v.wav")
    assert "Incorrect API key" in str(caught.value)
    assert "sk-wrong-secret" not in str(caught.value)
    assert "sk-wrong-secret" not in repr(provider)
    assert not (tmp_path / "v.wav").exists()


def test_openai_retries_after_429_honouring_retry_after(
    openai_server: HTTPTestServer, tmp_path: Path
) -> None:
    openai_server.replies.append(
        Reply(429, {"error": {"message": "Rate limit reached"}}, {"Retry-After": "0"})
    )
    speech = openai(openai_server).synthesize(
        SpeechRequest(text="Just one.", voice="alloy"), tmp_path / "v.wav"
    )
    assert len(openai_server.requests) == 2
    assert speech.duration > 0


def test_openai_429_without_retries_left_reports_retry_after(
    openai_server: HTTPTestServer, tmp_path: Path
) -> None:
    openai_server.replies.append(
        Reply(429, {"error": {"message": "Rate limit reached"}}, {"Retry-After": "7"})
    )
    with pytest.raises(ProviderRateLimited, match="Rate limit reached") as caught:
        openai(openai_server, max_retries=0).synthesize(
            SpeechRequest(text="Just one.", voice="alloy"), tmp_path / "v.wav"
        )
    assert caught.value.retry_after == 7.0


def test_openai_long_retry_after_is_not_slept(
    openai_server: HTTPTestServer, tmp_path: Path
) -> None:
    openai_server.replies.append(
        Reply(429, {"error": {"message": "quota"}}, {"Retry-After": "600"})
    )
    with pytest.raises(ProviderRateLimited) as caught:
        openai(openai_server).synthesize(
            SpeechRequest(text="Just one.", voice="alloy"), tmp_path / "v.wav"
        )
    assert caught.value.retry_after == 600.0
    assert len(openai_server.requests) == 1


def test_openai_5xx_is_retried_then_unavailable(
    openai_server: HTTPTestServer, tmp_path: Path
) -> None:
    openai_server.replies.extend(Reply(503, {"error": {"message": "overloaded"}}) for _ in range(3))
    with pytest.raises(ProviderUnavailable, match="503"):
        openai(openai_server, max_retries=2).synthesize(
            SpeechRequest(text="Just one.", voice="alloy"), tmp_path / "v.wav"
        )
    assert len(openai_server.requests) == 3
    openai_server.replies.append(Reply(500, {"error": {"message": "oops"}}))
    speech = openai(openai_server, max_retries=1).synthesize(
        SpeechRequest(text="Just one.", voice="alloy"), tmp_path / "v.wav"
    )
    assert speech.duration > 0


def test_openai_timeout_is_unavailable_and_writes_nothing(
    openai_server: HTTPTestServer, tmp_path: Path
) -> None:
    openai_server.replies.append(Reply(200, b"\x00\x00", delay=3))
    with pytest.raises(ProviderUnavailable, match="in time"):
        openai(openai_server, timeout=0.3, max_retries=0).synthesize(
            SpeechRequest(text="Just one.", voice="alloy"), tmp_path / "v.wav"
        )
    assert not any(tmp_path.iterdir())


def test_openai_unreachable_server_is_unavailable(tmp_path: Path) -> None:
    provider = OpenAISpeechTTS(api_key=API_KEY, base_url=f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(ProviderUnavailable, match="could not reach"):
        provider.synthesize(SpeechRequest(text="Hi.", voice="alloy"), tmp_path / "v.wav")


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(200, {"object": "not audio"}), "instead of audio"),
        (Reply(200, b"\x01\x02\x03"), "not 16-bit PCM"),
        (Reply(200, b""), "not 16-bit PCM"),
        (Reply(200, b"RIFF\x00\x00garbage that is no wav"), "cannot be decoded|no audio"),
        (Reply(400, {"error": {"message": "input too long"}}), "input too long"),
    ],
)
def test_openai_malformed_or_refused_answers_are_provider_errors(
    openai_server: HTTPTestServer, tmp_path: Path, reply: Reply, message: str
) -> None:
    openai_server.replies.append(reply)
    with pytest.raises(ProviderError, match=message):
        openai(openai_server).synthesize(
            SpeechRequest(text="Just one.", voice="alloy"), tmp_path / "v.wav"
        )
    assert not (tmp_path / "v.wav").exists()


def test_openai_accepts_a_wav_answer_from_a_compatible_server(
    openai_server: HTTPTestServer, tmp_path: Path
) -> None:
    samples, _ = fake_speech("Just one.", rate=22050)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(22050)
        handle.writeframes(samples.tobytes())
    openai_server.replies.append(Reply(200, buffer.getvalue()))
    speech = openai(openai_server).synthesize(
        SpeechRequest(text="Just one.", voice="alloy"), tmp_path / "v.wav"
    )
    assert speech.sample_rate == 22050
    assert speech.duration == pytest.approx(samples.size / 22050)


def test_openai_unconfigured_lists_nothing_and_says_so(tmp_path: Path) -> None:
    provider = OpenAISpeechTTS()
    assert provider.voices() == []
    with pytest.raises(ConfigError, match="VO_OPENAI_SPEECH_API_KEY"):
        provider.synthesize(SpeechRequest(text="Hi.", voice="alloy"), tmp_path / "v.wav")


def test_openai_voices_speak_many_languages(openai_server: HTTPTestServer) -> None:
    (alloy, *_) = openai(openai_server).voices()
    assert alloy.speaks("de") and alloy.speaks("ja-JP") and not alloy.speaks("kl")


# --- ElevenLabs --------------------------------------------------------------------------


def test_elevenlabs_request_and_character_timings(
    eleven_server: HTTPTestServer, tmp_path: Path
) -> None:
    text = "Say it loud, please. Now!"
    speech = eleven(eleven_server, model="eleven_turbo_v2_5").synthesize(
        SpeechRequest(text=text, voice=ELEVEN_VOICE), tmp_path / "v.wav"
    )
    get, first, second = eleven_server.requests
    assert (get.method, get.path) == ("GET", "/v1/voices")
    assert (
        first.path == f"/v1/text-to-speech/{ELEVEN_VOICE}/with-timestamps?output_format=pcm_24000"
    )
    assert first.headers["xi-api-key"] == API_KEY
    assert first.body == {"model_id": "eleven_turbo_v2_5", "text": "Say it loud, please."}
    assert second.body["text"] == "Now!"
    # the server's tones are exactly where its alignment says: the words land on them
    _, words = fake_speech("Say it loud, please.")
    for ours, theirs in zip(speech.words, words, strict=False):
        assert ours.start == pytest.approx(theirs.start, abs=0.002)
        assert ours.end == pytest.approx(theirs.end, abs=0.002)


def test_elevenlabs_speed_is_sent_within_its_range(
    eleven_server: HTTPTestServer, tmp_path: Path
) -> None:
    provider = eleven(eleven_server)
    provider.synthesize(
        SpeechRequest(text="Fast.", voice=ELEVEN_VOICE, speed=2.0), tmp_path / "a.wav"
    )
    provider.synthesize(
        SpeechRequest(text="Slow.", voice=ELEVEN_VOICE, speed=0.5), tmp_path / "b.wav"
    )
    posts = [r for r in eleven_server.requests if r.method == "POST"]
    assert posts[0].body["voice_settings"] == {"speed": 1.2}
    assert posts[1].body["voice_settings"] == {"speed": 0.7}


def test_elevenlabs_lists_voices_once_with_languages(eleven_server: HTTPTestServer) -> None:
    provider = eleven(eleven_server)
    voices = {voice.id: voice for voice in provider.voices()}
    provider.voices()
    assert len(eleven_server.requests) == 1
    rachel, adam = voices[ELEVEN_VOICE], voices["pNInz6obpgDQGcFmaJgB"]
    assert (rachel.name, rachel.gender, rachel.language) == ("Rachel", "female", "en-US")
    assert rachel.speaks("de")  # the multilingual model
    assert adam.gender == "male" and adam.language == "en-US"
    english_only = eleven(eleven_server, model="eleven_monolingual_v1")
    assert not english_only.voices()[0].speaks("de")


def test_elevenlabs_bad_key_lists_no_voices_and_refuses_speech(
    eleven_server: HTTPTestServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    provider = ElevenLabsTTS(api_key="wrong-secret", base_url=eleven_server.base_url)
    with caplog.at_level(logging.WARNING):
        assert provider.voices() == []
    assert provider.last_error and "401" in provider.last_error
    assert "Invalid API key" in caplog.text and "wrong-secret" not in caplog.text
    with pytest.raises(ProviderAuthError, match="401"):
        provider.synthesize(SpeechRequest(text="Hi.", voice=ELEVEN_VOICE), tmp_path / "v.wav")


def test_elevenlabs_unconfigured_makes_no_request(tmp_path: Path) -> None:
    provider = ElevenLabsTTS(base_url=f"http://127.0.0.1:{closed_port()}")
    assert provider.voices() == []
    with pytest.raises(ConfigError, match="VO_ELEVENLABS_API_KEY"):
        provider.synthesize(SpeechRequest(text="Hi.", voice=ELEVEN_VOICE), tmp_path / "v.wav")


def test_elevenlabs_unknown_voice_lists_the_account_voices(
    eleven_server: HTTPTestServer, tmp_path: Path
) -> None:
    with pytest.raises(VoiceNotFoundError, match="pNInz6obpgDQGcFmaJgB"):
        eleven(eleven_server).synthesize(
            SpeechRequest(text="Hi.", voice="nope"), tmp_path / "v.wav"
        )


def post_reply(server: HTTPTestServer, reply: Reply) -> None:
    """Answer the next POST with ``reply`` (the voice list is served normally)."""
    original = server.default

    def answer(recorded: Recorded) -> Reply:
        if recorded.method == "POST":
            server.default = original
            return reply
        return original(recorded)

    server.default = answer


@pytest.mark.parametrize(
    ("reply", "error", "message"),
    [
        (Reply(200, "<html>gateway</html>"), ProviderError, "not JSON"),
        (Reply(200, {"alignment": {}}), ProviderError, "audio_base64"),
        (Reply(200, {"audio_base64": "%%% not base64"}), ProviderError, "not base64"),
        (Reply(200, {"audio_base64": "AAEC"}), ProviderError, "not 16-bit PCM"),
        (
            Reply(429, {"detail": {"status": "too_many_concurrent_requests", "message": "busy"}},
                  {"Retry-After": "3"}),
            ProviderRateLimited,
            "busy",
        ),
        (Reply(502, "bad gateway"), ProviderUnavailable, "502"),
        (Reply(422, {"detail": [{"msg": "text too long"}]}), ProviderError, "422"),
    ],
)  # fmt: skip
def test_elevenlabs_malformed_and_failed_answers(
    eleven_server: HTTPTestServer,
    tmp_path: Path,
    reply: Reply,
    error: type[Exception],
    message: str,
) -> None:
    post_reply(eleven_server, reply)
    with pytest.raises(error, match=message):
        eleven(eleven_server, max_retries=0).synthesize(
            SpeechRequest(text="Hi there.", voice=ELEVEN_VOICE), tmp_path / "v.wav"
        )
    assert not (tmp_path / "v.wav").exists()


def test_elevenlabs_without_alignment_derives_timings(
    eleven_server: HTTPTestServer, tmp_path: Path
) -> None:
    samples, words = fake_speech("One two three four.")
    import base64

    post_reply(
        eleven_server,
        Reply(200, {"audio_base64": base64.b64encode(samples.tobytes()).decode()}),
    )
    speech = eleven(eleven_server).synthesize(
        SpeechRequest(text="One two three four.", voice=ELEVEN_VOICE), tmp_path / "v.wav"
    )
    assert [w.text for w in speech.words] == ["One", "two", "three", "four."]
    assert speech.words[0].start == pytest.approx(words[0].start, abs=0.02)
    assert speech.words[-1].end == pytest.approx(words[-1].end, abs=0.02)


def test_elevenlabs_alignment_of_a_normalised_text_still_maps(
    eleven_server: HTTPTestServer, tmp_path: Path
) -> None:
    samples, words = fake_speech("I have three cats.")
    import base64

    from tests.contract.tts_servers import alignment

    post_reply(
        eleven_server,
        Reply(
            200,
            {
                "audio_base64": base64.b64encode(samples.tobytes()).decode(),
                # the service spelled "3" out: characters differ from the text sent
                "alignment": alignment("I have three cats.", words),
            },
        ),
    )
    speech = eleven(eleven_server).synthesize(
        SpeechRequest(text="I have 3 cats.", voice=ELEVEN_VOICE), tmp_path / "v.wav"
    )
    assert [w.text for w in speech.words] == ["I", "have", "3", "cats."]
    cats = speech.words[3]
    assert cats.start == pytest.approx(words[3].start, abs=0.002)
    assert speech.words[1].end <= speech.words[2].start <= speech.words[2].end <= cats.start


# --- Edge read-aloud ---------------------------------------------------------------------


def edge(server: EdgeServer, **options: object) -> EdgeTTS:
    return EdgeTTS(url=server.url, voices_url=server.voices_url, **options)  # type: ignore[arg-type]


def test_edge_speaks_the_protocol(tmp_path: Path) -> None:
    with EdgeServer() as server:
        speech = edge(server).synthesize(
            SpeechRequest(text="Tom & Jerry <3 it. Fast!", voice="en-US-AriaNeural", speed=1.5),
            tmp_path / "v.wav",
        )
    assert [w.text for w in speech.words] == tokenize("Tom & Jerry <3 it. Fast!", "en")
    assert len(server.ssml) == 2  # one turn per sentence
    first = server.ssml[0]
    assert "Path:ssml" in first and "X-RequestId:" in first
    assert "Tom &amp; Jerry &lt;3 it." in first  # escaped SSML
    assert "Microsoft Server Speech Text to Speech Voice (en-US, AriaNeural)" in first
    assert "rate='+50%'" in first
    handshake = server.handshakes[0]
    assert handshake["path"] == "/edge/v1"
    assert handshake["TrustedClientToken"] and handshake["Sec-MS-GEC-Version"].startswith("1-")
    # word boundaries come from the service: "Jerry" is where the server said it was
    _, words = fake_speech("Tom & Jerry <3 it.", speed=1.5)
    jerry = next(w for w in speech.words if w.text == "Jerry")
    assert jerry.start == pytest.approx(words[2].start, abs=0.002)


def test_edge_403_handshake_is_a_clear_auth_error(tmp_path: Path) -> None:
    with EdgeServer(reject=403) as server, pytest.raises(ProviderAuthError, match="403"):
        edge(server).synthesize(
            SpeechRequest(text="Hello.", voice="en-US-AriaNeural"), tmp_path / "v.wav"
        )
    assert not any(tmp_path.iterdir())


def test_edge_403_from_clock_skew_is_fixed_with_the_server_date(tmp_path: Path) -> None:
    with EdgeServer(clock_skew=2 * 3600) as server:
        speech = edge(server).synthesize(
            SpeechRequest(text="Hello there.", voice="en-US-AriaNeural"), tmp_path / "v.wav"
        )
        rejected = server.rejected
    assert speech.duration > 0
    assert rejected == 1  # the voice list was refused once; the websocket then passed


@pytest.mark.parametrize(
    ("status", "error"), [(503, ProviderUnavailable), (429, ProviderRateLimited)]
)
def test_edge_handshake_errors(status: int, error: type[Exception], tmp_path: Path) -> None:
    with EdgeServer(reject=status) as server, pytest.raises(error, match=str(status)):
        edge(server).synthesize(
            SpeechRequest(text="Hello.", voice="en-US-AriaNeural"), tmp_path / "v.wav"
        )


@pytest.mark.parametrize(
    ("mode", "error", "message"),
    [
        ("silent", ProviderUnavailable, "TimeoutError"),
        ("close", ProviderUnavailable, "ConnectionClosed"),
        ("no-audio", ProviderError, "no audio"),
        ("bad-metadata", ProviderError, "malformed word boundaries"),
    ],
)
def test_edge_broken_turns(mode: str, error: type[Exception], message: str, tmp_path: Path) -> None:
    with EdgeServer(mode=mode) as server, pytest.raises(error, match=message):
        edge(server, timeout=1.0).synthesize(
            SpeechRequest(text="Hello.", voice="en-US-AriaNeural"), tmp_path / "v.wav"
        )
    assert not any(tmp_path.iterdir())


def test_edge_unreachable_is_unavailable(tmp_path: Path) -> None:
    port = closed_port()
    provider = EdgeTTS(
        url=f"ws://127.0.0.1:{port}/edge/v1", voices_url=f"http://127.0.0.1:{port}/voices"
    )
    assert provider.voices() == []
    assert provider.last_error
    with pytest.raises(ProviderUnavailable):
        provider.synthesize(SpeechRequest(text="Hi.", voice="en-US-AriaNeural"), tmp_path / "v.wav")


def test_edge_speaks_when_only_the_voice_list_is_down(tmp_path: Path) -> None:
    with EdgeServer() as server:
        provider = EdgeTTS(url=server.url, voices_url=f"http://127.0.0.1:{closed_port()}/v")
        speech = provider.synthesize(
            SpeechRequest(text="Hallo Welt.", voice="de-DE-KatjaNeural", language="de"),
            tmp_path / "v.wav",
        )
        assert speech.words[-1].text == "Welt."
        with pytest.raises(VoiceNotFoundError, match="not an Edge voice"):
            provider.synthesize(SpeechRequest(text="Hi.", voice="Aria"), tmp_path / "x.wav")


def test_edge_is_off_unless_enabled(tmp_path: Path) -> None:
    provider = EdgeTTS(enabled=False, url="ws://127.0.0.1:9/x", voices_url="http://127.0.0.1:9/")
    assert provider.voices() == []
    with pytest.raises(ConfigError, match="VO_EDGE_TTS_ENABLED"):
        provider.synthesize(SpeechRequest(text="Hi.", voice="en-US-AriaNeural"), tmp_path / "v.wav")


def test_edge_audio_is_decoded_from_mp3(tmp_path: Path) -> None:
    with EdgeServer() as server:
        speech = edge(server).synthesize(
            SpeechRequest(text="One two three.", voice="en-US-AriaNeural"), tmp_path / "v.wav"
        )
    samples, _ = fake_speech("One two three.")
    assert speech.sample_rate == 24000
    assert speech.duration == pytest.approx(samples.size / 24000, abs=0.06)
    with wave.open(str(speech.audio_path), "rb") as handle:
        decoded = np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2")
    assert np.abs(decoded).max() > 8000  # the tones survived the MP3 round trip
