"""The publishing adapters (``ports.publishing``), one per platform, found under the entry
point group ``video_orchestrator.publishers`` and built from the settings like every
provider (ADR 0012, 0026). An adapter is one class that is both the platform's
:class:`Connector` (OAuth, identity) and its :class:`Publisher` (the upload steps)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Protocol, runtime_checkable

from video_orchestrator.config import Settings
from video_orchestrator.errors import ConfigError, InputError
from video_orchestrator.ports import PUBLISHER_ENTRY_POINTS
from video_orchestrator.ports.publishing import Connector, Publisher
from video_orchestrator.services.registry import build_provider, provider_classes

#: The platforms' own names → the platform preset of ``data/platforms.json`` whose limits
#: and post-text rules apply to a post there.
PRESET_OF = {
    "youtube": "youtube-shorts",
    "tiktok": "tiktok",
    "instagram": "instagram-reels",
    "facebook": "facebook-reels",
}


@runtime_checkable
class PlatformAdapter(Connector, Publisher, Protocol):
    """A platform: its OAuth and identity, and its upload protocol."""


def build_adapters(settings: Settings) -> dict[str, PlatformAdapter]:
    """Every registered publishing adapter by platform, built from ``settings`` (an adapter
    that is not configured is still listed: it says so when used). With
    ``VO_PLATFORMS_SANDBOX=1`` they talk to in-process sandbox platforms instead, whose
    state is kept in the workspace (:func:`sandbox_dir`)."""
    if settings.platforms_sandbox:
        from video_orchestrator.providers.sandbox import sandbox_settings

        settings = settings.model_copy(update=sandbox_settings(sandbox_dir(settings)))
    adapters: dict[str, PlatformAdapter] = {}
    for name, cls in provider_classes(PUBLISHER_ENTRY_POINTS).items():
        built = build_provider(cls, name, settings)
        if built is None:
            continue
        if not isinstance(built, PlatformAdapter):
            raise ConfigError(
                f"the publishing plugin {name!r} is not both a Connector and a Publisher "
                "(video_orchestrator.ports.publishing)"
            )
        adapters[built.platform] = built
    return adapters


def sandbox_dir(settings: Settings) -> Path:
    """Where the sandbox platforms keep what they know (ADR 0037): delete it, with no ``vo``
    process running, to start the sandbox afresh."""
    return settings.data_dir / "sandbox"


def adapter_for(adapters: Mapping[str, PlatformAdapter], platform: str) -> PlatformAdapter:
    """The adapter of ``platform``, or an InputError saying why it cannot be used here."""
    found = adapters.get(platform)
    if found is None and platform not in PRESET_OF:
        raise InputError(
            f"unknown platform {platform!r}; platforms: {', '.join(sorted(PRESET_OF))}"
        )
    if found is None:
        known = ", ".join(sorted(adapters)) or "none"
        raise InputError(
            f"posting to {platform} is not installed on this server (installed: {known})"
        )
    if not found.configured:
        raise InputError(
            f"posting to {platform} is not set up on this server: its OAuth client is missing "
            f"(see ADR 0026 / the README; VO_PLATFORMS_SANDBOX=1 tries it without accounts)"
        )
    return found
