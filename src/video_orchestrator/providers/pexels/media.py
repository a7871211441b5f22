"""Pexels as a ``MediaProvider``.

Documented API (https://www.pexels.com/api/documentation/):

* ``GET {base}/videos/search`` and ``GET {base}/v1/search`` (photos) with ``query``,
  ``orientation`` (landscape | portrait | square), ``size`` (small | medium | large: the
  minimum size), ``per_page`` (≤ 80) and ``page``; the key goes in the ``Authorization``
  header as it is (no "Bearer").
* A video lists its renditions in ``video_files`` (``width``, ``height``, ``link``,
  ``quality``, ``file_type``); the one closest to the output frame that is at least the
  minimum resolution is chosen. A photo's ``src.original`` takes ``h``/``w`` parameters for a
  resized copy, so photos are fetched at the output height instead of their full 24 MP.
* Every answer carries ``X-Ratelimit-Limit``, ``X-Ratelimit-Remaining`` and
  ``X-Ratelimit-Reset`` (a UNIX timestamp): a key with 0 remaining rests until then.
* Licence: the Pexels License (free to use, attribution appreciated): the author and page
  go with every item.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

import httpx

from video_orchestrator.errors import ProviderError
from video_orchestrator.ports.media import StockItem, StockQuery
from video_orchestrator.ports.provider import Provider, ProviderSettings
from video_orchestrator.providers._stockhttp import (
    RateHeaders,
    StockHTTP,
    as_int,
    choose_rendition,
    fits_orientation,
    slug_words,
)

DEFAULT_BASE_URL = "https://api.pexels.com"
LICENCE = "Pexels License"
LICENCE_URL = "https://www.pexels.com/license/"
MAX_PER_PAGE = 80


class PexelsSettings(ProviderSettings):
    """``VO_PEXELS_*`` and ``VO_STOCK_TIMEOUT``."""

    required: ClassVar[str] = "VO_PEXELS_API_KEYS"

    pexels_api_keys: list[str]
    pexels_base_url: str
    stock_timeout: float


class PexelsMedia(Provider[PexelsSettings]):
    """Search Pexels videos and photos; download one rendition."""

    name = "pexels"
    settings_model = PexelsSettings

    def __init__(
        self,
        *,
        api_keys: Sequence[str],
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 20.0,
        client: httpx.Client | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.http = StockHTTP(
            label="Pexels",
            base_url=base_url,
            keys=api_keys,
            setting="VO_PEXELS_API_KEYS",
            base_url_setting="VO_PEXELS_BASE_URL",
            authorize=lambda key: ({"Authorization": key}, {}),
            timeout=timeout,
            rate_headers=RateHeaders(
                limit="X-Ratelimit-Limit",
                remaining="X-Ratelimit-Remaining",
                reset="X-Ratelimit-Reset",
            ),
            client=client,
            clock=clock,
        )

    @classmethod
    def from_settings(cls, settings: PexelsSettings) -> PexelsMedia:
        return cls(
            api_keys=settings.pexels_api_keys,
            base_url=settings.pexels_base_url,
            timeout=settings.stock_timeout,
        )

    def __repr__(self) -> str:
        return f"PexelsMedia({self.http.base_url!r}, {len(self.http.keys)} keys)"

    # ------------------------------------------------------------------ the port

    def search(self, query: StockQuery) -> list[StockItem]:
        params: dict[str, str | int] = {
            "query": query.text,
            "per_page": max(1, min(query.per_page, MAX_PER_PAGE)),
            "page": max(1, query.page),
        }
        if query.orientation != "any":
            params["orientation"] = query.orientation
        size = _size(query)
        if size:
            params["size"] = size
        if query.kind == "video":
            data = self.http.get_json("/videos/search", params)
            return self._items(data, "videos", lambda raw: self._video(raw, query))
        data = self.http.get_json("/v1/search", params)
        return self._items(data, "photos", lambda raw: self._photo(raw, query))

    def download(self, item: StockItem, out_path: Path, *, max_bytes: int) -> Path:
        return self.http.download(item.download_url, out_path, max_bytes=max_bytes)

    # ------------------------------------------------------------------ answers

    def _items(
        self, data: Any, field: str, convert: Callable[[dict[str, Any]], StockItem | None]
    ) -> list[StockItem]:
        entries = data.get(field) if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise ProviderError(f"Pexels sent an answer without a {field!r} list")
        items = []
        for raw in entries:
            if isinstance(raw, dict):
                item = convert(raw)
                if item is not None:
                    items.append(item)
        return items

    def _video(self, raw: dict[str, Any], query: StockQuery) -> StockItem | None:
        files = raw.get("video_files")
        if not isinstance(files, list) or raw.get("id") is None:
            return None
        candidates = [
            (as_int(f.get("width")), as_int(f.get("height")), f)
            for f in files
            if isinstance(f, dict)
            and isinstance(f.get("link"), str)
            and str(f.get("file_type", "video/mp4")).startswith("video/")
        ]
        chosen = choose_rendition(candidates, query)
        if chosen is None:
            return None
        user_raw = raw.get("user")
        user: dict[str, Any] = user_raw if isinstance(user_raw, dict) else {}
        page = str(raw.get("url") or "")
        duration = raw.get("duration")
        return StockItem(
            provider=self.name,
            id=str(raw["id"]),
            kind="video",
            width=as_int(chosen.get("width")),
            height=as_int(chosen.get("height")),
            duration=float(duration) if isinstance(duration, int | float) else None,
            download_url=str(chosen["link"]),
            preview_url=str(raw.get("image") or ""),
            page_url=page,
            author=str(user.get("name") or ""),
            author_url=str(user.get("url") or ""),
            licence=LICENCE,
            licence_url=LICENCE_URL,
            tags=slug_words(page),
        )

    def _photo(self, raw: dict[str, Any], query: StockQuery) -> StockItem | None:
        src = raw.get("src")
        if not isinstance(src, dict) or not isinstance(src.get("original"), str):
            return None
        width, height = as_int(raw.get("width")), as_int(raw.get("height"))
        if not fits_orientation(width, height, query.orientation):
            return None
        url = str(src["original"])
        upright = height >= width
        target = query.target_height if upright else query.target_width
        long_side = max(width, height)
        if target and long_side > target:  # ask Pexels for a copy the size of the frame
            scale = target / long_side
            width, height = round(width * scale), round(height * scale)
            side = "h" if upright else "w"
            joiner = "&" if urlsplit(url).query else "?"
            url = f"{url}{joiner}{urlencode({'auto': 'compress', 'cs': 'tinysrgb', side: target})}"
        if width < query.min_width or height < query.min_height:
            return None
        page = str(raw.get("url") or "")
        alt = str(raw.get("alt") or "")
        return StockItem(
            provider=self.name,
            id=str(raw.get("id")),
            kind="photo",
            width=width,
            height=height,
            duration=None,
            download_url=url,
            preview_url=str(src.get("medium") or src.get("tiny") or ""),
            page_url=page,
            author=str(raw.get("photographer") or ""),
            author_url=str(raw.get("photographer_url") or ""),
            licence=LICENCE,
            licence_url=LICENCE_URL,
            tags=tuple(w.lower() for w in alt.replace(",", " ").split() if w.isalpha())
            or slug_words(page),
        )


def _size(query: StockQuery) -> str | None:
    """Pexels' ``size`` filter (a minimum) from the minimum resolution asked for."""
    short = min(query.min_width, query.min_height)
    if query.kind == "video":  # small = HD, medium = Full HD, large = 4K
        if short >= 2160:
            return "large"
        if short >= 1080:
            return "medium"
        return "small" if short >= 720 else None
    megapixels = query.min_width * query.min_height / 1_000_000  # small 4, medium 12, large 24
    if megapixels >= 24:
        return "large"
    if megapixels >= 12:
        return "medium"
    return "small" if megapixels >= 4 else None
