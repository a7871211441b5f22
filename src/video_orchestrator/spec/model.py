"""The render spec: a declarative, versioned, JSON-serialisable description of one video.

All timeline positions and lengths are integer frames at ``output.fps``. Paths are plain
strings (absolute, or relative to the spec file: see ``RenderSpec.resolve_paths``).
The compiler in ``render/`` turns a spec into one FFmpeg command; nothing here does I/O.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from video_orchestrator.spec.caption_styles import CAPTION_DESIGNS
from video_orchestrator.spec.timeline import Timebase, clip_starts, sequence_length
from video_orchestrator.spec.vocabulary import Anchor, CaptionPreset, EncoderPreset, TransitionKind

SPEC_VERSION = 1

HEX_COLOUR = r"^#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?$"
Colour = Annotated[str, Field(pattern=HEX_COLOUR, description="#RRGGBB or #RRGGBBAA")]
Frames = Annotated[int, Field(ge=0, description="a position or length in frames")]
PositiveFrames = Annotated[int, Field(gt=0, description="a length in frames")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------- output


class Loudness(_Model):
    integrated: float = Field(-14.0, ge=-40, le=-5, description="LUFS")
    true_peak: float = Field(-1.0, ge=-9, le=0, description="dBTP")
    lra: float = Field(11.0, ge=1, le=20, description="loudness range, LU")


class Output(_Model):
    width: int = Field(1080, ge=16, le=8192, multiple_of=2)
    height: int = Field(1920, ge=16, le=8192, multiple_of=2)
    fps: int = Field(30, ge=1, le=120)
    video_codec: Literal["libx264"] = "libx264"
    profile: Literal["high", "main", "baseline"] = "high"
    pix_fmt: Literal["yuv420p"] = "yuv420p"
    preset: EncoderPreset = "veryfast"
    crf: int = Field(21, ge=0, le=51)
    max_bitrate_kbps: int | None = Field(
        8000, ge=100, description="VBV cap so platform bitrate limits hold; None for pure CRF"
    )
    gop_seconds: float = Field(2.0, gt=0, le=10, description="closed GOP length")
    audio_codec: Literal["aac"] = "aac"
    audio_bitrate_kbps: int = Field(192, ge=32, le=512)
    sample_rate: Literal[44100, 48000] = 48000
    loudness: Loudness = Loudness()

    @property
    def timebase(self) -> Timebase:
        return Timebase.of(self.fps)


# ---------------------------------------------------------------- video track


class KenBurns(_Model):
    """Slow zoom (and optional pan) across a still image."""

    zoom_from: float = Field(1.0, ge=1.0, le=3.0)
    zoom_to: float = Field(1.15, ge=1.0, le=3.0)
    pan: Literal["center", "left-to-right", "right-to-left", "top-to-bottom", "bottom-to-top"] = (
        "center"
    )


class Transition(_Model):
    """How a clip hands over to the next one. ``frames`` of both clips overlap."""

    kind: TransitionKind = "fade"
    frames: Frames = 9

    @model_validator(mode="after")
    def _cut_has_no_length(self) -> Transition:
        if self.kind == "cut" and self.frames != 0:
            raise ValueError("a cut has no length: set frames to 0 or choose another kind")
        if self.kind != "cut" and self.frames == 0:
            raise ValueError(f"a {self.kind} transition needs at least one frame")
        return self


CUT = Transition(kind="cut", frames=0)


class _ClipBase(_Model):
    duration: PositiveFrames
    transition: Transition = Field(
        default=CUT, description="transition into the NEXT clip (ignored on the last clip)"
    )


class VideoClip(_ClipBase):
    kind: Literal["video"] = "video"
    path: str = Field(min_length=1)
    source_in: Frames = Field(0, description="first frame used from the source, at output fps")
    fit: Literal["loop", "freeze"] = Field(
        "loop", description="what to do when the source is shorter than the clip"
    )
    mute: bool = True
    rate: float = Field(
        1.0,
        ge=0.25,
        le=1.0,
        description=(
            "playback speed of the source: below 1 slows it (a short clip fills a longer scene "
            "without a visible loop); source_in counts frames of the slowed stream"
        ),
    )


class ImageClip(_ClipBase):
    kind: Literal["image"] = "image"
    path: str = Field(min_length=1)
    ken_burns: KenBurns | None = KenBurns()


class GeneratedClip(_ClipBase):
    """A moving background made by FFmpeg itself: never a black screen."""

    kind: Literal["generated"] = "generated"
    pattern: Literal["gradient", "aurora", "bokeh"] = "gradient"
    colours: list[Colour] = Field(
        default_factory=lambda: ["#1E3C72", "#2A5298", "#7F53AC", "#E96443"],
        min_length=2,
        max_length=8,
    )
    speed: float = Field(1.0, gt=0, le=10)
    seed: int = 0


class ColourClip(_ClipBase):
    kind: Literal["colour"] = "colour"
    colour: Colour = "#101820"


Clip = Annotated[VideoClip | ImageClip | GeneratedClip | ColourClip, Field(discriminator="kind")]


# ---------------------------------------------------------------- overlays


class Box(_Model):
    """A rectangle inside which something is placed, as margins from the frame edges in px."""

    top: int = Field(0, ge=0)
    bottom: int = Field(0, ge=0)
    left: int = Field(0, ge=0)
    right: int = Field(0, ge=0)


Corner = Literal["top-left", "top-right", "bottom-left", "bottom-right", "center", "top"]


class TextOverlay(_Model):
    kind: Literal["text"] = "text"
    text: str = Field(min_length=1, max_length=500)
    start: Frames = 0
    end: Frames | None = Field(None, description="exclusive end frame; None = to the end")
    anchor: Anchor = "top"
    margins: Box = Box(top=300, left=80, right=80)
    font: str = "Anton"
    size: int = Field(96, ge=8, le=400)
    colour: Colour = "#FFFFFF"
    outline_colour: Colour = "#000000"
    outline: float = Field(6, ge=0, le=40)
    box_colour: Colour | None = Field(None, description="opaque box behind the text")


class ImageOverlay(_Model):
    """A logo or watermark image, or a scene's illustration (``motion="float"``)."""

    kind: Literal["image"] = "image"
    path: str = Field(min_length=1)
    start: Frames = 0
    end: Frames | None = None
    corner: Corner = "top-right"
    margin: int = Field(48, ge=0)
    width: int = Field(180, ge=8, le=4096, description="scaled width in px (aspect kept)")
    opacity: float = Field(0.85, ge=0, le=1)
    motion: Literal["none", "float"] = Field(
        "none", description="float: a slow drift up and down and side to side (illustrations)"
    )
    fade: Frames = Field(0, description="frames of fade in at the start and out at the end")


