"""Segment rendering (ADR 0049): a long render as one FFmpeg per window + the audio once +
a ``-c copy`` join, checked against the single pass on a 3.8 s fixture cut into 1 s windows.

The fixture has everything that moves in absolute time across a boundary: a 25 fps video
clip that loops and one that freezes (cut mid-clip), a Ken Burns still cut mid-motion, a
fade and a dissolve (never cut), a generated background, a floating illustration that fades,
a watermark shown for part of the video, a text overlay, karaoke captions with colour emoji
whose lanes span windows, a voice and a ducked music bed.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest

from tests.media import ffmpeg_exe, make_image, make_logo, make_tone, make_video, make_voice
from video_orchestrator.errors import RenderCancelled, RenderError
from video_orchestrator.render.compiler import compile_segment, gop_frames
from video_orchestrator.render.ffmpeg import Progress, run_ffmpeg
from video_orchestrator.render.fonts import FontEnvironment
from video_orchestrator.render.renderer import Renderer, _write_files
from video_orchestrator.spec.model import RenderSpec
from video_orchestrator.spec.window import Window, plan_windows

pytestmark = pytest.mark.render

FPS = 30
WINDOW_SECONDS = 1.0  # forced short: four segments in 3.8 s
TEXTS = ["Octopus", "🔥", "arms", "taste", "🔥", "what", "they", "touch", "🐙", "wow", "🔥", "end"]


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("segment-media")
    make_video(root / "clip.mp4", width=640, height=360, seconds=2.0, fps=25)
    make_image(root / "photo.jpg", width=800, height=600)
    make_logo(root / "logo.png")
    make_voice(root / "voice.wav", seconds=3.0)
    make_tone(root / "music.wav", seconds=1.5)
    return root


def fixture_spec(media: Path) -> RenderSpec:
    step = 9
    words = [
        {"text": t, "start": step * i, "end": step * i + step - 1} for i, t in enumerate(TEXTS)
    ]
    return RenderSpec.model_validate(
        {
            "output": {"width": 270, "height": 480, "fps": FPS, "gop_seconds": 0.5},
            "clips": [
                {
                    "kind": "video",
                    "path": str(media / "clip.mp4"),
                    "duration": 40,
                    "source_in": 35,
                    "fit": "loop",
                    "transition": {"kind": "fade", "frames": 9},
                },
                {
                    "kind": "image",
                    "path": str(media / "photo.jpg"),
                    "duration": 35,
                    "ken_burns": {"zoom_from": 1.0, "zoom_to": 1.3, "pan": "left-to-right"},
                },
                {
                    "kind": "video",
                    "path": str(media / "clip.mp4"),
                    "duration": 24,
                    "source_in": 40,
                    "fit": "freeze",
                    "transition": {"kind": "dissolve", "frames": 6},
                },
                {"kind": "generated", "pattern": "aurora", "duration": 30},
            ],
            "overlays": [
                {
                    "kind": "image",
                    "path": str(media / "photo.jpg"),
                    "start": 20,
                    "end": 100,
                    "corner": "center",
                    "width": 90,
                    "opacity": 1.0,
                    "motion": "float",
                    "fade": 8,
                },
                {"kind": "image", "path": str(media / "logo.png"), "start": 50, "end": 80},
                {"kind": "text", "text": "Part one", "start": 10, "end": 70, "size": 30},
            ],
            "captions": {"words": words, "style": {"size": 34, "outline": 2}},
            "audio": {
                "voice": {"path": str(media / "voice.wav")},
                "music": {"path": str(media / "music.wav")},
            },
        }
    )


def windows_of(spec: RenderSpec) -> list[Window]:
    return plan_windows(spec, target=round(WINDOW_SECONDS * FPS), gop=gop_frames(spec))


@pytest.fixture(scope="module")
def renderer(fonts: FontEnvironment) -> Renderer:
    return Renderer(
        ffmpeg_exe(), fonts, decoder_threads=1, segment_above=1.0, segment_seconds=WINDOW_SECONDS
    )


def frame_digests(renderer: Renderer, spec: RenderSpec, window: Window, work: Path) -> list[str]:
    """MD5 of every raw frame the window's graph makes, before any encoding."""
    out = work / f"frames-{window.start}.md5"
    compiled = compile_segment(
        spec,
        window,
        output=out,
        workdir=work,
        fonts_dir=renderer.fonts.fonts_dir,
        ffmpeg=renderer.ffmpeg,
        measure=renderer.text_measure,
        digest=True,
    )
    _write_files(compiled, work)
    run_ffmpeg(compiled.argv, env=renderer.fonts.env)
    lines = out.read_text().splitlines()
    return [line.rsplit(",", 1)[1].strip() for line in lines if not line.startswith("#")]


#: Forced windows: 30 is inside the looping video, 60 inside the Ken Burns still and the
#: watermark, 90 where the dissolve ends (the planner's own windows are checked too).
FORCED = [Window(0, 30), Window(30, 60), Window(60, 90), Window(90, 114)]


