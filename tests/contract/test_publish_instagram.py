"""Instagram's connector and publisher against the fake Instagram (``tests/platforms/
instagram_server.py``): Facebook Login with PKCE and long-lived tokens, Reels containers
with the resumable upload, the 24-hour publishing limit read at run time, every fault the
fake injects, resume from the offset Instagram reports, and Meta's words in every error."""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.platforms.driver import ClockTokens, Outcome, at, drive
from tests.platforms.media import video_file
from tests.platforms.meta import meta_connector, meta_publisher
from video_orchestrator.errors import (
    NotFoundError,
    OutcomeUnknown,
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
)
from video_orchestrator.ports.publishing import (
    Checkpoint,
    Connector,
    PostContent,
    Publisher,
    TokenSet,
)
from video_orchestrator.providers._meta import MetaSettings
from video_orchestrator.providers.instagram.adapter import Instagram
from video_orchestrator.providers.instagram.connector import InstagramConnector
from video_orchestrator.providers.instagram.publisher import InstagramPublisher
from video_orchestrator.providers.sandbox.graph import IG_ID
from video_orchestrator.providers.sandbox.instagram import InstagramServer
from video_orchestrator.providers.sandbox.platform import FakeClock

KIB = 1024
CAPTION = "Octopuses have three hearts\n\nDeep-sea facts.\n\n#ocean #facts"


@pytest.fixture
def instagram() -> Iterator[InstagramServer]:
    with InstagramServer(FakeClock(), quota_total=50) as server:
        yield server


def connector(server: InstagramServer) -> InstagramConnector:
    return meta_connector(InstagramConnector, server)


def publisher(server: InstagramServer, piece: int = 16 * KIB) -> InstagramPublisher:
    return meta_publisher(InstagramPublisher, server, piece=piece)


def tokens(server: InstagramServer, life: float = 60 * 86400) -> ClockTokens:
    token = server.user_token(life)
    expires = at(server.clock) + timedelta(seconds=life)
    return ClockTokens(connector(server), TokenSet(token, token, expires), server.clock)


def content(path: Path, size: int, *, mp4: bool = True, **options: str | int | bool) -> PostContent:
    video = video_file(path, size, mp4=mp4)
    return PostContent(
        video=video,
        size=size,
        title="Octopuses have three hearts",
        description="Deep-sea facts.",
        privacy="public",
        marker="m-1",
        hashtags=("ocean", "facts"),
        options=options,
    )


def finish(
    server: InstagramServer,
    pub: Publisher,
    source: ClockTokens,
    post: PostContent,
    checkpoint: Checkpoint | None = None,
) -> Outcome:
    store = {"checkpoint": (checkpoint or Checkpoint.start()).to_json()}
    return drive(lambda: pub, source, post, store=store, clock=server.clock, rng=random.Random(0))


def step_until(pub: Publisher, source: ClockTokens, post: PostContent, stage: str) -> Checkpoint:
    checkpoint = Checkpoint.start()
    while checkpoint.stage != stage:
        checkpoint = pub.step(source, post, checkpoint).checkpoint
    return checkpoint


def test_facebook_login_with_pkce_gives_a_long_lived_token_and_the_account(
    instagram: InstagramServer,
) -> None:
    conn = connector(instagram)
    assert isinstance(conn, Connector)
    verifier = "w" * 60
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    text = challenge.rstrip(b"=").decode()
    url = conn.authorization_url(
        state="s", code_challenge=text, redirect_uri="http://127.0.0.1:20202/cb"
    )
    query = parse_qs(urlsplit(url).query)
    assert urlsplit(url).path == "/v21.0/dialog/oauth"
    assert "instagram_content_publish" in query["scope"][0].split(",")
    code = instagram.authorize(text, "http://127.0.0.1:20202/cb")
    got = conn.exchange(code=code, code_verifier=verifier, redirect_uri="http://127.0.0.1:20202/cb")
    assert got.expires_at == at(instagram.clock) + timedelta(days=60)  # long-lived, not 1 h
    source = ClockTokens(conn, got, instagram.clock)
    me = conn.identity(source)
    assert (me.remote_id, me.name) == (IG_ID, "@oceanfacts")
    renewed = conn.refresh(got.access_token)
    assert renewed.access_token != got.access_token
    conn.revoke(renewed.access_token)
    conn.revoke(renewed.access_token)  # already revoked: not an error
    with pytest.raises(ProviderAuthError, match="Session has expired"):
        conn.refresh(renewed.access_token)


def test_the_registered_adapter_is_both_connector_and_publisher() -> None:
    adapter = Instagram.from_settings(MetaSettings())
    assert isinstance(adapter, Connector) and isinstance(adapter, Publisher)
    assert adapter.platform == "instagram" and not adapter.configured


def test_health_reads_the_publishing_limit_at_run_time(instagram: InstagramServer) -> None:
    instagram.quota_total = 25
    health = publisher(instagram).health(tokens(instagram))
    assert health.quota_left == {"instagram_posts_24h": 25}
    assert health.facts["username"] == "oceanfacts"


