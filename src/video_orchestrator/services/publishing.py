"""The publishing use cases in one bundle (ADR 0026): accounts, posts, the scheduler, and
the publish tasks that move posts through the job system (ADR 0025) — built from an
:class:`AppContext` by the CLI, the server's workspace and the task handlers."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from video_orchestrator.errors import InputError
from video_orchestrator.jobs.workload import PublishSweepWorkload, PublishWorkload
from video_orchestrator.services.accounts import AccountOut, AccountService
from video_orchestrator.services.assets import AssetService
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.jobs import JobService
from video_orchestrator.services.oauth_loopback import LoopbackRedirect
from video_orchestrator.services.posts import ACTIVE, PostOut, PostService
from video_orchestrator.services.progress import Reporter
from video_orchestrator.services.projects import ProjectService
from video_orchestrator.services.scheduling import ScheduleIn, Scheduler
from video_orchestrator.services.secrets_store import Cipher, secret_key

logger = logging.getLogger(__name__)


class Publishing:
    def __init__(self, ctx: AppContext, jobs: JobService | None = None) -> None:
        """``jobs``: the server's job service (its executor hears of new jobs at once);
        without it, jobs are found by the workers' queue poll or the Celery outbox sweep."""
        settings = ctx.settings
        self.jobs = jobs or JobService(ctx.db, None, max_attempts=settings.job_max_attempts)
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
            self.jobs,
            ProjectService(ctx.db),
            ctx.files,
            self.assets,
        )

    # -- the job system carries posts (ADR 0025): one publish task per wait

    def kick(self, post: PostOut) -> None:
        """Give an active post its publish job, at its time; once per state of the post (the
        job's dedupe key names the post's last change)."""
        if post.state not in ACTIVE:
            return
        self.jobs.submit_task(
            PublishWorkload(post_id=post.id),
            not_before=post.not_before,
            dedupe_key=publish_key(post),
        )

    def schedule(
        self, request: ScheduleIn, *, idempotency: tuple[str, str] | None = None
    ) -> list[PostOut]:
        posts = self.scheduler.schedule(request, idempotency=idempotency)
        for post in posts:
            self.kick(post)
        return posts

    def publish_now(self, post_id: str) -> PostOut:
        return self._kicked(self.posts.publish_now(post_id))

    def retry(self, post_id: str) -> PostOut:
        return self._kicked(self.posts.retry(post_id))

    def reschedule(self, post_id: str, at: datetime) -> PostOut:
        return self._kicked(self.posts.reschedule(post_id, at))

    def _kicked(self, post: PostOut) -> PostOut:
        self.kick(post)
        return post

    def sweep(self) -> int:
        """Every due post gets its publish job (those it has already are not made again)."""
        for post_id in self.posts.due():
            self.kick(self.posts.get(post_id))
        return len(self.posts.due())

    def run_due(self, stop: threading.Event | None = None) -> list[PostOut]:
        """Move every due post as far as it goes now, in this process (``vo posts run``)."""
        moved = []
        for post_id in self.posts.due():
            if stop is not None and stop.is_set():
                break
            moved.append(self.posts.advance(post_id, stop=stop))
        return moved


def publish_key(post: PostOut) -> str:
    return f"post:{post.id}@{post.updated_at.isoformat()}"


def publish_post(
    ctx: AppContext, workload: PublishWorkload, reporter: Reporter, cancel: threading.Event
) -> None:
    """The ``publish`` task: move the post until it waits or ends; when it waits (a status
    poll, a rate limit, a daily cap, another worker's step in flight), its next job is
    submitted for then — never a sleep."""
    publishing = Publishing(ctx)
    post = publishing.posts.advance(workload.post_id, stop=cancel)
    reporter.notice(
        f"post {post.id} ({post.platform}): {post.state}"
        + (f": {post.message}" if post.message else "")
    )
    if post.state in ACTIVE:
        if post.in_flight is not None and post.not_before is None:  # another worker's step
            post = post.model_copy(update={"not_before": post.updated_at + publishing.posts.lease})
        publishing.kick(post)


def publish_sweep(
    ctx: AppContext, workload: PublishSweepWorkload, reporter: Reporter, cancel: threading.Event
) -> None:
    """The ``publish_sweep`` task (every 30 s by the server's schedule)."""
    due = Publishing(ctx).sweep()
    reporter.notice(f"{due} posts due")


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
