"""A segmented render's processes run one at a time where that bounds its peak memory
(ADR 0052): the audio's FFmpeg passes (loudness, then the audio) end before the first video
segment's FFmpeg starts, so the audio never adds its memory to a segment's.

Real FFmpeg on a 2 s composition in 1 s windows; the renderer's ``run_ffmpeg`` is wrapped
only to record which command starts and ends when (an order, no clock).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.media import ffmpeg_exe, make_tone, make_video, make_voice
from video_orchestrator.render import renderer as renderer_module
from video_orchestrator.render.fonts import FontEnvironment
from video_orchestrator.render.renderer import Renderer
from video_orchestrator.spec.model import RenderSpec

pytestmark = pytest.mark.render


def _kind(argv: tuple[str, ...]) -> str:
    target = argv[-1]
    if target == "-" or target.endswith(".m4a"):
        return "audio"  # a loudness pass (``-f null -``) or the audio pass
    if Path(target).name.startswith("segment-"):
        return "segment"
    return "join"


def test_the_audio_ends_before_the_first_segment_starts(
    fonts: FontEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    make_video(media / "clip.mp4", width=320, height=180, seconds=2.5, fps=25)
    make_voice(media / "voice.wav", seconds=2.0)
    make_tone(media / "music.wav", seconds=1.0)
    spec = RenderSpec.model_validate(
        {
            "output": {"width": 180, "height": 320, "fps": 30, "gop_seconds": 0.5},
            "clips": [{"kind": "video", "path": str(media / "clip.mp4"), "duration": 60}],
            "audio": {
                "voice": {"path": str(media / "voice.wav")},
                "music": {"path": str(media / "music.wav")},
            },
        }
    )
    events: list[tuple[str, str]] = []
    lock = threading.Lock()
    segment_started = threading.Event()
    real: Callable[..., Any] = renderer_module.run_ffmpeg

    def recorded(argv: tuple[str, ...], **kwargs: Any) -> Any:
        kind = _kind(argv)
        if kind == "audio" and not events:
            # give a segment every chance to start beside the audio (as it did before):
            # the render that waits for the audio starts none, and goes on after the timeout
            segment_started.wait(timeout=2.0)
        if kind == "segment":
            segment_started.set()
        with lock:
            events.append(("start", kind))
        try:
            return real(argv, **kwargs)
        finally:
            with lock:
                events.append(("end", kind))

    monkeypatch.setattr(renderer_module, "run_ffmpeg", recorded)
    renderer = Renderer(
        ffmpeg_exe(), fonts, decoder_threads=1, segment_above=1.0, segment_seconds=1.0
    )
    assert len(renderer.windows(spec)) >= 2
    renderer.render(spec, tmp_path / "v.mp4")

    assert (tmp_path / "v.mp4").is_file()
    first_segment = events.index(("start", "segment"))
    audio_ends = [i for i, event in enumerate(events) if event == ("end", "audio")]
    assert len(audio_ends) >= 2  # the loudness pass and the audio pass
    assert max(audio_ends) < first_segment, events
    # and one process at a time from there on: every start follows the previous end
    for before, after in zip(events[first_segment - 1 :], events[first_segment:], strict=False):
        assert before[0] != after[0], events
