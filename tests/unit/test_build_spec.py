import itertools
from pathlib import Path

from video_orchestrator.domain.script import Scene, Script
from video_orchestrator.pipeline.build_spec import VideoFormat, build_spec, thumbnail_spec
from video_orchestrator.pipeline.media import MediaItem
from video_orchestrator.pipeline.voice import Narration
from video_orchestrator.ports.tts import WordTiming
from video_orchestrator.spec import CaptionStyle, GeneratedClip, ImageClip, VideoClip


def narration(parts: list[tuple[float, float]], words_per_part: int = 3) -> Narration:
    words = []
    for start, end in parts:
        step = (end - start) / words_per_part
        for i in range(words_per_part):
            words.append(
                WordTiming(
                    f"w{len(words)}",
                    start + i * step,
                    start + (i + 1) * step,
                    i == words_per_part - 1,
                )
            )
    return Narration(
        audio_path=Path("/tmp/narration.wav"),
        sample_rate=22050,
        duration=parts[-1][1],
        words=tuple(words),
        part_spans=tuple(parts),
        provider="fake",
    )


SCRIPT = Script(
    topic="t",
    title="Title",
    hook="Hook line.",
    scenes=[
        Scene(narration="one", keywords=["a"]),
        Scene(narration="two", keywords=["b"]),
        Scene(narration="three", keywords=["c"]),
    ],
    call_to_action="Follow.",
)
# hook, three scenes, call to action
PARTS = [(0.0, 1.0), (1.3, 3.0), (3.3, 5.0), (5.3, 7.0), (7.3, 8.0)]


def test_video_lasts_the_narration_plus_a_tail_and_cuts_fall_in_the_gaps() -> None:
    spec = build_spec(
        SCRIPT,
        narration(PARTS),
        [None, None, None],
        fmt=VideoFormat(),
        caption_style=CaptionStyle(),
    )
    fps = spec.output.fps
    assert spec.duration / fps >= 8.0
    assert spec.duration / fps <= 8.0 + 1.0
    assert len(spec.clips) == 3
    starts = spec.clip_starts()
    # the crossfade from scene 1 to 2 is centred in the gap 3.0–3.3 s (after the lead-in)
    middle = (starts[1] + spec.clips[0].transition.frames / 2) / fps - 0.15
    assert 3.0 <= middle <= 3.3
    assert all(isinstance(c, GeneratedClip) for c in spec.clips)
    colours = {tuple(c.colours) for c in spec.clips if isinstance(c, GeneratedClip)}
    assert len(colours) == 3  # each scene looks different


def test_captions_are_the_narration_words_in_frames() -> None:
    spec = build_spec(
        SCRIPT,
        narration(PARTS),
        [None] * 3,
        fmt=VideoFormat(),
        caption_style=CaptionStyle(preset="pop"),
    )
    assert spec.captions is not None
    words = spec.captions.words
    assert [w.text for w in words] == [f"w{i}" for i in range(15)]
    assert words[0].start == round(0.15 * 30)
    assert all(b.start >= a.start for a, b in itertools.pairwise(words))
    assert spec.captions.style.preset == "pop"


def test_media_kinds_become_the_right_clips() -> None:
    video = MediaItem(Path("/m/a.mp4"), "video", 4.0, 1920, 1080, frozenset({"a"}))
    image = MediaItem(Path("/m/b.jpg"), "image", None, 800, 600, frozenset({"b"}))
    spec = build_spec(
        SCRIPT,
        narration(PARTS),
        [video, image, None],
        fmt=VideoFormat(),
        caption_style=CaptionStyle(),
    )
    assert isinstance(spec.clips[0], VideoClip)
    assert isinstance(spec.clips[1], ImageClip)
    assert spec.clips[1].ken_burns is not None
    assert isinstance(spec.clips[2], GeneratedClip)


def test_thumbnail_is_one_clip_with_the_hook_and_no_audio() -> None:
    spec = build_spec(
        SCRIPT, narration(PARTS), [None] * 3, fmt=VideoFormat(), caption_style=CaptionStyle()
    )
    thumb = thumbnail_spec(spec, "Did you know?")
    assert len(thumb.clips) == 1
    assert thumb.captions is None
    assert thumb.audio.voice is None
    assert thumb.overlays[0].text == "Did you know?"  # type: ignore[union-attr]


def test_platform_figures_reach_the_render_spec() -> None:
    from video_orchestrator.platforms import get_preset
    from video_orchestrator.services.make import video_format

    reels = video_format(get_preset("instagram-reels"))
    spec = build_spec(SCRIPT, narration(PARTS), [None] * 3, fmt=reels, caption_style=CaptionStyle())
    assert spec.output.audio_bitrate_kbps == 128  # Instagram's published AAC bitrate
    assert spec.captions is not None
    assert spec.captions.position.safe.bottom == get_preset("instagram-reels").safe_zone.bottom
    tiktok = video_format(get_preset("tiktok"))
    assert tiktok.safe.right == 180 and tiktok.audio_bitrate_kbps == 192
