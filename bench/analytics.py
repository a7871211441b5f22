"""Analytics at scale: import a generic CSV of N videos × D days, then time the dashboards'
queries (totals by video, by platform, a daily series, top 10) on the database and on DuckDB
over the Parquet export, which answer the same (checked here too).

    .venv/bin/python bench/analytics.py --videos 1000 --days 90 [--postgres URL]

Prints one Markdown table; compare the engines within one run (the machine is shared).
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from video_orchestrator.services.metric_queries import (
    DatabaseRunner,
    Runner,
    ranked,
    series,
    totals,
)
from video_orchestrator.services.metrics import MetricsService
from video_orchestrator.services.metrics_warehouse import ParquetRunner, export_tables
from video_orchestrator.store import Database

START = date(2026, 1, 1)


def make_csv(videos: int, days: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["platform", "video_id", "date", "title", "account", "views", "likes",
                     "average_view_duration", "watch_hours"])  # fmt: skip
    platforms = ("youtube", "tiktok", "instagram")
    for v in range(videos):
        platform = platforms[v % 3]
        for d in range(days):
            views = int(rng.paretovariate(1.3) * 50)
            writer.writerow([platform, f"v{v:06d}", (START + timedelta(days=d)).isoformat(),
                             f"video {v}", f"acct{v % 7}", views, views // 12,
                             round(rng.uniform(5, 40), 2), round(views * 0.004, 4)])  # fmt: skip
    return out.getvalue().encode()


def timed(action: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        began = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - began)
    return best, result


def queries(runner: Runner, end: date) -> dict[str, Callable[[], Any]]:
    return {
        "totals by video": lambda: totals(runner, START, end, "video"),
        "totals by platform": lambda: totals(runner, START, end, "platform"),
        "daily series": lambda: series(runner, START, end),
        "top 10 by views": lambda: ranked(runner, START, end, "views", limit=10),
    }


@contextmanager
def own_database(server: str | None) -> Iterator[str | None]:
    """A fresh PostgreSQL database on ``server`` for the run (None: SQLite)."""
    if server is None:
        yield None
        return
    import psycopg

    name = f"vo_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=1000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument(
        "--postgres",
        default=None,
        help="a PostgreSQL server's URL (e.g. postgresql://postgres@127.0.0.1:5432/test): a "
        "database of its own is made there and dropped afterwards; default SQLite",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work, own_database(args.postgres) as url:
        folder = Path(work)
        db = Database(url or f"sqlite:///{folder / 'vo.db'}")
        db.migrate()
        data = make_csv(args.videos, args.days)
        began = time.perf_counter()
        result = MetricsService(db).import_file(data, "bench.csv")
        import_seconds = time.perf_counter() - began
        began = time.perf_counter()
        export_tables(db, folder / "warehouse", "parquet")
        export_seconds = time.perf_counter() - began
        end = START + timedelta(days=args.days - 1)
        database, warehouse = DatabaseRunner(db), ParquetRunner(folder / "warehouse")
        rows = [f"{result.rows:,} rows ({args.videos} videos × {args.days} days); import "
                f"{import_seconds:.1f} s, Parquet export {export_seconds:.1f} s", "",
                "| query | database | DuckDB over Parquet |", "| --- | --- | --- |"]  # fmt: skip
        for name, action in queries(database, end).items():
            seconds_db, answer_db = timed(action)
            seconds_duck, answer_duck = timed(queries(warehouse, end)[name])
            assert len(answer_db) == len(answer_duck), name
            rows.append(f"| {name} | {seconds_db * 1000:.0f} ms | {seconds_duck * 1000:.0f} ms |")
        print("\n".join(rows))
        warehouse.close()
        db.dispose()


if __name__ == "__main__":
    main()
