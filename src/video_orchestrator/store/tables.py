"""The tables. Nested settings (script, voice, captions …) are JSON columns: they are read and
written whole, with the project's ``version`` guarding concurrent edits."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on every database (SQLite drops the zone; this puts it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {  # noqa: RUF012
        dict[str, Any]: JSON,
        list[Any]: JSON,
        datetime: UTCDateTime,
    }


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(300), default="")
    genre: Mapped[str] = mapped_column(String(32), default="facts")
    language: Mapped[str] = mapped_column(String(16), default="en")
    platforms: Mapped[list[Any]] = mapped_column(JSON, default=list)
    target_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    script: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    voice: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    background: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    audio: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    captions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    export: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # language versions of the script (domain/language_version.py, ADR 0039)
    languages: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Asset(Base):
    __tablename__ = "assets"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # video | image | audio
    filename: Mapped[str] = mapped_column(String(255))
    storage_key: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    container: Mapped[str] = mapped_column(String(64), default="")
    duration: Mapped[float | None] = mapped_column(Float, nullable=True)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    has_audio: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(16), default="upload")  # upload | url | stock
    source_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    attribution: Mapped[str | None] = mapped_column(Text, nullable=True)
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[str | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), nullable=True
    )
    batch_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    kind: Mapped[str] = mapped_column(String(32))  # make | render_spec | a task's kind
    workload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    step: Mapped[str] = mapped_column(String(64), default="")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    eta_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    log_tail: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The outbox mark (ADR 0018): the ``updated_at`` of the queued job the broker was last
    #: handed. A queued job whose mark differs (never sent, or queued again since) is unsent.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: A job that waits for its time (ADR 0025): no worker claims it, and the broker is not
    #: handed it, before ``not_before``.
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: A caller's name for "this job, once" (a schedule's slot, a post's next step): a second
    #: submit with the same key gets the existing job.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), nullable=True)

    outputs: Mapped[list[Output]] = relationship(
        back_populates="job", cascade="all, delete-orphan", order_by="Output.kind"
    )

    __table_args__ = (
        Index("ix_jobs_status_created", "status", "created_at"),
        UniqueConstraint("dedupe_key", name="uq_jobs_dedupe_key"),
    )


class Schedule(Base):
    """Work done again and again (ADR 0025): every ``every_seconds`` a job of ``workload`` is
    created, once per slot whatever the number of servers ticking (``next_run_at`` moves by a
    conditional UPDATE, and the slot's job carries a dedupe key)."""

    __tablename__ = "schedules"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    workload: Mapped[dict[str, Any]] = mapped_column(JSON)
    every_seconds: Mapped[int] = mapped_column(Integer)
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_job_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdempotentRequest(Base):
    """A request sent with an ``Idempotency-Key`` (ADR 0018): who sent it, a digest of what it
    asked, and what it created; written in the transaction that created it."""

    __tablename__ = "idempotency_keys"

    client: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Output(Base):
    __tablename__ = "outputs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # video | thumbnail | srt | vtt | metadata | spec
    filename: Mapped[str] = mapped_column(String(255))
    storage_key: Mapped[str] = mapped_column(String(300))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(64))

    job: Mapped[Job] = relationship(back_populates="outputs")


class LLMUsage(Base):
    """Language-model use charged to a project: one row per script request."""

    __tablename__ = "llm_usage"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[str | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), nullable=True, index=True
    )
    job_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    purpose: Mapped[str] = mapped_column(String(32))  # script | scene | render
    provider: Mapped[str | None] = mapped_column(String(64), nullable=True)
    model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    calls: Mapped[int] = mapped_column(Integer, default=0)
    input_tokens: Mapped[int | None] = mapped_column(Integer, nullable=True)
    output_tokens: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cost_usd: Mapped[float | None] = mapped_column(Float, nullable=True)
    cached: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class UiSession(Base):
    """A web UI sign-in: the key that opened it and when it started and was last used. The
    browser holds the token (in NiceGUI's per-browser storage); only its SHA-256 is kept here,
    so a copy of this table signs no one in. Ending a session deletes its row."""

    __tablename__ = "ui_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("api_keys.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProviderSecret(Base):
    """A provider setting (API key …), encrypted with the installation's key (Fernet)."""

    __tablename__ = "provider_secrets"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    ciphertext: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- analytics: published videos, their metrics, imports and reports (ADR 0029) -----------


