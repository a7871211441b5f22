"""TikTok's connector and publisher against the fake TikTok (``tests/platforms/
tiktok_server.py``): Login Kit with PKCE, Direct Post with the documented chunk rule, every
fault the fake injects, refresh on 401, resume from the bytes TikTok confirmed, and
TikTok's own words in every error."""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.platforms.driver import ClockTokens, Outcome, at, drive
from tests.platforms.media import video_file
from video_orchestrator.errors import (
    OutcomeUnknown,
    ProviderAuthError,
    ProviderRateLimited,
)
from video_orchestrator.ports.publishing import (
    Checkpoint,
    Connector,
    PostContent,
    Publisher,
    TokenSet,
)
from video_orchestrator.providers.sandbox.platform import FakeClock
from video_orchestrator.providers.sandbox.tiktok import (
    CLIENT_KEY,
    CLIENT_SECRET,
    MIB,
    OPEN_ID,
    TikTokServer,
)
from video_orchestrator.providers.tiktok.adapter import TikTok
from video_orchestrator.providers.tiktok.api import TikTokSettings, chunk_plan
from video_orchestrator.providers.tiktok.connector import TikTokConnector
from video_orchestrator.providers.tiktok.publisher import TikTokPublisher

KIB = 1024
PUBLIC = {"privacy_level": "PUBLIC_TO_EVERYONE"}


@pytest.fixture
def tiktok() -> Iterator[TikTokServer]:
    with TikTokServer(FakeClock()) as server:
        yield server


def connector(server: TikTokServer) -> TikTokConnector:
    return TikTokConnector(
        client_key=CLIENT_KEY,
        client_secret=CLIENT_SECRET,
        api_url=server.base_url,
        now=lambda: at(server.clock),
        client=httpx.Client(timeout=5.0, verify=False),
    )


def publisher(server: TikTokServer, *, timeout: float = 5.0, **figures: int) -> TikTokPublisher:
    return TikTokPublisher(
        api_url=server.base_url,
        poll_seconds=5.0,
        client=httpx.Client(timeout=timeout, verify=False),
        sleep=server.clock.advance,
        **figures,
    )  # type: ignore[arg-type]


def tokens(server: TikTokServer) -> ClockTokens:
    access, refresh = server.grant()
    expires = at(server.clock) + timedelta(hours=2)
    return ClockTokens(connector(server), TokenSet(access, refresh, expires), server.clock)


def content(
    path: Path,
    size: int,
    *,
    title: str = "Octopuses have three hearts",
    mp4: bool = True,
    **options: str | int | bool,
) -> PostContent:
    video = video_file(path, size, mp4=mp4)
    return PostContent(
        video=video,
        size=size,
        title=title,
        description="Deep-sea facts.",
        marker="m-1",
        hashtags=("ocean", "#facts"),
        options=options,
    )


def finish(
    server: TikTokServer,
    pub: Publisher,
    source: ClockTokens,
    post: PostContent,
    store: dict[str, object] | None = None,
) -> Outcome:
    return drive(
        lambda: pub,
        source,
        post,
        store=store if store is not None else {},
        clock=server.clock,
        rng=random.Random(0),
    )


def step_until(
    pub: Publisher,
    source: ClockTokens,
    post: PostContent,
    stage: str,
    at_: Checkpoint | None = None,
) -> Checkpoint:
    checkpoint = at_ or Checkpoint.start()
    while checkpoint.stage != stage:
        checkpoint = pub.step(source, post, checkpoint).checkpoint
    return checkpoint


# -- the chunk rule -------------------------------------------------------------------------


def test_the_chunk_plan_follows_the_media_transfer_guide() -> None:
    rule = {
        "preferred": 10 * MIB,
        "minimum": 5 * MIB,
        "maximum": 64 * MIB,
        "final_maximum": 128 * MIB,
        "most": 1000,
    }
    assert chunk_plan(4 * MIB, **rule) == (4 * MIB, 1)  # under 5 MB: whole
    assert chunk_plan(9 * MIB, **rule) == (9 * MIB, 1)
    assert chunk_plan(25 * MIB, **rule) == (10 * MIB, 2)  # floor: the last carries 15 MB
    assert chunk_plan(30 * MIB - 1, **rule) == (10 * MIB, 2)
    chunk, count = chunk_plan(4000 * MIB, **rule)
    assert count == 4000 * MIB // chunk and count <= 1000 and 5 * MIB <= chunk <= 64 * MIB


