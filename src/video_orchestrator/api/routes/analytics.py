"""Analytics: upload platform exports, the imported videos and their links, the dashboards'
figures (totals, daily series, top and bottom videos) and saved reports (definitions,
rendered CSV/PDF, sent by e-mail)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from video_orchestrator.api.deps import WS
from video_orchestrator.errors import MediaError, MetricsFileError, NotFoundError, PayloadTooLarge
from video_orchestrator.services.facade import (
    METRICS,
    Filters,
    Group,
    ImportOut,
    Point,
    ReportIn,
    ReportOut,
    ScheduleOut,
    VideoOut,
    VideoPage,
    file_stem,
)

router = APIRouter(prefix="/analytics", tags=["analytics"])

#: An analytics export is at most this large (a Studio export is kilobytes to megabytes).
MAX_IMPORT_BYTES = 50_000_000
#: What an export upload may declare as its Content-Type.
EXPORT_TYPES = (
    "text/csv",
    "application/csv",
    "text/plain",
    "application/zip",
    "application/x-zip-compressed",
    "application/vnd.ms-excel",
    "application/octet-stream",
)
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            t: {"schema": {"type": "string", "format": "binary"}}
            for t in ("text/csv", "application/zip", "application/octet-stream")
        },
    }
}
Dimension = Literal["video", "account", "platform", "project", "total"]
Platform = Literal["youtube", "tiktok", "instagram", "facebook", "other"]


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    project_id: str | None = Field(None, max_length=32)
    job_id: str | None = Field(None, max_length=32)
    variant_id: str | None = Field(None, max_length=64)


class Totals(BaseModel):
    start: date
    end: date
    dimension: str
    groups: list[Group]


class Series(BaseModel):
    start: date
    end: date
    split: str | None
    points: list[Point]


class SendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    recipients: list[str] = Field(default_factory=list, max_length=50)


class Sent(BaseModel):
    message_id: str


def _filters(platform: str | None, account: str | None, project_id: str | None) -> Filters:
    return Filters(platform=platform, account=account, project_id=project_id)


@router.post(
    "/imports",
    response_model=ImportOut,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=UPLOAD_BODY,
    responses={200: {"description": "the same file was imported before: nothing changed"}},
)
async def upload_export(
    ws: WS,
    request: Request,
    response: Response,
    filename: str = Query("export", min_length=1, max_length=255),
    account: str = Query("", max_length=200),
    as_of: date | None = None,
) -> ImportOut:
    """Import an analytics export sent as the raw bytes of the file (``?filename=`` names
    it): a YouTube Studio zip, a TikTok Studio CSV or zip, or the generic CSV. ``as_of``
    is the day the export was made (it dates TikTok's year-less days; default today)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in EXPORT_TYPES:
        raise MediaError(
            f"an export's Content-Type must be text/csv, application/zip or "
            f"application/octet-stream, not {content_type or 'missing'!r}"
        )
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_IMPORT_BYTES:
        raise PayloadTooLarge(
            f"the export is {int(declared):,} bytes; the limit is {MAX_IMPORT_BYTES:,}"
        )
    chunks: list[bytes] = []
    size = 0
    async for block in request.stream():
        size += len(block)
        if size > MAX_IMPORT_BYTES:
            raise PayloadTooLarge(f"the export is over the {MAX_IMPORT_BYTES:,}-byte limit")
        chunks.append(block)
    if size == 0:
        raise MetricsFileError("the upload is empty")
    result = await run_in_threadpool(
        ws.analytics.import_bytes, b"".join(chunks), filename, account=account, as_of=as_of
    )
    response.status_code = (
        status.HTTP_200_OK if result.already_imported else status.HTTP_201_CREATED
    )
    return result


@router.get("/imports", response_model=list[ImportOut])
def list_imports(ws: WS, limit: int = Query(100, ge=1, le=1000)) -> list[ImportOut]:
    return ws.analytics.metrics.imports(limit)


@router.get("/videos", response_model=VideoPage)
def list_videos(
    ws: WS,
    platform: Platform | None = None,
    account: str | None = Query(None, max_length=200),
    linked: bool | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> VideoPage:
    """The imported videos, newest first, each with the project, render and variant it is
    linked to (``link_rule``: post, mapping or title; null: unlinked)."""
    return ws.analytics.metrics.videos(
        platform=platform, account=account, linked=linked, limit=limit, offset=offset
    )


@router.put("/videos/{platform}/{remote_id}/link", response_model=VideoOut)
def link_video(ws: WS, platform: Platform, remote_id: str, body: LinkIn) -> VideoOut:
    """Link a video by hand (all null: unlink; the automatic rules may link it again)."""
    return ws.analytics.metrics.link(
        platform, remote_id, project_id=body.project_id, job_id=body.job_id,
        variant_id=body.variant_id,
    )  # fmt: skip


@router.get("/totals", response_model=Totals)
def get_totals(
    ws: WS,
    start: date,
    end: date,
    dimension: Dimension = "total",
    platform: Platform | None = None,
    account: str | None = Query(None, max_length=200),
    project_id: str | None = Query(None, max_length=32),
) -> Totals:
    """Each group's metrics over ``start``..``end`` (day rows where a video has them, its
    period rows otherwise; averages weighted by views, CTR by impressions)."""
    groups = ws.analytics.totals(start, end, dimension, _filters(platform, account, project_id))
    return Totals(start=start, end=end, dimension=dimension, groups=groups)


@router.get("/series", response_model=Series)
def get_series(
    ws: WS,
    start: date,
    end: date,
    split: Dimension | None = None,
    platform: Platform | None = None,
    account: str | None = Query(None, max_length=200),
    project_id: str | None = Query(None, max_length=32),
) -> Series:
    """Metrics per day (and per group of ``split``), from the sources that give days."""
    points = ws.analytics.series(start, end, split, _filters(platform, account, project_id))
    return Series(start=start, end=end, split=split, points=points)


@router.get("/top", response_model=list[Group])
def get_top(
    ws: WS,
    start: date,
    end: date,
    metric: str = Query("views", description=f"one of {', '.join(METRICS)}"),
    limit: int = Query(10, ge=1, le=100),
    bottom: bool = False,
    platform: Platform | None = None,
    account: str | None = Query(None, max_length=200),
) -> list[Group]:
    """The videos with the highest (``bottom``: lowest) value of ``metric``."""
    return ws.analytics.ranked(
        start, end, metric, limit=limit, bottom=bottom, filters=_filters(platform, account, None)
    )


@router.get("/reports", response_model=list[ReportOut])
def list_reports(ws: WS) -> list[ReportOut]:
    return ws.analytics.reports.list()


@router.post("/reports", response_model=ReportOut, status_code=status.HTTP_201_CREATED)
def save_report(ws: WS, body: ReportIn, response: Response) -> ReportOut:
    """Save a report definition; one of the same name is replaced (200)."""
    saved, created = ws.analytics.reports.save(body)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["Location"] = f"/analytics/reports/{saved.id}"
    return saved


@router.get("/reports/{report_id}", response_model=ReportOut)
def get_report(ws: WS, report_id: str) -> ReportOut:
    return ws.analytics.reports.get(report_id)


@router.delete("/reports/{report_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_report(ws: WS, report_id: str) -> Response:
    """The report and its schedule."""
    ws.analytics.delete_report(report_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


class ScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    every_days: int = Field(ge=1, le=366)
    first_at: datetime | None = Field(
        None, description="the first sending (default: one period from now)"
    )


@router.put("/reports/{report_id}/schedule", response_model=ScheduleOut)
def schedule_report(ws: WS, report_id: str, body: ScheduleIn) -> ScheduleOut:
    """Send the report by e-mail every ``every_days`` days (a task of the job queue)."""
    return ws.analytics.schedule_report(
        report_id, every_days=body.every_days, first_at=body.first_at
    )


@router.get("/reports/{report_id}/schedule", response_model=ScheduleOut)
def get_report_schedule(ws: WS, report_id: str) -> ScheduleOut:
    found = ws.analytics.report_schedule(report_id)
    if found is None:
        raise NotFoundError(f"the report {report_id!r} is not sent on a schedule")
    return found


@router.delete("/reports/{report_id}/schedule", status_code=status.HTTP_204_NO_CONTENT)
def unschedule_report(ws: WS, report_id: str) -> Response:
    ws.analytics.unschedule_report(report_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/reports/{report_id}/render",
    responses={
        200: {
            "description": "the report as CSV or PDF",
            "content": {"text/csv": {}, "application/pdf": {}},
        }
    },
)
def render_report(ws: WS, report_id: str, format: Literal["csv", "pdf"] = "pdf") -> Response:
    """The saved report rendered now, for its period as of today."""
    saved, data, body = ws.analytics.render_saved(report_id, format)
    name = f"{file_stem(saved.name, data.start, data.end)}.{format}"
    return Response(
        body,
        media_type="text/csv; charset=utf-8" if format == "csv" else "application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/reports/{report_id}/send", response_model=Sent)
def send_report(ws: WS, report_id: str, body: SendIn) -> Sent:
    """E-mail the report (PDF and CSV attached) to its recipients, or to ``recipients``."""
    return Sent(message_id=ws.analytics.send_report(report_id, body.recipients))
