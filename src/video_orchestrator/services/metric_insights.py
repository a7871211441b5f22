"""What the Analytics page says beyond the figures, from the stored rows only (ADR 0035):

- **Best posting times per account**: ``analytics/posting_times.py`` over each video's publish
  time and its views in the period. The exports give publish *days* (YouTube Studio, TikTok
  Studio), so the cells are weekdays unless some publish time has an hour (the generic CSV's
  ``published_at``, or a post of ours). Too few posts: the scheduler's documented default hours
  (``scheduling.BEST_HOURS``) with the reason.
- **What worked**: the traits the tables hold for every video — its length (split at the
  median), a title that asks a question, a title with a number, a weekend publish day —
  each compared by Welch's t on log views (``analytics/stats.py``), Holm-corrected over the
  traits tested; a trait is named only when its adjusted p is under ``ALPHA``. Hook type,
  caption style and pace are not in the metric tables, so they are not compared here.

Nothing is estimated without the data: each answer says why it is missing.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
from sqlalchemy import func, select

from video_orchestrator.analytics.posting_times import (
    MIN_POSTS,
    NotEnoughPosts,
    TimedPost,
    best_posting_times,
)
from video_orchestrator.analytics.stats import holm, welch
from video_orchestrator.services.metrics import VideoOut
from video_orchestrator.services.metrics_facade import Analytics
from video_orchestrator.services.scheduling import BEST_HOURS
from video_orchestrator.store.tables import MetricValue

#: Videos the comparisons need in the period, and in each side of one comparison.
MIN_VIDEOS = 10
MIN_SIDE = 4
#: The family-wise error rate of the named traits.
ALPHA = 0.05
#: Best cells shown per account.
SHOWN_CELLS = 3
#: Videos read for the insights (the newest).
MAX_VIDEOS = 1000
_NUMBER = re.compile(r"\d")


#: Why an account's times are what they are: too few posts (the default hours), no time that
#: stands out (the default hours), or measured. The studio words the reason in the viewer's
#: locale from the code and its values (ADR 0042); ``reason`` is the English sentence.
TimesReason = Literal["few_posts", "no_standout", "measured"]


@dataclass(frozen=True)
class BestCell:
    """One of an account's best measured times: a weekday (0 Monday) and/or an hour (UTC),
    how much better its posts did than the account's typical post, over how many posts."""

    weekday: int | None
    hour: int | None
    lift: float
    posts: int


@dataclass(frozen=True)
class AccountTimes:
    """When one account's posts do best, measured or the documented default."""

    platform: str
    account: str
    best: tuple[str, ...]  # "Tuesday", "Friday 18:00", or default hours "12:00"
    measured: bool
    reason: str  # in English (what a non-studio reader gets)
    code: TimesReason = "measured"
    posts: int = 0  # posts with a publish time and views
    needed: int = 0  # few_posts: the posts it needs
    by_hour: bool = False  # cells by weekday and hour (UTC), else by weekday only
    cells: tuple[BestCell, ...] = ()  # measured: the best cells, best first
    default_hours: tuple[int, ...] = ()  # otherwise: the scheduler's hours for the platform


@dataclass(frozen=True)
class Effect:
    """A trait whose videos got clearly more (or fewer) views."""

    trait: str  # "Title asks a question"
    lift: float  # views with the trait against without, as a ratio of typical views − 1
    with_trait: int  # videos with it
    without: int
    p_adjusted: float


@dataclass(frozen=True)
class WhatWorked:
    effects: tuple[Effect, ...]  # strongest first; empty when nothing stands out
    videos: int
    note: str  # what was compared, or why nothing could be


def default_times(
    platform: str,
    account: str,
    reason: str,
    *,
    code: TimesReason = "few_posts",
    posts: int = 0,
    needed: int = 0,
    by_hour: bool = False,
) -> AccountTimes:
    hours = BEST_HOURS.get(platform, ())
    shown = tuple(f"{h:02d}:00" for h in hours)
    return AccountTimes(
        platform,
        account,
        shown,
        measured=False,
        reason=f"{reason}; until then the scheduler's default hours"
        + (" for this platform" if shown else " (none for this platform)"),
        code=code,
        posts=posts,
        needed=needed,
        by_hour=by_hour,
        default_hours=tuple(hours),
    )


