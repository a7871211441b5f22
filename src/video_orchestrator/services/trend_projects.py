"""Create from a trend, and refresh a project from its trend's latest evidence (ADR 0030).

One action makes a project whose script is written from the trend's evidence
(``pipeline/trend_script.py``: the offline extractive writer, or a language model told to
keep to the sources), with the evidence's links in the script's description (so in the
video's metadata and the post) and in ``trend_projects`` beside the project. "Refresh"
rewrites the script of such a project from the evidence gathered since, as an edit of the
project (its version guards a concurrent edit in the studio).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from video_orchestrator.errors import InputError, NotFoundError
from video_orchestrator.pipeline.trend_script import Evidence, TrendScript, chosen
from video_orchestrator.pipeline.trend_script import script_from_evidence as write
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.projects import (
    ProjectCreate,
    ProjectOut,
    ProjectService,
    ProjectUpdate,
)
from video_orchestrator.services.trends import TrendDetail, TrendService
from video_orchestrator.services.usage import UsageService
from video_orchestrator.store.tables import TrendProject, utcnow


class TrendProjectOut(BaseModel):
    project: ProjectOut
    trend_id: str | None
    links: list[dict[str, Any]]
    script_source: str
    notice: str | None = None


def _evidence(trend: TrendDetail) -> list[Evidence]:
    return [
        Evidence(
            title=e.title, url=e.url, publisher=e.publisher or e.source_label, summary=e.summary
        )
        for e in trend.evidence
    ]


def _links(evidence: list[Evidence]) -> list[dict[str, Any]]:
    return [{"title": e.title, "url": e.url, "publisher": e.publisher} for e in chosen(evidence)]


class TrendProjects:
    def __init__(self, ctx: AppContext, trends: TrendService) -> None:
        self.ctx = ctx
        self.trends = trends
        self.projects = ProjectService(ctx.db)

    def _write(self, trend: TrendDetail, language: str, target: int | None) -> TrendScript:
        return write(
            trend.title,
            _evidence(trend),
            language=language,
            target_seconds=target or 40,
            words_per_minute=self.ctx.words_per_minute,
            llm=self.ctx.llm,
        )

    def create(
        self,
        trend_id: str,
        *,
        platform: str = "tiktok",
        language: str | None = None,
        target_seconds: int | None = None,
        name: str | None = None,
    ) -> TrendProjectOut:
        trend = self.trends.get(trend_id)
        language = language or trend.language or "en"
        written = self._write(trend, language, target_seconds)
        data = ProjectCreate(
            name=name or written.script.title,
            topic=written.script.topic,
            language=language,
            platforms=[platform],
            target_seconds=target_seconds,
            script=written.script,
        )
        links = _links(_evidence(trend))
        with self.ctx.db.session() as session:
            row = ProjectService.add(session, data)
            session.flush()
            session.add(TrendProject(project_id=row.id, trend_id=trend.id, links=links))
            session.flush()
            project = ProjectOut.model_validate(row)
        UsageService(self.ctx.db).record(project.id, written.llm, purpose="script")
        return TrendProjectOut(
            project=project,
            trend_id=trend.id,
            links=links,
            script_source=written.source,
            notice=written.notice,
        )

    def refresh(self, project_id: str, *, version: int | None = None) -> TrendProjectOut:
        """The project's script written again from its trend's latest evidence."""
        with self.ctx.db.session() as session:
            link = session.get(TrendProject, project_id)
            if link is None:
                raise NotFoundError(f"the project {project_id} was not made from a trend")
            trend_id = link.trend_id
        if trend_id is None:
            raise InputError("the trend this project was made from is no longer kept")
        project = self.projects.get(project_id)
        trend = self.trends.get(trend_id)
        written = self._write(trend, project.language, project.target_seconds)
        updated = self.projects.update(
            project_id,
            ProjectUpdate(version=version or project.version, script=written.script),
        )
        links = _links(_evidence(trend))
        with self.ctx.db.session() as session:
            row = session.get(TrendProject, project_id)
            if row is not None:
                row.links, row.refreshed_at = links, utcnow()
        UsageService(self.ctx.db).record(project_id, written.llm, purpose="script")
        return TrendProjectOut(
            project=updated,
            trend_id=trend_id,
            links=links,
            script_source=written.source,
            notice=written.notice,
        )

    def links(self, project_id: str) -> list[dict[str, Any]]:
        with self.ctx.db.session() as session:
            row = session.get(TrendProject, project_id)
            if row is None:
                raise NotFoundError(f"the project {project_id} was not made from a trend")
            return list(row.links)

    def projects_of(self, trend_id: str) -> list[str]:
        with self.ctx.db.session() as session:
            return list(
                session.scalars(
                    select(TrendProject.project_id).where(TrendProject.trend_id == trend_id)
                )
            )
