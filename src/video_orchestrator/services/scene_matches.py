"""Library clips and pictures matched to a project's scenes by keywords, with the CLI's own
matcher (:func:`~video_orchestrator.pipeline.media.assign_media`: the most shared keywords
win, each file used once): an asset's keywords are its file name's words and its tags, a
scene's are its visual keywords (or its narration's words when it has none), as in
``vo make --media``. Only real matches are made; a scene sharing no word gets none."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

from video_orchestrator.domain.script import Script
from video_orchestrator.pipeline.media import MediaItem, assign_media
from video_orchestrator.services.assets import AssetOut
from video_orchestrator.text import keywords_of


@dataclass(frozen=True)
class SceneMatch:
    """Scene ``scene`` (0-based) matched to ``asset_id`` by the ``words`` they share."""

    scene: int
    asset_id: str
    filename: str
    words: tuple[str, ...]


def scene_keywords(script: Script) -> list[list[str]]:
    """Each scene's words for matching, as ``vo make`` takes them."""
    return [list(s.keywords) or s.narration.split() for s in script.scenes]


def asset_keywords(asset: AssetOut) -> frozenset[str]:
    return keywords_of(" ".join([PurePath(asset.filename).stem, *asset.tags]))


def scene_matches(script: Script, assets: Sequence[AssetOut]) -> list[SceneMatch | None]:
    """One entry per scene: the library asset its keywords match best, or None."""
    usable = [a for a in assets if a.kind in ("video", "image")]
    items = [
        MediaItem(
            path=Path(asset.id),  # a handle for the match, never opened
            kind=asset.kind,
            duration=asset.duration,
            width=asset.width or 0,
            height=asset.height or 0,
            keywords=asset_keywords(asset),
        )
        for asset in usable
    ]
    wanted = scene_keywords(script)
    chosen = assign_media(wanted, items, fill=False)
    by_id = {asset.id: asset for asset in usable}
    matches: list[SceneMatch | None] = []
    for index, item in enumerate(chosen):
        if item is None:
            matches.append(None)
            continue
        asset = by_id[str(item.path)]
        scene_words = frozenset[str]().union(*(keywords_of(w) for w in wanted[index]))
        shared = tuple(sorted(scene_words & item.keywords))
        matches.append(SceneMatch(index, asset.id, asset.filename, shared))
    return matches
