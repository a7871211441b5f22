"""The dashboards' queries, written once in SQL that SQLite, PostgreSQL and DuckDB all run:
over the product database (``DatabaseRunner``) or over the warehouse's Parquet files
(``ParquetRunner``, ``services/metrics_warehouse.py``) when the data grows.

How a total is counted (ADR 0029): a metric row covers a day or a period. Per video and
metric, the day rows are used when the video has any day row with that metric inside the
window; otherwise its period rows inside the window (so a YouTube export's daily Views and
its period Likes both count, and nothing twice). Counts add up; averages and rates
(average view duration, average percentage viewed, impressions CTR) are means weighted by
views (CTR: by impressions) over the same rows. Daily series use day rows only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field
from sqlalchemy import Date, bindparam, text

from video_orchestrator.errors import InputError
from video_orchestrator.metrics.records import ADDITIVE, COUNTS, METRICS, WEIGHTED, Number
from video_orchestrator.store import Database

Dimension = Literal["video", "account", "platform", "project", "total"]
DIMENSIONS: tuple[str, ...] = ("video", "account", "platform", "project", "total")
#: The columns naming a group of each dimension.
KEYS: Mapping[str, tuple[str, ...]] = {
    "video": ("video_id", "platform", "account", "remote_id", "title", "project_id"),
    "account": ("platform", "account"),
    "platform": ("platform",),
    "project": ("project_id",),
    "total": (),
}
#: The longest window a query takes (days).
MAX_DAYS = 3_700


@dataclass(frozen=True, slots=True)
class Filters:
    """Which videos a query covers; ``None`` is all."""

    platform: str | None = None
    account: str | None = None
    project_id: str | None = None


#: No filter: every video.
ALL = Filters()


class Group(BaseModel):
    """One group of a query's answer: what names it and its metrics."""

    key: dict[str, str | None]
    values: dict[str, Number | None]


class Point(BaseModel):
    """One day of a series (and its group when the series is split)."""

    day: date
    key: dict[str, str | None] = Field(default_factory=dict)
    values: dict[str, Number | None]


class Runner(Protocol):
    """Runs one query; ``p`` is its parameter mark (``:`` or ``$``)."""

    p: str

    def rows(self, sql: str, params: Mapping[str, Any]) -> list[dict[str, Any]]: ...


