from pathlib import Path

from video_orchestrator.errors import MediaError
from video_orchestrator.pipeline.media import MediaItem, assign_media, keywords_of, scene_media
from video_orchestrator.render.probe import MediaInfo, VideoStreamInfo


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


def fake_probe(path: Path) -> MediaInfo:
    """Measures by name: ``*.png`` is a picture, ``broken*`` is not media, else a 4 s clip."""
    if path.name.startswith("broken"):
        raise MediaError(f"{path.name} is not a media file")
    image = path.suffix == ".png"
    return MediaInfo(
        path=path,
        kind="image" if image else "video",
        format_name="png_pipe" if image else "mp4",
        container="png" if image else "mp4",
        duration=None if image else 4.0,
        size_bytes=10,
        bit_rate=None,
        video=VideoStreamInfo("h264", None, 1080, 1920, None, 25.0, None, None, None),
        audio=None,
        major_brand=None,
        moov_before_mdat=None,
    )


def test_scene_media_gives_each_scene_exactly_its_choice() -> None:
    """No keyword matching, no reuse: None stays None (generated), even where a chosen file's
    name matches that scene better."""
    chosen, problems = scene_media(
        [None, Path("/m/ocean.mp4"), None, Path("/m/photo.png")], fake_probe
    )
    assert [c.path.name if c else None for c in chosen] == [None, "ocean.mp4", None, "photo.png"]
    assert chosen[3] is not None and chosen[3].kind == "image"
    assert problems == []


def test_scene_media_that_cannot_be_used_becomes_generated_and_says_why() -> None:
    chosen, problems = scene_media([Path("/m/broken.mp4"), Path("/m/ok.mp4")], fake_probe)
    assert chosen[0] is None and chosen[1] is not None
    assert problems == [(0, Path("/m/broken.mp4"), "broken.mp4 is not a media file")]
