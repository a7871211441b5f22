"""Platform presets: the shipped figures, user overrides, lookup errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import BaseModel

from video_orchestrator.errors import ConfigError, InputError
from video_orchestrator.platforms import (
    AspectRule,
    BitrateRule,
    HashtagRange,
    HookWindow,
    PlatformPreset,
    SafeZone,
    SpeakingPace,
    get_preset,
    load_presets,
)

NAMES = ["facebook-reels", "instagram-reels", "tiktok", "youtube-shorts"]


@pytest.fixture(scope="module")
def presets() -> dict[str, PlatformPreset]:
    return load_presets()


def test_the_four_presets_load(presets: dict[str, PlatformPreset]) -> None:
    assert sorted(presets) == NAMES
    for name, preset in presets.items():
        assert preset.name == name


@pytest.mark.parametrize("name", NAMES)
def test_common_delivery_figures(presets: dict[str, PlatformPreset], name: str) -> None:
    preset = presets[name]
    assert (preset.output.width, preset.output.height) == (1080, 1920)
    assert preset.frame_rate.recommended == 30
    assert preset.video.codec == "h264"
    assert preset.video.profile == "High"
    assert preset.video.pix_fmt == "yuv420p"
    assert preset.audio.codec == "aac"
    assert preset.audio.sample_rate == 48000
    assert preset.loudness.integrated_lufs == -14.0
    assert preset.loudness.tolerance_lu == 2.0
    assert preset.loudness.max_true_peak_dbtp == -1.0
    assert preset.loudness.true_peak_slack_db == 0.5
    assert preset.moov_at_front.required is True
    assert preset.aspect.recommended == "9:16"
    assert "mp4" in preset.video.containers
    assert preset.script.max_s <= preset.duration.max_s
    assert preset.hashtags.min <= preset.hashtags.max


@pytest.mark.parametrize("name", NAMES)
def test_every_figure_group_has_a_source(presets: dict[str, PlatformPreset], name: str) -> None:
    preset = presets[name]
    groups = [value for value in dict(preset).values() if isinstance(value, BaseModel)]
    assert len(groups) == 19
    for group in groups:
        assert getattr(group, "source", "").strip(), f"{name}.{type(group).__name__} has no source"


@pytest.mark.parametrize(
    ("name", "min_s", "max_s", "fps_min", "fps_max"),
    [
        ("tiktok", 3, 600, 23, 60),
        ("youtube-shorts", 0, 180, 24, 60),
        ("instagram-reels", 3, 900, 23, 60),
        ("facebook-reels", 3, 90, 24, 60),
    ],
)
def test_durations_and_frame_rates(
    presets: dict[str, PlatformPreset],
    name: str,
    min_s: float,
    max_s: float,
    fps_min: float,
    fps_max: float,
) -> None:
    preset = presets[name]
    assert (preset.duration.min_s, preset.duration.max_s) == (min_s, max_s)
    assert (preset.frame_rate.min, preset.frame_rate.max) == (fps_min, fps_max)


def test_platform_specific_figures(presets: dict[str, PlatformPreset]) -> None:
    tiktok, shorts = presets["tiktok"], presets["youtube-shorts"]
    reels, facebook = presets["instagram-reels"], presets["facebook-reels"]
    # TikTok: 360–4096 px a side, 4 GB, H.265/VP8/VP9 accepted, no bitrate cap
    assert tiktok.resolution.max_side == 4096
    assert tiktok.file_size.max_bytes == 4_000_000_000
    assert set(tiktok.video.codecs_accepted) >= {"h264", "hevc", "vp8", "vp9"}
    assert tiktok.bitrate.cap_for(30) is None
    # Shorts: square or taller, H.264 High only, 8 / 12 Mbps, AAC-LC, 256 GB
    assert shorts.aspect.max_ratio == 1.0
    assert shorts.video.profiles_accepted == ["High"]
    assert shorts.bitrate.cap_for(24) == 8000
    assert shorts.bitrate.cap_for(30) == 8000
    assert shorts.bitrate.cap_for(29.97) == 8000
    assert shorts.bitrate.cap_for(48) == 12000
    assert shorts.bitrate.cap_for(60) == 12000
    assert shorts.audio.profiles_accepted == ["LC"]
    assert shorts.file_size.max_bytes == 256_000_000_000
    # Reels: ≤ 1920 px wide, VBR ≤ 25 Mbps, ≤ 48 kHz, 300 MB (the lower of the two figures)
    assert reels.resolution.max_width == 1920
    assert reels.bitrate.cap_for(30) == 25000
    assert reels.bitrate.cap_for(60) == 25000
    assert reels.audio.max_sample_rate == 48000
    assert reels.file_size.max_bytes == 300_000_000
    assert set(reels.video.containers) == {"mp4", "mov"}
    # Facebook Reels: 3–90 s, Meta audio
    assert facebook.audio.max_sample_rate == 48000
    assert facebook.file_size.max_bytes is None


@pytest.mark.parametrize(
    ("name", "top", "bottom", "left", "right"),
    [
        ("instagram-reels", 270, 670, 65, 65),
        ("facebook-reels", 270, 670, 65, 65),
        ("tiktok", 250, 460, 65, 180),
        ("youtube-shorts", 120, 480, 65, 190),
    ],
)
def test_safe_zones(
    presets: dict[str, PlatformPreset], name: str, top: int, bottom: int, left: int, right: int
) -> None:
    zone = presets[name].safe_zone
    assert (zone.top, zone.bottom, zone.left, zone.right) == (top, bottom, left, right)
    assert (zone.reference_width, zone.reference_height) == (1080, 1920)


def test_tiktok_script_heuristic(presets: dict[str, PlatformPreset]) -> None:
    script = presets["tiktok"].script
    assert (script.ideal_min_s, script.ideal_max_s) == (21, 34)
    assert "heuristic" in script.source


@pytest.mark.parametrize("name", NAMES)
def test_delivery_shortcuts(presets: dict[str, PlatformPreset], name: str) -> None:
    preset = presets[name]
    assert (preset.width, preset.height, preset.fps) == (1080, 1920, 30)
    assert preset.target_bitrate_kbps == 8000
    assert (preset.loudness_lufs, preset.true_peak_db) == (-14.0, -1.0)
    assert preset.max_seconds == preset.duration.max_s
    assert preset.script_max_seconds == preset.script.max_s
    assert preset.script.ideal_min_s <= preset.ideal_seconds <= preset.script.ideal_max_s


def test_tiktok_ideal_seconds(presets: dict[str, PlatformPreset]) -> None:
    assert presets["tiktok"].ideal_seconds == 28  # middle of 21–34 s


def test_target_bitrate_above_the_cap_is_rejected(tmp_path: Path) -> None:
    extra = _write(
        tmp_path / "b.json", {"presets": {"youtube-shorts": {"bitrate": {"target_kbps": 9000}}}}
    )
    with pytest.raises(ConfigError, match="target_kbps"):
        load_presets(extra)


def test_safe_zone_scales_with_the_frame() -> None:
    zone = SafeZone(top=270, bottom=670, left=65, right=65, source="test")
    half = zone.scaled(540, 960)
    assert (half.top, half.bottom, half.left, half.right) == (135, 335, 32, 32)
    assert (half.reference_width, half.reference_height) == (540, 960)


def test_aspect_rules() -> None:
    strict = AspectRule(recommended="9:16", tolerance=0.01, source="t")
    assert strict.accepts(1080, 1920)
    assert strict.accepts(720, 1280)
    assert not strict.accepts(1080, 1080)
    assert not strict.accepts(1920, 1080)
    taller = AspectRule(recommended="9:16", max_ratio=1.0, source="t")
    assert taller.accepts(1080, 1080)
    assert taller.accepts(1080, 1920)
    assert not taller.accepts(1081, 1080)


def test_bitrate_cap_above_every_bracket_uses_the_highest() -> None:
    rule = BitrateRule.model_validate(
        {
            "caps": [{"max_fps": 30, "max_kbps": 8000}, {"max_fps": 60, "max_kbps": 12000}],
            "source": "t",
        }
    )
    assert rule.cap_for(120) == 12000
    assert rule.cap_for(None) == 8000


# ---------------------------------------------------------------- override files


def _write(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_override_changes_only_the_given_figures(tmp_path: Path) -> None:
    extra = _write(
        tmp_path / "presets.json",
        {"presets": {"tiktok": {"resolution": {"min_short_side": 720}, "hashtags": {"max": 8}}}},
    )
    presets = load_presets(extra)
    tiktok = presets["tiktok"]
    assert tiktok.resolution.min_short_side == 720
    assert tiktok.resolution.max_side == 4096  # kept from the built-in preset
    assert tiktok.hashtags.max == 8
    assert tiktok.hashtags.min == 3
    assert presets["youtube-shorts"] == load_presets()["youtube-shorts"]


def test_override_adds_a_preset_that_extends_another(tmp_path: Path) -> None:
    extra = _write(
        tmp_path / "presets.json",
        {
            "presets": {
                "tiktok-short": {
                    "extends": "tiktok",
                    "display_name": "TikTok (1 min)",
                    "aliases": [],
                    "duration": {"max_s": 60},
                }
            }
        },
    )
    presets = load_presets(extra)
    assert sorted(presets) == sorted([*NAMES, "tiktok-short"])
    added = get_preset("tiktok-short", presets)
    assert added.duration.max_s == 60
    assert added.duration.min_s == 3
    assert added.safe_zone == presets["tiktok"].safe_zone


def test_invalid_override_is_a_config_error(tmp_path: Path) -> None:
    extra = _write(tmp_path / "bad.json", {"presets": {"tiktok": {"frame_rate": {"min": -5}}}})
    with pytest.raises(ConfigError, match=r"tiktok.*bad\.json.*frame_rate\.min"):
        load_presets(extra)


def test_unknown_field_in_override_is_rejected(tmp_path: Path) -> None:
    extra = _write(tmp_path / "typo.json", {"presets": {"tiktok": {"duraton": {"max_s": 5}}}})
    with pytest.raises(ConfigError, match="duraton"):
        load_presets(extra)


def test_new_preset_without_figures_is_rejected(tmp_path: Path) -> None:
    extra = _write(tmp_path / "new.json", {"presets": {"vimeo": {"display_name": "Vimeo"}}})
    with pytest.raises(ConfigError, match="vimeo"):
        load_presets(extra)


def test_extends_unknown_preset(tmp_path: Path) -> None:
    extra = _write(tmp_path / "x.json", {"presets": {"mine": {"extends": "myspace"}}})
    with pytest.raises(ConfigError, match=r"myspace.*tiktok"):
        load_presets(extra)


def test_unreadable_and_malformed_override_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_presets(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_presets(broken)
    with pytest.raises(ConfigError, match="presets"):
        load_presets(_write(tmp_path / "list.json", [1, 2]))


# ---------------------------------------------------------------- lookup


def test_get_preset_by_name_and_alias(presets: dict[str, PlatformPreset]) -> None:
    assert get_preset("tiktok", presets).name == "tiktok"
    assert get_preset("YouTube_Shorts", presets).name == "youtube-shorts"
    assert get_preset("shorts", presets).name == "youtube-shorts"
    assert get_preset("reels", presets).name == "instagram-reels"
    assert get_preset("facebook").name == "facebook-reels"


def test_unknown_name_lists_the_valid_ones(presets: dict[str, PlatformPreset]) -> None:
    with pytest.raises(InputError) as caught:  # a name the user typed: their input
        get_preset("myspace", presets)
    message = str(caught.value)
    assert "myspace" in message
    for name in NAMES:
        assert name in message


# ---------------------------------------------------------------- optimisation figures


@pytest.mark.parametrize(
    ("name", "pace", "hashtags", "title_max", "caption_max", "title_in_caption", "style"),
    [
        ("tiktok", (155, 165, 185), (3, 5, 1, 2), 2200, 2200, True, "karaoke"),
        ("youtube-shorts", (150, 160, 180), (1, 3, 1, 1), 100, 5000, False, "karaoke"),
        ("instagram-reels", (150, 160, 175), (3, 5, 1, 2), None, 2200, True, "pop"),
        ("facebook-reels", (145, 155, 170), (1, 3, 1, 1), None, None, True, "clean"),
    ],
)
def test_optimisation_figures(
    presets: dict[str, PlatformPreset],
    name: str,
    pace: tuple[int, int, int],
    hashtags: tuple[int, int, int, int],
    title_max: int | None,
    caption_max: int | None,
    title_in_caption: bool,
    style: str,
) -> None:
    preset = presets[name]
    assert (preset.pace.min_wpm, preset.pace.ideal_wpm, preset.pace.max_wpm) == pace
    tags = preset.hashtags
    assert (tags.min, tags.max, tags.broad_max, tags.niche_min) == hashtags
    assert (preset.hook.window_s, preset.hook.max_s) == (2.0, 3.0)
    assert preset.post_text.title_max_chars == title_max
    assert preset.post_text.caption_max_chars == caption_max
    assert preset.post_text.title_in_caption is title_in_caption
    assert preset.captions.style == style
    assert preset.call_to_action.required and "{topic}" in preset.call_to_action.default


@pytest.mark.parametrize("name", NAMES)
def test_figures_not_in_the_reference_say_so(presets: dict[str, PlatformPreset], name: str) -> None:
    preset = presets[name]
    for group in (preset.pace, preset.hook, preset.captions, preset.call_to_action):
        assert "heuristic" in group.source
    assert "fyp" in [t.casefold() for t in preset.hashtags.broad_tags]


def test_tiktok_title_limit_cites_the_content_posting_api(
    presets: dict[str, PlatformPreset],
) -> None:
    assert "Content Posting API" in presets["tiktok"].post_text.source
    assert "not in the reference" in presets["youtube-shorts"].post_text.source


def test_pace_arithmetic() -> None:
    pace = SpeakingPace(min_wpm=150, ideal_wpm=165, max_wpm=180, source="t")
    assert pace.seconds(55) == pytest.approx(20.0)
    assert pace.words_in(2.0) == pytest.approx(5.5)
    assert pace.seconds(30, wpm=180) == pytest.approx(10.0)


def test_broad_hashtags_compare_without_case_or_hash() -> None:
    rule = HashtagRange(min=1, max=3, broad_tags=["fyp", "#Viral"], source="t")
    assert rule.is_broad("#FYP") and rule.is_broad("viral")
    assert not rule.is_broad("volcano")


@pytest.mark.parametrize(
    ("model", "fields", "message"),
    [
        (SpeakingPace, {"min_wpm": 170, "ideal_wpm": 160, "max_wpm": 180}, "min_wpm"),
        (HookWindow, {"window_s": 4, "max_s": 3}, "window_s"),
        (HashtagRange, {"min": 1, "max": 3, "niche_min": 4}, "niche_min"),
    ],
)
def test_optimisation_groups_validate(
    model: type[BaseModel], fields: dict[str, float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        model.model_validate({**fields, "source": "t"})


def test_override_changes_the_pace(tmp_path: Path) -> None:
    extra = _write(tmp_path / "p.json", {"presets": {"tiktok": {"pace": {"ideal_wpm": 170}}}})
    tiktok = load_presets(extra)["tiktok"]
    assert tiktok.pace.ideal_wpm == 170 and tiktok.pace.min_wpm == 155


def test_invalid_caption_style_is_rejected(tmp_path: Path) -> None:
    extra = _write(
        tmp_path / "c.json", {"presets": {"tiktok": {"captions": {"style": "comic-sans"}}}}
    )
    with pytest.raises(ConfigError, match=r"captions\.style"):
        load_presets(extra)
