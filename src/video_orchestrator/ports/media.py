"""Stock media port: search a footage library by keywords, download one rendition.

Adapters (Pexels, Pixabay, the local library) live in ``providers/`` and are registered under
the entry-point group ``ports.MEDIA_ENTRY_POINTS``. A provider answers a :class:`StockQuery`
with :class:`StockItem` values that carry everything needed later: the rendition to download,
its size and length, and the author, licence and page to credit.

Errors: ``ProviderUnavailable`` (unreachable, timed out, 5xx), ``ProviderRateLimited`` (every
key is over its limit; ``retry_after`` says when one is free again), ``ProviderAuthError``
(every key was refused), ``ProviderError`` (any other unusable answer), ``PayloadTooLarge``
(a download over the size limit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

StockKind = Literal["video", "photo"]
Orientation = Literal["portrait", "landscape", "square", "any"]

#: The aspect ratio (width / height) of a vertical short.
PORTRAIT_ASPECT = 9 / 16


@dataclass(frozen=True, slots=True)
class StockQuery:
    """A search: keywords, the kind of media, and the smallest rendition worth using.

    ``min_width``/``min_height`` apply to the rendition that would be downloaded;
    ``target_width``/``target_height`` is the size a provider aims for when it chooses one
    rendition among several (the output frame).
    """

    text: str
    kind: StockKind = "video"
    orientation: Orientation = "portrait"
    min_width: int = 0
    min_height: int = 0
    target_width: int = 1080
    target_height: int = 1920
    per_page: int = 15
    page: int = 1


@dataclass(frozen=True, slots=True)
class StockItem:
    """One search result, reduced to the rendition chosen for download.

    ``id`` is the provider's own id (as text); ``key`` (``provider:id``) is unique across
    providers. ``duration`` is in seconds for videos and None for photos.
    """

    provider: str
    id: str
    kind: StockKind
    width: int
    height: int
    duration: float | None
    download_url: str
    preview_url: str = ""
    page_url: str = ""
    author: str = ""
    author_url: str = ""
    licence: str = ""
    licence_url: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def key(self) -> str:
        return f"{self.provider}:{self.id}"

    @property
    def aspect(self) -> float:
        return self.width / self.height if self.height > 0 else 0.0

    def attribution(self) -> str:
        """A credit line, e.g. ``Video by Jane Doe on Pexels (https://…)``."""
        what = "Video" if self.kind == "video" else "Photo"
        source = self.provider.capitalize() if self.provider else "stock"
        by = f" by {self.author}" if self.author else ""
        page = f" ({self.page_url})" if self.page_url else ""
        return f"{what}{by} on {source}{page}"

    def credit(self) -> dict[str, object]:
        """Everything a credit needs, as plain JSON-ready data (for the metadata file)."""
        return {
            "provider": self.provider,
            "id": self.id,
            "kind": self.kind,
            "author": self.author,
            "author_url": self.author_url,
            "page_url": self.page_url,
            "licence": self.licence,
            "licence_url": self.licence_url,
            "attribution": self.attribution(),
        }


@runtime_checkable
class MediaProvider(Protocol):
    """A footage library: search it, download one item's rendition to a file.

    ``download`` streams to ``out_path`` atomically (a temporary file, then a rename) and
    refuses more than ``max_bytes`` with ``PayloadTooLarge``, leaving no file behind.
    Registered adapters subclass ``ports.provider.Provider`` (settings section, kind).
    """

    name: str

    def search(self, query: StockQuery) -> list[StockItem]: ...

    def download(self, item: StockItem, out_path: Path, *, max_bytes: int) -> Path: ...
