"""Best posting times for one account, with shrinkage so one lucky post does not win (ADR 0028).

Each post's metric (views at the fixed age) is taken on the log scale (``log(1 + x)``). Posts
are grouped into time cells (hour, weekday or weekday × hour). Each cell's mean is pulled
toward the account's mean by the empirical-Bayes Normal–Normal rule
``shrunk = mean + B (cell − mean)``, ``B = τ² / (τ² + σ² / n)``, where ``σ²`` is the spread
of posts within a cell and ``τ²`` the spread of the true cell means, estimated by the method
of moments from the same data (zero when the cells differ no more than chance: then no time
stands out). A cell with one post moves little; a cell with many moves to its own mean.
Two guards against one viral post: log values beyond 3 robust standard deviations (1.4826 ×
the median absolute deviation) of the account's median are clipped to that bound before any
mean is taken, and a cell with fewer than ``min_cell_posts`` posts is listed, with its count,
but not ranked.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from video_orchestrator.errors import InputError

Grouping = Literal["hour", "weekday", "weekday_hour"]
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MIN_POSTS = 10
MIN_CELL_POSTS = 3
CLIP_SDS = 3.0


@dataclass(frozen=True)
class TimedPost:
    weekday: int  # 0 Monday … 6 Sunday, the account's local time
    hour: int  # 0–23
    value: float  # the metric at the fixed post age (views …), ≥ 0

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6 or not 0 <= self.hour <= 23:
            raise InputError(
                f"a post time needs weekday 0–6 and hour 0–23, not {self.weekday}, {self.hour}"
            )
        if not (math.isfinite(self.value) and self.value >= 0):
            raise InputError(f"a post's metric must be zero or more, not {self.value}")


@dataclass(frozen=True)
class TimeCell:
    weekday: int | None  # None when grouped by hour only
    hour: int | None  # None when grouped by weekday only
    posts: int  # the evidence
    observed_lift: float  # the cell's own geometric mean against the account's, 0.3 = +30 %
    lift: float  # after shrinkage: what the ranking uses
    lift_sd: float  # posterior sd of the log-lift

    @property
    def label(self) -> str:
        parts = []
        if self.weekday is not None:
            parts.append(WEEKDAYS[self.weekday])
        if self.hour is not None:
            parts.append(f"{self.hour:02d}:00")
        return " ".join(parts)


@dataclass(frozen=True)
class PostingTimes:
    grouping: Grouping
    ranking: tuple[TimeCell, ...]  # best first; cells with at least min_cell_posts posts
    unranked: tuple[TimeCell, ...]  # cells with fewer posts: shown with their count, not ranked
    posts: int
    within_sd: float  # log-scale spread of posts inside a cell
    between_sd: float  # estimated spread of the true cell means (0: no time stands out)

    @property
    def stands_out(self) -> bool:
        return self.between_sd > 0


@dataclass(frozen=True)
class NotEnoughPosts:
    reason: str
    posts: int
    more_needed: int


def best_posting_times(
    posts: Sequence[TimedPost],
    *,
    grouping: Grouping = "weekday_hour",
    min_posts: int = MIN_POSTS,
    min_cell_posts: int = MIN_CELL_POSTS,
) -> PostingTimes | NotEnoughPosts:
    """Time cells ranked by their shrunk lift over the account's typical post."""
    if len(posts) < min_posts:
        more = min_posts - len(posts)
        return NotEnoughPosts(
            f"best posting times need at least {min_posts} posts with metrics; "
            f"there are {len(posts)}, so {more} more",
            len(posts),
            more,
        )
    logs = np.log1p(np.array([post.value for post in posts], dtype=np.float64))
    centre = float(np.median(logs))
    robust_sd = 1.4826 * float(np.median(np.abs(logs - centre)))
    if robust_sd > 0:
        logs = np.clip(logs, centre - CLIP_SDS * robust_sd, centre + CLIP_SDS * robust_sd)
    cells: dict[tuple[int | None, int | None], list[float]] = defaultdict(list)
    for post, value in zip(posts, logs, strict=True):
        key = (
            None if grouping == "hour" else post.weekday,
            None if grouping == "weekday" else post.hour,
        )
        cells[key].append(float(value))
    everything = np.array([v for values in cells.values() for v in values])
    grand = float(everything.mean())
    within = _within_variance(cells.values(), float(everything.var(ddof=1)))
    between = _between_variance(cells.values(), grand, within)
    ranked = []
    for (weekday, hour), values in cells.items():
        n = len(values)
        mean = float(np.mean(values))
        weight = between / (between + within / n) if between > 0 else 0.0
        shrunk = grand + weight * (mean - grand)
        ranked.append(
            TimeCell(
                weekday=weekday,
                hour=hour,
                posts=n,
                observed_lift=math.expm1(mean - grand),
                lift=math.expm1(shrunk - grand),
                lift_sd=math.sqrt(weight * within / n) if between > 0 else 0.0,
            )
        )
    ranked.sort(key=lambda c: (-c.lift, -c.posts, c.weekday or 0, c.hour or 0))
    return PostingTimes(
        grouping=grouping,
        ranking=tuple(c for c in ranked if c.posts >= min_cell_posts),
        unranked=tuple(c for c in ranked if c.posts < min_cell_posts),
        posts=len(posts),
        within_sd=math.sqrt(within),
        between_sd=math.sqrt(between),
    )


def _within_variance(groups: Collection[list[float]], fallback: float) -> float:
    """Pooled variance of posts around their cell's mean (the total variance when no cell
    has two posts)."""
    squares = 0.0
    df = 0
    for values in groups:
        if len(values) > 1:
            squares += float(np.var(values, ddof=1)) * (len(values) - 1)
            df += len(values) - 1
    return squares / df if df > 0 and squares > 0 else max(fallback, 1e-12)


def _between_variance(groups: Collection[list[float]], grand: float, within: float) -> float:
    """Method-of-moments variance of the true cell means: the cells' weighted spread minus
    what sampling alone would give, never below zero."""
    sizes = [len(v) for v in groups]
    means = [float(np.mean(v)) for v in groups]
    k = len(sizes)
    if k < 2:
        return 0.0
    total = sum(sizes)
    spread = sum(n * (m - grand) ** 2 for n, m in zip(sizes, means, strict=True))
    denominator = total - sum(n * n for n in sizes) / total
    return max(0.0, (spread - (k - 1) * within) / denominator)
