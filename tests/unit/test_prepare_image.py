from pathlib import Path

import pytest
from PIL import Image

from video_orchestrator.errors import MediaError
from video_orchestrator.pipeline.cache import ContentCache
from video_orchestrator.pipeline.media import MediaItem, keywords_of, prepare_image


def image_item(path: Path, size: tuple[int, int], orientation: int | None = None) -> MediaItem:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    image.save(path, exif=exif)
    return MediaItem(path, "image", None, size[0], size[1], keywords_of(path.stem))


def test_phone_photo_is_turned_upright(tmp_path: Path) -> None:
    item = image_item(tmp_path / "beach.jpg", (400, 300), orientation=6)  # rotate 90° on display
    prepared = prepare_image(item, ContentCache(tmp_path / "c"), width=1080, height=1920)
    assert (prepared.width, prepared.height) == (300, 400)
    assert prepared.keywords == {"beach"}
    with Image.open(prepared.path) as image:
        assert image.size == (300, 400)


def test_huge_image_is_scaled_down_once_and_cached(tmp_path: Path) -> None:
    item = image_item(tmp_path / "big.png", (6000, 3000))
    cache = ContentCache(tmp_path / "c")
    prepared = prepare_image(item, cache, width=1080, height=1920)
    assert prepared.width <= 2160 and prepared.height <= 3840
    assert prepared.width / prepared.height == pytest.approx(2.0, rel=0.01)
    again = prepare_image(item, cache, width=1080, height=1920)
    assert again.path == prepared.path
    assert (cache.hits, cache.misses) == (1, 1)


def test_videos_pass_through(tmp_path: Path) -> None:
    item = MediaItem(tmp_path / "a.mp4", "video", 3.0, 640, 360, frozenset())
    assert prepare_image(item, ContentCache(tmp_path), width=1080, height=1920) is item


def test_a_broken_image_is_a_media_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.jpg"
    path.write_bytes(b"\xff\xd8\xff garbage")
    item = MediaItem(path, "image", None, 10, 10, frozenset())
    with pytest.raises(MediaError, match=r"broken\.jpg"):
        prepare_image(item, ContentCache(tmp_path / "c"), width=1080, height=1920)
