"""Local stand-ins for the publishing platforms (ADR 0026, 0027): HTTP servers on 127.0.0.1
that speak each platform's documented protocol, with fault injection. The tests use them as
faithful fakes; ``VO_PLATFORMS_SANDBOX=1`` points the adapters at in-process ones so a user
can try connecting and posting to YouTube, TikTok, Instagram and Facebook without real
accounts (nothing leaves the machine)."""

from __future__ import annotations

import json
import os
import threading
from typing import Any

_lock = threading.Lock()
_settings: dict[str, Any] = {}
#: Where the sandbox of this process tree serves: set by the process that started it, so the
#: worker processes it spawns (they inherit the environment) talk to the same platforms —
#: an account connected in the server is known to the sandbox its workers post to.
SHARED_ENV = "VO_SANDBOX_SHARED_SETTINGS"


def sandbox_settings() -> dict[str, Any]:
    """Settings that point every publishing adapter at a sandbox platform on 127.0.0.1 (on
    the real clock, consenting at once to any connection): started once per process tree —
    a spawned worker uses its parent's (:data:`SHARED_ENV`)."""
    from video_orchestrator.providers.sandbox.facebook import FacebookServer
    from video_orchestrator.providers.sandbox.instagram import InstagramServer
    from video_orchestrator.providers.sandbox.platform import WallClock
    from video_orchestrator.providers.sandbox.tiktok import TikTokServer
    from video_orchestrator.providers.sandbox.youtube import FakeYouTube

    with _lock:
        if not _settings and os.environ.get(SHARED_ENV):
            _settings.update(json.loads(os.environ[SHARED_ENV]))
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
            os.environ[SHARED_ENV] = json.dumps(_settings)
        return dict(_settings)
