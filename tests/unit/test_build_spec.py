import itertools
from pathlib import Path

from video_orchestrator.domain.script import Scene, Script
from video_orchestrator.pipeline.build_spec import VideoFormat, build_spec, thumbnail_spec
from video_orchestrator.pipeline.media import MediaItem
from video_orchestrator.pipeline.voice import Narration
from video_orchestrator.ports.tts import WordTiming
from video_orchestrator.spec import CaptionStyle, GeneratedClip, ImageClip, VideoClip
from video_orchestrator.spec.options import (
    AudioSettings,
    BackgroundSettings,
    CaptionSettings,
    ExportSettings,
    VideoOptions,
    caption_style,
)


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
        options=VideoOptions(captions=CaptionSettings(style="pop")),
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
    )
    assert isinstance(spec.clips[0], VideoClip)
    assert isinstance(spec.clips[1], ImageClip)
    assert spec.clips[1].ken_burns is not None
    assert isinstance(spec.clips[2], GeneratedClip)


def test_thumbnail_is_one_clip_with_the_hook_and_no_audio() -> None:
    spec = build_spec(SCRIPT, narration(PARTS), [None] * 3, fmt=VideoFormat())
    thumb = thumbnail_spec(spec, "Did you know?")
    assert len(thumb.clips) == 1
    assert thumb.captions is None
    assert thumb.audio.voice is None
    assert thumb.overlays[0].text == "Did you know?"  # type: ignore[union-attr]


def test_a_japanese_hook_is_broken_into_lines_of_whole_phrases() -> None:
    spec = build_spec(SCRIPT, narration(PARTS), [None] * 3, fmt=VideoFormat())
    assert spec.captions is not None
    japanese = spec.model_copy(
        update={"captions": spec.captions.model_copy(update={"language": "ja"})}
    )
    thumb = thumbnail_spec(japanese, "今日は海の話をします。深海には不思議な生き物がいます。")
    lines = thumb.overlays[0].text.split("\n")  # type: ignore[union-attr]
    # 1080 px less the margins, at 144 px a character (the cover's big type): 6 full-width
    # characters a line, each line whole BudouX phrases
    assert lines == ["今日は海の", "話をします。", "深海には", "不思議な", "生き物が", "います。"]
    assert all(len(line) <= 6 for line in lines)
    assert thumbnail_spec(spec, "Did you know this?").overlays[0].text == "Did you know this?"  # type: ignore[union-attr]


def test_platform_figures_reach_the_render_spec() -> None:
    from video_orchestrator.platforms import get_preset
    from video_orchestrator.services.make import video_format

    reels = video_format(get_preset("instagram-reels"))
    spec = build_spec(SCRIPT, narration(PARTS), [None] * 3, fmt=reels)
    assert spec.output.audio_bitrate_kbps == 128  # Instagram's published AAC bitrate
    assert spec.captions is not None
    assert spec.captions.position.safe.bottom == get_preset("instagram-reels").safe_zone.bottom
    tiktok = video_format(get_preset("tiktok"))
    assert tiktok.safe.right == 180 and tiktok.audio_bitrate_kbps == 192


# ---------------------------------------------------------------- the project's render settings


def test_default_settings_build_the_same_spec_as_before() -> None:
    from video_orchestrator.spec import Output

    media = [None, MediaItem(Path("/m/b.jpg"), "image", None, 800, 600, frozenset()), None]
    plain = build_spec(SCRIPT, narration(PARTS), media, fmt=VideoFormat())
    explicit = build_spec(
        SCRIPT,
        narration(PARTS),
        media,
        fmt=VideoFormat(),
        options=VideoOptions(
            captions=CaptionSettings(style="karaoke", anchor="bottom"),
            background=BackgroundSettings(transition="fade", ken_burns=True),
            export=ExportSettings(quality="standard"),
        ),
        effect=None,
    )
    assert explicit == plain
    assert plain.captions is not None and plain.captions.style == CaptionStyle()
    assert (plain.output.preset, plain.output.crf) == (Output().preset, Output().crf)
    assert [c.transition.kind for c in plain.clips[:-1]] == ["fade", "fade"]
    assert plain.audio.effects == []
    assert caption_style(CaptionSettings(style="pop")) == CaptionStyle(preset="pop")


