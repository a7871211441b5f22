"""Building the publishing services on a real database against the fake YouTube, and
driving posts on the fake's clock (for tests/platforms and tests/faults)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet

from tests.platforms.youtube_server import CHUNK_UNIT, FakeYouTube
from video_orchestrator.providers.youtube.publisher import YouTube
from video_orchestrator.services.accounts import AccountOut, AccountService
from video_orchestrator.services.posts import FINAL, PostOut, PostService
from video_orchestrator.services.secrets_store import Cipher
from video_orchestrator.store import Database

LEASE = timedelta(seconds=120)


def youtube_adapter(
    yt: FakeYouTube, *, chunk_bytes: int = CHUNK_UNIT, timeout: float = 5.0, **extra: Any
) -> YouTube:
    return YouTube(
        client_id=yt.client_id,
        client_secret=yt.client_secret,
        accounts_url=yt.base_url,
        oauth_url=yt.base_url,
        api_url=yt.base_url,
        chunk_bytes=chunk_bytes,
        timeout=timeout,
        clock=lambda: yt.now,
        sleep=lambda _: None,
        **extra,
    )


@dataclass
class Publishing:
    db: Database
    cipher: Cipher
    yt: FakeYouTube
    adapter: Any
    accounts: AccountService
    posts: PostService

    def restarted(self, adapter: Any | None = None) -> Publishing:
        """The services as a new process builds them (same database, nothing in memory)."""
        return build(self.db, self.cipher, self.yt, adapter or self.adapter)


def build(db: Database, cipher: Cipher, yt: FakeYouTube, adapter: Any) -> Publishing:
    clock = lambda: yt.now  # noqa: E731
    accounts = AccountService(db, cipher, {"youtube": adapter}, clock=clock)
    posts = PostService(db, accounts, resolve=Path, clock=clock, lease=LEASE)
    return Publishing(db, cipher, yt, adapter, accounts, posts)


def publishing(db_url: str, yt: FakeYouTube, adapter: Any | None = None) -> Publishing:
    db = Database(db_url)
    db.migrate()
    return build(db, Cipher(Fernet.generate_key()), yt, adapter or youtube_adapter(yt))


def connect(p: Publishing, redirect_uri: str = "http://127.0.0.1:20111/") -> AccountOut:
    """The whole authorisation-code flow with PKCE: the browser's trip to the consent page
    (the fake consents) and back to the redirect with code and state."""
    start = p.accounts.begin("youtube", redirect_uri)
    answer = httpx.get(start.authorization_url, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    back = httpx.URL(answer.headers["location"])
    assert str(back).startswith(redirect_uri)
    return p.accounts.finish(back.params["state"], back.params.get("code"))


def drive(
    p: Publishing,
    post_id: str,
    *,
    on_killed: Callable[[Publishing], Publishing] | None = None,
    killed: type[BaseException] | None = None,
    max_rounds: int = 600,
) -> tuple[PostOut, Publishing]:
    """Step the post until it ends, moving the fake's clock over every wait (a quota wait
    of hours is the next day: the quota comes back). A ``killed`` exception is the worker
    dying: a new process (``on_killed``) takes over once the lease has run out."""
    for _ in range(max_rounds):
        post = p.posts.get(post_id)
        if post.state in FINAL:
            return post, p
        try:
            outcome = p.posts.step_once(post_id)
        except BaseException as exc:
            if killed is None or not isinstance(exc, killed):
                raise
            p = on_killed(p) if on_killed is not None else p.restarted()
            p.yt.now += LEASE + timedelta(seconds=1)
            continue
        if outcome == "waiting":
            post = p.posts.get(post_id)
            if post.not_before is not None and post.not_before > p.yt.now:
                if post.not_before - p.yt.now > timedelta(hours=1):
                    p.yt.quota_used = 0  # midnight Pacific passed
                p.yt.now = post.not_before
        elif outcome == "busy":
            p.yt.now += LEASE + timedelta(seconds=1)
    raise AssertionError(f"the post {post_id} did not end: {p.posts.get(post_id)}")
