"""Compliance check: does a file meet a platform preset's published specs?

``evaluate`` is pure (a ``MediaInfo``, an optional ``Loudness`` and a preset in, one
``RuleResult`` per rule out, always in the order of ``RULES``) so it can be table-tested;
``check_file`` probes and measures the file and calls it.

Decisions (see ``data/platforms.json`` for the figures):

- resolution: the short side must reach the preset's ``min_short_side`` (1080: our quality
  bar) and the sides stay within the platform's maxima; the exact size is not required.
- aspect: 9:16 within the preset's tolerance, or the preset's ratio bounds (Shorts: square
  or taller).
- profile: only checked for H.264 (other codecs have other profile names).
- video bitrate: the stream's average bitrate (estimated from the overall bitrate minus the
  audio bitrate when the container does not say) against the cap for its frame rate.
- loudness: integrated within ``tolerance_lu`` of the target; true peak at most the maximum
  plus ``true_peak_slack_db``. Without ``loudness`` (not measured) these two rules are left
  out; a file without audio passes every audio rule (silence is allowed).
- moov at front: only for MP4/MOV; other containers pass as "not applicable".
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

from video_orchestrator.platforms import PlatformPreset
from video_orchestrator.render.measure import Loudness, measure_loudness
from video_orchestrator.render.probe import MediaInfo, probe

__all__ = ["RULES", "RuleResult", "check_file", "evaluate", "failures"]

log = logging.getLogger(__name__)

RULES: tuple[str, ...] = (
    "container",
    "duration",
    "resolution",
    "aspect",
    "video codec",
    "profile",
    "pixel format",
    "fps",
    "video bitrate",
    "file size",
    "audio codec",
    "sample rate",
    "loudness",
    "true peak",
    "moov at front",
)

_NO_VIDEO = "no video stream"
_NO_AUDIO = "no audio stream"


@dataclass(frozen=True)
class RuleResult:
    rule: str
    ok: bool
    expected: str
    actual: str


def failures(results: list[RuleResult]) -> list[RuleResult]:
    """The rules that failed."""
    return [result for result in results if not result.ok]


# ---------------------------------------------------------------- formatting


def _num(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _bits(bits_per_second: float) -> str:
    if bits_per_second >= 1_000_000:
        return f"{bits_per_second / 1_000_000:.1f} Mbit/s"
    return f"{bits_per_second / 1000:.0f} kbit/s"


def _bytes(count: int) -> str:
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{count} B"


def _db(value: float, unit: str) -> str:
    if math.isinf(value):
        return f"-inf {unit}" if value < 0 else f"inf {unit}"
    return f"{value:.1f} {unit}"


# ---------------------------------------------------------------- the rules


def _container(info: MediaInfo, preset: PlatformPreset) -> RuleResult:
    accepted = preset.video.containers
    return RuleResult(
        "container", info.container in accepted, " or ".join(accepted), info.container
    )


def _duration(info: MediaInfo, preset: PlatformPreset) -> RuleResult:
    rule = preset.duration
    expected = (
        f"≤ {_num(rule.max_s)} s" if rule.min_s == 0 else f"{_num(rule.min_s)}–{_num(rule.max_s)} s"
    )
    if info.duration is None:
        return RuleResult("duration", False, expected, "unknown (a still image?)")
    seconds = round(info.duration, 3)
    return RuleResult(
        "duration", rule.min_s <= seconds <= rule.max_s, expected, f"{_num(seconds)} s"
    )


def _resolution(info: MediaInfo, preset: PlatformPreset) -> RuleResult:
    rule = preset.resolution
    parts = [f"short side ≥ {rule.min_short_side} px"]
    if rule.max_side is not None:
        parts.append(f"sides ≤ {rule.max_side} px")
    if rule.max_width is not None:
        parts.append(f"width ≤ {rule.max_width} px")
    expected = ", ".join(parts) + f" ({preset.output.width}x{preset.output.height} recommended)"
    video = info.video
    if video is None:
        return RuleResult("resolution", False, expected, _NO_VIDEO)
    ok = min(video.width, video.height) >= rule.min_short_side
    if rule.max_side is not None:
        ok = ok and max(video.width, video.height) <= rule.max_side
    if rule.max_width is not None:
        ok = ok and video.width <= rule.max_width
    return RuleResult("resolution", ok, expected, f"{video.width}x{video.height}")


def _aspect(info: MediaInfo, preset: PlatformPreset) -> RuleResult:
    expected = preset.aspect.describe()
    video = info.video
    if video is None:
        return RuleResult("aspect", False, expected, _NO_VIDEO)
    divisor = math.gcd(video.width, video.height) or 1
    actual = (
        f"{video.width // divisor}:{video.height // divisor} "
        f"(width/height {video.width / video.height:.4f})"
    )
    return RuleResult("aspect", preset.aspect.accepts(video.width, video.height), expected, actual)


def _video_codec(info: MediaInfo, preset: PlatformPreset) -> RuleResult:
    accepted = preset.video.codecs_accepted
    expected = " or ".join(accepted)
    if len(accepted) > 1:
        expected += f" ({preset.video.codec} recommended)"
    if info.video is None:
        return RuleResult("video codec", False, expected, _NO_VIDEO)
    return RuleResult("video codec", info.video.codec in accepted, expected, info.video.codec)


def _profile(info: MediaInfo, preset: PlatformPreset) -> RuleResult:
    expected = " or ".join(preset.video.profiles_accepted) + " (H.264)"
    video = info.video
    if video is None:
        return RuleResult("profile", False, expected, _NO_VIDEO)
    if video.codec != "h264":
        return RuleResult("profile", True, expected, f"not checked for {video.codec}")
    if video.profile is None:
        return RuleResult("profile", False, expected, "unknown")
    return RuleResult(
        "profile", preset.video.accepts_profile(video.profile), expected, video.profile
    )


def _pixel_format(info: MediaInfo, preset: PlatformPreset) -> RuleResult:
    expected = preset.video.pix_fmt
    video = info.video
    if video is None:
        return RuleResult("pixel format", False, expected, _NO_VIDEO)
    actual = video.pix_fmt or "unknown"
    return RuleResult("pixel format", actual == expected, expected, actual)


def _fps(info: MediaInfo, preset: PlatformPreset) -> RuleResult:
    rule = preset.frame_rate
    expected = f"{_num(rule.min)}–{_num(rule.max)} fps ({rule.recommended} recommended)"
    video = info.video
    if video is None:
        return RuleResult("fps", False, expected, _NO_VIDEO)
    if video.fps is None:
        return RuleResult("fps", False, expected, "unknown")
    return RuleResult("fps", rule.accepts(video.fps), expected, f"{_num(round(video.fps, 3))} fps")


def _video_bitrate(info: MediaInfo, preset: PlatformPreset) -> RuleResult:
    video = info.video
    cap_kbps = preset.bitrate.cap_for(video.fps if video is not None else None)
    expected = "no limit" if cap_kbps is None else f"≤ {_bits(cap_kbps * 1000)} (average)"
    if video is None:
        return RuleResult("video bitrate", cap_kbps is None, expected, _NO_VIDEO)
    bits: float | None = video.bit_rate
    estimated = False
    if bits is None and info.bit_rate is not None:
        audio_bits = info.audio.bit_rate if info.audio is not None else 0
        bits = max(info.bit_rate - (audio_bits or 0), 0)
        estimated = True
    if bits is None:
        return RuleResult("video bitrate", cap_kbps is None, expected, "unknown")
    actual = ("≈ " if estimated else "") + _bits(bits)
    ok = cap_kbps is None or bits <= cap_kbps * 1000
    return RuleResult("video bitrate", ok, expected, actual)


def _file_size(info: MediaInfo, preset: PlatformPreset) -> RuleResult:
    limit = preset.file_size.max_bytes
    expected = "no limit" if limit is None else f"≤ {_bytes(limit)}"
    ok = limit is None or info.size_bytes <= limit
    return RuleResult("file size", ok, expected, _bytes(info.size_bytes))


def _audio_codec(info: MediaInfo, preset: PlatformPreset) -> RuleResult:
    rule = preset.audio
    expected = rule.codec
    if rule.profiles_accepted:
        expected += f" ({' or '.join(rule.profiles_accepted)})"
    audio = info.audio
    if audio is None:
        return RuleResult("audio codec", True, expected, _NO_AUDIO)
    actual = audio.codec + (f" ({audio.profile})" if audio.profile else "")
    ok = audio.codec == rule.codec and rule.accepts_profile(audio.profile)
    return RuleResult("audio codec", ok, expected, actual)


def _sample_rate(info: MediaInfo, preset: PlatformPreset) -> RuleResult:
    limit = preset.audio.max_sample_rate
    expected = (
        f"{preset.audio.sample_rate} Hz recommended"
        if limit is None
        else f"≤ {limit} Hz ({preset.audio.sample_rate} recommended)"
    )
    audio = info.audio
    if audio is None:
        return RuleResult("sample rate", True, expected, _NO_AUDIO)
    ok = audio.sample_rate > 0 and (limit is None or audio.sample_rate <= limit)
    return RuleResult("sample rate", ok, expected, f"{audio.sample_rate} Hz")


def _loudness(
    info: MediaInfo, loudness: Loudness | None, preset: PlatformPreset
) -> list[RuleResult]:
    target = preset.loudness
    expected_i = f"{_num(target.integrated_lufs)} ± {_num(target.tolerance_lu)} LUFS"
    peak_limit = target.max_true_peak_dbtp + target.true_peak_slack_db
    expected_tp = (
        f"≤ {_num(target.max_true_peak_dbtp)} dBTP (+{_num(target.true_peak_slack_db)} dB slack)"
    )
    if info.audio is None:
        return [
            RuleResult("loudness", True, expected_i, _NO_AUDIO),
            RuleResult("true peak", True, expected_tp, _NO_AUDIO),
        ]
    if loudness is None:
        return []
    return [
        RuleResult(
            "loudness",
            target.accepts_integrated(loudness.integrated_lufs),
            expected_i,
            _db(loudness.integrated_lufs, "LUFS"),
        ),
        RuleResult(
            "true peak",
            loudness.true_peak_dbtp <= peak_limit + 1e-9,
            expected_tp,
            _db(loudness.true_peak_dbtp, "dBTP"),
        ),
    ]


def _moov(info: MediaInfo, preset: PlatformPreset) -> RuleResult:
    required = preset.moov_at_front.required
    expected = "moov before mdat (+faststart)" if required else "not required"
    if info.container not in ("mp4", "mov"):
        return RuleResult("moov at front", True, expected, f"not applicable to {info.container}")
    flag = info.moov_before_mdat
    actual = {True: "moov before mdat", False: "moov after mdat", None: "unknown"}[flag]
    return RuleResult("moov at front", (not required) or flag is True, expected, actual)


def evaluate(
    info: MediaInfo, loudness: Loudness | None, preset: PlatformPreset
) -> list[RuleResult]:
    """Every rule of ``preset`` applied to ``info`` (and ``loudness`` when measured)."""
    return [
        _container(info, preset),
        _duration(info, preset),
        _resolution(info, preset),
        _aspect(info, preset),
        _video_codec(info, preset),
        _profile(info, preset),
        _pixel_format(info, preset),
        _fps(info, preset),
        _video_bitrate(info, preset),
        _file_size(info, preset),
        _audio_codec(info, preset),
        _sample_rate(info, preset),
        *_loudness(info, loudness, preset),
        _moov(info, preset),
    ]


def check_file(path: Path, preset: PlatformPreset, *, ffmpeg: str) -> list[RuleResult]:
    """Probe ``path``, measure its loudness when it has audio, and evaluate every rule.

    Raises ``MediaError`` when the file is not readable media and ``RenderError`` when
    FFmpeg cannot measure its audio.
    """
    info = probe(path)
    loudness = measure_loudness(path, ffmpeg) if info.audio is not None else None
    results = evaluate(info, loudness, preset)
    log.info(
        "checked %s against %s: %d of %d rules failed",
        info.name,
        preset.name,
        len(failures(results)),
        len(results),
    )
    return results
