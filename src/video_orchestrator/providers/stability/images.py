"""Stability AI's Stable Image as an ``ImageGenerator``.

Documented protocol (https://platform.stability.ai/docs/api-reference, v2beta):

* ``POST {base_url}/v2beta/stable-image/generate/{core|ultra|sd3}`` with
  ``Authorization: Bearer <key>`` and ``Accept: image/*`` (the picture's bytes come back;
  ``application/json`` would give base64). The body is ``multipart/form-data``: ``prompt``,
  ``aspect_ratio`` (one of 16:9 1:1 21:9 2:3 3:2 4:5 5:4 9:16 9:21), ``output_format``
  (png | jpeg | webp) and, on ``sd3``, ``model`` (``sd3.5-large`` …).
* A 200 carries the headers ``finish-reason`` (``SUCCESS`` or ``CONTENT_FILTERED``: the
  picture was blurred by moderation) and ``seed``. Errors are JSON
  ``{"id", "name", "errors": [...]}``: 400 bad request, 401 bad key, 402 out of credits,
  403 ``content_moderation`` (the prompt was refused: not a credentials problem), 413, 422,
  429 (150 requests per 10 s), 500.
* The answer states no cost (credits per model are on the pricing page), so no usage is
  recorded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import httpx

from video_orchestrator.errors import ConfigError
from video_orchestrator.ports.images import GeneratedImage, ImagePrompt, nearest_size
from video_orchestrator.ports.provider import Provider, ProviderSettings
from video_orchestrator.providers import _images

DEFAULT_BASE_URL = "https://api.stability.ai"
#: Aspect ratio → the nominal size (about one megapixel) it is drawn at.
ASPECT_RATIOS: dict[str, tuple[int, int]] = {
    "1:1": (1024, 1024),
    "16:9": (1344, 768),
    "9:16": (768, 1344),
    "21:9": (1536, 640),
    "9:21": (640, 1536),
    "2:3": (832, 1216),
    "3:2": (1216, 832),
    "4:5": (896, 1088),
    "5:4": (1088, 896),
}
_ENDPOINTS = frozenset({"core", "ultra"})


class StabilitySettings(ProviderSettings):
    """``VO_STABILITY_*`` and the image timeout and retries."""

    required: ClassVar[str] = "VO_STABILITY_API_KEY"

    stability_api_key: str | None = None
    stability_base_url: str = DEFAULT_BASE_URL
    stability_model: str = "core"
    image_timeout: float = 120.0
    image_max_retries: int = 2


def _refusal(response: httpx.Response) -> str | None:
    try:
        body: Any = response.json()
    except ValueError:
        return None
    if isinstance(body, dict) and body.get("name") == "content_moderation":
        errors = body.get("errors")
        return "; ".join(map(str, errors)) if isinstance(errors, list) else "content moderation"
    return None


class StabilityImages(Provider[StabilitySettings]):
    """Pictures from Stability AI (Stable Image Core or Ultra, or an SD 3.5 model)."""

    name = "stability"
    settings_model = StabilitySettings

    @classmethod
    def from_settings(cls, settings: StabilitySettings) -> StabilityImages | None:
        if not settings.stability_api_key:
            return None
        return cls(
            api_key=settings.stability_api_key,
            base_url=settings.stability_base_url,
            model=settings.stability_model,
            timeout=settings.image_timeout,
            max_retries=settings.image_max_retries,
        )

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str = DEFAULT_BASE_URL,
        model: str = "core",
        timeout: float = 120.0,
        max_retries: int = 2,
        client: httpx.Client | None = None,
    ) -> None:
        self.configured = bool(api_key)
        self.model = model
        self._key = api_key or ""
        self._base = base_url.rstrip("/")
        self._max_retries = max_retries
        self._client = client or httpx.Client(timeout=timeout)

    def __repr__(self) -> str:
        return f"StabilityImages(base_url={self._base!r}, model={self.model!r})"

    def aspect_ratio(self, width: int, height: int) -> str:
        size = nearest_size(width, height, list(ASPECT_RATIOS.values()))
        return next(ratio for ratio, nominal in ASPECT_RATIOS.items() if nominal == size)

    def size_for(self, width: int, height: int) -> tuple[int, int]:
        return ASPECT_RATIOS[self.aspect_ratio(width, height)]

    def generate(
        self, prompt: ImagePrompt, width: int, height: int, target: Path
    ) -> GeneratedImage:
        if not self.configured:
            raise ConfigError("Stability AI is not configured: set VO_STABILITY_API_KEY.")
        endpoint = self.model if self.model in _ENDPOINTS else "sd3"
        form: dict[str, tuple[None, str]] = {
            "prompt": (None, prompt.text()),
            "aspect_ratio": (None, self.aspect_ratio(width, height)),
            "output_format": (None, "png"),
        }
        if endpoint == "sd3":
            form["model"] = (None, self.model)
        response = _images.send(
            self._client,
            "POST",
            f"{self._base}/v2beta/stable-image/generate/{endpoint}",
            provider=self.name,
            max_retries=self._max_retries,
            refusal=_refusal,
            secret=self._key,
            headers={"Authorization": f"Bearer {self._key}", "Accept": "image/*"},
            files=form,
        )
        finish = response.headers.get("finish-reason", "SUCCESS").upper()
        if finish == "CONTENT_FILTERED":
            raise _images.refused_error(self.name, "finish-reason CONTENT_FILTERED")
        path, got_w, got_h = _images.write_image(response.content, target, self.name)
        return GeneratedImage(
            path=path, provider=self.name, model=self.model, width=got_w, height=got_h
        )
