"""What this browser's user chose for new projects (voice, language, platform), kept in
NiceGUI's per-browser storage; the server's settings are the fallback."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from nicegui import app

from video_orchestrator.config import Settings

KEY = "new_project_defaults"


@dataclass(frozen=True)
class NewProjectDefaults:
    voice: str
    language: str
    platform: str


def load(settings: Settings, platforms: list[str]) -> NewProjectDefaults:
    stored: dict[str, Any] = app.storage.user.get(KEY, {})
    platform = stored.get("platform", settings.default_platform)
    if platform not in platforms:  # a preset removed since, or a server default not offered
        platform = platforms[0] if platforms else settings.default_platform
    return NewProjectDefaults(
        voice=str(stored.get("voice") or settings.default_voice),
        language=str(stored.get("language") or "en"),
        platform=str(platform),
    )


def save(defaults: NewProjectDefaults) -> None:
    app.storage.user[KEY] = asdict(defaults)
