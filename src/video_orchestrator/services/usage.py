"""Token and cost accounting per project: every script request's language-model use is
recorded against its project, and summed on request."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from video_orchestrator.services.projects import ProjectService, new_id
from video_orchestrator.store import Database
from video_orchestrator.store.tables import LLMUsage


class ProviderUsage(BaseModel):
    provider: str
    model: str
    calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: float | None


class UsageOut(BaseModel):
    project_id: str
    calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: float | None  # None when some call's price is unknown
    by_model: list[ProviderUsage]


class UsageService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(
        self,
        project_id: str | None,
        report: dict[str, Any] | None,
        *,
        purpose: str,
        job_id: str | None = None,
    ) -> None:
        """Store the ``llm`` record of a script request (see ``pipeline.script.llm_report``)."""
        if not report or not report.get("calls"):
            return
        with self.db.session() as session:
            session.add(
                LLMUsage(
                    id=new_id(),
                    project_id=project_id,
                    job_id=job_id,
                    purpose=purpose,
                    provider=report.get("provider"),
                    model=report.get("model"),
                    calls=int(report.get("calls") or 0),
                    input_tokens=report.get("input_tokens"),
                    output_tokens=report.get("output_tokens"),
                    cost_usd=report.get("cost_usd"),
                    cached=bool(report.get("cached")),
                )
            )

    def for_project(self, project_id: str) -> UsageOut:
        ProjectService(self.db).get(project_id)  # 404 for an unknown project
        with self.db.session() as session:
            rows = session.scalars(select(LLMUsage).where(LLMUsage.project_id == project_id)).all()
            groups: dict[tuple[str, str], list[LLMUsage]] = {}
            for row in rows:
                groups.setdefault((row.provider or "?", row.model or "?"), []).append(row)
            by_model = [
                ProviderUsage(
                    provider=provider,
                    model=model,
                    calls=sum(r.calls for r in group),
                    input_tokens=sum(r.input_tokens or 0 for r in group),
                    output_tokens=sum(r.output_tokens or 0 for r in group),
                    cost_usd=None
                    if any(r.cost_usd is None and not r.cached for r in group)
                    else round(sum(r.cost_usd or 0.0 for r in group), 8),
                )
                for (provider, model), group in sorted(groups.items())
            ]
        costs = [m.cost_usd for m in by_model]
        return UsageOut(
            project_id=project_id,
            calls=sum(m.calls for m in by_model),
            input_tokens=sum(m.input_tokens for m in by_model),
            output_tokens=sum(m.output_tokens for m in by_model),
            cost_usd=None if any(c is None for c in costs) else round(sum(costs), 8),  # type: ignore[arg-type]
            by_model=by_model,
        )
