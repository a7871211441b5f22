"""The scheduler's arithmetic: the best hour in the account's zone, and the per-account
queue (a minimum gap, at most ``cap`` posts in any 24 hours either side)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from video_orchestrator.errors import InputError
from video_orchestrator.services.scheduling import DAY, MIN_GAP, best_time, fit_slot, local_time

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def test_best_time_is_the_next_best_local_hour() -> None:
    # 09:00 UTC is 10:00 in Paris: YouTube's next best hour there is 12:00 Paris = 11:00 UTC.
    assert best_time("youtube", "Europe/Paris", T0) == datetime(2026, 12, 4, 11, 0, tzinfo=UTC)
    # 09:00 UTC is 01:00 in Los Angeles: TikTok's 09:00 there is 17:00 UTC.
    assert best_time("tiktok", "America/Los_Angeles", T0) == datetime(
        2026, 12, 4, 17, 0, tzinfo=UTC
    )
    # After the last best hour of the day: tomorrow's first (Tokyo 18:00 → 19:00 at 10 UTC).
    late = datetime(2026, 12, 4, 10, 30, tzinfo=UTC)  # 19:30 in Tokyo
    assert best_time("youtube", "Asia/Tokyo", late) == datetime(2026, 12, 5, 3, 0, tzinfo=UTC)


def test_a_naive_time_is_read_in_the_accounts_zone() -> None:
    at = local_time(datetime(2026, 12, 5, 18, 0), "Europe/Paris")
    assert at.astimezone(UTC) == datetime(2026, 12, 5, 17, 0, tzinfo=UTC)


def test_a_free_time_is_kept_and_a_close_one_moves_by_the_gap() -> None:
    assert fit_slot(T0, [], cap=6) == T0
    assert fit_slot(T0, [T0 - timedelta(hours=2)], cap=6) == T0
    assert fit_slot(T0, [T0 + timedelta(minutes=3)], cap=6) == T0 + timedelta(minutes=3) + MIN_GAP


def test_a_full_day_pushes_the_post_past_the_24_hours() -> None:
    taken = [T0 - timedelta(hours=h) for h in (1, 2, 3, 4, 5, 6)]  # six in the last 6 hours
    slot = fit_slot(T0, taken, cap=6)
    # The oldest of the six leaves the window 24 h after it was posted.
    assert slot == T0 - timedelta(hours=6) + DAY
    window = [t for t in taken if slot - DAY < t <= slot]
    assert len(window) == 5


def test_a_queue_full_to_the_horizon_is_refused() -> None:
    taken = [T0 + timedelta(minutes=10 * i) for i in range(6 * 24 * 3)]  # every 10 min, 3 days
    with pytest.raises(InputError, match="queue is full"):
        fit_slot(T0, taken, cap=10_000, horizon=timedelta(days=2))


def test_each_platform_gets_its_own_words() -> None:
    from video_orchestrator.domain.script import Script
    from video_orchestrator.services.scheduling import PostText, ScheduleIn, tailored_text

    script = Script.model_validate(
        {
            "topic": "the deep ocean",
            "title": "Why the deepest part of the ocean is darker and colder than you think",
            "hook": "Light dies at 1000 metres.",
            "description": "Five facts. " * 183,  # 2196 characters: over with the title
            "hashtags": ["ocean", "deepsea"],
            "scenes": [{"narration": "Light dies at 1000 metres.", "keywords": ["ocean"]}],
        }
    )
    base = PostText(title="from the render", description="render text", hashtags=["#render"])
    request = ScheduleIn(
        job_id="j", accounts=["a"], per_platform={"tiktok": PostText(title="My TikTok words")}
    )
    youtube = tailored_text("youtube", script, base, request)
    tiktok = tailored_text("tiktok", script, base, request)
    instagram = tailored_text("instagram", script, base, request)
    assert youtube.title == script.title and youtube.hashtags == ["#ocean", "#deepsea"]
    assert youtube.description == script.description  # YouTube's description takes 5000
    assert tiktok.title == "My TikTok words"  # the user's words for this platform win
    # Instagram's whole caption (title, description, hashtags) must fit 2200 characters.
    assert instagram.description is not None
    assert len(instagram.description) < len(script.description)
    everyone = ScheduleIn(job_id="j", accounts=["a"], text=PostText(hashtags=[]))
    assert tailored_text("youtube", script, base, everyone).hashtags == []  # none, on purpose
    assert tailored_text("youtube", None, base, ScheduleIn(job_id="j", accounts=["a"])) == base
