"""The publishing pages' rules without a browser: the calendar's days and moves (dropped or
by the keyboard), its hour labels, TikTok's required choices before a post can go (and what
the Post dialog's bar says is missing), and an account's health in plain words."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from video_orchestrator.services.accounts import HealthOut
from video_orchestrator.ui import i18n
from video_orchestrator.ui.accounts_page import health_lines
from video_orchestrator.ui.calendar_page import (
    KEY_STEPS,
    month_days,
    moved_time,
    shifted_time,
    week_days,
)
from video_orchestrator.ui.post_dialog import missing_choices, tiktok_problems


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


def test_a_keyboard_move_is_on_the_wall_clock_of_the_browsers_zone() -> None:
    paris = ZoneInfo("Europe/Paris")
    at = datetime(2026, 3, 28, 17, 45, tzinfo=UTC)  # Saturday 18:45 in Paris, winter time
    # a day later is 18:45 again in Paris, though the clocks went forward that night
    assert shifted_time(at, paris, 1, 0) == datetime(2026, 3, 29, 16, 45, tzinfo=UTC)
    assert shifted_time(at, paris, 1, 2) == datetime(2026, 3, 29, 18, 45, tzinfo=UTC)
    assert shifted_time(at, paris, 0, -3) == datetime(2026, 3, 28, 14, 45, tzinfo=UTC)
    assert shifted_time(at, paris, -7, 0) == datetime(2026, 3, 21, 17, 45, tzinfo=UTC)
    assert shifted_time(at, paris, 0, 0) == at
    # the arrows move in the grid's directions: a row is an hour (week) or a week (month)
    assert KEY_STEPS["week"]["ArrowDown"] == (0, 1) and KEY_STEPS["week"]["ArrowLeft"] == (-1, 0)
    assert KEY_STEPS["month"]["ArrowUp"] == (-7, 0) and KEY_STEPS["month"]["ArrowRight"] == (1, 0)


@pytest.mark.parametrize(
    ("code", "nine", "five_pm"),
    [
        ("en", "09:00", "17:00"),
        ("de", "09:00", "17:00"),
        ("es", "9:00", "17:00"),
        ("ja", "9:00", "17:00"),
    ],
)
def test_hour_labels_follow_the_locale(
    monkeypatch: pytest.MonkeyPatch, code: str, nine: str, five_pm: str
) -> None:
    monkeypatch.setattr(i18n, "current", lambda: code)
    assert (i18n.clock(time(9)), i18n.clock(time(17))) == (nine, five_pm)


def test_the_post_bar_says_what_is_missing_until_nothing_is() -> None:
    assert missing_choices(set(), {}, "now", None, None) == ["Choose at least one account."]
    assert missing_choices({"youtube"}, {}, "now", None, None) == []
    assert missing_choices({"youtube"}, {}, "at", "2026-12-06", None) == [
        "Give the date and the time to post at."
    ]
    assert missing_choices({"youtube"}, {}, "at", "2026-12-06", "09:30") == []
    tiktok: dict[str, object] = {"privacy_level": None, "consent": False, "disclose": False}
    found = missing_choices({"youtube", "tiktok"}, tiktok, "best", None, None)
    assert len(found) == 2 and "no default" in found[0] and "Agree" in found[1]
    tiktok.update(privacy_level="PUBLIC_TO_EVERYONE", consent=True)
    assert missing_choices({"tiktok"}, tiktok, "now", None, None) == []
    tiktok.update(disclose=True)  # disclosed, but neither kind of promotion chosen
    assert "promotes yourself" in missing_choices({"tiktok"}, tiktok, "now", None, None)[0]


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
