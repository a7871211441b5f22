"""Clips uploaded to the library go to the scenes their names match (the CLI's keyword
matcher), the match is shown on the scene card, a scene the user chose for keeps its choice,
and a clip dropped on a scene becomes its background (NiceGUI's simulated user)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing import User, user_simulation

from tests.media import make_video
from tests.ui.test_tabs_media import WAIT, page_for, upload
from video_orchestrator.config import Settings
from video_orchestrator.domain.script import Scene, Script
from video_orchestrator.jobs.executor import ThreadExecutor
from video_orchestrator.providers.fake.tts import FakeTTS
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.projects import ProjectCreate, ProjectOut, ProjectUpdate
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


def ocean_project(ws: Workspace) -> ProjectOut:
    project = ws.projects.create(ProjectCreate(topic="the deep ocean"))
    script = Script(
        topic="the deep ocean",
        title="The deep ocean",
        hook="The ocean is deeper than you think.",
        scenes=[
            Scene(narration="Octopuses have three hearts.", keywords=["octopuses", "hearts"]),
            Scene(narration="Whales sing for hours.", keywords=["whales", "song"]),
            Scene(narration="Jellyfish glow in the dark.", keywords=["jellyfish", "glow"]),
        ],
        call_to_action="Follow for more.",
    )
    return ws.projects.update(project.id, ProjectUpdate(version=project.version, script=script))


def labels_with(user: User, css: str) -> list[str]:
    with user.client:
        labels = user.find(kind=ui.label).elements
    return [label.text for label in sorted(labels, key=lambda e: e.id) if css in label.classes]


async def test_an_upload_named_after_a_scene_goes_to_that_scene_and_says_why(
    ws: Workspace, tmp_path: Path
) -> None:
    project = ocean_project(ws)
    octopus = make_video(tmp_path / "octopus-ocean.mp4", width=180, height=320, seconds=1.0)
    other = make_video(tmp_path / "city-lights.mp4", width=160, height=288, seconds=1.0)
    async with user_simulation(root=page_for(ws)) as user:
        await user.open(f"/projects/{project.id}")
        await upload(user, "library-upload", "city-lights.mp4", other.read_bytes(), "video/mp4")
        await user.should_see("1 clip or picture", retries=WAIT)
        assert ws.projects.get(project.id).background.assets == []  # no scene names a city

        await upload(user, "library-upload", "octopus-ocean.mp4", octopus.read_bytes(), "video/mp4")
        await user.should_see("Matched by keywords: scene 1 ← octopus-ocean.mp4", retries=WAIT)
        clip = next(a for a in ws.assets.find(kind="video").items if a.filename.startswith("oct"))
        assert ws.projects.get(project.id).background.assets == [clip.id]
        await user.should_see("matched by “octopus”", retries=WAIT)
        assert labels_with(user, "scene-choice")[:3] == [
            "octopus-ocean.mp4",
            "Generated background",
            "Generated background",
        ]


async def test_a_scene_the_user_chose_for_keeps_its_choice(ws: Workspace, tmp_path: Path) -> None:
    project = ocean_project(ws)
    reef = make_video(tmp_path / "reef.mp4", width=180, height=320, seconds=1.0)
    jelly = make_video(tmp_path / "jellyfish.mp4", width=160, height=288, seconds=1.0)
    async with user_simulation(root=page_for(ws)) as user:
        await user.open(f"/projects/{project.id}")
        await upload(user, "library-upload", "reef.mp4", reef.read_bytes(), "video/mp4")
        await user.should_see("1 clip or picture", retries=WAIT)
        user.find(marker="choose-scene-3").click()
        user.find("Use for scene 3").click()
        await user.should_see("Scene 3 shows reef.mp4", retries=WAIT)

        await upload(user, "library-upload", "jellyfish.mp4", jelly.read_bytes(), "video/mp4")
        await user.should_see("2 clips and pictures", retries=WAIT)
        (chosen,) = [a for a in ws.assets.find(kind="video").items if a.filename == "reef.mp4"]
        assert ws.projects.get(project.id).background.assets == [None, None, chosen.id]


async def test_a_clip_dropped_on_a_scene_becomes_its_background(
    ws: Workspace, tmp_path: Path
) -> None:
    project = ocean_project(ws)
    clip = make_video(tmp_path / "sunset.mp4", width=180, height=320, seconds=1.0)
    async with user_simulation(root=page_for(ws)) as user:
        await user.open(f"/projects/{project.id}")
        await upload(user, "library-upload", "sunset.mp4", clip.read_bytes(), "video/mp4")
        await user.should_see("1 clip or picture", retries=WAIT)
        (asset,) = ws.assets.find(kind="video").items
        with user.client:
            cards = [
                c
                for c in user.find(kind=ui.card).elements
                if c.props.get("aria-label") == "Scene 2 background"
            ]
        (card,) = cards
        # the browser's drop event, as the scene's listener emits it (the asset id dragged)
        drops = [lis for lis in card._event_listeners.values() if lis.type == "drop"]
        assert len(drops) == 1
        with user.client:
            card._handle_event({"listener_id": drops[0].id, "args": asset.id})
        await user.should_see("Scene 2 shows sunset.mp4", retries=WAIT)
    assert ws.projects.get(project.id).background.assets == [None, asset.id]
