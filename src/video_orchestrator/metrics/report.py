"""A report's content as values, and its CSV: one row per group of the report's dimension,
then a Total row holding the totals the database computed (not a sum of the rows, so the
averages are the weighted ones)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from video_orchestrator.metrics.records import COUNTS, LABELS, Number

#: How each dimension's key columns are titled.
KEY_LABELS: Mapping[str, str] = {
    "video_id": "Video (internal id)",
    "platform": "Platform",
    "account": "Account",
    "remote_id": "Video id",
    "title": "Title",
    "project_id": "Project",
}


@dataclass(frozen=True, slots=True)
class ReportRow:
    key: Mapping[str, str | None]
    values: Mapping[str, Number | None]


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything a rendered report shows."""

    name: str
    start: date
    end: date
    dimension: str
    keys: Sequence[str]
    metrics: Sequence[str]
    rows: Sequence[ReportRow]
    total: Mapping[str, Number | None]
    #: Views per day (all the report's videos), for the chart.
    daily: Sequence[tuple[date, Number | None]]
    #: The best videos by the report's first metric.
    top: Sequence[ReportRow]
    filters: Mapping[str, str]
    made_at: datetime


def cell(metric: str, value: Number | None) -> str:
    """A metric as a CSV writes it: whole counts, other numbers to 4 decimals."""
    if value is None:
        return ""
    if metric in COUNTS:
        return str(round(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def report_csv(report: ReportData) -> bytes:
    """The report as CSV (UTF-8 with a byte-order mark, so spreadsheets read it as UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    keys = list(report.keys) or [""]  # a report of totals only: one column for "Total"
    writer.writerow([KEY_LABELS.get(k, k) for k in keys] + [LABELS[m] for m in report.metrics])
    for row in report.rows:
        writer.writerow(
            [row.key.get(k) or "" for k in keys]
            + [cell(m, row.values.get(m)) for m in report.metrics]
        )
    label = ["Total"] + [""] * (len(keys) - 1)
    writer.writerow(label + [cell(m, report.total.get(m)) for m in report.metrics])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
