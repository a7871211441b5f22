"""The music beds and sound effects the project makes from code (providers/synth): the same
bytes every time, the length, channels, rate and level each should have, a loop without a
seam, moods that differ in tempo and brightness, effects that sound like their names; the
genre mapping and the cache."""

from __future__ import annotations

import itertools
import math
import wave
from pathlib import Path

import numpy as np
import pytest

from video_orchestrator.domain.script import GENRES
from video_orchestrator.pipeline.cache import ContentCache
from video_orchestrator.pipeline.sounds import find_bed, find_effect, sound_file
from video_orchestrator.ports.music import Sound, SoundLibrary
from video_orchestrator.providers.synth.dsp import RATE, loop_loudness
from video_orchestrator.providers.synth.effects import EFFECT_PEAK_DB
from video_orchestrator.providers.synth.library import SynthSounds
from video_orchestrator.providers.synth.music import BED_CEILING_DB, BED_LUFS, SCORES
from video_orchestrator.spec.vocabulary import (
    GENRE_MOODS,
    MUSIC_MOODS,
    SOUND_EFFECTS,
    mood_for,
)

LIBRARY = SynthSounds()


def _read(path: Path) -> tuple[np.ndarray, int, int]:
    with wave.open(str(path)) as handle:
        rate, channels = handle.getframerate(), handle.getnchannels()
        data = np.frombuffer(handle.readframes(handle.getnframes()), "<i2")
    return data.reshape(-1, channels) / 32768.0, rate, channels


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("sounds")
    return {s.name: LIBRARY.write(s, folder / f"{s.name}.wav") for s in _all()}


def _all() -> list[Sound]:
    return LIBRARY.beds() + LIBRARY.effects()


def test_the_library_offers_every_mood_and_effect_with_its_licence() -> None:
    assert isinstance(LIBRARY, SoundLibrary)
    assert sorted(b.mood for b in LIBRARY.beds()) == sorted(MUSIC_MOODS)
    assert sorted(e.name for e in LIBRARY.effects()) == sorted(SOUND_EFFECTS)
    for sound in _all():
        assert sound.licence.startswith("CC0")
        assert "CC0" in str(sound.credit()["attribution"])


def test_synthesis_is_deterministic(made: dict[str, Path], tmp_path: Path) -> None:
    for name in ("upbeat", "whoosh", "riser"):
        sound = next(s for s in _all() if s.name == name)
        again = LIBRARY.write(sound, tmp_path / f"{name}.wav")
        assert again.read_bytes() == made[name].read_bytes(), name


@pytest.mark.parametrize("mood", MUSIC_MOODS)
def test_each_bed_has_its_length_format_and_level(made: dict[str, Path], mood: str) -> None:
    samples, rate, channels = _read(made[mood])
    assert (rate, channels) == (RATE, 2)
    score = SCORES[mood]
    assert samples.shape[0] == round(score.seconds * RATE)
    assert score.seconds >= 30  # a few repeats fill three minutes; no short obvious loop
    assert abs(loop_loudness(samples) - BED_LUFS) < 0.3
    assert 20 * math.log10(np.max(np.abs(samples))) <= BED_CEILING_DB + 0.01
    # both channels carry sound and differ (stereo, not two copies)
    assert np.std(samples[:, 0] - samples[:, 1]) > 0.01 * np.std(samples[:, 0])


@pytest.mark.parametrize("mood", MUSIC_MOODS)
def test_each_bed_loops_without_a_seam(made: dict[str, Path], mood: str) -> None:
    samples, _, _ = _read(made[mood])
    mono = samples.mean(axis=1)
    steps = np.abs(np.diff(mono))
    seam = abs(mono[0] - mono[-1])
    assert seam <= np.percentile(steps, 99.9), "a click where the loop starts again"
    # no fade to silence at either end either: the loop is as loud there as on average
    edge = int(0.25 * RATE)
    rms = float(np.sqrt(np.mean(mono**2)))
    for part in (mono[:edge], mono[-edge:]):
        assert float(np.sqrt(np.mean(part**2))) > 0.3 * rms


