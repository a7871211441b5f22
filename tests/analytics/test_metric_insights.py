"""What the Analytics page says beyond the figures (services/metric_insights.py): "what
worked" names a planted trait and, on data without one, names nothing at about the advertised
rate; best posting times find a planted best hour, fall back to the scheduler's default with
the reason, and use weekdays when the exports give only days."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pytest

from tests.analytics_exports import YouTubeVideo, youtube_studio_zip
from video_orchestrator.config import Settings
from video_orchestrator.services.metric_insights import (
    account_times,
    insights,
    stored_window,
    what_worked,
)
from video_orchestrator.services.metrics import VideoOut
from video_orchestrator.services.metrics_facade import Analytics
from video_orchestrator.services.scheduling import BEST_HOURS
from video_orchestrator.store import Database
from video_orchestrator.ui import i18n
from video_orchestrator.ui.analytics_page import times_words

MONDAY = datetime(2026, 11, 2, tzinfo=UTC)


def video(
    n: int,
    *,
    title: str = "A video",
    published: datetime | None = None,
    seconds: float | None = 30.0,
    platform: str = "youtube",
    account: str = "@lab",
) -> VideoOut:
    return VideoOut(
        id=f"v{n}", platform=platform, remote_id=f"r{n}", account=account, title=title,
        url=None, published_at=published, duration_seconds=seconds, project_id=None,
        job_id=None, variant_id=None, link_rule=None, source="csv",
    )  # fmt: skip


def sample(
    rng: np.random.Generator, question_lift: float
) -> tuple[list[VideoOut], dict[str, float]]:
    """30 videos; half ask a question in the title (views × ``question_lift``); the other
    traits (a number, a weekend day, the length) are drawn at random with no effect."""
    videos, views = [], {}
    for n in range(30):
        asks = n % 2 == 0
        title = ("How deep is it?" if asks else "The deep sea") + (
            " in 5 facts" if rng.random() < 0.5 else ""
        )
        day = MONDAY + timedelta(days=int(rng.integers(0, 7)))
        item = video(n, title=title, published=day, seconds=float(rng.uniform(15, 60)))
        videos.append(item)
        views[item.id] = float(np.exp(rng.normal(math.log(1000), 0.5))) * (
            question_lift if asks else 1.0
        )
    return videos, views


def test_a_planted_trait_is_named_with_its_lift_and_nothing_else() -> None:
    videos, views = sample(np.random.default_rng(7), question_lift=3.0)
    worked = what_worked(videos, views)
    assert [e.trait for e in worked.effects] == ["Title asks a question"]
    effect = worked.effects[0]
    assert 1.0 < effect.lift < 4.0  # planted +200 %
    assert (effect.with_trait, effect.without) == (15, 15)
    assert effect.p_adjusted < 0.05
    assert worked.videos == 30 and "Holm" in worked.note


def test_without_an_effect_a_trait_is_named_at_about_the_advertised_rate() -> None:
    runs = 300
    named = sum(
        bool(what_worked(*sample(np.random.default_rng(seed), question_lift=1.0)).effects)
        for seed in range(runs)
    )
    # Holm over four traits keeps the family-wise rate at 5 % (3-sigma band above it)
    assert named / runs <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / runs), named


def test_too_few_videos_are_not_compared_and_the_page_says_why() -> None:
    videos = [video(n, title="Why?" if n % 2 else "Plain") for n in range(6)]
    worked = what_worked(videos, {v.id: 100.0 * (n + 1) for n, v in enumerate(videos)})
    assert worked.effects == ()
    assert (
        worked.note == "Comparing needs at least 10 videos with views in the period; there are 6."
    )


def test_a_planted_best_hour_is_found_and_shown_with_its_evidence() -> None:
    rng = np.random.default_rng(3)
    cells = [(1, 18), (3, 9), (5, 12), (6, 20)]  # Tuesday 18:00 is the planted best
    videos, views = [], {}
    for n in range(16):
        weekday, hour = cells[n % 4]
        at = MONDAY + timedelta(days=weekday, hours=hour)
        item = video(n, published=at, platform="tiktok")
        videos.append(item)
        views[item.id] = float(np.exp(rng.normal(math.log(800), 0.2))) * (
            4.0 if (weekday, hour) == (1, 18) else 1.0
        )
    [times] = account_times(videos, views)
    assert times.measured
    assert times.best[0].startswith("Tuesday 18:00 (+")
    assert "4 posts" in times.best[0]
    assert "hour (UTC)" in times.reason


def test_days_without_hours_rank_weekdays_and_too_few_posts_fall_back_to_the_default() -> None:
    rng = np.random.default_rng(5)
    videos, views = [], {}
    for n in range(21):  # three weeks of one post a day; Saturdays planted 5×
        at = MONDAY + timedelta(days=n)
        item = video(n, published=at)
        videos.append(item)
        views[item.id] = float(np.exp(rng.normal(math.log(500), 0.1))) * (
            5.0 if at.weekday() == 5 else 1.0
        )
    few = [video(100 + n, published=MONDAY, account="@new") for n in range(3)]
    found = {t.account: t for t in account_times(videos + few, views | {v.id: 10.0 for v in few})}
    lab = found["@lab"]
    assert lab.measured and lab.best[0].startswith("Saturday (+"), lab
    assert "3 posts" in lab.best[0]
    assert "by publish weekday (the exports give days, not hours)" in lab.reason
    new = found["@new"]
    assert not new.measured
    assert new.best == tuple(f"{h:02d}:00" for h in BEST_HOURS["youtube"])
    assert new.reason.startswith("Best posting times need at least 10 posts with metrics; there")


def test_the_insights_read_the_stored_rows(db: Database, tmp_path: Path) -> None:
    analytics = Analytics(db, Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache"))
    assert stored_window(analytics) is None
    first = date(2026, 11, 10)
    clip = YouTubeVideo("vid0000001", "Tides", date(2026, 11, 1), 40, [10, 20, 30])
    analytics.import_bytes(youtube_studio_zip([clip], first), "export.zip")
    assert stored_window(analytics) == (first, first + timedelta(days=2))
    found = insights(analytics, first, first + timedelta(days=2))
    assert found.worked.videos == 1
    [times] = found.times
    assert (times.platform, times.measured) == ("youtube", False)


def test_the_reasons_come_with_a_code_and_values_the_studio_words_in_any_locale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The service's English reason for the CLI and API; the code and values for the studio,
    which words each case the same way in English (ADR 0042)."""
    rng = np.random.default_rng(3)
    cells = [(1, 18), (3, 9), (5, 12), (6, 20)]
    videos, views = [], {}
    for n in range(16):
        weekday, hour = cells[n % 4]
        item = video(n, published=MONDAY + timedelta(days=weekday, hours=hour), platform="tiktok")
        videos.append(item)
        views[item.id] = float(np.exp(rng.normal(math.log(800), 0.2))) * (
            4.0 if (weekday, hour) == (1, 18) else 1.0
        )
    flat = [
        video(200 + n, published=MONDAY + timedelta(days=n % 7), account="@flat") for n in range(14)
    ]
    few = [video(100 + n, published=MONDAY, account="@new", platform="vimeo") for n in range(3)]
    views |= {v.id: 500.0 for v in flat} | {v.id: 10.0 for v in few}
    found = {t.account: t for t in account_times(videos + flat + few, views)}
    measured, standout, short = found["@lab"], found["@flat"], found["@new"]
    assert (measured.code, measured.posts, measured.by_hour) == ("measured", 16, True)
    assert (measured.cells[0].weekday, measured.cells[0].hour, measured.cells[0].posts) == (
        1,
        18,
        4,
    )
    assert (standout.code, standout.posts, standout.by_hour) == ("no_standout", 14, False)
    assert standout.default_hours == BEST_HOURS["youtube"]
    assert (short.code, short.posts, short.needed, short.default_hours) == ("few_posts", 3, 10, ())
    # English in the studio says what the service says
    for times in (measured, standout, short):
        best, reason = times_words(times)
        assert reason == times.reason[:1].upper() + times.reason[1:] + "."
        assert best == ", ".join(times.best)
    # and German, Romanian and Japanese their own words, with the locale's numbers and clock
    monkeypatch.setattr(i18n, "current", lambda: "de")
    best, reason = times_words(measured)
    assert best.startswith("Dienstag 18:00 (+") and "4 Posts)" in best and "\xa0%" in best
    assert (
        reason
        == "Aus den Aufrufen von 16 Posts nach Wochentag und Uhrzeit der Veröffentlichung (UTC)."
    )
    assert times_words(short)[1].startswith("Beste Posting-Zeiten brauchen mindestens 10 Posts")
    monkeypatch.setattr(i18n, "current", lambda: "ro")
    assert times_words(short)[1].endswith(
        "există 3, deci încă 7; până atunci, orele implicite ale planificatorului "
        "(niciuna pentru această platformă)."
    )
    monkeypatch.setattr(i18n, "current", lambda: "ja")
    hours, reason = times_words(standout)
    assert "まだ目立つ時間はありません" in reason and "14 件" in reason
    assert hours == ", ".join(i18n.clock(time(h)) for h in BEST_HOURS["youtube"])
