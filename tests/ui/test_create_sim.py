"""Create writes the script at once (issue 13): from a topic with a language model the
editor opens and the script is written without a second click; without one the no-writer card
is there at once; from material the offline writer makes it in the dialog; a template keeps
its promise (genre, scene count, caption style, music mood). NiceGUI's simulated user, the
fake language model (deterministic, no network)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from nicegui.testing import user_simulation

from tests.ui.test_editor_sim import eventually, page_for
from video_orchestrator.config import Settings
from video_orchestrator.jobs.executor import ThreadExecutor
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.facade import project_templates
from video_orchestrator.services.studio import ScriptDraft
from video_orchestrator.services.worker import worker_runner
from video_orchestrator.services.workspace import Workspace

pytestmark = pytest.mark.asyncio

MATERIAL = (
    "The deep ocean begins about 200 metres down, where sunlight fades to nothing. "
    "Below 1,000 metres there is no sunlight at all, and the water stays near freezing. "
    "The pressure at the bottom of the Mariana Trench is more than 1,000 times that at the "
    "surface. Many animals there make their own light, a glow called bioluminescence."
)


@pytest.fixture(params=["fake"])
def ws(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Workspace]:
    config = Settings(
        data_dir=tmp_path / "data",
        cache_dir=tmp_path / "cache",
        default_voice="fake:fake-en",
        llm_providers=request.param,
    )
    ctx = AppContext(config)
    workspace = Workspace(ctx, executor=ThreadExecutor(config, ctx.db, worker_runner, workers=0))
    yield workspace
    ctx.db.dispose()


async def create(user: object, tab: str) -> None:
    await user.open("/")  # type: ignore[attr-defined]
    await user.should_see("New project", retries=100)  # type: ignore[attr-defined]
    user.find("New project").click()  # type: ignore[attr-defined]
    await user.should_see("Material")  # type: ignore[attr-defined]
    user.find(tab).click()  # type: ignore[attr-defined]


async def test_create_from_a_topic_writes_the_script_without_a_second_click(
    ws: Workspace,
) -> None:
    async with user_simulation(root=page_for(ws)) as user:
        await create(user, "Topic")
        user.find(marker="new-topic").type("the deep ocean")
        user.find(marker="create-project").click()
        await eventually(lambda: ws.projects.find().total == 1, "the project is created")
        (made,) = ws.projects.find().items
        await eventually(
            lambda: ws.projects.get(made.id).script is not None, "the script is written", 20
        )
        await user.should_see("Scene 1", retries=100)
    assert ws.projects.get(made.id).topic == "the deep ocean"


@pytest.mark.parametrize("ws", [None], indirect=True)
async def test_create_from_a_topic_without_a_model_shows_the_no_writer_card_at_once(
    ws: Workspace,
) -> None:
    async with user_simulation(root=page_for(ws)) as user:
        await create(user, "Topic")
        await user.should_see("this needs a language model")
        user.find(marker="new-topic").type("the deep ocean")
        user.find(marker="create-project").click()
        await user.should_see("No script writer is configured", retries=100)
    (made,) = ws.projects.find().items
    assert ws.projects.get(made.id).script is None


@pytest.mark.parametrize("ws", [None], indirect=True)
async def test_create_from_material_makes_the_script_offline(ws: Workspace) -> None:
    async with user_simulation(root=page_for(ws)) as user:
        await create(user, "Material")
        user.find("Article, notes or a web address").type(MATERIAL)
        user.find(marker="create-project").click()
        await user.should_see("Scene 1", retries=100)
    (made,) = ws.projects.find().items
    script = ws.projects.get(made.id).script
    assert script is not None
    spoken = " ".join([script.hook, *(s.narration for s in script.scenes)])
    assert "bioluminescence" in spoken or "Mariana Trench" in spoken  # its own sentences


@pytest.mark.parametrize("ws", [None], indirect=True)
async def test_empty_material_is_refused_in_the_dialog_and_nothing_is_made(
    ws: Workspace,
) -> None:
    async with user_simulation(root=page_for(ws)) as user:
        await create(user, "Material")
        user.find(marker="create-project").click()
        await user.should_see("Paste some text or an address, or choose a file.")
        user.find("Article, notes or a web address").type("Too short.")
        user.find(marker="create-project").click()
        await asyncio.sleep(0.5)
    assert ws.projects.find().total == 0


@pytest.mark.parametrize("name", [t.name for t in project_templates()])
async def test_a_template_delivers_its_genre_scene_count_caption_style_and_music(
    ws: Workspace, name: str
) -> None:
    template = next(t for t in project_templates() if t.name == name)
    async with user_simulation(root=page_for(ws)) as user:
        await create(user, "Template")
        await user.should_see(f"{name}: {template.description}")
        user.find(f"{name}: {template.description}").click()
        user.find(marker="create-project").click()
        await eventually(lambda: ws.projects.find().total == 1, "the project is created")
        (made,) = ws.projects.find().items
        await eventually(
            lambda: ws.projects.get(made.id).script is not None, "the script is written", 20
        )
    project = ws.projects.get(made.id)
    assert project.script is not None
    assert len(project.script.scenes) == template.scenes
    assert project.genre == template.genre
    assert project.captions.style == template.caption_style
    assert project.audio.music == template.music
    assert project.platforms == list(template.platforms)


async def test_writing_can_be_cancelled_and_the_late_answer_is_dropped(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    write = ws.studio.write_script

    def slow(project_id: str, *, scenes: int | None = None) -> ScriptDraft:
        release.wait(10)  # a model that takes its time
        return write(project_id, scenes=scenes)

    monkeypatch.setattr(ws.studio, "write_script", slow)
    async with user_simulation(root=page_for(ws)) as user:
        await create(user, "Topic")
        user.find(marker="new-topic").type("the deep ocean")
        user.find(marker="create-project").click()
        await user.should_see("Writing the script about", retries=100)
        user.find("Cancel").click()
        await user.should_see("Stopped: the script was not changed")
        release.set()
        await asyncio.sleep(1.0)  # the answer arrives after the cancel
        await user.should_see("Generate script")
    (made,) = ws.projects.find().items
    assert ws.projects.get(made.id).script is None