def test_caption_settings_reach_the_caption_track() -> None:
    captions = CaptionSettings(
        style="clean",
        size=184,
        colour="#00FF00",
        highlight_colour="#FF00FF",
        max_words=3,
        anchor="top",
    )
    spec = build_spec(
        SCRIPT,
        narration(PARTS),
        [None] * 3,
        fmt=VideoFormat(),
        options=VideoOptions(captions=captions),
    )
    assert spec.captions is not None
    got = spec.captions.style
    assert (got.preset, got.size, got.colour, got.highlight_colour, got.max_words) == (
        "clean",
        184,
        "#00FF00",
        "#FF00FF",
        3,
    )
    # twice the default size: half the characters per line, so a line is no wider
    assert got.max_chars_per_line == CaptionStyle().max_chars_per_line // 2
    smallest = caption_style(CaptionSettings(size=40))
    assert smallest.max_chars_per_line == CaptionStyle().max_chars_per_line
    assert spec.captions.position.anchor == "top"
    assert spec.captions.position.safe == VideoFormat().safe  # still the platform's safe zone


def test_a_cut_has_no_overlap_and_falls_in_the_middle_of_the_silence() -> None:
    spec = build_spec(
        SCRIPT,
        narration(PARTS),
        [None] * 3,
        fmt=VideoFormat(),
        options=VideoOptions(background=BackgroundSettings(transition="cut")),
    )
    assert [(c.transition.kind, c.transition.frames) for c in spec.clips] == [("cut", 0)] * 3
    fps = spec.output.fps
    starts = spec.clip_starts()
    assert sum(c.duration for c in spec.clips) == spec.duration  # nothing overlaps
    # the silences between the scenes are 3.0–3.3 s and 5.0–5.3 s (after the lead-in)
    assert abs(starts[1] / fps - 0.15 - 3.15) <= 1 / fps
    assert abs(starts[2] / fps - 0.15 - 5.15) <= 1 / fps
    faded = build_spec(SCRIPT, narration(PARTS), [None] * 3, fmt=VideoFormat())
    assert faded.duration == spec.duration  # the narration decides the length either way


def test_other_transitions_keep_the_crossfade_timing() -> None:
    faded = build_spec(SCRIPT, narration(PARTS), [None] * 3, fmt=VideoFormat())
    slid = build_spec(
        SCRIPT,
        narration(PARTS),
        [None] * 3,
        fmt=VideoFormat(),
        options=VideoOptions(background=BackgroundSettings(transition="slideleft")),
    )
    assert [c.transition.kind for c in slid.clips[:-1]] == ["slideleft", "slideleft"]
    assert slid.clip_starts() == faded.clip_starts()
    assert slid.overlaps() == faded.overlaps()


def test_ken_burns_off_leaves_images_still() -> None:
    image = MediaItem(Path("/m/b.jpg"), "image", None, 800, 600, frozenset({"b"}))
    spec = build_spec(
        SCRIPT,
        narration(PARTS),
        [image, image, None],
        fmt=VideoFormat(),
        options=VideoOptions(background=BackgroundSettings(ken_burns=False)),
    )
    images = [c for c in spec.clips if isinstance(c, ImageClip)]
    assert len(images) == 2 and all(c.ken_burns is None for c in images)


def test_a_sound_effect_marks_every_scene_after_the_first() -> None:
    spec = build_spec(
        SCRIPT,
        narration(PARTS),
        [None] * 3,
        fmt=VideoFormat(),
        options=VideoOptions(audio=AudioSettings(sfx_gain_db=-12.0)),
        effect="/s/whoosh.wav",
    )
    effects = spec.audio.effects
    assert [e.at for e in effects] == spec.clip_starts()[1:]
    assert {(e.path, e.gain_db) for e in effects} == {("/s/whoosh.wav", -12.0)}


def test_ducking_strength_loudness_and_quality_reach_the_spec() -> None:
    from video_orchestrator.spec.vocabulary import QUALITY

    spec = build_spec(
        SCRIPT,
        narration(PARTS),
        [None] * 3,
        fmt=VideoFormat(),
        options=VideoOptions(
            audio=AudioSettings(ducking_strength=15.0, loudness_lufs=-20.0),
            export=ExportSettings(quality="draft"),
        ),
        music="/m/bed.wav",
    )
    assert spec.audio.music is not None and spec.audio.music.ducking.ratio == 15.0
    assert spec.output.loudness.integrated == -20.0
    assert (spec.output.preset, spec.output.crf) == QUALITY["draft"]
    high = build_spec(
        SCRIPT,
        narration(PARTS),
        [None] * 3,
        fmt=VideoFormat(),
        options=VideoOptions(export=ExportSettings(quality="high")),
    )
    order = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower"]
    assert order.index(high.output.preset) > order.index(spec.output.preset)
    assert high.output.crf < 21 < spec.output.crf


