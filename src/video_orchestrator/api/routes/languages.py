"""A project's language versions (ADR 0039): add (translate and adapt), edit, remove, and
render every language in one batch."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from video_orchestrator.api.deps import WS
from video_orchestrator.domain.language_version import LanguageVersion
from video_orchestrator.services.jobs import JobOut
from video_orchestrator.services.language_versions import VersionAdd, VersionEdit
from video_orchestrator.services.projects import ProjectOut

router = APIRouter(prefix="/projects/{project_id}/languages", tags=["languages"])


class VersionOut(BaseModel):
    project: ProjectOut
    language: LanguageVersion
    made: str = Field(description="how the version was made, in one line")
    notice: str | None = Field(None, description="e.g. no installed voice speaks the language")


class LanguagesRenderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    languages: list[str] | None = Field(
        None, min_length=1, max_length=8, description="default: the project's own and every version"
    )
    platforms: list[str] | None = Field(
        None, min_length=1, max_length=8, description="default: the project's platforms"
    )


@router.get("", response_model=list[LanguageVersion])
def list_versions(ws: WS, project_id: str) -> list[LanguageVersion]:
    return ws.languages.all(project_id)


@router.post("", response_model=VersionOut, status_code=status.HTTP_201_CREATED)
def add_version(ws: WS, project_id: str, body: VersionAdd) -> VersionOut:
    done = ws.languages.add(project_id, body)
    made = done.version.describe()
    return VersionOut(project=done.project, language=done.version, made=made, notice=done.notice)


@router.get("/{language}", response_model=LanguageVersion)
def get_version(ws: WS, project_id: str, language: str) -> LanguageVersion:
    return ws.languages.get(project_id, language)


@router.patch("/{language}", response_model=VersionOut)
def edit_version(ws: WS, project_id: str, language: str, body: VersionEdit) -> VersionOut:
    done = ws.languages.edit(project_id, language, body)
    return VersionOut(project=done.project, language=done.version, made=done.version.describe())


@router.delete("/{language}", status_code=status.HTTP_204_NO_CONTENT)
def remove_version(ws: WS, project_id: str, language: str, version: int = Query(ge=1)) -> Response:
    ws.languages.remove(project_id, language, version)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/renders", response_model=list[JobOut], status_code=status.HTTP_202_ACCEPTED)
def render_languages(ws: WS, project_id: str, body: LanguagesRenderIn) -> list[JobOut]:
    return ws.languages.render(project_id, body.languages, body.platforms)
