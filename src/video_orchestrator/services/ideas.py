"""Hooks, platform optimisation and stock search for a stored project: what the API and the
UI call (the CLI uses the file-based functions in ``services.api``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from video_orchestrator.errors import ConfigError, InputError
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.hooks import HooksRequest, generate_hooks
from video_orchestrator.services.optimise import OptimiseRequest, optimise
from video_orchestrator.services.projects import (
    CaptionSettings,
    ProjectOut,
    ProjectService,
    ProjectUpdate,
    VoiceSettings,
)


class Ideas:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.projects = ProjectService(ctx.db)

    def hooks(self, project_id: str, platform: str | None, count: int) -> dict[str, Any]:
        project = self.projects.get(project_id)
        script_text = project.script.model_dump_json() if project.script else None
        if script_text is None and not project.topic.strip():
            raise InputError("the project has neither a script nor a topic to write hooks for")
        result = generate_hooks(
            self.ctx,
            HooksRequest(
                topic=project.topic or None,
                script_text=script_text,
                platform=platform or project.platforms[0],
                count=count,
                language=project.language,
            ),
        )
        return {
            "source": result.source,
            "notice": result.notice,
            "current": result.current.to_dict() if result.current else None,
            "hooks": [hook.to_dict() for hook in result.hooks],
        }

    def optimise(
        self, project_id: str, platform: str | None, *, apply: bool, version: int | None
    ) -> tuple[dict[str, Any], ProjectOut | None]:
        project = self.projects.get(project_id)
        if project.script is None:
            raise InputError("the project has no script yet: generate or write one first")
        if apply and version is None:
            raise InputError("applying the suggestions changes the project: send its version")
        report = optimise(
            self.ctx,
            OptimiseRequest(
                script_text=project.script.model_dump_json(),
                platform=platform or project.platforms[0],
                speed=project.voice.speed,
                caption_style=project.captions.style,
                topic=project.topic or None,
                language=project.language,
            ),
            apply_changes=apply,
        )
        saved = None
        if apply and report.applied is not None and version is not None:
            applied = report.applied
            saved = self.projects.update(
                project_id,
                ProjectUpdate(
                    version=version,
                    script=applied.script,
                    voice=VoiceSettings(voice=project.voice.voice, speed=applied.speed),
                    captions=CaptionSettings.model_validate({"style": applied.caption_style}),
                ),
            )
        return report.to_dict(), saved

    def stock_search(
        self, text: str, *, kind: str, provider: str | None, platform: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], list[str]]:
        from video_orchestrator.services.api import stock_search

        if not self.ctx.settings.stock_providers and provider is None:
            return [], []
        try:
            items, notices = stock_search(
                self.ctx, text, kind=kind, provider=provider, platform=platform, limit=limit
            )
        except ConfigError as exc:  # asked for a provider that has no key: nothing to retry
            raise InputError(str(exc)) from exc
        return [
            {**asdict(item), "attribution": item.attribution(), "tags": list(item.tags)}
            for item in items
        ], notices
