"""The words and limits of every user-settable video setting, each declared once.

One ``Literal`` per vocabulary and one :class:`Limits` per number a user can set. The render
spec (``model.py``), the options model (``options.py``) and everything above them (services,
API schemas, CLI help, UI controls) import these names; none spells the choices or the bounds
again. Pure data: no I/O, no imports from the rest of the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

#: How captions are drawn (each style's look and description: ``spec/caption_styles.py``).
CaptionPreset = Literal[
    "karaoke",
    "pop",
    "clean",
    "bounce",
    "highlight",
    "emphasis",
    "punch",
    "subtitles",
    "boxed",
    "outline",
    "neon",
    "shadow",
    "kinetic",
    "gradient",
]
#: Where captions sit inside the platform's safe zone, in the user's words.
CaptionAnchor = Literal["top", "middle", "bottom"]
#: Where a box of text sits, in the spec's words (``CaptionAnchor`` "middle" is "center").
Anchor = Literal["top", "center", "bottom"]
#: How one scene hands over to the next (FFmpeg xfade names; a cut has no overlap).
TransitionKind = Literal[
    "cut", "fade", "slideleft", "slideup", "wipeleft", "circleopen", "dissolve"
]
#: The encoder's trade of speed for sharpness (see ``QUALITY``).
Quality = Literal["draft", "standard", "high"]
#: The x264 presets a spec may name.
EncoderPreset = Literal[
    "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower"
]

#: The character of a music bed the project makes itself (``providers/synth``).
MusicMood = Literal["calm", "upbeat", "dramatic", "inspiring"]
#: Which made music bed a video gets when the user gave no music of their own: ``auto`` picks
#: the mood from the genre (``GENRE_MOODS``), ``none`` is no music at all.
MusicChoice = Literal["auto", "none", "calm", "upbeat", "dramatic", "inspiring"]
#: A sound effect the project makes itself, played at each scene change when chosen.
SoundEffectName = Literal["whoosh", "pop", "riser", "click"]
#: What a generated scene (no footage) shows over its moving colours: the large emoji
#: ``illustration``, its key phrase set as animated ``typography``, ``both`` (the phrase
#: above a smaller picture) or ``plain`` colours (ADR 0023, ADR 0050).
BackgroundLook = Literal["illustration", "typography", "both", "plain"]

CAPTION_PRESETS: tuple[CaptionPreset, ...] = get_args(CaptionPreset)
MUSIC_MOODS: tuple[MusicMood, ...] = get_args(MusicMood)
MUSIC_CHOICES: tuple[MusicChoice, ...] = get_args(MusicChoice)
SOUND_EFFECTS: tuple[SoundEffectName, ...] = get_args(SoundEffectName)
BACKGROUND_LOOKS: tuple[BackgroundLook, ...] = get_args(BackgroundLook)
CAPTION_ANCHORS: tuple[CaptionAnchor, ...] = get_args(CaptionAnchor)
TRANSITIONS: tuple[TransitionKind, ...] = get_args(TransitionKind)
QUALITIES: tuple[Quality, ...] = get_args(Quality)

#: The spec's anchor for each of the user's caption anchors.
SPEC_ANCHORS: dict[CaptionAnchor, Anchor] = {"top": "top", "middle": "center", "bottom": "bottom"}

#: x264 preset and CRF of each quality; "standard" is the spec's own default (``Output()``).
QUALITY: dict[Quality, tuple[EncoderPreset, int]] = {
    # superfast, not ultrafast: ultrafast turns off the 8x8 transform and CABAC, and the
    # stream would no longer be H.264 High, which the platforms' checks expect.
    "draft": ("superfast", 28),
    "standard": ("veryfast", 21),
    "high": ("slow", 18),
}

#: The mood of the music bed ``auto`` picks for each genre of script (data: a genre not listed
#: gets ``DEFAULT_MOOD``).
GENRE_MOODS: dict[str, MusicMood] = {
    "facts": "upbeat",
    "listicle": "upbeat",
    "story": "dramatic",
    "motivational": "inspiring",
    "how-to": "calm",
}
DEFAULT_MOOD: MusicMood = "calm"


def mood_for(choice: MusicChoice, genre: str) -> MusicMood | None:
    """The mood of the bed a video gets: the chosen one, the genre's for ``auto``, or None."""
    if choice == "none":
        return None
    if choice == "auto":
        return GENRE_MOODS.get(genre, DEFAULT_MOOD)
    return choice


#: A language tag: ``en``, ``pt-BR``, ``zh_Hant``.
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$"
#: ``#RRGGBB``: a colour a user picks (the spec also takes ``#RRGGBBAA``).
RGB_PATTERN = r"^#[0-9A-Fa-f]{6}$"


@dataclass(frozen=True)
class Limits:
    """The inclusive range a user may set a number to, and the step a control moves by."""

    low: float
    high: float
    step: float = 1

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int | float) and self.low <= value <= self.high


SPEED = Limits(0.5, 2.0, 0.05)
CAPTION_SIZE = Limits(40, 200, 2)  # font px at output height
CAPTION_MAX_WORDS = Limits(1, 12)
MUSIC_GAIN_DB = Limits(-40, 0)
DUCKING_STRENGTH = Limits(1, 20)  # the compressor's ratio; 1: no ducking
LOUDNESS_LUFS = Limits(-30, -8)
SFX_GAIN_DB = Limits(-40, 6)
TARGET_SECONDS = Limits(5, 600)


def choice_text(choices: tuple[str, ...]) -> str:
    """``a, b or c``: a vocabulary in a help text."""
    return f"{', '.join(choices[:-1])} or {choices[-1]}" if len(choices) > 1 else choices[0]
