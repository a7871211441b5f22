"""What every page is given: the services and the login rule. No module-level state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from video_orchestrator.services.workspace import Workspace

UI_PATH = "/ui"  # where the UI is mounted on the API app
MEDIA_PATH = "/media"  # inside the UI mount: /ui/media/...


@dataclass(frozen=True)
class UiEnv:
    services: Callable[[], Workspace]
    require_login: bool = False

    @property
    def ws(self) -> Workspace:
        return self.services()