def _tempo(mono: np.ndarray) -> float:
    """Beats per minute from the onset envelope's autocorrelation (beat 0.3–1.0 s)."""
    hop = 480
    frames = len(mono) // hop
    energy = np.array([np.sum(np.diff(mono[i * hop : (i + 1) * hop]) ** 2) for i in range(frames)])
    onsets = np.maximum(np.diff(np.log(energy + 1e-9)), 0)
    onsets -= onsets.mean()
    corr = np.correlate(onsets, onsets, "full")[len(onsets) - 1 :]
    lags = np.arange(len(corr)) * hop / RATE
    window = (lags > 0.3) & (lags < 1.0)
    return float(60 / lags[window][np.argmax(corr[window])])


def _centroid(mono: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(mono))
    freqs = np.fft.rfftfreq(len(mono), 1 / RATE)
    return float(np.sum(spectrum * freqs) / np.sum(spectrum))


def test_moods_differ_in_tempo_and_brightness(made: dict[str, Path]) -> None:
    tempi, centroids = {}, {}
    for mood in MUSIC_MOODS:
        mono = _read(made[mood])[0].mean(axis=1)
        tempi[mood], centroids[mood] = _tempo(mono), _centroid(mono)
        assert abs(tempi[mood] - SCORES[mood].bpm) < 3, (mood, tempi[mood])
    assert len({round(t) for t in tempi.values()}) == len(MUSIC_MOODS)
    ordered = sorted(centroids.values())
    assert all(b > 1.2 * a for a, b in itertools.pairwise(ordered)), centroids
    assert tempi["upbeat"] > tempi["calm"] + 30
    assert centroids["dramatic"] < centroids["upbeat"]


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x**2)))


def test_effects_sound_like_their_names(made: dict[str, Path]) -> None:
    info = {e.name: e for e in LIBRARY.effects()}
    for name in SOUND_EFFECTS:
        samples, rate, channels = _read(made[name])
        assert (rate, channels) == (RATE, 2)
        assert samples.shape[0] == round(info[name].seconds * RATE)
        peak = 20 * math.log10(np.max(np.abs(samples)))
        assert abs(peak - EFFECT_PEAK_DB) < 0.5, (name, peak)
    # click and pop are short; the riser long
    assert info["click"].seconds < 0.1 and info["pop"].seconds < 0.25
    assert info["riser"].seconds >= 1.5
    # a whoosh is loudest around its onset, quiet at both ends, and passes left to right
    whoosh = _read(made["whoosh"])[0]
    mono = whoosh.mean(axis=1)
    at = int(info["whoosh"].onset * RATE)
    middle = _rms(mono[at - 2400 : at + 2400])
    assert middle > 4 * _rms(mono[:4800]) and middle > 4 * _rms(mono[-4800:])
    assert _rms(whoosh[:at, 0]) > _rms(whoosh[:at, 1])
    assert _rms(whoosh[at:, 1]) > _rms(whoosh[at:, 0])
    # a riser grows louder and brighter to its end (its onset)
    riser = _read(made["riser"])[0].mean(axis=1)
    quarter = len(riser) // 4
    assert _rms(riser[-quarter:]) > 4 * _rms(riser[:quarter])
    assert _centroid(riser[-quarter:]) > 2 * _centroid(riser[:quarter])
    assert info["riser"].onset == pytest.approx(info["riser"].seconds)


def test_every_genre_has_a_mood_and_the_choice_wins() -> None:
    for genre in GENRES:
        assert GENRE_MOODS[genre] in MUSIC_MOODS
        assert mood_for("auto", genre) == GENRE_MOODS[genre]
    assert mood_for("auto", "custom") in MUSIC_MOODS
    assert mood_for("none", "facts") is None
    assert mood_for("dramatic", "how-to") == "dramatic"
    assert len(set(GENRE_MOODS.values())) >= 3  # genres do not all sound alike


class CountingLibrary(SynthSounds):
    def __init__(self) -> None:
        self.writes = 0

    def write(self, sound: Sound, out_path: Path) -> Path:
        self.writes += 1
        return super().write(sound, out_path)


def test_sounds_are_made_once_then_come_from_the_cache(tmp_path: Path) -> None:
    library = CountingLibrary()
    cache = ContentCache(tmp_path / "steps")
    first = sound_file(library, find_effect(library, "pop"), cache)
    second = sound_file(library, find_effect(library, "pop"), cache)
    assert library.writes == 1 and first.path == second.path and first.path.is_file()
    other = sound_file(library, find_effect(library, "click"), cache)
    assert other.path != first.path and library.writes == 2
    with pytest.raises(Exception, match="no sound effect 'boing'"):
        find_effect(library, "boing")
    assert find_bed(library, "calm").loops
