"""Real FFmpeg renders of 2–3 s fixtures, checked by measurement (PyAV + numpy + ebur128)."""

from __future__ import annotations

import itertools
import struct
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import pytest

from tests.media import ffmpeg_exe, load_example, make_video, materialize_examples
from video_orchestrator.errors import ConfigError, RenderCancelled, RenderError
from video_orchestrator.render.compiler import compile_spec
from video_orchestrator.render.ffmpeg import (
    Progress,
    ffmpeg_binary,
    meaningful_error,
    parse_progress,
    run_ffmpeg,
    with_progress,
)
from video_orchestrator.render.fonts import FontEnvironment, font_environment
from video_orchestrator.render.measure import measure_loudness
from video_orchestrator.render.renderer import Renderer
from video_orchestrator.spec.model import RenderSpec

SMALL = {"width": 270, "height": 480}


@pytest.fixture(scope="module")
def spec_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return materialize_examples(tmp_path_factory.mktemp("examples"))


@pytest.fixture(scope="module")
def fonts(tmp_path_factory: pytest.TempPathFactory) -> FontEnvironment:
    return font_environment(tmp_path_factory.mktemp("font-cache"))


@pytest.fixture(scope="module")
def renderer(fonts: FontEnvironment) -> Renderer:
    return Renderer(ffmpeg_binary(), fonts)


def example(name: str, spec_dir: Path, **output: object) -> RenderSpec:
    spec = load_example(name).resolve_paths(spec_dir)
    update = {**SMALL, **output}
    return spec.model_copy(update={"output": spec.output.model_copy(update=update)})


@dataclass
class Measured:
    frames: list[np.ndarray]  # luma planes
    width: int
    height: int
    codec: str
    profile: str | None
    pix_fmt: str
    fps: float
    audio_codec: str | None
    sample_rate: int | None
    audio_seconds: float | None


def measure(path: Path) -> Measured:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        ctx = video.codec_context
        audio = container.streams.audio[0] if container.streams.audio else None
        audio_seconds = None
        if audio is not None and audio.duration is not None and audio.time_base is not None:
            audio_seconds = float(audio.duration * audio.time_base)
        frames = [f.to_ndarray(format="gray").astype(np.float32) for f in container.decode(video)]
        return Measured(
            frames=frames,
            width=video.width,
            height=video.height,
            codec=ctx.name,
            profile=ctx.profile,
            pix_fmt=ctx.pix_fmt,
            fps=float(video.average_rate or 0),
            audio_codec=audio.codec_context.name if audio is not None else None,
            sample_rate=audio.codec_context.sample_rate if audio is not None else None,
            audio_seconds=audio_seconds,
        )


def top_level_boxes(path: Path) -> list[str]:
    names = []
    with path.open("rb") as handle:
        while header := handle.read(8):
            if len(header) < 8:
                break
            size, kind = struct.unpack(">I4s", header)
            names.append(kind.decode("latin-1"))
            if size == 1:
                size = struct.unpack(">Q", handle.read(8))[0] - 8
            elif size == 0:
                break
            handle.seek(size - 8, 1)
    return names


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


@pytest.fixture
def no_stray_workdirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """The renderer's working directories go to a temp dir of this test alone, so renders of
    other tests (another pytest-xdist worker, another session on the machine) are not counted."""
    own = tmp_path_factory.mktemp("workdirs")
    monkeypatch.setattr(tempfile, "tempdir", str(own))
    yield
    left = sorted(own.glob("vo-render-*"))
    assert left == [], "the renderer left a working directory behind"


# ---------------------------------------------------------------- full-size render


