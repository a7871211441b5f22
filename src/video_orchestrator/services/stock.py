"""Building the stock footage library from settings (part of the composition root)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from video_orchestrator.config import Settings
from video_orchestrator.errors import ConfigError, MediaError
from video_orchestrator.pipeline.stock import StockLibrary
from video_orchestrator.ports import MEDIA_ENTRY_POINTS
from video_orchestrator.ports.media import MediaProvider
from video_orchestrator.providers.local.media import LocalFile, LocalMedia
from video_orchestrator.render.probe import probe
from video_orchestrator.services.registry import build_provider, provider_class

#: The name under which the user's own media folder is searched like a stock provider.
LOCAL = LocalMedia.name


def inspect_local(path: Path) -> LocalFile | None:
    """A file of the user's library as the local provider sees it (None when unusable)."""
    try:
        info = probe(path)
    except MediaError:
        return None
    if info.video is None or info.video.width <= 0 or info.video.height <= 0:
        return None
    if info.kind == "image":
        return LocalFile(path, "photo", info.video.width, info.video.height, None)
    if not (info.duration or 0) > 0.1:
        return None
    return LocalFile(path, "video", info.video.width, info.video.height, info.duration)


def local_media(folder: Path) -> LocalMedia:
    return LocalMedia.from_folder(folder, inspect_local)


def media_provider(settings: Settings, name: str) -> MediaProvider:
    """The stock provider registered as ``name`` under ``video_orchestrator.media``."""
    built = build_provider(provider_class(MEDIA_ENTRY_POINTS, name), name, settings)
    if not isinstance(built, MediaProvider):
        raise ConfigError(f"the stock provider {name!r} is not configured or not a media provider")
    return built


def build_stock_library(
    settings: Settings,
    *,
    names: Sequence[str] | None = None,
    extra: Sequence[MediaProvider] = (),
) -> StockLibrary:
    """The providers named in ``VO_STOCK_PROVIDERS`` (or ``names``) in order, then ``extra``."""
    chosen = [n.strip().lower() for n in (settings.stock_providers if names is None else names)]
    providers = [media_provider(settings, n) for n in dict.fromkeys(chosen) if n and n != LOCAL]
    return StockLibrary(
        [*providers, *extra],
        cache_dir=settings.cache_dir,
        probe=probe,
        max_bytes=int(settings.stock_max_download_mb * 1_000_000),
        min_short_side=settings.stock_min_short_side,
    )
