"""The image-generation port's contract, run against every adapter (OpenAI Images,
Stability AI, FLUX on fal.ai) over a local server speaking each documented protocol
(``tests/image_servers.py``); then what is particular to each protocol."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.httpserver import Reply
from tests.image_servers import KEY, ImageServer, form_fields
from video_orchestrator.config import Settings
from video_orchestrator.errors import (
    ConfigError,
    ContentRefused,
    ProviderAuthError,
    ProviderRateLimited,
    ProviderUnavailable,
)
from video_orchestrator.ports.images import ImageGenerator, ImagePrompt
from video_orchestrator.providers.fal.images import FalFlux
from video_orchestrator.providers.openai_images.images import OpenAIImages
from video_orchestrator.providers.stability.images import StabilityImages
from video_orchestrator.services.images import build_image_generators

ADAPTERS = ["openai-images", "stability", "fal"]
CLASSES = {"openai-images": OpenAIImages, "stability": StabilityImages, "fal": FalFlux}
PROMPT = ImagePrompt("Octopuses have three hearts.", ("octopus", "ocean"), "facts")


@pytest.fixture
def server() -> Iterator[ImageServer]:
    with ImageServer() as running:
        yield running


def make(name: str, server: ImageServer, *, key: str = KEY, model: str | None = None,
         timeout: float = 5.0, retries: int = 1) -> ImageGenerator:  # fmt: skip
    client = httpx.Client(timeout=timeout)
    if name == "openai-images":
        return OpenAIImages(api_key=key, base_url=server.base_url, model=model or "gpt-image-1",
                            max_retries=retries, client=client)  # fmt: skip
    if name == "stability":
        return StabilityImages(api_key=key, base_url=server.base_url, model=model or "core",
                               max_retries=retries, client=client)  # fmt: skip
    return FalFlux(
        api_key=key,
        queue_url=server.base_url,
        model=model or "fal-ai/flux/schnell",
        poll_interval=0,
        max_retries=retries,
        client=client,
        timeout=timeout,
    )


@pytest.fixture(params=ADAPTERS)
def adapter(request: pytest.FixtureRequest, server: ImageServer) -> ImageGenerator:
    return make(request.param, server)


def test_it_is_a_cloud_image_generator(adapter: ImageGenerator) -> None:
    assert isinstance(adapter, ImageGenerator)
    assert adapter.name in ADAPTERS
    assert adapter.kind == "cloud" and adapter.configured


def test_it_asks_for_a_portrait_size_near_9_16(adapter: ImageGenerator) -> None:
    width, height = adapter.size_for(1080, 1920)
    assert height > width
    assert abs(width / height - 9 / 16) < 0.12


def test_a_picture_is_written_atomically_with_its_format_suffix(
    adapter: ImageGenerator, server: ImageServer, tmp_path: Path
) -> None:
    image = adapter.generate(PROMPT, 1080, 1920, tmp_path / "scene")
    assert image.path.parent == tmp_path and image.path.suffix in (".png", ".jpg")
    with Image.open(image.path) as opened:
        assert (opened.width, opened.height) == (image.width, image.height)
        assert opened.height > opened.width
    assert sorted(p.name for p in tmp_path.iterdir()) == [image.path.name]  # no temp left
    sent = next(r for r in server.requests if r.method == "POST")
    text = sent.body["prompt"] if isinstance(sent.body, dict) else form_fields(sent)["prompt"]
    assert "three hearts" in text and "octopus" in text and "facts" in text


def test_a_429_with_retry_after_is_waited_out(
    adapter: ImageGenerator, server: ImageServer, tmp_path: Path
) -> None:
    server.replies.append(Reply(429, {"error": {"message": "slow down"}},
                                headers={"Retry-After": "0"}))  # fmt: skip
    image = adapter.generate(PROMPT, 1080, 1920, tmp_path / "scene")
    assert image.path.is_file()
    assert sum(r.method == "POST" for r in server.requests) == 2


def test_a_lasting_429_is_reported_as_rate_limited(
    adapter: ImageGenerator, server: ImageServer, tmp_path: Path
) -> None:
    server.replies += [Reply(429, {"error": {"message": "slow down"}},
                             headers={"Retry-After": "0"})] * 2  # fmt: skip
    with pytest.raises(ProviderRateLimited):
        adapter.generate(PROMPT, 1080, 1920, tmp_path / "scene")


def test_lasting_server_errors_are_unavailable(
    adapter: ImageGenerator, server: ImageServer, tmp_path: Path
) -> None:
    server.replies += [Reply(500, {"error": {"message": "internal"}})] * 2
    with pytest.raises(ProviderUnavailable):
        adapter.generate(PROMPT, 1080, 1920, tmp_path / "scene")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ADAPTERS)
def test_a_wrong_key_is_an_auth_error_that_never_shows_the_key(
    name: str, server: ImageServer, tmp_path: Path
) -> None:
    wrong = "sk-wrong-secret-987654321"
    with pytest.raises(ProviderAuthError) as caught:
        make(name, server, key=wrong).generate(PROMPT, 1080, 1920, tmp_path / "scene")
    assert wrong not in str(caught.value)
    assert "API key" in str(caught.value)


def test_a_content_policy_refusal_is_content_refused(
    adapter: ImageGenerator, tmp_path: Path
) -> None:
    refused = ImagePrompt("FORBIDDEN scene", ("x",), "facts")
    with pytest.raises(ContentRefused) as caught:
        adapter.generate(refused, 1080, 1920, tmp_path / "scene")
    assert "content policy" in str(caught.value)
    assert not list(tmp_path.glob("scene*"))


@pytest.mark.parametrize("name", ADAPTERS)
def test_a_service_that_does_not_answer_in_time_is_unavailable(
    name: str, server: ImageServer, tmp_path: Path
) -> None:
    server.replies.append(Reply(200, {}, delay=3))
    with pytest.raises(ProviderUnavailable):
        make(name, server, timeout=0.3, retries=0).generate(PROMPT, 1080, 1920, tmp_path / "s")


@pytest.mark.parametrize("name", ADAPTERS)
def test_without_a_key_it_is_not_configured(name: str) -> None:
    cls = CLASSES[name]
    assert cls.from_settings(Settings().section(cls.settings_model, name)) is None
    with pytest.raises(ConfigError, match=cls.settings_model.required):
        build_image_generators(Settings(image_providers=[name]), lambda _: cls)


def test_the_settings_build_the_chain_in_order(server: ImageServer) -> None:
    settings = Settings(
        image_providers=["fal", "openai-images"],
        fal_api_key=KEY,
        fal_queue_url=server.base_url,
        openai_images_api_key=KEY,
        openai_images_base_url=server.base_url,
    )
    chain = build_image_generators(settings, lambda name: CLASSES[name])
    assert [g.name for g in chain] == ["fal", "openai-images"]
    assert KEY not in repr(chain) and KEY not in repr(settings)


# -- OpenAI Images ------------------------------------------------------------------------


def test_gpt_image_1_asks_for_1024x1536_and_records_its_token_usage(
    server: ImageServer, tmp_path: Path
) -> None:
    image = make("openai-images", server).generate(PROMPT, 1080, 1920, tmp_path / "s")
    sent = server.requests[-1]
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.body["size"] == "1024x1536" and "response_format" not in sent.body
    assert image.usage is not None
    assert (image.usage.input_tokens, image.usage.output_tokens) == (50, 4210)


def test_dall_e_3_asks_for_1024x1792_as_base64(server: ImageServer, tmp_path: Path) -> None:
    image = make("openai-images", server, model="dall-e-3").generate(PROMPT, 1080, 1920,
                                                                    tmp_path / "s")  # fmt: skip
    assert server.requests[-1].body["size"] == "1024x1792"
    assert server.requests[-1].body["response_format"] == "b64_json"
    assert (image.width, image.height) == (1024, 1792)
    assert image.revised_prompt.startswith("A detailed picture")


def test_a_url_answer_is_downloaded_without_the_key(server: ImageServer, tmp_path: Path) -> None:
    server.replies.append(
        Reply(200, {"created": 1, "data": [{"url": f"{server.base_url}/files/x.png"}]})
    )
    from tests.image_servers import picture

    server.files["x.png"] = picture(1024, 1792)
    image = make("openai-images", server, model="dall-e-3").generate(PROMPT, 1080, 1920,
                                                                    tmp_path / "s")  # fmt: skip
    assert image.path.suffix == ".png" and image.height == 1792
    assert "authorization" not in server.requests[-1].headers


# -- Stability AI -------------------------------------------------------------------------


def test_stability_sends_a_multipart_form_for_9_16_and_accepts_image_bytes(
    server: ImageServer, tmp_path: Path
) -> None:
    image = make("stability", server).generate(PROMPT, 1080, 1920, tmp_path / "s")
    sent = server.requests[-1]
    assert sent.path == "/v2beta/stable-image/generate/core"
    assert sent.headers["accept"] == "image/*"
    fields = form_fields(sent)
    assert fields["aspect_ratio"] == "9:16" and fields["output_format"] == "png"
    assert (image.width, image.height) == (768, 1344) and image.usage is None


def test_stability_sd3_models_go_to_the_sd3_endpoint(server: ImageServer, tmp_path: Path) -> None:
    make("stability", server, model="sd3.5-large").generate(PROMPT, 1080, 1920, tmp_path / "s")
    assert server.requests[-1].path.endswith("/sd3")
    assert form_fields(server.requests[-1])["model"] == "sd3.5-large"


def test_a_filtered_stability_picture_is_a_refusal(server: ImageServer, tmp_path: Path) -> None:
    with pytest.raises(ContentRefused):
        make("stability", server).generate(ImagePrompt("BLURRED"), 1080, 1920, tmp_path / "s")
    assert not list(tmp_path.iterdir())


# -- fal.ai -------------------------------------------------------------------------------


def test_fal_polls_the_queue_until_completed_then_downloads_without_the_key(
    server: ImageServer, tmp_path: Path
) -> None:
    image = make("fal", server).generate(PROMPT, 1080, 1920, tmp_path / "s")
    paths = [(r.method, r.path) for r in server.requests]
    assert paths[0] == ("POST", "/fal-ai/flux/schnell")
    statuses = [p for m, p in paths if p.endswith("/status")]
    assert statuses == ["/fal-ai/flux/requests/req-0001/status"] * 3  # queued, running, done
    assert paths[-2] == ("GET", "/fal-ai/flux/requests/req-0001")
    assert "authorization" not in server.requests[-1].headers
    assert server.requests[0].body["image_size"] == {"width": 1088, "height": 1920}
    assert image.path.suffix == ".jpg"
    assert image.usage is not None and image.usage.megapixels == pytest.approx(2.089, abs=0.01)


def test_fal_gives_up_when_the_queue_outlasts_the_timeout(
    server: ImageServer, tmp_path: Path
) -> None:
    server.fal_waits = 1000
    ticks = iter(range(1000))
    adapter = FalFlux(api_key=KEY, queue_url=server.base_url, poll_interval=0, timeout=5,
                      clock=lambda: float(next(ticks)), client=httpx.Client(timeout=5))  # fmt: skip
    with pytest.raises(ProviderUnavailable, match="did not finish"):
        adapter.generate(PROMPT, 1080, 1920, tmp_path / "s")
    assert sum(r.path.endswith("/status") for r in server.requests) < 10
