"""The make use case with the fake voice: caching, hostile text, cancellation."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from video_orchestrator.config import Settings
from video_orchestrator.errors import RenderCancelled
from video_orchestrator.ports.tts import Speech, SpeechRequest
from video_orchestrator.providers.fake.tts import FakeTTS
from video_orchestrator.render.probe import probe
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.make import MakeRequest, MakeVideo
from video_orchestrator.services.progress import SilentReporter
from video_orchestrator.spec.options import CaptionSettings, VideoOptions, VoiceSettings

pytestmark = pytest.mark.render


class CountingTTS(FakeTTS):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def synthesize(self, request: SpeechRequest, out_path: Path) -> Speech:
        self.calls += 1
        return super().synthesize(request, out_path)


@pytest.fixture
def ctx(tmp_path: Path) -> tuple[AppContext, CountingTTS]:
    tts = CountingTTS()
    settings = Settings(cache_dir=tmp_path / "cache", data_dir=tmp_path / "data")
    return AppContext(settings, tts={"fake": tts}), tts


SCRIPT = "Short test.\n\nSecond scene here.\n\nThird one ends it."


def test_changing_only_the_caption_style_does_not_synthesise_again(
    ctx: tuple[AppContext, CountingTTS], tmp_path: Path
) -> None:
    context, tts = ctx
    make = MakeVideo(context)
    first = make(
        MakeRequest(
            script_text=SCRIPT,
            options=VideoOptions(
                voice=VoiceSettings(voice="fake-en"), captions=CaptionSettings(style="karaoke")
            ),
            out=tmp_path / "a",
        ),
        SilentReporter(),
    )
    calls_after_first = tts.calls
    assert calls_after_first >= 3  # one per spoken part
    second = make(
        MakeRequest(
            script_text=SCRIPT,
            options=VideoOptions(
                voice=VoiceSettings(voice="fake-en"), captions=CaptionSettings(style="pop")
            ),
            out=tmp_path / "b",
        ),
        SilentReporter(),
    )
    assert tts.calls == calls_after_first
    assert context.cache.hits >= 3
    assert abs(first.duration - second.duration) < 1e-6
    assert first.video.is_file() and second.video.is_file()
    # an edited scene re-synthesises that scene only
    make(
        MakeRequest(
            script_text=SCRIPT.replace("Second", "Another"),
            options=VideoOptions(voice=VoiceSettings(voice="fake-en")),
            out=tmp_path / "c",
        ),
        SilentReporter(),
    )
    assert tts.calls == calls_after_first + 1


def test_hostile_text_is_kept_literally(
    ctx: tuple[AppContext, CountingTTS], tmp_path: Path
) -> None:
    context, _ = ctx
    hostile = 'Hi {\\b1}bold{\\b0} "quoted", [brackets]; a:b c\\d 🙂 שלום.\n\nEnd, really.'
    result = MakeVideo(context)(
        MakeRequest(
            script_text=hostile,
            options=VideoOptions(voice=VoiceSettings(voice="fake-en")),
            out=tmp_path / "h",
        ),
        SilentReporter(),
    )
    srt = result.srt.read_text(encoding="utf-8")
    for token in ("{\\b1}bold{\\b0}", '"quoted",', "[brackets];", "a:b", "c\\d", "🙂", "שלום."):
        assert token in srt
    info = probe(result.video)
    assert info.video is not None and info.video.height == 1920


def test_cancel_leaves_no_output(ctx: tuple[AppContext, CountingTTS], tmp_path: Path) -> None:
    context, _ = ctx
    cancel = threading.Event()

    class CancelOnRender(SilentReporter):
        def step(self, key: str, label: str) -> None:
            super().step(key, label)
            if key == "render":
                cancel.set()

    with pytest.raises(RenderCancelled):
        MakeVideo(context)(
            MakeRequest(
                script_text=SCRIPT,
                options=VideoOptions(voice=VoiceSettings(voice="fake-en")),
                out=tmp_path / "x",
            ),
            CancelOnRender(),
            cancel,
        )
    assert not (tmp_path / "x").exists() or not any((tmp_path / "x").iterdir())


def test_video_lasts_exactly_the_voice_plus_lead_in_and_tail(
    ctx: tuple[AppContext, CountingTTS], tmp_path: Path
) -> None:
    import json
    import wave

    from video_orchestrator.pipeline.build_spec import LEAD_IN_SECONDS, TAIL_SECONDS

    context, _ = ctx
    result = MakeVideo(context)(
        MakeRequest(
            script_text=SCRIPT,
            options=VideoOptions(voice=VoiceSettings(voice="fake-en")),
            out=tmp_path / "d.mp4",
        ),
        SilentReporter(),
    )
    spec = json.loads(result.spec.read_text())
    with wave.open(spec["audio"]["voice"]["path"], "rb") as voice:
        voice_seconds = voice.getnframes() / voice.getframerate()
    info = probe(result.video)
    frame = 1 / 30
    expected = LEAD_IN_SECONDS + voice_seconds + TAIL_SECONDS
    assert info.duration is not None
    assert abs(info.duration - expected) <= frame + 1e-3
    assert info.video is not None and info.video.frames is not None
    assert abs(info.video.frames / 30 - expected) <= frame + 1e-3
