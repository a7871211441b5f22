"""The dashboards' queries: planted totals come back exactly, day and period rows are
never counted twice, and DuckDB over the exported Parquet answers exactly as the database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.analytics_exports import (
    TikTokVideo,
    YouTubeVideo,
    encoded,
    generic_csv,
    tiktok_content,
    youtube_studio_zip,
)
from video_orchestrator.errors import InputError
from video_orchestrator.services.metric_queries import (
    DatabaseRunner,
    Filters,
    Group,
    ranked,
    series,
    totals,
)
from video_orchestrator.services.metrics import MetricsService
from video_orchestrator.services.metrics_warehouse import ParquetRunner, export_tables
from video_orchestrator.store import Database

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
START, END = date(2026, 11, 1), date(2026, 12, 31)
OCEAN = YouTubeVideo(
    "vidOCEAN001", "Why the deep ocean glows", date(2026, 11, 2), 41, [120, 340, 1_250, 980],
    watch_hours=11.5, likes=210, comments=14, shares=9, subscribers=-2, impressions=40_000,
    ctr=4.0, average_view_duration=15.0, average_percentage_viewed=36.0,
)  # fmt: skip
OCTO = YouTubeVideo(
    "vidOCTO0002", "3 facts about octopus hearts", date(2026, 11, 3), 33, [0, 55, 70, 10],
    watch_hours=0.75, likes=5, comments=1, shares=0, subscribers=3, impressions=10_000, ctr=1.0,
    average_view_duration=20.0, average_percentage_viewed=60.0,
)  # fmt: skip


def _load(db: Database) -> MetricsService:
    service = MetricsService(db, clock=lambda: NOW)
    service.import_file(youtube_studio_zip([OCEAN, OCTO], date(2026, 11, 10)), "yt.zip",
                        account="deepsea")  # fmt: skip
    service.import_file(
        encoded(tiktok_content([TikTokVideo("7301", "Hearts", date(2026, 11, 20), 9_000, 700,
                                            30, 12)])),
        "Content.csv",
        as_of=date(2026, 11, 25),
    )  # fmt: skip
    header = ["platform", "video_id", "date", "account", "views", "likes", "saves"]
    service.import_file(
        encoded(generic_csv([["instagram", "ig1", "2026-11-11", "reels", 400, 40, 4],
                             ["instagram", "ig1", "2026-11-12", "reels", 600, 60, 6]], header)),
        "ig.csv",
    )  # fmt: skip
    return service


def _by(groups: list[Group], key: str) -> dict[str | None, dict[str, object]]:
    return {g.key[key]: g.values for g in groups}


def test_planted_totals_come_back_per_platform_and_in_all(db: Database) -> None:
    _load(db)
    runner = DatabaseRunner(db)
    platforms = _by(totals(runner, START, END, "platform"), "platform")
    youtube = platforms["youtube"]
    assert youtube["views"] == 2_690 + 135  # the day rows, not the period rows as well
    assert youtube["likes"] == 215  # only in the period rows
    assert youtube["subscribers"] == 1
    assert youtube["impressions"] == 50_000
    assert youtube["watch_hours"] == pytest.approx(12.25)
    assert youtube["average_view_duration"] == pytest.approx((15 * 2_690 + 20 * 135) / 2_825)
    assert youtube["impressions_ctr"] == pytest.approx((4.0 * 40_000 + 1.0 * 10_000) / 50_000)
    assert platforms["tiktok"]["views"] == 9_000
    assert platforms["instagram"]["views"] == 1_000
    assert platforms["instagram"]["saves"] == 10
    (total,) = totals(runner, START, END)
    assert total.values["views"] == 2_825 + 9_000 + 1_000
    assert total.values["likes"] == 215 + 700 + 100


def test_a_window_takes_only_rows_inside_it(db: Database) -> None:
    _load(db)
    runner = DatabaseRunner(db)
    # Nov 11–12: two YouTube days (period rows span Nov 10–13: outside), both Instagram days
    (total,) = totals(runner, date(2026, 11, 11), date(2026, 11, 12))
    assert total.values["views"] == (340 + 1_250) + (55 + 70) + 1_000
    assert total.values["likes"] == 100
    only = totals(runner, START, END, "video", Filters(platform="youtube", account="deepsea"))
    assert {g.key["remote_id"] for g in only} == {"vidOCEAN001", "vidOCTO0002"}


def test_daily_series_and_top_and_bottom(db: Database) -> None:
    _load(db)
    runner = DatabaseRunner(db)
    points = series(runner, START, END, filters=Filters(platform="youtube"))
    assert [(p.day, p.values["views"]) for p in points] == [
        (date(2026, 11, 10), 120), (date(2026, 11, 11), 395), (date(2026, 11, 12), 1_320),
        (date(2026, 11, 13), 990),
    ]  # fmt: skip
    split = series(runner, START, END, split="platform")
    assert {(p.day, p.key["platform"]) for p in split} >= {(date(2026, 11, 11), "instagram")}
    top = ranked(runner, START, END, "views", limit=2)
    assert [g.key["remote_id"] for g in top] == ["7301", "vidOCEAN001"]
    bottom = ranked(runner, START, END, "views", limit=1, bottom=True)
    assert [g.key["remote_id"] for g in bottom] == ["vidOCTO0002"]
    with pytest.raises(InputError, match="unknown metric"):
        ranked(runner, START, END, "virality")
    with pytest.raises(InputError, match="ends"):
        totals(runner, END, START)


def test_a_later_lifetime_total_replaces_the_earlier_one(db: Database) -> None:
    service = _load(db)
    service.import_file(
        encoded(tiktok_content([TikTokVideo("7301", "Hearts", date(2026, 11, 20), 15_000, 900,
                                            31, 20)])),
        "Content (later).csv",
        as_of=date(2026, 12, 2),
    )  # fmt: skip
    runner = DatabaseRunner(db)
    assert _by(totals(runner, START, END, "platform"), "platform")["tiktok"]["views"] == 15_000
    # an older export imported afterwards changes nothing
    older = service.import_file(
        encoded(tiktok_content([TikTokVideo("7301", "Hearts", date(2026, 11, 20), 5_000, 1,
                                            1, 1)])),
        "Content (old).csv",
        as_of=date(2026, 11, 22),
    )  # fmt: skip
    assert (older.inserted, older.updated, older.unchanged) == (0, 0, 1)
    assert _by(totals(runner, START, END, "platform"), "platform")["tiktok"]["views"] == 15_000


def test_duckdb_over_the_parquet_export_answers_as_the_database(
    db: Database, tmp_path: Path
) -> None:
    _load(db)
    files = export_tables(db, tmp_path / "warehouse", "parquet")
    assert {f.table: f.rows for f in files}["metric_values"] == 8 + 2 + 1 + 2
    assert pq.read_table(tmp_path / "warehouse" / "metric_values.parquet").num_rows == 13
    database, warehouse = DatabaseRunner(db), ParquetRunner(tmp_path / "warehouse")
    try:
        for dimension in ("total", "platform", "account", "video", "project"):
            expected = totals(database, START, END, dimension)
            got = totals(warehouse, START, END, dimension)
            assert [g.key for g in got] == [g.key for g in expected]
            for a, b in zip(got, expected, strict=True):
                assert a.values == pytest.approx(b.values)
        for split in (None, "platform", "video"):
            expected_points = series(database, START, END, split)
            got_points = series(warehouse, START, END, split)
            assert [(p.day, p.key) for p in got_points] == [(p.day, p.key) for p in expected_points]
            for a, b in zip(got_points, expected_points, strict=True):
                assert a.values == pytest.approx(b.values)
        narrow = Filters(platform="youtube")
        assert totals(warehouse, date(2026, 11, 11), date(2026, 11, 12), "video", narrow) == (
            totals(database, date(2026, 11, 11), date(2026, 11, 12), "video", narrow)
        )
    finally:
        warehouse.close()


def test_the_csv_export_holds_every_row(db: Database, tmp_path: Path) -> None:
    _load(db)
    files = export_tables(db, tmp_path / "csv", "csv")
    values = (tmp_path / "csv" / "metric_values.csv").read_text(encoding="utf-8").splitlines()
    assert len(values) == 1 + 13
    assert values[0].startswith("video_id,period_start,period_end,views")
    assert {f.path.suffix for f in files} == {".csv"}
    with pytest.raises(InputError, match="is a file"):
        export_tables(db, tmp_path / "csv" / "metric_values.csv", "csv")


def test_with_the_duckdb_engine_the_figures_come_from_the_parquet_copy(
    db: Database, tmp_path: Path
) -> None:
    from video_orchestrator.config import Settings
    from video_orchestrator.services.metrics_facade import Analytics

    settings = Settings(data_dir=tmp_path / "data", analytics_engine="duckdb")
    analytics = Analytics(db, settings)
    analytics.import_bytes(youtube_studio_zip([OCEAN, OCTO], date(2026, 11, 10)), "yt.zip")
    warehouse = tmp_path / "data" / "warehouse" / "metric_values.parquet"
    assert pq.read_table(warehouse).num_rows == 10
    assert isinstance(analytics.runner(), ParquetRunner)
    (total,) = analytics.totals(START, END)
    assert total.values["views"] == OCEAN.views + OCTO.views
    # a later import refreshes the copy: the next query sees it
    analytics.import_bytes(
        encoded(
            tiktok_content([TikTokVideo("7301", "Hearts", date(2026, 11, 20), 9_000, 7, 3, 1)])
        ),
        "Content.csv",
        as_of=date(2026, 11, 25),
    )
    (total,) = analytics.totals(START, END)
    assert total.values["views"] == OCEAN.views + OCTO.views + 9_000
    assert totals(DatabaseRunner(db), START, END)[0].values == pytest.approx(total.values)
