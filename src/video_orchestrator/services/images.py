"""Building the image generators from settings (part of the composition root, ADR 0024)."""

from __future__ import annotations

from collections.abc import Callable

from video_orchestrator.config import Settings
from video_orchestrator.errors import ConfigError
from video_orchestrator.ports import IMAGE_ENTRY_POINTS
from video_orchestrator.ports.images import ImageGenerator
from video_orchestrator.services.registry import ProviderClass, build_provider, provider_class


def build_image_generators(
    settings: Settings,
    classes: Callable[[str], ProviderClass] = lambda name: provider_class(IMAGE_ENTRY_POINTS, name),
) -> list[ImageGenerator]:
    """The generators ``VO_IMAGE_PROVIDERS`` names, in order; one named without its key is
    a ``ConfigError`` saying which setting to set."""
    built: list[ImageGenerator] = []
    for name in dict.fromkeys(n.strip().lower() for n in settings.image_providers):
        if not name:
            continue
        cls = classes(name)
        generator = build_provider(cls, name, settings)
        if generator is None:
            raise ConfigError(
                f"the image generator {name!r} is not configured: set {cls.settings_model.required}"
            )
        if not isinstance(generator, ImageGenerator):
            raise ConfigError(f"the image generator {name!r} is not an image generator")
        built.append(generator)
    return built
