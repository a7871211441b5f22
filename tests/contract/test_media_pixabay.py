"""The Pixabay adapter against a local server speaking the documented Pixabay API."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.stock_api import Clock, Entry, Reply, StockServer, default_entries, make_stock_files
from video_orchestrator.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
)
from video_orchestrator.ports.media import StockQuery
from video_orchestrator.providers.pixabay.media import PixabayMedia

KEY_A = "12345-pixabaysecretaaaa"
KEY_B = "67890-pixabaysecretbbbb"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_stock_files(tmp_path_factory.mktemp("stock-files"))


@pytest.fixture
def server(files: Path) -> Iterator[StockServer]:
    with StockServer(files) as running:
        running.entries = default_entries()
        running.reset_seconds = 60
        yield running


def pixabay(server: StockServer, *keys: str, clock: Clock | None = None, **kw: Any) -> PixabayMedia:
    options: dict[str, Any] = {"timeout": 5.0}
    options.update(kw)
    return PixabayMedia(
        api_keys=list(keys or [KEY_A]), base_url=server.base_url, clock=clock or Clock(), **options
    )


def query(text: str = "ocean", kind: str = "video", **kw: Any) -> StockQuery:
    options: dict[str, Any] = {"min_width": 720, "min_height": 720}
    options.update(kw)
    return StockQuery(text=text, kind="video" if kind == "video" else "photo", **options)


def keys_used(server: StockServer) -> list[str]:
    return [r.params.get("key", "") for r in server.api_requests()]


def test_the_video_request_follows_the_documentation(server: StockServer) -> None:
    pixabay(server).search(query("ocean waves", per_page=1))
    (sent,) = server.api_requests()
    assert sent.path == "/api/videos/"
    assert sent.params == {
        "key": KEY_A,
        "q": "ocean waves",
        "per_page": "3",  # Pixabay's minimum
        "page": "1",
        "safesearch": "true",
        "min_width": "720",
        "min_height": "720",
    }


def test_the_photo_request_asks_for_vertical_photos(server: StockServer) -> None:
    items = pixabay(server).search(query("mountain", kind="photo"))
    (sent,) = server.api_requests()
    assert sent.path == "/api/"
    assert sent.params["image_type"] == "photo"
    assert sent.params["orientation"] == "vertical"
    (photo,) = items
    # largeImageURL is at most 1280 px on its long side
    assert (photo.width, photo.height) == (853, 1280)
    assert photo.download_url == server.file_url("mountain.jpg")
    assert photo.licence == "Pixabay Content License"
    assert photo.author == "JaneDoe"
    assert photo.author_url == "https://pixabay.com/users/JaneDoe-42/"
    assert photo.tags == ("mountain", "snow")


def test_the_query_text_is_cut_to_100_characters(server: StockServer) -> None:
    pixabay(server).search(query("ocean " * 40))
    assert len(server.api_requests()[0].params["q"]) == 100


def test_the_best_rendition_and_the_credits(server: StockServer) -> None:
    item = pixabay(server).search(query("forest"))[0]
    assert (item.width, item.height) == (1080, 1920)
    assert item.download_url.endswith("?rendition=1080x1920")
    assert item.preview_url.endswith("_medium.jpg")
    assert item.duration == 20
    assert item.page_url == "https://pixabay.com/videos/id-3/"
    assert item.attribution() == "Video by JaneDoe on Pixabay (https://pixabay.com/videos/id-3/)"


def test_landscape_videos_are_filtered_here(server: StockServer) -> None:
    # the video API has no orientation filter: a landscape-only clip must not come back
    assert pixabay(server).search(query("city")) == []
    landscape = pixabay(server).search(
        query("city", orientation="landscape", target_width=1920, target_height=1080)
    )
    assert [(i.width, i.height) for i in landscape] == [(1920, 1080)]


def test_empty_renditions_are_ignored(server: StockServer) -> None:
    server.entries = [Entry(7, "video", ("rain",), "waves.mp4", renditions=())]
    (item,) = pixabay(server).search(query("rain"))
    assert item.download_url.endswith("?rendition=1080x1920")


def test_an_invalid_key_rotates_then_is_an_auth_error(server: StockServer) -> None:
    server.valid_keys = {KEY_B}
    adapter = pixabay(server, KEY_A, KEY_B)
    assert adapter.search(query())
    assert keys_used(server) == [KEY_A, KEY_B]
    server.valid_keys = set()
    with pytest.raises(ProviderAuthError, match="VO_PIXABAY_API_KEYS") as caught:
        adapter.search(query())
    assert KEY_A not in str(caught.value) and KEY_B not in str(caught.value)


def test_a_400_that_is_not_about_the_key_is_a_provider_error(server: StockServer) -> None:
    server.script("/api/videos/", Reply(400, "[ERROR 400] Invalid per_page value"))
    with pytest.raises(ProviderError, match="Invalid per_page") as caught:
        pixabay(server, KEY_A, KEY_B).search(query())
    assert not isinstance(caught.value, ProviderAuthError)
    assert len(server.api_requests()) == 1


def test_429_rests_the_key_for_reset_seconds(server: StockServer) -> None:
    clock = Clock()
    server.quota = {KEY_A: 0}
    adapter = pixabay(server, KEY_A, clock=clock)
    with pytest.raises(ProviderRateLimited, match="the API key is over the rate limit") as caught:
        adapter.search(query())
    assert caught.value.retry_after == pytest.approx(60)
    clock.advance(30)
    with pytest.raises(ProviderRateLimited) as again:
        adapter.search(query())
    assert again.value.retry_after == pytest.approx(30)
    assert len(server.api_requests()) == 1
    server.quota = {}
    clock.advance(31)
    assert adapter.search(query())


def test_remaining_zero_switches_keys_before_a_429(server: StockServer) -> None:
    server.quota = {KEY_A: 1, KEY_B: 5}
    adapter = pixabay(server, KEY_A, KEY_B)
    adapter.search(query())
    adapter.search(query())
    assert keys_used(server) == [KEY_A, KEY_B]
    assert adapter.http.last_limit[0] == 200 and adapter.http.last_limit[1] == 4


def test_5xx_timeout_and_bad_json(server: StockServer) -> None:
    server.script("/api/videos/", Reply(502, "Bad Gateway"))
    with pytest.raises(ProviderUnavailable, match="HTTP 502"):
        pixabay(server).search(query())
    server.script("/api/videos/", Reply(200, {"hits": []}, delay=3.0))
    with pytest.raises(ProviderUnavailable, match="did not answer"):
        pixabay(server, timeout=0.2).search(query())
    server.script("/api/videos/", Reply(200, "{not json"))
    with pytest.raises(ProviderError, match="not JSON"):
        pixabay(server).search(query())
    server.script("/api/videos/", Reply(200, {"total": 0}))
    with pytest.raises(ProviderError, match="'hits'"):
        pixabay(server).search(query())


def test_the_key_in_the_query_string_never_reaches_the_logs(
    server: StockServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.valid_keys = {KEY_B}
    adapter = pixabay(server, KEY_A, KEY_B)
    adapter.search(query())
    assert any("HTTP Request" in r.getMessage() for r in caplog.records), "httpx logged"
    for record in caplog.records:
        assert KEY_A not in record.getMessage() and KEY_B not in record.getMessage()
    assert KEY_A not in repr(adapter)


def test_a_transport_error_message_is_redacted(server: StockServer) -> None:
    class Failing(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError(f"failed to connect to {request.url}")

    adapter = pixabay(server, client=httpx.Client(transport=Failing()))
    with pytest.raises(ProviderUnavailable) as caught:
        adapter.search(query())
    assert KEY_A not in str(caught.value)
    assert "key=***" in str(caught.value)


def test_a_429_with_a_past_reset_does_not_loop(server: StockServer) -> None:
    server.script(
        "/api/videos/",
        Reply(
            429, "API rate limit exceeded", {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "0"}
        ),
    )
    with pytest.raises(ProviderRateLimited) as caught:
        pixabay(server).search(query())
    assert caught.value.retry_after == pytest.approx(1.0)
    assert len(server.api_requests()) == 1
