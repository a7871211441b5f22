"""The project's own sound library: music beds and effects synthesised from code.

Made by this project, dedicated to the public domain (CC0 1.0): no samples from elsewhere.
"""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Self

from video_orchestrator import atomic
from video_orchestrator.errors import NotFoundError
from video_orchestrator.ports.music import Sound
from video_orchestrator.ports.provider import Provider, ProviderKind, ProviderSettings
from video_orchestrator.providers.synth.dsp import RATE, Signal, to_pcm16
from video_orchestrator.providers.synth.effects import EFFECTS, make_effect
from video_orchestrator.providers.synth.music import SCORES, compose

LICENCE = "CC0 1.0 (made by Video Orchestrator from code)"
LICENCE_URL = "https://creativecommons.org/publicdomain/zero/1.0/"
AUTHOR = "Video Orchestrator (synthesised)"


class SynthSettings(ProviderSettings):
    required = "nothing: it is built in"


class SynthSounds(Provider[SynthSettings]):
    """Music beds (calm, upbeat, dramatic, inspiring) and effects (whoosh, pop, riser,
    click), composed and synthesised deterministically with numpy; WAV, 48 kHz stereo."""

    name = "synth"
    kind: ProviderKind = "local"
    settings_model = SynthSettings
    #: Bump when any sound changes: it is part of the cache key of the files made.
    version = "synth-v1"

    @classmethod
    def from_settings(cls, settings: SynthSettings) -> Self | None:
        return cls()

    def _sound(self, name: str, **fields: object) -> Sound:
        return Sound(
            provider=self.name,
            name=name,
            licence=LICENCE,
            licence_url=LICENCE_URL,
            author=AUTHOR,
            **fields,  # type: ignore[arg-type]
        )

    def beds(self) -> list[Sound]:
        return [
            self._sound(mood, kind="bed", mood=mood, seconds=score.seconds, loops=True)
            for mood, score in SCORES.items()
        ]

    def effects(self) -> list[Sound]:
        return [
            self._sound(name, kind="effect", seconds=info.seconds, onset=info.onset)
            for name, info in EFFECTS.items()
        ]

    def render(self, sound: Sound) -> Signal:
        """The samples of ``sound`` (stereo float, 48 kHz)."""
        if sound.kind == "bed" and sound.name in SCORES:
            return compose(sound.name)
        if sound.kind == "effect" and sound.name in EFFECTS:
            return make_effect(sound.name)
        raise NotFoundError(f"the sound library {self.name!r} has no {sound.kind} {sound.name!r}")

    def write(self, sound: Sound, out_path: Path) -> Path:
        pcm = to_pcm16(self.render(sound))

        with (
            atomic.replacing(out_path, suffix=".wav", mode=0o644) as temporary,
            wave.open(str(temporary), "wb") as handle,
        ):
            handle.setnchannels(2)
            handle.setsampwidth(2)
            handle.setframerate(RATE)
            handle.writeframes(pcm)
        return out_path
