"""``vo make``'s use case in another language with the fake voices (tone bursts, one per
token): the language detected from the script picks the voice of that language, a voice of
another language is refused, or used when the user allows it (ADR 0031)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from video_orchestrator.config import Settings
from video_orchestrator.errors import VoiceLanguageMismatch
from video_orchestrator.providers.fake.tts import FakeTTS
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.make import MakeRequest, MakeVideo
from video_orchestrator.services.progress import SilentReporter
from video_orchestrator.spec.options import VideoOptions, VoiceSettings

pytestmark = pytest.mark.render

SPANISH = (
    "¿Sabías que los pulpos tienen tres corazones?\n\n"
    "Dos bombean sangre a las branquias y uno al resto del cuerpo."
)


@pytest.fixture
def ctx(tmp_path: Path) -> AppContext:
    settings = Settings(
        cache_dir=tmp_path / "cache",
        data_dir=tmp_path / "data",
        default_voice="fake:fake-en",
        local_voice_provider="fake",
    )
    tts = FakeTTS(more_languages=("es-ES", "ro-RO"))
    return AppContext(settings, tts={"fake": tts})


def test_a_spanish_script_is_spoken_by_the_spanish_voice(ctx: AppContext, tmp_path: Path) -> None:
    result = MakeVideo(ctx)(
        MakeRequest(script_text=SPANISH, detect_language=True, out=tmp_path / "out"),
        SilentReporter(),
    )
    assert result.voice == {"provider": "fake", "voice": "fake-es"}
    assert any("the script is Spanish (es) (detected" in notice for notice in result.notices)
    assert result.video.name == "sabias-que-los-pulpos-tienen-tres-corazones.mp4"
    meta = json.loads(result.metadata.read_text(encoding="utf-8"))
    assert meta["language"] == "es"
    assert not {"que", "los", "tres", "sabías"} & {
        t.lstrip("#").casefold() for t in meta["hashtags"]
    }


def test_a_named_voice_of_another_language_is_refused_then_allowed(
    ctx: AppContext, tmp_path: Path
) -> None:
    options = VideoOptions(voice=VoiceSettings(voice="fake-en"))
    request = MakeRequest(
        script_text=SPANISH, options=options, detect_language=True, out=tmp_path / "a"
    )
    with pytest.raises(VoiceLanguageMismatch) as caught:
        MakeVideo(ctx)(request, SilentReporter())
    message = str(caught.value)
    assert "fake-en speaks English (en), but the script is Spanish (es)" in message
    assert "use --voice fake-es" in message and "--allow-voice-language-mismatch" in message
    assert not (tmp_path / "a").exists() or not any((tmp_path / "a").iterdir())

    allowed = MakeVideo(ctx)(
        MakeRequest(
            script_text=SPANISH,
            options=options,
            detect_language=True,
            allow_voice_language_mismatch=True,
            out=tmp_path / "b",
        ),
        SilentReporter(),
    )
    assert allowed.voice == {"provider": "fake", "voice": "fake-en"}
    assert any("used as asked" in notice for notice in allowed.notices)
    assert json.loads(allowed.metadata.read_text(encoding="utf-8"))["language"] == "es"