def test_the_fake_refuses_what_tiktok_refuses(tiktok: TikTokServer) -> None:
    assert "floor" in tiktok.chunk_problem(25 * MIB, 10 * MIB, 3)  # ceil instead of floor
    assert "between" in tiktok.chunk_problem(25 * MIB, 4 * MIB, 6)
    assert "whole" in tiktok.chunk_problem(4 * MIB, 2 * MIB, 2)
    assert "1000" in tiktok.chunk_problem(5 * MIB * 1001, 5 * MIB, 1001)
    assert tiktok.chunk_problem(25 * MIB, 10 * MIB, 2) == ""


# -- connecting -------------------------------------------------------------------------------


def test_connecting_with_pkce_gives_rotating_tokens_and_the_nickname(
    tiktok: TikTokServer,
) -> None:
    conn = connector(tiktok)
    assert isinstance(conn, Connector)
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    challenge_text = challenge.rstrip(b"=").decode()
    url = conn.authorization_url(
        state="s-1", code_challenge=challenge_text, redirect_uri="http://127.0.0.1:20201/cb"
    )
    query = parse_qs(urlsplit(url).query)
    assert url.startswith("https://www.tiktok.com/v2/auth/authorize/?")
    assert query["client_key"] == [CLIENT_KEY] and query["code_challenge_method"] == ["S256"]
    assert query["scope"] == ["user.info.basic,video.publish,video.upload,video.list"]
    code = tiktok.authorize(challenge_text, "http://127.0.0.1:20201/cb")
    tokens_ = conn.exchange(
        code=code, code_verifier=verifier, redirect_uri="http://127.0.0.1:20201/cb"
    )
    assert tokens_.refresh_token and tokens_.expires_at == at(tiktok.clock) + timedelta(hours=2)
    assert "video.publish" in tokens_.scopes
    source = ClockTokens(conn, tokens_, tiktok.clock)
    me = conn.identity(source)
    assert me.remote_id == OPEN_ID and me.name == "Ocean Facts"
    fresh = conn.refresh(tokens_.refresh_token)
    assert fresh.refresh_token != tokens_.refresh_token  # rotated
    with pytest.raises(ProviderAuthError, match="invalid_grant"):
        conn.refresh(tokens_.refresh_token)  # the old one no longer works
    conn.revoke(fresh.access_token)
    conn.revoke(fresh.access_token)  # idempotent
    assert tiktok.revoked == [fresh.access_token] * 2


def test_a_wrong_pkce_verifier_is_refused_in_tiktoks_words(tiktok: TikTokServer) -> None:
    code = tiktok.authorize("challenge-that-does-not-match", "http://127.0.0.1:20201/cb")
    with pytest.raises(ProviderAuthError, match="Code verifier does not match"):
        connector(tiktok).exchange(
            code=code, code_verifier="x" * 50, redirect_uri="http://127.0.0.1:20201/cb"
        )


def test_the_registered_adapter_is_both_connector_and_publisher() -> None:
    adapter = TikTok.from_settings(TikTokSettings())
    assert isinstance(adapter, Connector) and isinstance(adapter, Publisher)
    assert adapter.platform == "tiktok" and not adapter.configured
    configured = TikTok.from_settings(
        TikTokSettings(tiktok_client_key="k", tiktok_client_secret="s")
    )
    assert configured.configured


# -- posting ----------------------------------------------------------------------------------


def test_health_carries_creator_info(tiktok: TikTokServer) -> None:
    health = publisher(tiktok).health(tokens(tiktok))
    assert health.token_valid and health.facts["creator_nickname"] == "Ocean Facts"
    assert health.facts["privacy_level_options"].split(",")[-1] == "SELF_ONLY"
    assert health.facts["stitch_disabled"] == "true"
    assert health.facts["max_video_post_duration_sec"] == "600"


