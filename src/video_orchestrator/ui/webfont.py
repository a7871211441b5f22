"""The studio's fallback font for Chinese, Japanese and Korean text (ADR 0042).

A browser shows a CJK text in whatever font the computer has; a computer without one (a
fresh Linux, a kiosk) shows empty boxes ("tofu"), and the studio in Japanese would be
unreadable there. The project already ships Noto Sans CJK JP Bold (the package
``noto-cjk-sans-jp-bold``, OFL-1.1) for captions; the studio serves that same file as a web
font: an ``@font-face`` whose ``unicode-range`` covers only the CJK blocks, so a browser
downloads it (once: the URL carries the package's version and the file's size, and is
cached as immutable) only when a page shows a CJK character, and only when none of the
computer's own fonts before it in the list has the glyph.

The font has one weight (bold); it is declared for every weight so the browser does not
embolden it further.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import metadata, resources
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse

from video_orchestrator.ui.env import UI_PATH

PACKAGE = "noto_cjk_sans_jp_bold"
DISTRIBUTION = "noto-cjk-sans-jp-bold"
FAMILY = "VO CJK"
FONTS_PATH = "/fonts"  # inside the UI mount: /ui/fonts/...
#: Kana, CJK punctuation and symbols, ideographs (with extension A and compatibility),
#: Hangul, and the full-width forms.
UNICODE_RANGE = (
    "U+1100-11FF, U+2E80-2FDF, U+2FF0-303F, U+3040-30FF, U+3100-31FF, U+3200-33FF, "
    "U+3400-4DBF, U+4E00-9FFF, U+A960-A97F, U+AC00-D7FF, U+F900-FAFF, U+FE30-FE4F, "
    "U+FF00-FFEF, U+20000-2FA1F"
)
#: Quasar's own font list, with the fallback before the generic family.
STACK = f'Roboto, -apple-system, "Helvetica Neue", Helvetica, Arial, "{FAMILY}", sans-serif'
CACHE_CONTROL = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class WebFont:
    """The packaged font file and the URL path (inside the UI mount) it is served at."""

    path: Path
    name: str

    @property
    def url(self) -> str:
        """As the browser requests it (the mount's prefix included: it goes into CSS)."""
        return f"{UI_PATH}{FONTS_PATH}/{self.name}"


@cache
def packaged() -> WebFont | None:
    """The packaged CJK font, or None when the package is not installed (the studio then
    shows CJK text in the computer's own fonts, as before)."""
    try:
        folder = resources.files(PACKAGE)
        version = metadata.version(DISTRIBUTION)
    except (ModuleNotFoundError, metadata.PackageNotFoundError):
        return None
    found = sorted(
        Path(str(entry))
        for entry in folder.iterdir()
        if entry.name.lower().endswith((".otf", ".ttf")) and entry.is_file()
    )
    if not found:
        return None
    path = found[0]
    name = f"cjk-{_safe(version)}-{path.stat().st_size}{path.suffix.lower()}"
    return WebFont(path=path, name=name)


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c == "." else "-" for c in text)


def css(font: WebFont | None = None) -> str:
    """The ``@font-face`` and the font list that falls back on it (empty without the font)."""
    font = font or packaged()
    if font is None:
        return ""
    kind = "opentype" if font.name.endswith(".otf") else "truetype"
    return (
        "@font-face {\n"
        f'  font-family: "{FAMILY}";\n'
        f'  src: url("{font.url}") format("{kind}");\n'
        "  font-weight: 100 900;\n"
        "  font-style: normal;\n"
        "  font-display: swap;\n"
        f"  unicode-range: {UNICODE_RANGE};\n"
        "}\n"
        f"body, input, textarea, select, button {{ font-family: {STACK}; }}\n"
    )


def register(app: FastAPI) -> None:
    """Serve the font at ``/fonts/<name>`` of the UI mount, to anyone (the sign-in page needs
    it too, and it is a public font), cached by the browser for a year."""

    @app.get(FONTS_PATH + "/{name}", include_in_schema=False)
    async def font(name: str) -> FileResponse:
        found = packaged()
        if found is None or name != found.name:
            raise HTTPException(404, "no such font")
        media = "font/otf" if name.endswith(".otf") else "font/ttf"
        return FileResponse(found.path, media_type=media, headers={"Cache-Control": CACHE_CONTROL})