def account_times(videos: Sequence[VideoOut], views: Mapping[str, float]) -> list[AccountTimes]:
    """Per account (platform and name), from each video's publish time and views."""
    by_account: dict[tuple[str, str], list[VideoOut]] = defaultdict(list)
    for video in videos:
        by_account[(video.platform, video.account)].append(video)
    out: list[AccountTimes] = []
    for (platform, account), items in sorted(by_account.items()):
        timed = [v for v in items if v.published_at is not None and v.id in views]
        with_hour = any(
            v.published_at is not None and (v.published_at.hour, v.published_at.minute) != (0, 0)
            for v in timed
        )
        posts = [
            TimedPost(v.published_at.weekday(), v.published_at.hour, max(0.0, views[v.id]))
            for v in timed
            if v.published_at is not None
        ]
        result = best_posting_times(
            posts, grouping="weekday_hour" if with_hour else "weekday", min_posts=MIN_POSTS
        )
        if isinstance(result, NotEnoughPosts):
            out.append(
                default_times(
                    platform,
                    account,
                    _sentence(result.reason),
                    posts=result.posts,
                    needed=result.posts + result.more_needed,
                    by_hour=with_hour,
                )
            )
            continue
        basis = f"from {result.posts} posts' views" + (
            " by publish weekday and hour (UTC)"
            if with_hour
            else " by publish weekday (the exports give days, not hours)"
        )
        ranked = [c for c in result.ranking if c.lift > 0][:SHOWN_CELLS]
        if not result.stands_out or not ranked:
            reason = f"No time stands out yet {basis}: the differences are no larger than chance"
            out.append(
                default_times(
                    platform,
                    account,
                    reason,
                    code="no_standout",
                    posts=result.posts,
                    by_hour=with_hour,
                )
            )
            continue
        labels = tuple(f"{c.label} (+{c.lift:.0%}, {c.posts} posts)" for c in ranked)
        out.append(
            AccountTimes(
                platform,
                account,
                labels,
                measured=True,
                reason=basis,
                posts=result.posts,
                by_hour=with_hour,
                cells=tuple(BestCell(c.weekday, c.hour, c.lift, c.posts) for c in ranked),
            )
        )
    return out


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _traits(videos: Sequence[VideoOut]) -> dict[str, Callable[[VideoOut], bool | None]]:
    lengths = sorted(v.duration_seconds for v in videos if v.duration_seconds is not None)
    traits: dict[str, Callable[[VideoOut], bool | None]] = {
        "Title asks a question": lambda v: "?" in v.title if v.title else None,
        "Title has a number": lambda v: bool(_NUMBER.search(v.title)) if v.title else None,
        "Published on a weekend": lambda v: (
            v.published_at.weekday() >= 5 if v.published_at is not None else None
        ),
    }
    if lengths:
        median = lengths[len(lengths) // 2]
        traits[f"Longer than {median:.0f} s"] = lambda v: (
            v.duration_seconds > median if v.duration_seconds is not None else None
        )
    return traits


def what_worked(videos: Sequence[VideoOut], views: Mapping[str, float]) -> WhatWorked:
    """The traits whose videos got clearly different views (see the module)."""
    counted = [v for v in videos if v.id in views]
    if len(counted) < MIN_VIDEOS:
        return WhatWorked(
            (),
            len(counted),
            f"Comparing needs at least {MIN_VIDEOS} videos with views in the period; there "
            f"{'is' if len(counted) == 1 else 'are'} {len(counted)}.",
        )
    tested: list[tuple[str, float, int, int, float]] = []
    too_few: list[str] = []
    for name, has in _traits(counted).items():
        sides: dict[bool, list[float]] = {True: [], False: []}
        for video in counted:
            flag = has(video)
            if flag is not None:
                sides[flag].append(math.log1p(max(0.0, views[video.id])))
        yes, no = sides[True], sides[False]
        if len(yes) < MIN_SIDE or len(no) < MIN_SIDE:
            too_few.append(name.lower())
            continue
        test = welch(
            float(np.mean(no)), float(np.std(no, ddof=1)), len(no),
            float(np.mean(yes)), float(np.std(yes, ddof=1)), len(yes),
        )  # fmt: skip
        tested.append((name, math.expm1(float(np.mean(yes)) - float(np.mean(no))), len(yes),
                       len(no), test.p_value))  # fmt: skip
    adjusted = holm([t[4] for t in tested]) if tested else ()
    effects = sorted(
        (
            Effect(name, lift, n_yes, n_no, p)
            for (name, lift, n_yes, n_no, _), p in zip(tested, adjusted, strict=True)
            if p < ALPHA
        ),
        key=lambda e: -abs(math.log1p(e.lift)),
    )
    note = (
        f"Compared over {len(counted)} videos: "
        + (", ".join(t[0].lower() for t in tested) or "nothing")
        + f" (Welch's t on log views, Holm-corrected, named when p < {ALPHA})."
    )
    if too_few:
        note += f" Not compared, fewer than {MIN_SIDE} videos on one side: {', '.join(too_few)}."
    if not effects and tested:
        note = "No trait stands out yet: the differences are no larger than chance. " + note
    return WhatWorked(tuple(effects), len(counted), note)


def stored_window(analytics: Analytics) -> tuple[date, date] | None:
    """The first and last day the stored video metrics cover; None when there are none."""
    with analytics.db.session() as session:
        first, last = session.execute(
            select(func.min(MetricValue.period_start), func.max(MetricValue.period_end))
        ).one()
    return None if first is None or last is None else (first, last)


def video_views(analytics: Analytics, start: date, end: date) -> dict[str, float]:
    """Each video's views in the period (videos without views are left out)."""
    views: dict[str, float] = {}
    for group in analytics.totals(start, end, "video"):
        value = group.values.get("views")
        if value is not None:
            views[str(group.key["video_id"])] = float(value)
    return views


@dataclass(frozen=True)
class Insights:
    times: list[AccountTimes]
    worked: WhatWorked


def insights(analytics: Analytics, start: date, end: date) -> Insights:
    videos = analytics.metrics.videos(limit=MAX_VIDEOS).items
    views = video_views(analytics, start, end)
    return Insights(account_times(videos, views), what_worked(videos, views))
