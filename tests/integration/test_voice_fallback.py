"""`vo make` never fails because a cloud voice is down: it falls back to Piper (here the
fake voice stands in for Piper) with a one-line notice, and records who spoke."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.contract.tts_servers import API_KEY, openai_speech_handler
from tests.httpserver import HTTPTestServer, Reply
from video_orchestrator.config import Settings
from video_orchestrator.errors import VoiceNotFoundError
from video_orchestrator.providers.elevenlabs.tts import ElevenLabsTTS
from video_orchestrator.providers.fake.tts import FakeTTS
from video_orchestrator.providers.openai_speech.tts import OpenAISpeechTTS
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.make import MakeRequest, MakeVideo
from video_orchestrator.services.progress import SilentReporter
from video_orchestrator.spec.options import VideoOptions, VoiceSettings

pytestmark = pytest.mark.render

SCRIPT = "Clouds are heavy.\n\nA cloud can weigh a million kilos."


@pytest.fixture
def server() -> Iterator[HTTPTestServer]:
    with HTTPTestServer(openai_speech_handler) as running:
        yield running


def test_a_failing_cloud_voice_falls_back_and_the_video_is_made(
    server: HTTPTestServer, tmp_path: Path
) -> None:
    server.default = lambda _: Reply(503, {"error": {"message": "overloaded"}})
    cloud = OpenAISpeechTTS(api_key=API_KEY, base_url=server.base_url, max_retries=0)
    ctx = AppContext(
        Settings(cache_dir=tmp_path / "cache", data_dir=tmp_path / "data"),
        tts={"piper": FakeTTS(), "openai-speech": cloud},
    )
    reporter = SilentReporter()
    make = MakeVideo(ctx)
    result = make(
        MakeRequest(
            script_text=SCRIPT,
            options=VideoOptions(voice=VoiceSettings(voice="openai-speech:alloy")),
            out=tmp_path / "out",
        ),
        reporter,
    )
    assert result.video.is_file() and result.duration > 1
    assert server.requests  # the cloud voice was tried
    (notice,) = [n for n in reporter.notices if "openai-speech" in n]
    assert "503" in notice and "speaking with the Piper voice fake-en instead" in notice
    assert "\n" not in notice
    metadata = json.loads(result.metadata.read_text(encoding="utf-8"))
    assert metadata["voice"] == {"provider": "fake", "voice": "fake-en"}
    # the next video with the same use case object tries the cloud voice again
    server.default = openai_speech_handler
    again = make(
        MakeRequest(
            script_text=SCRIPT,
            options=VideoOptions(voice=VoiceSettings(voice="openai-speech:alloy")),
            out=tmp_path / "again",
        ),
        SilentReporter(),
    )
    voice = json.loads(again.metadata.read_text(encoding="utf-8"))["voice"]
    assert voice == {"provider": "openai-speech", "voice": "alloy"}


def test_a_working_cloud_voice_is_used_and_recorded(server: HTTPTestServer, tmp_path: Path) -> None:
    cloud = OpenAISpeechTTS(api_key=API_KEY, base_url=server.base_url)
    ctx = AppContext(
        Settings(cache_dir=tmp_path / "cache", data_dir=tmp_path / "data"),
        tts={"piper": FakeTTS(), "openai-speech": cloud},
    )
    reporter = SilentReporter()
    result = MakeVideo(ctx)(
        MakeRequest(
            script_text=SCRIPT,
            options=VideoOptions(voice=VoiceSettings(voice="openai-speech:alloy")),
            out=tmp_path / "out",
        ),
        reporter,
    )
    assert not [n for n in reporter.notices if "instead" in n]
    metadata = json.loads(result.metadata.read_text(encoding="utf-8"))
    assert metadata["voice"] == {"provider": "openai-speech", "voice": "alloy"}


def test_an_unconfigured_cloud_voice_falls_back_before_any_work(tmp_path: Path) -> None:
    ctx = AppContext(
        Settings(cache_dir=tmp_path / "cache", data_dir=tmp_path / "data"),
        tts={"piper": FakeTTS(), "elevenlabs": ElevenLabsTTS()},
    )
    reporter = SilentReporter()
    result = MakeVideo(ctx)(
        MakeRequest(
            script_text=SCRIPT,
            options=VideoOptions(voice=VoiceSettings(voice="elevenlabs:Rachel")),
            out=tmp_path / "out",
        ),
        reporter,
    )
    assert any("elevenlabs is not configured" in n and "fake-en" in n for n in reporter.notices)
    assert json.loads(result.metadata.read_text(encoding="utf-8"))["voice"]["provider"] == "fake"


def test_no_fallback_voice_for_the_language_is_a_clear_error(tmp_path: Path) -> None:
    ctx = AppContext(
        Settings(cache_dir=tmp_path / "cache", data_dir=tmp_path / "data"),
        tts={"piper": FakeTTS(), "elevenlabs": ElevenLabsTTS()},
    )
    with pytest.raises(VoiceNotFoundError, match="vo voices download"):
        MakeVideo(ctx)(
            MakeRequest(
                script_text="Hallo Welt.",
                options=VideoOptions(language="de", voice=VoiceSettings(voice="elevenlabs:x")),
                out=tmp_path / "o",
            ),
            SilentReporter(),
        )
    assert not (tmp_path / "o").exists()
