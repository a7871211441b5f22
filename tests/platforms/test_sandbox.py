"""``VO_PLATFORMS_SANDBOX=1``: the adapters talk to in-process sandbox platforms, so a user
can connect an account and publish to each of the four without a real one (nothing leaves
127.0.0.1)."""

from __future__ import annotations

import time
from importlib.metadata import entry_points
from pathlib import Path

import httpx
import pytest

from tests.platforms.media import video_file
from video_orchestrator.config import Settings
from video_orchestrator.providers.sandbox import SHARED_ENV
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.posts import FINAL, NewPost
from video_orchestrator.services.publishing import Publishing
from video_orchestrator.store.tables import Post

PLATFORMS = ("youtube", "tiktok", "instagram", "facebook")

pytestmark = pytest.mark.skipif(
    not set(PLATFORMS) <= {e.name for e in entry_points(group="video_orchestrator.publishers")},
    reason="the sandbox builds the registered publishers (pip install -e . registers them)",
)

URL_OF = {
    "youtube": "https://www.youtube.com/shorts/",
    "tiktok": "https://www.tiktok.com/",
    "instagram": "https://www.instagram.com/",
    "facebook": "https://www.facebook.com/",
}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_sandbox_connects_and_publishes_without_an_account(
    tmp_path: Path, platform: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SHARED_ENV, "")  # the sandbox shares its address: forgotten after
    settings = Settings(
        data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", platforms_sandbox=True
    )
    ctx = AppContext(settings)
    publishing = Publishing(ctx)
    adapter = publishing.accounts.adapter(platform)
    assert adapter.configured
    start = publishing.accounts.begin(platform, "http://127.0.0.1:20150/")
    assert start.authorization_url.startswith("http://127.0.0.1:")  # the sandbox's consent
    back = httpx.URL(httpx.get(start.authorization_url).headers["location"])
    account = publishing.accounts.finish(back.params["state"], back.params["code"])
    assert account.name
    assert publishing.accounts.health(account.id).token_valid
    video = video_file(tmp_path / "v.mp4", 300_000, seed=3)
    ctx.files.put_file(video, "renders/sandbox/v.mp4")
    post = publishing.posts.create(
        NewPost(
            account_id=account.id,
            video_key="renders/sandbox/v.mp4",
            size=video.stat().st_size,
            title=f"Sandbox post on {platform}",
            privacy="public",
            options={"privacy_level": "PUBLIC_TO_EVERYONE"} if platform == "tiktok" else {},
        )
    )
    deadline = time.monotonic() + 30  # the sandbox processes a video for a few real seconds
    done = publishing.posts.get(post.id)
    while done.state not in FINAL and time.monotonic() < deadline:
        done = publishing.posts.advance(post.id)
        with publishing.posts.db.session() as session:
            row = session.get(Post, post.id)
            assert row is not None
            row.not_before = None  # the status poll's wait, cut short
        time.sleep(0.5)
    assert done.state == "published", done.message
    assert done.url and done.url.startswith(URL_OF[platform]), done.url
