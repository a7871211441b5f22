"""Stock footage: search the configured providers, download into a cache, match scenes.

* :class:`StockLibrary` holds the providers in the order they are tried, and a download cache
  keyed by provider and id (``<cache>/stock/<provider>/<id>.<ext>``): a second request for the
  same item reads the file already there and sends no request. A downloaded file is probed
  before it enters the cache; a file that is not a video or picture is deleted and reported.
* :func:`match_scenes` gives each scene a clip found by its visual keywords: videos first,
  photos when no video fits, never the same item twice in one video, preferring clips at
  least as long as the scene and closest to the frame's shape (9:16). A provider that fails
  (down, rate-limited, refusing the key) is skipped for the rest of the video with a one-line
  notice, and the next provider is asked; scenes left without a clip fall back to the user's
  media and then to generated backgrounds (decided by the caller).
"""

from __future__ import annotations

import itertools
import logging
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from video_orchestrator import atomic
from video_orchestrator.errors import (
    ConfigError,
    MediaError,
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
)
from video_orchestrator.pipeline.build_spec import (
    LEAD_IN_SECONDS,
    TAIL_SECONDS,
    scene_boundaries,
)
from video_orchestrator.pipeline.media import (
    IMAGE_EXTENSIONS,
    VIDEO_EXTENSIONS,
    MediaItem,
    assign_media,
)
from video_orchestrator.pipeline.voice import Narration
from video_orchestrator.ports.media import (
    MediaProvider,
    Orientation,
    StockItem,
    StockKind,
    StockQuery,
)
from video_orchestrator.render.probe import MediaInfo
from video_orchestrator.spec.timeline import Timebase
from video_orchestrator.text import normalise_keyword

log = logging.getLogger(__name__)

STOCK_DIR = "stock"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
#: Candidates tried per scene and provider when downloads fail before giving up on it.
MAX_ATTEMPTS = 3
#: Errors that mean "this provider cannot serve now", not "this item is bad".
PROVIDER_DOWN = (ProviderUnavailable, ProviderRateLimited, ProviderAuthError, ConfigError)
_STOP_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "from",
        "by",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "you",
        "your",
        "we",
        "our",
        "they",
        "their",
        "he",
        "she",
        "his",
        "her",
        "as",
        "than",
        "then",
        "so",
        "very",
        "just",
        "not",
        "no",
        "can",
        "will",
        "would",
        "could",
        "should",
        "into",
        "over",
        "under",
        "about",
        "more",
        "most",
    ]
)


@dataclass(frozen=True, slots=True)
class StockClip:
    """A stock item in the cache, with what the probe measured."""

    item: StockItem
    path: Path
    width: int
    height: int
    duration: float | None

    def media_item(self, keywords: Sequence[str] = ()) -> MediaItem:
        """The clip as the background of a scene."""
        return MediaItem(
            path=self.path,
            kind="video" if self.item.kind == "video" else "image",
            duration=self.duration if self.item.kind == "video" else None,
            width=self.width,
            height=self.height,
            keywords=frozenset(k.lower() for k in keywords),
        )


