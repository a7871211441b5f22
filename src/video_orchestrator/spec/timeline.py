"""Exact timeline maths: every position on a timeline is an integer frame at the output rate.

Seconds are only an input/output convenience: they are converted once, by rounding to the
nearest frame, and all arithmetic after that is on integers over a ``Fraction`` timebase.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True, slots=True)
class Timebase:
    """Frames per second as an exact rational (30, 30000/1001 …)."""

    fps: Fraction

    @classmethod
    def of(cls, fps: int | Fraction) -> Timebase:
        value = Fraction(fps)
        if value <= 0:
            raise ValueError("fps must be positive")
        return cls(value)

    def to_frames(self, seconds: float | Fraction) -> int:
        """Nearest frame to a time in seconds (halves round up, never banker's rounding)."""
        return math.floor(Fraction(seconds) * self.fps + Fraction(1, 2))

    def ceil_frames(self, seconds: float | Fraction) -> int:
        """Smallest whole number of frames that covers ``seconds``."""
        return math.ceil(Fraction(seconds) * self.fps)

    def to_seconds(self, frames: int) -> Fraction:
        return Fraction(frames) / self.fps

    def seconds_str(self, frames: int) -> str:
        """Seconds as a short decimal string for FFmpeg (microsecond precision)."""
        value = self.to_seconds(frames)
        text = f"{float(value):.6f}".rstrip("0").rstrip(".")
        return text or "0"


def sequence_length(durations: list[int], overlaps: list[int]) -> int:
    """Length of clips laid end to end where clip i+1 overlaps clip i by ``overlaps[i]`` frames."""
    if len(overlaps) != max(len(durations) - 1, 0):
        raise ValueError("need one overlap between each pair of clips")
    return sum(durations) - sum(overlaps)


def clip_starts(durations: list[int], overlaps: list[int]) -> list[int]:
    """Start frame of each clip in a sequence with overlapping transitions."""
    starts: list[int] = []
    position = 0
    for index, duration in enumerate(durations):
        starts.append(position)
        position += duration
        if index < len(overlaps):
            position -= overlaps[index]
    return starts
