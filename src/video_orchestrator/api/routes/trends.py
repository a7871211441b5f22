"""Trends (ADR 0030): what is rising with its evidence, the sources polled, making a project
from a trend; the watched keywords (``/watchlists``) and their alerts (``/alerts``, the
studio's bell), with the webhook and e-mail channels alerts are sent to."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from video_orchestrator.api.deps import WS
from video_orchestrator.services.trend_alerts import AlertOut, ChannelOut, WatchOut, WebhookCreated
from video_orchestrator.services.trend_jobs import poll_now
from video_orchestrator.services.trend_projects import TrendProjectOut
from video_orchestrator.services.trends import SourceOut, TrendDetail, TrendOut

router = APIRouter(tags=["trends"])


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceIn(_In):
    kind: str = Field(
        min_length=1,
        max_length=32,
        description="google-trends, youtube, reddit, feed, hackernews, wikipedia",
    )
    config: dict[str, str] = Field(
        default_factory=dict,
        description='e.g. {"geo": "RO"}, {"subreddit": "space", "listing": "rising"}, '
        '{"url": "https://…/feed.xml"}',
    )
    region: str | None = Field(None, max_length=16)
    language: str | None = Field(None, max_length=16)


class OutcomeOut(BaseModel):
    source_id: str
    label: str
    status: str
    items: int
    error: str | None


class PollOut(BaseModel):
    outcomes: list[OutcomeOut]
    merged: bool
    trends: int
    alerts: list[str]


class MakeIn(_In):
    platform: str = Field("tiktok", max_length=40)
    language: str | None = Field(None, max_length=16)
    target_seconds: int | None = Field(None, ge=5, le=600)


class RefreshIn(_In):
    version: int | None = Field(None, ge=1, description="the project version the client has")


class WatchIn(_In):
    keyword: str = Field(min_length=1, max_length=100)
    niche: str = Field("", max_length=100)
    threshold: float = Field(1.0, ge=0, le=100, description="the rank score that raises an alert")
    region: str | None = Field(None, max_length=16)
    language: str | None = Field(None, max_length=16)


class AlertsOut(BaseModel):
    items: list[AlertOut]
    unread: int


class ReadIn(_In):
    ids: list[str] | None = Field(None, max_length=500, description="null: every unread alert")


class ReadOut(BaseModel):
    marked: int


class WebhookIn(_In):
    url: str = Field(min_length=8, max_length=500)


class EmailIn(_In):
    address: str = Field(min_length=3, max_length=320)


# -- trends ---------------------------------------------------------------------------------


@router.get("/trends", response_model=list[TrendOut])
def list_trends(
    ws: WS,
    region: str | None = Query(None, max_length=16),
    language: str | None = Query(None, max_length=16),
    source: str | None = Query(None, max_length=32, description="a source kind"),
    niche: str | None = Query(None, max_length=100),
    limit: int = Query(50, ge=1, le=500),
) -> list[TrendOut]:
    """Trends, best first (rank score: momentum, breadth, freshness, fit with your niches)."""
    return ws.trends.list_trends(
        region=region, language=language, source=source, niche=niche, limit=limit
    )


@router.get("/trends/sources", response_model=list[SourceOut])
def list_sources(ws: WS) -> list[SourceOut]:
    """Every source polled, with its health (last error, failures, next poll)."""
    return ws.trends.list_sources()


@router.post("/trends/sources", response_model=SourceOut)
def add_source(ws: WS, body: SourceIn, response: Response) -> SourceOut:
    """Add a source (201), or the same source added before (200): never a duplicate."""
    source, created = ws.trends.add_source(
        body.kind, body.config, region=body.region, language=body.language
    )
    if created:
        ws.schedule_trends()  # the first source turns the poll schedule on
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return source


@router.delete("/trends/sources/{source_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_source(ws: WS, source_id: str) -> Response:
    ws.trends.remove_source(source_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/trends/poll", response_model=PollOut)
def poll(ws: WS, all_sources: bool = Query(False, alias="all")) -> PollOut:
    """Poll the due sources now (``all``: every source), merge, raise and send alerts."""
    report = poll_now(ws.ctx, ws.trends, ws.alerts, datetime.now(UTC), force=all_sources)
    return PollOut(
        outcomes=[OutcomeOut(**vars(o)) for o in report.outcomes],
        merged=report.merged,
        trends=report.trends,
        alerts=list(report.alerts),
    )


@router.get("/trends/{trend_id}", response_model=TrendDetail)
def get_trend(ws: WS, trend_id: str) -> TrendDetail:
    """A trend with its evidence: the headlines, posts and links that explain it."""
    return ws.trends.get(trend_id)


@router.post(
    "/trends/{trend_id}/projects",
    response_model=TrendProjectOut,
    status_code=status.HTTP_201_CREATED,
)
def make_project(ws: WS, trend_id: str, body: MakeIn) -> TrendProjectOut:
    """A project whose script is written from the trend's evidence, its links kept."""
    return ws.trend_projects.create(
        trend_id,
        platform=body.platform,
        language=body.language,
        target_seconds=body.target_seconds,
    )


