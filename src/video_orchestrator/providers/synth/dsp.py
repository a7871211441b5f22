"""Small signal-processing pieces the synthesiser is made of (numpy only, deterministic).

Signals are float64 arrays at :data:`RATE`: mono ``(n,)`` or stereo ``(n, 2)``. Loops are
circular: a note placed near a loop's end wraps round to its start, and the reverb and the
equaliser are circular convolutions (done with the FFT), so a loop ends exactly where it
begins and repeats without a seam.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

Signal = NDArray[np.float64]

RATE = 48_000
TABLE_SIZE = 4096

# ITU-R BS.1770 K-weighting at 48 kHz: the high shelf, then the high pass (biquads).
_K_STAGES = (
    (
        (1.53512485958697, -2.69169618940638, 1.19839281085285),
        (1.0, -1.69065929318241, 0.73248077421585),
    ),
    ((1.0, -2.0, 1.0), (1.0, -1.99004745483398, 0.99007225036621)),
)


def midi_hz(note: float) -> float:
    return float(440.0 * 2.0 ** ((note - 69.0) / 12.0))


def seconds(n: float) -> int:
    return round(n * RATE)


def wavetable(amplitudes: list[float]) -> Signal:
    """One cycle of a waveform with these harmonic amplitudes (harmonic 1 first)."""
    phase = np.arange(TABLE_SIZE) / TABLE_SIZE * 2 * math.pi
    table = np.zeros(TABLE_SIZE)
    for k, amplitude in enumerate(amplitudes, start=1):
        table += amplitude * np.sin(k * phase)
    peak = float(np.max(np.abs(table))) or 1.0
    return table / peak


def table_osc(table: Signal, freq: float, n: int, phase0: float = 0.0) -> Signal:
    """``n`` samples of ``table`` played at ``freq`` Hz (linear interpolation)."""
    pos = (phase0 + np.arange(n) * (freq * TABLE_SIZE / RATE)) % TABLE_SIZE
    index = pos.astype(np.int64)
    frac = pos - index
    return table[index] * (1 - frac) + table[(index + 1) % TABLE_SIZE] * frac


def envelope(n: int, attack: float, release: float, *, decay: float = 0.0) -> Signal:
    """Raised-cosine attack and release (seconds), optional exponential decay (per second)."""
    env = np.ones(n)
    a = min(seconds(attack), n)
    r = min(seconds(release), n - a)
    if a > 0:
        env[:a] = 0.5 - 0.5 * np.cos(np.linspace(0, math.pi, a, endpoint=False))
    if r > 0:
        env[n - r :] *= 0.5 + 0.5 * np.cos(np.linspace(0, math.pi, r))
    if decay > 0:
        env *= np.exp(-decay * np.arange(n) / RATE)
    return env


def pluck(freq: float, n: int, *, harmonics: int = 8, brightness: float = 1.2) -> Signal:
    """A plucked or struck tone: harmonics that die away faster the higher they are."""
    t = np.arange(n) / RATE
    out = np.zeros(n)
    for k in range(1, harmonics + 1):
        if k * freq > 14_000:
            break
        out += (
            (1.0 / k**brightness)
            * np.sin(2 * math.pi * k * freq * t)
            * np.exp(-t * (2.5 + 1.8 * k**1.1))
        )
    return out * envelope(n, 0.004, min(0.08, n / RATE / 2))


def pan(mono: Signal, position: float) -> Signal:
    """Constant-power pan: -1 left, 0 centre, 1 right."""
    angle = (position + 1) * math.pi / 4
    return np.stack([mono * math.cos(angle), mono * math.sin(angle)], axis=1)


def add_wrapped(buffer: Signal, start: int, sound: Signal) -> None:
    """Add ``sound`` into the loop ``buffer`` at ``start``, wrapping past its end."""
    length = buffer.shape[0]
    start %= length
    n = sound.shape[0]
    done = 0
    while done < n:
        at = (start + done) % length
        chunk = min(n - done, length - at)
        buffer[at : at + chunk] += sound[done : done + chunk]
        done += chunk


def noise(rng: np.random.Generator, n: int) -> Signal:
    return rng.standard_normal(n)


def high_passed(x: Signal, times: int = 1) -> Signal:
    """A crude high pass: the first difference, ``times`` over (for hats and claps)."""
    for _ in range(times):
        x = np.diff(x, prepend=x[:1])
    return x


def _response(b: tuple[float, ...], a: tuple[float, ...], omega: Signal) -> NDArray[np.complex128]:
    z = np.exp(-1j * omega)
    num = b[0] + b[1] * z + b[2] * z * z
    den = a[0] + a[1] * z + a[2] * z * z
    response: NDArray[np.complex128] = num / den
    return response


def frequencies(n: int) -> Signal:
    return np.asarray(np.fft.rfftfreq(n, 1 / RATE), dtype=np.float64)


def circular_filter(x: Signal, gains: NDArray[np.complex128] | Signal) -> Signal:
    """``x`` (each channel) through a filter given by its gain at each rfft bin."""
    spectrum = np.fft.rfft(x, axis=0)
    shaped = spectrum * (gains[:, None] if x.ndim == 2 else gains)
    return np.fft.irfft(shaped, n=x.shape[0], axis=0)


def loop_loudness(x: Signal) -> float:
    """The loudness of a loop in LUFS (K-weighted mean square, BS.1770 without gating)."""
    omega = 2 * math.pi * frequencies(x.shape[0]) / RATE
    gains = np.ones_like(omega, dtype=np.complex128)
    for b, a in _K_STAGES:
        gains = gains * _response(b, a, omega)
    weighted = circular_filter(x, gains)
    power = float(np.sum(np.mean(weighted**2, axis=0)))
    return -0.691 + 10 * math.log10(max(power, 1e-12))


def master_eq(x: Signal, *, low_cut: float = 35.0, high_cut: float = 9000.0) -> Signal:
    """Gentle smoothing: a high pass under ``low_cut`` and a soft roll-off over ``high_cut``."""
    f = frequencies(x.shape[0])
    safe = np.maximum(f, 1e-3)
    gains = 1 / np.sqrt(1 + (low_cut / safe) ** 4) / np.sqrt(1 + (f / high_cut) ** 4)
    gains[0] = 0.0
    return circular_filter(x, gains)


def reverb(x: Signal, rng: np.random.Generator, *, rt60: float, predelay: float = 0.02) -> Signal:
    """A diffuse room: ``x`` convolved (circularly) with decaying, darkened stereo noise."""
    n = x.shape[0]
    length = min(seconds(rt60 * 1.2), n)
    t = np.arange(length) / RATE
    decay = np.exp(-6.9 * t / rt60)
    pre = seconds(predelay)
    response = np.zeros((n, 2))
    for channel in range(2):
        tail = noise(rng, length) * decay
        tail[:pre] = 0.0
        # darker as it decays: a moving average over a few samples
        tail = np.convolve(tail, np.ones(6) / 6, mode="same")
        response[:length, channel] = tail / math.sqrt(float(np.sum(tail**2)) or 1.0)
    wet = np.fft.irfft(np.fft.rfft(x, axis=0) * np.fft.rfft(response, axis=0), n=n, axis=0)
    return wet


def soft_limit(x: Signal, ceiling: float) -> Signal:
    """Peaks over ``ceiling`` (linear) rounded off smoothly; everything under it untouched."""
    knee = 0.8 * ceiling
    over = np.abs(x) > knee
    if not np.any(over):
        return x
    y = x.copy()
    excess = (np.abs(x[over]) - knee) / (ceiling - knee)
    y[over] = np.sign(x[over]) * (knee + (ceiling - knee) * np.tanh(excess))
    return y


def to_pcm16(x: Signal) -> bytes:
    """Interleaved little-endian 16-bit PCM of a stereo signal in [-1, 1]."""
    clipped = np.clip(np.round(x * 32767.0), -32768, 32767).astype("<i2")
    return clipped.tobytes()
