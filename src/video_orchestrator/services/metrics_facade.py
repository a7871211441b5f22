"""What the interfaces (CLI, API) call for analytics: loose input checked, then the metrics,
warehouse and report services. Re-exported by ``services/facade.py``."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from video_orchestrator import atomic
from video_orchestrator.config import Settings
from video_orchestrator.errors import (
    InputError,
    MetricsFileError,
    NotFoundError,
    StorageError,
    os_reason,
)
from video_orchestrator.jobs.workload import SendReportWorkload
from video_orchestrator.metrics.detect import MAX_FILE_BYTES
from video_orchestrator.metrics.records import METRICS
from video_orchestrator.metrics.report import ReportData
from video_orchestrator.services.mail import check_recipients, mail_settings
from video_orchestrator.services.metric_queries import (
    ALL,
    DatabaseRunner,
    Filters,
    Group,
    Point,
    Runner,
    ranked,
    series,
    totals,
)
from video_orchestrator.services.metrics import ImportOut, MetricsService, VideoOut, VideoPage
from video_orchestrator.services.metrics_pull import post_links
from video_orchestrator.services.metrics_warehouse import (
    ExportedFile,
    ParquetRunner,
    export_tables,
)
from video_orchestrator.services.predictions import Predictions
from video_orchestrator.services.reports import (
    ReportIn,
    ReportOut,
    ReportService,
    ReportSpec,
    file_stem,
)
from video_orchestrator.services.schedules import ScheduleOut, ScheduleService
from video_orchestrator.store import Database
from video_orchestrator.store.tables import utcnow
from video_orchestrator.text import validation_summary

__all__ = [
    "METRICS",
    "Analytics",
    "ExportedFile",
    "Filters",
    "Group",
    "ImportOut",
    "Point",
    "ReportData",
    "ReportIn",
    "ReportOut",
    "ReportSpec",
    "ScheduleOut",
    "VideoOut",
    "VideoPage",
    "file_stem",
]


def report_schedule(report_id: str) -> str:
    """The name of a report's schedule."""
    return f"report:{report_id}"


