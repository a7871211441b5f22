"""Local stand-ins for the publishing platforms (ADR 0026): HTTP servers on 127.0.0.1 that
speak each platform's documented protocol, with fault injection. The tests use them as
faithful fakes; ``VO_PLATFORMS_SANDBOX=1`` points the adapters at in-process ones so a user
can try connecting and posting without real accounts (nothing leaves the machine)."""

from __future__ import annotations

import threading
from typing import Any

_lock = threading.Lock()
_settings: dict[str, Any] = {}


def sandbox_settings() -> dict[str, Any]:
    """Settings that point every publishing adapter at an in-process sandbox platform
    (started once per process, on 127.0.0.1, consenting at once to any connection)."""
    from video_orchestrator.providers.sandbox.youtube import FakeYouTube

    with _lock:
        if not _settings:
            youtube = FakeYouTube(real_time=True, channel_title="Sandbox channel").start()
            _settings.update(youtube.settings())
        return dict(_settings)
