"""The low-level API: a render spec in (media as ``asset:<id>``), a video out — like
Shotstack's edit JSON."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from video_orchestrator.api.cache import cached_json
from video_orchestrator.api.deps import WS
from video_orchestrator.services.jobs import JobOut
from video_orchestrator.spec import json_schema

router = APIRouter(prefix="/spec", tags=["spec"])


class SpecIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    spec: dict[str, Any] = Field(description="a render spec (see GET /spec/schema)")
    filename: str = Field("video", min_length=1, max_length=100)


class ValidOut(BaseModel):
    valid: bool
    duration_seconds: float
    width: int
    height: int
    fps: int


@router.get("/schema", response_model=dict[str, Any])
def schema(request: Request) -> Response:
    return cached_json(request, lambda: dict(json_schema()))


@router.post("/validate", response_model=ValidOut)
def validate(ws: WS, body: SpecIn) -> ValidOut:
    spec = ws.jobs.validate_spec(body.spec)
    return ValidOut(
        valid=True,
        duration_seconds=round(spec.duration / spec.output.fps, 3),
        width=spec.output.width,
        height=spec.output.height,
        fps=spec.output.fps,
    )


@router.post("/render", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED)
def render(ws: WS, body: SpecIn) -> JobOut:
    return ws.jobs.submit_spec(body.spec, body.filename)
