"""Sound library port: music beds by mood and sound effects by name, written to a WAV file.

The built-in adapter (``providers/synth``) composes every sound from code, so the offline
default has music; other sources (a licensed catalogue, a generative service) can register
under the entry-point group ``ports.SOUND_ENTRY_POINTS`` and subclass
``ports.provider.Provider`` like any other adapter. A use case lists what a library offers
(:class:`Sound` values carry their mood, length, licence and credit) and asks for one sound as
a file; ``pipeline/sounds.py`` keeps the files in the content-addressed cache, keyed by the
library's ``name``, its ``version`` and the sound's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from video_orchestrator.ports.provider import ProviderKind

SoundKind = Literal["bed", "effect"]


@dataclass(frozen=True, slots=True)
class Sound:
    """One sound a library offers.

    ``mood`` is a bed's character (``spec.vocabulary.MusicMood``; empty for an effect).
    ``seconds`` is the file's length; a bed with ``loops`` ends where it begins, so it repeats
    without a seam. ``onset`` is the moment, in seconds from the start, that marks the event
    (a riser's end, a whoosh's loudest point): a scene-change effect is placed so that this
    moment falls on the change.
    """

    provider: str
    name: str
    kind: SoundKind
    seconds: float
    mood: str = ""
    loops: bool = False
    onset: float = 0.0
    licence: str = ""
    licence_url: str = ""
    author: str = ""

    def credit(self) -> dict[str, object]:
        """Everything a credit needs, as plain JSON-ready data (for the metadata file)."""
        what = "Music" if self.kind == "bed" else "Sound"
        by = self.author or self.provider
        return {
            "provider": self.provider,
            "id": self.name,
            "kind": "music" if self.kind == "bed" else "sound effect",
            "author": self.author,
            "licence": self.licence,
            "licence_url": self.licence_url,
            "attribution": f"{what} “{self.name}” by {by} ({self.licence or 'licence unknown'})",
        }


@runtime_checkable
class SoundLibrary(Protocol):
    """Music beds and sound effects: list them, write one to a WAV file.

    ``version`` changes whenever the same name would give different audio (a cache key part).
    ``write`` writes ``out_path`` atomically (a temporary file, then a rename) and raises
    ``NotFoundError`` for a name the library does not have.
    """

    name: str
    kind: ProviderKind
    configured: bool
    version: str

    def beds(self) -> list[Sound]: ...

    def effects(self) -> list[Sound]: ...

    def write(self, sound: Sound, out_path: Path) -> Path: ...
