"""The publishing pages' rules without a browser: the calendar's days and moves (dropped or
by the keyboard), the ghost a moving post leaves where it was (NiceGUI's simulated user), its
hour labels, TikTok's required choices before a post can go (and what
the Post dialog's bar says is missing), and an account's health in plain words."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from nicegui.testing import user_simulation

from tests.ui.test_editor_sim import eventually, page_for
from video_orchestrator.services.accounts import HealthOut
from video_orchestrator.services.workspace import Workspace
from video_orchestrator.store.tables import Post, PublishAccount
from video_orchestrator.ui import i18n
from video_orchestrator.ui.accounts_page import health_lines
from video_orchestrator.ui.calendar_page import (
    DRAG_END,
    DRAG_START,
    KEY_STEPS,
    ghost_place,
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


def test_a_moving_posts_ghost_stays_in_the_cell_it_left() -> None:
    was = datetime(2026, 12, 10, 17, 45, tzinfo=UTC)
    paris = ZoneInfo("Europe/Paris")  # 18:45 there
    later = datetime(2026, 12, 11, 17, 45, tzinfo=UTC)
    assert ghost_place(was, later, paris, week=False) == (date(2026, 12, 10), None)
    assert ghost_place(was, later, paris, week=True) == (date(2026, 12, 10), 18)
    same_day = datetime(2026, 12, 10, 20, 45, tzinfo=UTC)  # later that day: a week's other cell
    assert ghost_place(was, same_day, paris, week=False) is None
    assert ghost_place(was, same_day, paris, week=True) == (date(2026, 12, 10), 18)
    assert ghost_place(was, was, paris, week=True) is None  # back where it was
    # the cell is the browser's: 23:30 UTC is the next day in Paris
    late = datetime(2026, 12, 10, 23, 30, tzinfo=UTC)
    assert ghost_place(late, late + timedelta(days=1), paris, week=False) == (
        date(2026, 12, 11), None
    )  # fmt: skip


@pytest.mark.asyncio
async def test_the_ghost_shows_while_a_post_is_moved_by_keyboard_until_made_or_cancelled(
    ws: Workspace,
) -> None:
    today = datetime.now(UTC).date()
    following = (today.replace(day=28) + timedelta(days=4)).replace(day=3)  # next month's 3rd
    origin = datetime.combine(following, time(12), UTC)
    with ws.ctx.db.session() as session:
        session.add(
            PublishAccount(
                id="a1", platform="youtube", remote_id="c1", name="Ocean Facts", access_token="x"
            )
        )
        session.flush()
        session.add(
            Post(
                id="p1", account_id="a1", platform="youtube", marker="m1", video_key="k",
                size=1, title="Octopus hearts", state="scheduled", scheduled_at=origin,
            )
        )  # fmt: skip
    async with user_simulation(root=page_for(ws)) as user:
        user.javascript_rules[re.compile(r".*resolvedOptions\(\)\.timeZone")] = lambda _: "UTC"
        await user.open("/calendar")
        await user.should_see(marker="calendar-later", retries=100)
        user.find(marker="calendar-later").click()  # next month, where the post is
        await user.should_see("Octopus hearts", retries=100)
        assert user.client is not None
        layout = user.client.layout

        def cells(marker: str, key: str) -> list[str]:
            """The days of the cells holding the elements with ``marker`` (the ghost) or
            the chip of post p1."""
            found = []
            for element in layout.descendants():
                if marker in element._markers or element.props.get("data-post") == key:
                    slot = element.parent_slot
                    found.append(str(slot.parent.props.get("data-day", "")) if slot else "")
            return found

        def press(key: str) -> None:
            user.find(marker="calendar-area").trigger("keydown", ["p1", key])

        def ghost() -> list[str]:
            return cells("calendar-ghost", "-")

        def chip() -> list[str]:
            return cells("-", "p1")

        day, next_day = following.isoformat(), (following + timedelta(days=1)).isoformat()
        assert (ghost(), chip()) == ([], [day])
        press("ArrowRight")  # the preview a day later; the ghost where it was
        await eventually(lambda: (ghost(), chip()) == ([day], [next_day]), "a ghost at its origin")
        press("ArrowLeft")  # back in its own cell: no ghost beside it
        await eventually(lambda: (ghost(), chip()) == ([], [day]), "no ghost at home")
        press("ArrowRight")
        await eventually(lambda: ghost() == [day], "the ghost again")
        press("Escape")  # cancelled: the post is back and the ghost gone
        await eventually(lambda: (ghost(), chip()) == ([], [day]), "cancelled, no ghost")
        assert ws.publishing.posts.get("p1").scheduled_at == origin
        press("ArrowRight")
        await eventually(lambda: ghost() == [day], "the ghost for the next move")
        press("Enter")  # made: the post is in its new day and the ghost gone
        await eventually(lambda: (ghost(), chip()) == ([], [next_day]), "moved, no ghost")
        assert ws.publishing.posts.get("p1").scheduled_at == origin + timedelta(days=1)
        # a drag fades the chip in the browser until its drop or its end (cancelled)
        (item,) = [e for e in layout.descendants() if e.props.get("data-post") == "p1"]
        handlers = {
            listener.type: listener.js_handler for listener in item._event_listeners.values()
        }
        assert handlers["dragstart"] == DRAG_START and "add('cal-dragging')" in DRAG_START
        assert handlers["dragend"] == DRAG_END and "remove('cal-dragging')" in DRAG_END
