"""Analytics exports made by the tests, in the formats the platforms write (nothing copied
from a real export): YouTube Studio's zip, TikTok Studio's CSVs (English and German) and
the generic CSV. Every figure is planted, so a test knows the answer."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

MONTHS_EN = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip
MONTHS_DE = [
    "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
    "Oktober", "November", "Dezember",
]  # fmt: skip


def csv_text(rows: Sequence[Sequence[object]], *, crlf: bool = True) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n" if crlf else "\n")
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue()


def encoded(text: str, *, bom: bool = False) -> bytes:
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def days(first: date, count: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(count)]


def hms(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


@dataclass
class YouTubeVideo:
    video_id: str
    title: str
    published: date
    duration: int
    daily_views: list[int]
    watch_hours: float = 0.0
    average_view_duration: float = 30.0
    average_percentage_viewed: float = 60.0
    likes: int = 0
    comments: int = 0
    shares: int = 0
    subscribers: int = 0
    impressions: int = 0
    ctr: float = 0.0
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def views(self) -> int:
        return sum(self.daily_views)


TABLE_HEADER = [
    "Content", "Video title", "Video publish time", "Duration", "Views", "Engaged views",
    "Watch time (hours)", "Subscribers", "Average view duration",
    "Average percentage viewed (%)", "Impressions", "Impressions click-through rate (%)",
    "Likes", "Comments added", "Shares",
]  # fmt: skip


def youtube_table_rows(videos: Sequence[YouTubeVideo]) -> list[list[object]]:
    total_views = sum(v.views for v in videos)
    total_hours = sum(v.watch_hours for v in videos)
    rows: list[list[object]] = [TABLE_HEADER]
    rows.append(
        [
            "Total", "", "", "", total_views, total_views, f"{total_hours:.4f}",
            sum(v.subscribers for v in videos),
            hms(total_hours * 3600 / total_views if total_views else 0), "55.0",
            sum(v.impressions for v in videos), "5.1", sum(v.likes for v in videos),
            sum(v.comments for v in videos), sum(v.shares for v in videos),
        ]
    )  # fmt: skip
    for v in videos:
        rows.append(
            [
                v.video_id, v.title, v.published.strftime("%b %d, %Y").replace(" 0", " "),
                v.duration, v.views, v.views, f"{v.watch_hours:.4f}", v.subscribers,
                hms(v.average_view_duration), f"{v.average_percentage_viewed:.2f}",
                v.impressions, f"{v.ctr:.2f}", v.likes, v.comments, v.shares,
            ]
        )  # fmt: skip
    return rows


def youtube_studio_zip(
    videos: Sequence[YouTubeVideo],
    first_day: date,
    *,
    bom: bool = True,
    table_rows: list[list[object]] | None = None,
    folder: str = "",
    with_totals: bool = True,
) -> bytes:
    """A Studio export zip: Table data (Total row first), Chart data (Views per day and
    video) and Totals (Views per day)."""
    count = len(videos[0].daily_views) if videos else 0
    span = days(first_day, count)
    chart: list[list[object]] = [
        ["Date", "Content", "Video title", "Video publish time", "Duration", "Views"]
    ]
    for v in videos:
        for day, views in zip(span, v.daily_views, strict=True):
            chart.append(
                [day.isoformat(), v.video_id, v.title, v.published.strftime("%b %d, %Y"),
                 v.duration, views]
            )  # fmt: skip
    totals: list[list[object]] = [["Date", "Views"]]
    for i, day in enumerate(span):
        totals.append([day.isoformat(), sum(v.daily_views[i] for v in videos)])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        parts = {
            "Table data.csv": table_rows if table_rows is not None else youtube_table_rows(videos),
            "Chart data.csv": chart,
        }
        if with_totals:
            parts["Totals.csv"] = totals
        for name, rows in parts.items():
            archive.writestr(folder + name, encoded(csv_text(rows), bom=bom))
    return buffer.getvalue()


def tiktok_day(day: date, language: str) -> str:
    if language == "de":
        return f"{day.day}. {MONTHS_DE[day.month - 1]}"
    return f"{MONTHS_EN[day.month - 1]} {day.day}"


def tiktok_number(value: int, language: str) -> str:
    text = f"{value:,}"
    return text.replace(",", ".") if language == "de" else text


OVERVIEW_HEADERS = {
    "en": ["Date", "Video Views", "Profile Views", "Likes", "Comments", "Shares"],
    "de": ["Datum", "Videoaufrufe", "Profilaufrufe", "Likes", "Kommentare", "Geteilte Inhalte"],
}
CONTENT_HEADERS = {
    "en": ["Video title", "Video link", "Post time", "Total views", "Total likes",
           "Total comments", "Total shares"],
    "de": ["Videotitel", "Videolink", "Veröffentlichungszeit", "Aufrufe gesamt", "Likes gesamt",
           "Kommentare gesamt", "Geteilte Inhalte gesamt"],
}  # fmt: skip
FOLLOWER_HEADERS = {
    "en": ["Date", "Hour", "Active followers"],
    "de": ["Datum", "Stunde", "Aktive Follower"],
}


def tiktok_overview(
    rows: Sequence[tuple[date, int, int, int, int, int]], language: str = "en"
) -> str:
    """(day, views, profile views, likes, comments, shares) per row."""
    out: list[list[object]] = [OVERVIEW_HEADERS[language]]
    for day, *figures in rows:
        out.append([tiktok_day(day, language), *(tiktok_number(f, language) for f in figures)])
    return csv_text(out)


@dataclass
class TikTokVideo:
    video_id: str
    title: str
    posted: date
    views: int
    likes: int
    comments: int
    shares: int
    handle: str = "makerlab"


def tiktok_content(videos: Sequence[TikTokVideo], language: str = "en") -> str:
    out: list[list[object]] = [CONTENT_HEADERS[language]]
    for v in videos:
        out.append(
            [
                v.title, f"https://www.tiktok.com/@{v.handle}/video/{v.video_id}",
                tiktok_day(v.posted, language),
                *(tiktok_number(n, language) for n in (v.views, v.likes, v.comments, v.shares)),
            ]
        )  # fmt: skip
    return csv_text(out)


def tiktok_followers(rows: Sequence[tuple[date, int, int]], language: str = "en") -> str:
    out: list[list[object]] = [FOLLOWER_HEADERS[language]]
    for day, hour, active in rows:
        out.append([tiktok_day(day, language), hour, tiktok_number(active, language)])
    return csv_text(out)


def tiktok_zip(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, encoded(text, bom=True))
    return buffer.getvalue()


GENERIC_HEADER = [
    "platform", "video_id", "date", "title", "account", "views", "watch_hours",
    "average_view_duration", "likes", "comments", "shares", "saves", "impressions",
    "impressions_ctr",
]  # fmt: skip


def generic_csv(rows: Sequence[Sequence[object]], header: Sequence[str] = GENERIC_HEADER) -> str:
    return csv_text([list(header), *[list(r) for r in rows]])