class MetricVideo(Base):
    """A published video whose metrics are known: one per platform and remote id, linked to
    the project, render job and variant that made it when that is known (``link_rule``
    says how: post, mapping or title)."""

    __tablename__ = "metric_videos"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    remote_id: Mapped[str] = mapped_column(String(200))
    account: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    duration_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    project_id: Mapped[str | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), nullable=True, index=True
    )
    job_id: Mapped[str | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="SET NULL"), nullable=True
    )
    variant_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    link_rule: Mapped[str | None] = mapped_column(String(16), nullable=True)
    source: Mapped[str] = mapped_column(String(32))  # youtube-studio | tiktok-studio | csv | api
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("platform", "remote_id", name="uq_metric_videos_platform_remote"),
    )


class MetricValue(Base):
    """A video's metrics over ``period_start``..``period_end`` (inclusive): a day when the
    two are equal, else a period a source gave only as totals. NULL: the source lacks it."""

    __tablename__ = "metric_values"

    video_id: Mapped[str] = mapped_column(
        ForeignKey("metric_videos.id", ondelete="CASCADE"), primary_key=True
    )
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    period_end: Mapped[date] = mapped_column(Date, primary_key=True)
    views: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    watch_hours: Mapped[float | None] = mapped_column(Float, nullable=True)
    average_view_duration: Mapped[float | None] = mapped_column(Float, nullable=True)
    average_percentage_viewed: Mapped[float | None] = mapped_column(Float, nullable=True)
    likes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    comments: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    shares: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    saves: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    subscribers: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    impressions: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    impressions_ctr: Mapped[float | None] = mapped_column(Float, nullable=True)
    import_id: Mapped[str | None] = mapped_column(
        ForeignKey("metric_imports.id", ondelete="SET NULL"), nullable=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_metric_values_period", "period_start", "period_end"),)


class MetricAccountDay(Base):
    """An account's own figures for a day, not split by video (TikTok's Overview.csv)."""

    __tablename__ = "metric_account_days"

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    account: Mapped[str] = mapped_column(String(200), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    views: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    profile_views: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    likes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    comments: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    shares: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    import_id: Mapped[str | None] = mapped_column(
        ForeignKey("metric_imports.id", ondelete="SET NULL"), nullable=True
    )


class MetricFollowerHour(Base):
    """Active followers of an account in one hour of a day (TikTok's FollowerActivity.csv)."""

    __tablename__ = "metric_follower_hours"

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    account: Mapped[str] = mapped_column(String(200), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)
    active_followers: Mapped[int] = mapped_column(BigInteger)
    import_id: Mapped[str | None] = mapped_column(
        ForeignKey("metric_imports.id", ondelete="SET NULL"), nullable=True
    )


class MetricImport(Base):
    """One imported file: its SHA-256 (a second import of the same bytes changes nothing),
    what it held and when it came."""

    __tablename__ = "metric_imports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(32))
    account: Mapped[str] = mapped_column(String(200), default="")
    videos: Mapped[int] = mapped_column(Integer, default=0)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    period_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    period_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReportDefinition(Base):
    """A saved report: its metrics, dimension, filters and period (``definition``), and who
    receives it by e-mail."""

    __tablename__ = "report_definitions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    recipients: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- trends (ADR 0030) --------------------------------------------------------------------


class TrendSource(Base):
    """A source polled for trends: an adapter (``kind``) and its configuration, with what the
    poller keeps about it (validators for conditional requests, health, when to poll next)."""

    __tablename__ = "trend_sources"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    #: ``kind`` and its canonical configuration: one source per key (no duplicate feeds).
    key: Mapped[str] = mapped_column(String(600), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    region: Mapped[str | None] = mapped_column(String(16), nullable=True)
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    interval_seconds: Mapped[float] = mapped_column(Float, default=1800.0)
    etag: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_modified: Mapped[str | None] = mapped_column(String(100), nullable=True)
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TrendPoll(Base):
    """One poll of one source: ok, not_modified (304), failed or deferred (rate budget)."""

    __tablename__ = "trend_polls"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("trend_sources.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    items: Mapped[int] = mapped_column(Integer, default=0)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (Index("ix_trend_polls_source_started", "source_id", "started_at"),)


class TrendItemRow(Base):
    """An item of a source's list as one poll saw it, with its normalised score (0–1) and
    the merged trend it was assigned to."""

    __tablename__ = "trend_items"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    poll_id: Mapped[str] = mapped_column(
        ForeignKey("trend_polls.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[str] = mapped_column(
        ForeignKey("trend_sources.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    external_id: Mapped[str] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(String(500))
    url: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text, default="")
    metric: Mapped[float | None] = mapped_column(Float, nullable=True)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    links: Mapped[list[Any]] = mapped_column(JSON, default=list)
    trend_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)


class Trend(Base):
    """A subject seen across sources and polls: its strength now, how it moved since the
    previous merge (momentum), how many sources show it (breadth) and its rank score."""

    __tablename__ = "trends"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    terms: Mapped[list[Any]] = mapped_column(JSON, default=list)
    region: Mapped[str | None] = mapped_column(String(16), nullable=True)
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    strength: Mapped[float] = mapped_column(Float, default=0.0)
    momentum: Mapped[float] = mapped_column(Float, default=0.0)
    breadth: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    #: ``[[ISO time, strength], …]``, oldest first: the sparkline.
    history: Mapped[list[Any]] = mapped_column(JSON, default=list)
    sources: Mapped[list[Any]] = mapped_column(JSON, default=list)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_trends_score", "score"),)


class TrendEvidence(Base):
    """A headline, post, video or page that explains a trend: kept once per link."""

    __tablename__ = "trend_evidence"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    trend_id: Mapped[str] = mapped_column(ForeignKey("trends.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[str | None] = mapped_column(
        ForeignKey("trend_sources.id", ondelete="SET NULL"), nullable=True
    )
    source_label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    url_key: Mapped[str] = mapped_column(String(64))
    publisher: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("trend_id", "url_key", name="uq_trend_evidence_url"),)


class TrendWatch(Base):
    """A keyword the user follows (in a niche): an alert when a trend matching it reaches
    ``threshold`` (a rank score)."""

    __tablename__ = "trend_watches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    keyword: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(100), unique=True)
    niche: Mapped[str] = mapped_column(String(100), default="")
    threshold: Mapped[float] = mapped_column(Float, default=1.0)
    region: Mapped[str | None] = mapped_column(String(16), nullable=True)
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TrendAlert(Base):
    """A watched keyword's trend crossing its threshold: raised once per watch and trend;
    unread until the studio marks it read."""

    __tablename__ = "trend_alerts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    watch_id: Mapped[str] = mapped_column(ForeignKey("trend_watches.id", ondelete="CASCADE"))
    trend_id: Mapped[str] = mapped_column(ForeignKey("trends.id", ondelete="CASCADE"))
    keyword: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    score: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (UniqueConstraint("watch_id", "trend_id", name="uq_trend_alert_once"),)


class AlertChannel(Base):
    """Where alerts go besides the studio: a webhook (with its signing secret, encrypted
    with the installation's key) or an e-mail address."""

    __tablename__ = "alert_channels"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # webhook | email
    target: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str | None] = mapped_column(Text, nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("kind", "target", name="uq_alert_channel"),)


class AlertDelivery(Base):
    """One alert to one channel: pending (with when to try next), sent or failed."""

    __tablename__ = "alert_deliveries"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    alert_id: Mapped[str] = mapped_column(ForeignKey("trend_alerts.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(ForeignKey("alert_channels.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        UniqueConstraint("alert_id", "channel_id", name="uq_alert_delivery"),
        Index("ix_alert_deliveries_due", "status", "next_attempt_at"),
    )


class TrendProject(Base):
    """A project made from a trend: the trend and the evidence links its script came from."""

    __tablename__ = "trend_projects"

    project_id: Mapped[str] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    trend_id: Mapped[str | None] = mapped_column(
        ForeignKey("trends.id", ondelete="SET NULL"), nullable=True, index=True
    )
    links: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PublishAccount(Base):
    """A connected platform account (a YouTube channel, a TikTok account …; ADR 0026). Its
    tokens are Fernet ciphertext made with the installation's key (never clear text); the
    ``remote_id`` is the platform's id for it, unique per platform."""

    __tablename__ = "publish_accounts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    remote_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    avatar_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    access_token: Mapped[str] = mapped_column(Text)  # ciphertext
    refresh_token: Mapped[str | None] = mapped_column(Text, nullable=True)  # ciphertext
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    scopes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    #: connected | reconnect (a refresh was refused: the user must connect it again)
    status: Mapped[str] = mapped_column(String(16), default="connected")
    problem: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ux_publish_accounts_platform_remote", "platform", "remote_id", unique=True),
    )


class OAuthPending(Base):
    """An authorisation started and not yet finished: the ``state`` sent to the platform
    (the primary key: one use), the PKCE verifier (ciphertext) and the redirect URI."""

    __tablename__ = "oauth_pending"

    state: Mapped[str] = mapped_column(String(100), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    code_verifier: Mapped[str] = mapped_column(Text)  # ciphertext
    redirect_uri: Mapped[str] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Post(Base):
    """One video posted to one account: a durable state machine (ADR 0026).

    ``state``: draft → scheduled → uploading → processing → published | failed |
    needs_attention (or cancelled). ``checkpoint`` is the publisher's last
    ``ports.publishing.Checkpoint``; ``in_flight`` names the step being sent (written before
    the call): a post found with it set after a crash is reconciled before anything else.
    ``marker`` is the post's idempotency key, sent to the platform."""

    __tablename__ = "posts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("publish_accounts.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    marker: Mapped[str] = mapped_column(String(64), unique=True)
    job_id: Mapped[str | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="SET NULL"), nullable=True
    )
    video_key: Mapped[str] = mapped_column(Text)  # a storage key or a local file path
    cover_key: Mapped[str | None] = mapped_column(Text, nullable=True)
    size: Mapped[int] = mapped_column(BigInteger)
    duration_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    hashtags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    privacy: Mapped[str] = mapped_column(String(16), default="private")
    made_with_ai: Mapped[bool] = mapped_column(Boolean, default=True)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(20), default="draft")
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    checkpoint: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    in_flight: Mapped[str | None] = mapped_column(String(64), nullable=True)
    unknown: Mapped[bool] = mapped_column(Boolean, default=False)
    remote_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (Index("ix_posts_state_not_before", "state", "not_before"),)


class PostEvent(Base):
    """The attempt log of a post: every step, its outcome and the platform's own words."""

    __tablename__ = "post_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    step: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")


# --- experiments: variants of one project, their renders, posts and verdicts (ADR 0036) ----


class Experiment(Base):
    """An A/B(/n) experiment over one project: the design, the metric and post age it is
    judged on, the render batch, the verdict snapshot of its last analysis and the feedback
    applied from it."""

    __tablename__ = "experiments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    project_id: Mapped[str | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), nullable=True, index=True
    )
    platform: Mapped[str] = mapped_column(String(32))
    metric: Mapped[str] = mapped_column(String(40))
    age: Mapped[str] = mapped_column(String(8))  # 24h | 72h | 7d
    design: Mapped[dict[str, Any]] = mapped_column(JSON)  # strategy, note, factors, sizes
    status: Mapped[str] = mapped_column(String(16), default="planned")
    batch_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    analysis: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    analysed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    feedback: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExperimentVariant(Base):
    """One variant (A is the control): its levels, the options and content it overrides, the
    project made for it (the base project with the overrides) and that project's render."""

    __tablename__ = "experiment_variants"

    experiment_id: Mapped[str] = mapped_column(
        ForeignKey("experiments.id", ondelete="CASCADE"), primary_key=True
    )
    label: Mapped[str] = mapped_column(String(8), primary_key=True)
    levels: Mapped[dict[str, Any]] = mapped_column(JSON)
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    project_id: Mapped[str | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), nullable=True
    )
    job_id: Mapped[str | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="SET NULL"), nullable=True
    )


