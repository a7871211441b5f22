"""Generated pictures for open scenes: cached by prompt, a failing generator falls back to the
next, and a scene none could draw keeps its generated background with one notice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.httpserver import Reply
from tests.image_servers import KEY, ImageServer
from video_orchestrator.pipeline.cache import ContentCache
from video_orchestrator.pipeline.images import generated_pictures
from video_orchestrator.pipeline.media import MediaItem
from video_orchestrator.ports.images import ImagePrompt
from video_orchestrator.providers.openai_images.images import OpenAIImages
from video_orchestrator.providers.stability.images import StabilityImages

PROMPTS = [ImagePrompt("The deep ocean is dark.", ("ocean",), "facts"),
           ImagePrompt("Honey never spoils.", ("honey",), "facts")]  # fmt: skip


@pytest.fixture
def server() -> Iterator[ImageServer]:
    with ImageServer() as running:
        yield running


def openai(server: ImageServer, key: str = KEY) -> OpenAIImages:
    return OpenAIImages(api_key=key, base_url=server.base_url, max_retries=0,
                        client=httpx.Client(timeout=5))  # fmt: skip


def stability(server: ImageServer) -> StabilityImages:
    return StabilityImages(api_key=KEY, base_url=server.base_url, max_retries=0,
                           client=httpx.Client(timeout=5))  # fmt: skip


def test_open_scenes_get_pictures_and_a_second_run_is_served_from_the_cache(
    server: ImageServer, tmp_path: Path
) -> None:
    own = MediaItem(tmp_path / "mine.jpg", "image", None, 10, 10, frozenset())
    cache = ContentCache(tmp_path / "cache")
    first = generated_pictures([openai(server)], [None, own], PROMPTS, cache,
                               width=1080, height=1920)  # fmt: skip
    assert first.media[1] is own
    item = first.media[0]
    assert item is not None and item.kind == "image" and item.path.is_file()
    assert (item.width, item.height) == (1024, 1536)
    assert first.credits[0]["usage"] == {"provider": "openai-images", "model": "gpt-image-1",
                                         "images": 1, "input_tokens": 50,
                                         "output_tokens": 4210}  # fmt: skip
    posts = len(server.requests)
    again = generated_pictures([openai(server)], [None, own], PROMPTS, cache,
                               width=1080, height=1920)  # fmt: skip
    assert len(server.requests) == posts  # nothing billed twice
    assert again.media[0] is not None and again.media[0].path == item.path
    assert "usage" not in again.credits[0]


def test_a_refused_key_is_not_asked_again_and_the_next_generator_draws(
    server: ImageServer, tmp_path: Path
) -> None:
    pictures = generated_pictures(
        [openai(server, key="sk-bad-key-000"), stability(server)], [None, None], PROMPTS,
        ContentCache(tmp_path / "cache"), width=1080, height=1920,
    )  # fmt: skip
    assert all(item is not None and item.height == 1344 for item in pictures.media)
    assert sum(r.path == "/v1/images/generations" for r in server.requests) == 1
    assert pictures.notices == []


def test_a_scene_none_could_draw_keeps_its_background_with_one_notice(
    server: ImageServer, tmp_path: Path
) -> None:
    server.replies += [Reply(500, {"error": {"message": "boom"}})] * 2
    prompts = [ImagePrompt("FORBIDDEN thing"), *PROMPTS[:1], ImagePrompt("FORBIDDEN again")]
    pictures = generated_pictures(
        [openai(server)],
        [None, None, None],
        prompts,
        ContentCache(tmp_path / "cache"),
        width=1080,
        height=1920,
    )
    assert pictures.media[0] is None and pictures.media[2] is None
    assert len(pictures.notices) == 2  # one per reason: the 500 and the refusals
    assert any("scenes 1, 2 " in n and "HTTP 500" in n for n in pictures.notices)
    assert any("scene 3 " in n and "content policy" in n for n in pictures.notices)
    assert pictures.media[1] is None  # the second 500 took scene 2