def test_a_25_mb_video_is_posted_in_two_chunks_by_the_documented_rule(
    tiktok: TikTokServer, tmp_path: Path
) -> None:
    post = content(tmp_path / "a.mp4", 25 * MIB + 123, **PUBLIC)
    outcome = finish(tiktok, publisher(tiktok), tokens(tiktok), post)
    assert outcome.state == "published"
    assert outcome.url == f"https://www.tiktok.com/@oceanfacts/video/{outcome.remote_id}"
    (publish,) = tiktok.publishes.values()
    assert (publish.chunk, publish.count) == (10 * MIB, 2)
    assert bytes(publish.data) == post.video.read_bytes()
    assert tiktok.titles() == ["Octopuses have three hearts\n\nDeep-sea facts.\n\n#ocean #facts"]
    routes = [route for route, _, _ in tiktok.log]
    assert routes[:4] == ["creator_info", "init", "upload", "upload"]


def test_post_info_keeps_interactions_off_and_discloses_ai(
    tiktok: TikTokServer, tmp_path: Path
) -> None:
    sent: list[dict[str, object]] = []
    original = tiktok._init

    def spy(who: str, body: dict[str, object]) -> object:
        sent.append(body)
        return original(who, body)  # type: ignore[arg-type]

    tiktok._init = spy  # type: ignore[method-assign,assignment]
    post = content(
        tmp_path / "a.mp4",
        64 * KIB,
        disable_duet=False,
        brand_organic_toggle=True,
        video_cover_timestamp_ms=1500,
        **PUBLIC,
    )
    assert finish(tiktok, publisher(tiktok), tokens(tiktok), post).state == "published"
    info = sent[0]["post_info"]
    assert info == {
        "title": "Octopuses have three hearts\n\nDeep-sea facts.\n\n#ocean #facts",
        "privacy_level": "PUBLIC_TO_EVERYONE",
        "disable_comment": True,
        "disable_duet": False,
        "disable_stitch": True,
        "brand_content_toggle": False,
        "brand_organic_toggle": True,
        "is_aigc": True,
        "video_cover_timestamp_ms": 1500,
    }
    assert sent[0]["source_info"] == {
        "source": "FILE_UPLOAD",
        "video_size": 64 * KIB,
        "chunk_size": 64 * KIB,
        "total_chunk_count": 1,
    }


@pytest.mark.parametrize(
    ("options", "words"),
    [({}, "none was chosen"), ({"privacy_level": "EVERYONE"}, "'EVERYONE' is not one")],
)
def test_privacy_has_no_default(
    tiktok: TikTokServer, tmp_path: Path, options: dict[str, str], words: str
) -> None:
    post = content(tmp_path / "a.mp4", 10 * KIB, **options)
    result = publisher(tiktok).step(tokens(tiktok), post, Checkpoint.start())
    assert result.state == "needs_attention" and result.checkpoint.stage == "start"
    assert words in (result.message or "")
    assert "PUBLIC_TO_EVERYONE, MUTUAL_FOLLOW_FRIENDS" in (result.message or "")
    assert not tiktok.publishes


@pytest.mark.parametrize(
    ("setup", "state", "words"),
    [
        ("unaudited", "needs_attention", "unaudited_client_can_only_post_to_private_accounts"),
        ("spam", "needs_attention", "spam_risk_too_many_posts"),
        ("fail", "failed", "duration_check_failed"),
        ("not_mp4", "failed", "file_format_check_failed"),
    ],
)
def test_refusals_keep_tiktoks_words(
    tiktok: TikTokServer, tmp_path: Path, setup: str, state: str, words: str
) -> None:
    tiktok.audited = setup != "unaudited"
    tiktok.daily_posts = 0 if setup == "spam" else 15
    tiktok.fail_next = "duration_check_failed" if setup == "fail" else ""
    post = content(tmp_path / "a.mp4", 10 * KIB, mp4=setup != "not_mp4", **PUBLIC)
    outcome = finish(tiktok, publisher(tiktok), tokens(tiktok), post)
    assert (outcome.state, words in (outcome.message or "")) == (state, True), outcome
    assert tiktok.posts == {}


def test_a_too_long_video_fails_before_anything_is_sent(
    tiktok: TikTokServer, tmp_path: Path
) -> None:
    post = content(tmp_path / "a.mp4", 10 * KIB, **PUBLIC)
    long = PostContent(
        **{**{f: getattr(post, f) for f in post.__slots__}, "duration_seconds": 601.0}
    )  # type: ignore[arg-type]
    outcome = finish(tiktok, publisher(tiktok), tokens(tiktok), long)
    assert outcome.state == "failed" and "max_video_post_duration_sec" in (outcome.message or "")
    assert not tiktok.publishes