def test_a_reel_is_created_uploaded_in_pieces_and_published(
    instagram: InstagramServer, tmp_path: Path
) -> None:
    post = content(
        tmp_path / "a.mp4", 50 * KIB, cover_url="https://example.org/c.jpg", thumb_offset=1200
    )
    outcome = finish(instagram, publisher(instagram), tokens(instagram), post)
    assert outcome.state == "published"
    assert outcome.url and outcome.url.startswith("https://www.instagram.com/reel/")
    assert instagram.captions() == [CAPTION]
    assert outcome.remote_id == instagram.media[0]["id"]
    (name,) = instagram.uploads
    assert bytes(instagram.uploads[name].data) == post.video.read_bytes()
    routes = [route for route, _, _ in instagram.log]
    assert routes[:7] == ["accounts", "limit", "create", "upload", "upload", "upload", "upload"]


def test_the_daily_cap_needs_attention_before_and_at_the_publish(
    instagram: InstagramServer, tmp_path: Path
) -> None:
    instagram.quota_total = 0
    result = publisher(instagram).step(
        tokens(instagram), content(tmp_path / "a.mp4", 8 * KIB), Checkpoint.start()
    )
    assert result.state == "needs_attention" and "0 of the 0 posts" in (result.message or "")
    instagram.quota_total = 1
    pub, source = publisher(instagram), tokens(instagram)
    post = content(tmp_path / "b.mp4", 8 * KIB)
    checkpoint = step_until(pub, source, post, "status")
    instagram.media.append(
        {"id": "1", "caption": "other", "at": instagram.clock(), "permalink": "p", "timestamp": "t"}
    )  # the cap fills meanwhile
    outcome = finish(instagram, pub, source, post, checkpoint)
    assert outcome.state == "needs_attention" and "2207042" in (outcome.message or "")
    assert CAPTION not in instagram.captions()


def test_a_cut_upload_resumes_from_the_offset_instagram_reports(
    instagram: InstagramServer, tmp_path: Path
) -> None:
    pub, source = publisher(instagram, piece=40 * KIB), tokens(instagram)
    post = content(tmp_path / "a.mp4", 100 * KIB)
    checkpoint = step_until(pub, source, post, "upload")
    instagram.plan("upload", "drop_body")
    with pytest.raises(OutcomeUnknown):
        pub.step(source, post, checkpoint)
    told = pub.reconcile(source, post, checkpoint)
    kept = next(iter(instagram.uploads.values())).received
    assert 0 < kept < 40 * KIB  # the part that arrived is kept, not a piece boundary
    assert (told.checkpoint.stage, told.checkpoint.confirmed_bytes) == ("upload", kept)
    assert finish(instagram, pub, source, post, told.checkpoint).state == "published"
    assert bytes(next(iter(instagram.uploads.values())).data) == post.video.read_bytes()


def test_a_caller_that_skips_reconcile_is_corrected_by_the_upload_host(
    instagram: InstagramServer, tmp_path: Path
) -> None:
    pub, source = publisher(instagram, piece=40 * KIB), tokens(instagram)
    post = content(tmp_path / "a.mp4", 100 * KIB)
    checkpoint = step_until(pub, source, post, "upload")
    instagram.plan("upload", "lose_answer")
    with pytest.raises(OutcomeUnknown):
        pub.step(source, post, checkpoint)
    result = pub.step(source, post, checkpoint)  # offset 0 again: "Offset mismatch"
    assert result.checkpoint.confirmed_bytes == 40 * KIB
    assert finish(instagram, pub, source, post, result.checkpoint).state == "published"


def test_a_lost_answer_to_media_publish_is_found_published_not_repeated(
    instagram: InstagramServer, tmp_path: Path
) -> None:
    pub, source = publisher(instagram), tokens(instagram)
    post = content(tmp_path / "a.mp4", 8 * KIB)
    checkpoint = step_until(pub, source, post, "status")
    while checkpoint.stage != "publish":
        instagram.clock.advance(10)
        checkpoint = pub.step(source, post, checkpoint).checkpoint
    instagram.plan("publish", "lose_answer")
    with pytest.raises(OutcomeUnknown):
        pub.step(source, post, checkpoint)
    told = pub.reconcile(source, post, checkpoint)
    assert told.state == "published" and told.remote_id == instagram.media[0]["id"]
    assert instagram.captions() == [CAPTION]


@pytest.mark.parametrize("fault", ["lose_answer", "status_500", "status_503"])
def test_a_create_with_an_unknown_outcome_makes_a_new_container_and_one_post(
    instagram: InstagramServer, tmp_path: Path, fault: str
) -> None:
    pub, source = publisher(instagram), tokens(instagram)
    post = content(tmp_path / "a.mp4", 8 * KIB)
    checkpoint = step_until(pub, source, post, "create")
    instagram.plan("create", fault)
    with pytest.raises(OutcomeUnknown):
        pub.step(source, post, checkpoint)
    told = pub.reconcile(source, post, checkpoint)
    assert told.checkpoint.stage == "create"
    assert finish(instagram, pub, source, post, told.checkpoint).state == "published"
    assert instagram.captions() == [CAPTION]


