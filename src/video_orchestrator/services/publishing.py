"""The publishing use cases in one bundle (ADR 0026): accounts, posts, the scheduler, and
the loop that moves due posts — built from an :class:`AppContext` by the CLI and the
server's workspace."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from video_orchestrator.errors import InputError, VoError
from video_orchestrator.services.accounts import AccountOut, AccountService
from video_orchestrator.services.assets import AssetService
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.jobs import JobService
from video_orchestrator.services.oauth_loopback import LoopbackRedirect
from video_orchestrator.services.posts import PostOut, PostService
from video_orchestrator.services.projects import ProjectService
from video_orchestrator.services.scheduling import ScheduleIn, Scheduler
from video_orchestrator.services.secrets_store import Cipher, secret_key

logger = logging.getLogger(__name__)


class Publishing:
    def __init__(self, ctx: AppContext, jobs: JobService | None = None) -> None:
        settings = ctx.settings
        self.accounts = AccountService(ctx.db, Cipher(secret_key(settings)), lambda: ctx.publishers)
        self.posts = PostService(
            ctx.db,
            self.accounts,
            resolve=ctx.files.local_path,
            lease=timedelta(seconds=max(120.0, 3 * settings.publish_timeout)),
        )
        self.assets = AssetService(ctx.db, ctx.files)
        self.scheduler = Scheduler(
            self.posts,
            self.accounts,
            jobs or JobService(ctx.db, None),
            ProjectService(ctx.db),
            ctx.files,
            self.assets,
        )

    def run_due(self, stop: threading.Event | None = None) -> list[PostOut]:
        """Move every due post as far as it goes now (until it waits or ends)."""
        moved = []
        for post_id in self.posts.due():
            if stop is not None and stop.is_set():
                break
            try:
                moved.append(self.posts.advance(post_id, stop=stop))
            except VoError:  # the database failed: the post is untouched, next tick
                logger.warning("could not move the post %s", post_id, exc_info=True)
        return moved


def connect_with_loopback(
    publishing: Publishing,
    platform: str,
    *,
    show: Callable[[str], None],
    timezone: str = "UTC",
    timeout: float = 300.0,
) -> AccountOut:
    """Connect an account from this machine (``vo accounts connect``, ``vo app``): a one-shot
    listener on 127.0.0.1 is the redirect; ``show`` gets the consent URL (to open in a
    browser or print)."""
    with LoopbackRedirect() as redirect:
        start = publishing.accounts.begin(platform, redirect.uri, timezone=timezone)
        show(start.authorization_url)
        answer = redirect.wait(timeout)
    return publishing.accounts.finish(
        answer.get("state", ""), answer.get("code"), answer.get("error")
    )


def post_file(publishing: Publishing, path: Path, request: ScheduleIn) -> list[PostOut]:
    """Post a video file: it joins the library (once: by its content), then is scheduled."""
    if not path.is_file():
        raise InputError(f"no video file at {path}")
    asset, _ = publishing.assets.add_file(path, path.name)
    return publishing.scheduler.schedule(request.model_copy(update={"asset_id": asset.id}))


def publish_until_settled(
    publishing: Publishing,
    post_ids: list[str],
    *,
    on_change: Callable[[PostOut], None],
    max_wait: float = 120.0,
    sleep: Callable[[float], None] = time.sleep,
) -> list[PostOut]:
    """Move the posts now, in this process, until each ends or must wait longer than
    ``max_wait`` seconds (then the server, or ``vo posts run``, takes over)."""
    last: dict[str, tuple[str, int, str | None]] = {}
    while True:
        waits = []
        for post_id in post_ids:
            post = publishing.posts.advance(post_id)
            seen = (post.state, post.confirmed_bytes, post.message)
            if last.get(post_id) != seen:
                last[post_id] = seen
                on_change(post)
            if post.state in ("scheduled", "uploading", "processing") and post.not_before:
                waits.append((post.not_before - publishing.posts.clock()).total_seconds())
        if not waits or min(waits) > max_wait:
            return [publishing.posts.get(post_id) for post_id in post_ids]
        sleep(max(0.0, min(waits)))
