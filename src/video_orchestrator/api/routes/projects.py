"""Projects: CRUD, duplicate, script generation, render submission."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from video_orchestrator.api.deps import WS
from video_orchestrator.services.jobs import JobOut
from video_orchestrator.services.projects import (
    ProjectCreate,
    ProjectOut,
    ProjectPage,
    ProjectUpdate,
)
from video_orchestrator.services.usage import UsageOut

router = APIRouter(prefix="/projects", tags=["projects"])

ProjectId = str


class DuplicateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=200)


class VersionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1, description="the project version the client has")


class ScriptOut(BaseModel):
    project: ProjectOut
    source: str = Field(description="llm, template or user")
    notice: str | None = None


class RenderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    platforms: list[str] | None = Field(
        None, min_length=1, max_length=8, description="default: the project's platforms"
    )


@router.get("", response_model=ProjectPage)
def list_projects(
    ws: WS,
    q: str | None = Query(None, max_length=200, description="search name and topic"),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> ProjectPage:
    return ws.projects.find(query=q, limit=limit, offset=offset)


@router.post("", response_model=ProjectOut, status_code=status.HTTP_201_CREATED)
def create_project(ws: WS, body: ProjectCreate, response: Response) -> ProjectOut:
    project = ws.projects.create(body)
    response.headers["Location"] = f"/projects/{project.id}"
    return project


@router.get("/{project_id}", response_model=ProjectOut)
def get_project(ws: WS, project_id: ProjectId) -> ProjectOut:
    return ws.projects.get(project_id)


@router.patch(
    "/{project_id}",
    response_model=ProjectOut,
    responses={409: {"description": "the project changed since the client read it"}},
)
def update_project(ws: WS, project_id: ProjectId, body: ProjectUpdate) -> ProjectOut:
    return ws.projects.update(project_id, body)


@router.delete("/{project_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_project(ws: WS, project_id: ProjectId) -> Response:
    ws.delete_project(project_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{project_id}/duplicate", response_model=ProjectOut, status_code=status.HTTP_201_CREATED
)
def duplicate_project(ws: WS, project_id: ProjectId, body: DuplicateIn) -> ProjectOut:
    return ws.projects.duplicate(project_id, body.name)


@router.post("/{project_id}/script/generate", response_model=ScriptOut)
def generate_script(ws: WS, project_id: ProjectId, body: VersionIn) -> ScriptOut:
    outcome = ws.studio.generate_script(project_id, body.version)
    return ScriptOut(project=outcome.project, source=outcome.source, notice=outcome.notice)


@router.post("/{project_id}/script/scenes/{index}/regenerate", response_model=ScriptOut)
def regenerate_scene(ws: WS, project_id: ProjectId, index: int, body: VersionIn) -> ScriptOut:
    outcome = ws.studio.regenerate_scene(project_id, index, body.version)
    return ScriptOut(project=outcome.project, source=outcome.source, notice=outcome.notice)


@router.get("/{project_id}/usage", response_model=UsageOut)
def usage(ws: WS, project_id: ProjectId) -> UsageOut:
    """Language-model calls, tokens and cost charged to the project."""
    return ws.usage.for_project(project_id)


@router.post(
    "/{project_id}/renders",
    response_model=list[JobOut],
    status_code=status.HTTP_202_ACCEPTED,
)
def render_project(ws: WS, project_id: ProjectId, body: RenderIn) -> list[JobOut]:
    return ws.jobs.submit_project(project_id, body.platforms)
