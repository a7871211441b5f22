"""Predictions that state their error (ADR 0043): a draft project's views and average view
duration for a platform and a posting time, and the model's quality. Too little history is
``409`` problem+json (``not-enough-history``) with ``videos`` and ``needed``."""

from __future__ import annotations

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from video_orchestrator.api.deps import WS
from video_orchestrator.services.facade import ModelOut, PredictionOut, RefusalOut, parse_time

router = APIRouter(tags=["analytics"])


@router.get(
    "/projects/{project_id}/prediction",
    response_model=PredictionOut,
    responses={409: {"description": "too few published videos with metrics to predict"}},
)
async def predict_project(
    ws: WS,
    project_id: str,
    platform: str | None = Query(
        None,
        max_length=32,
        description="youtube, tiktok, instagram, facebook, other or a "
        "render preset (youtube-shorts …); default: the project's first platform",
    ),
    at: str | None = Query(
        None,
        max_length=40,
        description="the posting time, ISO 8601 (UTC unless it says "
        "otherwise); default: the next full hour",
    ),
) -> PredictionOut:
    """The draft's predicted views and average view duration, each with its 80 % interval
    and the model's cross-validated error on this user's past videos."""
    when = parse_time(at)
    answer = await run_in_threadpool(
        ws.analytics.predictions.predict, project_id, platform=platform, at=when
    )
    if isinstance(answer, RefusalOut):
        raise answer.error()
    return answer


@router.get("/analytics/predictions/model", response_model=ModelOut)
async def prediction_model(ws: WS) -> ModelOut:
    """How many stored videos the model learned from (and which were left out), and its
    cross-validated error; or why it cannot predict yet."""
    return await run_in_threadpool(ws.analytics.predictions.model)
