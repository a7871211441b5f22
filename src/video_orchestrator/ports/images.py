"""Image generation port: a scene's picture made from a prompt by a generative service.

Adapters (``providers/openai_images``, ``providers/stability``, ``providers/fal``) register
under the entry-point group ``ports.IMAGE_ENTRY_POINTS`` and subclass
``ports.provider.Provider`` like every other adapter (ADR 0012). A use case asks for a
picture of an :class:`ImagePrompt` at the output's size; the adapter asks its service for the
supported size nearest to it (:meth:`ImageGenerator.size_for`), writes the PNG or JPEG file
atomically and returns a :class:`GeneratedImage`, with a :class:`ImageUsage` when the service
reports what the call used. ``pipeline/images.py`` keeps the files in the content-addressed
cache, keyed by the provider, its model, the prompt and the size (ADR 0024).

Errors are those of :mod:`video_orchestrator.errors`: ``ContentRefused`` for a refusal under
the service's content policy, ``ProviderAuthError``, ``ProviderRateLimited``,
``ProviderUnavailable`` and ``ProviderError`` as for every provider.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from video_orchestrator.ports.provider import ProviderKind

#: Longest prompt sent (characters): every documented limit is at least this long.
MAX_PROMPT = 900


@dataclass(frozen=True, slots=True)
class ImagePrompt:
    """What a scene's picture shows: its narration and keywords, and the video's style
    (a genre or look, e.g. "educational", "cinematic"). :meth:`text` is what is sent."""

    narration: str
    keywords: tuple[str, ...] = ()
    style: str = ""

    def text(self) -> str:
        subject = " ".join(self.narration.split())
        parts = [f"A vertical illustration for a short video: {subject}"]
        if self.keywords:
            parts.append("Key subjects: " + ", ".join(self.keywords) + ".")
        if self.style:
            parts.append(f"Style: {self.style}.")
        parts.append("No text, no letters, no watermark.")
        return " ".join(parts)[:MAX_PROMPT]


@dataclass(frozen=True, slots=True)
class ImageUsage:
    """What one generation used, as the service reported it (fields it did not report are
    None): tokens (OpenAI's image models), megapixels or credits, and a cost in US dollars
    when the service states one."""

    provider: str
    model: str
    images: int = 1
    input_tokens: int | None = None
    output_tokens: int | None = None
    megapixels: float | None = None
    cost_usd: float | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            key: value
            for key, value in {
                "provider": self.provider,
                "model": self.model,
                "images": self.images,
                "input_tokens": self.input_tokens,
                "output_tokens": self.output_tokens,
                "megapixels": self.megapixels,
                "cost_usd": self.cost_usd,
            }.items()
            if value is not None
        }


@dataclass(frozen=True, slots=True)
class GeneratedImage:
    """A picture written to ``path`` (``.png`` or ``.jpg``), ``width`` × ``height`` pixels."""

    path: Path
    provider: str
    model: str
    width: int
    height: int
    usage: ImageUsage | None = None
    revised_prompt: str = ""


def nearest_size(width: int, height: int, supported: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """The supported size whose shape is nearest to ``width`` × ``height`` (then the
    largest of those), for services that offer a fixed list of sizes."""
    wanted = width / height

    def rank(size: tuple[int, int]) -> tuple[float, int]:
        return abs(size[0] / size[1] - wanted), -(size[0] * size[1])

    return min(supported, key=rank)


@runtime_checkable
class ImageGenerator(Protocol):
    """Pictures from prompts.

    ``model`` is part of the cache key (another model draws another picture). ``size_for``
    is the size the service will be asked for when the output is ``width`` × ``height``.
    ``generate`` writes ``target`` with the suffix of the format the service returned
    (``.png`` or ``.jpg``) atomically, and returns it.
    """

    name: str
    kind: ProviderKind
    configured: bool
    model: str

    def size_for(self, width: int, height: int) -> tuple[int, int]: ...

    def generate(
        self, prompt: ImagePrompt, width: int, height: int, target: Path
    ) -> GeneratedImage: ...
