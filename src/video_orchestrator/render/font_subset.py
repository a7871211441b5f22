"""The fonts one render's captions need, linked into its working directory for libass.

libass reads every font file of its ``fontsdir`` into memory when the ``ass`` filter starts
(they become "memory fonts"), so handing it the whole private font directory cost a render
~40 MB of resident memory for fonts it never draws (the CJK font alone is 17 MB; issue 14,
bench/RESULTS.md). The families the ASS document names, plus for every character they lack
the first font that has it (the order of the font directory, as fontconfig falls back), are
all libass is given. Fontconfig still sees the whole directory (``FONTCONFIG_FILE``), so a
character this choice missed is still found there, read from disk, not held in memory.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

from video_orchestrator.render.fonts import FontFile, needs_glyph

_OVERRIDE = re.compile(r"\{[^}]*\}")
_FONT_NAME = re.compile(r"\\fn([^\\}]+)")


def _families_and_text(document: str) -> tuple[set[str], str]:
    """Lower-case font families an ASS document names, and the text it shows."""
    families: set[str] = set()
    text: list[str] = []
    for line in document.splitlines():
        if line.startswith("Style:"):
            fields = line[len("Style:") :].split(",")
            if len(fields) > 1:
                families.add(fields[1].strip().casefold())
        elif line.startswith("Dialogue:"):
            body = line.split(",", 9)[-1]
            families.update(name.strip().casefold() for name in _FONT_NAME.findall(body))
            text.append(_OVERRIDE.sub("", body).replace("\\N", " ").replace("\\h", " "))
    return families, "".join(text)


def fonts_for(document: str, fonts: Sequence[FontFile]) -> list[str]:
    """File names (of ``fonts``, in their order) that draw ``document``: the families it
    names, then for each character those lack, the first font that has it."""
    families, text = _families_and_text(document)
    chosen = [font for font in fonts if font.family.casefold() in families]
    covered: set[int] = set()
    for font in chosen:
        covered |= font.codepoints
    for char in dict.fromkeys(text):
        code = ord(char)
        if code in covered or not needs_glyph(char):
            continue
        fallback = next((font for font in fonts if code in font.codepoints), None)
        if fallback is not None:
            chosen.append(fallback)
            covered |= fallback.codepoints
    return list(dict.fromkeys(font.file for font in chosen))


def link_fonts(names: Iterable[str], source: Path, target: Path) -> Path:
    """``target`` made to hold ``names`` from ``source`` (symbolic links, else copies)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        link = target / name
        real = (source / name).resolve()
        try:
            os.symlink(real, link)
        except OSError:
            shutil.copyfile(real, link)
    return target