def test_the_planner_cuts_just_after_a_fade_and_at_the_end_of_a_dissolve(media: Path) -> None:
    spec = fixture_spec(media)
    windows = windows_of(spec)
    # 45: 14 frames into the Ken Burns still (the fade into it ended at 40), cheaper to
    # start a window at than 30 (30 frames of the looping video decoded again)
    assert [(w.start, w.end) for w in windows] == [(0, 45), (45, 90), (90, 114)]


def test_every_segment_frame_is_the_single_pass_frame(
    renderer: Renderer, media: Path, tmp_path: Path
) -> None:
    spec = fixture_spec(media)
    single = frame_digests(renderer, spec, Window(0, spec.duration), tmp_path)
    for windows in (FORCED, windows_of(spec)):
        segmented: list[str] = []
        for window in windows:
            segmented += frame_digests(renderer, spec, window, tmp_path)
        assert len(single) == len(segmented) == spec.duration
        differing = [n for n, (a, b) in enumerate(zip(single, segmented, strict=True)) if a != b]
        assert differing == [], f"frames differ from the single pass: {differing} ({windows})"


def _probe_video(path: Path) -> tuple[int, list[int], float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        keys = []
        count = 0
        for number, frame in enumerate(container.decode(stream)):
            count += 1
            if frame.key_frame:
                keys.append(number)
        duration = float(container.duration or 0) / 1_000_000
    return count, keys, duration


def _audio(path: Path) -> np.ndarray:
    command = [ffmpeg_exe(), "-v", "error", "-i", str(path), "-map", "0:a:0"]
    command += ["-f", "f32le", "-ac", "1", "-ar", "48000", "-"]
    raw = subprocess.run(command, capture_output=True, check=True, timeout=60).stdout
    return np.frombuffer(raw, dtype="<f4")


@pytest.fixture
def own_tempdir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    own = tmp_path_factory.mktemp("workdirs")
    monkeypatch.setattr(tempfile, "tempdir", str(own))
    yield own
    assert sorted(own.glob("vo-render-*")) == [], "the renderer left a working directory"


def test_the_joined_file_has_every_frame_a_keyframe_at_each_join_and_continuous_audio(
    renderer: Renderer, media: Path, tmp_path: Path, own_tempdir: Path
) -> None:
    spec = fixture_spec(media)
    seen: list[Progress] = []
    joined = renderer.render(spec, tmp_path / "joined.mp4", on_progress=seen.append)
    single_renderer = Renderer(renderer.ffmpeg, renderer.fonts, decoder_threads=1)
    single = single_renderer.render(spec, tmp_path / "single.mp4")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["joined.mp4", "single.mp4"]

    count, keys, duration = _probe_video(joined.path)
    assert count == spec.duration == joined.frames
    starts = [w.start for w in windows_of(spec)]
    assert set(starts) <= set(keys), f"no keyframe at a join: keyframes {keys}, joins {starts}"
    assert keys == list(range(0, spec.duration, gop_frames(spec)))  # the single pass's GOPs
    assert abs(duration - spec.duration / FPS) < 0.05

    # The audio is the single pass's audio: the same graph, levelled by the same gain, and
    # nothing happens to it at the joins (it is one stream, muxed once).
    ours, theirs = _audio(joined.path), _audio(single.path)
    assert abs(len(ours) - len(theirs)) <= 1024
    n = min(len(ours), len(theirs))
    assert np.max(np.abs(ours[:n] - theirs[:n])) < 1e-4
    for start in starts[1:]:
        at = round(start / FPS * 48_000)
        before, after = ours[at - 480 : at], ours[at : at + 480]  # 10 ms either side
        level = np.sqrt(np.mean(np.square(ours[at - 4800 : at + 4800])))
        assert level > 0.01, "the fixture should be loud at the joins"
        jump = abs(float(after[0]) - float(before[-1]))
        assert jump < 4 * float(np.max(np.abs(np.diff(ours[at - 4800 : at - 480])))) + 1e-6

    fractions = [p.fraction for p in seen if p.fraction is not None]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert [p.frame for p in seen] == sorted(p.frame for p in seen)
    assert len({round(f, 2) for f in fractions}) >= 2


def test_cancelling_a_segmented_render_stops_ffmpeg_and_leaves_nothing(
    renderer: Renderer, media: Path, tmp_path: Path, own_tempdir: Path
) -> None:
    spec = fixture_spec(media)
    cancel = threading.Event()
    seen: list[Progress] = []

    def on_progress(progress: Progress) -> None:
        seen.append(progress)
        cancel.set()

    with pytest.raises(RenderCancelled):
        renderer.render(spec, tmp_path / "v.mp4", on_progress=on_progress, cancel=cancel)
    assert seen and seen[-1].fraction is not None and seen[-1].fraction < 1.0
    assert list(tmp_path.iterdir()) == []


def test_a_failing_segment_fails_the_render_and_leaves_nothing(
    renderer: Renderer, media: Path, tmp_path: Path, own_tempdir: Path
) -> None:
    spec = fixture_spec(media)
    clips = list(spec.clips)
    missing = clips[2].model_copy(update={"path": str(tmp_path / "missing.mp4")})
    spec = spec.model_copy(update={"clips": [*clips[:2], missing, *clips[3:]]})
    with pytest.raises(RenderError):
        renderer.render(spec, tmp_path / "v.mp4")
    assert list(tmp_path.iterdir()) == []
