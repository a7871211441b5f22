"""Scene-to-clip matching, the download cache and provider fallback, with in-memory
providers (the HTTP adapters have their own suites against a local server)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from video_orchestrator.errors import (
    ConfigError,
    MediaError,
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
)
from video_orchestrator.pipeline.media import MediaItem
from video_orchestrator.pipeline.stock import (
    SceneNeed,
    StockClip,
    StockLibrary,
    match_scenes,
    query_texts,
    rank,
    stock_backgrounds,
    stock_for_open_scenes,
    visual_keywords,
)
from video_orchestrator.ports.media import MediaProvider, StockItem, StockQuery
from video_orchestrator.render.probe import MediaInfo, VideoStreamInfo


def item(
    id: str,
    *tags: str,
    provider: str = "mem",
    kind: str = "video",
    size: tuple[int, int] = (1080, 1920),
    duration: float | None = 10.0,
) -> StockItem:
    return StockItem(
        provider=provider,
        id=id,
        kind="video" if kind == "video" else "photo",
        width=size[0],
        height=size[1],
        duration=duration if kind == "video" else None,
        download_url=f"https://cdn.example/{id}.{'mp4' if kind == 'video' else 'jpg'}",
        author="Ann",
        page_url=f"https://example/{id}",
        licence="Test licence",
        tags=tags,
    )


class MemoryProvider:
    """A provider over a fixed list; every download writes the item key into the file."""

    def __init__(self, name: str, items: list[StockItem], error: Exception | None = None) -> None:
        self.name = name
        self.items = items
        self.error = error
        self.searches: list[StockQuery] = []
        self.downloaded: list[str] = []

    def search(self, query: StockQuery) -> list[StockItem]:
        self.searches.append(query)
        if self.error is not None:
            raise self.error
        words = set(query.text.lower().split())
        return [i for i in self.items if i.kind == query.kind and words & set(i.tags)]

    def download(self, item: StockItem, out_path: Path, *, max_bytes: int) -> Path:
        self.downloaded.append(item.key)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text(item.key)
        return out_path


class FakeProbe:
    """Measures files written by MemoryProvider; keys in ``broken`` are not media."""

    def __init__(self, catalogue: list[StockItem], broken: frozenset[str] = frozenset()) -> None:
        self.items = {i.key: i for i in catalogue}
        self.broken = broken

    def __call__(self, path: Path) -> MediaInfo:
        key = path.read_text()
        if key in self.broken:
            raise MediaError(f"{path.name} is not a media file")
        found = self.items[key]
        video = VideoStreamInfo(
            "h264", None, found.width, found.height, None, 25.0, None, None, None
        )
        return MediaInfo(
            path=path,
            kind="video" if found.kind == "video" else "image",
            format_name="mp4",
            container="mp4",
            duration=found.duration,
            size_bytes=10,
            bit_rate=None,
            video=video,
            audio=None,
            major_brand=None,
            moov_before_mdat=None,
        )


def library(
    tmp_path: Path, *providers: MemoryProvider, broken: frozenset[str] = frozenset()
) -> StockLibrary:
    catalogue = [i for p in providers for i in p.items]
    return StockLibrary(
        list(providers), cache_dir=tmp_path, probe=FakeProbe(catalogue, broken), max_bytes=10**6
    )


def needs(*keywords: str, seconds: float = 5.0) -> list[SceneNeed]:
    return [SceneNeed((k,), seconds) for k in keywords]


def picked(clips: Sequence[StockClip | None]) -> list[str | None]:
    return [c.item.key if c is not None else None for c in clips]


# --------------------------------------------------------------------------- matching


def test_the_same_clip_is_never_used_twice(tmp_path: Path) -> None:
    provider = MemoryProvider("mem", [item("a", "ocean"), item("b", "ocean"), item("c", "ocean")])
    match = match_scenes(library(tmp_path, provider), needs("ocean", "ocean", "ocean", "ocean"),
                         width=1080, height=1920)  # fmt: skip
    keys = picked(match.clips)
    assert keys[:3] == ["mem:a", "mem:b", "mem:c"]
    assert keys[3] is None, "a fourth scene does not repeat a clip"
    assert len(provider.searches) == 2, "one video and one photo search, then cached"
    assert any("no stock footage matched 1 of 4" in n for n in match.notices)


def test_a_clip_long_enough_wins_over_a_better_shape(tmp_path: Path) -> None:
    short_portrait = item("short", "ocean", duration=3.0)
    long_landscape = item("long", "ocean", size=(1920, 1080), duration=12.0)
    provider = MemoryProvider("mem", [short_portrait, long_landscape])
    match = match_scenes(library(tmp_path, provider), needs("ocean", seconds=6.0),
                         width=1080, height=1920)  # fmt: skip
    assert picked(match.clips) == ["mem:long"]


def test_among_long_enough_clips_the_closest_to_9_16_wins(tmp_path: Path) -> None:
    candidates = [
        item("square", "ocean", size=(1080, 1080)),
        item("wide", "ocean", size=(1920, 1080)),
        item("upright", "ocean", size=(720, 1280)),
        item("tall-4-5", "ocean", size=(1080, 1350)),
    ]
    ordered = rank(candidates, 5.0, 9 / 16)
    assert [i.id for i in ordered] == ["upright", "tall-4-5", "square", "wide"]


def test_equal_clips_keep_the_providers_relevance_order() -> None:
    candidates = [item(str(n), "x") for n in range(5)]
    assert [i.id for i in rank(candidates, 1.0, 9 / 16)] == ["0", "1", "2", "3", "4"]


def test_a_photo_is_the_fallback_when_no_video_fits(tmp_path: Path) -> None:
    provider = MemoryProvider("mem", [item("v", "forest"), item("p", "desert", kind="photo")])
    match = match_scenes(library(tmp_path, provider), needs("forest", "desert"),
                         width=1080, height=1920)  # fmt: skip
    assert picked(match.clips) == ["mem:v", "mem:p"]
    assert [q.kind for q in provider.searches] == ["video", "video", "photo"]
    assert match.clips[1] is not None and match.clips[1].media_item().kind == "image"


def test_a_broader_query_is_tried_when_the_full_one_finds_nothing(tmp_path: Path) -> None:
    class AllWords(MemoryProvider):  # finds only items tagged with every word of the query
        def search(self, query: StockQuery) -> list[StockItem]:
            self.searches.append(query)
            words = set(query.text.split())
            return [i for i in self.items if words <= set(i.tags)]

    provider = AllWords("mem", [item("v", "ocean")])
    need = [SceneNeed(("ocean", "tiny", "submarine"), 5.0)]
    match = match_scenes(library(tmp_path, provider), need, width=1080, height=1920)
    assert picked(match.clips) == ["mem:v"]
    assert [q.text for q in provider.searches] == ["ocean tiny submarine", "ocean"]


@pytest.mark.parametrize(
    "error",
    [
        ProviderUnavailable("Pexels answered HTTP 503"),
        ProviderRateLimited("over the limit", retry_after=30),
        ProviderAuthError("refused"),
        ConfigError("no Pexels API key"),
    ],
)
def test_a_failing_provider_falls_back_to_the_next(tmp_path: Path, error: Exception) -> None:
    first = MemoryProvider("pexels", [item("a", "ocean", provider="pexels")], error=error)
    second = MemoryProvider(
        "pixabay", [item("b", "ocean", provider="pixabay"), item("c", "ocean", provider="pixabay")]
    )
    match = match_scenes(library(tmp_path, first, second), needs("ocean", "ocean"),
                         width=1080, height=1920)  # fmt: skip
    assert picked(match.clips) == ["pixabay:b", "pixabay:c"]
    assert len(first.searches) == 1, "a failed provider is not asked again in the same video"
    (notice,) = match.notices
    assert notice.startswith("stock footage from pexels failed (")
    assert notice.endswith("using pixabay instead")
    assert "\n" not in notice
    assert set(match.failed) == {"pexels"}


def test_every_provider_failing_leaves_the_scenes_to_the_fallback(tmp_path: Path) -> None:
    down = MemoryProvider("pexels", [], error=ProviderUnavailable("down"))
    match = match_scenes(library(tmp_path, down), needs("ocean", "sky"), width=1080, height=1920)
    assert match.clips == [None, None]
    assert match.notices == [
        "stock footage from pexels failed (down); using your media or generated backgrounds instead"
    ]


def test_an_unusable_answer_skips_the_scene_not_the_provider(tmp_path: Path) -> None:
    provider = MemoryProvider("mem", [item("a", "sky")], error=ProviderError("not JSON"))
    match = match_scenes(library(tmp_path, provider), needs("sky", "sky"),
                         width=1080, height=1920)  # fmt: skip
    assert match.clips == [None, None]
    assert match.failed == {}
    assert len(provider.searches) == 2


def test_a_download_that_is_not_media_is_discarded_and_the_next_used(tmp_path: Path) -> None:
    provider = MemoryProvider("mem", [item("bad", "ocean"), item("good", "ocean")])
    lib = library(tmp_path, provider, broken=frozenset({"mem:bad"}))
    match = match_scenes(lib, needs("ocean"), width=1080, height=1920)
    assert picked(match.clips) == ["mem:good"]
    assert any("skipped mem:bad" in n and "not a readable" in n for n in match.notices)
    assert sorted(p.name for p in (tmp_path / "stock" / "mem").iterdir()) == ["good.mp4"]


# --------------------------------------------------------------------------- the cache


def test_a_second_fetch_of_the_same_item_downloads_nothing(tmp_path: Path) -> None:
    clip = item("a", "ocean")
    provider = MemoryProvider("mem", [clip])
    lib = library(tmp_path, provider)
    first = lib.fetch(clip)
    second = lib.fetch(clip)
    assert first.path == second.path == tmp_path / "stock" / "mem" / "a.mp4"
    assert provider.downloaded == ["mem:a"]
    assert lib.downloads == 1
    assert (first.width, first.height, first.duration) == (1080, 1920, 10.0)


def test_cache_names_are_safe(tmp_path: Path) -> None:
    lib = library(tmp_path)
    hostile = StockItem("../evil", "../../x y", "photo", 1, 1, None, "https://h/p.PNG?x=1")
    path = lib.cache_path(hostile)
    assert path.parent.parent == tmp_path / "stock"
    assert path.name == "x-y.png"
    odd = StockItem("p", "7", "video", 1, 1, 1.0, "https://h/stream?id=7")
    assert lib.cache_path(odd).name == "7.mp4"


def test_a_broken_download_leaves_no_file(tmp_path: Path) -> None:
    clip = item("bad", "x")
    lib = library(tmp_path, MemoryProvider("mem", [clip]), broken=frozenset({"mem:bad"}))
    with pytest.raises(MediaError, match="the video mem sent for bad is not a readable"):
        lib.fetch(clip)
    assert list((tmp_path / "stock" / "mem").iterdir()) == []


def test_search_falls_back_and_says_why(tmp_path: Path) -> None:
    down = MemoryProvider("pexels", [], error=ProviderUnavailable("HTTP 503"))
    up = MemoryProvider("pixabay", [item("b", "ocean", provider="pixabay")])
    items, notices = library(tmp_path, down, up).search("ocean")
    assert [i.key for i in items] == ["pixabay:b"]
    assert notices == ["pexels failed: HTTP 503"]
    with pytest.raises(ProviderUnavailable):
        library(tmp_path, down, up).search("ocean", provider="pexels")
    with pytest.raises(ConfigError, match="not configured"):
        library(tmp_path, up).search("ocean", provider="pexels")
    with pytest.raises(ConfigError, match="VO_STOCK_PROVIDERS"):
        library(tmp_path).search("ocean")


def test_the_query_fits_the_frame(tmp_path: Path) -> None:
    lib = StockLibrary([], cache_dir=tmp_path, probe=FakeProbe([]), max_bytes=1, min_short_side=720)
    q = lib.query("ocean", width=1080, height=1920)
    assert (q.orientation, q.min_width, q.min_height) == ("portrait", 720, 720)
    assert (q.target_width, q.target_height) == (1080, 1920)
    assert lib.query("x", width=1920, height=1080).orientation == "landscape"


# --------------------------------------------------------------------------- keywords


def test_query_texts() -> None:
    assert query_texts(["ocean", "waves", "sunset", "beach"]) == ["ocean waves sunset", "ocean"]
    assert query_texts(["ocean"]) == ["ocean"]
    assert query_texts(["the", "ocean"]) == ["ocean"]
    assert query_texts([" ", ""]) == []


def test_visual_keywords_fall_back_to_the_narration() -> None:
    assert visual_keywords(["space"], "anything") == ("space",)
    assert visual_keywords([], "The tallest mountains are under the ocean") == (
        "mountains",
        "tallest",
        "ocean",
    )


# --------------------------------------------------------------------------- the make step


def user_file(name: str) -> MediaItem:
    from video_orchestrator.pipeline.media import keywords_of

    return MediaItem(Path(f"/media/{name}"), "video", 5.0, 1080, 1920, keywords_of(name))


def test_the_users_named_clips_stay_and_stock_fills_the_rest(tmp_path: Path) -> None:
    provider = MemoryProvider("mem", [item("a", "forest"), item("b", "city")])
    mine = user_file("ocean-waves.mp4")
    found = stock_backgrounds(
        library(tmp_path, provider),
        [["ocean"], ["forest"], ["city"]],
        ["n1", "n2", "n3"],
        [mine],
        seconds=[3.0, 3.0, 3.0],
        width=1080,
        height=1920,
    )
    assert found.media[0] == mine
    assert found.media[1] is not None and found.media[1].path.name == "a.mp4"
    assert found.media[2] is not None and found.media[2].path.name == "b.mp4"
    assert [c["scene"] for c in found.credits] == [2, 3]
    assert found.credits[0]["attribution"] == "Video by Ann on Mem (https://example/a)"
    assert found.credits[0]["licence"] == "Test licence"
    assert [q.text for q in provider.searches if q.kind == "video"] == ["forest", "city"]


def test_when_stock_fails_the_users_other_files_then_generated(tmp_path: Path) -> None:
    down = MemoryProvider("pexels", [], error=ProviderUnavailable("down"))
    spare = user_file("zebra.mp4")
    found = stock_backgrounds(
        library(tmp_path, down),
        [["ocean"], ["forest"]],
        ["n1", "n2"],
        [spare],
        seconds=[3.0, 3.0],
        width=1080,
        height=1920,
    )
    assert found.media == [spare, spare], "like without stock: the user's files, reused"
    assert found.credits == []
    assert len(found.notices) == 1
    nothing = stock_backgrounds(
        library(tmp_path, down), [["ocean"]], ["n"], [], seconds=[3.0], width=1080, height=1920
    )
    assert nothing.media == [None]


def test_stock_fills_only_the_scenes_without_a_chosen_background(tmp_path: Path) -> None:
    """A project's own choices stay where they are, even the scene whose words match the
    user's file better than its own; stock fills the open scenes; the user's file is never
    reused for them."""
    provider = MemoryProvider("mem", [item("a", "forest")])
    mine = user_file("forest-walk.mp4")
    found = stock_for_open_scenes(
        library(tmp_path, provider),
        [["forest"], ["forest"], ["ocean"]],
        ["n1", "n2", "n3"],
        [None, mine, None],
        seconds=[3.0, 3.0, 3.0],
        width=1080,
        height=1920,
    )
    assert found.media[1] == mine
    assert found.media[0] is not None and found.media[0].path.name == "a.mp4"
    assert found.media[2] is None, "nothing in stock for it: generated, not the user's file"
    assert [c["scene"] for c in found.credits] == [1]


def test_memory_provider_is_a_media_provider() -> None:
    assert isinstance(MemoryProvider("m", []), MediaProvider)
