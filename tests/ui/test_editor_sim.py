"""The project editor's saving rules, driven through NiceGUI's simulated user (no browser):
autosave, undo of the last change, and a later save refused when another tab saved first."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from nicegui.testing import user_simulation

from video_orchestrator.config import Settings
from video_orchestrator.jobs.executor import ThreadExecutor
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.projects import ProjectCreate, ProjectUpdate
from video_orchestrator.services.worker import worker_runner
from video_orchestrator.services.workspace import Workspace
from video_orchestrator.ui import shell
from video_orchestrator.ui.env import UiEnv

pytestmark = pytest.mark.asyncio


async def eventually(check: Callable[[], bool], what: str, seconds: float = 10.0) -> None:
    """Wait (bounded) until ``check()`` holds: saves run in a worker thread."""
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


@pytest.fixture(params=["fake"])
def ws(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Workspace]:
    """A workspace whose language model is the fake one (``llm_providers=None``: none)."""
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


def page_for(ws: Workspace) -> object:
    env = UiEnv(services=lambda: ws)
    return lambda: shell.root(env)


async def test_a_field_saves_on_leaving_it_and_undo_restores_it(ws: Workspace) -> None:
    project = ws.projects.create(ProjectCreate(topic="bees"))
    async with user_simulation(root=page_for(ws)) as user:
        await user.open(f"/projects/{project.id}")
        await user.should_see(marker="topic", retries=100)
        topic = user.find(marker="topic")
        topic.clear().type("wasps").trigger("blur")
        await eventually(lambda: ws.projects.get(project.id).topic == "wasps", "topic saved")
        await user.should_see("All changes saved")

        user.find("Undo").click()
        await eventually(lambda: ws.projects.get(project.id).topic == "bees", "undone")
        await user.should_see("Undone")


async def test_a_later_save_is_told_about_the_conflict_and_overwrites_nothing(
    ws: Workspace,
) -> None:
    project = ws.projects.create(ProjectCreate(topic="bees"))
    async with user_simulation(root=page_for(ws)) as user:
        await user.open(f"/projects/{project.id}")
        await user.should_see(marker="topic", retries=100)
        # another tab saves first
        ws.projects.update(project.id, ProjectUpdate(version=project.version, topic="ants"))

        user.find(marker="topic").clear().type("wasps").trigger("blur")
        await user.should_see("Not saved: changed elsewhere", retries=100)
        assert ws.projects.get(project.id).topic == "ants"  # the other tab's save stands

        user.find("Load the newer version").click()
        await user.should_see("Reloaded")
        await user.should_see(marker="topic", content="ants")


@pytest.mark.parametrize("ws", [None], indirect=True)
async def test_without_a_model_the_script_tab_says_so_and_offers_the_ways_out(
    ws: Workspace,
) -> None:
    project = ws.projects.create(ProjectCreate(topic="why are octopuses so smart?"))
    async with user_simulation(root=page_for(ws)) as user:
        await user.open(f"/projects/{project.id}")
        await user.should_see("No script yet", retries=100)
        user.find("Generate script").click()
        await user.should_see("No script writer is configured", retries=100)
        await user.should_see("does not make up a script from a topic alone")
        await user.should_see("Open Settings (a local model or a key)")
        await user.should_see("Make a script from this material")
    assert ws.projects.get(project.id).script is None


async def test_generate_script_then_the_word_count_follows_the_edit(ws: Workspace) -> None:
    project = ws.projects.create(ProjectCreate(topic="the deep ocean"))
    async with user_simulation(root=page_for(ws)) as user:
        await user.open(f"/projects/{project.id}")
        await user.should_see("No script yet")
        user.find("Generate script").click()
        await user.should_see("Scene 1", retries=100)
        saved = ws.projects.get(project.id)
        assert saved.script is not None
        words = saved.script.word_count()
        await user.should_see(f"{words} words")

        hook = user.find(marker="hook")
        hook.clear().type("One two three.")
        expected = words - len(saved.script.hook.split()) + 3
        await user.should_see(f"{expected} words")
        hook.trigger("blur")

        def saved_hook() -> bool:
            script = ws.projects.get(project.id).script
            return script is not None and script.hook == "One two three."

        await eventually(saved_hook, "the new hook is saved")


async def test_an_empty_narration_is_refused_with_a_message_and_not_saved(
    ws: Workspace,
) -> None:
    project = ws.projects.create(ProjectCreate(topic="the deep ocean"))
    ws.studio.generate_script(project.id, project.version)
    before = ws.projects.get(project.id)
    assert before.script is not None
    async with user_simulation(root=page_for(ws)) as user:
        await user.open(f"/projects/{project.id}")
        await user.should_see("Scene 1", retries=100)
        scene = user.find(marker="narration", content=before.script.scenes[0].narration)
        scene.clear().trigger("blur")
        await user.should_see("Not saved", retries=100)
    assert ws.projects.get(project.id).version == before.version


async def test_an_unknown_project_says_so(ws: Workspace) -> None:
    async with user_simulation(root=page_for(ws)) as user:
        await user.open("/projects/nope")
        await user.should_see("This project cannot be opened.")


async def test_my_defaults_for_new_projects_are_used_by_new_project(ws: Workspace) -> None:
    async with user_simulation(root=page_for(ws)) as user:
        await user.open("/settings")
        await user.should_see("Defaults for your new projects", retries=100)
        (platform,) = user.find(marker="default-platform").elements
        platform.value = "youtube-shorts"  # as if picked in the list
        (language,) = user.find(marker="default-language").elements
        language.value = "de"
        await user.should_see("Saved: new projects in this browser start with these")

        await user.open("/")
        await user.should_see("New project", retries=100)
        user.find("New project").click()
        await user.should_see("Material")
        user.find(marker="new-topic").type("Vulkane")
        user.find(marker="create-project").click()
        await eventually(lambda: ws.projects.find().total == 1, "the project is created")
    (made,) = ws.projects.find().items
    assert made.platforms == ["youtube-shorts"] and made.language == "de"
