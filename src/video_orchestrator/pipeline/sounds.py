"""Music beds and sound effects from a sound library, kept in the content-addressed cache.

A bed is chosen by mood (``spec.vocabulary.mood_for``: the user's choice, or the genre's for
``auto``), an effect by name. The file is made once per library version and reused by every
later video (ADR 0005: the key is the library's name and version and the sound's name, never
a path or a time).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from video_orchestrator.errors import NotFoundError
from video_orchestrator.pipeline.cache import ContentCache
from video_orchestrator.ports.music import Sound, SoundLibrary

SOUND_STEP = "sound-v1"
SOUND_FILE = "sound.wav"


@dataclass(frozen=True)
class SoundFile:
    """A sound of a library, made into a file."""

    sound: Sound
    path: Path


def find_bed(library: SoundLibrary, mood: str) -> Sound:
    for bed in library.beds():
        if bed.mood == mood:
            return bed
    known = ", ".join(sorted(bed.mood for bed in library.beds())) or "none"
    raise NotFoundError(f"the sound library {library.name!r} has no {mood} music (it has: {known})")


def find_effect(library: SoundLibrary, name: str) -> Sound:
    for effect in library.effects():
        if effect.name == name:
            return effect
    known = ", ".join(sorted(effect.name for effect in library.effects())) or "none"
    raise NotFoundError(
        f"the sound library {library.name!r} has no sound effect {name!r} (it has: {known})"
    )


def sound_file(library: SoundLibrary, sound: Sound, cache: ContentCache) -> SoundFile:
    """``sound`` as a WAV file in the cache, made by ``library`` the first time only."""
    parts = {"library": library.name, "version": library.version, "sound": sound.name}
    path = cache.get_or_create(
        SOUND_STEP,
        {**parts, "kind": sound.kind},
        make=lambda staging: library.write(sound, staging / SOUND_FILE),
        load=lambda entry: entry / SOUND_FILE,
    )
    return SoundFile(sound, path)


__all__ = ["SOUND_STEP", "SoundFile", "find_bed", "find_effect", "sound_file"]