# -- faults -----------------------------------------------------------------------------------


def test_an_expired_token_is_refreshed_once_and_the_request_repeated(
    tiktok: TikTokServer, tmp_path: Path
) -> None:
    source = tokens(tiktok)
    tiktok.plan("status", "expire_token")
    post = content(tmp_path / "a.mp4", 40 * KIB, **PUBLIC)
    assert finish(tiktok, publisher(tiktok), source, post).state == "published"
    assert source.refreshes == 1
    assert ("status", "expire_token", "401") in tiktok.log


def test_a_token_that_cannot_be_refreshed_asks_to_connect_again(
    tiktok: TikTokServer, tmp_path: Path
) -> None:
    source = tokens(tiktok)
    tiktok.tokens.expire(source.tokens.access_token, now=True)
    tiktok.tokens.refresh.clear()  # the refresh token was revoked too
    post = content(tmp_path / "a.mp4", 10 * KIB, **PUBLIC)
    with pytest.raises(ProviderAuthError, match="connect again"):
        publisher(tiktok).step(source, post, Checkpoint.start())


def test_a_chunk_cut_mid_body_resumes_from_the_bytes_tiktok_confirmed(
    tiktok: TikTokServer, tmp_path: Path
) -> None:
    figures = {"chunk_bytes": 64 * KIB, "min_chunk_bytes": 64 * KIB}
    tiktok.min_chunk = 64 * KIB
    pub, source = publisher(tiktok, **figures), tokens(tiktok)
    post = content(tmp_path / "a.mp4", 200 * KIB, **PUBLIC)
    checkpoint = step_until(pub, source, post, "upload")
    checkpoint = pub.step(source, post, checkpoint).checkpoint  # chunk 1 of 3
    assert checkpoint.confirmed_bytes == 64 * KIB
    tiktok.plan("upload", "drop_body")
    with pytest.raises(OutcomeUnknown, match="asked before anything is retried"):
        pub.step(source, post, checkpoint)
    told = pub.reconcile(source, post, checkpoint)
    assert (told.checkpoint.stage, told.checkpoint.confirmed_bytes) == ("upload", 64 * KIB)
    outcome = finish(tiktok, pub, source, post, {"checkpoint": told.checkpoint.to_json()})
    assert outcome.state == "published" and len(tiktok.posts) == 1
    assert bytes(next(iter(tiktok.publishes.values())).data) == post.video.read_bytes()


def test_a_lost_answer_to_the_last_chunk_is_found_complete(
    tiktok: TikTokServer, tmp_path: Path
) -> None:
    pub, source = publisher(tiktok), tokens(tiktok)
    post = content(tmp_path / "a.mp4", 30 * KIB, **PUBLIC)
    checkpoint = step_until(pub, source, post, "upload")
    tiktok.plan("upload", "lose_answer")
    with pytest.raises(OutcomeUnknown):
        pub.step(source, post, checkpoint)
    told = pub.reconcile(source, post, checkpoint)
    assert told.checkpoint.stage == "status" and told.state == "processing"
    outcome = finish(tiktok, pub, source, post, {"checkpoint": told.checkpoint.to_json()})
    assert outcome.state == "published" and len(tiktok.posts) == 1


@pytest.mark.parametrize("fault", ["lose_answer", "status_500", "drop_body"])
def test_an_init_with_an_unknown_outcome_starts_again_without_a_second_post(
    tiktok: TikTokServer, tmp_path: Path, fault: str
) -> None:
    pub, source = publisher(tiktok), tokens(tiktok)
    post = content(tmp_path / "a.mp4", 30 * KIB, **PUBLIC)
    checkpoint = step_until(pub, source, post, "init")
    tiktok.plan("init", fault)
    with pytest.raises(OutcomeUnknown):
        pub.step(source, post, checkpoint)
    told = pub.reconcile(source, post, checkpoint)
    assert told.checkpoint.stage == "init" and "publish_id" not in told.checkpoint.remote
    outcome = finish(tiktok, pub, source, post, {"checkpoint": told.checkpoint.to_json()})
    assert outcome.state == "published"
    assert len(tiktok.posts) == 1 and len(tiktok.publishes) == (1 if fault != "lose_answer" else 2)


