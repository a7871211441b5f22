"""Facebook's connector and publisher against the fake Facebook (``tests/platforms/
facebook_server.py``): Facebook Login giving the Page's token, Page Reels in three phases
(start → upload → finish), scheduling, the Page's daily limit, every fault the fake
injects, a Page token expiring mid-upload (refreshed, the upload resumes from the last
confirmed byte) and Meta's words in every error."""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.platforms.driver import ClockTokens, Outcome, at, drive
from tests.platforms.media import video_file
from tests.platforms.meta import meta_connector, meta_publisher
from video_orchestrator.errors import OutcomeUnknown, ProviderAuthError
from video_orchestrator.ports.publishing import (
    Checkpoint,
    Connector,
    PostContent,
    Publisher,
    TokenSet,
)
from video_orchestrator.providers._meta import MetaSettings
from video_orchestrator.providers.facebook.adapter import Facebook
from video_orchestrator.providers.facebook.connector import FacebookConnector
from video_orchestrator.providers.facebook.publisher import FacebookPublisher
from video_orchestrator.providers.sandbox.facebook import FacebookServer
from video_orchestrator.providers.sandbox.graph import PAGE_ID
from video_orchestrator.providers.sandbox.platform import FakeClock

KIB = 1024
DESCRIPTION = "Octopuses have three hearts\n\nDeep-sea facts.\n\n#ocean"


@pytest.fixture
def facebook() -> Iterator[FacebookServer]:
    with FacebookServer(FakeClock()) as server:
        yield server


def connector(server: FacebookServer) -> FacebookConnector:
    return meta_connector(FacebookConnector, server)


def publisher(server: FacebookServer, piece: int = 16 * KIB) -> FacebookPublisher:
    return meta_publisher(FacebookPublisher, server, piece=piece)


def tokens(server: FacebookServer) -> ClockTokens:
    conn = connector(server)
    user = server.user_token()
    page = conn.page_tokens(TokenSet(user, user, at(server.clock) + timedelta(days=60)))
    return ClockTokens(conn, page, server.clock)


def content(path: Path, size: int, *, mp4: bool = True, **fields: object) -> PostContent:
    video = video_file(path, size, mp4=mp4)
    fields.setdefault("privacy", "public")
    return PostContent(
        video=video,
        size=size,
        title="Octopuses have three hearts",
        description="Deep-sea facts.",
        marker="m-1",
        hashtags=("ocean",),
        **fields,  # type: ignore[arg-type]
    )


