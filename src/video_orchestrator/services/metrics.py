"""Metrics in and out of the database: importing analytics exports (idempotently), linking
each video to the project, render and variant that made it, and listing what is known.

The rules (ADR 0029):

- **Idempotent imports.** A file's SHA-256 (a zip's: of its members' names and contents) is
  kept in the import log; the same export imported again changes nothing and says so. A
  different file (a newer export) updates the values it gives for the same video and days
  and keeps those it does not give.
- **Nothing written on error.** A file is parsed completely (``metrics/``) before the one
  transaction that stores it; a bad row names its row and column and stores nothing.
- **Linking**, for each video not linked by hand: (1) the publishing posts that record its
  remote id (``posts``), (2) a link the file itself states (the generic CSV's
  ``project_id``/``job_id``/``variant_id``, or ``link`` by hand: rule "mapping", never
  replaced by an automatic rule), (3) its title matching one project's title
  (``metrics/titles.py``); the render is then that project's newest finished render for
  the platform. Unmatched videos are kept and listed (``linked=False``).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import and_, func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from video_orchestrator.errors import InputError, NotFoundError
from video_orchestrator.metrics.detect import fingerprint, read_export
from video_orchestrator.metrics.records import (
    ACCOUNT_METRICS,
    METRICS,
    ParsedExport,
    VideoLink,
    VideoRecord,
)
from video_orchestrator.metrics.titles import match_title
from video_orchestrator.store import Database
from video_orchestrator.store.tables import (
    Job,
    MetricAccountDay,
    MetricFollowerHour,
    MetricImport,
    MetricValue,
    MetricVideo,
    Project,
    utcnow,
)

LinkRule = Literal["post", "mapping", "title"]
#: Unlinked videos named in an import's answer (all are listed by ``videos(linked=False)``).
MAX_LISTED = 100
#: Which render platform preset a published video's platform comes from.
RENDER_PLATFORM = {
    "youtube": "youtube-shorts",
    "tiktok": "tiktok",
    "instagram": "instagram-reels",
    "facebook": "facebook-reels",
}


@dataclass(frozen=True, slots=True)
class LinkTarget:
    """What produced a published video, as far as known."""

    project_id: str | None
    job_id: str | None = None
    variant_id: str | None = None


#: Finds the post that published a video: ``(platform, remote id) → target``. The
#: publishing service supplies it; without one, rule 1 finds nothing.
PostLookup = Callable[[str, str], LinkTarget | None]


def no_posts(_platform: str, _remote_id: str) -> LinkTarget | None:
    return None


class ImportOut(BaseModel):
    """One imported file and what it changed."""

    id: str
    filename: str
    source: str
    account: str
    videos: int = Field(description="videos the file names")
    rows: int = Field(description="metric rows the file holds")
    period_start: date | None
    period_end: date | None
    imported_at: datetime
    already_imported: bool = Field(
        False, description="the same file was imported before: nothing changed"
    )
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    unlinked: list[str] = Field(
        default_factory=list, description="videos of the file linked to no project (the first 100)"
    )
    unlinked_count: int = Field(0, description="how many videos of the file are unlinked")


class VideoOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    platform: str
    remote_id: str
    account: str
    title: str
    url: str | None
    published_at: datetime | None
    duration_seconds: float | None
    project_id: str | None
    job_id: str | None
    variant_id: str | None
    link_rule: str | None
    source: str


class VideoPage(BaseModel):
    items: list[VideoOut]
    total: int


class _NewValue:
    """A metric row to insert, with the attributes of ``MetricValue`` the upsert touches."""

    def __init__(
        self,
        video_id: str,
        period_start: date,
        period_end: date,
        import_id: str,
        updated_at: datetime,
        values: dict[str, Any],
    ) -> None:
        self.video_id = video_id
        self.period_start = period_start
        self.period_end = period_end
        self.import_id = import_id
        self.updated_at = updated_at
        self.values = values

    def __setattr__(self, name: str, value: Any) -> None:
        if name in METRICS:
            self.values[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        if name in METRICS:
            return self.__dict__["values"].get(name)
        raise AttributeError(name)

    def row(self) -> dict[str, Any]:
        return {
            "video_id": self.video_id,
            "period_start": self.period_start,
            "period_end": self.period_end,
            "import_id": self.import_id,
            "updated_at": self.updated_at,
            **{m: self.values.get(m) for m in METRICS},
        }


@dataclass
class _Counts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


class MetricsService:
    def __init__(
        self,
        db: Database,
        *,
        posts: PostLookup = no_posts,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.posts = posts
        self.clock = clock

    # -- imports ---------------------------------------------------------------------------

    def import_file(
        self,
        data: bytes,
        filename: str,
        *,
        account: str = "",
        as_of: date | None = None,
    ) -> ImportOut:
        """Read and store one export (see the module's rules). ``as_of`` is the day the
        export was made (default: today); it dates TikTok's year-less days."""
        account = account.strip()
        if len(account) > 200:
            raise InputError("the account name is over 200 characters")
        name = (filename.strip() or "the file")[:255]
        digest = fingerprint(data)
        known = self._import_by_fingerprint(digest)
        if known is not None:
            return known.model_copy(update={"already_imported": True})
        today = as_of or self.clock().astimezone(UTC).date()
        parsed = read_export(data, name, as_of=today, account=account)
        for attempt in (1, 2):
            try:
                return self._store(parsed, name, digest, account)
            except IntegrityError:
                # another import of the same file (or of the same new videos) won the race
                known = self._import_by_fingerprint(digest)
                if known is not None:
                    return known.model_copy(update={"already_imported": True})
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def store_pulled(self, parsed: ParsedExport, label: str) -> ImportOut:
        """Store what a ``MetricsSource`` pulled, like an import: the same figures pulled
        again change nothing (the fingerprint is that of the values, not of the pull)."""
        digest = hashlib.sha256(repr((label, parsed.videos, parsed.metrics)).encode()).hexdigest()
        known = self._import_by_fingerprint(digest)
        if known is not None:
            return known.model_copy(update={"already_imported": True})
        account = next((v.account for v in parsed.videos if v.account), "")
        return self._store(parsed, label[:255], digest, account)

    def _import_by_fingerprint(self, digest: str) -> ImportOut | None:
        with self.db.session() as session:
            row = session.scalar(select(MetricImport).where(MetricImport.fingerprint == digest))
            return None if row is None else _import_out(row)

    def _store(self, parsed: ParsedExport, name: str, digest: str, account: str) -> ImportOut:
        now = self.clock()
        with self.db.session() as session:
            log = MetricImport(
                id=uuid.uuid4().hex,
                fingerprint=digest,
                filename=name,
                source=parsed.source,
                account=account,
                videos=len(parsed.videos),
                rows=parsed.rows,
                period_start=parsed.period[0] if parsed.period else None,
                period_end=parsed.period[1] if parsed.period else None,
                imported_at=now,
            )
            session.add(log)
            session.flush()
            ids = self._upsert_videos(session, parsed, now)
            counts = _Counts()
            self._upsert_values(session, parsed, ids, log.id, now, counts)
            self._upsert_account_rows(session, parsed, log.id, counts)
            videos = [session.get_one(MetricVideo, i) for i in ids.values()]
            self._link(session, videos, parsed.links, now)
            unlinked = [
                f"{v.platform}:{v.remote_id} {v.title!r}" for v in videos if not v.project_id
            ]
            out = _import_out(log)
        return out.model_copy(
            update={
                "inserted": counts.inserted,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
                "unlinked": unlinked[:MAX_LISTED],
                "unlinked_count": len(unlinked),
            }
        )

    def _upsert_videos(
        self, session: Session, parsed: ParsedExport, now: datetime
    ) -> dict[tuple[str, str], str]:
        ids: dict[tuple[str, str], str] = {}
        for record in parsed.videos:
            key = (record.platform, record.remote_id)
            video = session.scalar(
                select(MetricVideo).where(
                    MetricVideo.platform == record.platform,
                    MetricVideo.remote_id == record.remote_id,
                )
            )
            if video is None:
                video = MetricVideo(
                    id=uuid.uuid4().hex,
                    platform=record.platform,
                    remote_id=record.remote_id,
                    account=record.account,
                    title=record.title,
                    url=record.url,
                    published_at=record.published_at,
                    duration_seconds=record.duration_seconds,
                    source=parsed.source,
                    created_at=now,
                    updated_at=now,
                )
                session.add(video)
            else:
                _refresh(video, record, now)
            ids[key] = video.id
        session.flush()
        return ids

    def _upsert_values(
        self,
        session: Session,
        parsed: ParsedExport,
        ids: dict[tuple[str, str], str],
        import_id: str,
        now: datetime,
        counts: _Counts,
    ) -> None:
        """Rows the database has are updated in place; new rows are inserted together at
        the end (one executemany, not one ORM object each)."""
        existing: dict[tuple[str, date, date], MetricValue | _NewValue] = {}
        periods: dict[tuple[str, date], list[MetricValue | _NewValue]] = {}
        video_ids = sorted(set(ids.values()))
        for chunk in _chunks(video_ids, 500):
            for value in session.scalars(
                select(MetricValue).where(MetricValue.video_id.in_(chunk))
            ):
                existing[(value.video_id, value.period_start, value.period_end)] = value
                if value.period_start != value.period_end:
                    periods.setdefault((value.video_id, value.period_start), []).append(value)
        new: list[_NewValue] = []
        for row in parsed.metrics:
            video_id = ids[(row.platform, row.remote_id)]
            current = existing.get((video_id, row.start, row.end))
            given = {k: v for k, v in row.values.items() if v is not None}
            same_start = periods.get((video_id, row.start), [])
            if current is None and not row.is_day and same_start:
                # the same period measured on another day (a lifetime total: from the post
                # day to the export's day): the later measurement is the one kept
                kept = max(same_start, key=lambda v: v.period_end)
                if kept.period_end > row.end:
                    counts.unchanged += 1
                    continue
                del existing[(video_id, kept.period_start, kept.period_end)]
                kept.period_end = row.end
                for k, v in given.items():
                    setattr(kept, k, v)
                kept.import_id = import_id
                kept.updated_at = now
                existing[(video_id, row.start, row.end)] = kept
                counts.updated += 1
                continue
            if current is None:
                fresh = _NewValue(video_id, row.start, row.end, import_id, now, dict(given))
                new.append(fresh)
                existing[(video_id, row.start, row.end)] = fresh
                if not row.is_day:
                    periods.setdefault((video_id, row.start), []).append(fresh)
                counts.inserted += 1
            elif any(_differs(getattr(current, k), v) for k, v in given.items()):
                for k, v in given.items():
                    setattr(current, k, v)
                current.import_id = import_id
                current.updated_at = now
                counts.updated += 1
            else:
                counts.unchanged += 1
        session.flush()  # the updates first: a superseded row's new end is then free
        for start in range(0, len(new), 5_000):
            session.execute(insert(MetricValue), [v.row() for v in new[start : start + 5_000]])

    def _upsert_account_rows(
        self, session: Session, parsed: ParsedExport, import_id: str, counts: _Counts
    ) -> None:
        for day in parsed.account_days:
            current = session.get(MetricAccountDay, (day.platform, day.account, day.day))
            given = {k: v for k, v in day.values.items() if v is not None and k in ACCOUNT_METRICS}
            if current is None:
                session.add(
                    MetricAccountDay(
                        platform=day.platform,
                        account=day.account,
                        day=day.day,
                        import_id=import_id,
                        **given,
                    )
                )
                counts.inserted += 1
            elif any(_differs(getattr(current, k), v) for k, v in given.items()):
                for k, v in given.items():
                    setattr(current, k, v)
                current.import_id = import_id
                counts.updated += 1
            else:
                counts.unchanged += 1
        for hour in parsed.follower_hours:
            key = (hour.platform, hour.account, hour.day, hour.hour)
            found = session.get(MetricFollowerHour, key)
            if found is None:
                session.add(
                    MetricFollowerHour(
                        platform=hour.platform,
                        account=hour.account,
                        day=hour.day,
                        hour=hour.hour,
                        active_followers=hour.active_followers,
                        import_id=import_id,
                    )
                )
                counts.inserted += 1
            elif found.active_followers != hour.active_followers:
                found.active_followers = hour.active_followers
                found.import_id = import_id
                counts.updated += 1
            else:
                counts.unchanged += 1

    def imports(self, limit: int = 100) -> list[ImportOut]:
        with self.db.session() as session:
            rows = session.scalars(
                select(MetricImport).order_by(MetricImport.imported_at.desc()).limit(limit)
            )
            return [_import_out(row) for row in rows]

    # -- linking ---------------------------------------------------------------------------

    def _link(
        self,
        session: Session,
        videos: Sequence[MetricVideo],
        stated: Iterable[VideoLink],
        now: datetime,
    ) -> None:
        by_key = {(v.platform, v.remote_id): v for v in videos}
        for link in stated:
            video = by_key.get((link.platform, link.remote_id))
            if video is not None:
                stated_target = LinkTarget(link.project_id, link.job_id, link.variant_id)
                _set_link(session, video, stated_target, "mapping", now)
        open_videos = [v for v in videos if v.link_rule != "mapping"]
        if not open_videos:
            return
        titles: dict[str, str] | None = None
        for video in open_videos:
            target = self.posts(video.platform, video.remote_id)
            if target is not None:
                _set_link(session, video, target, "post", now)
                continue
            if video.link_rule == "post":
                continue
            if titles is None:
                titles = _project_titles(session)
            project_id = match_title(video.title, titles) if video.title else None
            if project_id is None:
                if video.link_rule == "title":  # the project's title changed since
                    _set_link(session, video, LinkTarget(None), None, now)
                continue
            job_id = _newest_render(session, project_id, video.platform)
            _set_link(session, video, LinkTarget(project_id, job_id), "title", now)

    def link(
        self,
        platform: str,
        remote_id: str,
        *,
        project_id: str | None,
        job_id: str | None = None,
        variant_id: str | None = None,
    ) -> VideoOut:
        """Link a video by hand (rule "mapping"); all ``None`` unlinks it and lets the
        automatic rules link it again at the next import or ``relink``."""
        now = self.clock()
        with self.db.session() as session:
            video = session.scalar(
                select(MetricVideo).where(
                    MetricVideo.platform == platform, MetricVideo.remote_id == remote_id
                )
            )
            if video is None:
                raise NotFoundError(f"no imported {platform} video has the id {remote_id!r}")
            if project_id is not None and session.get(Project, project_id) is None:
                raise NotFoundError(f"there is no project {project_id!r}")
            if job_id is not None:
                job = session.get(Job, job_id)
                if job is None:
                    raise NotFoundError(f"there is no render job {job_id!r}")
                if project_id is not None and job.project_id != project_id:
                    raise InputError(f"the job {job_id} rendered another project")
            target = LinkTarget(project_id, job_id, variant_id)
            if project_id is None and job_id is None and variant_id is None:
                _set_link(session, video, target, None, now)
                self._link(session, [video], (), now)
            else:
                _set_link(session, video, target, "mapping", now)
            return VideoOut.model_validate(video)

    def relink(self) -> int:
        """Run the automatic rules again over every video not linked by hand; the number of
        videos linked afterwards."""
        now = self.clock()
        with self.db.session() as session:
            videos = list(
                session.scalars(
                    select(MetricVideo).where(
                        or_(MetricVideo.link_rule.is_(None), MetricVideo.link_rule != "mapping")
                    )
                )
            )
            self._link(session, videos, (), now)
            return sum(1 for v in videos if v.project_id)

    # -- listing ---------------------------------------------------------------------------

    def videos(
        self,
        *,
        platform: str | None = None,
        account: str | None = None,
        linked: bool | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> VideoPage:
        conditions: list[Any] = []
        if platform:
            conditions.append(MetricVideo.platform == platform)
        if account:
            conditions.append(MetricVideo.account == account)
        if linked is True:
            conditions.append(MetricVideo.project_id.is_not(None))
        elif linked is False:
            conditions.append(MetricVideo.project_id.is_(None))
        where = and_(True, *conditions)
        with self.db.session() as session:
            total = session.scalar(select(func.count()).select_from(MetricVideo).where(where))
            rows = session.scalars(
                select(MetricVideo)
                .where(where)
                .order_by(MetricVideo.published_at.desc().nulls_last(), MetricVideo.remote_id)
                .limit(limit)
                .offset(offset)
            )
            return VideoPage(items=[VideoOut.model_validate(r) for r in rows], total=total or 0)


def _import_out(row: MetricImport) -> ImportOut:
    return ImportOut(
        id=row.id,
        filename=row.filename,
        source=row.source,
        account=row.account,
        videos=row.videos,
        rows=row.rows,
        period_start=row.period_start,
        period_end=row.period_end,
        imported_at=row.imported_at,
    )


def _refresh(video: MetricVideo, record: VideoRecord, now: datetime) -> None:
    changed = False
    for field, value in (
        ("title", record.title),
        ("account", record.account),
        ("url", record.url),
        ("published_at", record.published_at),
        ("duration_seconds", record.duration_seconds),
    ):
        if value not in (None, "") and getattr(video, field) != value:
            setattr(video, field, value)
            changed = True
    if changed:
        video.updated_at = now


def _set_link(
    session: Session,
    video: MetricVideo,
    target: LinkTarget,
    rule: LinkRule | None,
    now: datetime,
) -> None:
    if target.project_id is not None and session.get(Project, target.project_id) is None:
        target = LinkTarget(None, None, target.variant_id)
    if target.job_id is not None and session.get(Job, target.job_id) is None:
        target = LinkTarget(target.project_id, None, target.variant_id)
    if rule is not None and target == LinkTarget(None):
        rule = None
    new = (target.project_id, target.job_id, target.variant_id, rule)
    if (video.project_id, video.job_id, video.variant_id, video.link_rule) != new:
        video.project_id, video.job_id, video.variant_id, video.link_rule = new
        video.updated_at = now


def _project_titles(session: Session) -> dict[str, str]:
    """Each project's title: its script's title, or its name when it has no script."""
    titles: dict[str, str] = {}
    for project_id, name, script in session.execute(
        select(Project.id, Project.name, Project.script)
    ):
        title = script.get("title") if isinstance(script, dict) else None
        titles[project_id] = title if isinstance(title, str) and title else name
    return titles


def _newest_render(session: Session, project_id: str, platform: str) -> str | None:
    preset = RENDER_PLATFORM.get(platform)
    jobs = session.execute(
        select(Job.id, Job.workload)
        .where(Job.project_id == project_id, Job.status == "succeeded")
        .order_by(Job.finished_at.desc().nulls_last(), Job.created_at.desc())
    )
    for job_id, workload in jobs:
        if not isinstance(workload, dict) or workload.get("platform") in (None, preset):
            return str(job_id)
    return None


def _differs(old: object, new: object) -> bool:
    if isinstance(old, float) or isinstance(new, float):
        return old is None or abs(float(old) - float(new)) > 1e-9 * max(1.0, abs(float(new)))  # type: ignore[arg-type]
    return old != new


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


__all__ = ["METRICS", "ImportOut", "LinkTarget", "MetricsService", "VideoOut", "VideoPage"]