class KineticText(_Model):
    """A short phrase set large, its words arriving one after another (kinetic typography).

    Word *i* rises out of its baseline and fades in over ``enter`` frames from frame
    ``start + i * stagger``; the phrase holds, then fades out over the ``exit`` frames before
    ``end``. Its lines (at most ``max_chars_per_line`` wide, counted as captions count: a
    full-width character is two) are centred between ``area.left`` and ``area.right``, the
    first line's top at ``area.top``. Words are joined by a space, or by nothing in a
    language written without spaces (``language``)."""

    kind: Literal["kinetic"] = "kinetic"
    words: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(
        min_length=1, max_length=8
    )
    start: Frames = 0
    end: Frames | None = Field(None, description="exclusive end frame; None = to the end")
    stagger: Frames = Field(6, description="frames from one word's entrance to the next's")
    enter: PositiveFrames = Field(9, description="frames a word takes to rise and fade in")
    exit: Frames = Field(9, description="frames of fade out before the end")
    area: Box = Box(top=330, left=65, right=180)
    size: int = Field(128, ge=8, le=400, description="font size (em) in px")
    max_chars_per_line: int = Field(12, ge=2, le=80)
    font: str = "Anton"
    colour: Colour = "#FFFFFF"
    accent_colour: Colour = "#FFE14D"
    accent: int | None = Field(None, ge=0, description="the word drawn in accent_colour")
    outline_colour: Colour = "#000000"
    outline: float = Field(8, ge=0, le=40)
    shadow: float = Field(4, ge=0, le=40)
    uppercase: bool = True
    language: str = Field("en", min_length=2, max_length=16)

    @model_validator(mode="after")
    def _accent_is_a_word(self) -> KineticText:
        if self.accent is not None and self.accent >= len(self.words):
            raise ValueError(f"accent {self.accent} is not a word of the phrase")
        return self


