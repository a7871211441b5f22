"""Local stand-ins for the publishing platforms (ADR 0026, 0027): HTTP servers on 127.0.0.1
that speak each platform's documented protocol, with fault injection. The tests use them as
faithful fakes; ``VO_PLATFORMS_SANDBOX=1`` points the adapters at in-process ones so a user
can try connecting and posting to YouTube, TikTok, Instagram and Facebook without real
accounts (nothing leaves the machine). The sandbox's platforms keep what they know in the
workspace (``<data_dir>/sandbox/``, :mod:`.state`, ADR 0037), so every process — each ``vo``
command, ``vo serve`` after a restart — talks to the same four platforms."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

_lock = threading.Lock()
#: The sandbox started in this process, by its state directory.
_started: dict[Path, dict[str, Any]] = {}
#: Where the sandbox of this process tree serves: set by the process that started it, so the
#: worker processes it spawns (they inherit the environment) use the same servers rather
#: than starting their own (they would share the state file all the same).
SHARED_ENV = "VO_SANDBOX_SHARED_SETTINGS"
#: The state directory's files, one a platform (and its ``.lock``).
STATE_FILES = ("youtube.json", "tiktok.json", "instagram.json", "facebook.json")


def sandbox_settings(state_dir: Path) -> dict[str, Any]:
    """Settings that point every publishing adapter at a sandbox platform on 127.0.0.1 (on
    the real clock, consenting at once to any connection) whose state is kept in
    ``state_dir`` (the workspace's ``sandbox`` directory): started once per process tree — a
    spawned worker uses its parent's (:data:`SHARED_ENV`)."""
    from video_orchestrator.providers.sandbox.facebook import FacebookServer
    from video_orchestrator.providers.sandbox.instagram import InstagramServer
    from video_orchestrator.providers.sandbox.platform import WallClock
    from video_orchestrator.providers.sandbox.tiktok import TikTokServer
    from video_orchestrator.providers.sandbox.youtube import FakeYouTube

    key = state_dir.resolve()
    with _lock:
        if key not in _started and os.environ.get(SHARED_ENV):
            shared = json.loads(os.environ[SHARED_ENV])
            if shared.pop("state_dir", None) == str(key):
                _started[key] = shared
        if key not in _started:
            youtube = FakeYouTube(real_time=True, channel_title="Sandbox channel")
            youtube.persist(key / "youtube.json").start()
            settings: dict[str, Any] = dict(youtube.settings())
            # Processing takes seconds, not the real platforms' minutes.
            tiktok = TikTokServer(WallClock(), processing_seconds=2)
            instagram = InstagramServer(WallClock(), processing_seconds=2)
            facebook = FacebookServer(WallClock(), processing_seconds=2)
            tiktok.persist(key / "tiktok.json").start()
            instagram.persist(key / "instagram.json").start()
            facebook.persist(key / "facebook.json").start()
            per_adapter: dict[str, Any] = {}
            for found in (
                tiktok.settings(),
                instagram.settings("instagram"),  # the Graph API serves both Meta adapters
                facebook.settings("facebook"),
            ):
                per_adapter.update(found["provider_settings"])
            settings["provider_settings"] = per_adapter
            _started[key] = settings
            os.environ[SHARED_ENV] = json.dumps({**settings, "state_dir": str(key)})
        return dict(_started[key])
