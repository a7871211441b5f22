"""Never twice, never lost (issue 16, ADR 0026): 200 seeded publish scenarios against the
fake YouTube with faults drawn at every request (dropped connections mid-chunk, answers lost
after the server acted or arriving after the client gave up, 5xx and 429, tokens expiring, the
daily quota running out, sessions expiring) and the worker killed at random points —
before a step is sent, or after the platform acted but before the result was stored — each
time resumed by a new process from the database.

Every post must end published (exactly one video with its marker, byte for byte the file),
failed with YouTube's words, or needs_attention with a next step; no marker may appear on
two videos."""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.platforms.publishing import Publishing, connect, drive, publishing, youtube_adapter
from tests.platforms.youtube_server import CHUNK_UNIT, FAULT_TARGETS, FakeYouTube, chaos
from video_orchestrator.providers.youtube.publisher import marker_tag
from video_orchestrator.services.posts import NewPost

SCENARIOS = int(__import__("os").environ.get("VO_PUBLISH_SCENARIOS", "200"))


class Killed(BaseException):
    """The worker process dies (not an error the service could catch)."""


class Killer:
    """The YouTube adapter, in a worker that may die just before a step is sent or just
    after the platform answered (the answer then never reaches the database)."""

    def __init__(self, inner: Any, rng: random.Random, rate: float, tally: Counter[str]) -> None:
        self.inner = inner
        self.rng = rng
        self.rate = rate
        self.tally = tally

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def _maybe(self, when: str) -> None:
        if self.rng.random() < self.rate:
            self.tally[f"killed {when}"] += 1
            raise Killed(when)

    def step(self, *args: Any) -> Any:
        self._maybe("before a step")
        result = self.inner.step(*args)
        self._maybe("after a step")
        return result

    def reconcile(self, *args: Any) -> Any:
        self._maybe("before a reconcile")
        result = self.inner.reconcile(*args)
        self._maybe("after a reconcile")
        return result


@pytest.fixture
def yt() -> Iterator[FakeYouTube]:
    with FakeYouTube(processing_polls=1) as server:
        yield server


@pytest.mark.timeout(900)  # about 1 s a scenario on a busy 2-core machine
def test_200_faulty_publishes_make_no_duplicate_and_lose_no_post(
    yt: FakeYouTube, tmp_path: Path
) -> None:
    rng = random.Random(16_2026)
    tally: Counter[str] = Counter()
    # 2 or 3 chunks a file; a 1 s timeout, so a slow answer (1.2 s) is a lost one
    adapter = youtube_adapter(yt, chunk_bytes=2 * CHUNK_UNIT, timeout=1.0)
    yt.slow_seconds = 1.2
    killer = Killer(adapter, rng, 0.0, tally)
    base = publishing(f"sqlite:///{tmp_path / 'vo.db'}", yt, killer)
    account = connect(base)
    ends: Counter[str] = Counter()
    retried = 0
    sizes = [CHUNK_UNIT * 4, CHUNK_UNIT * 4 + 1, CHUNK_UNIT * 5 + 77_777, CHUNK_UNIT * 6 - 1]
    files = []
    for index, size in enumerate(sizes):
        path = tmp_path / f"clip{index}.mp4"
        path.write_bytes(random.Random(index).randbytes(size))
        files.append((path, hashlib.sha256(path.read_bytes()).hexdigest()))
    cover = tmp_path / "cover.jpg"
    cover.write_bytes(b"\xff\xd8\xff" + bytes(500))

    for scenario in range(SCENARIOS):
        fault_rate = rng.choice((0.05, 0.15, 0.3))
        yt.chaos = chaos(rng, fault_rate, tuple(FAULT_TARGETS))
        killer.rate = rng.choice((0.0, 0.05, 0.15))
        path, digest = rng.choice(files)
        post = base.posts.create(
            NewPost(
                account_id=account.id,
                video_key=str(path),
                size=path.stat().st_size,
                title=f"Scenario {scenario}",
                hashtags=["ocean"],
                privacy=rng.choice(("public", "unlisted", "private")),
                cover_key=str(cover) if rng.random() < 0.3 else None,
            )
        )
        p: Publishing = base.restarted()
        done, p = drive(p, post.id, killed=Killed, max_rounds=2000)
        yt.chaos = None
        ends[done.state] += 1
        if done.state != "published":
            print(scenario, done.state, done.message)
        found = yt.videos_with_tag(marker_tag(done.marker))
        assert len(found) <= 1, f"scenario {scenario}: {len(found)} videos for one post"
        if done.state == "published":
            assert len(found) == 1, f"scenario {scenario}: published, but no video"
            assert found[0].id == done.remote_id
            assert found[0].sha256 == digest, f"scenario {scenario}: the bytes differ"
        elif done.state == "failed":
            assert done.message, f"scenario {scenario}: failed without the platform's words"
        else:
            assert done.state == "needs_attention", f"scenario {scenario}: {done.state}"
            assert done.message, f"scenario {scenario}: needs attention, but says nothing"
            for event in p.posts.events(post.id)[-6:]:
                print("   ", event.step, event.outcome, event.detail[:120])
            # The next step it names (reconnect if asked, then retry) ends it, still once.
            if "connect" in done.message:
                connect(p)
            p.posts.retry(post.id)
            again, p = drive(p, post.id, killed=Killed, max_rounds=2000)
            assert again.state == "published", f"scenario {scenario}: {again.message}"
            found = yt.videos_with_tag(marker_tag(done.marker))
            assert [v.sha256 for v in found] == [digest], f"scenario {scenario}: after retry"
            retried += 1
    print(
        f"\nends: {dict(ends)} (then retried to published: {retried}); kills: {dict(tally)}; "
        f"faults: {dict(yt.injected)}"
    )
    assert sum(ends.values()) == SCENARIOS
    # Every video on the channel belongs to exactly one post.
    tags = [
        t for v in yt.videos.values() for t in v.resource["snippet"]["tags"] if t.startswith("vo-")
    ]
    assert len(tags) == len(set(tags)) == ends["published"] + retried
    assert ends["published"] >= SCENARIOS * 0.9, ends
    assert sum(tally.values()) > 20  # the worker really died, many times
    assert set(yt.injected) == set(FAULT_TARGETS)  # every kind of fault happened
