"""YouTube against the faithful fake: connecting (PKCE, state), the resumable upload's
rules, resuming after a broken connection, a token expiring mid-upload, quota, reconcile."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.platforms.publishing import Publishing, connect, drive, publishing, youtube_adapter
from tests.platforms.youtube_server import CHUNK_UNIT, FakeYouTube, Fault
from video_orchestrator.errors import ConfigError, InputError
from video_orchestrator.providers.youtube.publisher import YouTube, marker_tag
from video_orchestrator.services.posts import NewPost
from video_orchestrator.store.tables import PublishAccount


@pytest.fixture
def yt() -> Iterator[FakeYouTube]:
    with FakeYouTube() as server:
        yield server


@pytest.fixture
def p(tmp_path: Path, yt: FakeYouTube) -> Publishing:
    return publishing(f"sqlite:///{tmp_path / 'vo.db'}", yt)


def video(tmp_path: Path, size: int = 4 * CHUNK_UNIT + 100_000) -> Path:
    path = tmp_path / "clip.mp4"
    path.write_bytes(os.urandom(size))
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def new_post(account_id: str, path: Path, **extra: object) -> NewPost:
    values: dict[str, object] = {
        "account_id": account_id,
        "video_key": str(path),
        "size": path.stat().st_size,
        "title": "Five facts about the deep ocean",
        "description": "The ocean is deep.",
        "hashtags": ["ocean", "#facts"],
        "privacy": "public",
    }
    values.update(extra)
    return NewPost.model_validate(values)


# --------------------------------------------------------------------------- accounts


def test_connecting_runs_pkce_and_keeps_the_tokens_encrypted(p: Publishing) -> None:
    account = connect(p)
    assert account.platform == "youtube"
    assert account.remote_id == p.yt.channel_id
    assert account.name == "Deep Ocean Facts"
    with p.db.session() as session:
        row = session.get(PublishAccount, account.id)
        assert row is not None
        stored = (row.access_token, row.refresh_token or "")
    live = set(p.yt.access) | set(p.yt.grants)
    assert not live & set(stored), "a token is stored in clear"
    assert p.cipher.decrypt(stored[0], "token") in p.yt.access
    assert p.accounts.health(account.id).token_valid


def test_a_state_is_used_once_and_a_wrong_verifier_is_refused(p: Publishing) -> None:
    start = p.accounts.begin("youtube", "http://127.0.0.1:20112/")
    back = httpx.URL(httpx.get(start.authorization_url).headers["location"])
    with pytest.raises(InputError, match="no connection in progress"):
        p.accounts.finish("forged-state", back.params["code"])
    p.accounts.finish(back.params["state"], back.params["code"])
    with pytest.raises(InputError, match="no connection in progress"):
        p.accounts.finish(back.params["state"], back.params["code"])
    # The fake checks the S256 challenge: a code exchanged with another verifier fails.
    start = p.accounts.begin("youtube", "http://127.0.0.1:20112/")
    code = httpx.URL(httpx.get(start.authorization_url).headers["location"]).params["code"]
    with pytest.raises(Exception, match="code verifier"):
        p.adapter.exchange(code=code, code_verifier="x" * 64, redirect_uri=start.redirect_uri)


def test_a_refused_consent_connects_nothing(p: Publishing) -> None:
    start = p.accounts.begin("youtube", "http://127.0.0.1:20113/")
    with pytest.raises(InputError, match="access_denied"):
        p.accounts.finish(start.state, None, "access_denied")
    assert p.accounts.list() == []


def test_removing_an_account_revokes_its_grant(p: Publishing) -> None:
    account = connect(p)
    token = p.accounts.tokens(account.id).current()
    removed = p.accounts.remove(account.id)
    assert removed.revoked
    assert p.accounts.list() == []
    assert (
        httpx.get(f"{p.yt.base_url}/tokeninfo", params={"access_token": token}).status_code == 400
    )


def test_a_revoked_grant_asks_for_reconnection(p: Publishing, tmp_path: Path) -> None:
    account = connect(p)
    for grant in p.yt.grants.values():
        grant.revoked = True
    post = p.posts.create(new_post(account.id, video(tmp_path)))
    done, _ = drive(p, post.id)
    assert done.state == "needs_attention"
    assert "connect" in (done.message or "")
    assert p.accounts.get(account.id).status == "reconnect"


# --------------------------------------------------------------------------- the upload


def test_a_post_is_uploaded_in_256k_chunks_and_published(p: Publishing, tmp_path: Path) -> None:
    account = connect(p)
    path = video(tmp_path)
    cover = tmp_path / "cover.jpg"
    cover.write_bytes(b"\xff\xd8\xff" + os.urandom(2000))
    post = p.posts.create(new_post(account.id, path, cover_key=str(cover)))
    done, _ = drive(p, post.id)
    assert done.state == "published", done.message
    assert p.yt.chunk_starts == [0, CHUNK_UNIT, 2 * CHUNK_UNIT, 3 * CHUNK_UNIT, 4 * CHUNK_UNIT]
    [uploaded] = p.yt.videos_with_tag(marker_tag(done.marker))
    assert uploaded.id == done.remote_id and done.url and uploaded.id in done.url
    assert uploaded.sha256 == sha(path)
    assert uploaded.thumbnail == cover.read_bytes()
    snippet, status = uploaded.resource["snippet"], uploaded.resource["status"]
    assert snippet["title"] == "Five facts about the deep ocean"
    assert "#ocean #facts" in snippet["description"]
    assert status["containsSyntheticMedia"] is True
    assert status["selfDeclaredMadeForKids"] is False
    assert p.yt.quota_used == 1600 + 50 + 2  # insert, thumbnail, two status looks
    steps = [e.step for e in p.posts.events(post.id)]
    assert steps[0] == "create" and steps.count("upload") == 5


def test_publish_at_goes_with_private_status(yt: FakeYouTube, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from video_orchestrator.ports.publishing import PostContent

    adapter = youtube_adapter(yt)
    path = video(tmp_path, CHUNK_UNIT)
    content = PostContent(
        video=path, size=CHUNK_UNIT, title="T", description="", marker="m", privacy="public",
        publish_at=datetime(2026, 12, 24, 18, 0, tzinfo=UTC),
    )  # fmt: skip
    status = adapter.resource(content)["status"]
    assert status == {
        "privacyStatus": "private",
        "publishAt": "2026-12-24T18:00:00Z",
        "selfDeclaredMadeForKids": False,
        "containsSyntheticMedia": True,
    }


def test_the_fake_refuses_chunks_that_break_the_256k_rule(p: Publishing) -> None:
    access, _ = p.yt.issue_tokens()
    auth = {"Authorization": f"Bearer {access}"}
    opened = httpx.post(
        f"{p.yt.base_url}/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status",
        headers={**auth, "X-Upload-Content-Length": str(3 * CHUNK_UNIT)},
        json={"snippet": {"title": "x"}, "status": {"selfDeclaredMadeForKids": False}},
    )
    session = opened.headers["location"]
    odd = httpx.put(session, headers={**auth, "Content-Range": f"bytes 0-99999/{3 * CHUNK_UNIT}"},
                    content=b"x" * 100_000)  # fmt: skip
    assert odd.status_code == 400 and "multiple of 262144" in odd.text
    gap = httpx.put(
        session,
        headers={
            **auth,
            "Content-Range": f"bytes {CHUNK_UNIT}-{2 * CHUNK_UNIT - 1}/{3 * CHUNK_UNIT}",
        },
        content=b"x" * CHUNK_UNIT,
    )
    assert gap.status_code == 400
    with pytest.raises(ConfigError, match="multiple of 262144"):
        YouTube(client_id="x", chunk_bytes=CHUNK_UNIT + 1)


def test_a_dropped_chunk_resumes_from_the_confirmed_byte(yt: FakeYouTube, tmp_path: Path) -> None:
    p = publishing(
        f"sqlite:///{tmp_path / 'vo.db'}", yt, youtube_adapter(yt, chunk_bytes=2 * CHUNK_UNIT)
    )
    account = connect(p)
    path = video(tmp_path, 5 * CHUNK_UNIT + 1234)
    post = p.posts.create(new_post(account.id, path))
    yt.faults.append(Fault("drop_mid_chunk", on="chunk"))  # the first chunk: half arrives
    done, _ = drive(p, post.id)
    assert done.state == "published"
    # Half of the first 512 KiB chunk arrived: the server kept one whole 256 KiB block,
    # said so when asked, and the upload went on from byte 262144.
    assert yt.chunk_starts == [CHUNK_UNIT, 3 * CHUNK_UNIT, 5 * CHUNK_UNIT]
    assert [v.sha256 for v in yt.videos_with_tag(marker_tag(done.marker))] == [sha(path)]
    outcomes = [(e.step, e.outcome) for e in p.posts.events(post.id)]
    assert ("upload", "unknown") in outcomes and ("reconcile", "uploading") in outcomes


def test_a_token_expiring_mid_upload_is_refreshed_and_the_upload_resumes(
    p: Publishing, tmp_path: Path
) -> None:
    account = connect(p)
    before = p.accounts.tokens(account.id).current()
    path = video(tmp_path)
    post = p.posts.create(new_post(account.id, path))
    for _ in range(3):  # open the session, send two chunks
        assert p.posts.step_once(post.id) == "more"
    assert p.posts.get(post.id).confirmed_bytes == 2 * CHUNK_UNIT
    p.yt.expire_tokens()
    done, _ = drive(p, post.id)
    assert done.state == "published"
    # The third chunk was refused (401), the token refreshed, the chunk sent again from the
    # last confirmed byte: every byte offset once, in order.
    assert p.yt.chunk_starts == [0, CHUNK_UNIT, 2 * CHUNK_UNIT, 3 * CHUNK_UNIT, 4 * CHUNK_UNIT]
    assert p.accounts.tokens(account.id).current() != before
    assert [v.sha256 for v in p.yt.videos_with_tag(marker_tag(done.marker))] == [sha(path)]


def test_a_timeout_after_the_last_chunk_is_reconciled_not_resent(
    p: Publishing, tmp_path: Path
) -> None:
    account = connect(p)
    path = video(tmp_path, 2 * CHUNK_UNIT + 10)
    post = p.posts.create(new_post(account.id, path))
    for _ in range(3):
        p.posts.step_once(post.id)
    p.yt.faults.append(Fault("drop_after_accept", on="chunk"))  # the video exists; no answer
    done, _ = drive(p, post.id)
    assert done.state == "published"
    assert len(p.yt.videos_with_tag(marker_tag(done.marker))) == 1
    assert p.yt.chunk_starts == [0, CHUNK_UNIT, 2 * CHUNK_UNIT]


def test_a_read_timeout_after_the_last_chunk_is_reconciled(yt: FakeYouTube, tmp_path: Path) -> None:
    """The final chunk is accepted (the video exists), the answer comes after the client's
    timeout: the post asks the session and does not send the video again."""
    p = publishing(f"sqlite:///{tmp_path / 'vo.db'}", yt, youtube_adapter(yt, timeout=0.5))
    yt.slow_seconds = 1.5
    account = connect(p)
    path = video(tmp_path, CHUNK_UNIT + 10)
    post = p.posts.create(new_post(account.id, path))
    p.posts.step_once(post.id)
    p.posts.step_once(post.id)
    yt.faults.append(Fault("slow_after_accept", on="chunk"))
    assert p.posts.step_once(post.id) == "waiting"
    assert p.posts.get(post.id).unknown
    done, _ = drive(p, post.id)
    assert done.state == "published"
    assert [v.sha256 for v in yt.videos_with_tag(marker_tag(done.marker))] == [sha(path)]
    assert yt.chunk_starts == [0, CHUNK_UNIT]


def test_an_expired_session_after_the_last_chunk_is_found_by_its_marker(
    p: Publishing, tmp_path: Path
) -> None:
    account = connect(p)
    path = video(tmp_path, CHUNK_UNIT + 10)
    post = p.posts.create(new_post(account.id, path))
    p.posts.step_once(post.id)
    p.posts.step_once(post.id)
    p.yt.faults.append(Fault("drop_after_accept", on="chunk"))
    p.posts.step_once(post.id)  # the last chunk made the video; its answer was lost
    p.yt.sessions.clear()  # and the session is gone when the post is reconciled
    done, _ = drive(p, post.id)
    assert done.state == "published"
    [uploaded] = p.yt.videos_with_tag(marker_tag(done.marker))
    assert uploaded.id == done.remote_id


def test_quota_exhausted_waits_for_midnight_pacific(p: Publishing, tmp_path: Path) -> None:
    account = connect(p)
    p.yt.quota_used = p.yt.quota_per_day - 100
    post = p.posts.create(new_post(account.id, video(tmp_path, CHUNK_UNIT)))
    assert p.posts.step_once(post.id) == "waiting"
    waiting = p.posts.get(post.id)
    assert waiting.state == "uploading" and "quotaExceeded" in (waiting.message or "")
    assert waiting.not_before is not None
    local = waiting.not_before.astimezone(__import__("zoneinfo").ZoneInfo("America/Los_Angeles"))
    assert (local.hour, local.minute) == (0, 0)
    done, _ = drive(p, post.id)
    assert done.state == "published"


def test_a_refused_post_fails_in_youtubes_words(p: Publishing, tmp_path: Path) -> None:
    account = connect(p)
    path = video(tmp_path, CHUNK_UNIT)
    post = p.posts.create(new_post(account.id, path, options={"category_id": "999"}))
    done, _ = drive(p, post.id)
    assert done.state == "failed"
    assert "invalidCategoryId" in (done.message or "")
    assert "The video category specified is invalid" in (done.message or "")
    assert p.yt.videos == {}


def test_the_same_idempotency_marker_makes_one_post(p: Publishing, tmp_path: Path) -> None:
    account = connect(p)
    new = new_post(account.id, video(tmp_path, CHUNK_UNIT))
    first = p.posts.create(new, marker="abc")
    again = p.posts.create(new, marker="abc")
    assert again.id == first.id
    assert len(p.posts.list()) == 1
