"""The values an analytics export is read into: videos, their metrics over a day or a
period, an account's days and its followers' active hours."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

#: Every metric a video row may carry, in the order reports show them; ``None`` when the
#: source does not give it.
METRICS: tuple[str, ...] = (
    "views",
    "watch_hours",
    "average_view_duration",
    "average_percentage_viewed",
    "likes",
    "comments",
    "shares",
    "saves",
    "subscribers",
    "impressions",
    "impressions_ctr",
)
#: Metrics that add up over days and videos.
ADDITIVE: tuple[str, ...] = (
    "views",
    "watch_hours",
    "likes",
    "comments",
    "shares",
    "saves",
    "subscribers",
    "impressions",
)
#: Averages and rates: aggregated as a mean weighted by the metric they are a share of.
WEIGHTED: Mapping[str, str] = {
    "average_view_duration": "views",
    "average_percentage_viewed": "views",
    "impressions_ctr": "impressions",
}
#: Metrics counted in whole numbers.
COUNTS = frozenset({"views", "likes", "comments", "shares", "saves", "subscribers", "impressions"})
#: What each metric means, for documentation, reports and the API.
LABELS: Mapping[str, str] = {
    "views": "Views",
    "watch_hours": "Watch time (hours)",
    "average_view_duration": "Average view duration (s)",
    "average_percentage_viewed": "Average percentage viewed (%)",
    "likes": "Likes",
    "comments": "Comments",
    "shares": "Shares",
    "saves": "Saves",
    "subscribers": "Subscribers / followers gained",
    "impressions": "Impressions",
    "impressions_ctr": "Impressions click-through rate (%)",
}
#: An account's own daily figures (TikTok's Overview.csv).
ACCOUNT_METRICS: tuple[str, ...] = ("views", "profile_views", "likes", "comments", "shares")

Source = Literal["youtube-studio", "tiktok-studio", "csv", "api"]
Number = int | float


@dataclass(frozen=True, slots=True)
class VideoRecord:
    """A published video as a source names it; ``remote_id`` is unique per platform."""

    platform: str
    remote_id: str
    title: str = ""
    account: str = ""
    url: str | None = None
    published_at: datetime | None = None
    duration_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class MetricRow:
    """One video's metrics over ``start``..``end`` (inclusive; equal for one day). Only the
    metrics the source gave are keys of ``values``."""

    platform: str
    remote_id: str
    start: date
    end: date
    values: Mapping[str, Number | None]

    @property
    def is_day(self) -> bool:
        return self.start == self.end


@dataclass(frozen=True, slots=True)
class AccountDay:
    """An account's own figures for one day (not split by video)."""

    platform: str
    account: str
    day: date
    values: Mapping[str, Number | None]


@dataclass(frozen=True, slots=True)
class FollowerHour:
    """How many of an account's followers were active in one hour of one day."""

    platform: str
    account: str
    day: date
    hour: int
    active_followers: int


@dataclass(frozen=True, slots=True)
class VideoLink:
    """A link the file itself states (the generic CSV's project/job/variant columns)."""

    platform: str
    remote_id: str
    project_id: str | None = None
    job_id: str | None = None
    variant_id: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedExport:
    """Everything read from one file (a zip counts as one)."""

    source: Source
    videos: tuple[VideoRecord, ...] = ()
    metrics: tuple[MetricRow, ...] = ()
    account_days: tuple[AccountDay, ...] = ()
    follower_hours: tuple[FollowerHour, ...] = ()
    links: tuple[VideoLink, ...] = ()
    #: The days the export covers, when it says.
    period: tuple[date, date] | None = None
    #: The files of a zip that were read, or the one file's kind.
    parts: tuple[str, ...] = field(default_factory=tuple)

    @property
    def rows(self) -> int:
        return len(self.metrics) + len(self.account_days) + len(self.follower_hours)
