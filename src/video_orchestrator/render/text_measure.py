"""Widths and heights of caption text, measured with the fonts libass will use.

``FontMeasure(fonts)`` finds the file of a family at a weight among the renderer's private
fonts (``render/fonts.py``; a variable font is set to the weight) and measures with Pillow's
HarfBuzz layout (kerning as libass shapes it). Sizes are em sizes in px, as in the spec. Used
to place colour emoji over the captions (``render/caption_emoji.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

from fontTools.ttLib import TTFont, TTLibError  # type: ignore[import-untyped]
from PIL import ImageFont

from video_orchestrator.render.fonts import FontEnvironment

_SUFFIXES = (".ttf", ".otf")


@dataclass(frozen=True, slots=True)
class FontMetrics:
    """A font's vertical metrics per em: libass's line box (win ascent and descent) and
    the height of capital letters."""

    ascent: float
    descent: float
    cap_height: float


class TextMeasure(Protocol):
    """What caption layout needs to know of a font."""

    def width(self, family: str, weight: int, size: float, text: str) -> float:
        """Advance width in px of ``text`` set in ``family`` at ``weight``, ``size`` px em."""
        ...

    def metrics(self, family: str, weight: int) -> FontMetrics: ...


@dataclass(frozen=True, slots=True)
class _Face:
    path: Path
    family: str
    weight: int
    variable: bool
    metrics: FontMetrics


def _read(path: Path) -> _Face | None:
    try:
        with TTFont(str(path), lazy=True) as font:
            names = font["name"]
            family = (names.getDebugName(16) or names.getDebugName(1) or path.stem).strip()
            units = font["head"].unitsPerEm
            os2 = font["OS/2"]
            cap = getattr(os2, "sCapHeight", 0) or round(units * 0.7)
            metrics = FontMetrics(os2.usWinAscent / units, os2.usWinDescent / units, cap / units)
            return _Face(path, family, os2.usWeightClass, "fvar" in font, metrics)
    except (TTLibError, OSError, KeyError, AssertionError, AttributeError):
        return None


class FontMeasure:
    """:class:`TextMeasure` over the font files of a :class:`FontEnvironment`."""

    def __init__(self, fonts: FontEnvironment) -> None:
        self._faces: list[_Face] = []
        for path in sorted(fonts.fonts_dir.iterdir()):
            if path.suffix.lower() in _SUFFIXES:
                face = _read(path)
                if face is not None:
                    self._faces.append(face)

    def _face(self, family: str, weight: int) -> _Face | None:
        wanted = family.strip().casefold()
        found = [f for f in self._faces if f.family.casefold() == wanted]
        if not found:
            return None
        return min(found, key=lambda f: 0 if f.variable else abs(f.weight - weight))

    def width(self, family: str, weight: int, size: float, text: str) -> float:
        face = self._face(family, weight)
        if face is None or not text:
            return 0.0 if not text else size * 0.55 * len(text)
        font = _font(face.path, round(size * 4) / 4, weight if face.variable else 0)
        return float(font.getlength(text))

    def metrics(self, family: str, weight: int) -> FontMetrics:
        face = self._face(family, weight)
        return face.metrics if face is not None else FontMetrics(1.07, 0.27, 0.7)


@cache
def _font(path: Path, size: float, weight: int) -> ImageFont.FreeTypeFont:
    font = ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)
    if weight:
        values: list[float] = []
        for axis in font.get_variation_axes():
            name = axis.get("name")
            values.append(weight if name in (b"Weight", "Weight") else float(axis["default"] or 0))
        font.set_variation_by_axes(values)
    return font
