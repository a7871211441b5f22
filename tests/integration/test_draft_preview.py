"""The draft preview (issue 13): the project's whole video at 360×640 with the fastest
encoder settings — the same cut, background clip and caption style as the final render —
measured with FFmpeg, cached by the project's content, and made again after an edit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.media import make_colour_video
from video_orchestrator.config import Settings
from video_orchestrator.domain.script import Scene, Script
from video_orchestrator.render.probe import probe
from video_orchestrator.services.assets import AssetService
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.preview import DraftPreviews
from video_orchestrator.services.projects import ProjectCreate, ProjectOut, ProjectUpdate
from video_orchestrator.spec import RenderSpec
from video_orchestrator.spec.options import BackgroundSettings, CaptionSettings

pytestmark = pytest.mark.render


@pytest.fixture
def previews(tmp_path: Path) -> Iterator[DraftPreviews]:
    ctx = AppContext(
        Settings(
            data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", default_voice="fake:fake-en"
        )
    )
    yield DraftPreviews(ctx)
    ctx.db.dispose()


def red_clip_project(previews: DraftPreviews, tmp_path: Path) -> ProjectOut:
    assets = AssetService(previews.ctx.db, previews.ctx.files)
    clip = make_colour_video(tmp_path / "red.mp4", "red", seconds=2.0)
    red, _ = assets.add_file(clip, "red.mp4")
    project = previews.projects.create(ProjectCreate(topic="colours"))
    script = Script(
        topic="colours",
        title="Colours",
        hook="Red first.",
        scenes=[Scene(narration="Red first, here."), Scene(narration="Then a moving sky.")],
        call_to_action="Bye.",
    )
    return previews.projects.update(
        project.id,
        ProjectUpdate(
            version=project.version,
            script=script,
            background=BackgroundSettings(assets=[red.id]),
            captions=CaptionSettings(style="pop"),
        ),
    )


def centre_colour(path: Path, at: float) -> tuple[int, int, int]:
    """The RGB of the frame's top-centre pixel at ``at`` seconds (away from the captions)."""
    import subprocess

    from tests.media import ffmpeg_exe

    raw = subprocess.run(
        [
            ffmpeg_exe(), "-v", "error", "-ss", str(at), "-i", str(path), "-frames:v", "1",
            "-vf", "crop=2:2:iw/2:ih/8", "-f", "rawvideo", "-pix_fmt", "rgb24", "-",
        ],
        capture_output=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    return raw[0], raw[1], raw[2]


def test_the_draft_is_the_whole_video_small_and_fast_cached_until_an_edit(
    previews: DraftPreviews, tmp_path: Path
) -> None:
    project = red_clip_project(previews, tmp_path)
    assert previews.cached(project.id) is None

    draft = previews.make(project.id)
    assert not draft.cached and draft.path.is_file()
    info = probe(draft.path)
    assert info.video is not None and (info.video.width, info.video.height) == (360, 640)
    assert info.audio is not None  # the voice is in it
    assert info.duration == pytest.approx(draft.duration, abs=0.2)
    assert len(draft.starts) == 2 and draft.starts[0] == 0 < draft.starts[1]  # one per scene
    red, green, blue = centre_colour(draft.path, 0.3)  # scene 1 shows the red clip
    assert red > 150 and green < 90 and blue < 90

    again = previews.make(project.id)
    assert again.cached and again.path == draft.path  # no change: no new render
    assert previews.cached(project.id) == again

    edited = previews.projects.update(
        project.id,
        ProjectUpdate(version=project.version, captions=CaptionSettings(style="karaoke")),
    )
    assert previews.cached(edited.id) is None  # an edit makes the old draft stale
    fresh = previews.make(edited.id)
    assert not fresh.cached and fresh.path != draft.path


def test_a_draft_spec_scales_every_size_and_keeps_every_time() -> None:
    from video_orchestrator.pipeline.build_spec import draft_spec

    full = RenderSpec.model_validate(
        {
            "clips": [{"kind": "colour", "colour": "#000000", "duration": 60}],
            "captions": {
                "words": [{"text": "Hi", "start": 0, "end": 30}],
                "style": {"preset": "pop", "size": 96},
            },
            "overlays": [{"kind": "text", "text": "Top", "size": 90, "end": 30}],
        }
    )
    small = draft_spec(full, 640)
    assert (small.output.width, small.output.height) == (360, 640)
    assert small.output.preset == "ultrafast"
    assert small.captions is not None and full.captions is not None
    assert small.captions.style.size == 32  # 96 × 640/1920
    assert small.captions.position.safe.top == round(full.captions.position.safe.top / 3)
    assert small.captions.words == full.captions.words  # the same times
    assert small.duration == full.duration
    assert small.overlays[0].size == 30  # type: ignore[union-attr]