def read_export_file(path: Path) -> bytes:
    if not path.is_file():
        raise MetricsFileError(f"{path} does not exist or is not a file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise MetricsFileError(f"{path.name} is over {MAX_FILE_BYTES:,} bytes: export fewer days")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise MetricsFileError(f"cannot read {path.name}: {os_reason(exc)}") from exc


@dataclass
class Analytics:
    """The analytics use cases over one database (the CLI's and the server's)."""

    db: Database
    settings: Settings

    def __post_init__(self) -> None:
        self.metrics = MetricsService(self.db, posts=post_links(self.db))
        self.reports = ReportService(self.db)
        self.schedules = ScheduleService(self.db)
        self.predictions = Predictions(self.db)  # keeps its trained model (ADR 0043)
        self._lock = threading.Lock()
        self._warehouse: ParquetRunner | None = None

    @property
    def warehouse_dir(self) -> Path:
        return self.settings.data_dir / "warehouse"

    def runner(self) -> Runner:
        """DuckDB over the warehouse copy when ``VO_ANALYTICS_ENGINE=duckdb``, else the
        database."""
        if self.settings.analytics_engine != "duckdb":
            return DatabaseRunner(self.db)
        with self._lock:
            if self._warehouse is None:
                if not (self.warehouse_dir / "metric_values.parquet").is_file():
                    export_tables(self.db, self.warehouse_dir, "parquet")
                self._warehouse = ParquetRunner(self.warehouse_dir)
            return self._warehouse

    def refresh_warehouse(self) -> None:
        """Write the Parquet copy again (after an import); the next query reads it."""
        with self._lock:
            export_tables(self.db, self.warehouse_dir, "parquet")
            if self._warehouse is not None:
                self._warehouse.close()
                self._warehouse = None

    def import_bytes(
        self, data: bytes, filename: str, *, account: str = "", as_of: date | None = None
    ) -> ImportOut:
        out = self.metrics.import_file(data, filename, account=account, as_of=as_of)
        if self.settings.analytics_engine == "duckdb" and not out.already_imported:
            self.refresh_warehouse()
        return out

    def import_path(self, path: Path, *, account: str = "", as_of: date | None = None) -> ImportOut:
        return self.import_bytes(read_export_file(path), path.name, account=account, as_of=as_of)

    def export(self, out: Path, fmt: str) -> list[ExportedFile]:
        if fmt not in ("parquet", "csv"):
            raise InputError(f"unknown format {fmt!r}; choose parquet or csv")
        return export_tables(self.db, out, "parquet" if fmt == "parquet" else "csv")

    def totals(
        self, start: date, end: date, dimension: str = "total", filters: Filters = ALL
    ) -> list[Group]:
        return totals(self.runner(), start, end, dimension, filters)

    def series(
        self, start: date, end: date, split: str | None = None, filters: Filters = ALL
    ) -> list[Point]:
        return series(self.runner(), start, end, split, filters)

    def ranked(
        self,
        start: date,
        end: date,
        metric: str,
        *,
        limit: int = 10,
        bottom: bool = False,
        filters: Filters = ALL,
    ) -> list[Group]:
        return ranked(
            self.runner(), start, end, metric, limit=limit, bottom=bottom, filters=filters
        )

    def report_spec(
        self,
        *,
        start: date | None,
        end: date | None,
        last_days: int | None,
        metrics: Sequence[str] | None,
        dimension: str,
        platform: str | None,
        account: str | None,
    ) -> ReportSpec:
        raw: dict[str, object] = {"dimension": dimension, "platform": platform, "account": account}
        if metrics:
            raw["metrics"] = list(metrics)
        if start is not None or end is not None:
            raw.update(start=start, end=end, last_days=None)
        elif last_days is not None:
            raw["last_days"] = last_days
        try:
            return ReportSpec.model_validate(raw)
        except ValidationError as exc:
            raise InputError(f"the report is not valid: {validation_summary(exc)}") from exc

    def build_report(self, name: str, spec: ReportSpec) -> ReportData:
        return self.reports.build(name, spec, runner=self.runner())

    def write_report(
        self, report: ReportData, *, pdf: Path | None = None, csv: Path | None = None
    ) -> list[Path]:
        """Write the report's PDF and/or CSV, each atomically."""
        if pdf is None and csv is None:
            raise InputError("say where to write the report: --pdf FILE and/or --csv FILE")
        written: list[Path] = []
        for path, fmt in ((pdf, "pdf"), (csv, "csv")):
            if path is None:
                continue
            if path.is_dir():
                raise InputError(f"{path} is a folder: give a file name ending .{fmt}")
            data = self.reports.render(report, "pdf" if fmt == "pdf" else "csv")
            try:
                atomic.write_bytes(path, data)
            except OSError as exc:
                raise StorageError(f"cannot write {path}: {os_reason(exc)}") from exc
            written.append(path)
        return written

    def render_saved(
        self, id_or_name: str, fmt: Literal["csv", "pdf"]
    ) -> tuple[ReportOut, ReportData, bytes]:
        saved = self.reports.get(id_or_name)
        data = self.build_report(saved.name, saved.spec)
        return saved, data, self.reports.render(data, fmt)

    # -- scheduled sending (ADR 0025: one schedule per report, a send_report task per slot)

    def schedule_report(
        self, id_or_name: str, *, every_days: int, first_at: datetime | None = None
    ) -> ScheduleOut:
        """Send the saved report every ``every_days`` days, the first time at ``first_at``
        (default: one period from now); the report must have recipients."""
        if not 1 <= every_days <= 366:
            raise InputError("a report is sent every 1 to 366 days")
        saved = self.reports.get(id_or_name)
        if not saved.recipients:
            raise InputError(f"the report {saved.name!r} has no recipients to send it to")
        seconds = every_days * 86_400
        start = first_at or utcnow() + timedelta(seconds=seconds)
        return self.schedules.every(
            report_schedule(saved.id), SendReportWorkload(report_id=saved.id), seconds=seconds,
            first_at=start,
        )  # fmt: skip

    def report_schedule(self, id_or_name: str) -> ScheduleOut | None:
        saved = self.reports.get(id_or_name)
        try:
            return self.schedules.get(report_schedule(saved.id))
        except NotFoundError:
            return None

    def unschedule_report(self, id_or_name: str) -> None:
        saved = self.reports.get(id_or_name)
        if self.report_schedule(saved.id) is not None:
            self.schedules.remove(report_schedule(saved.id))

    def delete_report(self, id_or_name: str) -> None:
        """The report and its schedule."""
        self.unschedule_report(id_or_name)
        self.reports.delete(id_or_name)

    def send_report(self, id_or_name: str, recipients: Sequence[str] = ()) -> str:
        """E-mail a saved report: an unknown report or no recipients is the user's error,
        checked before whether e-mail is set up (the server's)."""
        saved = self.reports.get(id_or_name)
        to = check_recipients(list(recipients) or saved.recipients or [""])
        return self.reports.send(saved.id, mail_settings(self.settings), recipients=to)
