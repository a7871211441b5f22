"""The publishing pages' rules without a browser: the calendar's days and moves, TikTok's
required choices before a post can go, and an account's health in plain words."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from video_orchestrator.services.accounts import HealthOut
from video_orchestrator.ui.accounts_page import health_lines
from video_orchestrator.ui.calendar_page import month_days, moved_time, week_days
from video_orchestrator.ui.post_dialog import tiktok_problems


def test_a_month_is_shown_in_whole_weeks_from_monday() -> None:
    days = month_days(date(2026, 12, 17))
    assert (days[0], days[-1]) == (date(2026, 11, 30), date(2027, 1, 3))
    assert len(days) % 7 == 0 and days[0].weekday() == 0
    february = month_days(date(2027, 2, 1))  # starts on a Monday, ends on a Sunday
    assert (february[0], february[-1]) == (date(2027, 2, 1), date(2027, 2, 28))
    week = week_days(date(2026, 12, 4))  # a Friday
    assert (week[0], week[-1], len(week)) == (date(2026, 11, 30), date(2026, 12, 6), 7)


def test_a_dropped_post_keeps_its_minutes_in_the_local_time_zone() -> None:
    paris = ZoneInfo("Europe/Paris")
    at = datetime(2026, 3, 28, 17, 45, tzinfo=UTC)  # 18:45 in Paris, before the clocks change
    moved = moved_time(at, paris, date(2026, 3, 30), None)
    assert moved == datetime(2026, 3, 30, 16, 45, tzinfo=UTC)  # still 18:45 there (summer time)
    assert moved_time(at, paris, date(2026, 3, 30), 9) == datetime(2026, 3, 30, 7, 45, tzinfo=UTC)


def test_tiktok_needs_the_creators_own_choices_before_posting() -> None:
    ready = {"privacy_level": "PUBLIC_TO_EVERYONE"}
    assert tiktok_problems(ready, disclose=False, consent=True) == []
    assert "no default" in tiktok_problems({}, disclose=False, consent=True)[0]
    assert "promotes yourself" in tiktok_problems(ready, disclose=True, consent=True)[0]
    branded = {"privacy_level": "SELF_ONLY", "brand_content_toggle": True}
    assert "cannot be set to 'Only me'" in tiktok_problems(branded, disclose=True, consent=True)[0]
    assert "Agree" in tiktok_problems(ready, disclose=False, consent=False)[0]


def test_health_is_told_in_plain_words() -> None:
    health = HealthOut(
        account_id="a",
        platform="tiktok",
        name="Ocean Facts",
        token_valid=True,
        scopes=["https://www.googleapis.com/auth/youtube.upload", "video.publish"],
        quota_left={"posts_today": 14},
        facts={
            "creator_nickname": "Ocean Facts",
            "privacy_level_options": "PUBLIC_TO_EVERYONE,SELF_ONLY",
            "stitch_disabled": "true",
            "duet_disabled": "false",
        },
        problem=None,
    )
    lines = health_lines(health)
    assert lines[0] == "Token valid"
    assert "Scopes: youtube.upload, video.publish" in lines
    assert "Posts today left: 14" in lines
    assert "Privacy options: Everyone, Only me" in lines
    assert "Turned off by the creator: stitch" in lines
    expired = health.model_copy(update={"token_valid": False, "problem": "invalid_grant"})
    assert health_lines(expired)[0] == "Token not valid: reconnect"
    assert health_lines(expired)[-1] == "Problem: invalid_grant"