def test_errors_keep_metas_words(instagram: InstagramServer, tmp_path: Path) -> None:
    pub, source = publisher(instagram), tokens(instagram)
    post = content(tmp_path / "a.mp4", 8 * KIB, mp4=False)
    outcome = finish(instagram, pub, source, post)
    assert outcome.state == "failed" and "2207026" in (outcome.message or "")
    instagram.plan("limit", "status_429")
    with pytest.raises(ProviderRateLimited, match=r"Application request limit reached \(code 4"):
        pub.step(source, post, Checkpoint.start())


def test_an_expired_meta_token_cannot_be_exchanged_and_asks_to_connect_again(
    instagram: InstagramServer, tmp_path: Path
) -> None:
    pub, source = publisher(instagram), tokens(instagram)
    post = content(tmp_path / "a.mp4", 8 * KIB)
    checkpoint = step_until(pub, source, post, "create")
    instagram.tokens.expire(source.tokens.access_token, now=True)
    with pytest.raises(ProviderAuthError, match="subcode 463"):
        pub.step(source, post, checkpoint)
    assert instagram.containers == {}


def test_a_token_near_its_end_is_renewed_before_the_upload_goes_on(
    instagram: InstagramServer, tmp_path: Path
) -> None:
    pub, source = publisher(instagram), tokens(instagram, life=3600)
    post = content(tmp_path / "a.mp4", 40 * KIB)
    checkpoint = step_until(pub, source, post, "upload")
    checkpoint = pub.step(source, post, checkpoint).checkpoint
    container = checkpoint.remote["container_id"]
    instagram.clock.advance(3600 - 30)  # the token has 30 s left
    assert finish(instagram, pub, source, post, checkpoint).state == "published"
    assert source.refreshes == 1 and instagram.captions() == [CAPTION]
    assert list(instagram.containers) == [container]  # the same upload went on


def test_an_expired_container_is_made_again(instagram: InstagramServer, tmp_path: Path) -> None:
    pub, source = publisher(instagram), tokens(instagram)
    post = content(tmp_path / "a.mp4", 8 * KIB)
    checkpoint = step_until(pub, source, post, "status")
    instagram.clock.advance(86401)
    result = pub.step(source, post, checkpoint)
    assert result.checkpoint.stage == "create" and "expired" in (result.message or "")


def test_a_publish_repeated_without_reconcile_finds_the_post_instead(
    instagram: InstagramServer, tmp_path: Path
) -> None:
    pub, source = publisher(instagram), tokens(instagram)
    post = content(tmp_path / "a.mp4", 8 * KIB)
    checkpoint = step_until(pub, source, post, "status")
    while checkpoint.stage != "publish":
        instagram.clock.advance(10)
        checkpoint = pub.step(source, post, checkpoint).checkpoint
    instagram.plan("publish", "lose_answer")
    with pytest.raises(OutcomeUnknown):
        pub.step(source, post, checkpoint)
    again = pub.step(source, post, checkpoint)  # a careless caller: Instagram says "already"
    assert again.state == "published" and again.remote_id == instagram.media[0]["id"]
    assert instagram.captions() == [CAPTION]


def test_a_missing_video_is_a_clear_error_not_a_traceback(
    instagram: InstagramServer, tmp_path: Path
) -> None:
    post = content(tmp_path / "a.mp4", 8 * KIB)
    post.video.unlink()
    with pytest.raises(NotFoundError, match=r"the video a\.mp4 of this post is no longer"):
        publisher(instagram).step(tokens(instagram), post, Checkpoint.start())


def test_a_login_without_an_instagram_account_says_what_to_link(
    instagram: InstagramServer, tmp_path: Path
) -> None:
    instagram.linked = False
    result = publisher(instagram).step(
        tokens(instagram), content(tmp_path / "a.mp4", 8 * KIB), Checkpoint.start()
    )
    assert result.state == "needs_attention" and "link one to a Page" in (result.message or "")
    with pytest.raises(ProviderError, match="no Instagram professional account"):
        connector(instagram).identity(tokens(instagram))


def test_a_private_post_is_never_published_publicly(
    instagram: InstagramServer, tmp_path: Path
) -> None:
    post = content(tmp_path / "a.mp4", 8 * KIB)
    private = PostContent(**{**{f: getattr(post, f) for f in post.__slots__}, "privacy": "private"})  # type: ignore[arg-type]
    result = publisher(instagram).step(tokens(instagram), private, Checkpoint.start())
    assert result.state == "needs_attention" and "choose public" in (result.message or "")
    assert instagram.log == []  # nothing was asked, nothing created
