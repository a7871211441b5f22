"""Storing imports: idempotent, updated by newer exports, nothing written on error, every
video linked to its project when the rule finds one, the rest kept and listed."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from tests.analytics_exports import (
    TikTokVideo,
    YouTubeVideo,
    days,
    encoded,
    generic_csv,
    tiktok_content,
    tiktok_overview,
    youtube_studio_zip,
    youtube_table_rows,
)
from video_orchestrator.errors import MetricsFileError, NotFoundError
from video_orchestrator.services.metrics import LinkTarget, MetricsService
from video_orchestrator.store import Database
from video_orchestrator.store.tables import (
    Job,
    MetricAccountDay,
    MetricImport,
    MetricValue,
    MetricVideo,
    Project,
)

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _service(db: Database, **kwargs: object) -> MetricsService:
    return MetricsService(db, clock=lambda: NOW, **kwargs)  # type: ignore[arg-type]


def _videos(day3_views: int = 1_250) -> list[YouTubeVideo]:
    return [
        YouTubeVideo("vidOCEAN001", "Why the deep ocean glows", date(2026, 11, 2), 41,
                     [120, 340, day3_views, 980], watch_hours=11.5, likes=210, impressions=40_000,
                     ctr=4.35, average_view_duration=15.0),
        YouTubeVideo("vidOCTO0002", "3 facts about octopus hearts", date(2026, 11, 3), 33,
                     [0, 55, 70, 10], watch_hours=0.75, likes=5, impressions=1_000, ctr=2.0),
    ]  # fmt: skip


def _count(db: Database, table: type) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def _project(db: Database, title: str, *, jobs: list[tuple[str, str]] = ()) -> str:  # type: ignore[assignment]
    project_id = uuid.uuid4().hex
    with db.session() as session:
        session.add(
            Project(id=project_id, name=f"project {title}", script={"title": title, "scenes": []})
        )
        session.flush()
        for i, (status, platform) in enumerate(jobs):
            session.add(
                Job(
                    id=f"{project_id[:24]}job{i:05d}",
                    project_id=project_id,
                    kind="make",
                    workload={"kind": "make", "project_id": project_id, "platform": platform},
                    status=status,
                    finished_at=datetime(2026, 11, 1 + i, tzinfo=UTC),
                )
            )
    return project_id


def test_the_same_file_twice_changes_nothing(db: Database) -> None:
    service = _service(db)
    data = youtube_studio_zip(_videos(), date(2026, 11, 10))
    first = service.import_file(data, "yt.zip")
    assert not first.already_imported
    assert (first.videos, first.rows, first.inserted) == (2, 10, 10)  # 8 days + 2 periods
    assert (first.period_start, first.period_end) == (date(2026, 11, 10), date(2026, 11, 13))
    again = service.import_file(data, "renamed.zip")
    assert again.already_imported and again.id == first.id
    assert _count(db, MetricImport) == 1
    assert _count(db, MetricValue) == 10
    assert _count(db, MetricVideo) == 2


def test_a_newer_export_of_the_same_days_updates_values(db: Database) -> None:
    service = _service(db)
    service.import_file(youtube_studio_zip(_videos(), date(2026, 11, 10)), "old.zip")
    newer = service.import_file(youtube_studio_zip(_videos(1_300), date(2026, 11, 10)), "new.zip")
    assert (newer.inserted, newer.updated, newer.unchanged) == (0, 2, 8)  # the day + the period
    with db.session() as session:
        views = session.scalar(
            select(MetricValue.views)
            .join(MetricVideo)
            .where(
                MetricVideo.remote_id == "vidOCEAN001",
                MetricValue.period_start == date(2026, 11, 12),
                MetricValue.period_end == date(2026, 11, 12),
            )
        )
    assert views == 1_300
    assert _count(db, MetricValue) == 10


def test_a_bad_file_writes_nothing(db: Database) -> None:
    service = _service(db)
    rows = youtube_table_rows(_videos())
    rows[3][12] = "12x"
    with pytest.raises(MetricsFileError, match=r"row 4, column 'Likes'"):
        service.import_file(
            youtube_studio_zip(_videos(), date(2026, 11, 10), table_rows=rows), "b.zip"
        )
    assert _count(db, MetricImport) == 0
    assert _count(db, MetricVideo) == 0
    assert _count(db, MetricValue) == 0


def test_videos_link_by_title_to_the_newest_render_for_their_platform(db: Database) -> None:
    ocean = _project(
        db,
        "Why the deep ocean glows",
        jobs=[
            ("succeeded", "youtube-shorts"),
            ("succeeded", "tiktok"),
            ("failed", "youtube-shorts"),
        ],
    )
    _project(db, "How volcanoes make islands")
    service = _service(db)
    out = service.import_file(youtube_studio_zip(_videos(), date(2026, 11, 10)), "yt.zip")
    assert out.unlinked == ["youtube:vidOCTO0002 '3 facts about octopus hearts'"]
    assert out.unlinked_count == 1
    page = service.videos(linked=True)
    (linked,) = page.items
    assert (linked.remote_id, linked.project_id, linked.link_rule) == (
        "vidOCEAN001",
        ocean,
        "title",
    )
    assert linked.job_id == f"{ocean[:24]}job00000"  # the youtube-shorts render that succeeded
    assert service.videos(linked=False).total == 1


def test_a_link_by_hand_wins_and_survives_a_reimport(db: Database) -> None:
    _project(db, "Why the deep ocean glows")
    chosen = _project(db, "Ocean v2", jobs=[("succeeded", "youtube-shorts")])
    service = _service(db)
    service.import_file(youtube_studio_zip(_videos(), date(2026, 11, 10)), "yt.zip")
    linked = service.link("youtube", "vidOCEAN001", project_id=chosen, variant_id="B")
    assert (linked.project_id, linked.link_rule, linked.variant_id) == (chosen, "mapping", "B")
    service.import_file(youtube_studio_zip(_videos(1_400), date(2026, 11, 10)), "yt2.zip")
    (video,) = [v for v in service.videos().items if v.remote_id == "vidOCEAN001"]
    assert (video.project_id, video.link_rule) == (chosen, "mapping")
    with pytest.raises(NotFoundError):
        service.link("youtube", "nope", project_id=chosen)
    with pytest.raises(NotFoundError):
        service.link("youtube", "vidOCEAN001", project_id="missing")


def test_a_publishing_post_links_before_the_title(db: Database) -> None:
    by_title = _project(db, "Why the deep ocean glows")
    posted = _project(db, "Something else", jobs=[("succeeded", "youtube-shorts")])

    def posts(platform: str, remote_id: str) -> LinkTarget | None:
        if (platform, remote_id) == ("youtube", "vidOCEAN001"):
            return LinkTarget(posted, f"{posted[:24]}job00000", "A")
        return None

    service = _service(db, posts=posts)
    service.import_file(youtube_studio_zip(_videos(), date(2026, 11, 10)), "yt.zip")
    (video,) = [v for v in service.videos().items if v.remote_id == "vidOCEAN001"]
    assert (video.project_id, video.link_rule, video.variant_id) == (posted, "post", "A")
    assert video.project_id != by_title


def test_the_generic_csv_states_its_own_links(db: Database) -> None:
    project = _project(db, "Unrelated title")
    header = ["platform", "video_id", "date", "title", "project_id", "variant_id", "views"]
    text = generic_csv(
        [["tiktok", "7301", "2026-11-01", "a", project, "B", 10],
         ["tiktok", "7302", "2026-11-01", "b", "", "", 20]],
        header,
    )  # fmt: skip
    service = _service(db)
    out = service.import_file(encoded(text), "m.csv")
    assert out.unlinked == ["tiktok:7302 'b'"]
    (video,) = service.videos(linked=True).items
    assert (video.remote_id, video.project_id, video.variant_id, video.link_rule) == (
        "7301",
        project,
        "B",
        "mapping",
    )


def test_tiktok_files_imported_one_by_one(db: Database) -> None:
    service = _service(db)
    span = days(date(2026, 11, 28), 7)
    overview = service.import_file(
        encoded(tiktok_overview([(d, 1_000, 10, 100, 5, 2) for d in span])),
        "Overview.csv",
        account="makerlab",
    )
    assert overview.rows == 7 and overview.source == "tiktok-studio"
    content = service.import_file(
        encoded(
            tiktok_content([TikTokVideo("7301", "Hearts", date(2026, 11, 30), 9_000, 1, 2, 3)])
        ),
        "Content.csv",
    )
    assert content.rows == 1
    assert _count(db, MetricAccountDay) == 7
    (video,) = service.videos(platform="tiktok").items
    assert video.account == "makerlab"
    assert video.published_at == datetime(2026, 11, 30, tzinfo=UTC)


def test_the_same_file_imported_twice_at_once_is_stored_once(db: Database) -> None:
    import threading

    data = youtube_studio_zip(_videos(), date(2026, 11, 10))
    results: list[object] = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        try:
            results.append(_service(db).import_file(data, "yt.zip"))
        except Exception as exc:
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(not isinstance(r, Exception) for r in results), results
    assert sorted(r.already_imported for r in results) == [False, True]  # type: ignore[attr-defined]
    assert _count(db, MetricImport) == 1
    assert _count(db, MetricValue) == 10
    assert _count(db, MetricVideo) == 2