Overlay = Annotated[TextOverlay | ImageOverlay | KineticText, Field(discriminator="kind")]


# ---------------------------------------------------------------- captions


class Word(_Model):
    """One spoken word and when it is spoken. ``end`` is exclusive."""

    text: str = Field(min_length=1, max_length=200)
    start: Frames
    end: Frames
    sentence_end: bool = Field(False, description="the word ends a sentence or clause")

    @model_validator(mode="after")
    def _ordered(self) -> Word:
        if self.end <= self.start:
            raise ValueError(f"word {self.text!r} must end after it starts")
        return self


class CaptionStyle(_Model):
    """How captions look. Fields a spec leaves out take the preset's look
    (``spec/caption_styles.py``), then the defaults below (karaoke's)."""

    preset: CaptionPreset = "karaoke"
    font: str = "Anton"
    size: int = Field(92, ge=8, le=400, description="font size in px at output height")
    colour: Colour = "#FFFFFF"
    highlight_colour: Colour = "#FFE14D"
    outline_colour: Colour = "#000000"
    outline: float = Field(7, ge=0, le=40)
    shadow: float = Field(3, ge=0, le=40)
    uppercase: bool = True
    max_chars_per_line: int = Field(18, ge=4, le=80)
    max_lines: int = Field(2, ge=1, le=4)
    max_words: int = Field(6, ge=1, le=30, description="words shown at once, at most")
    emphasis_colour: Colour | None = Field(
        None, description="numbers and key words (styles with emphasis); null: the text colour"
    )
    box_colour: Colour | None = Field(
        None, description="the box behind the spoken word or the lines (boxed styles)"
    )

    @model_validator(mode="before")
    @classmethod
    def _preset_look(cls, data: object) -> object:
        if not isinstance(data, dict):
            return data
        preset = data.get("preset", "karaoke")
        if preset not in CAPTION_DESIGNS:
            return data  # the Literal reports it
        return {**CAPTION_DESIGNS[preset].look, **data}


class CaptionPosition(_Model):
    """Where captions sit: inside the safe zone ``safe``, at ``anchor`` within it."""

    safe: Box = Box(top=270, bottom=670, left=65, right=180)
    anchor: Anchor = "bottom"


class CaptionTrack(_Model):
    words: list[Word] = Field(default_factory=list)
    style: CaptionStyle = CaptionStyle()
    position: CaptionPosition = CaptionPosition()
    language: str = Field("en", min_length=2, max_length=16)

    @model_validator(mode="after")
    def _in_order(self) -> CaptionTrack:
        for before, after in zip(self.words, self.words[1:], strict=False):
            if after.start < before.start:
                raise ValueError("caption words must be in time order")
        return self


# ---------------------------------------------------------------- audio


class Ducking(_Model):
    """Side-chain compression of the music bed keyed by the voice."""

    enabled: bool = True
    threshold: float = Field(0.03, gt=0, le=1, description="linear level that triggers ducking")
    ratio: float = Field(8.0, ge=1, le=20)
    attack_ms: float = Field(20, ge=0.01, le=2000)
    release_ms: float = Field(400, ge=0.01, le=9000)


