"""The generic CSV (documented in docs/analytics-import.md): one row per video and day (or
period), for any platform and any tool that is not a known export.

Required columns: ``platform``, ``video_id``, ``date`` (YYYY-MM-DD). Optional: ``date_to``
(the last day of a period row), ``title``, ``account``, ``url``, ``published_at``,
``duration_seconds``, ``project_id``, ``job_id``, ``variant_id`` and the metrics of
``records.METRICS`` by their names. Numbers are written plainly (``1234.5``; a thousands
comma is accepted).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from video_orchestrator.errors import MetricsFileError
from video_orchestrator.metrics.records import (
    COUNTS,
    METRICS,
    MetricRow,
    Number,
    ParsedExport,
    VideoLink,
    VideoRecord,
)
from video_orchestrator.metrics.table import Table, parse_when

PLATFORMS = ("youtube", "tiktok", "instagram", "facebook", "other")
_ID = re.compile(r"^[A-Za-z0-9_.:@-]{1,200}$")

FIELDS: Mapping[str, tuple[str, ...]] = {
    "platform": ("platform",),
    "video_id": ("video_id", "video id"),
    "date": ("date", "day"),
    "date_to": ("date_to", "date to", "end_date"),
    "title": ("title",),
    "account": ("account",),
    "url": ("url",),
    "published_at": ("published_at",),
    "duration_seconds": ("duration_seconds",),
    "project_id": ("project_id",),
    "job_id": ("job_id",),
    "variant_id": ("variant_id",),
    **{metric: (metric,) for metric in METRICS},
}


def is_generic(header_line: str) -> bool:
    heads = {h.strip().strip('"').lower() for h in header_line.lstrip("\ufeff").split(",")}
    return {"platform", "video_id", "date"} <= heads


def read(text: str, name: str) -> ParsedExport:
    table = Table(text, name, FIELDS, required=["platform", "video_id", "date"])
    if not any(table.has(metric) for metric in METRICS):
        raise MetricsFileError(
            f"{name} has no metric column: add at least one of {', '.join(METRICS)}", row=1
        )
    videos: dict[tuple[str, str], VideoRecord] = {}
    links: dict[tuple[str, str], VideoLink] = {}
    metrics: dict[tuple[str, str, str, str], MetricRow] = {}
    for row in table:
        platform = row["platform"].text.strip().lower()
        if platform not in PLATFORMS:
            raise row["platform"].fail(f"not one of {', '.join(PLATFORMS)}")
        video_cell = row["video_id"]
        video_id = video_cell.text.strip()
        if not _ID.match(video_id):
            raise video_cell.fail("not a video id (letters, digits, _ . : @ -)")
        start = row["date"].iso_date()
        end_cell = row.get("date_to")
        end = start if end_cell is None or end_cell.empty else end_cell.iso_date()
        if end < start:
            raise row["date_to"].fail("before the row's date")
        key = (platform, video_id)
        named = {f: row[f].text.strip() for f in ("title", "account", "url") if table.has(f)}
        published = row.get("published_at")
        duration = row.get("duration_seconds")
        video = VideoRecord(
            platform=platform,
            remote_id=video_id,
            title=named.get("title", ""),
            account=named.get("account", ""),
            url=named.get("url") or None,
            published_at=parse_when(published) if published is not None else None,
            duration_seconds=float(d)
            if duration is not None and (d := duration.number()) is not None
            else None,
        )
        videos[key] = video if key not in videos else _fill(videos[key], video)
        ids = {f: row[f].text.strip() or None for f in ("project_id", "job_id", "variant_id")
               if table.has(f)}  # fmt: skip
        if any(ids.values()):
            links[key] = VideoLink(platform, video_id, **ids)
        values: dict[str, Number | None] = {}
        for metric in METRICS:
            cell = row.get(metric)
            if cell is None:
                continue
            if metric in COUNTS:
                values[metric] = cell.count(signed=metric == "subscribers")
            else:
                values[metric] = cell.number()
        where = (platform, video_id, start.isoformat(), end.isoformat())
        if where in metrics:
            raise row.fail(
                f"a second row for {video_id} on {start}{'' if end == start else f'..{end}'}"
            )
        metrics[where] = MetricRow(platform, video_id, start, end, values)
    days = [m.start for m in metrics.values()] + [m.end for m in metrics.values()]
    return ParsedExport(
        source="csv",
        videos=tuple(videos.values()),
        metrics=tuple(metrics.values()),
        links=tuple(links.values()),
        period=(min(days), max(days)) if days else None,
        parts=(name,),
    )


def _fill(old: VideoRecord, new: VideoRecord) -> VideoRecord:
    return VideoRecord(
        platform=old.platform,
        remote_id=old.remote_id,
        title=old.title or new.title,
        account=old.account or new.account,
        url=old.url or new.url,
        published_at=old.published_at or new.published_at,
        duration_seconds=old.duration_seconds
        if old.duration_seconds is not None
        else new.duration_seconds,
    )
