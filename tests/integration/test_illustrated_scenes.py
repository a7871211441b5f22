"""A generated scene with its illustration, and a short clip filling a longer scene, rendered
for real (ADR 0023): the picture is in colour where the overlay is, and nothing loops."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from tests.media import make_video
from video_orchestrator.pipeline.build_spec import fit_video
from video_orchestrator.pipeline.cache import ContentCache
from video_orchestrator.pipeline.scene_look import illustration, palette_for
from video_orchestrator.render.ffmpeg import ffmpeg_binary
from video_orchestrator.render.fonts import font_environment
from video_orchestrator.render.renderer import Renderer
from video_orchestrator.spec.model import RenderSpec


def rgb_frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24").astype(np.int32) for f in container.decode(video=0)]


@pytest.mark.render
def test_illustration_floats_in_colour_over_its_scene_and_a_short_clip_never_loops(
    tmp_path: Path,
) -> None:
    picture = illustration("🐙", ContentCache(tmp_path / "cache"), size=150)
    source = make_video(tmp_path / "short.mp4", width=640, height=360, seconds=1.0, fps=30)
    rate, fit = fit_video(1.0, 60, 30)
    spec = RenderSpec.model_validate(
        {
            "output": {"width": 270, "height": 480, "fps": 30},
            "clips": [
                {
                    "kind": "generated",
                    "duration": 60,
                    "pattern": "aurora",
                    "colours": list(palette_for(["ocean"])),
                },
                {"kind": "video", "path": str(source), "duration": 60, "fit": fit, "rate": rate},
            ],
            "overlays": [
                {
                    "kind": "image",
                    "path": str(picture),
                    "start": 0,
                    "end": 60,
                    "corner": "top",
                    "margin": 60,
                    "width": 150,
                    "opacity": 1.0,
                    "motion": "float",
                    "fade": 6,
                }
            ],
        }
    )
    renderer = Renderer(ffmpeg_binary(), font_environment(tmp_path / "fonts"))
    frames = rgb_frames(renderer.render(spec, tmp_path / "scene.mp4").path)
    assert len(frames) == 120
    middle = frames[30]
    octopus = middle[90:180, 95:175]  # the illustration's middle (it drifts a few px)
    corner = middle[400:470, 10:80]  # the blue background, far from it
    r, g, b = (octopus[..., i].mean() for i in range(3))
    assert r > b + 40 and r > g + 40, (r, g, b)  # the red octopus, in colour
    cr, _, cb = (corner[..., i].mean() for i in range(3))
    assert cb > cr + 20  # an ocean palette is blue
    # the picture fades in and floats: the first frame shows less of it, then it moves
    assert octopus[..., 0].mean() > frames[0][90:180, 95:175, 0].mean() + 20
    assert np.abs(frames[15] - frames[45])[40:250].mean() > 1.0
    # the 1 s clip fills 2 s slowed, never looped: a loop would repeat frame 65 at frame 95
    assert np.abs(frames[65] - frames[95]).mean() > 5