class StockLibrary:
    """The configured stock providers and their download cache."""

    def __init__(
        self,
        providers: Sequence[MediaProvider],
        *,
        cache_dir: Path,
        probe: Callable[[Path], MediaInfo],
        max_bytes: int,
        min_short_side: int = 720,
    ) -> None:
        self.providers = tuple(providers)
        self.root = cache_dir / STOCK_DIR
        self._probe = probe
        self.max_bytes = max_bytes
        self.min_short_side = min_short_side
        self.downloads = 0  # files fetched over the network by this library (not cache hits)

    def __repr__(self) -> str:
        return f"StockLibrary({[p.name for p in self.providers]})"

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.providers]

    def provider(self, name: str) -> MediaProvider:
        for provider in self.providers:
            if provider.name == name:
                return provider
        known = ", ".join(self.names) or "none (set VO_STOCK_PROVIDERS)"
        raise ConfigError(f"the stock provider {name!r} is not configured; configured: {known}")

    def query(
        self,
        text: str,
        kind: StockKind = "video",
        *,
        width: int = 1080,
        height: int = 1920,
        per_page: int = 15,
    ) -> StockQuery:
        """A search for footage fitting a ``width``×``height`` frame."""
        orientation: Orientation = (
            "portrait" if height > width else "landscape" if width > height else "square"
        )
        short = self.min_short_side
        return StockQuery(
            text=text,
            kind=kind,
            orientation=orientation,
            min_width=short,
            min_height=short,
            target_width=width,
            target_height=height,
            per_page=per_page,
        )

    # ------------------------------------------------------------------ the cache

    def cache_path(self, item: StockItem) -> Path:
        suffix = Path(urlsplit(item.download_url).path).suffix.lower()
        known = VIDEO_EXTENSIONS if item.kind == "video" else IMAGE_EXTENSIONS
        if suffix not in known:
            suffix = ".mp4" if item.kind == "video" else ".jpg"
        provider = _UNSAFE.sub("-", item.provider).strip(".-") or "provider"
        name = _UNSAFE.sub("-", item.id).strip(".-") or "item"
        return self.root / provider / f"{name}{suffix}"

    def fetch(self, item: StockItem) -> StockClip:
        """The item's file, from the cache or downloaded (streamed, size-limited, probed)."""
        final = self.cache_path(item)
        if not final.is_file():
            provider = self.provider(item.provider)
            with atomic.replacing(final, suffix=final.suffix, create=False) as staging:
                provider.download(item, staging, max_bytes=self.max_bytes)
                self._check(item, staging)
            self.downloads += 1
        info = self._check(item, final)
        assert info.video is not None  # checked
        return StockClip(
            item=item,
            path=final,
            width=info.video.width,
            height=info.video.height,
            duration=info.duration if info.kind == "video" else None,
        )

    def _check(self, item: StockItem, path: Path) -> MediaInfo:
        what = f"the {item.kind} {item.provider} sent for {item.id}"
        try:
            info = self._probe(path)
        except MediaError as exc:
            raise MediaError(f"{what} is not a readable video or picture ({exc})") from exc
        if info.video is None or info.video.width <= 0 or info.video.height <= 0:
            raise MediaError(f"{what} has no picture")
        if item.kind == "video" and (info.kind != "video" or not (info.duration or 0) > 0.1):
            raise MediaError(f"{what} is not a video")
        return info

    # ------------------------------------------------------------------ searching

    def search(
        self,
        text: str,
        kind: StockKind = "video",
        *,
        provider: str | None = None,
        width: int = 1080,
        height: int = 1920,
        per_page: int = 15,
    ) -> tuple[list[StockItem], list[str]]:
        """Results of the first provider that answers, and notices about those that failed.

        With ``provider`` only that one is asked and its failure is raised.
        """
        query = self.query(text, kind, width=width, height=height, per_page=per_page)
        if provider is not None:
            return self.provider(provider).search(query), []
        if not self.providers:
            raise ConfigError(
                "no stock provider is configured: set VO_STOCK_PROVIDERS (e.g. pexels) and "
                "its API keys (VO_PEXELS_API_KEYS)"
            )
        notices: list[str] = []
        failure: ProviderError | None = None
        for candidate in self.providers:
            try:
                return candidate.search(query), notices
            except ProviderError as exc:
                failure = exc
                notices.append(f"{candidate.name} failed: {exc}")
        assert failure is not None
        raise failure


# ---------------------------------------------------------------------- scene matching


@dataclass(frozen=True, slots=True)
class SceneNeed:
    keywords: tuple[str, ...]
    seconds: float


@dataclass
class StockMatch:
    clips: list[StockClip | None]
    notices: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # provider → why it was skipped


def query_texts(keywords: Sequence[str]) -> list[str]:
    """Search texts for a scene, most specific first: up to three keywords, then the first."""
    words = [k.strip() for k in keywords if k and k.strip()]
    words = [w for w in words if w.lower() not in _STOP_WORDS] or words
    unique: dict[str, str] = {}  # "waves" and "wave" are one keyword
    for word in words:
        unique.setdefault(normalise_keyword(word), word)
    words = list(unique.values())
    if not words:
        return []
    texts = [" ".join(words[:3])]
    if len(words) > 1:
        texts.append(words[0])
    return texts


def visual_keywords(keywords: Sequence[str], narration: str) -> tuple[str, ...]:
    """The scene's keywords, or the longest content words of its narration."""
    if keywords:
        return tuple(keywords)
    words = re.findall(r"[^\W\d_]{4,}", narration)
    content = [w.lower() for w in words if w.lower() not in _STOP_WORDS]
    ranked = sorted(dict.fromkeys(content), key=len, reverse=True)
    return tuple(ranked[:3])


def rank(candidates: Sequence[StockItem], seconds: float, aspect: float) -> list[StockItem]:
    """Best first: long enough for the scene, then closest to the frame's shape, then the
    provider's own order (its relevance)."""

    def key(entry: tuple[int, StockItem]) -> tuple[int, float, int]:
        position, item = entry
        long_enough = item.kind == "photo" or (item.duration or 0.0) >= seconds
        shape = abs(math.log(item.aspect / aspect)) if item.aspect > 0 and aspect > 0 else 9.0
        return (0 if long_enough else 1, round(shape, 3), position)

    return [item for _, item in sorted(enumerate(candidates), key=key)]


