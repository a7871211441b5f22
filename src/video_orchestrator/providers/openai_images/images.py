"""OpenAI Images as an ``ImageGenerator``: ``POST {base_url}/v1/images/generations``.

Documented protocol (https://platform.openai.com/docs/api-reference/images/create):

* ``Authorization: Bearer <key>``; a JSON body with ``model``, ``prompt``, ``n`` and
  ``size``. ``gpt-image-1`` draws 1024x1024, 1536x1024 or 1024x1536 and always answers
  ``b64_json``; ``dall-e-3`` draws 1024x1024, 1792x1024 or 1024x1792 and is asked for
  ``response_format: "b64_json"`` (a compatible server may still answer a ``url``, which is
  downloaded without the key).
* The answer is ``{"created", "data": [{"b64_json" | "url", "revised_prompt"?}], "usage"?}``;
  ``gpt-image-1`` reports ``usage.input_tokens`` / ``output_tokens`` (what is billed).
* Errors are ``{"error": {"message", "type", "code"}}``; a prompt or picture refused by
  moderation is a 400 with ``code`` ``content_policy_violation`` (DALL·E) or
  ``moderation_blocked`` (GPT Image).
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Any, ClassVar

import httpx

from video_orchestrator.errors import ConfigError, ProviderError
from video_orchestrator.ports.images import GeneratedImage, ImagePrompt, ImageUsage, nearest_size
from video_orchestrator.ports.provider import Provider, ProviderSettings
from video_orchestrator.providers import _images, transport

DEFAULT_BASE_URL = "https://api.openai.com"
SIZES: dict[str, tuple[tuple[int, int], ...]] = {
    "gpt-image-1": ((1024, 1024), (1536, 1024), (1024, 1536)),
    "dall-e-3": ((1024, 1024), (1792, 1024), (1024, 1792)),
    "dall-e-2": ((256, 256), (512, 512), (1024, 1024)),
}
REFUSAL_CODES = frozenset({"content_policy_violation", "moderation_blocked"})


class OpenAIImagesSettings(ProviderSettings):
    """``VO_OPENAI_IMAGES_*`` and the image timeout and retries."""

    required: ClassVar[str] = "VO_OPENAI_IMAGES_API_KEY"

    openai_images_api_key: str | None = None
    openai_images_base_url: str = DEFAULT_BASE_URL
    openai_images_model: str = "gpt-image-1"
    image_timeout: float = 120.0
    image_max_retries: int = 2


def _refusal(response: httpx.Response) -> str | None:
    try:
        body: Any = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("code") in REFUSAL_CODES:
        return str(error.get("message") or error.get("code"))
    return None


class OpenAIImages(Provider[OpenAIImagesSettings]):
    """Pictures from OpenAI's image models (or a compatible server)."""

    name = "openai-images"
    settings_model = OpenAIImagesSettings

    @classmethod
    def from_settings(cls, settings: OpenAIImagesSettings) -> OpenAIImages | None:
        if not settings.openai_images_api_key:
            return None
        return cls(
            api_key=settings.openai_images_api_key,
            base_url=settings.openai_images_base_url,
            model=settings.openai_images_model,
            timeout=settings.image_timeout,
            max_retries=settings.image_max_retries,
        )

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str = DEFAULT_BASE_URL,
        model: str = "gpt-image-1",
        timeout: float = 120.0,
        max_retries: int = 2,
        client: httpx.Client | None = None,
    ) -> None:
        self.configured = bool(api_key)
        self.model = model
        self._key = api_key or ""
        self._base = base_url.rstrip("/").removesuffix("/v1")
        self._max_retries = max_retries
        self._client = client or httpx.Client(timeout=timeout)

    def __repr__(self) -> str:
        return f"OpenAIImages(base_url={self._base!r}, model={self.model!r})"

    def size_for(self, width: int, height: int) -> tuple[int, int]:
        return nearest_size(width, height, SIZES.get(self.model, SIZES["gpt-image-1"]))

    def generate(
        self, prompt: ImagePrompt, width: int, height: int, target: Path
    ) -> GeneratedImage:
        if not self.configured:
            raise ConfigError("OpenAI Images is not configured: set VO_OPENAI_IMAGES_API_KEY.")
        size_w, size_h = self.size_for(width, height)
        body: dict[str, Any] = {
            "model": self.model,
            "prompt": prompt.text(),
            "n": 1,
            "size": f"{size_w}x{size_h}",
        }
        if self.model.startswith("dall-e"):
            body["response_format"] = "b64_json"
        response = _images.send(
            self._client,
            "POST",
            f"{self._base}/v1/images/generations",
            provider=self.name,
            max_retries=self._max_retries,
            refusal=_refusal,
            secret=self._key,
            headers={"Authorization": f"Bearer {self._key}"},
            json=body,
        )
        answer = transport.json_body(response, self.name)
        data = answer.get("data") if isinstance(answer, dict) else None
        first = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}
        if isinstance(first.get("b64_json"), str):
            try:
                raw = base64.b64decode(first["b64_json"], validate=True)
            except (binascii.Error, ValueError) as exc:
                raise ProviderError(f"{self.name} returned a picture that is not base64") from exc
            path, got_w, got_h = _images.write_image(raw, target, self.name)
        elif isinstance(first.get("url"), str):
            path, got_w, got_h = _images.fetch_image(
                self._client, first["url"], target, provider=self.name,
                max_retries=self._max_retries,
            )  # fmt: skip
        else:
            raise ProviderError(f"{self.name} answered without a picture (no data[0])")
        return GeneratedImage(
            path=path,
            provider=self.name,
            model=self.model,
            width=got_w,
            height=got_h,
            usage=self._usage(answer.get("usage")),
            revised_prompt=str(first.get("revised_prompt") or ""),
        )

    def _usage(self, usage: Any) -> ImageUsage:
        tokens = usage if isinstance(usage, dict) else {}

        def count(key: str) -> int | None:
            value = tokens.get(key)
            return value if isinstance(value, int) else None

        return ImageUsage(
            provider=self.name,
            model=self.model,
            input_tokens=count("input_tokens"),
            output_tokens=count("output_tokens"),
        )
