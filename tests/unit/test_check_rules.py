"""Table tests of the pure compliance evaluation: each rule fails on a crafted file."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from video_orchestrator.platforms import PlatformPreset, load_presets
from video_orchestrator.render.measure import Loudness
from video_orchestrator.render.probe import AudioStreamInfo, MediaInfo, VideoStreamInfo
from video_orchestrator.services.check import RULES, RuleResult, evaluate, failures

PRESETS = load_presets()
NAMES = sorted(PRESETS)

GOOD_VIDEO = VideoStreamInfo(
    codec="h264",
    profile="High",
    width=1080,
    height=1920,
    pix_fmt="yuv420p",
    fps=30.0,
    bit_rate=6_000_000,
    frames=900,
    has_b_frames=True,
)
GOOD_AUDIO = AudioStreamInfo(
    codec="aac", profile="LC", sample_rate=48000, channels=2, bit_rate=192_000
)
GOOD = MediaInfo(
    path=Path("short.mp4"),
    kind="video",
    format_name="mov,mp4,m4a,3gp,3g2,mj2",
    container="mp4",
    duration=30.0,
    size_bytes=24_000_000,
    bit_rate=6_200_000,
    video=GOOD_VIDEO,
    audio=GOOD_AUDIO,
    major_brand="isom",
    moov_before_mdat=True,
)
GOOD_LOUDNESS = Loudness(integrated_lufs=-14.1, true_peak_dbtp=-1.2, lra_lu=6.0)


def _by_rule(results: list[RuleResult]) -> dict[str, RuleResult]:
    return {result.rule: result for result in results}


def video(**changes: object) -> Callable[[MediaInfo], MediaInfo]:
    return lambda info: replace(info, video=replace(GOOD_VIDEO, **changes))  # type: ignore[arg-type]


def audio(**changes: object) -> Callable[[MediaInfo], MediaInfo]:
    return lambda info: replace(info, audio=replace(GOOD_AUDIO, **changes))  # type: ignore[arg-type]


def media(**changes: object) -> Callable[[MediaInfo], MediaInfo]:
    return lambda info: replace(info, **changes)  # type: ignore[arg-type]


def same(info: MediaInfo) -> MediaInfo:
    return info


@pytest.mark.parametrize("name", NAMES)
def test_a_good_file_passes_every_rule(name: str) -> None:
    results = evaluate(GOOD, GOOD_LOUDNESS, PRESETS[name])
    assert [r.rule for r in results] == list(RULES)
    assert failures(results) == []


# (preset, the rule expected to fail alone, how the file is spoiled, measured loudness)
CASES: list[tuple[str, str, Callable[[MediaInfo], MediaInfo], Loudness]] = [
    ("tiktok", "container", media(container="matroska"), GOOD_LOUDNESS),
    ("youtube-shorts", "container", media(container="mov"), GOOD_LOUDNESS),
    ("tiktok", "duration", media(duration=2.5), GOOD_LOUDNESS),
    ("tiktok", "duration", media(duration=601.0), GOOD_LOUDNESS),
    ("youtube-shorts", "duration", media(duration=181.0), GOOD_LOUDNESS),
    ("instagram-reels", "duration", media(duration=901.0), GOOD_LOUDNESS),
    ("facebook-reels", "duration", media(duration=91.0), GOOD_LOUDNESS),
    ("facebook-reels", "duration", media(duration=None), GOOD_LOUDNESS),
    ("tiktok", "resolution", video(width=720, height=1280), GOOD_LOUDNESS),
    ("tiktok", "resolution", video(width=2340, height=4160), GOOD_LOUDNESS),
    ("instagram-reels", "resolution", video(width=2160, height=3840), GOOD_LOUDNESS),
    ("tiktok", "aspect", video(width=1080, height=1350), GOOD_LOUDNESS),
    ("instagram-reels", "aspect", video(width=1080, height=1080), GOOD_LOUDNESS),
    ("youtube-shorts", "aspect", video(width=1920, height=1080), GOOD_LOUDNESS),
    ("tiktok", "video codec", video(codec="av1"), GOOD_LOUDNESS),
    ("youtube-shorts", "video codec", video(codec="hevc"), GOOD_LOUDNESS),
    ("facebook-reels", "video codec", video(codec="vp9"), GOOD_LOUDNESS),
    ("youtube-shorts", "profile", video(profile="Main"), GOOD_LOUDNESS),
    ("tiktok", "profile", video(profile="High 10"), GOOD_LOUDNESS),
    ("tiktok", "profile", video(profile=None), GOOD_LOUDNESS),
    ("tiktok", "pixel format", video(pix_fmt="yuv444p"), GOOD_LOUDNESS),
    ("instagram-reels", "pixel format", video(pix_fmt="yuv420p10le"), GOOD_LOUDNESS),
    ("tiktok", "fps", video(fps=15.0), GOOD_LOUDNESS),
    ("facebook-reels", "fps", video(fps=23.0), GOOD_LOUDNESS),
    ("tiktok", "fps", video(fps=120.0), GOOD_LOUDNESS),
    ("tiktok", "fps", video(fps=None), GOOD_LOUDNESS),
    ("youtube-shorts", "video bitrate", video(bit_rate=9_000_000), GOOD_LOUDNESS),
    ("youtube-shorts", "video bitrate", video(fps=60.0, bit_rate=13_000_000), GOOD_LOUDNESS),
    ("instagram-reels", "video bitrate", video(bit_rate=26_000_000), GOOD_LOUDNESS),
    ("tiktok", "file size", media(size_bytes=4_000_000_001), GOOD_LOUDNESS),
    ("instagram-reels", "file size", media(size_bytes=300_000_001), GOOD_LOUDNESS),
    ("tiktok", "audio codec", audio(codec="mp3", profile=None), GOOD_LOUDNESS),
    ("youtube-shorts", "audio codec", audio(profile="HE-AAC"), GOOD_LOUDNESS),
    ("instagram-reels", "sample rate", audio(sample_rate=96000), GOOD_LOUDNESS),
    ("facebook-reels", "sample rate", audio(sample_rate=96000), GOOD_LOUDNESS),
    ("youtube-shorts", "sample rate", audio(sample_rate=192000), GOOD_LOUDNESS),
    ("tiktok", "loudness", same, replace(GOOD_LOUDNESS, integrated_lufs=-16.5)),
    ("tiktok", "loudness", same, replace(GOOD_LOUDNESS, integrated_lufs=-11.0)),
    ("instagram-reels", "loudness", same, replace(GOOD_LOUDNESS, integrated_lufs=-70.0)),
    ("tiktok", "true peak", same, replace(GOOD_LOUDNESS, true_peak_dbtp=-0.3)),
    ("youtube-shorts", "true peak", same, replace(GOOD_LOUDNESS, true_peak_dbtp=0.8)),
    ("tiktok", "moov at front", media(moov_before_mdat=False), GOOD_LOUDNESS),
    ("instagram-reels", "moov at front", media(moov_before_mdat=None), GOOD_LOUDNESS),
]


@pytest.mark.parametrize(
    ("name", "rule", "spoil", "loudness"),
    CASES,
    ids=[f"{case[0]}-{case[1]}-{index}" for index, case in enumerate(CASES)],
)
def test_each_rule_fails_alone(
    name: str, rule: str, spoil: Callable[[MediaInfo], MediaInfo], loudness: Loudness
) -> None:
    results = evaluate(spoil(GOOD), loudness, PRESETS[name])
    assert [r.rule for r in failures(results)] == [rule]
    failed = _by_rule(results)[rule]
    assert failed.expected
    assert failed.actual


def test_every_rule_has_a_failing_case() -> None:
    assert {case[1] for case in CASES} == set(RULES)


@pytest.mark.parametrize(
    ("name", "spoil", "loudness"),
    [
        ("tiktok", media(duration=3.0), GOOD_LOUDNESS),  # boundaries are inclusive
        ("facebook-reels", media(duration=90.0), GOOD_LOUDNESS),
        ("youtube-shorts", media(duration=180.0), GOOD_LOUDNESS),
        ("tiktok", video(width=2160, height=3840), GOOD_LOUDNESS),  # 4K vertical
        ("youtube-shorts", video(width=1080, height=1080), GOOD_LOUDNESS),  # square Short
        ("tiktok", video(fps=23.976), GOOD_LOUDNESS),
        ("facebook-reels", video(fps=23.976), GOOD_LOUDNESS),
        ("tiktok", video(fps=59.94), GOOD_LOUDNESS),
        ("tiktok", video(codec="hevc", profile="Main"), GOOD_LOUDNESS),  # profile n/a
        ("tiktok", video(profile="Constrained Baseline"), GOOD_LOUDNESS),
        ("youtube-shorts", video(fps=60.0, bit_rate=11_000_000), GOOD_LOUDNESS),
        ("tiktok", video(bit_rate=60_000_000), GOOD_LOUDNESS),  # no TikTok cap
        ("tiktok", same, replace(GOOD_LOUDNESS, integrated_lufs=-12.0)),
        ("tiktok", same, replace(GOOD_LOUDNESS, integrated_lufs=-16.0)),
        ("tiktok", same, replace(GOOD_LOUDNESS, true_peak_dbtp=-0.5)),  # within the slack
        ("tiktok", same, replace(GOOD_LOUDNESS, true_peak_dbtp=-math.inf)),
        ("youtube-shorts", audio(sample_rate=96000), GOOD_LOUDNESS),
        ("tiktok", audio(sample_rate=96000), GOOD_LOUDNESS),
    ],
)
def test_accepted_edge_cases(
    name: str, spoil: Callable[[MediaInfo], MediaInfo], loudness: Loudness
) -> None:
    assert failures(evaluate(spoil(GOOD), loudness, PRESETS[name])) == []


def test_without_measured_loudness_the_loudness_rules_are_left_out() -> None:
    results = evaluate(GOOD, None, PRESETS["tiktok"])
    rules = [r.rule for r in results]
    assert "loudness" not in rules
    assert "true peak" not in rules
    assert failures(results) == []


def test_a_silent_video_passes_the_audio_rules() -> None:
    results = _by_rule(evaluate(replace(GOOD, audio=None), None, PRESETS["instagram-reels"]))
    for rule in ("audio codec", "sample rate", "loudness", "true peak"):
        assert results[rule].ok
        assert results[rule].actual == "no audio stream"


def test_an_audio_file_fails_the_picture_rules() -> None:
    sound = replace(GOOD, kind="audio", video=None, container="mp4")
    failed = {r.rule for r in failures(evaluate(sound, GOOD_LOUDNESS, PRESETS["tiktok"]))}
    assert failed == {"resolution", "aspect", "video codec", "profile", "pixel format", "fps"}


def test_bitrate_is_estimated_when_the_stream_does_not_say() -> None:
    unknown = replace(GOOD, video=replace(GOOD_VIDEO, bit_rate=None), bit_rate=9_300_000)
    result = _by_rule(evaluate(unknown, GOOD_LOUDNESS, PRESETS["youtube-shorts"]))["video bitrate"]
    assert not result.ok  # 9.3 Mbit/s overall − 0.192 audio > 8 Mbit/s
    assert result.actual.startswith("≈")
    fine = replace(unknown, bit_rate=7_000_000)
    assert _by_rule(evaluate(fine, GOOD_LOUDNESS, PRESETS["youtube-shorts"]))["video bitrate"].ok


def test_moov_rule_does_not_apply_to_webm() -> None:
    webm = replace(
        GOOD,
        container="webm",
        format_name="matroska,webm",
        moov_before_mdat=None,
        video=replace(GOOD_VIDEO, codec="vp9", profile=None),
        audio=replace(GOOD_AUDIO, codec="opus", profile=None),
    )
    results = _by_rule(evaluate(webm, GOOD_LOUDNESS, PRESETS["tiktok"]))
    assert results["moov at front"].ok
    assert results["container"].ok
    assert not results["audio codec"].ok


def test_results_read_well() -> None:
    spoiled = replace(GOOD, video=replace(GOOD_VIDEO, width=640, height=480))
    results = _by_rule(evaluate(spoiled, GOOD_LOUDNESS, PRESETS["tiktok"]))
    assert results["resolution"].actual == "640x480"
    assert "1080" in results["resolution"].expected
    assert results["aspect"].actual.startswith("4:3")
    assert results["aspect"].expected.startswith("9:16")
    assert results["loudness"].actual == "-14.1 LUFS"
    assert results["duration"].actual == "30 s"


def test_preset_overrides_change_the_verdict(tmp_path: Path) -> None:
    extra = tmp_path / "p.json"
    extra.write_text('{"presets": {"tiktok": {"resolution": {"min_short_side": 720}}}}')
    relaxed: PlatformPreset = load_presets(extra)["tiktok"]
    hd = replace(GOOD, video=replace(GOOD_VIDEO, width=720, height=1280))
    assert failures(evaluate(hd, GOOD_LOUDNESS, relaxed)) == []
    assert [r.rule for r in failures(evaluate(hd, GOOD_LOUDNESS, PRESETS["tiktok"]))] == [
        "resolution"
    ]


def test_an_ebur128_summary_is_parsed_with_and_without_true_peak() -> None:
    import math

    from video_orchestrator.render.measure import parse_ebur128_summary

    log = """[Parsed_ebur128_0 @ 0x1] Summary:

  Integrated loudness:
    I:         -16.3 LUFS
    Threshold: -26.5 LUFS

  Loudness range:
    LRA:         4.7 LU
    Threshold: -36.6 LUFS
    LRA low:   -19.1 LUFS
    LRA high:  -14.4 LUFS
"""
    without = parse_ebur128_summary(log)
    assert without is not None
    assert (without.integrated_lufs, without.lra_lu) == (-16.3, 4.7)
    assert math.isnan(without.true_peak_dbtp)
    with_peak = parse_ebur128_summary(log + "\n  True peak:\n    Peak:       -1.2 dBFS\n")
    assert with_peak is not None and with_peak.true_peak_dbtp == -1.2
    assert parse_ebur128_summary("no summary here") is None
