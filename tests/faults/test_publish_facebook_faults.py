"""Facebook Page Reels under faults: 240 seeded scenarios, each a Reel driven to its end
through a checkpoint store while the fake drops connections mid-upload (keeping what
arrived), loses answers after acting (a video started, a finish done), answers Graph's
transient errors and rate limits, expires the Page token (renewed from the user token), and
the process is killed at random points. Every Reel ends as planted (published or scheduled,
failed with Facebook's words, or needs_attention at the Page's daily limit), never twice."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from tests.platforms.driver import ClockTokens, SqliteStore, at, drive
from tests.platforms.media import video_file
from video_orchestrator.ports.publishing import PostContent, TokenSet
from video_orchestrator.providers._publishing import caption
from video_orchestrator.providers.facebook.connector import FacebookConnector
from video_orchestrator.providers.facebook.publisher import FacebookPublisher
from video_orchestrator.providers.sandbox.facebook import FacebookServer
from video_orchestrator.providers.sandbox.graph import APP_ID, APP_SECRET
from video_orchestrator.providers.sandbox.platform import FAULTS, Chaos, FakeClock

SCENARIOS = 240
KIB = 1024
ROUTES = ("accounts", "me", "reels", "upload", "video")


@pytest.fixture(scope="module")
def facebook() -> Iterator[FacebookServer]:
    with FacebookServer(
        FakeClock(), daily_reels=10_000, long_lived=3600.0, processing_seconds=10.0
    ) as server:
        yield server


def publisher(server: FacebookServer) -> FacebookPublisher:
    return FacebookPublisher(
        graph_url=server.base_url,
        piece_bytes=24 * KIB,
        poll_seconds=5.0,
        client=httpx.Client(timeout=5.0, verify=False),
        sleep=server.clock.advance,
    )


def test_no_reel_is_published_twice_and_none_is_lost(
    facebook: FacebookServer, tmp_path: Path
) -> None:
    clock = facebook.clock
    connector = FacebookConnector(
        app_id=APP_ID,
        app_secret=APP_SECRET,
        graph_url=facebook.base_url,
        now=lambda: at(clock),
        client=httpx.Client(timeout=5.0, verify=False),
    )
    ends: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for seed in range(SCENARIOS):
        rng = random.Random(seed)
        kind = rng.choices(["ok", "scheduled", "not_mp4", "cap"], weights=[70, 14, 8, 8])[0]
        facebook.daily_reels = len(facebook.reels()) if kind == "cap" else 10_000
        life = rng.choice([660.0, 3600.0])
        user = facebook.user_token(life)
        tokens = ClockTokens(
            connector,
            connector.page_tokens(TokenSet(user, user, at(clock) + timedelta(seconds=life))),
            clock,
            margin=600,
        )
        facebook.chaos = Chaos(
            random.Random(seed), rng.choice([0.0, 0.1, 0.25]), dict.fromkeys(ROUTES, FAULTS)
        )
        title = f"Octopuses have three hearts {seed}"
        video = video_file(
            tmp_path / f"{seed}.mp4",
            rng.randint(2 * KIB, 120 * KIB),
            seed=seed,
            mp4=kind != "not_mp4",
        )
        publish_at = at(clock) + timedelta(days=1) if kind == "scheduled" else None
        content = PostContent(
            video=video,
            size=video.stat().st_size,
            title=title,
            description="Deep-sea facts.",
            privacy="public",
            marker=f"m-{seed}",
            hashtags=("ocean",),
            publish_at=publish_at,
        )
        store = SqliteStore(tmp_path / f"{seed}.db")
        outcome = drive(
            lambda: publisher(facebook),
            tokens,
            content,
            store=store,
            clock=clock,
            rng=rng,
            kill_rate=rng.choice([0.0, 0.1, 0.2]),
        )
        facebook.chaos = None
        posted = facebook.reels().count(caption(title, "Deep-sea facts.", ("ocean",)))
        expected = {
            "ok": "published",
            "scheduled": "published",
            "not_mp4": "failed",
            "cap": "needs_attention",
        }[kind]
        assert outcome.state == expected, (seed, kind, outcome)
        assert posted == (1 if expected == "published" else 0), (seed, kind, outcome)
        if kind == "not_mp4":
            assert "not in a supported format" in (outcome.message or "")
        if kind == "cap":
            assert "publish this one later" in (outcome.message or "")
        if kind == "scheduled":
            assert "will publish the Reel at" in (outcome.message or "")
        if expected == "published":
            assert outcome.url == f"https://www.facebook.com/reel/{outcome.remote_id}"
        ends[outcome.state] += 1
        totals.update(
            kills=outcome.kills,
            reconciles=outcome.reconciles,
            unknown=outcome.unknown,
            refreshes=tokens.refreshes,
        )
    met = facebook.faults_met()
    print(f"\nfacebook: endings {dict(ends)}, faults {met}, recovery {dict(totals)}")
    # no post anywhere on the fake was made twice
    assert max(Counter(facebook.reels()).values()) == 1
    assert set(met) == set(FAULTS), met
    assert totals["kills"] > 50 and totals["reconciles"] > 50 and totals["refreshes"] > 5, totals
    assert ends["published"] > SCENARIOS // 2, ends
