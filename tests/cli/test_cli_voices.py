"""``vo voices`` (installed, --catalogue, download) and ``vo make`` falling back to Piper
when the cloud voice is down, through the real command."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import VoRunner
from tests.contract.tts_servers import API_KEY
from tests.httpserver import HTTPTestServer, Reply
from tests.integration.test_voice_manager import DE_PATH, VoiceRepo
from tests.integration.test_voice_manager import repo as repo


@pytest.fixture
def catalogue_url(repo: VoiceRepo, monkeypatch: pytest.MonkeyPatch) -> Iterator[VoiceRepo]:
    monkeypatch.setenv("VO_PIPER_VOICES_URL", repo.base_url)
    yield repo


def test_vo_voices_lists_installed_voices_without_any_key(
    vo: VoRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("VO_ELEVENLABS_API_KEY", "VO_OPENAI_SPEECH_API_KEY", "VO_EDGE_TTS_ENABLED"):
        monkeypatch.delenv(name, raising=False)
    done = vo("voices", "--provider", "piper")
    assert done.returncode == 0, done.stderr
    assert "en_US-joe-medium" in done.stdout


def test_vo_voices_survives_an_unreachable_cloud_provider(
    vo: VoRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VO_ELEVENLABS_API_KEY", "secret-key-123")
    monkeypatch.setenv("VO_ELEVENLABS_BASE_URL", "http://127.0.0.1:9")
    done = vo("voices")
    assert done.returncode == 0, done.stderr
    assert "en_US-joe-medium" in done.stdout
    assert "ElevenLabs voices are not available" in done.stderr
    assert "secret-key-123" not in done.stdout + done.stderr


def test_vo_voices_catalogue_and_download(vo: VoRunner, catalogue_url: VoiceRepo) -> None:
    listed = vo("voices", "--catalogue", "--lang", "de")
    assert listed.returncode == 0, listed.stderr
    assert "de_DE-thorsten-medium" in listed.stdout and "en_GB-alan-low" not in listed.stdout
    got = vo("voices", "download", "de_DE-thorsten-medium")
    assert got.returncode == 0, got.stderr
    assert got.stdout.strip() == "de_DE-thorsten-medium"
    assert "installed" in got.stderr
    installed = vo("voices", "--provider", "piper", "--lang", "de")
    assert "de_DE-thorsten-medium" in installed.stdout
    assert "en_US-joe-medium" not in installed.stdout
    again = vo("voices", "--catalogue", "--lang", "de")
    assert "yes" in again.stdout


def test_vo_voices_download_errors_are_one_line(vo: VoRunner, catalogue_url: VoiceRepo) -> None:
    unknown = vo("voices", "download", "de_DE-torsten-medium")
    assert unknown.returncode == 2
    assert unknown.stderr.strip().count("\n") == 0
    assert "did you mean de_DE-thorsten-medium" in unknown.stderr
    catalogue_url.corrupt.add(f"{DE_PATH}.onnx")
    corrupt = vo("voices", "download", "de_DE-thorsten-medium")
    assert corrupt.returncode == 2 and "checksum" in corrupt.stderr
    assert "Traceback" not in corrupt.stderr


@pytest.mark.render
@pytest.mark.voice
def test_vo_make_falls_back_to_piper_when_the_cloud_voice_fails(
    vo: VoRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with HTTPTestServer(lambda _: Reply(503, {"error": {"message": "overloaded"}})) as server:
        monkeypatch.setenv("VO_OPENAI_SPEECH_API_KEY", API_KEY)
        monkeypatch.setenv("VO_OPENAI_SPEECH_BASE_URL", server.base_url)
        monkeypatch.setenv("VO_TTS_MAX_RETRIES", "0")
        script = tmp_path / "script.txt"
        script.write_text("Fallbacks keep videos coming.\n\nEven when a cloud is down.")
        done = vo(
            "make", "--script", str(script), "--voice", "openai-speech:alloy", "-o",
            str(tmp_path / "out.mp4"),
        )  # fmt: skip
        assert server.requests
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stderr.splitlines() if "openai-speech" in line]
    assert len(notes) == 1 and "en_US-joe-medium" in notes[0] and "503" in notes[0]
    metadata = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert metadata["voice"] == {"provider": "piper", "voice": "en_US-joe-medium"}
