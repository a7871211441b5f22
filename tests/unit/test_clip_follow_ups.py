"""A clip shorter than its scene (issue 12): before it is slowed, the next best matching clip
fills the rest of the scene with a cut; a clip is slowed only within MILDEST_RATE, and
never looped. Clips of known lengths, scenes of known lengths."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tests.unit.test_build_spec import narration
from video_orchestrator.domain.script import Scene, Script
from video_orchestrator.pipeline.build_spec import VideoFormat, build_spec
from video_orchestrator.pipeline.media import MILDEST_RATE, MediaItem, add_follow_ups
from video_orchestrator.pipeline.stock import scene_seconds
from video_orchestrator.spec import GeneratedClip, VideoClip
from video_orchestrator.text import keywords_of

FPS = 30


def clip(name: str, seconds: float) -> MediaItem:
    return MediaItem(
        path=Path(f"/media/{name}.mp4"),
        kind="video",
        duration=seconds,
        width=1080,
        height=1920,
        keywords=keywords_of(name),
    )


WAVES = clip("ocean-waves", 2.0)  # the best match of the long scene, far too short for it
DEEP = clip("deep-ocean", 5.0)  # the next best: shares "ocean"
REEF = clip("coral-reef", 9.0)  # shares nothing with the long scene
CAT = clip("cat", 10.0)
ITEMS = (WAVES, DEEP, REEF, CAT)

SCRIPT = Script(
    topic="the ocean",
    title="The ocean",
    hook="Hook line.",
    scenes=[
        Scene(narration="A long scene about waves.", keywords=["ocean", "waves"]),
        Scene(narration="A short one.", keywords=["cat"]),
        Scene(narration="The last one.", keywords=["sky"]),
    ],
    call_to_action="Follow.",
)
# hook, a 6-second scene, two short ones, the call to action
NARRATION = narration([(0.0, 1.0), (1.3, 6.8), (7.1, 8.5), (8.8, 10.0), (10.3, 11.0)])


def test_a_short_clip_gets_the_next_best_matching_clip() -> None:
    seconds = scene_seconds(NARRATION, 3, FPS)
    assert seconds[0] > 6.0 and seconds[1] < CAT.duration  # type: ignore[operator]
    chosen = add_follow_ups([WAVES, CAT, None], ITEMS, [s.keywords for s in SCRIPT.scenes], seconds)
    assert chosen[0] is not None and chosen[0].follow == DEEP  # shares "ocean"; REEF shares none
    assert chosen[1] == CAT and chosen[1].follow is None  # long enough as it is
    assert chosen[2] is None


def test_no_follow_up_when_a_mild_slow_down_fills_the_scene_or_nothing_else_matches() -> None:
    # 2.5 s of clip for a 3 s scene: slowed to 0.83, within MILDEST_RATE
    assert add_follow_ups([clip("ocean-waves", 2.5)], ITEMS, [["ocean"]], [3.0])[0].follow is None  # type: ignore[union-attr]
    # no other clip shares a word with the scene: it keeps its one clip
    short_cat = replace(CAT, duration=1.0)
    assert add_follow_ups([short_cat], ITEMS, [["cat"]], [6.0])[0] == short_cat


def test_the_plan_uses_two_clips_rather_than_a_loop_or_an_extreme_slow_down() -> None:
    seconds = scene_seconds(NARRATION, 3, FPS)
    media = add_follow_ups([WAVES, CAT, None], ITEMS, [s.keywords for s in SCRIPT.scenes], seconds)
    spec = build_spec(SCRIPT, NARRATION, media, fmt=VideoFormat(fps=FPS))
    first, second, cat, generated = spec.clips
    assert isinstance(first, VideoClip) and isinstance(second, VideoClip)
    assert Path(first.path) == WAVES.path and Path(second.path) == DEEP.path
    assert first.duration == 2 * FPS and first.rate == 1.0  # the whole 2 s clip at its speed
    assert first.transition.kind == "cut" and first.transition.frames == 0
    assert second.rate >= MILDEST_RATE and second.fit == "freeze"  # never looped
    # the scene keeps its length: the two clips together last as long as it does
    scene_frames = first.duration + second.duration - second.transition.frames
    assert abs(scene_frames - seconds[0] * FPS) <= 1
    assert isinstance(cat, VideoClip) and cat.rate == 1.0
    assert isinstance(generated, GeneratedClip)
    assert all(c.fit != "loop" for c in spec.clips if isinstance(c, VideoClip))


def test_without_a_second_clip_the_old_plan_stands() -> None:
    spec = build_spec(SCRIPT, NARRATION, [WAVES, CAT, None], fmt=VideoFormat(fps=FPS))
    assert len(spec.clips) == 3
    only = spec.clips[0]
    assert isinstance(only, VideoClip) and only.rate < MILDEST_RATE  # slowed, then held
