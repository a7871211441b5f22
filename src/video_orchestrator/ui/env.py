"""What every page is given: the services and the login rule. No module-level state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from video_orchestrator.services.workspace import Workspace

UI_PATH = "/ui"  # where the UI is mounted on the API app
MEDIA_PATH = "/media"  # inside the UI mount: /ui/media/...


class AuthThrottle(Protocol):
    """Wrong keys per client address (the API's ``FailureThrottle``, shared so the sign-in
    form is no side door): refuse an address over the limit, count one more failure."""

    def refuse_if_over(self, address: str) -> None: ...

    def count(self, address: str) -> None: ...


@dataclass(frozen=True)
class UiEnv:
    services: Callable[[], Workspace]
    require_login: bool = False
    auth_failures: AuthThrottle | None = None

    @property
    def ws(self) -> Workspace:
        return self.services()
