"""What the publishing property tests (``tests/faults/test_publish_*_faults.py``) share: a
seeded scenario's video, its drive through a checkpoint store with random kills, and the
tally of endings and recoveries checked once every scenario has run."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.platforms.driver import ClockTokens, Outcome, SqliteStore, drive
from tests.platforms.media import video_file
from video_orchestrator.ports.publishing import PostContent, Publisher
from video_orchestrator.providers.sandbox.platform import FAULTS, FakeClock, PlatformServer

KIB = 1024


def scenario_video(
    folder: Path, seed: int, rng: random.Random, *, most_kib: int, mp4: bool
) -> Path:
    """The scenario's video: 2 KiB to ``most_kib`` KiB, an MP4 or not."""
    return video_file(
        folder / f"{seed}.mp4", rng.randint(2 * KIB, most_kib * KIB), seed=seed, mp4=mp4
    )


def drive_scenario(
    make_publisher: Callable[[], Publisher],
    tokens: ClockTokens,
    content: PostContent,
    *,
    folder: Path,
    seed: int,
    clock: FakeClock,
    rng: random.Random,
) -> Outcome:
    """The post driven to its end, its checkpoint in a SQLite file of its own, the process
    killed at a rate the scenario draws (none, 10 % or 20 % of the steps)."""
    return drive(
        make_publisher,
        tokens,
        content,
        store=SqliteStore(folder / f"{seed}.db"),
        clock=clock,
        rng=rng,
        kill_rate=rng.choice([0.0, 0.1, 0.2]),
    )


@dataclass
class Tally:
    """How the scenarios' posts ended and how often each recovery path ran."""

    ends: Counter[str] = field(default_factory=Counter)
    totals: Counter[str] = field(default_factory=Counter)

    def add(
        self,
        outcome: Outcome,
        tokens: ClockTokens,
        *,
        planted: tuple[int, str, str],
        posted: int,
        words: Mapping[str, str],
    ) -> None:
        """Count a post that ended as its scenario planted (``seed``, ``kind``, the state
        expected): in that state, on the platform once when published and never otherwise,
        with the platform's ``words`` for its kind in the message."""
        seed, kind, expected = planted
        assert outcome.state == expected, (seed, kind, outcome)
        assert posted == (1 if expected == "published" else 0), (seed, kind, outcome)
        if kind in words:
            assert words[kind] in (outcome.message or ""), (seed, kind, outcome)
        self.ends[outcome.state] += 1
        self.totals.update(
            kills=outcome.kills,
            reconciles=outcome.reconciles,
            unknown=outcome.unknown,
            refreshes=tokens.refreshes,
        )

    def check(self, name: str, server: PlatformServer, posts: list[str], scenarios: int) -> None:
        """No post on the fake was made twice, every fault struck, the recovery paths ran
        (kills, reconciles, token refreshes) and most posts were published."""
        met = server.faults_met()
        print(f"\n{name}: endings {dict(self.ends)}, faults {met}, recovery {dict(self.totals)}")
        assert max(Counter(posts).values()) == 1
        assert set(met) == set(FAULTS), met
        totals = self.totals
        assert totals["kills"] > 50 and totals["reconciles"] > 50 and totals["refreshes"] > 5, (
            totals
        )
        assert self.ends["published"] > scenarios // 2, self.ends
