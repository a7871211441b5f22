"""YouTube Studio's analytics export: a zip holding ``Table data.csv`` (one row per video,
totals over the export's period, a Total row first), ``Chart data.csv`` (per day and video,
the chart's metric, e.g. Views) and ``Totals.csv`` (per day, all videos).

``Table data`` becomes one period row per video (the period: the days of ``Totals.csv`` or
``Chart data.csv``); ``Chart data`` becomes day rows. Headers are YouTube's English ones.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from video_orchestrator.errors import MetricsFileError
from video_orchestrator.metrics.records import MetricRow, Number, ParsedExport, VideoRecord
from video_orchestrator.metrics.table import Row, Table, decode, parse_when

PLATFORM = "youtube"
TABLE_DATA = "Table data.csv"
CHART_DATA = "Chart data.csv"
TOTALS = "Totals.csv"
#: The largest file inside a zip read (a Studio export is kilobytes to a few megabytes).
MAX_PART_BYTES = 50_000_000

VIDEO_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "content": ("Content", "Video"),
    "title": ("Video title",),
    "published": ("Video publish time", "Publish time"),
    "duration": ("Duration",),
    "date": ("Date",),
}
METRIC_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "views": ("Views",),
    "watch_hours": ("Watch time (hours)",),
    "average_view_duration": ("Average view duration",),
    "average_percentage_viewed": ("Average percentage viewed (%)",),
    "likes": ("Likes",),
    "comments": ("Comments added", "Comments"),
    "shares": ("Shares",),
    "subscribers": ("Subscribers", "Subscribers gained"),
    "impressions": ("Impressions",),
    "impressions_ctr": ("Impressions click-through rate (%)",),
}
ALIASES = {**VIDEO_COLUMNS, **METRIC_COLUMNS}


def is_studio_zip(names: list[str]) -> bool:
    return any(n.rsplit("/", 1)[-1] == TABLE_DATA for n in names)


def _metric(row: Row, key: str) -> Number | None:
    cell = row[key]
    if key == "average_view_duration":
        return cell.duration()
    if key in ("watch_hours", "average_percentage_viewed", "impressions_ctr"):
        return cell.number()
    return cell.count(signed=key == "subscribers")


def _values(row: Row, table: Table) -> dict[str, Number | None]:
    return {key: _metric(row, key) for key in METRIC_COLUMNS if table.has(key)}


def _video(row: Row, table: Table) -> VideoRecord:
    video_id = row["content"].text.strip()
    title = row["title"].text.strip() if table.has("title") else ""
    published = parse_when(row["published"]) if table.has("published") else None
    duration = row["duration"].duration() if table.has("duration") else None
    return VideoRecord(
        platform=PLATFORM,
        remote_id=video_id,
        title=title,
        url=f"https://www.youtube.com/watch?v={video_id}",
        published_at=published,
        duration_seconds=duration,
    )


def _is_total(row: Row) -> bool:
    return row["content"].text.strip().lower() == "total"


def read_zip(data: bytes, name: str, *, account: str = "") -> ParsedExport:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise MetricsFileError(f"{name} is not a readable zip file") from exc
    with archive:
        parts: dict[str, bytes] = {}
        for info in archive.infolist():
            base = info.filename.rsplit("/", 1)[-1]
            if base in (TABLE_DATA, CHART_DATA, TOTALS):
                if info.file_size > MAX_PART_BYTES:
                    raise MetricsFileError(f"{name}: {base} is over {MAX_PART_BYTES:,} bytes")
                parts[base] = archive.read(info)
    if TABLE_DATA not in parts:
        raise MetricsFileError(
            f"{name} has no {TABLE_DATA!r}: export it from YouTube Studio's advanced mode"
        )
    texts = {base: decode(raw, f"{name}: {base}") for base, raw in parts.items()}
    return read_parts(texts, name, account=account)


def read_parts(texts: Mapping[str, str], name: str, *, account: str = "") -> ParsedExport:
    """The export from its CSV files' texts (``Table data.csv`` required)."""
    period_days: set[date] = set()
    totals_days: set[date] = set()
    if TOTALS in texts:
        totals = Table(texts[TOTALS], f"{name}: {TOTALS}", {"date": ("Date",)}, required=["date"])
        for row in totals:
            totals_days.add(row["date"].iso_date())
    videos: dict[str, VideoRecord] = {}
    day_rows: list[MetricRow] = []
    if CHART_DATA in texts:
        chart = Table(
            texts[CHART_DATA], f"{name}: {CHART_DATA}", ALIASES, required=["date", "content"]
        )
        if not any(chart.has(key) for key in METRIC_COLUMNS):
            raise MetricsFileError(f"{name}: {CHART_DATA} has no metric column (e.g. 'Views')")
        for row in chart:
            if _is_total(row):
                continue
            video = _video(row, chart)
            videos.setdefault(video.remote_id, video)
            day = row["date"].iso_date()
            period_days.add(day)
            day_rows.append(MetricRow(PLATFORM, video.remote_id, day, day, _values(row, chart)))
    days = totals_days or period_days
    table = Table(
        texts[TABLE_DATA], f"{name}: {TABLE_DATA}", ALIASES, required=["content", "views"]
    )
    rows = list(table)
    if rows and not _is_total(rows[0]):
        raise rows[0].fail(
            "the first row is not the Total row YouTube Studio writes: is this a Table data.csv?"
        )
    period_rows: list[MetricRow] = []
    seen: set[str] = set()
    for row in rows[1:]:
        if _is_total(row):
            raise row.fail("a second Total row")
        video = _video(row, table)
        if not video.remote_id:
            raise row["content"].fail("an empty video id")
        if video.remote_id in seen:
            raise row["content"].fail("the same video twice")
        seen.add(video.remote_id)
        videos[video.remote_id] = _merge(videos.get(video.remote_id), video)
        if not days:
            raise MetricsFileError(
                f"{name}: the export's days are unknown ({TOTALS} and {CHART_DATA} are missing): "
                "export the zip again, it holds all three files"
            )
        period_rows.append(
            MetricRow(PLATFORM, video.remote_id, min(days), max(days), _values(row, table))
        )
    if account:
        videos = {k: replace(v, account=account) for k, v in videos.items()}
    return ParsedExport(
        source="youtube-studio",
        videos=tuple(videos.values()),
        metrics=tuple(day_rows + period_rows),
        period=(min(days), max(days)) if days else None,
        parts=tuple(sorted(texts)),
    )


def _merge(old: VideoRecord | None, new: VideoRecord) -> VideoRecord:
    if old is None:
        return new
    return VideoRecord(
        platform=new.platform,
        remote_id=new.remote_id,
        title=new.title or old.title,
        account=new.account or old.account,
        url=new.url or old.url,
        published_at=new.published_at or old.published_at,
        duration_seconds=new.duration_seconds
        if new.duration_seconds is not None
        else old.duration_seconds,
    )
