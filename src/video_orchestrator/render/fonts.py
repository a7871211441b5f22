"""Fonts for burned-in text: only fonts that come from installed Python packages.

``font_environment(cache_dir)`` links the font files of the font packages into one directory
under ``cache_dir`` and writes a private ``fonts.conf`` that lists only that directory. FFmpeg
(libass through fontconfig) run with ``env`` therefore sees exactly these fonts: Anton (the
default caption font), Montserrat, the Noto families of ``manimgx_fonts`` (Noto Sans, Noto
Emoji, Hebrew, Arabic, Devanagari, Thai …), which libass falls back to for glyphs the chosen
font lacks, and Noto Sans CJK JP Bold (``noto_cjk_sans_jp_bold``), in which Chinese, Japanese
and Korean text is set (``spec/scripts.py``, ADR 0032). ``check_coverage`` says before a
render whether some characters would come out as boxes, naming what to install.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import logging
import os
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from fontTools.ttLib import (  # type: ignore[import-untyped]
    TTCollection,
    TTFont,
    TTLibError,
)

from video_orchestrator.errors import FontCoverageError

log = logging.getLogger(__name__)

#: Packages whose font files are used, in order of preference for fallback.
FONT_PACKAGES: tuple[str, ...] = (
    "fontpkg_anton",
    "fontpkg_montserrat",
    "manimgx_fonts",
    "noto_cjk_sans_jp_bold",
)
DEFAULT_CAPTION_FONT = "Anton"
#: Families fontconfig prefers for the generic names (sans-serif …) and for fallback.
FALLBACK_FAMILIES: tuple[str, ...] = (
    "Noto Sans",
    "Noto Emoji",
    "Noto Sans Symbols",
    "Noto Sans Hebrew",
    "Noto Sans Arabic",
    "Noto Sans Devanagari",
    "Noto Sans Thai",
    "Noto Sans CJK JP",
)
_FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
_LAYOUT_VERSION = "2"


@dataclass(frozen=True)
class FontEnvironment:
    """A private font directory and the environment that makes FFmpeg use only it.

    ``fonts_dir`` goes to the ``subtitles`` filter as ``fontsdir``; ``env`` is merged into
    the environment FFmpeg runs with (it sets ``FONTCONFIG_FILE``).
    """

    fonts_dir: Path
    env: Mapping[str, str]
    config_file: Path | None = None
    coverage_file: Path | None = None
    _cache: dict[str, object] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )


@dataclass(frozen=True)
class FontFile:
    """One face of the private font directory: its file name, family and characters."""

    file: str
    family: str
    codepoints: frozenset[int]
    height: float = 1.0  # (usWinAscent + usWinDescent) / unitsPerEm: libass's size unit


# ---------------------------------------------------------------- building the environment


def _package_fonts(package: str) -> Iterator[tuple[str, Traversable]]:
    """(relative name, resource) of every font file shipped in ``package``."""
    try:
        root = importlib.resources.files(package)
    except ModuleNotFoundError:
        log.warning("font package %s is not installed; its fonts are not available", package)
        return

    def walk(node: Traversable, prefix: str) -> Iterator[tuple[str, Traversable]]:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.is_dir():
                if not child.name.startswith(("__", ".")):
                    yield from walk(child, f"{prefix}{child.name}/")
            elif child.name.lower().endswith(_FONT_SUFFIXES):
                yield f"{prefix}{child.name}", child

    yield from walk(root, "")


def _safe_name(package: str, relative: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in relative)
    return f"{package}__{cleaned}"


def _fingerprint(sources: Sequence[tuple[str, str, Traversable]], extra: Sequence[Path]) -> str:
    digest = hashlib.sha256(_LAYOUT_VERSION.encode())
    for package, relative, resource in sources:
        digest.update(f"{package}/{relative}".encode())
        if isinstance(resource, Path):
            stat = resource.stat()
            digest.update(f"{resource}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    for directory in extra:
        digest.update(f"extra:{directory.resolve()}".encode())
    return digest.hexdigest()[:16]


def _fonts_conf(fonts_dirs: Iterable[Path], cache: Path) -> str:
    dirs = "\n".join(f"  <dir>{xml_escape(str(d))}</dir>" for d in fonts_dirs)
    prefer = "".join(f"<family>{xml_escape(name)}</family>" for name in FALLBACK_FAMILIES)
    aliases = "\n".join(
        f'  <alias binding="same"><family>{generic}</family><prefer>{prefer}</prefer></alias>'
        for generic in ("sans-serif", "serif", "monospace", "Arial", "Helvetica")
    )
    return (
        '<?xml version="1.0"?>\n'
        '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        "<!-- Written by Video Orchestrator: only packaged fonts, nothing from the system. -->\n"
        "<fontconfig>\n"
        f"{dirs}\n"
        f"  <cachedir>{xml_escape(str(cache))}</cachedir>\n"
        f"{aliases}\n"
        "</fontconfig>\n"
    )


def _read_font(path: Path) -> list[FontFile]:
    infos: list[FontFile] = []
    try:
        count = 1
        if path.suffix.lower() in (".ttc", ".otc"):
            with TTCollection(str(path), lazy=True) as collection:
                count = len(collection.fonts)
        for index in range(count):
            with TTFont(str(path), fontNumber=index, lazy=True) as font:
                cmap = font.getBestCmap() or {}
                name_table = font["name"]
                family = (
                    name_table.getDebugName(16) or name_table.getDebugName(1) or path.stem
                ).strip()
                height = 1.0
                if "OS/2" in font and font["head"].unitsPerEm:
                    os2 = font["OS/2"]
                    total = os2.usWinAscent + os2.usWinDescent
                    height = total / font["head"].unitsPerEm if total > 0 else 1.0
                infos.append(FontFile(path.name, family, frozenset(cmap), round(height, 4)))
    except (TTLibError, OSError, KeyError, AssertionError) as exc:
        log.warning("skipping unreadable font %s: %s", path, exc)
    return infos


def _ranges(codepoints: Iterable[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for cp in sorted(codepoints):
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return out


def _link_or_copy(resource: Traversable, target: Path) -> None:
    if isinstance(resource, Path):
        try:
            target.symlink_to(resource.resolve())
            return
        except OSError:
            shutil.copyfile(resource, target)
            return
    target.write_bytes(resource.read_bytes())


def font_environment(cache_dir: Path, *, extra_font_dirs: Sequence[Path] = ()) -> FontEnvironment:
    """Build (or reuse) the private font directory and fontconfig file under ``cache_dir``.

    ``extra_font_dirs`` are further directories of font files (for example a CJK font the
    user installed); they are listed in the fontconfig file and in the coverage data.
    Building is idempotent and safe to run from several processes at once.
    """
    sources = [
        (package, relative, resource)
        for package in FONT_PACKAGES
        for relative, resource in _package_fonts(package)
    ]
    extra = [Path(d) for d in extra_font_dirs]
    root = Path(cache_dir) / "fonts" / _fingerprint(sources, extra)
    fonts_dir = root / "files"
    conf = root / "fonts.conf"
    coverage = root / "coverage.json"
    if not coverage.is_file():
        root.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".build-", dir=root.parent))
        try:
            (staging / "files").mkdir()
            for package, relative, resource in sources:
                _link_or_copy(resource, staging / "files" / _safe_name(package, relative))
            (staging / "fccache").mkdir()
            dirs = [fonts_dir, *(d.resolve() for d in extra)]
            conf_text = _fonts_conf(dirs, root / "fccache")
            (staging / "fonts.conf").write_text(conf_text, encoding="utf-8")
            entries = []
            font_files = sorted((staging / "files").iterdir())
            for directory in extra:
                font_files += sorted(
                    p for p in directory.rglob("*") if p.suffix.lower() in _FONT_SUFFIXES
                )
            for path in font_files:
                for info in _read_font(path):
                    entries.append(
                        {
                            "file": info.file,
                            "family": info.family,
                            "ranges": _ranges(info.codepoints),
                            "height": info.height,
                        }
                    )
            (staging / "coverage.json").write_text(json.dumps({"fonts": entries}), "utf-8")
            try:
                os.rename(staging, root)
            except OSError:
                # Another process finished first: use its directory.
                if not coverage.is_file():
                    raise
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    if not any(fonts_dir.iterdir()):
        log.warning("no font package is installed: text will not render")
    return FontEnvironment(
        fonts_dir=fonts_dir,
        env={"FONTCONFIG_FILE": str(conf)},
        config_file=conf,
        coverage_file=coverage,
    )


# ---------------------------------------------------------------- coverage


def _fonts_of(fonts: FontEnvironment) -> list[FontFile]:
    cached = fonts._cache.get("fonts")
    if cached is not None:
        return cached  # type: ignore[return-value]
    infos: list[FontFile] = []
    if fonts.coverage_file is not None and fonts.coverage_file.is_file():
        data = json.loads(fonts.coverage_file.read_text("utf-8"))
        for entry in data["fonts"]:
            points = frozenset(
                cp for first, last in entry["ranges"] for cp in range(first, last + 1)
            )
            infos.append(
                FontFile(entry["file"], entry["family"], points, float(entry.get("height", 1.0)))
            )
    else:
        for path in sorted(fonts.fonts_dir.iterdir()):
            if path.suffix.lower() in _FONT_SUFFIXES:
                infos.extend(_read_font(path))
    fonts._cache["fonts"] = infos
    return infos


def _covered(fonts: FontEnvironment) -> frozenset[int]:
    cached = fonts._cache.get("covered")
    if cached is None:
        union: set[int] = set()
        for info in _fonts_of(fonts):
            union |= info.codepoints
        cached = frozenset(union)
        fonts._cache["covered"] = cached
    return cached  # type: ignore[return-value]


def needs_glyph(char: str) -> bool:
    """False for characters that draw nothing: spaces, controls, joiners, selectors."""
    cp = ord(char)
    if char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp"):
        return False
    if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:  # variation selectors
        return False
    return not 0x1F3FB <= cp <= 0x1F3FF  # skin-tone modifiers fall back to the base emoji


_ADVICE: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO", "IDEOGRAPHIC", "FULLWIDTH"),
        "the packaged Noto Sans CJK JP (package noto-cjk-sans-jp-bold) lacks them or is not "
        "installed: reinstall video-orchestrator, or install a fuller CJK font (Debian "
        "package fonts-noto-cjk-extra) and add its folder to VO_FONT_DIRS",
    ),
)
_GENERIC_ADVICE = (
    "install a font for that script (for example the matching Noto font, Debian package "
    "fonts-noto-core or fonts-noto-extra) and add its folder to VO_FONT_DIRS"
)


def _advice(chars: Sequence[str]) -> str:
    names = " ".join(unicodedata.name(c, "") for c in chars)
    for keys, text in _ADVICE:
        if any(key in names for key in keys):
            return text
    return _GENERIC_ADVICE


def missing_characters(text: str, fonts: FontEnvironment) -> list[str]:
    """Characters of ``text`` (each once, in order) that no font of ``fonts`` covers."""
    covered = _covered(fonts)
    seen: dict[str, None] = {}
    for char in text:
        if char not in seen and needs_glyph(char) and ord(char) not in covered:
            seen[char] = None
    return list(seen)


def check_coverage(text: str, fonts: FontEnvironment) -> None:
    """Raise ``FontCoverageError`` when some characters of ``text`` have no font."""
    missing = missing_characters(text, fonts)
    if not missing:
        return
    shown = "".join(missing[:12]) + ("…" if len(missing) > 12 else "")
    codes = " ".join(f"U+{ord(c):04X}" for c in missing[:6])
    raise FontCoverageError(
        f"no installed font covers {shown} ({codes}{' …' if len(missing) > 6 else ''}): "
        f"{_advice(missing)}"
    )


def font_files(fonts: FontEnvironment) -> list[FontFile]:
    """Every face of the private font directory, in the directory's (fallback) order."""
    return list(_fonts_of(fonts))


def font_heights(fonts: FontEnvironment) -> dict[str, float]:
    """Lower-case family name → libass height per em, for ``build_ass(font_heights=…)``."""
    heights: dict[str, float] = {}
    for info in _fonts_of(fonts):
        heights.setdefault(info.family.casefold(), info.height)
    return heights


def list_fonts(fonts: FontEnvironment) -> list[str]:
    """Family names available to the renderer, sorted, each once."""
    return sorted({info.family for info in _fonts_of(fonts)})