@router.post("/projects/{project_id}/trend-refresh", response_model=TrendProjectOut)
def refresh_project(ws: WS, project_id: str, body: RefreshIn) -> TrendProjectOut:
    """The script of a project made from a trend, written again from the latest evidence."""
    return ws.trend_projects.refresh(project_id, version=body.version)


# -- watchlists -----------------------------------------------------------------------------


@router.get("/watchlists", response_model=list[WatchOut])
def list_watches(ws: WS) -> list[WatchOut]:
    return ws.alerts.watches()


@router.post("/watchlists", response_model=WatchOut)
def watch(ws: WS, body: WatchIn, response: Response) -> WatchOut:
    """Follow a keyword (201), or the watch already there (200)."""
    found, created = ws.alerts.watch(
        body.keyword,
        niche=body.niche,
        threshold=body.threshold,
        region=body.region,
        language=body.language,
    )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return found


@router.delete("/watchlists/{watch_id}", status_code=status.HTTP_204_NO_CONTENT)
def unwatch(ws: WS, watch_id: str) -> Response:
    ws.alerts.unwatch(watch_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# -- alerts ---------------------------------------------------------------------------------


@router.get("/alerts", response_model=AlertsOut)
def alerts(ws: WS, unread: bool = Query(False), limit: int = Query(50, ge=1, le=500)) -> AlertsOut:
    """Alerts, newest first, and how many are unread (the bell's number)."""
    return AlertsOut(
        items=ws.alerts.alerts(unread=unread, limit=limit), unread=ws.alerts.unread_count()
    )


@router.post("/alerts/read", response_model=ReadOut)
def mark_read(ws: WS, body: ReadIn) -> ReadOut:
    return ReadOut(marked=ws.alerts.mark_read(body.ids, datetime.now(UTC)))


@router.get("/alerts/channels", response_model=list[ChannelOut])
def channels(ws: WS) -> list[ChannelOut]:
    return ws.alerts.channels()


@router.post(
    "/alerts/channels/webhooks", response_model=WebhookCreated, status_code=status.HTTP_201_CREATED
)
def add_webhook(ws: WS, body: WebhookIn) -> WebhookCreated:
    """A webhook alerts are POSTed to, signed (Standard Webhooks); its secret is shown once."""
    return ws.alerts.add_webhook(body.url)


@router.post("/alerts/channels/emails", response_model=ChannelOut)
def add_email(ws: WS, body: EmailIn, response: Response) -> ChannelOut:
    channel, created = ws.alerts.add_email(body.address)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return channel


@router.delete("/alerts/channels/{channel_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_channel(ws: WS, channel_id: str) -> Response:
    ws.alerts.remove_channel(channel_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