class DatabaseRunner:
    """The product database (SQLite or PostgreSQL) through SQLAlchemy."""

    p = ":"

    def __init__(self, db: Database) -> None:
        self.db = db

    def rows(self, sql: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        statement = text(sql)
        dates = [bindparam(k, type_=Date()) for k, v in params.items() if isinstance(v, date)]
        if dates:
            statement = statement.bindparams(*dates)
        with self.db.engine.connect() as connection:
            result = connection.execute(statement, dict(params))
            return [dict(row) for row in result.mappings()]


def check_window(start: date, end: date) -> None:
    if end < start:
        raise InputError(f"the period ends ({end}) before it starts ({start})")
    if (end - start).days > MAX_DAYS:
        raise InputError(f"the period is over {MAX_DAYS} days: ask for a shorter one")


def _where(filters: Filters, p: str) -> tuple[list[str], dict[str, Any]]:
    where: list[str] = []
    params: dict[str, Any] = {}
    for column, value in (
        ("platform", filters.platform),
        ("account", filters.account),
        ("project_id", filters.project_id),
    ):
        if value is not None:
            where.append(f"v.{column} = {p}{column}")
            params[column] = value
    return where, params


def _base(filters: Filters, p: str, *, days_only: bool) -> tuple[str, dict[str, Any]]:
    where, params = _where(filters, p)
    where += [f"m.period_start >= {p}start", f"m.period_end <= {p}end"]
    if days_only:
        where.append("m.period_start = m.period_end")
    metrics = ", ".join(f"m.{m}" for m in METRICS)
    sql = (
        "SELECT v.id AS video_id, v.platform, v.account, v.remote_id, v.title, v.project_id, "
        "m.period_start, "
        "CASE WHEN m.period_start = m.period_end THEN 1 ELSE 0 END AS is_day, "
        f"{metrics} FROM metric_values m JOIN metric_videos v ON v.id = m.video_id "
        f"WHERE {' AND '.join(where)}"
    )
    return sql, params


def _aggregates(chosen: Mapping[str, str]) -> str:
    """SUMs and weighted means; ``chosen[m]`` is the condition selecting m's rows."""
    parts: list[str] = []
    for metric in METRICS:
        use = chosen[metric]
        if metric in ADDITIVE:
            parts.append(f"SUM(CASE WHEN {use} THEN {metric} END) AS {metric}")
        else:
            weight = WEIGHTED[metric]
            parts.append(
                f"SUM(CASE WHEN {use} AND {weight} IS NOT NULL THEN {metric} * {weight} END) "
                f"* 1.0 / NULLIF(SUM(CASE WHEN {use} AND {metric} IS NOT NULL "
                f"THEN {weight} END), 0) AS {metric}"
            )
    return ", ".join(parts)


def totals_sql(dimension: str, filters: Filters, p: str) -> tuple[str, dict[str, Any]]:
    if dimension not in KEYS:
        raise InputError(f"unknown dimension {dimension!r}; choose one of {', '.join(KEYS)}")
    base, params = _base(filters, p, days_only=False)
    grades = ", ".join(
        f"MAX(CASE WHEN is_day = 1 AND {m} IS NOT NULL THEN 1 ELSE 0 END) "
        f"OVER (PARTITION BY video_id) AS g_{m}"
        for m in METRICS
    )
    keys = KEYS[dimension]
    select_keys = "".join(f"{k}, " for k in keys)
    group = f" GROUP BY {', '.join(keys)}" if keys else ""
    order = f" ORDER BY {', '.join(keys)}" if keys else ""
    aggregates = _aggregates({m: f"is_day = g_{m}" for m in METRICS})
    sql = (
        f"WITH base AS ({base}), graded AS (SELECT base.*, {grades} FROM base) "
        f"SELECT {select_keys}{aggregates} FROM graded{group}{order}"
    )
    return sql, params


def series_sql(split: str | None, filters: Filters, p: str) -> tuple[str, dict[str, Any]]:
    keys = KEYS[split] if split else ()
    if split is not None and split not in KEYS:
        raise InputError(f"unknown split {split!r}; choose one of {', '.join(KEYS)}")
    base, params = _base(filters, p, days_only=True)
    select_keys = "".join(f"{k}, " for k in keys)
    group_keys = "".join(f", {k}" for k in keys)
    aggregates = _aggregates({m: "1 = 1" for m in METRICS})
    sql = (
        f"WITH base AS ({base}) SELECT period_start AS day, {select_keys}{aggregates} "
        f"FROM base GROUP BY period_start{group_keys} ORDER BY period_start{group_keys}"
    )
    return sql, params


def _value(metric: str, raw: object) -> Number | None:
    if raw is None:
        return None
    if isinstance(raw, Decimal):
        raw = float(raw)
    if metric in COUNTS:
        return round(float(raw))  # type: ignore[arg-type]
    return float(raw)  # type: ignore[arg-type]


def _day(raw: object) -> date:
    if isinstance(raw, date):
        return raw
    return date.fromisoformat(str(raw)[:10])


def _key(row: Mapping[str, Any], keys: Sequence[str]) -> dict[str, str | None]:
    return {k: (None if row[k] is None else str(row[k])) for k in keys}


def totals(
    runner: Runner, start: date, end: date, dimension: str = "total", filters: Filters = ALL
) -> list[Group]:
    """Each group's metrics over ``start``..``end`` (see the module's counting rule)."""
    check_window(start, end)
    sql, params = totals_sql(dimension, filters, runner.p)
    params.update(start=start, end=end)
    keys = KEYS[dimension]
    return [
        Group(key=_key(row, keys), values={m: _value(m, row[m]) for m in METRICS})
        for row in runner.rows(sql, params)
    ]


def series(
    runner: Runner,
    start: date,
    end: date,
    split: str | None = None,
    filters: Filters = ALL,
) -> list[Point]:
    """Per day (and per group of ``split``), from day rows."""
    check_window(start, end)
    sql, params = series_sql(split, filters, runner.p)
    params.update(start=start, end=end)
    keys = KEYS[split] if split else ()
    return [
        Point(
            day=_day(row["day"]),
            key=_key(row, keys),
            values={m: _value(m, row[m]) for m in METRICS},
        )
        for row in runner.rows(sql, params)
    ]


def ranked(
    runner: Runner,
    start: date,
    end: date,
    metric: str,
    *,
    limit: int = 10,
    bottom: bool = False,
    filters: Filters = ALL,
) -> list[Group]:
    """The videos with the highest (``bottom``: lowest) value of ``metric``; videos without
    it are left out; ties in the video id's order."""
    if metric not in METRICS:
        raise InputError(f"unknown metric {metric!r}; choose one of {', '.join(METRICS)}")
    groups = [
        g for g in totals(runner, start, end, "video", filters) if g.values[metric] is not None
    ]
    groups.sort(key=lambda g: str(g.key["remote_id"]))
    groups.sort(key=lambda g: float(g.values[metric] or 0), reverse=not bottom)
    return groups[:limit]
