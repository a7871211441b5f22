"""A 2-second clip in a 6-second scene, rendered for real (issue 12): the clip plays once at
its speed, then the next matching clip fills the scene after a cut and fades into the next
scene; nothing loops."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_illustrated_scenes import rgb_frames
from tests.media import make_colour_video, make_video
from tests.unit.test_build_spec import narration
from video_orchestrator.domain.script import Scene, Script
from video_orchestrator.pipeline.build_spec import VideoFormat, build_spec
from video_orchestrator.pipeline.media import MediaItem, add_follow_ups
from video_orchestrator.pipeline.stock import scene_seconds
from video_orchestrator.render.ffmpeg import ffmpeg_binary
from video_orchestrator.render.fonts import font_environment
from video_orchestrator.render.renderer import Renderer
from video_orchestrator.spec.model import AudioTracks
from video_orchestrator.text import keywords_of

FPS = 30


def _item(path: Path, seconds: float) -> MediaItem:
    return MediaItem(path, "video", seconds, 360, 640, keywords_of(path.stem))


@pytest.mark.render
def test_a_short_clip_is_followed_by_the_next_matching_one(tmp_path: Path) -> None:
    waves = _item(make_video(tmp_path / "ocean-waves.mp4", seconds=2.0, fps=FPS), 2.0)
    deep = _item(make_colour_video(tmp_path / "deep-ocean.mp4", "red", seconds=5.0), 5.0)
    script = Script(
        topic="the ocean",
        title="The ocean",
        hook="Hook.",
        scenes=[
            Scene(narration="Waves.", keywords=["ocean", "waves"]),
            Scene(narration="Sky.", keywords=["sky"]),
        ],
        call_to_action="Follow.",
    )
    told = narration([(0.0, 1.0), (1.3, 6.8), (7.1, 8.5), (8.8, 9.3)])
    keywords = [["ocean", "waves"], ["sky"]]
    media = add_follow_ups([waves, None], [waves, deep], keywords, scene_seconds(told, 2, FPS))
    spec = build_spec(script, told, media, fmt=VideoFormat(width=270, height=480, fps=FPS))
    spec = spec.model_copy(update={"audio": AudioTracks(), "captions": None})
    renderer = Renderer(ffmpeg_binary(), font_environment(tmp_path / "fonts"))
    frames = rgb_frames(renderer.render(spec, tmp_path / "scene.mp4").path)
    assert len(frames) == spec.duration
    # the cut inside the scene, then a fade into the generated next scene (one FFmpeg graph)
    assert [c.transition.kind for c in spec.clips] == ["cut", "fade", "cut"]
    next_scene = spec.clip_starts()[2]

    def red(frame_index: int) -> bool:
        r, g, b = (frames[frame_index][..., i].mean() for i in range(3))
        return r > 200 and g < 60 and b < 60

    cut = 2 * FPS  # the 2 s clip, once, at its speed
    assert not any(red(i) for i in range(0, cut - 1))
    assert all(red(i) for i in range(cut + 1, next_scene, 15))  # the second clip fills the scene
    assert not red(len(frames) - 1)
    # the first clip's motion is never shown twice (a loop would repeat frame 10 at frame 70)
    assert abs(frames[10] - frames[40]).mean() > 1.0