class ExperimentLink(Base):
    """A published video counted for a variant: a publishing post or an imported video,
    named by platform and remote id (a video counts for one variant of an experiment)."""

    __tablename__ = "experiment_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    experiment_id: Mapped[str] = mapped_column(
        ForeignKey("experiments.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(8))
    platform: Mapped[str] = mapped_column(String(32))
    remote_id: Mapped[str] = mapped_column(String(200))
    post_id: Mapped[str | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint(
            "experiment_id", "platform", "remote_id", name="uq_experiment_links_video"
        ),
    )


# --- what the user's own results taught the scorer (ADR 0044) -----------------------------


class HookWeightChange(Base):
    """One change of the workspace's hook-score weights: applied from a proposal learned
    from posted hooks (with its evidence), or a reset to the shipped weights. The newest
    row's ``to_weights`` are the weights in use (a reset: the shipped ones)."""

    __tablename__ = "hook_weight_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    action: Mapped[str] = mapped_column(String(16))  # apply | reset
    from_weights: Mapped[dict[str, Any]] = mapped_column(JSON)
    to_weights: Mapped[dict[str, Any]] = mapped_column(JSON)
    # posts, outcome, post age and each component's effect, t and reason
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    applied_by: Mapped[str] = mapped_column(String(200), default="")
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


# --- the predictions' trained model, shared by every process (ADR 0043) -------------------


class PredictionModel(Base):
    """The predictions' model trained on the stored history, keyed by the history's
    fingerprint (a SHA-256 of what the model depends on), so a second process (a worker,
    another server, the next CLI run) reads it instead of training again. Only the newest is
    kept; a changed history has another key and trains a new one."""

    __tablename__ = "prediction_models"

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    # analytics.predict.model_to_data: the encoder, coefficients, errors (or the refusal)
    model: Mapped[dict[str, Any]] = mapped_column(JSON)
    # services.predictions.HistoryOut: what it learned from and what was left out
    history: Mapped[dict[str, Any]] = mapped_column(JSON)
    trained_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
