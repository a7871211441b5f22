"""Pixabay as a ``MediaProvider``.

Documented API (https://pixabay.com/api/docs/):

* ``GET {base}/api/`` (images, ``image_type=photo``) and ``GET {base}/api/videos/`` with
  ``key``, ``q`` (≤ 100 characters), ``min_width``, ``min_height``, ``per_page`` (3–200),
  ``page`` and ``safesearch``; images also take ``orientation`` (all | horizontal |
  vertical). Videos have no orientation filter, so it is applied here to the renditions.
* A video lists renditions under ``videos.{large,medium,small,tiny}`` (``url``, ``width``,
  ``height``, ``size``, ``thumbnail``; an unavailable one has an empty URL); a photo's
  ``largeImageURL`` is scaled to at most 1280 px on its long side.
* Every answer carries ``X-RateLimit-Limit``, ``X-RateLimit-Remaining`` and
  ``X-RateLimit-Reset`` (seconds until the window resets); a wrong key is answered with
  HTTP 400 ``[ERROR 400] … API key`` (treated like 401), too many requests with 429.
* Licence: the Pixabay Content License (no attribution required; it is kept anyway).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

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
)
from video_orchestrator.providers.transport import redact_key_queries_in_httpx_logs

DEFAULT_BASE_URL = "https://pixabay.com"
LICENCE = "Pixabay Content License"
LICENCE_URL = "https://pixabay.com/service/license-summary/"
LARGE_IMAGE_SIDE = 1280
RENDITIONS = ("large", "medium", "small", "tiny")


def _is_key_error(response: httpx.Response) -> bool:
    return "key" in response.text.lower()


class PixabaySettings(ProviderSettings):
    """``VO_PIXABAY_*`` and ``VO_STOCK_TIMEOUT``."""

    required: ClassVar[str] = "VO_PIXABAY_API_KEYS"

    pixabay_api_keys: list[str]
    pixabay_base_url: str
    stock_timeout: float


class PixabayMedia(Provider[PixabaySettings]):
    """Search Pixabay videos and photos; download one rendition."""

    name = "pixabay"
    settings_model = PixabaySettings

    def __init__(
        self,
        *,
        api_keys: Sequence[str],
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 20.0,
        client: httpx.Client | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        redact_key_queries_in_httpx_logs()  # the key travels in the query string
        self.http = StockHTTP(
            label="Pixabay",
            base_url=base_url,
            keys=api_keys,
            setting="VO_PIXABAY_API_KEYS",
            base_url_setting="VO_PIXABAY_BASE_URL",
            authorize=lambda key: ({}, {"key": key}),
            timeout=timeout,
            rate_headers=RateHeaders(
                limit="X-RateLimit-Limit",
                remaining="X-RateLimit-Remaining",
                reset="X-RateLimit-Reset",
            ),
            is_auth_error=_is_key_error,
            client=client,
            clock=clock,
        )

    @classmethod
    def from_settings(cls, settings: PixabaySettings) -> PixabayMedia:
        return cls(
            api_keys=settings.pixabay_api_keys,
            base_url=settings.pixabay_base_url,
            timeout=settings.stock_timeout,
        )

    def __repr__(self) -> str:
        return f"PixabayMedia({self.http.base_url!r}, {len(self.http.keys)} keys)"

    # ------------------------------------------------------------------ the port

    def search(self, query: StockQuery) -> list[StockItem]:
        params: dict[str, str | int] = {
            "q": query.text[:100],
            "per_page": max(3, min(query.per_page, 200)),
            "page": max(1, query.page),
            "safesearch": "true",
        }
        if query.min_width:
            params["min_width"] = query.min_width
        if query.min_height:
            params["min_height"] = query.min_height
        if query.kind == "video":
            data = self.http.get_json("/api/videos/", params)
            return self._items(data, lambda raw: self._video(raw, query))
        params["image_type"] = "photo"
        orientation = {"portrait": "vertical", "landscape": "horizontal"}.get(query.orientation)
        if orientation:
            params["orientation"] = orientation
        data = self.http.get_json("/api/", params)
        return self._items(data, lambda raw: self._photo(raw, query))

    def download(self, item: StockItem, out_path: Path, *, max_bytes: int) -> Path:
        return self.http.download(item.download_url, out_path, max_bytes=max_bytes)

    # ------------------------------------------------------------------ answers

    def _items(
        self, data: Any, convert: Callable[[dict[str, Any]], StockItem | None]
    ) -> list[StockItem]:
        hits = data.get("hits") if isinstance(data, dict) else None
        if not isinstance(hits, list):
            raise ProviderError("Pixabay sent an answer without a 'hits' list")
        items = []
        for raw in hits:
            if isinstance(raw, dict) and raw.get("id") is not None:
                item = convert(raw)
                if item is not None:
                    items.append(item)
        return items

    def _common(self, raw: dict[str, Any]) -> dict[str, Any]:
        user = str(raw.get("user") or "")
        user_id = raw.get("user_id")
        return {
            "provider": self.name,
            "id": str(raw["id"]),
            "page_url": str(raw.get("pageURL") or ""),
            "author": user,
            "author_url": f"https://pixabay.com/users/{user}-{user_id}/" if user else "",
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
            "tags": tuple(
                t.strip().lower() for t in str(raw.get("tags") or "").split(",") if t.strip()
            ),
        }

    def _video(self, raw: dict[str, Any], query: StockQuery) -> StockItem | None:
        videos = raw.get("videos")
        if not isinstance(videos, dict):
            return None
        candidates = []
        for name in RENDITIONS:
            rendition = videos.get(name)
            if isinstance(rendition, dict) and rendition.get("url"):
                candidates.append(
                    (as_int(rendition.get("width")), as_int(rendition.get("height")), rendition)
                )
        chosen = choose_rendition(candidates, query)
        if chosen is None:
            return None
        duration = raw.get("duration")
        return StockItem(
            kind="video",
            width=as_int(chosen.get("width")),
            height=as_int(chosen.get("height")),
            duration=float(duration) if isinstance(duration, int | float) else None,
            download_url=str(chosen["url"]),
            preview_url=str(chosen.get("thumbnail") or ""),
            **self._common(raw),
        )

    def _photo(self, raw: dict[str, Any], query: StockQuery) -> StockItem | None:
        url = raw.get("largeImageURL")
        if not isinstance(url, str) or not url:
            return None
        width, height = as_int(raw.get("imageWidth")), as_int(raw.get("imageHeight"))
        long_side = max(width, height)
        if long_side > LARGE_IMAGE_SIDE:
            scale = LARGE_IMAGE_SIDE / long_side
            width, height = round(width * scale), round(height * scale)
        if not fits_orientation(width, height, query.orientation):
            return None
        if width < query.min_width or height < query.min_height:
            return None
        return StockItem(
            kind="photo",
            width=width,
            height=height,
            duration=None,
            download_url=url,
            preview_url=str(raw.get("previewURL") or raw.get("webformatURL") or ""),
            **self._common(raw),
        )
