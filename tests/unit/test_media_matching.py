from pathlib import Path

from video_orchestrator.pipeline.media import MediaItem, assign_media, keywords_of


def item(name: str) -> MediaItem:
    return MediaItem(
        path=Path(name),
        kind="video",
        duration=5.0,
        width=1920,
        height=1080,
        keywords=keywords_of(Path(name).stem),
    )


def test_keywords_come_from_file_names() -> None:
    assert keywords_of("Ocean-Waves_01") == {"ocean", "wave"}
    assert keywords_of("city_stories") == {"city", "story"}


def test_scenes_take_the_best_keyword_match_then_name_order() -> None:
    items = [item("a-forest.mp4"), item("b-city-night.mp4"), item("c-ocean.mp4")]
    chosen = assign_media([["ocean", "waves"], ["random"], ["night", "city"]], items)
    assert [c.path.name if c else None for c in chosen] == [
        "c-ocean.mp4",
        "a-forest.mp4",
        "b-city-night.mp4",
    ]


def test_no_clip_repeats_while_unused_ones_remain() -> None:
    items = [item("ocean-1.mp4"), item("ocean-2.mp4")]
    chosen = assign_media([["ocean"], ["ocean"], ["ocean"]], items)
    names = [c.path.name for c in chosen if c]
    assert names[:2] == ["ocean-1.mp4", "ocean-2.mp4"]
    assert len(names) == 3  # reuse only once every file is used


def test_without_media_every_scene_is_generated() -> None:
    assert assign_media([["a"], ["b"]], []) == [None, None]
