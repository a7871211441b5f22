"""A video clip's input is read only as far as the clip needs (``-t``, INPUT_SLACK_FRAMES):
its frames must be those of the whole source read, none dropped or repeated at the clip's
start or end, for sources at other frame rates than the output's and for a window that
starts inside a clip (ADR 0054)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.media import ffmpeg_exe, make_video
from video_orchestrator.render import compiler
from video_orchestrator.render.compiler import compile_segment
from video_orchestrator.render.ffmpeg import run_ffmpeg
from video_orchestrator.spec.model import RenderSpec
from video_orchestrator.spec.window import Window

pytestmark = pytest.mark.render

FPS = 30
RATES = (24, 25, 30, 60)


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    root = tmp_path_factory.mktemp("clip-inputs")
    return {
        rate: make_video(root / f"src-{rate}.mp4", width=160, height=90, seconds=2.0, fps=rate)
        for rate in RATES
    }


def spec_of(source: Path) -> RenderSpec:
    """Clips that end inside the source (where ``-t`` cuts), one of them starting late."""
    clip = {"kind": "video", "path": str(source), "fit": "freeze"}
    return RenderSpec.model_validate(
        {
            "output": {"width": 90, "height": 160, "fps": FPS, "gop_seconds": 0.5},
            "clips": [
                {**clip, "source_in": 0, "duration": 13},
                {**clip, "source_in": 7, "duration": 11},
                {**clip, "source_in": 29, "duration": 16, "fit": "loop"},
            ],
        }
    )


def whole_source_read(argv: tuple[str, ...]) -> tuple[str, ...]:
    """The same command with every input read to its end (no ``-t``)."""
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "-t":
            skip = True
        else:
            kept.append(arg)
    return tuple(kept)


def digests(spec: RenderSpec, window: Window, work: Path, *, limited: bool) -> list[str]:
    out = work / f"frames-{window.start}-{limited}.md5"
    compiled = compile_segment(
        spec, window, output=out, workdir=work, fonts_dir=work, ffmpeg=ffmpeg_exe(), digest=True
    )
    argv = compiled.argv if limited else whole_source_read(compiled.argv)
    assert ("-t" in argv) == limited
    run_ffmpeg(argv)
    lines = out.read_text().splitlines()
    return [line.rsplit(",", 1)[1].strip() for line in lines if not line.startswith("#")]


@pytest.mark.parametrize("rate", RATES)
def test_a_clip_read_to_its_last_frame_only_shows_the_whole_sources_frames(
    sources: dict[int, Path], rate: int, tmp_path: Path
) -> None:
    spec = spec_of(sources[rate])
    # the whole video, and a window that starts 5 frames into the second clip
    for window in (Window(0, spec.duration), Window(18, spec.duration)):
        whole = digests(spec, window, tmp_path, limited=False)
        limited = digests(spec, window, tmp_path, limited=True)
        assert len(whole) == len(limited) == window.frames
        pairs = enumerate(zip(whole, limited, strict=True))
        differing = [n + window.start for n, (a, b) in pairs if a != b]
        assert differing == [], f"{rate} fps source: frames differ at {differing}"


def test_the_input_is_read_to_the_clips_last_frame_and_its_slack(tmp_path: Path) -> None:
    spec = spec_of(tmp_path / "any.mp4")
    compiled = compile_segment(
        spec, Window(0, spec.duration), output=tmp_path / "o.md5", workdir=tmp_path,
        fonts_dir=tmp_path, digest=True,
    )  # fmt: skip
    limits = [compiled.argv[i + 1] for i, a in enumerate(compiled.argv) if a == "-t"]
    slack = compiler.INPUT_SLACK_FRAMES
    expected = [(0 + 13 + slack) / FPS, (7 + 11 + slack) / FPS, (29 + 16 + slack) / FPS]
    assert [float(v) for v in limits] == pytest.approx(expected, abs=1e-6)
