"""The Pexels adapter against a local server speaking the documented Pexels API: request
shape, rendition choice, key rotation, rate-limit headers and every failure mode."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.stock_api import Clock, Entry, Reply, StockServer, default_entries, make_stock_files
from video_orchestrator.errors import (
    ConfigError,
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
)
from video_orchestrator.ports.media import StockQuery
from video_orchestrator.providers.pexels.media import PexelsMedia

KEY_A = "pexels-secret-aaaa"
KEY_B = "pexels-secret-bbbb"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_stock_files(tmp_path_factory.mktemp("stock-files"))


@pytest.fixture
def server(files: Path) -> Iterator[StockServer]:
    with StockServer(files) as running:
        running.entries = default_entries()
        yield running


def pexels(server: StockServer, *keys: str, clock: Clock | None = None, **kw: Any) -> PexelsMedia:
    options: dict[str, Any] = {"timeout": 5.0}
    options.update(kw)
    return PexelsMedia(
        api_keys=list(keys or [KEY_A]),
        base_url=server.base_url,
        clock=clock or Clock(),
        **options,
    )


def query(text: str = "ocean", kind: str = "video", **kw: Any) -> StockQuery:
    options: dict[str, Any] = {"min_width": 720, "min_height": 720}
    options.update(kw)
    return StockQuery(text=text, kind="video" if kind == "video" else "photo", **options)


def keys_used(server: StockServer) -> list[str]:
    return [r.headers.get("authorization", "") for r in server.api_requests()]


# --------------------------------------------------------------------------- requests


def test_the_video_search_request_follows_the_documentation(server: StockServer) -> None:
    pexels(server).search(query("ocean waves", per_page=20, page=2))
    (sent,) = server.api_requests()
    assert sent.path == "/videos/search"
    assert sent.headers["authorization"] == KEY_A  # the key as it is, no "Bearer"
    assert sent.params == {
        "query": "ocean waves",
        "orientation": "portrait",
        "size": "small",
        "per_page": "20",
        "page": "2",
    }


def test_the_photo_search_uses_v1_search(server: StockServer) -> None:
    items = pexels(server).search(query("mountain", kind="photo", min_width=0, min_height=0))
    (sent,) = server.api_requests()
    assert sent.path == "/v1/search"
    assert "size" not in sent.params
    (photo,) = items
    # a 3000×4500 original is asked for at the output height, not at 13.5 MP
    assert (photo.width, photo.height) == (1280, 1920)
    assert photo.download_url.endswith("mountain.jpg?auto=compress&cs=tinysrgb&h=1920")
    assert photo.author == "Jane Doe"
    assert photo.page_url == "https://www.pexels.com/photo/mountain-snow-4/"
    assert photo.licence == "Pexels License"
    assert photo.tags == ("mountain", "snow")


def test_per_page_is_capped_at_the_documented_80(server: StockServer) -> None:
    pexels(server).search(query(per_page=500))
    assert server.api_requests()[0].params["per_page"] == "80"


def test_size_follows_the_minimum_resolution(server: StockServer) -> None:
    adapter = pexels(server)
    for minimum, size in [(1080, "medium"), (2160, "large"), (480, None)]:
        adapter.search(query(min_width=minimum, min_height=minimum))
        assert server.api_requests()[-1].params.get("size") == size


# --------------------------------------------------------------------------- renditions


def test_the_rendition_closest_to_1080x1920_is_chosen(server: StockServer) -> None:
    item = pexels(server).search(query("forest"))[0]
    assert (item.width, item.height) == (1080, 1920)
    assert item.download_url.endswith("?rendition=1080x1920")
    assert item.duration == 20
    assert item.author == "Jane Doe" and item.author_url == "https://www.pexels.com/@jane-doe"
    assert item.page_url == "https://www.pexels.com/video/forest-trees-3/"
    assert item.tags == ("forest", "trees")
    assert item.attribution() == (
        "Video by Jane Doe on Pexels (https://www.pexels.com/video/forest-trees-3/)"
    )


def test_a_smaller_rendition_when_it_is_closer(server: StockServer) -> None:
    server.entries = [
        Entry(9, "video", ("rain",), "waves.mp4", width=2160, height=3840,
              renditions=((720, 1280), (1440, 2560)))
    ]  # fmt: skip
    item = pexels(server).search(query("rain", target_width=720, target_height=1280))[0]
    assert (item.width, item.height) == (720, 1280)


def test_clips_without_a_rendition_big_enough_or_upright_are_left_out(
    server: StockServer,
) -> None:
    server.entries = [
        Entry(1, "video", ("rain",), "waves.mp4", width=540, height=960, renditions=()),
        Entry(2, "video", ("rain",), "city.mp4", width=1920, height=1080, renditions=()),
        Entry(3, "video", ("rain",), "forest.mp4", width=720, height=1280, renditions=()),
    ]
    assert [item.id for item in pexels(server).search(query("rain"))] == ["3"]


def test_an_answer_without_videos_is_a_provider_error(server: StockServer) -> None:
    server.script("/videos/search", Reply(200, {"page": 1, "photos": []}))
    with pytest.raises(ProviderError, match="'videos'"):
        pexels(server).search(query())


def test_malformed_json_is_a_provider_error(server: StockServer) -> None:
    server.script("/videos/search", Reply(200, "<html>maintenance</html>"))
    with pytest.raises(ProviderError, match="not JSON") as caught:
        pexels(server).search(query())
    assert not isinstance(caught.value, ProviderUnavailable)


def test_odd_entries_are_skipped_not_fatal(server: StockServer) -> None:
    good = server._pexels_video(default_entries()[0])
    body = {"videos": [None, {"id": 5}, {"id": 6, "video_files": "x"}, good], "page": 1}
    server.script("/videos/search", Reply(200, body))
    assert [item.id for item in pexels(server).search(query())] == ["1"]


# --------------------------------------------------------------------------- keys and limits


def test_429_moves_to_the_next_key(server: StockServer) -> None:
    server.quota = {KEY_A: 0}
    items = pexels(server, KEY_A, KEY_B).search(query())
    assert len(items) == 2
    assert keys_used(server) == [KEY_A, KEY_B]


def test_a_rate_limited_key_rests_until_its_reset(server: StockServer) -> None:
    clock = Clock()
    server.quota = {KEY_A: 0}
    adapter = pexels(server, KEY_A, KEY_B, clock=clock)
    adapter.search(query())
    adapter.search(query())
    assert keys_used(server) == [KEY_A, KEY_B, KEY_B], "the exhausted key is not retried"


def test_every_key_limited_raises_with_the_wait(server: StockServer) -> None:
    clock = Clock()
    server.quota = {KEY_A: 0, KEY_B: 0}
    server.reset_seconds = 1800
    adapter = pexels(server, KEY_A, KEY_B, clock=clock)
    with pytest.raises(ProviderRateLimited, match="all 2 API keys") as caught:
        adapter.search(query())
    assert caught.value.retry_after is not None
    assert 1790 <= caught.value.retry_after <= 1801  # the reset is whole seconds
    assert KEY_A not in str(caught.value) and KEY_B not in str(caught.value)


def test_remaining_zero_stops_calls_until_the_reset(server: StockServer) -> None:
    clock = Clock()
    server.quota = {KEY_A: 1}  # this answer is the last one: Remaining 0
    adapter = pexels(server, KEY_A, clock=clock)
    assert adapter.search(query())
    with pytest.raises(ProviderRateLimited) as caught:
        adapter.search(query())
    assert len(server.api_requests()) == 1, "no request is sent while the key rests"
    assert caught.value.retry_after is not None and caught.value.retry_after > 3000
    server.quota = {}
    clock.advance(3601)
    assert adapter.search(query())
    assert len(server.api_requests()) == 2


def test_a_429_without_reset_headers_uses_retry_after(server: StockServer) -> None:
    server.script("/videos/search", Reply(429, {"error": "slow down"}, {"Retry-After": "30"}))
    with pytest.raises(ProviderRateLimited) as caught:
        pexels(server).search(query())
    assert caught.value.retry_after == pytest.approx(30, abs=1)


def test_a_refused_key_is_skipped_for_good(server: StockServer) -> None:
    server.valid_keys = {KEY_B}
    adapter = pexels(server, KEY_A, KEY_B)
    assert adapter.search(query())
    assert adapter.search(query())
    assert keys_used(server) == [KEY_A, KEY_B, KEY_B]


def test_every_key_refused_is_an_auth_error_without_the_keys(
    server: StockServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.valid_keys = set()
    adapter = pexels(server, KEY_A, KEY_B)
    with pytest.raises(ProviderAuthError, match="refused every API key") as caught:
        adapter.search(query())
    assert "VO_PEXELS_API_KEYS" in str(caught.value)
    for secret in (KEY_A, KEY_B):
        assert secret not in str(caught.value)
        assert secret not in repr(adapter)
        assert all(secret not in record.getMessage() for record in caplog.records)


def test_no_key_is_a_config_error(server: StockServer) -> None:
    with pytest.raises(ConfigError, match="VO_PEXELS_API_KEYS"):
        PexelsMedia(api_keys=[" "], base_url=server.base_url).search(query())
    assert server.requests == []


@pytest.mark.parametrize("url", ["", "api.pexels.com", "ftp://x"])
def test_a_bad_base_url_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError, match="VO_PEXELS_BASE_URL"):
        PexelsMedia(api_keys=[KEY_A], base_url=url)


# --------------------------------------------------------------------------- failures


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_unavailable(server: StockServer, status: int) -> None:
    server.script("/videos/search", Reply(status, {"error": "Service Unavailable"}))
    with pytest.raises(ProviderUnavailable, match=f"HTTP {status}"):
        pexels(server).search(query())


def test_other_4xx_is_a_provider_error(server: StockServer) -> None:
    server.script("/videos/search", Reply(400, {"error": "query is required"}))
    with pytest.raises(ProviderError, match="HTTP 400: query is required"):
        pexels(server).search(query())


def test_a_slow_answer_is_unavailable(server: StockServer) -> None:
    server.script("/videos/search", Reply(200, {"videos": []}, delay=3.0))
    with pytest.raises(ProviderUnavailable, match=r"within 0\.2s"):
        pexels(server, timeout=0.2).search(query())


def test_connection_refused_is_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    adapter = PexelsMedia(api_keys=[KEY_A], base_url=f"http://127.0.0.1:{port}", timeout=2)
    with pytest.raises(ProviderUnavailable, match="cannot reach Pexels"):
        adapter.search(query())


def test_download_errors(server: StockServer, tmp_path: Path) -> None:
    adapter = pexels(server)
    item = adapter.search(query("forest"))[0]
    server.script("/files/forest.mp4", Reply(503, "busy"))
    with pytest.raises(ProviderUnavailable, match="HTTP 503"):
        adapter.download(item, tmp_path / "a.mp4", max_bytes=10**8)
    server.script("/files/forest.mp4", Reply(404, {"error": "gone"}))
    with pytest.raises(ProviderError, match="HTTP 404"):
        adapter.download(item, tmp_path / "a.mp4", max_bytes=10**8)
    assert list(tmp_path.iterdir()) == []
    assert "authorization" not in server.downloads()[0].headers, "the key stays with the API"


def test_a_streamed_download_without_length_is_still_limited(
    server: StockServer, tmp_path: Path
) -> None:
    server.send_length = False
    adapter = pexels(server)
    item = adapter.search(query("forest"))[0]
    from video_orchestrator.errors import PayloadTooLarge

    with pytest.raises(PayloadTooLarge):
        adapter.download(item, tmp_path / "a.mp4", max_bytes=5000)
    assert list(tmp_path.iterdir()) == []
    adapter.download(item, tmp_path / "a.mp4", max_bytes=10**8)
    assert (tmp_path / "a.mp4").read_bytes() == (server.files_dir / "forest.mp4").read_bytes()