class VoiceTrack(_Model):
    path: str = Field(min_length=1)
    start: Frames = 0
    gain_db: float = Field(0.0, ge=-30, le=30)


class MusicBed(_Model):
    path: str = Field(min_length=1)
    gain_db: float = Field(-12.0, ge=-60, le=12)
    loop: bool = True
    fade_in: Frames = 15
    fade_out: Frames = 45
    ducking: Ducking = Ducking()


class SoundEffect(_Model):
    path: str = Field(min_length=1)
    at: Frames
    gain_db: float = Field(-6.0, ge=-60, le=12)


class AudioTracks(_Model):
    voice: VoiceTrack | None = None
    music: MusicBed | None = None
    effects: list[SoundEffect] = Field(default_factory=list)


# ---------------------------------------------------------------- metadata and the spec


class Metadata(_Model):
    title: str = Field("", max_length=300)
    description: str = Field("", max_length=5000)
    hashtags: list[str] = Field(default_factory=list)
    platform: str | None = None
    language: str = "en"


class RenderSpec(_Model):
    """One video. ``version`` changes whenever a change would alter an old spec's meaning."""

    version: Literal[1] = 1
    output: Output = Output()
    clips: list[Clip] = Field(min_length=1, description="the video track, laid end to end")
    overlays: list[Overlay] = Field(default_factory=list)
    captions: CaptionTrack | None = None
    audio: AudioTracks = AudioTracks()
    metadata: Metadata = Metadata()

    @property
    def timebase(self) -> Timebase:
        return self.output.timebase

    def overlaps(self) -> list[int]:
        return [clip.transition.frames for clip in self.clips[:-1]]

    @property
    def duration(self) -> int:
        """Length of the whole video in frames."""
        return sequence_length([c.duration for c in self.clips], self.overlaps())

    def clip_starts(self) -> list[int]:
        return clip_starts([c.duration for c in self.clips], self.overlaps())

    @model_validator(mode="after")
    def _consistent(self) -> RenderSpec:
        for index, clip in enumerate(self.clips[:-1]):
            following = self.clips[index + 1]
            frames = clip.transition.frames
            if frames >= clip.duration or frames >= following.duration:
                raise ValueError(
                    f"clip {index + 1}: a {frames}-frame transition must be shorter than "
                    "both clips it joins"
                )
        total = self.duration
        for overlay in self.overlays:
            end = overlay.end if overlay.end is not None else total
            if end <= overlay.start or overlay.start >= total:
                raise ValueError("an overlay must start before it ends and inside the video")
        if self.captions is not None:
            for word in self.captions.words:
                if word.start >= total:
                    raise ValueError(
                        f"caption word {word.text!r} starts at frame {word.start}, "
                        f"after the video ends ({total} frames)"
                    )
        for effect in self.audio.effects:
            if effect.at >= total:
                raise ValueError(f"sound effect at frame {effect.at} is after the video ends")
        return self

    def resolve_paths(self, base: Path) -> RenderSpec:
        """A copy with every relative media path made absolute against ``base``."""

        def fix(path: str) -> str:
            candidate = Path(path)
            return path if candidate.is_absolute() else str((base / candidate).resolve())

        data = self.model_dump()
        for clip in data["clips"]:
            if "path" in clip:
                clip["path"] = fix(clip["path"])
        for overlay in data["overlays"]:
            if "path" in overlay:
                overlay["path"] = fix(overlay["path"])
        audio = data["audio"]
        for key in ("voice", "music"):
            if audio.get(key):
                audio[key]["path"] = fix(audio[key]["path"])
        for effect in audio["effects"]:
            effect["path"] = fix(effect["path"])
        return RenderSpec.model_validate(data)


def json_schema() -> dict[str, object]:
    """The JSON Schema of the render spec (``vo spec schema``)."""
    schema = RenderSpec.model_json_schema()
    schema["$id"] = f"https://video-orchestrator.dev/schema/render-spec/v{SPEC_VERSION}.json"
    return schema
