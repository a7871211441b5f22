"""Hooks and platform optimisation for a project, and stock footage search."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from video_orchestrator.api.deps import WS
from video_orchestrator.services.projects import ProjectOut

router = APIRouter(tags=["ideas"])


class HooksIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    platform: str | None = Field(None, max_length=40, description="default: the first platform")
    count: int = Field(8, ge=1, le=10)


class OptimiseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    platform: str | None = Field(None, max_length=40)
    apply: bool = Field(False, description="save the automatic changes on the project")
    version: int | None = Field(None, ge=1, description="needed with apply")


class OptimiseOut(BaseModel):
    report: dict[str, Any]
    project: ProjectOut | None = None


class StockOut(BaseModel):
    items: list[dict[str, Any]]
    notices: list[str]


@router.post("/projects/{project_id}/hooks", response_model=dict[str, Any])
def hooks(ws: WS, project_id: str, body: HooksIn) -> dict[str, Any]:
    """Alternative hooks for the project's script (or topic), each scored with its reasons."""
    return ws.ideas.hooks(project_id, body.platform, body.count)


@router.post("/projects/{project_id}/optimise", response_model=OptimiseOut)
def optimise(ws: WS, project_id: str, body: OptimiseIn) -> OptimiseOut:
    """Suggestions with reasons for the project's script on a platform; ``apply`` saves the
    automatic ones (script, voice speed, caption style)."""
    report, saved = ws.ideas.optimise(
        project_id, body.platform, apply=body.apply, version=body.version
    )
    return OptimiseOut(report=report, project=saved)


@router.get("/stock/search", response_model=StockOut)
def stock_search(
    ws: WS,
    q: str = Query(min_length=1, max_length=200),
    kind: Literal["video", "photo"] = "video",
    provider: Literal["pexels", "pixabay"] | None = None,
    platform: str | None = Query(None, max_length=40),
    limit: int = Query(15, ge=1, le=80),
) -> StockOut:
    """Stock footage from the configured providers (empty when none is configured)."""
    items, notices = ws.ideas.stock_search(
        q, kind=kind, provider=provider, platform=platform, limit=limit
    )
    return StockOut(items=items, notices=notices)