@pytest.mark.render
def test_full_short_at_1080x1920_meets_the_platform_basics(
    renderer: Renderer, spec_dir: Path, tmp_path: Path, fonts: FontEnvironment
) -> None:
    spec = load_example("full-short").resolve_paths(spec_dir)
    seen: list[Progress] = []
    result = renderer.render(spec, tmp_path / "short.mp4", on_progress=seen.append)
    assert result.path == tmp_path / "short.mp4"
    assert leftovers(tmp_path) == ["short.mp4"]
    got = measure(result.path)
    fps = spec.output.fps
    assert abs(len(got.frames) - spec.duration) <= 1
    assert result.frames == spec.duration
    assert (got.width, got.height) == (1080, 1920)
    assert got.codec == "h264" and got.profile == "High" and got.pix_fmt == "yuv420p"
    assert got.fps == fps
    assert got.audio_codec == "aac" and got.sample_rate == 48000
    assert got.audio_seconds is not None
    assert abs(got.audio_seconds - spec.duration / fps) <= 1 / fps + 0.03  # AAC frame slack
    boxes = top_level_boxes(result.path)
    assert boxes.index("moov") < boxes.index("mdat"), boxes
    loud = measure_loudness(result.path, ffmpeg_binary())
    assert abs(loud.integrated_lufs - spec.output.loudness.integrated) <= 1.0
    assert loud.true_peak_dbtp <= spec.output.loudness.true_peak + 0.5
    # Progress arrived, in order, and ended at the end.
    assert seen and seen[-1].fraction == 1.0
    assert [p.frame for p in seen] == sorted(p.frame for p in seen)
    # Captions were burned in: the caption area has bright text pixels while a word is spoken.
    frame = got.frames[30]
    assert (frame[1000:1300, 100:980] > 235).mean() > 0.01


# ---------------------------------------------------------------- small renders


@pytest.mark.render
def test_wrong_aspect_video_fills_the_frame_and_loops(
    renderer: Renderer, tmp_path: Path, no_stray_workdirs: None
) -> None:
    source = make_video(tmp_path / "wide.mp4", width=640, height=360, seconds=1.0, fps=25)
    spec = RenderSpec.model_validate(
        {
            "output": {"width": 270, "height": 480, "fps": 30},
            "clips": [{"kind": "video", "path": str(source), "duration": 75, "fit": "loop"}],
        }
    )
    out = renderer.render(spec, tmp_path / "out" / "looped.mp4").path
    got = measure(out)
    assert len(got.frames) == 75
    # testsrc2 has no black rows or columns at its edges: neither may the render (no bars).
    for frame in got.frames[::10]:
        for edge in (frame[:3, :], frame[-3:, :], frame[:, :3], frame[:, -3:]):
            assert edge.mean() > 30, "black bar at an edge"
    # A 1 s source at 30 fps repeats every 30 frames; within a loop the picture moves.
    first, again, later = got.frames[5], got.frames[35], got.frames[65]
    other = got.frames[20]
    assert np.abs(first - again).mean() < 3
    assert np.abs(first - later).mean() < 3
    assert np.abs(first - other).mean() > 5
    assert got.audio_codec == "aac"  # silent track even without audio in the spec


@pytest.mark.render
def test_ken_burns_moves_smoothly(renderer: Renderer, spec_dir: Path, tmp_path: Path) -> None:
    spec = example("image-ken-burns", spec_dir)
    got = measure(renderer.render(spec, tmp_path / "kb.mp4").path)
    assert len(got.frames) == spec.duration
    first_clip = got.frames[: spec.clip_starts()[1]]
    diffs = [float(np.abs(b - a).mean()) for a, b in itertools.pairwise(first_clip)]
    assert min(diffs) > 0.05, "a frame repeated: the motion stalls"
    assert np.abs(first_clip[-1] - first_clip[0]).mean() > 5 * np.median(diffs)
    assert max(diffs) < 8 * np.median(diffs), "the motion jumps"
    loud = measure_loudness(tmp_path / "kb.mp4", ffmpeg_binary())
    assert abs(loud.integrated_lufs - spec.output.loudness.integrated) <= 1.0