def finish(
    server: FacebookServer,
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


def test_facebook_login_gives_the_pages_token(facebook: FacebookServer) -> None:
    conn = connector(facebook)
    assert isinstance(conn, Connector)
    verifier = "p" * 60
    text = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    code = facebook.authorize(text.decode(), "http://127.0.0.1:20203/cb")
    got = conn.exchange(code=code, code_verifier=verifier, redirect_uri="http://127.0.0.1:20203/cb")
    assert facebook.tokens.who(got.access_token) == f"page:{PAGE_ID}"
    assert got.refresh_token and facebook.tokens.who(got.refresh_token).startswith("user:")
    source = ClockTokens(conn, got, facebook.clock)
    assert conn.identity(source).remote_id == PAGE_ID
    renewed = conn.refresh(got.refresh_token)
    assert facebook.tokens.who(renewed.access_token) == f"page:{PAGE_ID}"
    assert "pages_manage_posts" in conn.scopes


def test_the_registered_adapter_is_both_connector_and_publisher() -> None:
    adapter = Facebook.from_settings(MetaSettings())
    assert isinstance(adapter, Connector) and isinstance(adapter, Publisher)
    assert adapter.platform == "facebook" and not adapter.configured


def test_a_reel_goes_through_start_upload_finish_and_is_published(
    facebook: FacebookServer, tmp_path: Path
) -> None:
    post = content(tmp_path / "a.mp4", 40 * KIB)
    pub = publisher(facebook)
    assert pub.health(tokens(facebook)).facts["page_name"] == "Ocean Facts"
    outcome = finish(facebook, pub, tokens(facebook), post)
    assert outcome.state == "published"
    assert outcome.url == f"https://www.facebook.com/reel/{outcome.remote_id}"
    assert facebook.reels() == [DESCRIPTION]
    video = facebook.videos[str(outcome.remote_id)]
    assert video.state == "PUBLISHED"
    assert bytes(facebook.uploads[str(outcome.remote_id)].data) == post.video.read_bytes()


def test_a_scheduled_reel_is_finished_as_scheduled(
    facebook: FacebookServer, tmp_path: Path
) -> None:
    when = at(facebook.clock) + timedelta(days=1)
    outcome = finish(
        facebook,
        publisher(facebook),
        tokens(facebook),
        content(tmp_path / "a.mp4", 8 * KIB, publish_at=when),
    )
    assert outcome.state == "published" and str(int(when.timestamp())) in (outcome.message or "")
    video = facebook.videos[str(outcome.remote_id)]
    assert (video.state, video.publish_time) == ("SCHEDULED", when.timestamp())


def test_a_page_token_expiring_mid_upload_is_refreshed_and_the_upload_resumes(
    facebook: FacebookServer, tmp_path: Path
) -> None:
    pub, source = publisher(facebook), tokens(facebook)
    post = content(tmp_path / "a.mp4", 48 * KIB)
    checkpoint = step_until(pub, source, post, "upload")
    checkpoint = pub.step(source, post, checkpoint).checkpoint
    assert checkpoint.confirmed_bytes == 16 * KIB
    facebook.plan("upload", "expire_token")
    checkpoint = pub.step(source, post, checkpoint).checkpoint
    assert source.refreshes == 1 and checkpoint.confirmed_bytes == 32 * KIB
    assert ("upload", "expire_token", "400") in facebook.log
    assert finish(facebook, pub, source, post, checkpoint).state == "published"
    (name,) = facebook.uploads
    assert bytes(facebook.uploads[name].data) == post.video.read_bytes()


def test_a_cut_upload_resumes_from_bytes_transferred(
    facebook: FacebookServer, tmp_path: Path
) -> None:
    pub, source = publisher(facebook, piece=40 * KIB), tokens(facebook)
    post = content(tmp_path / "a.mp4", 100 * KIB)
    checkpoint = step_until(pub, source, post, "upload")
    facebook.plan("upload", "drop_body")
    with pytest.raises(OutcomeUnknown):
        pub.step(source, post, checkpoint)
    told = pub.reconcile(source, post, checkpoint)
    kept = next(iter(facebook.uploads.values())).received
    assert 0 < kept < 40 * KIB and told.checkpoint.confirmed_bytes == kept
    assert finish(facebook, pub, source, post, told.checkpoint).state == "published"


@pytest.mark.parametrize("fault", ["lose_answer", "status_500", "drop_body"])
def test_a_finish_with_an_unknown_outcome_is_asked_about_not_repeated(
    facebook: FacebookServer, tmp_path: Path, fault: str
) -> None:
    pub, source = publisher(facebook), tokens(facebook)
    post = content(tmp_path / "a.mp4", 8 * KIB)
    checkpoint = step_until(pub, source, post, "finish")
    facebook.plan("reels", fault)
    with pytest.raises(OutcomeUnknown):
        pub.step(source, post, checkpoint)
    told = pub.reconcile(source, post, checkpoint)
    acted = fault == "lose_answer"
    assert told.checkpoint.stage == ("status" if acted else "finish")
    assert finish(facebook, pub, source, post, told.checkpoint).state == "published"
    assert facebook.reels() == [DESCRIPTION]
    assert not any(status == "400" for route, _, status in facebook.log if route == "reels")


def test_a_lost_start_begins_again_without_a_second_reel(
    facebook: FacebookServer, tmp_path: Path
) -> None:
    pub, source = publisher(facebook), tokens(facebook)
    post = content(tmp_path / "a.mp4", 8 * KIB)
    checkpoint = step_until(pub, source, post, "init")
    facebook.plan("reels", "lose_answer")
    with pytest.raises(OutcomeUnknown):
        pub.step(source, post, checkpoint)
    told = pub.reconcile(source, post, checkpoint)
    assert told.checkpoint.stage == "init"
    assert finish(facebook, pub, source, post, told.checkpoint).state == "published"
    assert len(facebook.videos) == 2 and facebook.reels() == [DESCRIPTION]


def test_the_pages_daily_limit_needs_attention_in_metas_words(
    facebook: FacebookServer, tmp_path: Path
) -> None:
    facebook.daily_reels = 0
    outcome = finish(
        facebook, publisher(facebook), tokens(facebook), content(tmp_path / "a.mp4", 8 * KIB)
    )
    assert outcome.state == "needs_attention"
    assert "limit of 0 Reels" in (outcome.message or "") and "code 9" in (outcome.message or "")
    assert facebook.reels() == []


def test_a_file_facebook_cannot_process_fails_in_its_words(
    facebook: FacebookServer, tmp_path: Path
) -> None:
    outcome = finish(
        facebook,
        publisher(facebook),
        tokens(facebook),
        content(tmp_path / "a.mp4", 8 * KIB, mp4=False),
    )
    assert outcome.state == "failed"
    assert "not in a supported format" in (outcome.message or "")


def test_a_user_token_instead_of_the_pages_is_refused_as_an_access_problem(
    facebook: FacebookServer, tmp_path: Path
) -> None:
    user = facebook.user_token()
    source = ClockTokens(connector(facebook), TokenSet(user, user), facebook.clock)
    post = content(tmp_path / "a.mp4", 8 * KIB)
    checkpoint = Checkpoint.start().moved("init", account_id=PAGE_ID)
    with pytest.raises(ProviderAuthError, match=r"use a Page access token. \(code 200"):
        publisher(facebook).step(source, post, checkpoint)


def test_a_finish_repeated_without_reconcile_follows_the_reel_instead(
    facebook: FacebookServer, tmp_path: Path
) -> None:
    pub, source = publisher(facebook), tokens(facebook)
    post = content(tmp_path / "a.mp4", 8 * KIB)
    checkpoint = step_until(pub, source, post, "finish")
    facebook.plan("reels", "lose_answer")
    with pytest.raises(OutcomeUnknown):
        pub.step(source, post, checkpoint)
    again = pub.step(source, post, checkpoint)  # a careless caller: "already published"
    assert again.checkpoint.stage == "status"
    assert finish(facebook, pub, source, post, again.checkpoint).state == "published"
    assert facebook.reels() == [DESCRIPTION]


def test_a_private_post_is_never_published_publicly(
    facebook: FacebookServer, tmp_path: Path
) -> None:
    post = content(tmp_path / "a.mp4", 8 * KIB, privacy="unlisted")
    result = publisher(facebook).step(tokens(facebook), post, Checkpoint.start())
    assert result.state == "needs_attention" and "marked unlisted" in (result.message or "")
    assert facebook.videos == {}
