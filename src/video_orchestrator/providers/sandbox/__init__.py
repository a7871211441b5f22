"""Local stand-ins for the publishing platforms (ADR 0026, 0027): HTTP servers on 127.0.0.1
that speak each platform's documented protocol, with fault injection. The tests use them as
faithful fakes; ``VO_PLATFORMS_SANDBOX=1`` points the adapters at in-process ones so a user
can try connecting and posting to YouTube, TikTok, Instagram and Facebook without real
accounts (nothing leaves the machine)."""

from __future__ import annotations

import threading
from typing import Any

_lock = threading.Lock()
_settings: dict[str, Any] = {}


def sandbox_settings() -> dict[str, Any]:
    """Settings that point every publishing adapter at an in-process sandbox platform
    (started once per process on 127.0.0.1, on the real clock, consenting at once to any
    connection)."""
    from video_orchestrator.providers.sandbox.facebook import FacebookServer
    from video_orchestrator.providers.sandbox.instagram import InstagramServer
    from video_orchestrator.providers.sandbox.platform import WallClock
    from video_orchestrator.providers.sandbox.tiktok import TikTokServer
    from video_orchestrator.providers.sandbox.youtube import FakeYouTube

    with _lock:
        if not _settings:
            youtube = FakeYouTube(real_time=True, channel_title="Sandbox channel").start()
            _settings.update(youtube.settings())
            # Processing takes seconds, not the real platforms' minutes.
            tiktok = TikTokServer(WallClock(), processing_seconds=2).start()
            instagram = InstagramServer(WallClock(), processing_seconds=2).start()
            facebook = FacebookServer(WallClock(), processing_seconds=2).start()
            per_adapter: dict[str, Any] = {}
            for found in (
                tiktok.settings(),
                instagram.settings("instagram"),  # the Graph API serves both Meta adapters
                facebook.settings("facebook"),
            ):
                per_adapter.update(found["provider_settings"])
            _settings["provider_settings"] = per_adapter
        return dict(_settings)