@pytest.mark.render
@pytest.mark.parametrize("name", ["colour-cards", "mixed-transitions", "generated-background"])
def test_examples_render_to_the_exact_length(
    renderer: Renderer, spec_dir: Path, tmp_path: Path, name: str
) -> None:
    spec = example(name, spec_dir)
    got = measure(renderer.render(spec, tmp_path / f"{name}.mp4").path)
    assert len(got.frames) == spec.duration
    assert (got.width, got.height) == (270, 480)
    assert got.pix_fmt == "yuv420p" and got.sample_rate == 48000
    assert got.audio_seconds is not None
    assert abs(got.audio_seconds - spec.duration / spec.output.fps) <= 0.06
    loud = measure_loudness(tmp_path / f"{name}.mp4", ffmpeg_binary())
    if spec.audio.voice or spec.audio.music or spec.audio.effects:
        assert abs(loud.integrated_lufs - spec.output.loudness.integrated) <= 1.0
    else:
        assert loud.integrated_lufs <= -69  # the silent track really is silent


@pytest.mark.render
def test_still_frame_is_written_atomically(
    renderer: Renderer, spec_dir: Path, tmp_path: Path
) -> None:
    spec = example("full-short", spec_dir)
    path = renderer.render_still(spec, 20, tmp_path / "thumb.png")
    assert leftovers(tmp_path) == ["thumb.png"]
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0))
    assert (frame.width, frame.height) == (270, 480)


# ---------------------------------------------------------------- escaping with real paths


@pytest.mark.render
def test_workdir_and_fonts_paths_with_graph_syntax_characters(
    spec_dir: Path, tmp_path: Path, fonts: FontEnvironment
) -> None:
    weird = tmp_path / "we:ird [dir], it's; \\ x"
    weird.mkdir()
    fonts_link = tmp_path / "fo:nts=[a]'b,c"
    fonts_link.symlink_to(fonts.fonts_dir, target_is_directory=True)
    spec = example("colour-cards", spec_dir)
    output = weird / "out put.mp4"
    compiled = compile_spec(
        spec, output=output, workdir=weird, fonts_dir=fonts_link, ffmpeg=ffmpeg_binary()
    )
    for name, text in compiled.files.items():
        (weird / name).write_text(text, encoding="utf-8")
    run_ffmpeg(compiled.argv, env=fonts.env)
    got = measure(output)
    assert len(got.frames) == spec.duration
    # The centred text overlay is drawn (white pixels near the middle of the frame).
    middle = got.frames[10][200:280, 20:250]
    assert (middle > 235).mean() > 0.01


# ---------------------------------------------------------------- failure and cancellation


@pytest.mark.render
def test_missing_input_fails_with_a_readable_error_and_no_file(
    renderer: Renderer, tmp_path: Path, no_stray_workdirs: None
) -> None:
    spec = RenderSpec.model_validate(
        {
            "output": SMALL,
            "clips": [{"kind": "video", "path": str(tmp_path / "missing.mp4"), "duration": 30}],
        }
    )
    out_dir = tmp_path / "out"
    with pytest.raises(RenderError) as caught:
        renderer.render(spec, out_dir / "video.mp4")
    assert not isinstance(caught.value, RenderCancelled)
    assert "missing.mp4" in str(caught.value) or "No such file" in str(caught.value)
    assert leftovers(out_dir) == []


@pytest.mark.render
def test_cancel_before_start_leaves_nothing(
    renderer: Renderer, spec_dir: Path, tmp_path: Path, no_stray_workdirs: None
) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(RenderCancelled):
        renderer.render(example("full-short", spec_dir), tmp_path / "v.mp4", cancel=cancel)
    assert leftovers(tmp_path) == []


@pytest.mark.render
def test_cancel_during_the_encode_stops_ffmpeg_and_leaves_nothing(
    renderer: Renderer, tmp_path: Path, no_stray_workdirs: None
) -> None:
    # Long enough (20 s at full size) that it is still encoding when the first progress comes.
    spec = RenderSpec.model_validate(
        {"clips": [{"kind": "generated", "duration": 600}], "output": {"preset": "medium"}}
    )
    cancel = threading.Event()
    seen: list[Progress] = []

    def on_progress(progress: Progress) -> None:
        seen.append(progress)
        cancel.set()

    with pytest.raises(RenderCancelled):
        renderer.render(spec, tmp_path / "long.mp4", on_progress=on_progress, cancel=cancel)
    assert seen and seen[0].fraction is not None and seen[0].fraction < 1.0
    assert leftovers(tmp_path) == []


