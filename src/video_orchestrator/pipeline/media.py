"""Background media: the user's folder of clips and images, matched to scenes.

A file's keywords come from its name (``ocean-waves_01.mp4`` → ocean, wave). Each scene takes
the unused file sharing the most keywords with its visual keywords, then files in name order;
with no usable file the scene gets a generated motion background. Files that are not media or
cannot be read are skipped with a warning, never a crash.

A stored project names each scene's background itself: :func:`scene_media` measures those
files, one per scene, with no matching and no reuse.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image, ImageOps

from video_orchestrator.errors import MediaError
from video_orchestrator.pipeline.cache import ContentCache, file_digest
from video_orchestrator.render.probe import MediaInfo
from video_orchestrator.text import keywords_of

log = logging.getLogger(__name__)

VIDEO_EXTENSIONS = {".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi"}
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".bmp"}


@dataclass(frozen=True, slots=True)
class MediaItem:
    path: Path
    kind: str  # "video" | "image"
    duration: float | None
    width: int
    height: int
    keywords: frozenset[str]
    #: a further clip that plays after this one within the same scene, when this one alone
    #: is too short to fill it (:func:`add_follow_ups`)
    follow: MediaItem | None = None


@dataclass(frozen=True, slots=True)
class MediaScan:
    items: tuple[MediaItem, ...]
    skipped: tuple[tuple[Path, str], ...]  # (file, reason)


def scan_media(folder: Path, probe: Callable[[Path], MediaInfo]) -> MediaScan:
    """Every readable video and image directly inside ``folder`` (sorted by name)."""
    if not folder.is_dir():
        raise MediaError(f"the media folder {folder} does not exist or is not a folder")
    items: list[MediaItem] = []
    skipped: list[tuple[Path, str]] = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        suffix = path.suffix.lower()
        if suffix not in VIDEO_EXTENSIONS | IMAGE_EXTENSIONS:
            skipped.append((path, "not a video or image file"))
            continue
        try:
            items.append(media_item(path, probe))
        except MediaError as exc:
            skipped.append((path, str(exc)))
    for path, reason in skipped:
        log.warning("skipped %s: %s", path.name, reason)
    return MediaScan(tuple(items), tuple(skipped))


def media_item(path: Path, probe: Callable[[Path], MediaInfo]) -> MediaItem:
    """``path`` measured as a background, with the keywords of its name. Raises
    :class:`MediaError` saying why it cannot be one (unreadable, no picture, too short)."""
    info = probe(path)
    if info.video is None or info.video.width <= 0 or info.video.height <= 0:
        raise MediaError("has no picture")
    kind = "image" if info.kind == "image" else "video"
    if kind == "video" and not (info.duration and info.duration > 0.1):
        raise MediaError("is too short to use")
    return MediaItem(
        path=path.resolve(),
        kind=kind,
        duration=info.duration if kind == "video" else None,
        width=info.video.width,
        height=info.video.height,
        keywords=keywords_of(path.stem),
    )


def scene_media(
    paths: Sequence[Path | None], probe: Callable[[Path], MediaInfo]
) -> tuple[list[MediaItem | None], list[tuple[int, Path, str]]]:
    """One item per entry of ``paths``, in the same order: entry i is scene i's background
    exactly as chosen (None: a generated one). A file that cannot be a background becomes
    None too, and is listed as (scene index, file, reason)."""
    chosen: list[MediaItem | None] = []
    problems: list[tuple[int, Path, str]] = []
    for index, path in enumerate(paths):
        item = None
        if path is not None:
            try:
                item = media_item(path, probe)
            except MediaError as exc:
                problems.append((index, path, str(exc)))
        chosen.append(item)
    return chosen, problems


def assign_media(
    scene_keywords: Sequence[Sequence[str]], items: Sequence[MediaItem], *, fill: bool = True
) -> list[MediaItem | None]:
    """One item (or None for a generated background) per scene.

    Keyword matches first, most shared keywords winning, each file used once while unused
    files remain; the rest take unused files in name order, then reuse from the start.
    With ``fill=False`` only keyword matches are made (the rest stay None, e.g. for stock
    footage to fill).
    """
    chosen: list[MediaItem | None] = [None] * len(scene_keywords)
    if not items:
        return chosen
    used: set[int] = set()
    wanted = [frozenset[str]().union(*(keywords_of(kw) for kw in kws)) for kws in scene_keywords]
    for index, keywords in enumerate(wanted):
        best, best_score = -1, 0
        for position, item in enumerate(items):
            score = len(keywords & item.keywords)
            if position not in used and score > best_score:
                best, best_score = position, score
        if best >= 0:
            chosen[index] = items[best]
            used.add(best)
    if not fill:
        return chosen
    cursor = 0
    for index in range(len(chosen)):
        if chosen[index] is not None:
            continue
        unused = [p for p in range(len(items)) if p not in used]
        if unused:
            pick = unused[0]
            used.add(pick)
        else:
            pick = cursor % len(items)
            cursor += 1
        chosen[index] = items[pick]
    return chosen


PREPARE_STEP = "image-v1"


def prepare_image(item: MediaItem, cache: ContentCache, *, width: int, height: int) -> MediaItem:
    """A still ready for the renderer: upright (EXIF orientation applied) and no larger than
    twice the output size, cached by the file's content. Other items pass through unchanged.

    Phone photos are often 12–50 MP and rotated by metadata only; decoding and scaling them
    on every render is wasted work, and a huge image must not reach FFmpeg at all.
    """
    if item.kind != "image":
        return item
    limit = (width * 2, height * 2)
    parts = {"digest": file_digest(item.path), "limit": list(limit)}

    def make(staging: Path) -> None:
        try:
            with Image.open(item.path) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail(limit, Image.Resampling.LANCZOS)
                if upright.mode not in ("RGB", "RGBA"):
                    upright = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
                upright.save(staging / "image.png", optimize=False)
        except (OSError, Image.DecompressionBombError, ValueError) as exc:
            raise MediaError(f"{item.path.name} cannot be read as an image: {exc}") from exc

    def load(entry: Path) -> MediaItem:
        path = entry / "image.png"
        with Image.open(path) as image:
            w, h = image.size
        return MediaItem(
            path=path, kind="image", duration=None, width=w, height=h, keywords=item.keywords
        )

    return cache.get_or_create(PREPARE_STEP, parts, make, load)


MILDEST_RATE = 0.8
"""A clip is slowed down to this speed at most when another clip can fill the rest of its
scene: footage of moving things (water, people, animals) slower than about four fifths of
its real speed reads as slow motion, an effect the creator did not ask for. Below it the
scene gets a second clip with a cut (:func:`add_follow_ups`)."""
MIN_FOLLOW_SECONDS = 1.0
"""A second clip shorter than this on screen would flash by: the first is slowed instead."""


def add_follow_ups(
    chosen: Sequence[MediaItem | None],
    items: Sequence[MediaItem],
    scene_keywords: Sequence[Sequence[str]],
    seconds: Sequence[float],
) -> list[MediaItem | None]:
    """``chosen`` with a further clip (``follow``) for each scene whose video is too short to
    fill its ``seconds`` without slowing below :data:`MILDEST_RATE`: the next best matching
    video of ``items`` (the most shared keywords, then one no scene uses, then the longest,
    then name order), never the same file; a scene no other video matches keeps its one."""
    used = {item.path for item in chosen if item is not None}
    out: list[MediaItem | None] = list(chosen)
    for index, item in enumerate(chosen):
        if item is None or item.kind != "video" or not item.duration or index >= len(seconds):
            continue
        need = seconds[index]
        if item.duration >= need * MILDEST_RATE or need - item.duration < MIN_FOLLOW_SECONDS:
            continue
        wanted = frozenset[str]().union(*(keywords_of(k) for k in scene_keywords[index]))
        shares = {c.path: len(wanted & c.keywords) for c in items}
        others = [
            c
            for c in items
            if c.kind == "video" and c.duration and c.path != item.path and shares[c.path] > 0
        ]
        if not others:
            continue
        best = max(
            others,
            key=lambda c: (shares[c.path], c.path not in used, c.duration or 0.0, -items.index(c)),
        )
        used.add(best.path)
        out[index] = replace(item, follow=best)
    return out
