"""The media port's contract, run against every adapter: Pexels and Pixabay (against a local
server speaking their documented APIs) and the local library."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.stock_api import StockServer, default_entries, make_stock_files
from video_orchestrator.errors import PayloadTooLarge
from video_orchestrator.ports.media import MediaProvider, StockQuery
from video_orchestrator.providers.local.media import LocalMedia
from video_orchestrator.providers.pexels.media import PexelsMedia
from video_orchestrator.providers.pixabay.media import PixabayMedia
from video_orchestrator.render.probe import probe
from video_orchestrator.services.stock import inspect_local

ADAPTERS = ["pexels", "pixabay", "local"]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_stock_files(tmp_path_factory.mktemp("stock-files"))


@pytest.fixture
def server(files: Path) -> Iterator[StockServer]:
    with StockServer(files) as running:
        running.entries = default_entries()
        yield running


@pytest.fixture
def library(files: Path, tmp_path: Path) -> Path:
    """The user's folder: the same media, named by what it shows."""
    folder = tmp_path / "library"
    folder.mkdir()
    for source, name in [
        ("waves.mp4", "ocean-waves.mp4"),
        ("forest.mp4", "ocean-beach.mp4"),
        ("forest.mp4", "forest-trees.mp4"),
        ("mountain.jpg", "mountain-snow.jpg"),
        ("city.mp4", "city-night.mp4"),
    ]:
        shutil.copyfile(files / source, folder / name)
    (folder / "notes.txt").write_text("not media")
    return folder


@pytest.fixture(params=ADAPTERS)
def adapter(request: pytest.FixtureRequest) -> MediaProvider:
    if request.param == "local":
        return LocalMedia.from_folder(request.getfixturevalue("library"), inspect_local)
    server: StockServer = request.getfixturevalue("server")
    if request.param == "pexels":
        return PexelsMedia(api_keys=["pexels-key"], base_url=server.base_url, timeout=5)
    return PixabayMedia(api_keys=["pixabay-key"], base_url=server.base_url, timeout=5)


def query(text: str, kind: str = "video", minimum: int = 150) -> StockQuery:
    return StockQuery(
        text=text,
        kind="video" if kind == "video" else "photo",
        min_width=minimum,
        min_height=minimum,
    )


def test_it_is_a_media_provider(adapter: MediaProvider) -> None:
    assert isinstance(adapter, MediaProvider)
    assert adapter.name in ADAPTERS


def test_video_results_carry_what_matching_and_credits_need(adapter: MediaProvider) -> None:
    items = adapter.search(query("ocean"))
    assert len(items) == 2
    assert len({item.key for item in items}) == 2
    for item in items:
        assert item.provider == adapter.name
        assert item.key == f"{adapter.name}:{item.id}"
        assert item.kind == "video"
        assert item.width >= 150 and item.height >= 150
        assert item.duration is not None and item.duration > 0
        assert item.download_url
        assert item.licence
        assert item.attribution().startswith("Video")
        assert adapter.name.capitalize() in item.attribution()
        assert {"ocean"} & set(item.tags) or "ocean" in item.page_url


def test_photo_results(adapter: MediaProvider) -> None:
    items = adapter.search(query("mountain", kind="photo"))
    assert [item.kind for item in items] == ["photo"]
    assert items[0].duration is None
    assert items[0].attribution().startswith("Photo")
    assert adapter.search(query("mountain", kind="video")) == []


def test_nothing_found_is_an_empty_list(adapter: MediaProvider) -> None:
    assert adapter.search(query("xylophone")) == []


def test_the_minimum_resolution_is_respected(adapter: MediaProvider) -> None:
    assert adapter.search(query("ocean", minimum=5000)) == []


def test_download_writes_the_file_atomically(adapter: MediaProvider, tmp_path: Path) -> None:
    item = adapter.search(query("forest"))[0]
    target = tmp_path / "out" / "clip.mp4"
    assert adapter.download(item, target, max_bytes=50_000_000) == target
    info = probe(target)
    assert info.kind == "video" and info.video is not None
    assert sorted(p.name for p in target.parent.iterdir()) == ["clip.mp4"]


def test_a_download_over_the_limit_leaves_nothing(adapter: MediaProvider, tmp_path: Path) -> None:
    item = adapter.search(query("forest"))[0]
    target = tmp_path / "out" / "clip.mp4"
    with pytest.raises(PayloadTooLarge, match="limit"):
        adapter.download(item, target, max_bytes=1000)
    assert not target.parent.exists() or list(target.parent.iterdir()) == []