def test_run_ffmpeg_reports_the_meaningful_line(tmp_path: Path) -> None:
    argv = [ffmpeg_binary(), "-hide_banner", "-nostdin", "-i", str(tmp_path / "nope.wav"),
            "-f", "null", "-"]  # fmt: skip
    with pytest.raises(RenderError, match=r"nope\.wav|No such file"):
        run_ffmpeg(argv)


# ---------------------------------------------------------------- runner helpers (no FFmpeg)


def test_progress_blocks_are_parsed() -> None:
    block = {"frame": "45", "out_time_us": "1500000", "speed": "2.5x", "progress": "continue"}
    assert parse_progress(block, 3.0) == Progress(45, 1.5, 0.5, 2.5)
    assert parse_progress({"out_time_us": "N/A", "speed": "N/A"}, None) == Progress(
        0, 0.0, None, None
    )
    assert parse_progress({"progress": "end", "out_time_us": "2900000"}, 3.0).fraction == 1.0


def test_the_meaningful_error_skips_closing_boilerplate() -> None:
    lines = [
        "[in#0 @ 0x1] Error opening input: No such file or directory",
        "Error opening input file /x/missing.mp4.",
        "Error opening input files: No such file or directory",
        "Conversion failed!",
        "",
    ]
    assert meaningful_error(lines) == "Error opening input file /x/missing.mp4."
    assert meaningful_error([]) == "no error message"


def test_progress_flags_are_added_once() -> None:
    assert with_progress(["ff", "-y"]) == ["ff", "-progress", "pipe:1", "-nostats", "-y"]
    assert with_progress(["ff", "-progress", "x"]) == ["ff", "-progress", "x"]


def test_ffmpeg_binary_override_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        ffmpeg_binary(str(tmp_path / "no-ffmpeg"))
    assert Path(ffmpeg_binary()).is_file()
    assert ffmpeg_binary(ffmpeg_exe()) == ffmpeg_exe()
    version = subprocess.run([ffmpeg_binary(), "-version"], capture_output=True, text=True)
    assert version.stdout.startswith("ffmpeg version")


def test_a_missing_stream_is_named_plainly() -> None:
    lines = [
        "[fc#0 @ 0x55f4862a6d40] Stream specifier ':a:0' in filtergraph description "
        "[0:a:0]anull[a] matches no streams.",
        "Error binding filtergraph inputs/outputs: Invalid argument",
    ]
    assert meaningful_error(lines) == "a media file has no audio stream where the spec needs one"
    assert meaningful_error(["[in#0 @ 0x1] moov atom not found"]) == "moov atom not found"


@pytest.mark.render
@pytest.mark.parametrize("pattern", ["gradient", "aurora", "bokeh"])
def test_generated_backgrounds_move_and_are_never_black(
    renderer: Renderer, tmp_path: Path, pattern: str
) -> None:
    spec = RenderSpec.model_validate(
        {"output": SMALL, "clips": [{"kind": "generated", "pattern": pattern, "duration": 60}]}
    )
    got = measure(renderer.render(spec, tmp_path / "bg.mp4").path)
    assert len(got.frames) == 60
    assert all(frame.mean() > 30 for frame in got.frames[::10])
    assert np.abs(got.frames[-1] - got.frames[0]).mean() > 3
    assert all(np.abs(b - a).mean() > 0.05 for a, b in itertools.pairwise(got.frames[::5]))


def _tone_level(samples: np.ndarray, rate: int, start: float, end: float, hz: float) -> float:
    """Amplitude of the ``hz`` component in [start, end) seconds."""
    window = samples[int(start * rate) : int(end * rate)]
    times = np.arange(len(window)) / rate
    return float(abs(np.mean(window * np.exp(-2j * np.pi * hz * times))) * 2)


def _decode_mono(path: Path) -> tuple[np.ndarray, int]:
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        chunks = [f.to_ndarray().mean(axis=0) for f in container.decode(stream)]
    return np.concatenate(chunks), rate


