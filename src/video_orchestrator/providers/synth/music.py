"""Music beds composed from code: a chord progression per mood, played by soft pads, plucks
and a bass, with light drums for the moods that move, in a room of synthetic reverb.

Each bed is a whole number of bars that loops without a seam (notes and reverb tails that run
past the end wrap round to the start). Everything is deterministic: the same mood gives the
same samples on every run (the noise of drums and reverb comes from a seeded generator).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from video_orchestrator.providers.synth.dsp import (
    RATE,
    Signal,
    add_wrapped,
    envelope,
    high_passed,
    loop_loudness,
    master_eq,
    midi_hz,
    noise,
    pan,
    pluck,
    reverb,
    seconds,
    soft_limit,
    table_osc,
    wavetable,
)

#: Every bed is mastered to this loudness (LUFS, the whole loop); the mix sets its level.
BED_LUFS = -18.0
#: Sample peaks stay under this (dBFS) after mastering.
BED_CEILING_DB = -1.0


@dataclass(frozen=True)
class Chord:
    bass: int  # MIDI note of the bass
    notes: tuple[int, ...]  # MIDI notes of the pad, low to high


@dataclass(frozen=True)
class Score:
    """What a mood is: tempo, harmony, and which parts play.

    ``arpeggio`` lists, per eighth note of a bar, the index of the chord tone the pluck plays
    (None: a rest); ``bass_steps`` the eighths on which the bass plays; ``kick``, ``snare``
    and ``hat`` the eighths of those drums (empty: none).
    """

    mood: str
    bpm: float
    bars: int
    chords: tuple[Chord, ...]
    bars_per_chord: int
    pad_attack: float
    pad_level: float
    pluck_level: float
    arpeggio: tuple[int | None, ...]
    pluck_octave: int
    bass_steps: tuple[int, ...]
    bass_level: float
    kick: tuple[int, ...] = ()
    snare: tuple[int, ...] = ()
    hat: tuple[int, ...] = ()
    drums_from_bar: int = 0
    melody: tuple[int | None, ...] = ()  # one entry per quarter note, chord-tone indices
    melody_from_bar: int = 0
    timpani: bool = False
    rt60: float = 1.6
    wet: float = 0.3
    seed: int = 0

    @property
    def bar_seconds(self) -> float:
        return 4 * 60.0 / self.bpm

    @property
    def seconds(self) -> float:
        return self.bars * self.bar_seconds


SCORES: dict[str, Score] = {
    # D major, Dmaj9 – Bm9 – Gmaj7 – Asus, two bars each: slow pads, a sparse pluck, no drums.
    "calm": Score(
        mood="calm",
        bpm=72,
        bars=16,
        chords=(
            Chord(38, (62, 66, 69, 73, 76)),
            Chord(35, (59, 62, 66, 69, 73)),
            Chord(43, (59, 62, 66, 67, 71)),
            Chord(45, (57, 62, 64, 69, 71)),
        ),
        bars_per_chord=2,
        pad_attack=0.9,
        pad_level=0.55,
        pluck_level=0.35,
        arpeggio=(0, None, 2, None, 4, None, 2, None),
        pluck_octave=12,
        bass_steps=(0,),
        bass_level=0.5,
        melody=(4, None, 3, None, 2, None, None, None),
        melody_from_bar=8,
        rt60=2.4,
        wet=0.38,
        seed=11,
    ),
    # C major, C – G – Am – F, a bar each: bright plucks in eighths, four-on-the-floor kick,
    # a clap on two and four, off-beat hats.
    "upbeat": Score(
        mood="upbeat",
        bpm=120,
        bars=16,
        chords=(
            Chord(36, (60, 64, 67, 72)),
            Chord(43, (59, 62, 67, 71)),
            Chord(45, (60, 64, 69, 72)),
            Chord(41, (60, 65, 69, 72)),
        ),
        bars_per_chord=1,
        pad_attack=0.15,
        pad_level=0.3,
        pluck_level=0.5,
        arpeggio=(0, 2, 1, 3, 0, 2, 3, 1),
        pluck_octave=12,
        bass_steps=(0, 1, 3, 4, 6, 7),
        bass_level=0.55,
        kick=(0, 2, 4, 6),
        snare=(2, 6),
        hat=(1, 3, 5, 7),
        drums_from_bar=0,
        melody=(3, None, 2, 3, None, 1, 2, None),
        melody_from_bar=8,
        rt60=1.1,
        wet=0.22,
        seed=23,
    ),
    # D minor, Dm – B♭ – Gm – A, two bars each: low strings, an ostinato, timpani.
    "dramatic": Score(
        mood="dramatic",
        bpm=80,
        bars=16,
        chords=(
            Chord(38, (50, 57, 62, 65, 69)),
            Chord(34, (50, 58, 62, 65, 70)),
            Chord(43, (50, 55, 62, 67, 70)),
            Chord(45, (52, 57, 61, 64, 69)),
        ),
        bars_per_chord=2,
        pad_attack=0.6,
        pad_level=0.6,
        pluck_level=0.42,
        arpeggio=(0, 0, 2, 0, 0, 0, 2, 1),
        pluck_octave=0,
        bass_steps=(0, 3, 4),
        bass_level=0.6,
        kick=(0,),
        snare=(),
        hat=(),
        melody=(4, None, None, 3, 2, None, None, None),
        melody_from_bar=8,
        timpani=True,
        rt60=2.0,
        wet=0.33,
        seed=37,
    ),
    # G major, G – D – Em – C, a bar each: piano-like eighths, a kick on one and three, a
    # clap on four, a bell melody in the second half.
    "inspiring": Score(
        mood="inspiring",
        bpm=96,
        bars=16,
        chords=(
            Chord(43, (59, 62, 67, 71)),
            Chord(38, (57, 62, 66, 69)),
            Chord(40, (55, 59, 64, 67)),
            Chord(36, (55, 60, 64, 67)),
        ),
        bars_per_chord=1,
        pad_attack=0.4,
        pad_level=0.45,
        pluck_level=0.5,
        arpeggio=(0, 1, 2, 3, 2, 1, 2, 3),
        pluck_octave=0,
        bass_steps=(0, 3, 4),
        bass_level=0.55,
        kick=(0, 4),
        snare=(6,),
        hat=(0, 2, 4, 6),
        drums_from_bar=4,
        melody=(3, None, 2, None, 3, 2, 1, None),
        melody_from_bar=8,
        rt60=1.8,
        wet=0.3,
        seed=41,
    ),
}

_PAD = wavetable([1.0, 0.45, 0.28, 0.16, 0.1, 0.06, 0.035])
_STRINGS = wavetable([1.0, 0.55, 0.38, 0.27, 0.2, 0.15, 0.11, 0.08, 0.06, 0.04])
_BASS = wavetable([1.0, 0.35, 0.12, 0.05])


def _pad(chord: Chord, n: int, score: Score) -> Signal:
    table = _STRINGS if score.mood == "dramatic" else _PAD
    out = np.zeros((n, 2))
    env = envelope(n, score.pad_attack, min(1.2, n / RATE / 2))
    lfo = 1.0 + 0.08 * np.sin(2 * np.pi * 0.23 * np.arange(n) / RATE)
    for index, note in enumerate(chord.notes):
        for cents, position in ((-6.0, -0.6), (6.0, 0.6)):
            voice = table_osc(table, midi_hz(note + cents / 100), n, phase0=index * 517.0)
            out += pan(voice * env * lfo, position * (1 if index % 2 else -1) * 0.8)
    return out / (2 * len(chord.notes))


def _kick(rng: np.random.Generator) -> Signal:
    n = seconds(0.45)
    t = np.arange(n) / RATE
    freq = 48 + 80 * np.exp(-t / 0.035)
    body = np.sin(2 * np.pi * np.cumsum(freq) / RATE) * np.exp(-t / 0.16)
    click = noise(rng, n) * np.exp(-t / 0.003) * 0.15
    return (body + click) * envelope(n, 0.001, 0.02)


def _snare(rng: np.random.Generator) -> Signal:
    n = seconds(0.3)
    t = np.arange(n) / RATE
    hiss = high_passed(noise(rng, n)) * 0.35
    clap = np.zeros(n)
    for offset in (0.0, 0.011, 0.023):  # three hands: a clap
        start = seconds(offset)
        tt = t[: n - start]
        clap[start:] += hiss[: n - start] * np.exp(-tt / (0.012 if offset < 0.02 else 0.08))
    body = np.sin(2 * np.pi * 185 * t) * np.exp(-t / 0.04) * 0.3
    return (clap + body) * envelope(n, 0.001, 0.03)


def _hat(rng: np.random.Generator) -> Signal:
    n = seconds(0.08)
    t = np.arange(n) / RATE
    return high_passed(noise(rng, n), 2) * 0.12 * np.exp(-t / 0.018) * envelope(n, 0.0005, 0.01)


def _timpani(rng: np.random.Generator) -> Signal:
    n = seconds(1.6)
    t = np.arange(n) / RATE
    freq = 62 + 18 * np.exp(-t / 0.06)
    body = np.sin(2 * np.pi * np.cumsum(freq) / RATE) * np.exp(-t / 0.5)
    skin = np.convolve(noise(rng, n), np.ones(24) / 24, mode="same") * np.exp(-t / 0.05) * 0.6
    return (body + skin) * envelope(n, 0.002, 0.2)


def compose(mood: str) -> Signal:
    """The bed of ``mood`` as a stereo float loop, mastered to ``BED_LUFS``."""
    score = SCORES[mood]
    rng = np.random.default_rng(score.seed)
    length = seconds(score.seconds)
    eighth = score.bar_seconds / 8
    dry = np.zeros((length, 2))  # to the reverb as well
    drums = np.zeros((length, 2))  # mostly dry
    kick, snare, hat = _kick(rng), _snare(rng), _hat(rng)
    timpani = _timpani(rng)
    for bar in range(score.bars):
        chord = score.chords[(bar // score.bars_per_chord) % len(score.chords)]
        bar_start = bar * score.bar_seconds
        if bar % score.bars_per_chord == 0:  # the pad holds the chord, overlapping the next
            n = seconds(score.bar_seconds * score.bars_per_chord + 1.0)
            add_wrapped(dry, seconds(bar_start), _pad(chord, n, score) * score.pad_level)
        for step, tone in enumerate(score.arpeggio):
            if tone is None:
                continue
            note = chord.notes[tone % len(chord.notes)] + score.pluck_octave
            n = seconds(eighth * 4 if score.mood == "calm" else eighth * 2.5)
            position = 0.35 * np.sin(2 * np.pi * (bar * 8 + step) / 13)
            add_wrapped(
                dry,
                seconds(bar_start + step * eighth),
                pan(pluck(midi_hz(note), n) * score.pluck_level * 0.5, float(position)),
            )
        for step in score.bass_steps:
            steps = sorted(score.bass_steps)
            following = [s for s in steps if s > step]
            length_eighths = (following[0] if following else 8) - step
            n = seconds(eighth * length_eighths * 0.95)
            octave = 12 if score.mood == "upbeat" and step % 2 == 1 else 0
            low = table_osc(_BASS, midi_hz(chord.bass + octave), n)
            env = envelope(n, 0.008, min(0.06, n / RATE / 2), decay=1.2)
            bass = pan(low * env, 0.0) * 0.5 * score.bass_level
            add_wrapped(dry, seconds(bar_start + step * eighth), bass)
        if score.melody and bar >= score.melody_from_bar:
            quarter = score.bar_seconds / 4
            for beat, tone in enumerate(score.melody[bar % 2 * 4 : bar % 2 * 4 + 4]):
                if tone is None:
                    continue
                note = chord.notes[tone % len(chord.notes)] + 12
                n = seconds(quarter * 2)
                bell = pluck(midi_hz(note), n, harmonics=4, brightness=2.0)
                add_wrapped(dry, seconds(bar_start + beat * quarter), pan(bell * 0.22, 0.25))
        if bar >= score.drums_from_bar:
            for step in score.kick:
                add_wrapped(drums, seconds(bar_start + step * eighth), pan(kick * 0.55, 0.0))
            for step in score.snare:
                add_wrapped(drums, seconds(bar_start + step * eighth), pan(snare * 0.5, 0.05))
            for step in score.hat:
                position = -0.3 if step % 4 else 0.3
                add_wrapped(drums, seconds(bar_start + step * eighth), pan(hat * 0.9, position))
        if score.timpani and bar % 2 == 0:
            add_wrapped(drums, seconds(bar_start), pan(timpani * 0.55, -0.1))
            add_wrapped(drums, seconds(bar_start + 3 * eighth), pan(timpani * 0.3, 0.1))
    mix = dry + drums
    room = reverb(dry + 0.3 * drums, rng, rt60=score.rt60)
    mix = mix * (1 - score.wet) + room * score.wet
    mix = master_eq(mix)
    mix *= 10 ** ((BED_LUFS - loop_loudness(mix)) / 20)
    return soft_limit(mix, 10 ** (BED_CEILING_DB / 20))


__all__ = ["BED_CEILING_DB", "BED_LUFS", "SCORES", "compose"]
