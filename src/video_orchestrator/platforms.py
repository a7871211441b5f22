"""Platform presets (TikTok, YouTube Shorts, Instagram Reels, Facebook Reels) as data.

Every figure lives in ``data/platforms.json`` with a short ``source`` note per group; this
module only describes their shape and loads them. A user JSON file of the same shape can
override figures of a built-in preset (a deep merge) or add presets (``"extends": "tiktok"``
copies a built-in preset first). Pure: no FFmpeg, no settings read here.

Units: sizes in px at the ``output`` frame, durations in seconds, bitrates in kbit/s
(1000 bit/s), file sizes in bytes, aspect ratios as width / height.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from video_orchestrator.errors import ConfigError, InputError
from video_orchestrator.spec.vocabulary import CaptionPreset

__all__ = [
    "AspectRule",
    "AudioRules",
    "BitrateCap",
    "BitrateRule",
    "CallToAction",
    "CaptionAdvice",
    "DurationRange",
    "FileSizeRule",
    "FpsRange",
    "HashtagRange",
    "HookWindow",
    "LoudnessTarget",
    "MoovRule",
    "OutputSize",
    "PlatformPreset",
    "PostText",
    "ResolutionRule",
    "SafeZone",
    "ScriptDuration",
    "SpeakingPace",
    "VideoRules",
    "builtin_presets_text",
    "get_preset",
    "load_presets",
    "preset_names",
]

Source = Field(min_length=1, description="where the figures come from (or 'heuristic')")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OutputSize(_Model):
    """The frame size we render for the platform."""

    width: int = Field(ge=16, le=8192)
    height: int = Field(ge=16, le=8192)
    source: str = Source


class ResolutionRule(_Model):
    """Size limits the check applies: the short side at least ``min_short_side``; the
    longest side at most ``max_side``; the width at most ``max_width`` (``None``: no limit)."""

    min_short_side: int = Field(ge=1)
    max_side: int | None = Field(None, ge=1)
    max_width: int | None = Field(None, ge=1)
    source: str = Source


class AspectRule(_Model):
    """Width / height. With ``min_ratio`` or ``max_ratio`` set, the check accepts any shape in
    those bounds (Shorts: ``max_ratio`` 1.0, square or taller); otherwise it asks for
    ``recommended`` within ``tolerance`` (relative)."""

    recommended: str = Field(pattern=r"^[1-9][0-9]*:[1-9][0-9]*$", description="W:H, e.g. 9:16")
    tolerance: float = Field(0.01, ge=0, le=0.5)
    min_ratio: float | None = Field(None, gt=0)
    max_ratio: float | None = Field(None, gt=0)
    source: str = Source

    @property
    def recommended_ratio(self) -> Fraction:
        width, height = self.recommended.split(":")
        return Fraction(int(width), int(height))

    @property
    def bounded(self) -> bool:
        return self.min_ratio is not None or self.max_ratio is not None

    def accepts(self, width: int, height: int) -> bool:
        ratio = width / height
        if self.bounded:
            low_ok = self.min_ratio is None or ratio >= self.min_ratio * (1 - 1e-9)
            high_ok = self.max_ratio is None or ratio <= self.max_ratio * (1 + 1e-9)
            return low_ok and high_ok
        target = float(self.recommended_ratio)
        return abs(ratio / target - 1) <= self.tolerance + 1e-9

    def describe(self) -> str:
        if not self.bounded:
            return f"{self.recommended} (±{self.tolerance * 100:g} %)"
        parts = []
        if self.min_ratio is not None:
            parts.append(f"width/height ≥ {self.min_ratio:g}")
        if self.max_ratio is not None:
            parts.append(f"width/height ≤ {self.max_ratio:g}")
        return " and ".join(parts) + f" ({self.recommended} recommended)"

    @model_validator(mode="after")
    def _ordered(self) -> AspectRule:
        if (
            self.min_ratio is not None
            and self.max_ratio is not None
            and self.min_ratio > self.max_ratio
        ):
            raise ValueError("aspect min_ratio must not exceed max_ratio")
        return self


class DurationRange(_Model):
    min_s: float = Field(ge=0)
    max_s: float = Field(gt=0)
    source: str = Source

    @model_validator(mode="after")
    def _ordered(self) -> DurationRange:
        if self.min_s > self.max_s:
            raise ValueError("duration min_s must not exceed max_s")
        return self


class FpsRange(_Model):
    min: float = Field(gt=0)
    max: float = Field(gt=0)
    recommended: int = Field(ge=1, le=120)
    tolerance: float = Field(0.03, ge=0, le=1, description="fps slack, so 23.976 meets 24")
    source: str = Source

    def accepts(self, fps: float) -> bool:
        return self.min - self.tolerance <= fps <= self.max + self.tolerance

    @model_validator(mode="after")
    def _ordered(self) -> FpsRange:
        if not self.min <= self.recommended <= self.max:
            raise ValueError("fps must satisfy min <= recommended <= max")
        return self


class VideoRules(_Model):
    containers: list[str] = Field(min_length=1, description="mp4, mov, webm …")
    codec: str = Field(description="the codec we deliver (FFmpeg codec name)")
    codecs_accepted: list[str] = Field(min_length=1)
    profile: str = Field(description="H.264 profile we deliver, as FFmpeg names it")
    profiles_accepted: list[str] = Field(min_length=1, description="H.264 profiles accepted")
    pix_fmt: str
    source: str = Source

    def accepts_profile(self, profile: str) -> bool:
        wanted = {p.casefold() for p in self.profiles_accepted}
        return profile.casefold() in wanted

    @model_validator(mode="after")
    def _delivery_accepted(self) -> VideoRules:
        if self.codec not in self.codecs_accepted:
            raise ValueError(f"video codec {self.codec!r} must be one of codecs_accepted")
        if not self.accepts_profile(self.profile):
            raise ValueError(f"profile {self.profile!r} must be one of profiles_accepted")
        return self


class BitrateCap(_Model):
    max_fps: float = Field(gt=0, description="this cap applies up to this frame rate")
    max_kbps: int = Field(gt=0)


class BitrateRule(_Model):
    """Average video bitrate caps by frame rate; no caps means no published limit."""

    caps: list[BitrateCap] = Field(default_factory=list)
    target_kbps: int | None = Field(
        None, gt=0, description="the VBV cap we render with (None: pure CRF)"
    )
    source: str = Source

    def cap_for(self, fps: float | None) -> int | None:
        """The cap (kbit/s) for a frame rate: the first cap whose ``max_fps`` covers it,
        the highest-fps cap above them all, the lowest-fps cap when the rate is unknown."""
        if not self.caps:
            return None
        ordered = sorted(self.caps, key=lambda cap: cap.max_fps)
        if fps is None:
            return ordered[0].max_kbps
        for cap in ordered:
            if fps <= cap.max_fps + 0.03:
                return cap.max_kbps
        return ordered[-1].max_kbps


class FileSizeRule(_Model):
    max_bytes: int | None = Field(None, gt=0)
    source: str = Source


class AudioRules(_Model):
    codec: str
    profiles_accepted: list[str] | None = Field(None, description="AAC profiles; None = any")
    sample_rate: int = Field(ge=8000, le=192000, description="the rate we deliver")
    max_sample_rate: int | None = Field(None, ge=8000)
    bitrate_kbps: int | None = Field(None, gt=0, description="recommended; not checked")
    source: str = Source

    def accepts_profile(self, profile: str | None) -> bool:
        if self.profiles_accepted is None or profile is None:
            return True
        return profile.casefold() in {p.casefold() for p in self.profiles_accepted}


class LoudnessTarget(_Model):
    integrated_lufs: float = Field(ge=-40, le=-5)
    tolerance_lu: float = Field(ge=0, le=10)
    max_true_peak_dbtp: float = Field(ge=-10, le=0)
    true_peak_slack_db: float = Field(0.5, ge=0, le=3, description="measurement slack")
    source: str = Source

    def accepts_integrated(self, lufs: float) -> bool:
        return abs(lufs - self.integrated_lufs) <= self.tolerance_lu + 1e-9

    def accepts_true_peak(self, dbtp: float) -> bool:
        return dbtp <= self.max_true_peak_dbtp + self.true_peak_slack_db + 1e-9


class MoovRule(_Model):
    required: bool
    source: str = Source


class SafeZone(_Model):
    """Margins (px) kept clear of captions, at a reference frame size."""

    top: int = Field(ge=0)
    bottom: int = Field(ge=0)
    left: int = Field(ge=0)
    right: int = Field(ge=0)
    reference_width: int = Field(1080, ge=16)
    reference_height: int = Field(1920, ge=16)
    source: str = Source

    def scaled(self, width: int, height: int) -> SafeZone:
        """The same zone for another frame size (margins scale with each axis)."""
        sx = width / self.reference_width
        sy = height / self.reference_height
        return self.model_copy(
            update={
                "top": round(self.top * sy),
                "bottom": round(self.bottom * sy),
                "left": round(self.left * sx),
                "right": round(self.right * sx),
                "reference_width": width,
                "reference_height": height,
            }
        )

    @model_validator(mode="after")
    def _leaves_room(self) -> SafeZone:
        if self.top + self.bottom >= self.reference_height:
            raise ValueError("safe zone top + bottom must leave room inside the frame")
        if self.left + self.right >= self.reference_width:
            raise ValueError("safe zone left + right must leave room inside the frame")
        return self


class ScriptDuration(_Model):
    """What the pipeline aims for (heuristics, not platform rules)."""

    ideal_min_s: float = Field(gt=0)
    ideal_max_s: float = Field(gt=0)
    max_s: float = Field(gt=0)
    source: str = Source

    @model_validator(mode="after")
    def _ordered(self) -> ScriptDuration:
        if not self.ideal_min_s <= self.ideal_max_s <= self.max_s:
            raise ValueError("script durations must satisfy ideal_min_s <= ideal_max_s <= max_s")
        return self


class HashtagRange(_Model):
    """How many hashtags to post, and the mix: at most ``broad_max`` broad ones (those in
    ``broad_tags``, compared case-insensitively) and at least ``niche_min`` niche ones."""

    min: int = Field(ge=0)
    max: int = Field(ge=0)
    broad_max: int = Field(1, ge=0, description="broad (high-volume) hashtags at most")
    niche_min: int = Field(0, ge=0, description="niche (topic-specific) hashtags at least")
    broad_tags: list[str] = Field(
        default_factory=list, description="hashtags counted as broad (without '#')"
    )
    source: str = Source

    def is_broad(self, tag: str) -> bool:
        wanted = tag.strip().lstrip("#").casefold()
        return wanted in {t.strip().lstrip("#").casefold() for t in self.broad_tags}

    @model_validator(mode="after")
    def _ordered(self) -> HashtagRange:
        if self.min > self.max:
            raise ValueError("hashtags min must not exceed max")
        if self.niche_min > self.max:
            raise ValueError("hashtags niche_min must not exceed max")
        return self


class SpeakingPace(_Model):
    """Narration pace in spoken words per minute."""

    min_wpm: int = Field(gt=0, le=400)
    ideal_wpm: int = Field(gt=0, le=400)
    max_wpm: int = Field(gt=0, le=400)
    source: str = Source

    def seconds(self, words: int, wpm: float | None = None) -> float:
        """How long ``words`` take at ``wpm`` (default: the ideal pace)."""
        return words * 60.0 / (wpm or self.ideal_wpm)

    def words_in(self, seconds: float, wpm: float | None = None) -> float:
        """How many words fit in ``seconds`` at ``wpm`` (default: the ideal pace)."""
        return seconds * (wpm or self.ideal_wpm) / 60.0

    @model_validator(mode="after")
    def _ordered(self) -> SpeakingPace:
        if not self.min_wpm <= self.ideal_wpm <= self.max_wpm:
            raise ValueError("pace must satisfy min_wpm <= ideal_wpm <= max_wpm")
        return self


class HookWindow(_Model):
    """The opening: the hook's point lands by ``window_s``, the whole hook is said by
    ``max_s``."""

    window_s: float = Field(gt=0, le=30)
    max_s: float = Field(gt=0, le=30)
    source: str = Source

    @model_validator(mode="after")
    def _ordered(self) -> HookWindow:
        if self.window_s > self.max_s:
            raise ValueError("hook window_s must not exceed max_s")
        return self


class PostText(_Model):
    """Limits of the text posted with the video. ``title_max_chars``: the platform's title
    field (None: it has none); ``caption_max_chars``: the post text (description and
    hashtags, plus the title when ``title_in_caption``); ``title_visible_chars``: what shows
    before the feed or search cuts it (a heuristic)."""

    title_max_chars: int | None = Field(None, gt=0)
    title_visible_chars: int = Field(gt=0)
    caption_max_chars: int | None = Field(None, gt=0)
    title_in_caption: bool
    source: str = Source


class CaptionAdvice(_Model):
    """The burned-in caption style we recommend (one of the renderer's presets)."""

    style: CaptionPreset
    source: str = Source


class CallToAction(_Model):
    """Whether the script should end on a call to action; ``default`` is added when it is
    missing (``{topic}`` is replaced by the script's topic)."""

    required: bool
    default: str = Field(min_length=1, max_length=300)
    source: str = Source


class PlatformPreset(_Model):
    """Everything Video Orchestrator knows about one platform."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    display_name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    output: OutputSize
    resolution: ResolutionRule
    aspect: AspectRule
    duration: DurationRange
    frame_rate: FpsRange
    video: VideoRules
    bitrate: BitrateRule
    file_size: FileSizeRule
    audio: AudioRules
    loudness: LoudnessTarget
    moov_at_front: MoovRule
    safe_zone: SafeZone
    script: ScriptDuration
    hashtags: HashtagRange
    pace: SpeakingPace
    hook: HookWindow
    post_text: PostText
    captions: CaptionAdvice
    call_to_action: CallToAction
    notes: list[str] = Field(default_factory=list)

    # -- delivery shortcuts (what the pipeline renders for this platform) ----------------

    @property
    def width(self) -> int:
        return self.output.width

    @property
    def height(self) -> int:
        return self.output.height

    @property
    def fps(self) -> int:
        """The recommended frame rate we render at."""
        return self.frame_rate.recommended

    @property
    def target_bitrate_kbps(self) -> int | None:
        """The VBV cap to render with (None: pure CRF)."""
        return self.bitrate.target_kbps

    @property
    def loudness_lufs(self) -> float:
        return self.loudness.integrated_lufs

    @property
    def true_peak_db(self) -> float:
        return self.loudness.max_true_peak_dbtp

    @property
    def ideal_seconds(self) -> int:
        """The middle of the ideal script length (a heuristic)."""
        return round((self.script.ideal_min_s + self.script.ideal_max_s) / 2)

    @property
    def max_seconds(self) -> float:
        """The longest video the platform accepts (``duration.max_s``)."""
        return self.duration.max_s

    @property
    def script_max_seconds(self) -> float:
        """The longest script the pipeline aims for (``script.max_s``, a heuristic)."""
        return self.script.max_s

    @model_validator(mode="after")
    def _consistent(self) -> PlatformPreset:
        target = self.bitrate.target_kbps
        cap = self.bitrate.cap_for(self.frame_rate.recommended)
        if target is not None and cap is not None and target > cap:
            raise ValueError("bitrate target_kbps must not exceed the cap at the recommended fps")
        if self.script.max_s > self.duration.max_s:
            raise ValueError("script max_s must not exceed the platform's duration max_s")
        out = self.output
        if not self.aspect.accepts(out.width, out.height):
            raise ValueError("the output size must satisfy the preset's own aspect rule")
        if (
            self.safe_zone.reference_width != out.width
            or self.safe_zone.reference_height != out.height
        ):
            raise ValueError("the safe zone's reference size must equal the output size")
        return self


# ---------------------------------------------------------------- loading


def builtin_presets_text() -> str:
    """The JSON text of the presets shipped with the package."""
    resource = resources.files("video_orchestrator").joinpath("data", "platforms.json")
    return resource.read_text(encoding="utf-8")


def _raw_presets(text: str, origin: str) -> dict[str, dict[str, Any]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"platform presets file {origin} is not valid JSON: {exc}") from exc
    presets = document.get("presets") if isinstance(document, dict) else None
    if not isinstance(presets, dict) or not all(isinstance(v, dict) for v in presets.values()):
        raise ConfigError(
            f'platform presets file {origin} must be a JSON object {{"presets": {{name: {{…}}}}}}'
        )
    return {str(name): dict(value) for name, value in presets.items()}


def _merge(base: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in update.items():
        current = merged.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            merged[key] = _merge(current, value)
        else:
            merged[key] = value
    return merged


def _validate(name: str, data: dict[str, Any], origin: str) -> PlatformPreset:
    try:
        return PlatformPreset.model_validate({**data, "name": name})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(preset)"
        raise ConfigError(
            f"platform preset {name!r} in {origin} is invalid at {where}: {first['msg']} "
            f"({exc.error_count()} problem(s)); fix the file"
        ) from exc


def load_presets(extra: Path | None = None) -> dict[str, PlatformPreset]:
    """The built-in presets, with ``extra`` (a user JSON file) merged over them.

    In ``extra``, a preset named like a built-in one is deep-merged over it (give only the
    figures that change); a new name is a whole preset, or ``"extends": "<name>"`` plus the
    figures that differ. Raises ``ConfigError`` when a file is unreadable or a preset invalid.
    """
    raw = _raw_presets(builtin_presets_text(), "(built-in)")
    origin = "(built-in)"
    if extra is not None:
        origin = str(extra)
        try:
            text = extra.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(
                f"cannot read platform presets file {extra}: {exc.strerror or exc}"
            ) from exc
        for name, update in _raw_presets(text, origin).items():
            parent_name = update.pop("extends", None)
            if parent_name is not None:
                if parent_name not in raw:
                    raise ConfigError(
                        f"platform preset {name!r} in {extra} extends unknown preset "
                        f"{parent_name!r}; choose one of {', '.join(sorted(raw))}"
                    )
                base = raw[parent_name]
            else:
                base = raw.get(name, {})
            raw[name] = _merge(base, update)
    presets = {name: _validate(name, data, origin) for name, data in raw.items()}
    _check_aliases(presets, origin)
    return presets


def _check_aliases(presets: Mapping[str, PlatformPreset], origin: str) -> None:
    owners: dict[str, str] = {}
    for preset in presets.values():
        for alias in preset.aliases:
            key = _normalise(alias)
            if key in presets and key != preset.name:
                raise ConfigError(
                    f"alias {alias!r} of preset {preset.name!r} in {origin} is another "
                    "preset's name; remove it"
                )
            if key in owners and owners[key] != preset.name:
                raise ConfigError(
                    f"alias {alias!r} in {origin} belongs to both {owners[key]!r} and "
                    f"{preset.name!r}; keep it on one preset"
                )
            owners[key] = preset.name


def _normalise(name: str) -> str:
    return name.strip().casefold().replace("_", "-").replace(" ", "-")


def preset_names(presets: Mapping[str, PlatformPreset]) -> list[str]:
    return sorted(presets)


def get_preset(name: str, presets: Mapping[str, PlatformPreset] | None = None) -> PlatformPreset:
    """The preset called ``name`` (case-insensitive; ``_`` = ``-``; aliases such as
    ``shorts`` or ``reels`` work). ``presets`` defaults to the built-in ones."""
    available = presets if presets is not None else load_presets()
    key = _normalise(name)
    if key in available:
        return available[key]
    for preset in available.values():
        if key in {_normalise(alias) for alias in preset.aliases}:
            return preset
    raise InputError(
        f"unknown platform {name!r}: choose one of {', '.join(preset_names(available))}"
    )