@pytest.mark.render
@pytest.mark.parametrize("ducking", [True, False])
def test_music_ducks_under_the_voice_and_effects_land_on_their_frame(
    renderer: Renderer, spec_dir: Path, tmp_path: Path, ducking: bool
) -> None:
    media = spec_dir.parent / "media"
    spec = RenderSpec.model_validate(
        {
            "output": SMALL,
            "clips": [{"kind": "colour", "duration": 90}],
            "audio": {
                "voice": {"path": str(media / "voice.wav"), "start": 45},
                "music": {
                    "path": str(media / "music.wav"),
                    "gain_db": 0,
                    "fade_in": 0,
                    "fade_out": 0,
                    "ducking": {"enabled": ducking, "threshold": 0.02, "ratio": 10},
                },
                "effects": [{"path": str(media / "whoosh.wav"), "at": 30, "gain_db": 0}],
            },
        }
    )
    samples, rate = _decode_mono(renderer.render(spec, tmp_path / "duck.mp4").path)
    # The music (a 220 Hz bed) before the voice starts at 1.5 s, and while it speaks.
    alone = _tone_level(samples, rate, 0.1, 0.9, 220)
    under_voice = _tone_level(samples, rate, 1.9, 2.9, 220)
    if ducking:
        assert under_voice < 0.5 * alone, "the music is not ducked under the voice"
    else:
        assert under_voice > 0.8 * alone
    # The effect (1200 Hz, 0.25 s) starts at frame 30 = 1.0 s, not before.
    assert _tone_level(samples, rate, 0.5, 0.95, 1200) < 0.2 * _tone_level(
        samples, rate, 1.0, 1.15, 1200
    )


@pytest.mark.render
def test_a_peaky_quiet_mix_still_reaches_the_target_under_the_peak_limit(
    renderer: Renderer, tmp_path: Path
) -> None:
    """Quiet speech-like tone with sharp clicks: the gain must be corrected for the limiter."""
    peaky = tmp_path / "peaky.wav"
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi",
         "-i", "aevalsrc=exprs='0.04*sin(2*PI*200*t)+0.95*lt(mod(t\\,0.25)\\,0.004)"
         "*sin(2*PI*2000*t)':s=48000:d=3", str(peaky)],
        check=True,
    )  # fmt: skip
    spec = RenderSpec.model_validate(
        {
            "output": SMALL,
            "clips": [{"kind": "colour", "duration": 90}],
            "audio": {"voice": {"path": str(peaky)}},
        }
    )
    loud = measure_loudness(renderer.render(spec, tmp_path / "peaky.mp4").path, ffmpeg_binary())
    assert abs(loud.integrated_lufs - spec.output.loudness.integrated) <= 1.0
    assert loud.true_peak_dbtp <= spec.output.loudness.true_peak + 0.5


@pytest.mark.render
@pytest.mark.parametrize(
    "motion",
    [
        {"zoom_from": 1.3, "zoom_to": 1.0, "pan": "right-to-left"},
        {"zoom_from": 1.2, "zoom_to": 1.2, "pan": "bottom-to-top"},
        {"zoom_from": 1.0, "zoom_to": 1.15, "pan": "top-to-bottom"},
    ],
)
def test_every_ken_burns_motion_moves_every_frame(
    renderer: Renderer, spec_dir: Path, tmp_path: Path, motion: dict[str, object]
) -> None:
    photo = spec_dir.parent / "media" / "photo-1.jpg"
    spec = RenderSpec.model_validate(
        {
            "output": SMALL,
            "clips": [{"kind": "image", "path": str(photo), "duration": 45, "ken_burns": motion}],
        }
    )
    got = measure(renderer.render(spec, tmp_path / "kb.mp4").path)
    assert len(got.frames) == 45
    diffs = [float(np.abs(b - a).mean()) for a, b in itertools.pairwise(got.frames)]
    assert min(diffs) > 0.05
    for frame in (got.frames[0], got.frames[-1]):  # the window never leaves the picture
        for edge in (frame[:2], frame[-2:], frame[:, :2], frame[:, -2:]):
            assert edge.mean() > 30
