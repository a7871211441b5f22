"""The user's own media library as a ``MediaProvider``.

Files are found by what their names say (``ocean-waves_01.mp4`` → ocean, wave); their size
and length come from an ``inspect`` function the composition root injects (the product's
media probe), so this adapter never starts FFmpeg itself. A "download" is a hard link (or a
copy on another file system) made atomically, like any other provider's.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from video_orchestrator import atomic
from video_orchestrator.errors import MediaError, NotFoundError, PayloadTooLarge
from video_orchestrator.ports.media import StockItem, StockKind, StockQuery
from video_orchestrator.text import keywords_of

log = logging.getLogger(__name__)

VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi"})
PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp"})
LICENCE = "your own media"


def words_of(text: str) -> frozenset[str]:
    return keywords_of(text)


@dataclass(frozen=True, slots=True)
class LocalFile:
    """A usable file of the library: what it is, how big, how long."""

    path: Path
    kind: StockKind
    width: int
    height: int
    duration: float | None

    @property
    def keywords(self) -> frozenset[str]:
        return words_of(self.path.stem)


#: Reads a file's facts; returns None for a file that is not usable media.
Inspect = Callable[[Path], LocalFile | None]


class LocalMedia:
    """Search a fixed list of local files by keywords in their names."""

    name = "local"

    def __init__(self, files: Iterable[LocalFile]) -> None:
        self.files = tuple(files)

    @classmethod
    def from_folder(cls, folder: Path, inspect: Inspect) -> LocalMedia:
        if not folder.is_dir():
            raise MediaError(f"the media folder {folder} does not exist or is not a folder")
        files = []
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            if path.name.startswith(".") or path.suffix.lower() not in (
                VIDEO_SUFFIXES | PHOTO_SUFFIXES
            ):
                continue
            found = inspect(path)
            if found is None:
                log.warning("skipped %s: not a readable video or image", path.name)
                continue
            files.append(found)
        return cls(files)

    def __repr__(self) -> str:
        return f"LocalMedia({len(self.files)} files)"

    def search(self, query: StockQuery) -> list[StockItem]:
        wanted = words_of(query.text)
        scored: list[tuple[int, str, LocalFile]] = []
        for file in self.files:
            if file.kind != query.kind:
                continue
            score = len(wanted & file.keywords)
            if not score or not _fits(file, query):
                continue
            scored.append((-score, file.path.name, file))
        scored.sort(key=lambda entry: (entry[0], entry[1]))
        start = (max(query.page, 1) - 1) * query.per_page
        return [self._item(file) for _, _, file in scored[start : start + query.per_page]]

    def download(self, item: StockItem, out_path: Path, *, max_bytes: int) -> Path:
        source = self._path_of(item)
        size = source.stat().st_size
        if size > max_bytes:
            raise PayloadTooLarge(
                f"{source.name} is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit"
            )
        atomic.copy_file(source, out_path, link=True)
        return out_path

    # ------------------------------------------------------------------ helpers

    def _item(self, file: LocalFile) -> StockItem:
        return StockItem(
            provider=self.name,
            id=_file_id(file.path),
            kind=file.kind,
            width=file.width,
            height=file.height,
            duration=file.duration,
            download_url=file.path.resolve().as_uri(),
            page_url="",
            author="",
            licence=LICENCE,
            tags=tuple(sorted(file.keywords)),
        )

    def _path_of(self, item: StockItem) -> Path:
        for file in self.files:
            if _file_id(file.path) == item.id:
                return file.path
        raise NotFoundError(f"{item.id} is not in the local media library")


def _file_id(path: Path) -> str:
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:10]
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-")[:40] or "file"
    return f"{stem}-{digest}"


def _fits(file: LocalFile, query: StockQuery) -> bool:
    """Local files are the user's choice: only the resolution filter applies, not the
    orientation (the renderer crops to the frame)."""
    short, wanted = min(file.width, file.height), min(query.min_width, query.min_height)
    return short >= wanted