def test_the_project_settings_offer_exactly_what_the_spec_can_do() -> None:
    from typing import get_args

    from video_orchestrator.spec import Transition
    from video_orchestrator.spec.vocabulary import (
        QUALITY,
        SPEC_ANCHORS,
        Anchor,
        CaptionAnchor,
        Quality,
        TransitionKind,
    )

    def options(model: type, name: str) -> tuple[object, ...]:
        return get_args(model.model_fields[name].annotation)  # type: ignore[attr-defined]

    spec_kinds = get_args(Transition.model_fields["kind"].annotation)
    assert options(BackgroundSettings, "transition") == get_args(TransitionKind) == spec_kinds
    assert options(ExportSettings, "quality") == get_args(Quality) == tuple(QUALITY)
    assert options(CaptionSettings, "anchor") == get_args(CaptionAnchor) == tuple(SPEC_ANCHORS)
    assert set(SPEC_ANCHORS.values()) == set(get_args(Anchor))


OCEAN = Script(
    topic="the deep ocean",
    title="Deep",
    hook="Hook line.",
    scenes=[
        Scene(narration="The sea is dark.", keywords=["ocean", "underwater"]),
        Scene(narration="Vents pour out hot water.", keywords=["volcano", "heat"]),
        Scene(narration="Nothing named here.", keywords=["zzxq"]),
    ],
    call_to_action="Follow.",
)


def test_generated_scenes_take_the_palette_of_their_keywords() -> None:
    from video_orchestrator.pipeline.scene_look import palette_for

    spec = build_spec(OCEAN, narration(PARTS), [None] * 3, fmt=VideoFormat())
    clips = [c for c in spec.clips if isinstance(c, GeneratedClip)]
    assert clips[0].colours == list(palette_for(["ocean"]))
    assert clips[1].colours == list(palette_for(["volcano"]))
    assert clips[0].colours != clips[1].colours


def test_illustrations_become_floating_overlays_of_their_generated_scenes() -> None:
    video = MediaItem(Path("/m/a.mp4"), "video", 9.0, 1920, 1080, frozenset({"a"}))
    spec = build_spec(
        OCEAN,
        narration(PARTS),
        [None, None, video],
        fmt=VideoFormat(),
        illustrations=["/c/wave.png", None, "/c/ignored.png"],
    )
    starts = spec.clip_starts()
    assert len(spec.overlays) == 1  # scene 2 has no picture; scene 3 shows footage
    overlay = spec.overlays[0]
    assert overlay.kind == "image" and overlay.path == "/c/wave.png"
    assert overlay.motion == "float" and overlay.fade > 0 and overlay.corner == "top"
    assert (overlay.start, overlay.end) == (starts[0], starts[0] + spec.clips[0].duration)
    assert overlay.width >= 0.5 * spec.output.width
    off = VideoOptions(background=BackgroundSettings(illustrations=False))
    plain = build_spec(
        OCEAN, narration(PARTS), [None] * 3, fmt=VideoFormat(), options=off,
        illustrations=["/c/wave.png", None, None],
    )  # fmt: skip
    assert plain.overlays == []


def test_a_short_clip_is_slowed_then_held_never_looped() -> None:
    from video_orchestrator.pipeline.build_spec import SLOWEST_RATE, fit_video

    assert fit_video(10.0, 90, 30) == (1.0, "freeze")  # long enough: as it is
    assert fit_video(2.4, 90, 30) == (0.8, "freeze")  # 2.4 s slowed to fill 3 s
    assert fit_video(0.5, 90, 30) == (SLOWEST_RATE, "freeze")  # then its last frame held
    short = MediaItem(Path("/m/a.mp4"), "video", 1.0, 1920, 1080, frozenset({"a"}))
    spec = build_spec(SCRIPT, narration(PARTS), [short] * 3, fmt=VideoFormat())
    for clip in spec.clips:
        assert isinstance(clip, VideoClip)
        assert clip.fit == "freeze" and clip.rate < 1.0
