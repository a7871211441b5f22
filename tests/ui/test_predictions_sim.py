"""Predictions in the studio through NiceGUI's simulated user (ADR 0043): with 19 videos the
Analytics page's Predictions section says why there is no prediction yet, in one line, with
the counts; the editor's Export tab says the same in one short line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from nicegui.testing import user_simulation

from tests.prediction_history import draft_fields, planted, store_history
from tests.ui.test_editor_sim import page_for
from video_orchestrator.config import Settings
from video_orchestrator.jobs.executor import ThreadExecutor
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.projects import ProjectCreate
from video_orchestrator.services.worker import worker_runner
from video_orchestrator.services.workspace import Workspace

pytestmark = pytest.mark.asyncio


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    config = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    ctx = AppContext(config)
    workspace = Workspace(ctx, executor=ThreadExecutor(config, ctx.db, worker_runner, workers=0))
    yield workspace
    ctx.db.dispose()


async def test_too_little_history_is_said_in_one_line(ws: Workspace) -> None:
    store_history(ws.ctx.db, planted(19, seed=41))
    draft = ws.projects.create(ProjectCreate.model_validate(draft_fields("pop"))).id
    async with user_simulation(root=page_for(ws)) as user:
        await user.open("/analytics")
        await user.should_see(marker="prediction-refusal", retries=200)
        await user.should_see(
            "No prediction yet: 19 of the 20 published videos with metrics it needs."
        )
        await user.should_see("Learned from 19 videos at 7 days (19 linked to a project).")

        await user.open(f"/projects/{draft}")
        await user.should_see(
            "No prediction yet: 19 of the 20 published videos with metrics it needs.",
            retries=200,
        )
