"""TikTok Direct Post under faults: 240 seeded scenarios, each a post driven to its end
through a checkpoint store while the fake drops connections mid-chunk, loses answers after
acting, answers 5xx and 429 bursts and expires tokens, and the process is killed at random
points. Every post ends as planted (published, failed with TikTok's reason, or
needs_attention with what to do), and no post is ever made twice."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.platforms.driver import ClockTokens, at
from tests.platforms.scenarios import Tally, drive_scenario, scenario_video
from video_orchestrator.ports.publishing import PostContent, TokenSet
from video_orchestrator.providers.sandbox.platform import FAULTS, Chaos, FakeClock
from video_orchestrator.providers.sandbox.tiktok import CLIENT_KEY, CLIENT_SECRET, TikTokServer
from video_orchestrator.providers.tiktok.connector import TikTokConnector
from video_orchestrator.providers.tiktok.publisher import TikTokPublisher

SCENARIOS = 240
KIB = 1024


@pytest.fixture(scope="module")
def tiktok() -> Iterator[TikTokServer]:
    clock = FakeClock()
    with TikTokServer(
        clock, min_chunk=16 * KIB, max_chunk=64 * KIB, max_final=128 * KIB, daily_posts=10_000
    ) as server:
        server.chaos = Chaos(random.Random(0), 0.0, {})
        yield server


def publisher(server: TikTokServer) -> TikTokPublisher:
    return TikTokPublisher(
        api_url=server.base_url,
        chunk_bytes=16 * KIB,
        min_chunk_bytes=16 * KIB,
        max_chunk_bytes=64 * KIB,
        max_final_chunk_bytes=128 * KIB,
        poll_seconds=5.0,
        client=httpx.Client(timeout=5.0, verify=False),
        sleep=server.clock.advance,
    )


def test_no_post_is_made_twice_and_none_is_lost(tiktok: TikTokServer, tmp_path: Path) -> None:
    clock = tiktok.clock
    connector = TikTokConnector(
        client_key=CLIENT_KEY,
        client_secret=CLIENT_SECRET,
        api_url=tiktok.base_url,
        now=lambda: at(clock),
    )
    tally = Tally()
    for seed in range(SCENARIOS):
        rng = random.Random(seed)
        kind = rng.choices(
            ["ok", "not_mp4", "no_privacy", "unaudited", "fail"], weights=[70, 8, 8, 7, 7]
        )[0]
        tiktok.audited = kind != "unaudited"
        tiktok.fail_next = "duration_check_failed" if kind == "fail" else ""
        tiktok.chaos = Chaos(
            random.Random(seed),
            rng.choice([0.0, 0.1, 0.25]),
            {"creator_info": FAULTS, "init": FAULTS, "upload": FAULTS, "status": FAULTS},
        )
        open_id = f"creator-{seed}"
        access, refresh = tiktok.grant(open_id)
        tokens = ClockTokens(
            connector, TokenSet(access, refresh, at(clock).replace(year=at(clock).year + 1)), clock
        )
        title = f"Octopuses have three hearts #{seed}"
        video = scenario_video(tmp_path, seed, rng, most_kib=300, mp4=kind != "not_mp4")
        options: dict[str, str | int | bool] = (
            {} if kind == "no_privacy" else {"privacy_level": "PUBLIC_TO_EVERYONE"}
        )
        content = PostContent(
            video=video,
            size=video.stat().st_size,
            title=title,
            description="",
            marker=f"m-{seed}",
            options=options,
        )
        outcome = drive_scenario(
            lambda: publisher(tiktok),
            tokens,
            content,
            folder=tmp_path,
            seed=seed,
            clock=clock,
            rng=rng,
        )
        tiktok.chaos = None
        posts = tiktok.titles().count(title[:2200])
        expected = {
            "ok": "published",
            "not_mp4": "failed",
            "fail": "failed",
            "no_privacy": "needs_attention",
            "unaudited": "needs_attention",
        }[kind]
        if expected == "published":
            assert outcome.remote_id and outcome.url and "oceanfacts/video/" in outcome.url
        tally.add(
            outcome,
            tokens,
            planted=(seed, kind, expected),
            posted=posts,
            words={
                "not_mp4": "file_format_check_failed",
                "fail": "duration_check_failed",
                "no_privacy": "choose who can see the post",
                "unaudited": "unaudited_client_can_only_post_to_private_accounts",
            },
        )
    tally.check("tiktok", tiktok, tiktok.titles(), SCENARIOS)
