"""``VO_PLATFORMS_SANDBOX=1``: the adapters talk to in-process sandbox platforms, so a user
can connect an account and publish without a real one (nothing leaves 127.0.0.1)."""

from __future__ import annotations

import os
from importlib.metadata import entry_points
from pathlib import Path

import httpx
import pytest

from video_orchestrator.config import Settings
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.posts import NewPost
from video_orchestrator.services.publishing import Publishing
from video_orchestrator.store.tables import Post

pytestmark = pytest.mark.skipif(
    "youtube" not in {e.name for e in entry_points(group="video_orchestrator.publishers")},
    reason="the sandbox builds the registered publishers (pip install -e . registers YouTube)",
)


def test_the_sandbox_connects_and_publishes_without_an_account(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", platforms_sandbox=True
    )
    ctx = AppContext(settings)
    publishing = Publishing(ctx)
    adapter = publishing.accounts.adapter("youtube")
    assert adapter.configured
    start = publishing.accounts.begin("youtube", "http://127.0.0.1:20150/")
    assert start.authorization_url.startswith("http://127.0.0.1:")
    back = httpx.URL(httpx.get(start.authorization_url).headers["location"])
    account = publishing.accounts.finish(back.params["state"], back.params["code"])
    assert account.name == "Sandbox channel"
    video = tmp_path / "v.mp4"
    video.write_bytes(os.urandom(300_000))
    ctx.files.put_file(video, "renders/sandbox/v.mp4")
    post = publishing.posts.create(
        NewPost(
            account_id=account.id,
            video_key="renders/sandbox/v.mp4",
            size=video.stat().st_size,
            title="Sandbox post",
            privacy="public",
        )
    )
    for _ in range(5):
        done = publishing.posts.advance(post.id)
        if done.state == "published":
            break
        with publishing.posts.db.session() as session:
            row = session.get(Post, post.id)
            assert row is not None
            row.not_before = None  # the processing poll's wait, skipped
    assert done.state == "published", done.message
    assert done.url and done.url.startswith("https://www.youtube.com/shorts/")
