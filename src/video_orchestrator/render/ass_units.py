"""The numbers of an ASS document: frame times as ASS centiseconds, colours as ``&HAABBGGRR``,
and one style line (``render/ass.py`` writes captions and text overlays with them,
``render/kinetic.py`` kinetic typography)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction

# ---------------------------------------------------------------- numbers, colours, times


def frame_to_centiseconds(frame: int, fps: int | Fraction) -> int:
    """ASS time (centiseconds) at which something that starts on ``frame`` begins.

    FFmpeg asks libass for the picture at ``trunc(pts * time_base * 1000)`` ms, which float
    error can put 1 ms early, and an event shows while ``start <= now < end``. So the time is
    the last centisecond at or before (frame time - 1 ms): visible on ``frame``. If that is
    not after the previous frame's time (above 100 fps), the next centisecond: one frame
    late rather than early. Using the same function for an end keeps events back to back.
    """
    if frame <= 0:
        return 0
    rate = Fraction(fps)
    millis = math.floor(Fraction(1000 * frame) / rate)
    centis = max(0, (millis - 1) // 10)
    previous_frame_ms = Fraction(1000 * (frame - 1)) / rate
    if 10 * centis <= previous_frame_ms:
        centis += 1
    return centis


def ass_time(frame: int, fps: int | Fraction) -> str:
    """``H:MM:SS.cc`` for the start (or exclusive end) of ``frame``."""
    centis = frame_to_centiseconds(frame, fps)
    hours, rest = divmod(centis, 360_000)
    minutes, rest = divmod(rest, 6_000)
    seconds, centis = divmod(rest, 100)
    return f"{hours}:{minutes:02d}:{seconds:02d}.{centis:02d}"


def rgba(colour: str) -> tuple[int, int, int, int]:
    value = colour.lstrip("#")
    red, green, blue = int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
    alpha = int(value[6:8], 16) if len(value) == 8 else 255
    return red, green, blue, alpha


def ass_colour(colour: str, *, opacity: float = 1.0) -> str:
    """``#RRGGBB[AA]`` (AA = opacity) as an ASS style colour ``&HAABBGGRR`` (AA = transparency)."""
    red, green, blue, alpha = rgba(colour)
    transparency = 255 - round(alpha * opacity)
    return f"&H{transparency:02X}{blue:02X}{green:02X}{red:02X}"


def colour_tag(colour: str) -> str:
    red, green, blue, alpha = rgba(colour)
    return f"\\1c&H{blue:02X}{green:02X}{red:02X}&\\1a&H{255 - alpha:02X}&"


def num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def style_line(
    name: str,
    *,
    font: str,
    size: float,
    primary: str,
    secondary: str,
    outline_colour: str,
    back: str,
    border_style: int,
    outline: float,
    shadow: float,
    alignment: int,
    margins: tuple[int, int, int],
    weight: int | None = None,
) -> str:
    fields = [
        name,
        font,
        num(size),
        primary,
        secondary,
        outline_colour,
        back,
        # bold: heavy fallback glyphs (Noto Bold) next to display fonts; or a weight (900)
        "-1" if weight is None else str(weight),
        "0",
        "0",
        "0",
        "100",
        "100",
        "0",
        "0",
        str(border_style),
        num(outline),
        num(shadow),
        str(alignment),
        str(margins[0]),
        str(margins[1]),
        str(margins[2]),
        "-1",  # encoding -1: libass picks the base direction from the text (RTL captions)
    ]
    return "Style: " + ",".join(fields)


def ass_size(size: int, font: str, heights: Mapping[str, float]) -> float:
    return size * heights.get(font.strip().casefold(), 1.0)
