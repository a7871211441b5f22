"""Hooks, platform optimisation and stock search for a stored project: what the API and the
UI call (the CLI uses the file-based functions in ``services.facade``)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from video_orchestrator.errors import ConfigError, InputError, NotFoundError
from video_orchestrator.pipeline.hooks import HookLibrary
from video_orchestrator.ports.media import StockItem
from video_orchestrator.services.assets import AssetOut, AssetService
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.hooks import HooksRequest, generate_hooks
from video_orchestrator.services.optimise import OptimiseRequest, optimise
from video_orchestrator.services.projects import ProjectOut, ProjectService, ProjectUpdate
from video_orchestrator.spec.options import CaptionSettings, VoiceSettings

RECENT_ITEMS = 2000


class Ideas:
    def __init__(
        self, ctx: AppContext, *, hook_library: Callable[[], HookLibrary] | None = None
    ) -> None:
        """``hook_library``: the hook library to score with, asked for at each request (the
        workspace's learned weights, ADR 0044); default the shipped one."""
        self.ctx = ctx
        self.hook_library = hook_library
        self.projects = ProjectService(ctx.db)
        # stock items this process has shown, so an import needs no new search (and the
        # download URL always comes from the provider, never from a client)
        self._recent: OrderedDict[tuple[str, str], StockItem] = OrderedDict()
        self._lock = threading.Lock()

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
            library=self.hook_library() if self.hook_library is not None else None,
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
            hook_library=self.hook_library() if self.hook_library is not None else None,
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
                    captions=CaptionSettings.model_validate(
                        {**project.captions.model_dump(), "style": applied.caption_style}
                    ),
                ),
            )
        return report.to_dict(), saved

    def stock_search(
        self, text: str, *, kind: str, provider: str | None, platform: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], list[str]]:
        from video_orchestrator.services.facade import stock_search

        if not self.ctx.settings.stock_providers and provider is None:
            return [], []
        try:
            items, notices = stock_search(
                self.ctx, text, kind=kind, provider=provider, platform=platform, limit=limit
            )
        except ConfigError as exc:  # asked for a provider that has no key: nothing to retry
            raise InputError(str(exc)) from exc
        self._remember(items)
        return [
            {**asdict(item), "attribution": item.attribution(), "tags": list(item.tags)}
            for item in items
        ], notices

    def _remember(self, items: list[StockItem]) -> None:
        with self._lock:
            for item in items:
                self._recent[(item.provider, item.id)] = item
                self._recent.move_to_end((item.provider, item.id))
            while len(self._recent) > RECENT_ITEMS:
                self._recent.popitem(last=False)

    def import_stock(
        self, assets: AssetService, provider: str, item_id: str, query: str, kind: str
    ) -> tuple[AssetOut, bool]:
        """Download a stock item found by a search into the asset library, with its
        attribution and licence. ``query`` finds it again when this process has not seen it."""
        with self._lock:
            item = self._recent.get((provider, item_id))
        if item is None:
            self.stock_search(query, kind=kind, provider=provider, platform=None, limit=80)
            with self._lock:
                item = self._recent.get((provider, item_id))
        if item is None:
            raise NotFoundError(
                f"{provider} has no {kind} {item_id} among the results for {query!r}: "
                "search again and pick one of its results"
            )
        clip = self.ctx.stock.fetch(item)
        name = f"{item.provider}-{item.id}{clip.path.suffix}"
        return assets.add_file(
            clip.path,
            name,
            source="stock",
            source_url=item.page_url or None,
            attribution=f"{item.attribution()} ({item.licence})"
            if item.licence
            else item.attribution(),
        )
