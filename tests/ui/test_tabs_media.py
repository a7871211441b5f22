"""The Voice, Background and Audio tabs driven through NiceGUI's simulated user (no browser),
on a real database, asset store, voice synthesiser and renderer: each test checks what was
saved, stored or made, not only what is shown."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User, user_simulation

from tests.media import make_click, make_tone, make_video
from tests.stock_api import StockServer, default_entries, make_stock_files
from tests.ui.test_editor_sim import eventually
from video_orchestrator.config import Settings
from video_orchestrator.domain.script import Scene, Script
from video_orchestrator.jobs.executor import ThreadExecutor
from video_orchestrator.providers.fake.tts import FakeTTS
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.projects import ProjectCreate, ProjectOut, ProjectUpdate
from video_orchestrator.services.worker import worker_runner
from video_orchestrator.services.workspace import Workspace
from video_orchestrator.ui import shell
from video_orchestrator.ui.env import UiEnv

pytestmark = pytest.mark.anyio

WAIT = 100  # retries of 0.1 s for what a worker thread makes (a voice, a probe, a render)
LONG_SCENE = " ".join(["The deep ocean keeps its secrets far below the light."] * 9)

WorkspaceFactory = Callable[..., Workspace]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def make_ws(tmp_path: Path) -> Iterator[WorkspaceFactory]:
    """``make_ws(**settings)``: a workspace on a fresh SQLite data dir, speaking with the
    deterministic test voices (``fake-en``, ``fake-ja``)."""
    made: list[AppContext] = []

    def factory(**overrides: object) -> Workspace:
        config = Settings(
            data_dir=tmp_path / "data",
            cache_dir=tmp_path / "cache",
            default_voice="fake:fake-en",
            **overrides,  # type: ignore[arg-type]
        )
        ctx = AppContext(config, tts={"fake": FakeTTS()})
        made.append(ctx)
        return Workspace(ctx, executor=ThreadExecutor(config, ctx.db, worker_runner, workers=0))

    yield factory
    for ctx in made:
        ctx.db.dispose()


@pytest.fixture
def ws(make_ws: WorkspaceFactory) -> Workspace:
    return make_ws()


def page_for(ws: Workspace) -> Callable[[], None]:
    env = UiEnv(services=lambda: ws)
    return lambda: shell.root(env)


def with_script(ws: Workspace, *, scenes: list[str] | None = None) -> ProjectOut:
    project = ws.projects.create(ProjectCreate(topic="the deep ocean"))
    script = Script(
        topic="the deep ocean",
        title="The deep ocean",
        hook="The ocean is deeper than you think.",
        scenes=[Scene(narration=text) for text in scenes or ["Whales sing.", "Squid glow."]],
        call_to_action="Follow for more.",
    )
    return ws.projects.update(project.id, ProjectUpdate(version=project.version, script=script))


def incoming_files(ws: Workspace) -> list[str]:
    folder = ws.ctx.settings.data_dir / "incoming"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


async def upload(user: User, marker: str, name: str, data: bytes, kind: str) -> None:
    """Drop one file on the upload box marked ``marker``, as the browser would send it."""
    await user.should_see(marker=marker, retries=WAIT)  # the tab is drawn
    (element,) = user.find(marker=marker).elements
    assert isinstance(element, ui.upload)
    with user.client:
        await element.handle_uploads([SmallFileUpload(name, kind, data)])


# --- Voice ----------------------------------------------------------------------------------


async def test_voices_of_the_project_language_play_a_sample_and_the_choice_is_saved(
    ws: Workspace,
) -> None:
    project = with_script(ws)
    async with user_simulation(root=page_for(ws)) as user:
        await user.open(f"/projects/{project.id}")
        await user.should_see("Fake English tones", retries=WAIT)
        await user.should_not_see("Fake Japanese tones")
        user.find(marker="all-languages").click()
        await user.should_see("Fake Japanese tones")

        user.find(marker="play-fake-en").click()
        await user.should_see("Playing: a sample of Fake English tones", retries=WAIT)
        (player,) = user.find(marker="voice-player").elements
        assert isinstance(player, ui.audio)
        name = player.props["src"].rsplit("/", 1)[1].split("?")[0]
        wav = ws.ctx.settings.cache_dir / "previews" / name
        assert name.endswith(".wav") and wav.read_bytes()[:4] == b"RIFF"

        user.find(marker="use-fake-ja").click()
        await user.should_see("The project now speaks with Fake Japanese tones")
        assert ws.projects.get(project.id).voice.voice == "fake:fake-ja"

        user.find(marker="voice-speed").trigger("change", 1.5)
        await user.should_see("version 4")
        saved = ws.projects.get(project.id).voice
        assert (saved.voice, saved.speed) == ("fake:fake-ja", 1.5)


async def test_the_whole_script_is_heard_cut_to_the_preview_limit_with_a_note(
    ws: Workspace,
) -> None:
    project = with_script(ws, scenes=[LONG_SCENE, "Squid glow."])
    async with user_simulation(root=page_for(ws)) as user:
        await user.open(f"/projects/{project.id}")
        await user.should_see("Hear it in this voice", retries=WAIT)
        user.find(marker="script-part").click()
        user.find("The whole script").click()
        user.find(marker="hear-script").click()
        await user.should_see("The whole script in this project's voice", retries=WAIT)
        await user.should_see("A preview speaks at most 400 characters")

        user.find(marker="script-part").click()
        user.find("The call to action").click()
        user.find(marker="hear-script").click()
        await user.should_see("Playing: The call to action", retries=WAIT)
        await user.should_not_see("A preview speaks at most 400 characters")


async def test_piper_voices_not_installed_are_listed_as_such_from_the_saved_catalogue(
    make_ws: WorkspaceFactory, tmp_path: Path
) -> None:
    """Offline (the catalogue's server does not answer) the saved copy is shown, with a note."""
    ws = make_ws(piper_voices_url="http://127.0.0.1:9", tts_max_retries=0)
    entry = {
        "key": "en_GB-alan-low",
        "name": "alan",
        "language": {"code": "en_GB", "name_english": "English"},
        "quality": "low",
        "num_speakers": 1,
        "files": {
            "en/en_GB/alan/low/en_GB-alan-low.onnx": {"size_bytes": 63_000_000, "md5_digest": "0"},
            "en/en_GB/alan/low/en_GB-alan-low.onnx.json": {"size_bytes": 5000, "md5_digest": "0"},
        },
    }
    saved = ws.ctx.settings.cache_dir / "piper-voices.json"
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text(json.dumps({"en_GB-alan-low": entry}), encoding="utf-8")
    project = with_script(ws)
    async with user_simulation(root=page_for(ws)) as user:
        await user.open(f"/projects/{project.id}")
        await user.should_see("List the voices I can download", retries=WAIT)
        user.find("List the voices I can download").click()
        await user.should_see("alan (low)", retries=WAIT)
        await user.should_see("not installed")
        await user.should_see("The voice list may be old")
        await user.should_see(marker="download-en_GB-alan-low")


# --- Background -----------------------------------------------------------------------------


async def test_an_uploaded_clip_joins_the_library_and_becomes_the_scene_background(
    ws: Workspace, tmp_path: Path
) -> None:
    project = with_script(ws)
    clip = make_video(tmp_path / "ocean-waves.mp4", width=180, height=320, seconds=1.0)
    async with user_simulation(root=page_for(ws)) as user:
        await user.open(f"/projects/{project.id}")
        await user.should_see("No clips or pictures yet.", retries=WAIT)
        user.find(marker="choose-scene-1").click()
        await upload(user, "scene-upload", "ocean-waves.mp4", clip.read_bytes(), "video/mp4")
        await user.should_see("Scene 1 shows ocean-waves.mp4", retries=WAIT)

        videos = ws.assets.find(kind="video").items
        assert [a.filename for a in videos] == ["ocean-waves.mp4"]
        assert videos[0].source == "upload"
        assert ws.projects.get(project.id).background.assets == [videos[0].id]
        assert incoming_files(ws) == []

        # scene 2 takes it too; then scene 2 goes back to a generated background
        user.find(marker="choose-scene-2").click()
        user.find("Use for scene 2").click()
        await user.should_see("Scene 2 shows ocean-waves.mp4")
        assert ws.projects.get(project.id).background.assets == [videos[0].id] * 2
        await user.should_see(marker="generated-scene-2", retries=WAIT)  # the redrawn tile
        user.find(marker="generated-scene-2").click()
        await user.should_see("Scene 2 uses a generated background")
        assert ws.projects.get(project.id).background.assets == [videos[0].id]


def scene_choices(user: User) -> list[str]:
    """What each scene tile says it shows, in scene order."""
    with user.client:
        labels = user.find(kind=ui.label).elements
    tiles = [label for label in labels if "scene-choice" in label.classes]
    return [label.text for label in sorted(tiles, key=lambda label: label.id)]


async def test_each_scene_keeps_its_own_background_and_others_stay_generated(
    ws: Workspace, tmp_path: Path
) -> None:
    """Choosing for scene 3 leaves scenes 1 and 2 generated; scene 2 can be generated while
    scenes 1 and 3 show clips; trailing generated scenes are simply left out of the list."""
    project = with_script(ws, scenes=["Whales sing.", "Squid glow.", "Crabs dig."])
    clip = make_video(tmp_path / "reef.mp4", width=180, height=320, seconds=1.0)
    async with user_simulation(root=page_for(ws)) as user:
        await user.open(f"/projects/{project.id}")
        await upload(user, "library-upload", "reef.mp4", clip.read_bytes(), "video/mp4")
        await user.should_see("1 clip or picture", retries=WAIT)
        (reef,) = ws.assets.find(kind="video").items

        user.find(marker="choose-scene-3").click()
        user.find("Use for scene 3").click()
        await user.should_see("Scene 3 shows reef.mp4")
        assert ws.projects.get(project.id).background.assets == [None, None, reef.id]
        wanted = ["Generated background"] * 2 + ["reef.mp4"]
        await eventually(lambda: scene_choices(user) == wanted, "the cards re-drawn")
        await user.should_not_see(marker="generated-scene-1")

        await user.should_see(marker="choose-scene-2", retries=WAIT)
        user.find(marker="choose-scene-2").click()
        user.find("Use for scene 2").click()
        await user.should_see("Scene 2 shows reef.mp4")
        await user.should_see(marker="choose-scene-1", retries=WAIT)  # the cards re-drawn
        user.find(marker="choose-scene-1").click()
        user.find("Use for scene 1").click()
        await user.should_see("Scene 1 shows reef.mp4")
        assert ws.projects.get(project.id).background.assets == [reef.id] * 3

        user.find(marker="generated-scene-2").click()
        await user.should_see("Scene 2 uses a generated background")
        assert ws.projects.get(project.id).background.assets == [reef.id, None, reef.id]
        wanted = ["reef.mp4", "Generated background", "reef.mp4"]
        await eventually(lambda: scene_choices(user) == wanted, "the cards re-drawn")

        user.find(marker="generated-scene-3").click()
        await user.should_see("Scene 3 uses a generated background")
        assert ws.projects.get(project.id).background.assets == [reef.id]

        user.find("Generated backgrounds for all scenes").click()
        await user.should_see("All scenes use generated backgrounds")
        assert ws.projects.get(project.id).background.assets == []
        wanted = ["Generated background"] * 3
        await eventually(lambda: scene_choices(user) == wanted, "the cards re-drawn")


async def test_a_file_that_is_not_media_is_refused_with_a_message_and_leaves_nothing(
    ws: Workspace,
) -> None:
    project = with_script(ws)
    async with user_simulation(root=page_for(ws)) as user:
        await user.open(f"/projects/{project.id}")
        await upload(user, "library-upload", "notes.mp4", b"just some notes\n" * 50, "video/mp4")
        await user.should_see("notes.mp4 is not a video, image or audio file", retries=WAIT)
    assert ws.assets.find().total == 0
    assert incoming_files(ws) == []
    assert ws.projects.get(project.id).background.assets == []


async def test_motion_settings_save_and_without_a_script_the_tab_says_what_to_do(
    ws: Workspace,
) -> None:
    project = ws.projects.create(ProjectCreate(topic="bees"))
    async with user_simulation(root=page_for(ws)) as user:
        await user.open(f"/projects/{project.id}")
        await user.should_see("Write or generate the script first", retries=WAIT)
        await user.should_see("Stock footage: add a Pexels or Pixabay key in Settings")
        user.find(marker="ken-burns").click()
        await user.should_see("All changes saved")
        user.find(marker="transition").click()
        user.find("Slide up").click()
        await user.should_see("version 3")
        user.find(marker="background-look").click()
        user.find("Key phrase (kinetic typography)").click()
        await user.should_see("version 4")
    saved = ws.projects.get(project.id).background
    assert (saved.ken_burns, saved.transition) == (False, "slideup")
    assert saved.look == "typography" and saved.typography and not saved.illustrations


async def test_a_stock_result_is_imported_into_the_library(
    make_ws: WorkspaceFactory, tmp_path: Path
) -> None:
    with StockServer(make_stock_files(tmp_path / "stock")) as server:
        server.entries = default_entries()
        ws = make_ws(
            stock_providers=["pexels"],
            pexels_api_keys=["pexels-key-aaaa"],
            pexels_base_url=server.base_url,
        )
        project = with_script(ws)
        async with user_simulation(root=page_for(ws)) as user:
            await user.open(f"/projects/{project.id}")
            await user.should_see(marker="stock-query", retries=WAIT)
            user.find(marker="stock-query").clear().type("ocean waves")
            user.find(marker="stock-search").click()
            await user.should_see("Add to library", retries=WAIT)
            user.find(marker="stock-add").click()
            await user.should_see("added to the library", retries=WAIT)
    (asset,) = ws.assets.find(kind="video").items
    assert asset.source == "stock" and asset.attribution and "Pexels" in asset.attribution


# --- Audio ----------------------------------------------------------------------------------


async def test_music_and_effect_uploads_levels_and_the_rendered_mix(
    ws: Workspace, tmp_path: Path
) -> None:
    project = with_script(ws)
    bed = make_tone(tmp_path / "bed.wav", seconds=3.0).read_bytes()
    click = make_click(tmp_path / "click.wav").read_bytes()
    async with user_simulation(root=page_for(ws)) as user:
        await user.open(f"/projects/{project.id}")
        await user.should_see("Platform default (−14 LUFS for TikTok)", retries=WAIT)
        await upload(user, "music-upload", "bed.wav", bed, "audio/wav")
        await user.should_see("bed.wav is the music now", retries=WAIT)
        await upload(user, "sfx-upload", "click.wav", click, "audio/wav")
        await user.should_see("click.wav is the sound effect now", retries=WAIT)

        user.find(marker="music_gain_db").trigger("change", -20)
        await user.should_see("Music volume (dB): −20 dB")
        user.find(marker="ducking").click()
        user.find(marker="loudness").click()
        user.find("−16 LUFS (quieter)").click()
        await user.should_see("version 7", retries=WAIT)

        audio = ws.projects.get(project.id).audio
        music = {a.filename: a.id for a in ws.assets.find(kind="audio").items}
        assert (audio.music_asset, audio.sfx_asset) == (music["bed.wav"], music["click.wav"])
        assert (audio.music_gain_db, audio.ducking, audio.loudness_lufs) == (-20, False, -16)
        assert incoming_files(ws) == []

        user.find(marker="hear-mix").click()
        await user.should_see("Playing the mix", retries=WAIT)
        (player,) = user.find(marker="mix-player").elements
        assert isinstance(player, ui.audio)
        name = player.props["src"].rsplit("/", 1)[1].split("?")[0]
        assert name.endswith(".m4a")
        assert (ws.ctx.settings.cache_dir / "previews" / name).stat().st_size > 1000
