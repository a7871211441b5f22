"""FLUX on fal.ai as an ``ImageGenerator``, through fal's queue API.

Documented protocol (https://docs.fal.ai/model-endpoints/queue):

* Submit: ``POST {queue_url}/{model}`` (e.g. ``fal-ai/flux/schnell``) with
  ``Authorization: Key <key>`` and the model's JSON input: ``prompt``, ``image_size`` (a
  named preset or ``{"width", "height"}``), ``num_images``, ``output_format`` and
  ``enable_safety_checker``. The answer names the request: ``{"request_id", "status_url",
  "response_url", "cancel_url"}``.
* Poll ``GET status_url`` (the same key): ``{"status": "IN_QUEUE", "queue_position"}``,
  then ``IN_PROGRESS``, then ``COMPLETED``.
* Result: ``GET response_url`` gives the model's output, for FLUX ``{"images": [{"url",
  "width", "height", "content_type"}], "has_nsfw_concepts": [bool], "seed", "timings"}``; a
  request that failed answers there with its error status and ``{"detail": …}``. A picture
  flagged by the safety checker (``has_nsfw_concepts``) is returned blacked out: it is a
  refusal. The picture is downloaded from its storage URL without the key.
* FLUX is billed per megapixel: the usage records the megapixels of the picture drawn.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import httpx

from video_orchestrator.errors import ConfigError, ProviderError, ProviderUnavailable
from video_orchestrator.ports.images import GeneratedImage, ImagePrompt, ImageUsage
from video_orchestrator.ports.provider import Provider, ProviderSettings
from video_orchestrator.providers import _images, transport

DEFAULT_QUEUE_URL = "https://queue.fal.run"
WAITING = frozenset({"IN_QUEUE", "IN_PROGRESS"})
#: FLUX draws sizes in multiples of 16 pixels, up to about this many on the long side.
STEP = 16
LONG_SIDE = 1920


class FalSettings(ProviderSettings):
    """``VO_FAL_*`` and the image timeout and retries."""

    required: ClassVar[str] = "VO_FAL_API_KEY"

    fal_api_key: str | None = None
    fal_queue_url: str = DEFAULT_QUEUE_URL
    fal_model: str = "fal-ai/flux/schnell"
    fal_poll_interval: float = 1.0
    image_timeout: float = 120.0
    image_max_retries: int = 2


class FalFlux(Provider[FalSettings]):
    """Pictures from a FLUX model hosted on fal.ai."""

    name = "fal"
    settings_model = FalSettings

    @classmethod
    def from_settings(cls, settings: FalSettings) -> FalFlux | None:
        if not settings.fal_api_key:
            return None
        return cls(
            api_key=settings.fal_api_key,
            queue_url=settings.fal_queue_url,
            model=settings.fal_model,
            poll_interval=settings.fal_poll_interval,
            timeout=settings.image_timeout,
            max_retries=settings.image_max_retries,
        )

    def __init__(
        self,
        *,
        api_key: str | None,
        queue_url: str = DEFAULT_QUEUE_URL,
        model: str = "fal-ai/flux/schnell",
        poll_interval: float = 1.0,
        timeout: float = 120.0,
        max_retries: int = 2,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.configured = bool(api_key)
        self.model = model.strip("/")
        self._key = api_key or ""
        self._queue = queue_url.rstrip("/")
        self._poll = max(poll_interval, 0.0)
        self._timeout = timeout
        self._max_retries = max_retries
        self._client = client or httpx.Client(timeout=timeout)
        self._sleep = sleep
        self._clock = clock

    def __repr__(self) -> str:
        return f"FalFlux(queue_url={self._queue!r}, model={self.model!r})"

    def size_for(self, width: int, height: int) -> tuple[int, int]:
        scale = min(1.0, LONG_SIDE / max(width, height))

        def side(value: int) -> int:
            return max(STEP, math.ceil(value * scale / STEP) * STEP)

        return side(width), side(height)

    def _get(self, url: str) -> Any:
        response = _images.send(
            self._client, "GET", url, provider=self.name, max_retries=self._max_retries,
            sleep=self._sleep, secret=self._key, headers={"Authorization": f"Key {self._key}"},
        )  # fmt: skip
        return transport.json_body(response, self.name)

    def generate(
        self, prompt: ImagePrompt, width: int, height: int, target: Path
    ) -> GeneratedImage:
        if not self.configured:
            raise ConfigError("fal.ai is not configured: set VO_FAL_API_KEY.")
        size_w, size_h = self.size_for(width, height)
        submitted = transport.json_body(
            _images.send(
                self._client,
                "POST",
                f"{self._queue}/{self.model}",
                provider=self.name,
                max_retries=self._max_retries,
                sleep=self._sleep,
                secret=self._key,
                headers={"Authorization": f"Key {self._key}"},
                json={
                    "prompt": prompt.text(),
                    "image_size": {"width": size_w, "height": size_h},
                    "num_images": 1,
                    "output_format": "jpeg",
                    "enable_safety_checker": True,
                },
            ),
            self.name,
        )
        request_id = submitted.get("request_id") if isinstance(submitted, dict) else None
        if not isinstance(request_id, str) or not request_id:
            raise ProviderError(f"{self.name} accepted the request but named no request_id")
        base = f"{self._queue}/{self.model}/requests/{request_id}"
        status_url = str(submitted.get("status_url") or f"{base}/status")
        response_url = str(submitted.get("response_url") or base)
        self._wait(status_url)
        result = self._get(response_url)
        images = result.get("images") if isinstance(result, dict) else None
        first = images[0] if isinstance(images, list) and images else None
        if not isinstance(first, dict) or not isinstance(first.get("url"), str):
            raise ProviderError(f"{self.name} finished without a picture (no images[0].url)")
        flagged = result.get("has_nsfw_concepts")
        if isinstance(flagged, list) and flagged and flagged[0] is True:
            raise _images.refused_error(self.name, "its safety checker flagged the picture")
        path, got_w, got_h = _images.fetch_image(
            self._client, first["url"], target, provider=self.name,
            max_retries=self._max_retries,
        )  # fmt: skip
        return GeneratedImage(
            path=path,
            provider=self.name,
            model=self.model,
            width=got_w,
            height=got_h,
            usage=ImageUsage(
                provider=self.name,
                model=self.model,
                megapixels=round(got_w * got_h / 1_000_000, 3),
            ),
        )

    def _wait(self, status_url: str) -> None:
        """Poll the request's status until it is COMPLETED (within the timeout)."""
        deadline = self._clock() + self._timeout
        while True:
            status = self._get(status_url)
            state = status.get("status") if isinstance(status, dict) else None
            if state == "COMPLETED":
                return
            if state not in WAITING:
                raise ProviderError(f"{self.name} reports the request as {state!r}")
            if self._clock() >= deadline:
                raise ProviderUnavailable(
                    f"{self.name} did not finish the picture within {self._timeout:.0f} s "
                    f"(still {state}); try again later or raise VO_IMAGE_TIMEOUT."
                )
            self._sleep(self._poll)
