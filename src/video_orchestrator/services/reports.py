"""Analytics reports: definitions (metrics, dimension, filters, period) saved in the
database, rendered on demand to CSV and PDF from the same queries as the dashboards, and
sent by e-mail."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from video_orchestrator.errors import ConfigError, ConflictError, InputError, NotFoundError
from video_orchestrator.metrics.records import METRICS
from video_orchestrator.metrics.report import ReportData, ReportRow, report_csv
from video_orchestrator.services.mail import Attachment, MailSettings, check_recipients, send_mail
from video_orchestrator.services.metric_queries import (
    KEYS,
    DatabaseRunner,
    Filters,
    Runner,
    check_window,
    ranked,
    series,
    totals,
)
from video_orchestrator.store import Database
from video_orchestrator.store.tables import ReportDefinition, utcnow

Metric = Literal[
    "views",
    "watch_hours",
    "average_view_duration",
    "average_percentage_viewed",
    "likes",
    "comments",
    "shares",
    "saves",
    "subscribers",
    "impressions",
    "impressions_ctr",
]
DEFAULT_METRICS: list[Metric] = [
    "views",
    "watch_hours",
    "average_view_duration",
    "likes",
    "comments",
    "shares",
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
TOP_VIDEOS = 10


class ReportSpec(BaseModel):
    """What a report shows: its metrics (the first ranks the top videos), one dimension,
    filters and a period: ``last_days`` before the day it is made, or ``start``..``end``."""

    model_config = ConfigDict(extra="forbid")

    metrics: list[Metric] = Field(
        default_factory=lambda: list(DEFAULT_METRICS), min_length=1, max_length=len(METRICS)
    )
    dimension: Literal["video", "account", "platform", "project", "total"] = "video"
    platform: str | None = Field(None, max_length=32)
    account: str | None = Field(None, max_length=200)
    project_id: str | None = Field(None, max_length=32)
    last_days: int | None = Field(28, ge=1, le=3_650)
    start: date | None = None
    end: date | None = None

    @model_validator(mode="after")
    def _period(self) -> ReportSpec:
        if (self.start is None) != (self.end is None):
            raise ValueError("give both start and end, or neither (then last_days)")
        if self.start is not None and self.end is not None:
            try:
                check_window(self.start, self.end)
            except InputError as exc:
                raise ValueError(str(exc)) from None
            self.last_days = None
        elif self.last_days is None:
            raise ValueError("give start and end, or last_days")
        if len(set(self.metrics)) != len(self.metrics):
            raise ValueError("a metric is named twice")
        return self

    def window(self, today: date) -> tuple[date, date]:
        if self.start is not None and self.end is not None:
            return self.start, self.end
        days = self.last_days or 28
        return today - timedelta(days=days), today - timedelta(days=1)

    @property
    def filters(self) -> Filters:
        return Filters(platform=self.platform, account=self.account, project_id=self.project_id)


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    spec: ReportSpec = Field(default_factory=ReportSpec)
    recipients: list[str] = Field(default_factory=list, max_length=50)


class ReportOut(ReportIn):
    id: str
    created_at: datetime
    updated_at: datetime


def report_font() -> Path:
    """The font reports are written in (Noto Sans, from a package the renderer uses too)."""
    font = resources.files("manimgx_fonts").joinpath("NotoSans[wght].ttf")
    path = Path(str(font))
    if not path.is_file():
        raise ConfigError("the report font (Noto Sans from manimgx-fonts) is not installed")
    return path


class ReportService:
    def __init__(
        self,
        db: Database,
        *,
        runner: Runner | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.runner: Runner = runner or DatabaseRunner(db)
        self.clock = clock

    # -- definitions -----------------------------------------------------------------------

    def save(self, report: ReportIn) -> tuple[ReportOut, bool]:
        """Create the report, or replace the one of the same name; True when created."""
        recipients = check_recipients(report.recipients) if report.recipients else []
        now = self.clock()
        try:
            with self.db.session() as session:
                row = session.scalar(
                    select(ReportDefinition).where(ReportDefinition.name == report.name)
                )
                created = row is None
                if row is None:
                    row = ReportDefinition(id=uuid.uuid4().hex, name=report.name, created_at=now)
                    session.add(row)
                row.definition = report.spec.model_dump(mode="json")
                row.recipients = recipients
                row.updated_at = now
                session.flush()
                return _out(row), created
        except IntegrityError as exc:
            raise ConflictError(
                f"a report named {report.name!r} was saved at the same time"
            ) from exc

    def list(self) -> list[ReportOut]:
        with self.db.session() as session:
            return [
                _out(r)
                for r in session.scalars(select(ReportDefinition).order_by(ReportDefinition.name))
            ]

    def get(self, id_or_name: str) -> ReportOut:
        with self.db.session() as session:
            row = session.get(ReportDefinition, id_or_name) or session.scalar(
                select(ReportDefinition).where(ReportDefinition.name == id_or_name)
            )
            if row is None:
                raise NotFoundError(f"there is no report {id_or_name!r}")
            return _out(row)

    def delete(self, id_or_name: str) -> None:
        report = self.get(id_or_name)
        with self.db.session() as session:
            row = session.get(ReportDefinition, report.id)
            if row is not None:
                session.delete(row)

    # -- rendering -------------------------------------------------------------------------

    def build(self, name: str, spec: ReportSpec, *, runner: Runner | None = None) -> ReportData:
        """The report's content for its period as of now."""
        use = runner or self.runner
        made = self.clock()
        start, end = spec.window(made.astimezone(UTC).date())
        filters = spec.filters
        groups = totals(use, start, end, spec.dimension, filters)
        overall = totals(use, start, end, "total", filters)
        daily = series(use, start, end, None, filters)
        by_day = {p.day: p.values.get("views") for p in daily}
        days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        top = ranked(use, start, end, spec.metrics[0], limit=TOP_VIDEOS, filters=filters)
        keys = [k for k in KEYS[spec.dimension] if k != "video_id"]
        return ReportData(
            name=name,
            start=start,
            end=end,
            dimension=spec.dimension,
            keys=keys,
            metrics=list(spec.metrics),
            rows=[] if spec.dimension == "total" else [ReportRow(g.key, g.values) for g in groups],
            total=overall[0].values if overall else {},
            daily=[(d, by_day.get(d)) for d in days] if len(days) <= 400 else list(by_day.items()),
            top=[ReportRow(g.key, g.values) for g in top],
            filters={
                k: v
                for k, v in (
                    ("platform", spec.platform),
                    ("account", spec.account),
                    ("project", spec.project_id),
                )
                if v
            },
            made_at=made,
        )

    def render(self, report: ReportData, fmt: Literal["csv", "pdf"]) -> bytes:
        if fmt == "csv":
            return report_csv(report)
        from video_orchestrator.metrics.report_pdf import report_pdf  # fpdf2 loads in a second

        return report_pdf(report, font=report_font())

    def send(
        self,
        id_or_name: str,
        mail: MailSettings,
        *,
        recipients: Sequence[str] | None = None,
        mailer: Callable[..., str] = send_mail,
    ) -> str:
        """Render the saved report (PDF and CSV) and e-mail it to its recipients (or to
        ``recipients``); the Message-ID."""
        saved = self.get(id_or_name)
        to = list(recipients) if recipients else saved.recipients
        if not to:
            raise InputError(f"the report {saved.name!r} has no recipients: add some or give --to")
        data = self.build(saved.name, saved.spec)
        stem = file_stem(saved.name, data.start, data.end)
        body = (
            f"{saved.name}: {data.start:%d %b %Y} – {data.end:%d %b %Y}.\n\n"
            + "\n".join(
                f"{m}: {data.total.get(m) if data.total.get(m) is not None else '–'}"
                for m in data.metrics
            )
            + "\n\nThe PDF and the CSV are attached. Sent by Video Orchestrator.\n"
        )
        return mailer(
            mail,
            to,
            f"{saved.name} · {data.start:%d %b} – {data.end:%d %b %Y}",
            body,
            [
                Attachment(f"{stem}.pdf", self.render(data, "pdf"), "application/pdf"),
                Attachment(f"{stem}.csv", self.render(data, "csv"), "text/csv"),
            ],
        )


def file_stem(name: str, start: date, end: date) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()[:60] or "report"
    return f"{slug}-{start:%Y%m%d}-{end:%Y%m%d}"


def _out(row: ReportDefinition) -> ReportOut:
    return ReportOut(
        id=row.id,
        name=row.name,
        spec=ReportSpec.model_validate(row.definition),
        recipients=list(row.recipients),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
