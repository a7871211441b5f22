"""The Experiments page (ADR 0036): a bad form is told in the page and creates nothing; an
experiment made from a project with two caption styles is listed and opened; with its
videos linked, Analyse shows the plain-words verdict with its numbers and Render queues the
variants as one batch. NiceGUI's simulated user over a real workspace (SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from nicegui.testing import user_simulation

from tests.analytics.test_experiment_runs import HEADER, POSTS, _posts
from tests.analytics_exports import csv_text, encoded
from tests.ui.test_editor_sim import eventually, page_for
from video_orchestrator.config import Settings
from video_orchestrator.jobs.executor import ThreadExecutor
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.experiment_runs import LinkIn
from video_orchestrator.services.projects import ProjectCreate
from video_orchestrator.services.worker import worker_runner
from video_orchestrator.services.workspace import Workspace

pytestmark = pytest.mark.asyncio


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    config = Settings(
        data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", default_voice="fake:fake-en"
    )
    ctx = AppContext(config)
    workspace = Workspace(ctx, executor=ThreadExecutor(config, ctx.db, worker_runner, workers=0))
    workspace.experiments.clock = lambda: datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    yield workspace
    ctx.db.dispose()


async def test_create_open_analyse_and_render(ws: Workspace) -> None:
    project = ws.projects.create(ProjectCreate(topic="why the deep ocean glows"))
    async with user_simulation(root=page_for(ws)) as user:
        await user.open("/experiments")
        await user.should_see("No experiments yet", retries=100)
        (chooser,) = user.find(marker="experiment-project").elements
        chooser.value = project.id  # as if picked in the list
        user.find(marker="create-experiment").click()
        await user.should_see("give at least one factor two levels")
        assert ws.experiments.find() == []

        (styles,) = user.find(marker="experiment-styles").elements
        styles.value = ["karaoke", "pop"]
        user.find(marker="create-experiment").click()
        await eventually(lambda: len(ws.experiments.find()) == 1, "the experiment is created")
        (made,) = ws.experiments.find()
        await user.should_see("all 2 combinations", retries=100)  # opened: its design

        rows = _posts(seed=5, lift=0.20)
        ws.analytics.metrics.import_file(encoded(csv_text([HEADER, *rows])), "posts.csv")
        for remote_id in dict.fromkeys(str(row[1]) for row in rows):
            ws.experiments.link(
                made.id, LinkIn(variant=remote_id[0], platform="tiktok", remote_id=remote_id)
            )
        user.find("Analyse").click()
        await user.should_see("B is better than A with", retries=100)
        await user.should_see("chance to beat")  # the numbers under the sentence
        await user.should_see("B's videos:")
        await user.should_see(f"tiktok:{rows[POSTS * 3][1]}")
        assert ws.experiments.get(made.id).winner == "B"

        user.find("Render all variants").click()
        await eventually(
            lambda: ws.experiments.get(made.id).batch_id is not None, "the batch is queued"
        )
        await user.should_see("Rendering", retries=100)
