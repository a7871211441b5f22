"""The Captions and Export tabs, the Queue and the Settings page through NiceGUI's simulated
user, on a real workspace (SQLite in a temporary folder, the real renderer, worker threads):
what the user does reaches the database, previews and renders are real files."""

from __future__ import annotations

import io
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import numpy as np
import pytest
from nicegui import app, ui
from nicegui.testing import User, user_simulation
from PIL import Image

from tests.media import make_tone
from video_orchestrator.config import Settings
from video_orchestrator.domain.script import Scene, Script
from video_orchestrator.jobs.executor import ThreadExecutor
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.projects import (
    AudioSettings,
    ExportSettings,
    ProjectCreate,
    ProjectOut,
    VoiceSettings,
)
from video_orchestrator.services.worker import worker_runner
from video_orchestrator.services.workspace import Workspace
from video_orchestrator.store.tables import Asset
from video_orchestrator.ui import media, shell
from video_orchestrator.ui.env import UiEnv
from video_orchestrator.ui.media import output_url

pytestmark = pytest.mark.anyio
FAKE_VOICE = "fake:fake-en"
WorkspaceFactory = Callable[..., Workspace]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the module: a caption preview or a voice is made once."""
    return tmp_path_factory.mktemp("vo-ui-sim-cache")


@pytest.fixture
def make_ws(tmp_path: Path, shared_cache: Path) -> Iterator[WorkspaceFactory]:
    """``make_ws(workers=0)``: a started workspace on SQLite; ``workers=1`` renders in a
    thread of this process, ``workers=0`` leaves jobs queued."""
    made: list[Workspace] = []

    def factory(workers: int = 0) -> Workspace:
        settings = Settings(
            data_dir=tmp_path / "data",
            cache_dir=shared_cache,
            default_voice=FAKE_VOICE,
            job_stale_seconds=5,
        )
        ctx = AppContext(settings)
        ws = Workspace(
            ctx, executor=ThreadExecutor(settings, ctx.db, worker_runner, workers=workers)
        )
        ws.start(sync_seconds=1.0)
        made.append(ws)
        return ws

    yield factory
    for ws in made:
        ws.stop()


@asynccontextmanager
async def ui_user(ws: Workspace) -> AsyncIterator[User]:
    """A simulated browser on the whole web UI (pages and media routes) over ``ws``."""
    env = UiEnv(services=lambda: ws)
    async with user_simulation(root=lambda: shell.root(env)) as user:
        media.register(app, env)
        yield user


def short_project(ws: Workspace, **fields: object) -> ProjectOut:
    script = Script(
        topic="octopus hearts",
        title="Three hearts",
        hook="Octopuses have three hearts.",
        scenes=[Scene(narration="Two pump blood to the gills.")],
    )
    data: dict[str, object] = {
        "topic": "octopus hearts",
        "script": script,
        "voice": VoiceSettings(voice=FAKE_VOICE),
        "export": ExportSettings(quality="draft"),
        **fields,
    }
    return ws.projects.create(ProjectCreate.model_validate(data))


async def eventually(check: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await anyio.sleep(0.2)


def preview_source(user: User) -> str:
    (image,) = user.find(marker="caption-preview").elements
    assert isinstance(image, ui.image)
    return str(image.source)


@pytest.mark.render
async def test_a_caption_style_is_saved_and_its_preview_is_a_real_frame(
    make_ws: WorkspaceFactory,
) -> None:
    ws = make_ws()
    project = short_project(ws)
    async with ui_user(ws) as user:
        await user.open(f"/projects/{project.id}")
        await user.should_see(marker="caption-style", retries=30)
        await eventually(lambda: preview_source(user) != "", "the first preview")
        first = preview_source(user)

        user.find("Pop: one word at a time, popping in").click()
        anchor = user.find(marker="caption-anchor").elements.pop()
        assert isinstance(anchor, ui.toggle)
        anchor.value = "top"

        await eventually(lambda: ws.projects.get(project.id).captions.style == "pop", "the save")
        await eventually(lambda: preview_source(user) not in ("", first), "a new preview")
        saved = ws.projects.get(project.id).captions
        assert (saved.style, saved.anchor) == ("pop", "top")

        response = await user.http_client.get(preview_source(user))
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/jpeg"
        frame = Image.open(io.BytesIO(response.content))
        assert frame.format == "JPEG"
        preset = ws.ctx.preset("tiktok")
        assert frame.size == (preset.width, preset.height)
        # the chosen position reached the renderer: white caption text near the top of the
        # safe zone only
        pixels = np.asarray(frame.convert("RGB")).astype(int)
        rows = np.nonzero((pixels.min(axis=2) > 235).sum(axis=1) > 20)[0]
        assert rows.size > 0, "no caption drawn"
        safe = preset.safe_zone
        assert safe.top <= rows.min() and rows.max() < preset.height // 2


async def test_render_with_missing_media_says_what_to_do_and_submits_nothing(
    make_ws: WorkspaceFactory, tmp_path: Path
) -> None:
    ws = make_ws()
    tone = make_tone(tmp_path / "bed.wav", seconds=1.0)
    asset, _ = ws.assets.add_file(tone, "bed.wav")
    project = short_project(ws, audio=AudioSettings(music_asset=asset.id))
    with ws.ctx.db.session() as session:  # the file vanished behind the project's back
        session.delete(session.get(Asset, asset.id))
    untitled = ws.projects.create(ProjectCreate())

    async with ui_user(ws) as user:
        await user.open(f"/projects/{project.id}")
        await user.should_see(marker="sticky-render", retries=30)
        user.find(marker="sticky-render").click()
        await user.should_see("The music no longer exists", retries=30)
        await user.should_see("in the Audio tab")
        assert ws.jobs.find(project_id=project.id).total == 0

        await user.open(f"/projects/{untitled.id}")
        await user.should_see(marker="sticky-render", retries=30)
        user.find(marker="sticky-render").click()
        await user.should_see("no script and no topic", retries=30)
        assert ws.jobs.find().total == 0


@pytest.mark.render
async def test_a_real_render_reaches_done_with_the_video_and_downloads(
    make_ws: WorkspaceFactory,
) -> None:
    ws = make_ws(workers=1)
    project = short_project(ws)
    async with ui_user(ws) as user:
        await user.open(f"/projects/{project.id}")
        await user.should_see(marker="sticky-render", retries=30)
        user.find(marker="sticky-render").click()
        await eventually(lambda: ws.jobs.find(project_id=project.id).total == 1, "the job")
        job = ws.jobs.find(project_id=project.id).items[0]
        await eventually(
            lambda: ws.jobs.get(job.id).status not in ("queued", "running"), "the render", 120
        )
        assert ws.jobs.get(job.id).status == "succeeded", ws.jobs.get(job.id).error

        await user.should_see(marker="job-video", retries=50)
        (video,) = user.find(marker="job-video").elements
        assert isinstance(video, ui.video)
        assert video.source == output_url(job.id, "video")
        for kind in ("video", "thumbnail", "srt", "vtt", "metadata"):
            await user.should_see(marker=f"download-{kind}")
        (link,) = user.find(marker="download-video").elements
        response = await user.http_client.get(str(link.props["href"]))
        assert response.status_code == 200
        assert response.headers["content-disposition"].startswith("attachment")
        assert response.content[4:8] == b"ftyp"
        srt = await user.http_client.get(output_url(job.id, "srt"))
        assert "Octopuses" in srt.text or "OCTOPUSES" in srt.text
        # the platform check runs by itself for the newest render
        await user.should_see("Meets every TikTok rule", retries=100)


async def test_the_queue_cancels_retries_and_deletes_jobs(make_ws: WorkspaceFactory) -> None:
    ws = make_ws(workers=0)  # nothing renders: the job waits in the queue
    project = short_project(ws, name="Queue test")
    (job,) = ws.jobs.submit_project(project.id)
    async with ui_user(ws) as user:
        await user.open("/queue")
        await user.should_see("Queue test", retries=30)
        await user.should_see(marker="job-queued")
        user.find(marker="job-cancel").click()
        await eventually(lambda: ws.jobs.get(job.id).status == "cancelled", "the cancel")
        await user.should_see(marker="job-cancelled", retries=30)

        user.find(marker="job-retry").click()
        await eventually(lambda: ws.jobs.get(job.id).status == "queued", "the retry")
        await user.should_see(marker="job-queued", retries=30)
        user.find(marker="job-cancel").click()
        await eventually(lambda: ws.jobs.get(job.id).status == "cancelled", "the second cancel")

        await user.should_see(marker="job-delete", retries=30)
        user.find(marker="job-delete").click()
        user.find(marker="confirm-delete").click()
        await eventually(lambda: ws.jobs.find().total == 0, "the delete")
        await user.should_see("No renders here", retries=30)


async def test_a_saved_provider_key_is_stored_and_only_shown_masked(
    make_ws: WorkspaceFactory,
) -> None:
    ws = make_ws()
    secret = "sk-live-0123456789abcdefWXYZ"
    async with ui_user(ws) as user:
        await user.open("/settings")
        await user.should_see(marker="provider-state-anthropic_api_key", retries=30)
        # the status is the workspace's own: no render worker runs in this one
        await user.should_see("Something needs attention", retries=30)
        await user.should_see("no threads worker is running")
        box = user.find(marker="provider-input-anthropic_api_key")
        box.type(secret)
        user.find(marker="provider-save-anthropic_api_key").click()
        await eventually(lambda: ws.secrets.reveal("anthropic_api_key") == secret, "the save")
        await user.should_see("ends in …WXYZ", retries=30)
        (field,) = box.elements
        assert isinstance(field, ui.input)
        assert field.value == ""  # the key leaves the page once saved
        shown = [
            str(text)
            for element in user.find(kind=ui.element).elements
            for text in element._displayed_contents(only_visible=False)
            if text
        ]
        assert shown, "nothing read from the page"
        assert not any(secret in text or "0123456789" in text for text in shown)
        assert ws.ctx.settings.anthropic_api_key == secret  # providers use it at once

        user.find(marker="provider-remove-anthropic_api_key").click()
        await eventually(lambda: ws.secrets.reveal("anthropic_api_key") is None, "the removal")
