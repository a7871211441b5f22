"""The phone-shaped draft preview beside the editor (NiceGUI's simulated user, the real
renderer, the fake voice): it is made when the editor opens and made again after a saved
change, and the new draft is a new file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing import User, user_simulation

from tests.ui.test_editor_sim import eventually
from tests.ui.test_tabs_media import WAIT, page_for
from video_orchestrator.config import Settings
from video_orchestrator.domain.script import Scene, Script
from video_orchestrator.jobs.executor import ThreadExecutor
from video_orchestrator.providers.fake.tts import FakeTTS
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.projects import ProjectCreate, ProjectUpdate
from video_orchestrator.services.worker import worker_runner
from video_orchestrator.services.workspace import Workspace

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    config = Settings(
        data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", default_voice="fake:fake-en"
    )
    ctx = AppContext(config, tts={"fake": FakeTTS()})
    yield Workspace(ctx, executor=ThreadExecutor(config, ctx.db, worker_runner, workers=0))
    ctx.db.dispose()


def player_src(user: User) -> str:
    with user.client:
        players = [e for e in user.find(kind=ui.element).elements if "draft-player" in e.classes]
    return str(players[0].props.get("src", "")) if players else ""


async def test_the_draft_is_made_on_opening_and_again_after_an_edit(ws: Workspace) -> None:
    made = ws.projects.create(ProjectCreate(topic="the sea"))
    script = Script(
        topic="the sea",
        title="The sea",
        hook="Waves never stop.",
        scenes=[Scene(narration="They roll."), Scene(narration="They break.")],
    )
    project = ws.projects.update(made.id, ProjectUpdate(version=made.version, script=script))
    previews = ws.ctx.settings.cache_dir / "previews"
    async with user_simulation(root=page_for(ws)) as user:
        await user.open(f"/projects/{project.id}")
        await user.should_see("Draft of your latest edits", retries=WAIT * 3)
        first = player_src(user)
        assert first.endswith(".mp4") and "/media/preview/" in first
        with user.client:  # a button per scene jumps to it
            jumps = [b.props.get("aria-label") for b in user.find(kind=ui.button).elements]
        assert "Play scene 2 in the preview" in jumps
        assert len(list(previews.glob("*.mp4"))) == 1

        topic = user.find(marker="topic")
        topic.clear().type("the ocean").trigger("blur")
        await eventually(lambda: ws.projects.get(project.id).topic == "the ocean", "saved")
        await eventually(lambda: len(list(previews.glob("*.mp4"))) == 2, "a new draft", 90)
        await eventually(lambda: player_src(user) not in ("", first), "the new draft shown", 10)
