"""Provider discovery through Python entry points.

Built-in providers are registered in our own ``pyproject.toml`` exactly as a third-party
package would register its own, under the groups named in ``ports``.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from video_orchestrator.errors import ConfigError


def provider_classes(group: str) -> dict[str, type]:
    """Name → class for every provider registered under ``group``."""
    found: dict[str, type] = {}
    for entry in entry_points(group=group):
        try:
            loaded = entry.load()
        except Exception as exc:  # a broken plugin must not break the product
            raise ConfigError(f"the provider plugin {entry.name!r} failed to load: {exc}") from exc
        if isinstance(loaded, type):
            found[entry.name] = loaded
    return found


def provider_class(group: str, name: str) -> type:
    classes = provider_classes(group)
    if name not in classes:
        known = ", ".join(sorted(classes)) or "none"
        raise ConfigError(f"unknown provider {name!r}; installed providers: {known}")
    return classes[name]
