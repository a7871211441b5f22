"""Provider discovery through Python entry points.

Built-in providers are registered in our own ``pyproject.toml`` exactly as a third-party
package would register its own, under the groups named in ``ports``.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

from video_orchestrator.config import Settings
from video_orchestrator.errors import ConfigError
from video_orchestrator.ports.provider import Provider

ProviderClass = type[Provider[Any]]


def provider_classes(group: str) -> dict[str, ProviderClass]:
    """Name → class for every provider registered under ``group``; each subclasses
    ``ports.provider.Provider`` (the plugin contract)."""
    found: dict[str, ProviderClass] = {}
    for entry in entry_points(group=group):
        try:
            loaded = entry.load()
        except Exception as exc:  # a broken plugin must not break the product
            raise ConfigError(f"the provider plugin {entry.name!r} failed to load: {exc}") from exc
        if not isinstance(loaded, type):
            continue
        if not issubclass(loaded, Provider):
            raise ConfigError(
                f"the provider plugin {entry.name!r} ({loaded.__name__}) does not subclass "
                "video_orchestrator.ports.provider.Provider"
            )
        found[entry.name] = loaded
    return found


def build_provider(cls: ProviderClass, name: str, settings: Settings) -> Provider[Any] | None:
    """The provider ``cls`` configured by its section of ``settings`` (None when it is not
    configured); how every provider, built-in or plugin, is made."""
    return cls.from_settings(settings.section(cls.settings_model, name))


def provider_class(group: str, name: str) -> ProviderClass:
    classes = provider_classes(group)
    if name not in classes:
        known = ", ".join(sorted(classes)) or "none"
        raise ConfigError(f"unknown provider {name!r}; installed providers: {known}")
    return classes[name]