def match_scenes(
    library: StockLibrary,
    needs: Sequence[SceneNeed],
    *,
    width: int,
    height: int,
    exclude: frozenset[str] = frozenset(),
    on_scene: Callable[[int, int], None] | None = None,
) -> StockMatch:
    """One stock clip (or None) per scene; see the module docstring for the rules."""
    match = StockMatch(clips=[None] * len(needs))
    used: set[str] = set(exclude)
    searches: dict[tuple[str, str, str], list[StockItem]] = {}
    aspect = width / height
    providers = list(library.providers)

    def search(provider: MediaProvider, text: str, kind: StockKind) -> list[StockItem]:
        key = (provider.name, text, kind)
        if key not in searches:
            searches[key] = provider.search(library.query(text, kind, width=width, height=height))
        return searches[key]

    def clip_from(provider: MediaProvider, need: SceneNeed) -> StockClip | None:
        texts = query_texts(need.keywords)
        for kind in ("video", "photo"):
            candidates: list[StockItem] = []
            for text in texts:
                candidates = [i for i in search(provider, text, kind) if i.key not in used]
                if candidates:
                    break
            for item in rank(candidates, need.seconds, aspect)[:MAX_ATTEMPTS]:
                used.add(item.key)
                try:
                    return library.fetch(item)
                except PROVIDER_DOWN:
                    raise
                except (MediaError, ProviderError) as exc:
                    log.warning("skipped %s: %s", item.key, exc)
                    match.notices.append(f"skipped {item.key}: {exc}")
        return None

    for index, need in enumerate(needs):
        for position, provider in enumerate(providers):
            if provider.name in match.failed:
                continue
            try:
                clip = clip_from(provider, need)
            except PROVIDER_DOWN as exc:
                match.failed[provider.name] = str(exc)
                rest = [p.name for p in providers[position + 1 :] if p.name not in match.failed]
                instead = rest[0] if rest else "your media or generated backgrounds"
                match.notices.append(
                    f"stock footage from {provider.name} failed ({exc}); using {instead} instead"
                )
                continue
            except ProviderError as exc:  # an unusable answer: this scene only
                match.notices.append(f"stock search on {provider.name} failed: {exc}")
                continue
            if clip is not None:
                match.clips[index] = clip
                break
        if on_scene is not None:
            on_scene(index + 1, len(needs))
    missing = sum(1 for clip in match.clips if clip is None)
    if missing and len(match.failed) < len(providers):
        match.notices.append(
            f"no stock footage matched {missing} of {len(needs)} scenes; they use your media "
            "or generated backgrounds"
        )
    return match


def scene_seconds(narration: Narration, scenes: int, fps: int) -> list[float]:
    """How long each scene's background is on screen, as the spec builder will cut it."""
    tb = Timebase.of(fps)
    lead_in = tb.to_frames(LEAD_IN_SECONDS)
    total = lead_in + tb.ceil_frames(narration.duration + TAIL_SECONDS)
    cuts = scene_boundaries(narration, max(scenes, 1), tb, lead_in, total)
    return [float((b - a) / tb.fps) for a, b in itertools.pairwise(cuts)]


# ---------------------------------------------------------------------- the make step


@dataclass
class Backgrounds:
    """A background per scene, the credits for the stock ones, and what to tell the user."""

    media: list[MediaItem | None]
    credits: list[dict[str, object]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def stock_backgrounds(
    library: StockLibrary,
    scene_keywords: Sequence[Sequence[str]],
    narrations: Sequence[str],
    items: Sequence[MediaItem],
    *,
    seconds: Sequence[float],
    width: int,
    height: int,
    on_scene: Callable[[int, int], None] | None = None,
) -> Backgrounds:
    """Backgrounds with stock footage: the user's files whose names match a scene's keywords
    stay first; stock footage fills the other scenes; scenes stock cannot fill take the
    user's remaining files in name order, then generated backgrounds (None)."""
    chosen = assign_media(
        [
            kws or narration.split()
            for kws, narration in zip(scene_keywords, narrations, strict=True)
        ],
        items,
        fill=False,
    )
    found = stock_for_open_scenes(
        library,
        scene_keywords,
        narrations,
        chosen,
        seconds=seconds,
        width=width,
        height=height,
        on_scene=on_scene,
    )
    chosen = found.media  # filled in place below
    rest = [index for index, item in enumerate(chosen) if item is None]
    if rest and items:
        unused = [item for item in items if item not in chosen] or list(items)
        filled = assign_media([list(scene_keywords[i]) or [] for i in rest], unused)
        for index, item in zip(rest, filled, strict=True):
            chosen[index] = item
    return found


def stock_for_open_scenes(
    library: StockLibrary,
    scene_keywords: Sequence[Sequence[str]],
    narrations: Sequence[str],
    chosen: Sequence[MediaItem | None],
    *,
    seconds: Sequence[float],
    width: int,
    height: int,
    on_scene: Callable[[int, int], None] | None = None,
) -> Backgrounds:
    """``chosen`` (one entry per scene) with stock footage in the scenes that have no
    background (None); the others keep theirs, and scenes stock cannot fill stay None
    (a generated background)."""
    media = list(chosen)
    open_scenes = [index for index, item in enumerate(media) if item is None]
    needs = [
        SceneNeed(
            keywords=visual_keywords(scene_keywords[i], narrations[i]),
            seconds=seconds[i] if i < len(seconds) else 0.0,
        )
        for i in open_scenes
    ]
    match = match_scenes(library, needs, width=width, height=height, on_scene=on_scene)
    credits: list[dict[str, object]] = []
    for index, clip in zip(open_scenes, match.clips, strict=True):
        if clip is not None:
            media[index] = clip.media_item(clip.item.tags)
            credits.append({"scene": index + 1, **clip.item.credit()})
    return Backgrounds(media=media, credits=credits, notices=match.notices)
