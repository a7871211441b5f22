"""Sound effects made from code: a whoosh, a pop, a riser and a click.

Each is a stereo float signal peaking at ``EFFECT_PEAK_DB`` with its ``onset`` (the moment,
in seconds, that marks the event: a whoosh's loudest point, a riser's end).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from video_orchestrator.providers.synth.dsp import (
    RATE,
    Signal,
    envelope,
    frequencies,
    high_passed,
    noise,
    seconds,
)

EFFECT_PEAK_DB = -3.0


@dataclass(frozen=True)
class EffectInfo:
    seconds: float
    onset: float
    seed: int


EFFECTS: dict[str, EffectInfo] = {
    "whoosh": EffectInfo(0.9, 0.5, 101),
    "pop": EffectInfo(0.18, 0.0, 102),
    "riser": EffectInfo(2.0, 2.0, 103),
    "click": EffectInfo(0.06, 0.0, 104),
}


def _band_sweep(
    rng: np.random.Generator, n: int, centre: Signal, width: float, channels: int = 2
) -> Signal:
    """Noise through a band pass whose centre (Hz, one value per sample) moves: short
    overlapping frames, each filtered in the frequency domain around its own centre."""
    frame = 1024
    hop = frame // 2
    window = np.hanning(frame)
    f = frequencies(frame)
    out = np.zeros((n + frame, channels))
    source = rng.standard_normal((n + frame, channels))
    for start in range(0, n, hop):
        c = float(centre[min(start + hop, n - 1)])
        gains = np.exp(-0.5 * (np.log2(np.maximum(f, 1.0) / c) / width) ** 2)
        block = source[start : start + frame] * window[:, None]
        shaped = np.fft.irfft(np.fft.rfft(block, axis=0) * gains[:, None], n=frame, axis=0)
        out[start : start + frame] += shaped * window[:, None]
    return out[:n]


def _whoosh(rng: np.random.Generator, info: EffectInfo) -> Signal:
    n = seconds(info.seconds)
    t = np.arange(n) / RATE
    peak = info.onset
    # the band rises towards the middle and falls after it, like air past the ear
    centre = 300 + 2200 * np.exp(-(((t - peak) / 0.22) ** 2))
    air = _band_sweep(rng, n, centre, width=0.9)
    loud = np.exp(-(((t - peak) / (0.18 if 0 else 0.2)) ** 2) * np.where(t < peak, 1.0, 0.6))
    # it passes from left to right
    side = np.clip((t - peak) / 0.35, -1, 1)
    left = np.cos((side + 1) * math.pi / 4)
    right = np.sin((side + 1) * math.pi / 4)
    out = air * loud[:, None]
    out[:, 0] *= left
    out[:, 1] *= right
    return out * envelope(n, 0.01, 0.05)[:, None]


def _pop(rng: np.random.Generator, info: EffectInfo) -> Signal:
    n = seconds(info.seconds)
    t = np.arange(n) / RATE
    freq = 380 + 900 * (1 - np.exp(-t / 0.012))  # a bubble: the pitch jumps up
    tone = np.sin(2 * math.pi * np.cumsum(freq) / RATE) * np.exp(-t / 0.03)
    tick = high_passed(noise(rng, n)) * np.exp(-t / 0.0015) * 0.3
    mono = (tone + tick) * envelope(n, 0.0008, 0.02)
    return np.stack([mono, mono], axis=1)


def _riser(rng: np.random.Generator, info: EffectInfo) -> Signal:
    n = seconds(info.seconds)
    t = np.arange(n) / RATE
    progress = t / info.seconds
    centre = 250 * (6000 / 250) ** progress  # exponential sweep up
    air = _band_sweep(rng, n, centre, width=0.6)
    tone_freq = 220 * 2 ** (2 * progress)  # two octaves up
    phase = 2 * math.pi * np.cumsum(tone_freq) / RATE
    tone = (np.sin(phase) + 0.3 * np.sin(2 * phase + 0.5)) * 0.25
    swell = progress**2.2
    out = (air * 1.0 + np.stack([tone, tone * 0.95], axis=1)) * swell[:, None]
    return out * envelope(n, 0.02, 0.012)[:, None]


def _click(rng: np.random.Generator, info: EffectInfo) -> Signal:
    n = seconds(info.seconds)
    t = np.arange(n) / RATE
    knock = np.sin(2 * math.pi * 2100 * t) * np.exp(-t / 0.0025)
    body = np.sin(2 * math.pi * 900 * t) * np.exp(-t / 0.006) * 0.5
    tick = high_passed(noise(rng, n)) * np.exp(-t / 0.0008) * 0.4
    mono = (knock + body + tick) * envelope(n, 0.0003, 0.01)
    return np.stack([mono, mono * 0.9], axis=1)


_MAKERS = {"whoosh": _whoosh, "pop": _pop, "riser": _riser, "click": _click}


def make_effect(name: str) -> Signal:
    info = EFFECTS[name]
    sound = _MAKERS[name](np.random.default_rng(info.seed), info)
    peak = float(np.max(np.abs(sound))) or 1.0
    return sound * (10 ** (EFFECT_PEAK_DB / 20) / peak)


__all__ = ["EFFECTS", "EFFECT_PEAK_DB", "make_effect"]