def test_a_timeout_after_tiktok_accepted_the_init_is_an_unknown_outcome(
    tiktok: TikTokServer, tmp_path: Path
) -> None:
    pub, source = publisher(tiktok, timeout=0.5), tokens(tiktok)
    post = content(tmp_path / "a.mp4", 30 * KIB, **PUBLIC)
    checkpoint = step_until(pub, source, post, "init")
    tiktok.plan("init", "slow")
    with pytest.raises(OutcomeUnknown, match="ReadTimeout"):
        pub.step(source, post, checkpoint)
    assert len(tiktok.publishes) == 1  # TikTok did act


def test_status_polls_ride_out_5xx_and_rate_limits_are_reported(
    tiktok: TikTokServer, tmp_path: Path
) -> None:
    pub, source = publisher(tiktok), tokens(tiktok)
    post = content(tmp_path / "a.mp4", 30 * KIB, **PUBLIC)
    tiktok.plan("status", "status_503", "status_500")  # retried inside the read
    assert finish(tiktok, pub, source, post).state == "published"
    tiktok.plan("creator_info", "status_429")
    with pytest.raises(ProviderRateLimited, match="rate_limit_exceeded"):
        pub.step(source, post, Checkpoint.start())


def test_the_init_limit_of_six_a_minute_is_enforced(tiktok: TikTokServer, tmp_path: Path) -> None:
    pub, source = publisher(tiktok), tokens(tiktok)
    post = content(tmp_path / "a.mp4", 10 * KIB, **PUBLIC)
    checkpoint = step_until(pub, source, post, "init")
    for _ in range(6):
        assert pub.step(source, post, checkpoint).checkpoint.stage == "upload"
    with pytest.raises(ProviderRateLimited, match="API rate limit was exceeded"):
        pub.step(source, post, checkpoint)
    tiktok.clock.advance(61)
    assert pub.step(source, post, checkpoint).checkpoint.stage == "upload"
    assert tiktok.posts == {}  # sessions without bytes are never posts


def test_an_expired_upload_address_starts_a_new_session(
    tiktok: TikTokServer, tmp_path: Path
) -> None:
    pub, source = publisher(tiktok), tokens(tiktok)
    post = content(tmp_path / "a.mp4", 30 * KIB, **PUBLIC)
    checkpoint = step_until(pub, source, post, "upload")
    tiktok.clock.advance(3601)
    result = pub.step(source, post, checkpoint)
    assert result.checkpoint.stage == "init" and "expired" in (result.message or "")
    outcome = finish(tiktok, pub, source, post, {"checkpoint": result.checkpoint.to_json()})
    assert outcome.state == "published" and len(tiktok.posts) == 1


def test_the_settings_reach_the_adapter() -> None:
    from video_orchestrator.config import Settings

    settings = Settings(
        tiktok_client_key="k",
        tiktok_client_secret="s",
        provider_settings={"tiktok": {"tiktok_chunk_bytes": 6 * MIB}},
    )
    adapter = TikTok.from_settings(settings.section(TikTokSettings, "tiktok"))
    assert adapter.configured
    assert adapter.publisher._plan["preferred"] == 6 * MIB  # type: ignore[attr-defined]


def test_a_token_echoed_by_the_platform_never_reaches_a_message(
    tiktok: TikTokServer, tmp_path: Path
) -> None:
    from video_orchestrator.providers.sandbox.platform import Answer

    source = tokens(tiktok)
    token = source.tokens.access_token
    original = tiktok.handle

    def echo(route: str, request: object) -> Answer:
        if route == "init":
            said = {"code": "invalid_params", "message": f"bad request for token {token}"}
            return Answer(400, {"error": said})
        return original(route, request)  # type: ignore[arg-type]

    tiktok.handle = echo  # type: ignore[method-assign]
    post = content(tmp_path / "a.mp4", 10 * KIB, **PUBLIC)
    outcome = finish(tiktok, publisher(tiktok), source, post)
    assert outcome.state == "failed" and "bad request for token ***" in (outcome.message or "")
    assert token not in (outcome.message or "")
