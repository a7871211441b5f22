"""The four publishers through the one post state machine (issue 16): the adapters of
TikTok, Instagram and Facebook (ADR 0027), built from settings as the server builds them, are
connected with the OAuth flow of the accounts service and driven by the posts service on a
real database (ADR 0026) — once cleanly, once with the platform's answer lost after it acted
(the post must be reconciled, not sent again)."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet

from tests.platforms.media import video_file
from video_orchestrator.config import Settings
from video_orchestrator.providers.sandbox.facebook import FacebookServer
from video_orchestrator.providers.sandbox.instagram import InstagramServer
from video_orchestrator.providers.sandbox.platform import Chaos, FakeClock
from video_orchestrator.providers.sandbox.tiktok import TikTokServer
from video_orchestrator.services.accounts import AccountService
from video_orchestrator.services.posts import FINAL, NewPost, PostService
from video_orchestrator.services.publishers import build_adapters
from video_orchestrator.services.secrets_store import Cipher
from video_orchestrator.store import Database

PLATFORMS = ("tiktok", "instagram", "facebook")
REDIRECT = "http://127.0.0.1:20111/"


def server_for(platform: str, clock: FakeClock) -> Any:
    if platform == "tiktok":
        return TikTokServer(clock)
    if platform == "instagram":
        return InstagramServer(clock)
    return FacebookServer(clock)


#: The request that creates the post on each platform (the one whose lost answer matters).
CREATING = {"tiktok": "init", "instagram": "publish", "facebook": "reels"}


class Once(Chaos):
    """The platform acts on the first request of ``route`` but its answer is lost."""

    def __init__(self, route: str) -> None:
        super().__init__(random.Random(0), 1.0, {route: ("lose_answer",)})
        self.spent = False

    def pick(self, route: str) -> str | None:
        if self.spent or route not in self.routes:
            return None
        self.spent = True
        return "lose_answer"


def published(server: Any, platform: str) -> list[str]:
    """What the platform shows: the posts' titles or captions."""
    if platform == "tiktok":
        return list(server.titles())
    if platform == "instagram":
        return list(server.captions())
    return list(server.reels())


@pytest.fixture(params=PLATFORMS)
def platform(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def world(platform: str, tmp_path: Path) -> Iterator[tuple[Any, FakeClock, AccountService]]:
    clock = FakeClock(time.time())
    with server_for(platform, clock) as server:
        wiring = server.settings() if platform == "tiktok" else server.settings(platform)
        settings = Settings(data_dir=tmp_path / "data", **wiring)
        adapter = build_adapters(settings)[platform]
        for part in (adapter.connector, adapter.publisher):  # waits move the fake's clock
            if hasattr(part, "sleep"):
                part.sleep = clock.advance
        db = Database(f"sqlite:///{tmp_path / 'vo.db'}")
        db.migrate()
        accounts = AccountService(
            db, Cipher(Fernet.generate_key()), {platform: adapter}, clock=lambda: now(clock)
        )
        yield server, clock, accounts
        db.dispose()


def now(clock: FakeClock) -> datetime:
    return datetime.fromtimestamp(clock.now, UTC)


def connect(accounts: AccountService, platform: str) -> str:
    start = accounts.begin(platform, REDIRECT)
    answer = httpx.get(start.authorization_url, follow_redirects=False)
    assert answer.status_code in (302, 303), answer.text
    back = httpx.URL(answer.headers["location"])
    assert str(back).startswith(REDIRECT)
    return accounts.finish(back.params["state"], back.params.get("code")).id


def run(posts: PostService, post_id: str, clock: FakeClock) -> str:
    for _ in range(400):
        post = posts.get(post_id)
        if post.state in FINAL:
            return post.state
        outcome = posts.step_once(post_id)
        post = posts.get(post_id)
        if outcome == "waiting" and post.not_before is not None:
            clock.advance(max(1.0, (post.not_before - now(clock)).total_seconds()))
        elif outcome == "busy":
            clock.advance(600)
    raise AssertionError(f"the post did not end: {posts.get(post_id)}")


def new_post(account_id: str, video: Path, platform: str, title: str) -> NewPost:
    options: dict[str, str | int | bool] = (
        {"privacy_level": "PUBLIC_TO_EVERYONE"} if platform == "tiktok" else {}
    )
    return NewPost(
        account_id=account_id,
        video_key=str(video),
        size=video.stat().st_size,
        title=title,
        description="Sources: deep-sea surveys",
        hashtags=["#ocean"],
        privacy="public",
        options=options,
    )


def test_a_post_goes_out_once_through_the_state_machine(
    world: tuple[Any, FakeClock, AccountService], platform: str, tmp_path: Path
) -> None:
    server, clock, accounts = world
    account_id = connect(accounts, platform)
    posts = PostService(
        accounts.db, accounts, resolve=Path, clock=lambda: now(clock), lease=timedelta(minutes=5)
    )
    video = video_file(tmp_path / "clip.mp4", 300_000, seed=1)
    post = posts.create(new_post(account_id, video, platform, "The deep ocean glows"))
    assert run(posts, post.id, clock) == "published"
    done = posts.get(post.id)
    assert done.remote_id
    assert sum("The deep ocean glows" in title for title in published(server, platform)) == 1


def test_an_answer_lost_after_the_platform_acted_is_reconciled_not_repeated(
    world: tuple[Any, FakeClock, AccountService], platform: str, tmp_path: Path
) -> None:
    server, clock, accounts = world
    account_id = connect(accounts, platform)
    posts = PostService(
        accounts.db, accounts, resolve=Path, clock=lambda: now(clock), lease=timedelta(minutes=5)
    )
    video = video_file(tmp_path / "clip.mp4", 300_000, seed=2)
    post = posts.create(new_post(account_id, video, platform, "Whales sing in the dark"))
    server.chaos = once = Once(CREATING[platform])  # the platform acts; the answer is lost
    assert run(posts, post.id, clock) == "published"
    assert once.spent
    assert sum("Whales sing in the dark" in title for title in published(server, platform)) == 1
    steps = [(e.step, e.outcome) for e in posts.events(post.id)]
    assert any("reconcile" in f"{step} {outcome}" for step, outcome in steps), steps
