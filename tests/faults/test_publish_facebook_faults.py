"""Facebook Page Reels under faults: 240 seeded scenarios, each a Reel driven to its end
through a checkpoint store while the fake drops connections mid-upload (keeping what
arrived), loses answers after acting (a video started, a finish done), answers Graph's
transient errors and rate limits, expires the Page token (renewed from the user token), and
the process is killed at random points. Every Reel ends as planted (published or scheduled,
failed with Facebook's words, or needs_attention at the Page's daily limit), never twice."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.platforms.driver import ClockTokens, at
from tests.platforms.meta import meta_connector, meta_publisher
from tests.platforms.scenarios import Tally, drive_scenario, scenario_video
from video_orchestrator.ports.publishing import PostContent, TokenSet
from video_orchestrator.providers._publishing import caption
from video_orchestrator.providers.facebook.connector import FacebookConnector
from video_orchestrator.providers.facebook.publisher import FacebookPublisher
from video_orchestrator.providers.sandbox.facebook import FacebookServer
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
    return meta_publisher(FacebookPublisher, server, piece=24 * KIB)


def test_no_reel_is_published_twice_and_none_is_lost(
    facebook: FacebookServer, tmp_path: Path
) -> None:
    clock = facebook.clock
    connector = meta_connector(FacebookConnector, facebook)
    tally = Tally()
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
        video = scenario_video(tmp_path, seed, rng, most_kib=120, mp4=kind != "not_mp4")
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
        outcome = drive_scenario(
            lambda: publisher(facebook),
            tokens,
            content,
            folder=tmp_path,
            seed=seed,
            clock=clock,
            rng=rng,
        )
        facebook.chaos = None
        posted = facebook.reels().count(caption(title, "Deep-sea facts.", ("ocean",)))
        expected = {
            "ok": "published",
            "scheduled": "published",
            "not_mp4": "failed",
            "cap": "needs_attention",
        }[kind]
        if expected == "published":
            assert outcome.url == f"https://www.facebook.com/reel/{outcome.remote_id}"
        tally.add(
            outcome,
            tokens,
            planted=(seed, kind, expected),
            posted=posted,
            words={
                "not_mp4": "not in a supported format",
                "cap": "publish this one later",
                "scheduled": "will publish the Reel at",
            },
        )
    tally.check("facebook", facebook, facebook.reels(), SCENARIOS)
