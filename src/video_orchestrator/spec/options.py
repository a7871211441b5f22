"""The options model: everything a user can set about a video, in one pydantic family.

A project stores these sections as they are (``voice``, ``background``, ``audio``,
``captions``, ``export``: their class and field names are the stored JSON's and the API's
schema names, so they keep the ``*Settings`` names clients know), a render
request carries a :class:`VideoOptions`, and ``pipeline.build_spec`` turns it into a render
spec. Choices and limits come from ``vocabulary``; a new setting is a field here, a line in
the spec builder and a UI control (see docs/adr/0010-one-options-model.md).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from video_orchestrator.spec.model import CaptionStyle
from video_orchestrator.spec.vocabulary import (
    CAPTION_MAX_WORDS,
    CAPTION_SIZE,
    DUCKING_STRENGTH,
    LANGUAGE_PATTERN,
    LOUDNESS_LUFS,
    MUSIC_GAIN_DB,
    RGB_PATTERN,
    SFX_GAIN_DB,
    SPEED,
    BackgroundLook,
    CaptionAnchor,
    CaptionPreset,
    MusicChoice,
    Quality,
    SoundEffectName,
    TransitionKind,
)

Rgb = Annotated[str, Field(pattern=RGB_PATTERN, description="#RRGGBB")]


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VoiceSettings(_Options):
    voice: str | None = Field(None, max_length=200, description="a voice id from /voices")
    speed: float = Field(1.0, ge=SPEED.low, le=SPEED.high)


class BackgroundSettings(_Options):
    assets: list[str | None] = Field(
        default_factory=list,
        max_length=50,
        description=(
            "one entry per scene, in scene order: entry i is the video or image asset id that "
            "scene i shows, exactly (no matching by name, never reused for another scene); "
            "null, or no entry (a list shorter than the script), gives that scene a generated "
            "moving background, or stock footage when the server has stock providers set; "
            "entries past the last scene are not used; empty: every scene is generated (or stock)"
        ),
    )
    ken_burns: bool = Field(True, description="slow zoom and pan over still images")
    look: BackgroundLook = Field(
        "illustration",
        description=(
            "what a generated scene (no footage) shows over its colours: illustration, a "
            "large colour emoji (OpenMoji, CC BY-SA 4.0) when the scene's words name one; "
            "typography, the scene's key phrase set large and animated word by word above "
            "the captions; both, the phrase above a smaller picture; plain, the colours only"
        ),
    )
    transition: TransitionKind = Field("fade", description="how one scene hands over to the next")
    illustrations: bool = Field(
        True,
        description=(
            "follows `look` (true for illustration and both), kept for clients and settings "
            "from before `look`: false sent without a `look` is look plain"
        ),
    )

    @model_validator(mode="before")
    @classmethod
    def _illustrations_switch(cls, data: Any) -> Any:
        """Settings stored before ``look`` had only ``illustrations: bool``: false is
        ``plain`` (a ``look`` given beside it wins)."""
        if isinstance(data, dict) and data.get("illustrations") is False and "look" not in data:
            data = {**data, "look": "plain"}
        return data

    @model_validator(mode="after")
    def _illustrations_follow_look(self) -> BackgroundSettings:
        self.illustrations = self.look in ("illustration", "both")
        return self

    @property
    def typography(self) -> bool:
        """Whether generated scenes get their key phrase as kinetic typography."""
        return self.look in ("typography", "both")


class AudioSettings(_Options):
    music_asset: str | None = Field(
        None, description="an audio asset id for the music bed (wins over `music`)"
    )
    music: MusicChoice = Field(
        "auto",
        description=(
            "the music bed the project makes itself when no music asset is chosen: auto picks "
            "the mood from the genre, none is no music (made from code, CC0)"
        ),
    )
    music_gain_db: float = Field(-8.0, ge=MUSIC_GAIN_DB.low, le=MUSIC_GAIN_DB.high)
    ducking: bool = True
    ducking_strength: float = Field(
        8.0,
        ge=DUCKING_STRENGTH.low,
        le=DUCKING_STRENGTH.high,
        description="how hard the voice pushes the music down (1: not at all)",
    )
    loudness_lufs: float | None = Field(
        None,
        ge=LOUDNESS_LUFS.low,
        le=LOUDNESS_LUFS.high,
        description="integrated loudness in LUFS; null: the platform's target",
    )
    sfx_asset: str | None = Field(
        None, description="an audio asset id played as each scene after the first begins"
    )
    sfx: SoundEffectName | None = Field(
        None,
        description=(
            "a sound effect the project makes itself, played at each scene change when no "
            "sfx asset is chosen; null: none"
        ),
    )
    sfx_gain_db: float = Field(-8.0, ge=SFX_GAIN_DB.low, le=SFX_GAIN_DB.high)


class CaptionLook(_Options):
    """How captions look, whichever the style (a caption preview's query takes these)."""

    size: int | None = Field(
        None,
        ge=CAPTION_SIZE.low,
        le=CAPTION_SIZE.high,
        description="font size in px at output height; null: the style's default",
    )
    colour: Rgb = "#FFFFFF"
    highlight_colour: Rgb = Field("#FFE14D", description="the spoken word (karaoke)")
    anchor: CaptionAnchor = Field(
        "bottom", description="where captions sit inside the platform's safe zone"
    )
    max_words: int | None = Field(
        None,
        ge=CAPTION_MAX_WORDS.low,
        le=CAPTION_MAX_WORDS.high,
        description="words shown at once (pop: always one); null: the style's default",
    )


class CaptionSettings(CaptionLook):
    style: CaptionPreset = "karaoke"


class ExportSettings(_Options):
    trim: bool = Field(False, description="drop scenes from the end to fit the platform limit")
    quality: Quality = Field(
        "standard", description="draft: quick to render, larger artefacts; high: slower, sharper"
    )


class VideoOptions(_Options):
    """One video's settings: a project's sections plus the platform and language of a run."""

    platform: str = Field("tiktok", description="a platform preset name (see /platforms)")
    language: str = Field("en", pattern=LANGUAGE_PATTERN)
    voice: VoiceSettings = Field(default_factory=VoiceSettings)
    background: BackgroundSettings = Field(default_factory=BackgroundSettings)
    audio: AudioSettings = Field(default_factory=AudioSettings)
    captions: CaptionSettings = Field(default_factory=CaptionSettings)
    export: ExportSettings = Field(default_factory=ExportSettings)


def caption_style(captions: CaptionSettings) -> CaptionStyle:
    """The spec's caption style for ``captions``; ``None`` (or a colour left at its default)
    keeps the style's own. A larger
    ``size`` allows proportionally fewer characters per line, so lines are never wider than at
    the default size (libass does not re-wrap captions)."""
    base = CaptionStyle(preset=captions.style)
    fields: dict[str, object] = base.model_dump()
    # A colour left at the settings' default keeps the style's own (highlight's white word on
    # its box, bounce's green); one the user picked wins.
    for name in ("colour", "highlight_colour"):
        chosen = getattr(captions, name)
        if chosen != CaptionLook.model_fields[name].default:
            fields[name] = chosen
    if captions.size is not None:
        fields["size"] = captions.size
        chars = base.max_chars_per_line * base.size // max(captions.size, 1)
        fields["max_chars_per_line"] = max(4, min(base.max_chars_per_line, chars))
    if captions.max_words is not None:
        fields["max_words"] = captions.max_words
    return CaptionStyle.model_validate(fields)
